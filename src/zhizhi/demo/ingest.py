"""The demo city's department exports ingested as a steward would: each file for its source, one batch each, every
new record version owed to the workspace's targets that take it. The hotline's two exports come last, dated by the
demo's today (`zhizhi.demo.desk`)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.delivery.outbox import Outbox
from zhizhi.demo.desk import write_ticket_exports
from zhizhi.demo.export import export_path
from zhizhi.demo.sources import write_demo_exports
from zhizhi.ingest.pipeline import FileToIngest, IngestRun
from zhizhi.progress import SILENT, Progress
from zhizhi.sources import load_source
from zhizhi.store.tables import Batch
from zhizhi.store.types import local_today

INGEST_DAY = date(2026, 11, 28)  # the demo's exports are dated November 2026: checks run as on that day


def ingest_demo_exports(
    session: Session, actor: Actor, root: Path, today: date | None = None, progress: Progress = SILENT
) -> list[Batch]:
    """Write the exports and their source files, then ingest the four departments' exports and the month of hotline
    tickets before `today` (default: today in China), each file a task of `progress`; returns the batches.

    Write the targets first (`zhizhi.demo.delivery.write_demo_targets`) for the records to be owed to them.
    """
    exports = [p for p in write_demo_exports(session, actor, root) if p.suffix != ".yaml"]
    files = {"dengji": export_path(root)} | {
        name: next(p for p in exports if p.stem == name) for name in ("food_licences", "equipment", "inspections")
    }
    day = today or demo_today()
    dated = [(files, INGEST_DAY), (write_ticket_exports(session, root, day), day)]
    planned = [FileToIngest(load_source(root, name), path, on) for group, on in dated for name, path in group.items()]
    batches = []
    with IngestRun(actor, outbox=Outbox.of(root)) as run:  # each file read while the one before is written
        for n, file in enumerate(planned):
            with progress.task("progress.ingest", unit="rows", file=file.path.name) as task:
                then = planned[n + 1] if n + 1 < len(planned) else None
                batches.append(run.ingest(session, file, progress=task.update, then=then).batch)
    return batches


def demo_today() -> date:
    """The demo's today: the day it runs, in China (its hotline tickets are of the month before)."""
    return local_today()
