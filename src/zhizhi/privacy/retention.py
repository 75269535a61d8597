"""Retention: personal data is kept, per record type, a number of days after a record's last change
(`privacy.retention`, default `DEFAULT_RETENTION_DAYS`); a run erases what has expired, wherever the store holds it.

For each record type, a record whose last change (`records.updated_at`) is older than its retention has, in every
version, its personal columns erased (null; free text masked by detection) and the version marked `erased_at`; the
same for the versions' soft findings, the raw rows that made or confirmed a version (through the source's mapping:
a column feeding a personal field is erased, other text masked by detection), and the quarantine items that became
a version. A quarantine item that never did (still open) and a skipped line expire on their own clock: the item's
last change, the batch's end.

The register keeps the firm, not the person: a golden field that holds a person's data (a legal representative, a
phone) is dropped when the record it came from expired, exactly as a register run over the erased data would leave
it; name, credit code and address stay. An entity whose every record expired so loses all its personal fields; one
with a live record gets the live record's value back at the next register run that touches it.

The hotline's own copies follow their record types: a case not changed for the retention of tickets has its result,
decision reason, respondent, reassignment reason and pauses' reasons as typed masked by detection (a handler may quote
a caller's numbers there), and an answer file the desk wrote (`data/answers/CHANNEL/*.jsonl`) older than the retention
of ticket answers has its free text masked the same way; what a platform already received is the platform's to erase.

A random inspection's own copies follow the inspection records its results made: a visit whose results were last
entered (`recorded_at`) before the cutoff of `inspection` loses the name of who signed for the firm (null), and its
remark and items' notes are masked by detection, with the names the visit knows (the signer, the firm's legal
representative) masked wherever they write them, and so is why a member left its team (a recusal may name a
relative, a leave a health matter); a results file (`data/inspections/results/DEPT/*.jsonl`, what the department's
source read) written before that cutoff is masked the same way. The files go first, while the visit still names its
signer.

Such a visit's photos are evidence of its findings and keep their image, byte for byte (what a picture shows cannot
be told apart from the finding), but lose every metadata that locates or names a person: the location, even one kept
on purpose (the visit keeps the firm's address), the EXIF's owner, artist, serial numbers, comments and maker notes,
a JPEG's comments and IPTC, a PNG's text chunks (`zhizhi.inspections.photos.without_metadata`); what shows and dates
the picture stays. The file is then named by its new SHA-256, as an upload is (a name never comes from a person),
written with the transaction and the old one removed once it commits; the photo is marked `erased_at` and not read
again. Who uploaded it stays: an inspector's official act, in the audit trail as well.

An answer or results file a run erased (or found holding nothing to erase) is noted in `erased_files` as the run left
it (size, modification time, SHA-256): a later run does not open it while its size and time are the same, and reads
it again when they differ, passing over it still if its SHA-256 is the one noted (a copy restored with a new time).

The content hash of a record and of its versions is the hash of the data as ingested, and stays: the ingest compares
it with an incoming row to tell a change, and re-sending the same facts is not a change. An identical file ingested
again after an erasure therefore makes no new version, is delivered to nobody and does not restart the clock; its
raw rows confirm the erased version, and the next run erases them too.

Every run is one transaction, in slices of `SLICE` records (no table is read whole), and writes one ledger entry
(`privacy.erased`, counts per record type), one audit event (`privacy.retention`) and a report file in
`reports/retention/`. A second run changes nothing: what was erased is marked (a row's `erased_at`, a file in
`erased_files`) and not read again.
"""

from __future__ import annotations

import json
from collections.abc import Callable, Iterator, Mapping, Sequence
from dataclasses import asdict, dataclass, field
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any, cast

from sqlalchemy import ColumnElement, func, select, text, update
from sqlalchemy.orm import InstrumentedAttribute, Session

from zhizhi import ledger
from zhizhi.access import Actor, audit
from zhizhi.access.roles import require
from zhizhi.config import Workspace
from zhizhi.ingest.bulk import bulk_update, stamp
from zhizhi.inspections.results import RESULTS_FOLDER
from zhizhi.inspections.visits import legal_representatives
from zhizhi.privacy.catalogue import DEFAULT_RETENTION_DAYS, personal_columns
from zhizhi.privacy.detect import mask_text
from zhizhi.privacy.erase import (
    erase_cells,
    erase_data,
    erase_findings,
    erase_golden,
    source_categories,
)
from zhizhi.privacy.kept_files import ErasedFiles, erase_photos
from zhizhi.privacy.masking import mask_known
from zhizhi.records import record_types
from zhizhi.resolve.cache import features_cache, forget
from zhizhi.resolve.run import RESOLVE_LOCK
from zhizhi.store.frames import among, scalars_among
from zhizhi.store.tables import (
    Batch,
    Case,
    CasePause,
    Delivery,
    Entity,
    EntityLink,
    InspectionPhoto,
    InspectionVisit,
    LedgerEntry,
    QuarantineItem,
    RawRow,
    Record,
    RecordVersion,
    VisitInspector,
    VisitItem,
)
from zhizhi.store.types import LOCAL_TZ, iso_utc, utcnow

STAMP = 21  # the local moment a file zhizhi writes is named by: 20261207T221034443427
SLICE = 2_000  # records (or items, or lines) erased per step
KIND = "privacy.erased"
ACTION = "privacy.retention"
REPORTS = Path("reports") / "retention"
_PG_LOCK = 7_405_000_009  # advisory lock id: one retention run at a time
COUNTS = ("records", "versions", "raw_rows", "quarantine_items", "entities", "cases", "visits", "photos", "files")
CASES_FOLLOW = "ticket"  # a hotline case's text is kept as long as its tickets
ANSWERS_FOLLOW = "ticket_answer"  # the desk's answer files, as long as the answers
VISITS_FOLLOW = "inspection"  # a random inspection's visit and results files, as long as its inspection records
CASE_TEXTS = ("result", "decision_reason", "respondent_name", "routed_by")
ANSWERS = "answers"  # under the workspace's data folder, one folder per channel
Progress = Callable[[str, int, int], None]  # record type, records done, records expired


@dataclass
class Figures:
    """What one run did to one record type: its retention and how many of each thing it erased."""

    record_type: str
    retention_days: int
    cutoff: datetime
    records: int = 0
    versions: int = 0
    raw_rows: int = 0
    quarantine_items: int = 0
    entities: int = 0
    cases: int = 0
    visits: int = 0
    photos: int = 0
    files: int = 0

    def counts(self) -> dict[str, int]:
        return {k: v for k, v in asdict(self).items() if k not in ("record_type", "cutoff")}


@dataclass
class RetentionReport:
    """A run's outcome: per record type the figures; never a personal value."""

    at: datetime
    dry_run: bool
    types: list[Figures] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    file: Path | None = None
    ledger_seq: int | None = None

    @property
    def changed(self) -> int:
        """Versions, raw rows, quarantine items, entities, cases, visits, photos and files changed (0: the run
        changed nothing)."""
        return sum(sum(n for k, n in f.counts().items() if k not in ("retention_days", "records")) for f in self.types)

    def as_dict(self) -> dict[str, Any]:
        return {
            "at": iso_utc(self.at),
            "dry_run": self.dry_run,
            "types": [{"record_type": f.record_type, "cutoff": iso_utc(f.cutoff), **f.counts()} for f in self.types],
            "changed": self.changed,
            "notes": self.notes,
            "file": str(self.file) if self.file else None,
            "ledger_seq": self.ledger_seq,
        }


def expire(
    session: Session,
    actor: Actor,
    workspace: Workspace,
    *,
    now: datetime | None = None,
    dry_run: bool = False,
    progress: Progress | None = None,
) -> RetentionReport:
    """Erase the personal data whose retention has passed, in the caller's transaction; with `dry_run`, only count
    it. Writes the report file; a real run also its ledger entry and audit event."""
    require(actor, "data.write")
    lock(session)
    report = RetentionReport(now or utcnow(), dry_run)
    eraser = _Eraser(session, workspace.root, report.at, dry_run, workspace.data_dir)
    for kind in sorted(record_types()):
        days = workspace.config.privacy.retention.get(kind, DEFAULT_RETENTION_DAYS)
        figures = Figures(kind, days, report.at - timedelta(days=days))
        eraser.expire_type(figures, progress)
        report.types.append(figures)
    report.notes = eraser.notes
    if not dry_run:
        forget(features_cache(workspace.root), eraser.erased)
        counts = {f.record_type: f.counts() for f in report.types}
        report.ledger_seq = ledger.append(session, KIND, "retention", iso_utc(report.at) or "", {"types": counts})
        totals = {name: sum(c[name] for c in counts.values()) for name in COUNTS}
        audit.record(
            session, actor, ACTION, object_type="retention", object_id=report.ledger_seq, detail=totals | {"by": counts}
        )
    report.file = write_report(report, workspace.root / REPORTS)
    return report


def lock(session: Session) -> None:
    """Hold the retention lock, and the register's, to the end of the transaction: a register run must not write
    golden records from data read before the erasure (PostgreSQL; SQLite's BEGIN IMMEDIATE serialises already)."""
    if session.get_bind().dialect.name == "postgresql":
        for key in (_PG_LOCK, RESOLVE_LOCK):
            session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": key})


def last_run(session: Session) -> datetime | None:
    """When the newest real run ran (its ledger entry names the moment), or None."""
    query = select(LedgerEntry.subject_id).where(LedgerEntry.kind == KIND).order_by(LedgerEntry.seq.desc())
    subject = session.scalar(query.limit(1))
    return datetime.fromisoformat(subject.replace("Z", "+00:00")) if subject else None


def write_report(report: RetentionReport, folder: Path) -> Path:
    """The run's report as JSON in `folder`, named by its local time."""
    folder.mkdir(parents=True, exist_ok=True)
    name = report.at.astimezone(LOCAL_TZ).strftime("retention-%Y%m%d-%H%M%S") + ("-dry-run" if report.dry_run else "")
    path = folder / f"{name}.json"
    body = report.as_dict() | {"file": path.name}
    path.write_text(json.dumps(body, ensure_ascii=False, indent=2), encoding="utf-8")
    return path


class _Eraser:
    """One run's work on the store: slice after slice, each read, erased and written back."""

    def __init__(self, session: Session, root: Path, now: datetime, dry_run: bool, data: Path) -> None:
        self.session, self.root, self.dry_run, self.data, self.now = session, root, dry_run, data, now
        self.stamp = stamp(session, now)
        self.notes: list[str] = []
        self.erased: list[int] = []  # records erased by this run: their features leave the register's cache
        self._sources: dict[tuple[str, str], dict[str, str]] = {}

    def expire_type(self, figures: Figures, progress: Progress | None) -> None:
        kind, cutoff = figures.record_type, figures.cutoff
        expired = (Record.record_type == kind) & (Record.updated_at < cutoff)
        total = int(self.session.scalar(select(func.count()).select_from(Record).where(expired)) or 0)
        done = 0
        for ids in _keyset(self.session, Record.id, expired):
            self._records(figures, ids)
            done += len(ids)
            if progress is not None:
                progress(kind, done, total)
        old_batches = select(Batch.id).where(Batch.record_type == kind, Batch.finished_at < cutoff)
        open_items = (
            QuarantineItem.record_version_id.is_(None)
            & (QuarantineItem.updated_at < cutoff)
            & QuarantineItem.batch_id.in_(select(Batch.id).where(Batch.record_type == kind))
            & QuarantineItem.erased_at.is_(None)
        )
        for ids in _keyset(self.session, QuarantineItem.id, open_items):
            self._raw_rows(figures, self._items(figures, QuarantineItem.id.in_(ids)))
        skipped = (RawRow.status == "skipped") & RawRow.erased_at.is_(None) & RawRow.batch_id.in_(old_batches)
        for ids in _keyset(self.session, RawRow.id, skipped):
            self._raw_rows(figures, ids)
        if kind == CASES_FOLLOW:
            for ids in _keyset(self.session, Case.id, Case.updated_at < cutoff):
                self._cases(figures, ids)
        if kind == ANSWERS_FOLLOW:
            self._files(figures, self.data / ANSWERS, lambda _: ())
        if kind == VISITS_FOLLOW:
            self._files(figures, self.data / RESULTS_FOLDER, self._people_of_file)
            recorded = InspectionVisit.recorded_at < cutoff
            for ids in _keyset(self.session, InspectionVisit.id, recorded):
                self._visits(figures, ids)
            photos = InspectionPhoto.erased_at.is_(None) & InspectionPhoto.visit_id.in_(
                select(InspectionVisit.id).where(recorded)
            )
            for ids in _keyset(self.session, InspectionPhoto.id, photos):
                self._photos(figures, ids)

    def _cases(self, figures: Figures, ids: Sequence[int]) -> None:
        """Mask by detection what a handler typed on these cases (their result, decision reason, respondent, the reason
        they were reassigned and the reasons of their pauses); only what it changes is written, each case changed
        counted once."""
        query = select(Case.id, *(getattr(Case, c) for c in CASE_TEXTS)).where(Case.id.in_(ids))
        updates = []
        for case_id, *texts in self.session.execute(query):
            masked = [mask_text(t) if t else t for t in texts]
            if masked != texts:
                updates.append((case_id, *masked))
        self._write(Case, CASE_TEXTS, updates)
        pauses = select(CasePause.id, CasePause.case_id, CasePause.reason).where(CasePause.case_id.in_(ids))
        reasons = [(pause_id, case_id, mask_text(reason)) for pause_id, case_id, reason in self.session.execute(pauses)
                   if mask_text(reason) != reason]  # fmt: skip
        self._write(CasePause, ("reason",), [(pause_id, reason) for pause_id, _, reason in reasons])
        figures.cases += len({row[0] for row in updates} | {case_id for _, case_id, _ in reasons})

    def _files(self, figures: Figures, folder: Path, people_of: Callable[[Path], Sequence[str | None]]) -> None:
        """Erase the files in `folder`'s subfolders written before the cutoff as their records are erased (free
        text masked, and the names `people_of` the file knows); one an earlier run left, unchanged since, is not
        opened."""
        columns = personal_columns(figures.record_type)
        paths = [path for path in sorted(folder.glob("*/*.jsonl")) if _written(path) < figures.cutoff]
        book = ErasedFiles(self.session, self.data, paths, self.now, self.dry_run)
        for path in paths:
            if book.unchanged(path):
                continue
            body = path.read_bytes()
            lines = [line for line in body.decode("utf-8").splitlines() if line]
            names = people_of(path)
            erased = [json.dumps(erase_data(json.loads(line), columns, names), ensure_ascii=False) for line in lines]
            if erased != lines:
                figures.files += 1
                body = "".join(line + "\n" for line in erased).encode("utf-8")
                if not self.dry_run:
                    path.write_bytes(body)
            book.note(path, body)
        book.save()

    def _people_of_file(self, path: Path) -> tuple[str | None, ...]:
        """Who a results file's visit names (its signer, its firm's legal representative): the file is named
        `STAMP-VISIT.jsonl`."""
        visit = self.session.execute(
            select(InspectionVisit.entity_id, InspectionVisit.acknowledged_by).where(
                InspectionVisit.number == path.stem[STAMP + 1 :]
            )
        ).first()
        if visit is None:
            return ()
        return visit.acknowledged_by, legal_representatives(self.session, [visit.entity_id]).get(visit.entity_id)

    def _visits(self, figures: Figures, ids: Sequence[int]) -> None:
        """Erase what these visits' teams wrote about people: the signer's name (null), the remark and the items'
        notes masked with the names the visit knows; only what changes is written, each visit counted once."""
        columns = (InspectionVisit.id, InspectionVisit.entity_id, InspectionVisit.acknowledged_by)
        visits = self.session.execute(select(*columns, InspectionVisit.remark).where(InspectionVisit.id.in_(ids))).all()
        legal = legal_representatives(self.session, {v.entity_id for v in visits})
        people = {v.id: (v.acknowledged_by, legal.get(v.entity_id)) for v in visits}
        erased = [(v.id, None, mask_known(v.remark, people[v.id])) for v in visits]
        updates = [row for row, v in zip(erased, visits, strict=True) if row[1:] != (v.acknowledged_by, v.remark)]
        self._write(InspectionVisit, ("acknowledged_by", "remark"), updates)
        query = select(VisitItem.visit_id, VisitItem.item_id, VisitItem.note).where(
            VisitItem.visit_id.in_(ids), VisitItem.note.is_not(None)
        )
        notes = [
            {"visit_id": visit_id, "item_id": item_id, "note": masked}
            for visit_id, item_id, note in self.session.execute(query)
            if (masked := mask_known(note, people[visit_id])) != note
        ]
        if notes and not self.dry_run:
            self.session.execute(update(VisitItem), notes)
        reasons = self._removed_reasons(ids, people)
        figures.visits += len({row[0] for row in updates} | {n["visit_id"] for n in (*notes, *reasons)})

    def _removed_reasons(self, ids: Sequence[int], people: Mapping[int, Sequence[str | None]]) -> list[dict[str, Any]]:
        """Mask why members left these visits' teams (a conflict of interest may name a relative, a leave a health
        matter) as the remarks are; returns the members changed."""
        query = select(VisitInspector.visit_id, VisitInspector.user_id, VisitInspector.removed_reason).where(
            VisitInspector.visit_id.in_(ids), VisitInspector.removed_reason.is_not(None)
        )
        reasons = [
            {"visit_id": visit_id, "user_id": user_id, "removed_reason": masked}
            for visit_id, user_id, reason in self.session.execute(query)
            if (masked := mask_known(reason, people[visit_id])) != reason
        ]
        if reasons and not self.dry_run:
            self.session.execute(update(VisitInspector), reasons)
        return reasons

    def _photos(self, figures: Figures, ids: Sequence[int]) -> None:
        """Erase these photos' metadata (their location, even one kept on purpose, and whatever names a person); the
        image stays as evidence of the finding."""
        erased = erase_photos(self.session, self.data, ids, self.dry_run, self.notes)
        rows = [(*row, False, self.stamp) for row in erased]
        self._write(InspectionPhoto, ("file_name", "sha256", "size", "location_kept", "erased_at"), rows)
        figures.photos += len(rows)

    def _records(self, figures: Figures, ids: Sequence[int]) -> None:
        """Versions of these expired records, their raw rows and quarantine items, and their entities."""
        every = [
            row
            for c in among(self.session, RecordVersion.record_id, ids)
            for row in self.session.execute(select(RecordVersion.id, RecordVersion.raw_row_id).where(c))
        ]
        newly = self._versions(figures, ids)
        self.erased.extend(newly)
        version_ids = [v for v, _ in every]
        raw = {r for _, r in every}  # the rows that made the versions, and those that confirmed them:
        confirming = select(RawRow.id).where(RawRow.erased_at.is_(None))
        raw |= set(scalars_among(self.session, confirming, _ids(RawRow.record_version_id), version_ids))
        for condition in among(self.session, _ids(QuarantineItem.record_version_id), version_ids):
            raw |= set(self._items(figures, condition))
        self._raw_rows(figures, sorted(raw))
        if newly:
            self._entities(figures, newly)

    def _versions(self, figures: Figures, ids: Sequence[int]) -> list[int]:
        """Erase the versions of these records not erased yet; returns the records they belong to."""
        columns = personal_columns(figures.record_type)
        query = select(RecordVersion.id, RecordVersion.record_id, RecordVersion.data, RecordVersion.warnings)
        rows = [
            row
            for c in among(self.session, RecordVersion.record_id, ids)
            for row in self.session.execute(query.where(c, RecordVersion.erased_at.is_(None)))
        ]
        erased = [
            (version_id, _compact(erase_data(json.loads(data), columns)), erase_findings(warnings, columns, {}))
            for version_id, _, data, warnings in rows
        ]
        self._write(RecordVersion, ("data", "warnings", "erased_at"), [(*row, self.stamp) for row in erased])
        self._deliveries([version_id for version_id, _, _, _ in rows])
        newly = sorted({record_id for _, record_id, _, _ in rows})
        figures.versions += len(rows)
        figures.records += len(newly)
        return newly

    def _deliveries(self, version_ids: Sequence[int]) -> None:
        """Mask by detection the errors kept on these versions' deliveries (a platform's rejection may quote an ID)."""
        query = select(Delivery.id, Delivery.last_error).where(Delivery.last_error.is_not(None))
        updates = [
            (delivery_id, masked)
            for condition in among(self.session, Delivery.record_version_id, version_ids)
            for delivery_id, error in self.session.execute(query.where(condition))
            if error and (masked := mask_text(error)) != error
        ]
        self._write(Delivery, ("last_error",), updates)

    def _items(self, figures: Figures, condition: ColumnElement[bool]) -> list[int]:
        """Erase the quarantine items matching `condition` (findings and fixes); returns their raw rows."""
        query = (
            select(
                QuarantineItem.id,
                QuarantineItem.raw_row_id,
                QuarantineItem.findings,
                QuarantineItem.fixes,
                Batch.source,
                Batch.record_type,
            )
            .join(Batch, Batch.id == QuarantineItem.batch_id)
            .where(condition, QuarantineItem.erased_at.is_(None))
        )
        updates, raw = [], []
        for item_id, raw_id, findings, fixes, source, kind in self.session.execute(query):
            categories = self._categories(source, kind)
            fixed = erase_cells(json.loads(fixes), categories) if fixes else None
            updates.append(
                (
                    item_id,
                    erase_findings(findings, personal_columns(kind), categories),
                    _compact(fixed) if fixed is not None else None,
                    self.stamp,
                )
            )
            raw.append(raw_id)
        self._write(QuarantineItem, ("findings", "fixes", "erased_at"), updates)
        figures.quarantine_items += len(updates)
        return raw

    def _raw_rows(self, figures: Figures, ids: Sequence[int]) -> None:
        """Erase these raw rows' cells through their source's mapping (those erased already are left alone)."""
        query = select(RawRow.id, RawRow.data, Batch.source, Batch.record_type).join(Batch, Batch.id == RawRow.batch_id)
        updates = []
        for condition in among(self.session, RawRow.id, ids):
            for raw_id, data, source, kind in self.session.execute(query.where(condition, RawRow.erased_at.is_(None))):
                cells = erase_cells(json.loads(data), self._categories(source, kind))
                updates.append((raw_id, _compact(cells), self.stamp))
        self._write(RawRow, ("data", "erased_at"), updates)
        figures.raw_rows += len(updates)

    def _entities(self, figures: Figures, records: Sequence[int]) -> None:
        """Drop the personal golden fields that came from these records, from their entities and those merged
        away from them."""
        found = set(scalars_among(self.session, select(EntityLink.entity_id), EntityLink.record_id, records))
        frontier = sorted(found)
        while frontier:
            merged = set(scalars_among(self.session, select(Entity.id), _ids(Entity.merged_into), frontier)) - found
            found |= merged
            frontier = sorted(merged)
        expired = set(records)
        query = select(Entity.id, Entity.golden)
        updates = []
        for condition in among(self.session, Entity.id, sorted(found)):
            for entity_id, text_ in self.session.execute(query.where(condition)):
                golden = json.loads(text_)
                if not erase_golden(golden, expired):
                    continue
                phone = (golden.get("phone") or {}).get("value")  # the search text holds no personal field
                updates.append((entity_id, _compact(golden), phone, self.stamp))
        self._write(Entity, ("golden", "phone", "updated_at"), updates)
        figures.entities += len(updates)

    def _categories(self, source: str, record_type: str) -> dict[str, str]:
        """Raw column -> category for a source, from its file; detection only (and a note) without one."""
        key = (source, record_type)
        if key not in self._sources:
            from zhizhi.errors import ZhizhiError
            from zhizhi.sources import load_source

            try:
                self._sources[key] = source_categories(load_source(self.root, source).columns(), record_type)
            except ZhizhiError:
                self.notes.append(
                    f"Source `{source}` has no valid file: its raw cells were masked by detection only; names in "
                    "them may remain."
                )
                self._sources[key] = {}
        return self._sources[key]

    def _write(self, table: Any, columns: tuple[str, ...], rows: list[tuple[Any, ...]]) -> None:
        if rows and not self.dry_run:
            bulk_update(self.session, table, "id", columns, rows)


def _keyset(session: Session, key: Any, condition: ColumnElement[bool]) -> Iterator[list[int]]:
    """The ids matching `condition` in slices of `SLICE`, in order, each slice read when the last one is done."""
    last = 0
    while True:
        ids = list(session.scalars(select(key).where(condition, key > last).order_by(key).limit(SLICE)))
        if not ids:
            return
        yield ids
        last = ids[-1]


def _written(path: Path) -> datetime:
    """When zhizhi wrote a file (an answer file, a results file): the local moment its name starts with, else the
    file's own time."""
    try:
        return datetime.strptime(path.name[:STAMP], "%Y%m%dT%H%M%S%f").replace(tzinfo=LOCAL_TZ)
    except ValueError:
        return datetime.fromtimestamp(path.stat().st_mtime, LOCAL_TZ)


def _compact(value: Any) -> str:
    """JSON as the store writes it: compact, Chinese as is."""
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _ids(column: InstrumentedAttribute[int | None]) -> InstrumentedAttribute[int]:
    """A nullable id column, for the id-list helpers (a null is among no list)."""
    return cast(InstrumentedAttribute[int], column)
