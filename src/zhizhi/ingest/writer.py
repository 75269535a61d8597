"""Write a batch's rows: raw rows as read, records and their versions, quarantine items; in bulk, in order."""

from __future__ import annotations

import json
from collections.abc import Sequence
from datetime import datetime

import polars as pl
from sqlalchemy.orm import Session

from zhizhi.ingest.bulk import Ids, bulk_insert, stamp
from zhizhi.ingest.encode import Encoded
from zhizhi.ingest.kinds import I
from zhizhi.ingest.mapping import HARD
from zhizhi.ingest.read.base import ROW, Skip
from zhizhi.ingest.report import Tally
from zhizhi.ingest.versions import Versions
from zhizhi.store.tables import QuarantineItem, RawRow

RAW_COLUMNS = ("id", "batch_id", "sheet", "row_number", "status", "reason", "data", "record_version_id")
CHUNK_RAW_COLUMNS = ("id", "row_number", "status", "data", "record_version_id")  # the rest is the same for a chunk


class BatchWriter:
    """Writes one batch's rows inside the caller's transaction and keeps its tally."""

    def __init__(
        self,
        session: Session,
        batch_id: int,
        source: str,
        record_type: str,
        now: datetime,
        targets: Sequence[str] = (),
    ) -> None:
        self.session = session
        self.batch_id = batch_id
        self.source = source
        self.now = stamp(session, now)
        self.ids = Ids(session)
        self.tally = Tally()
        self.versions = Versions(session, self.ids, source, record_type, now, targets)

    def write_skips(self, skips: Sequence[Skip]) -> None:
        if not skips:
            return
        first = self.ids.take(RawRow, len(skips))
        rows = [
            (
                first + n,
                self.batch_id,
                s.sheet,
                s.row,
                "skipped",
                s.reason,
                json.dumps({"text": s.text}, ensure_ascii=False),
                None,
            )
            for n, s in enumerate(skips)
        ]
        bulk_insert(self.session, RawRow, RAW_COLUMNS, rows)
        self.tally.add_skips(list(skips))

    def write_chunk(self, chunk: Encoded) -> None:
        """Store an encoded chunk: every row raw; accepted ones as record versions; the rest in quarantine."""
        height = chunk.rows.height
        first_raw = self.ids.take(RawRow, height)
        rows = chunk.rows.with_columns((pl.col(I).cast(pl.Int64) + first_raw).alias("raw_id"))
        accepted = rows.filter(~pl.col(HARD))
        plan = self.versions.plan(
            accepted.select("key", "data", "raw_id", "warnings", "digest"), self.batch_id, self.tally
        )
        raw = rows.join(plan.versions_by_row(), on="raw_id", how="left", maintain_order="left").select(
            "raw_id",
            pl.col(ROW),
            pl.when(pl.col(HARD)).then(pl.lit("quarantined")).otherwise(pl.lit("accepted")).alias("status"),
            "raw",
            "version_id",
        )
        fixed = {"batch_id": self.batch_id, "sheet": chunk.sheet, "reason": None}
        bulk_insert(self.session, RawRow, CHUNK_RAW_COLUMNS, raw, fixed=fixed)
        self.versions.write(plan)
        quarantined = rows.filter(pl.col(HARD))
        if quarantined.height:
            first = self.ids.take(QuarantineItem, quarantined.height)
            items = quarantined.select(
                pl.int_range(first, first + quarantined.height, dtype=pl.Int64).alias("id"),
                "raw_id",
                "reasons",
                "findings",
            )
            fixed = {"batch_id": self.batch_id, "source": self.source, "status": "open"}
            fixed |= {"created_at": self.now, "updated_at": self.now}
            bulk_insert(self.session, QuarantineItem, ("id", "raw_row_id", "reasons", "findings"), items, fixed=fixed)
        self.tally.accepted += accepted.height
        self.tally.quarantined += quarantined.height
        self.tally.add_chunk(chunk.stats)
