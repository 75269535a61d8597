"""The demo city's department exports ingested as a steward would: each file for its source, one batch each."""

from __future__ import annotations

from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.demo.export import export_path
from zhizhi.demo.sources import write_demo_exports
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.sources import load_source
from zhizhi.store.tables import Batch

INGEST_DAY = date(2026, 11, 28)  # the demo's exports are dated November 2026: checks run as on that day


def ingest_demo_exports(session: Session, actor: Actor, root: Path) -> list[Batch]:
    """Write the exports and their source files, then ingest the four exports; returns the batches."""
    exports = [p for p in write_demo_exports(session, actor, root) if p.suffix != ".yaml"]
    files = {"dengji": export_path(root)} | {
        name: next(p for p in exports if p.stem == name) for name in ("food_licences", "equipment", "inspections")
    }
    return [
        ingest_file(session, actor, load_source(root, name), path, today=INGEST_DAY).batch
        for name, path in files.items()
    ]
