"""Record versions: accepted rows become a new record, a new version of a changed one, or confirm the current one;
each new version is owed to the targets that take the record."""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zhizhi.delivery.outbox import Owed, owe
from zhizhi.ingest.bulk import Ids, bulk_insert, stamp
from zhizhi.ingest.encode import digest_column
from zhizhi.ingest.report import Tally
from zhizhi.store.tables import Record, RecordVersion

LOOKUP_SLICE = 2_000
KEY_SEED = 20261128  # keys are hashed only to tell, within one batch, which may have been made already
RECORD_COLUMNS = ("id", "key", "version", "version_id", "content_hash")
VERSION_COLUMNS = ("id", "record_id", "version", "batch_id", "raw_row_id", "data", "warnings", "content_hash")
# a fresh record (a key new to the source, seen once) is at version 1: only what differs is bound row by row
FRESH_RECORD_COLUMNS = ("id", "key", "version_id", "content_hash")
FRESH_VERSION_COLUMNS = ("id", "record_id", "raw_row_id", "data", "warnings", "content_hash")


@dataclass(slots=True)
class Known:
    """A record as stored: id, latest version number and id, content hash."""

    id: int
    version: int
    version_id: int
    content_hash: str
    new: bool = False


@dataclass
class Plan:
    """What a set of accepted rows does to the records, and the rows to write.

    Rows of keys new to the source and seen once are planned column-wise (`fresh_*`); the others one by one.
    """

    version_of_row: dict[int, int] = field(default_factory=dict)
    new_records: dict[str, Known] = field(default_factory=dict)
    changed: dict[int, Known] = field(default_factory=dict)
    versions: list[tuple[Any, ...]] = field(default_factory=list)
    owed: list[tuple[int, int, str]] = field(
        default_factory=list
    )  # version, record, key of versions planned one by one
    fresh: pl.DataFrame | None = None  # raw_id, version_id, record_id, key, data, warnings, digest

    def versions_by_row(self) -> pl.DataFrame:
        """raw_id -> version_id for every row planned."""
        slow = pl.DataFrame(
            {"raw_id": list(self.version_of_row), "version_id": list(self.version_of_row.values())},
            schema={"raw_id": pl.Int64, "version_id": pl.Int64},
        )
        if self.fresh is None:
            return slow
        return pl.concat([self.fresh.select("raw_id", "version_id"), slow])


class Versions:
    """Turns accepted rows into record versions: a new record, a new version of a changed one, or nothing.

    Keys are looked up in the store only when they may be there: when the source had records before the batch
    began, or when the key's hash matches a record this batch made (a compact set of hashes, 8 bytes a record, is
    all the batch keeps in memory).
    """

    def __init__(
        self,
        session: Session,
        ids: Ids,
        source: str,
        record_type: str,
        now: datetime,
        targets: Sequence[str] = (),
    ) -> None:
        self.session, self.ids, self.source, self.record_type = session, ids, source, record_type
        self.targets = list(targets)  # every new version is owed to each of these
        self.moment, self.now = now, stamp(session, now)
        self.touched: dict[str, Known] = {}  # records planned one by one: a key seen twice, a changed record
        self.made = pl.Series("hash", [], dtype=pl.UInt64)  # hashes of the keys of the records this batch made
        self.stored_before = session.scalar(select(Record.id).where(Record.source == source).limit(1)) is not None

    def plan(self, rows: pl.DataFrame, batch_id: int, tally: Tally) -> Plan:
        """Plan accepted rows (columns key, data, raw_id, warnings; in file order): which version each makes or
        confirms. Write the raw rows, then the plan."""
        if "digest" not in rows.columns:
            rows = rows.with_columns(digest_column(rows["data"]))
        hashes = rows["key"].hash(seed=KEY_SEED)
        may_exist = hashes.is_in(self.made.implode())
        keys = rows["key"].to_list()
        wanted = keys if self.stored_before else rows["key"].filter(may_exist).to_list()
        known = self._known({k for k in wanted if k not in self.touched})
        slow_keys = set(self.touched).intersection(keys) | set(known)
        slow = rows["key"].is_in(list(slow_keys)) | rows["key"].is_duplicated()
        plan = Plan()
        fresh = rows.filter(~slow)
        if fresh.height:
            first_record, first_version = (
                self.ids.take(Record, fresh.height),
                self.ids.take(RecordVersion, fresh.height),
            )
            fresh = fresh.with_columns(
                pl.int_range(first_record, first_record + fresh.height, eager=True).alias("record_id"),
                pl.int_range(first_version, first_version + fresh.height, eager=True).alias("version_id"),
            )
            plan.fresh = fresh
            tally.new += fresh.height
        made_here = set(rows["key"].filter(may_exist).to_list())  # keys an earlier chunk of this batch may have made
        for key, data, raw_row_id, warnings, digest in (
            rows.filter(slow).select("key", "data", "raw_id", "warnings", "digest").rows()
        ):
            current = self.touched.get(key) or known.get(key)
            if current is not None and current.content_hash == digest:
                plan.version_of_row[raw_row_id] = current.version_id
                tally.unchanged += 1
                continue
            if current is not None and (key in self.touched or key in made_here):
                tally.repeated += 1  # an earlier row of this file gave the key other values: this one is newer
            version_id = self.ids.take(RecordVersion, 1)
            if current is None:
                current = Known(self.ids.take(Record, 1), 1, version_id, digest, new=True)
                plan.new_records[key] = current
                tally.new += 1
            else:
                current.version, current.version_id, current.content_hash = current.version + 1, version_id, digest
                if not current.new:  # a record first made in this plan is inserted in its final state
                    plan.changed[current.id] = current
                tally.changed += 1
            self.touched[key] = current
            plan.version_of_row[raw_row_id] = version_id
            plan.versions.append(
                (version_id, current.id, current.version, batch_id, raw_row_id, data, warnings, digest)
            )
            plan.owed.append((version_id, current.id, key))
        self.batch_id = batch_id
        new_keys = pl.concat([fresh["key"], pl.Series(list(plan.new_records), dtype=pl.String)])
        self.made = pl.concat([self.made, new_keys.hash(seed=KEY_SEED)])
        return plan

    def write(self, plan: Plan) -> None:
        """Insert the plan's new records, update its changed ones, insert its versions and owe them."""
        fixed = {"record_type": self.record_type, "source": self.source, "created_at": self.now, "updated_at": self.now}
        new = [(k.id, key, k.version, k.version_id, k.content_hash) for key, k in plan.new_records.items()]
        bulk_insert(self.session, Record, RECORD_COLUMNS, new, fixed=fixed)
        if plan.fresh is not None:
            # in the order of their keys: the unique index on (source, key) then takes a chunk's keys in one pass
            # over its pages, not each on another page (on SQLite, a fifth less of the insert's work at 1,000,000)
            fresh = plan.fresh.select("record_id", "key", "version_id", "digest").sort("key")
            fixed |= {"version": 1}
            bulk_insert(self.session, Record, FRESH_RECORD_COLUMNS, fresh, fixed=fixed)
        for known in plan.new_records.values():
            known.new = False  # stored now: later chunks update it
        if plan.changed:
            self.session.execute(
                update(Record),
                [
                    {
                        "id": k.id,
                        "version": k.version,
                        "version_id": k.version_id,
                        "content_hash": k.content_hash,
                        "updated_at": self.moment,
                    }
                    for k in plan.changed.values()
                ],
            )
        bulk_insert(self.session, RecordVersion, VERSION_COLUMNS, plan.versions, fixed={"created_at": self.now})
        if plan.fresh is not None:
            fresh = plan.fresh.select("version_id", "record_id", "raw_id", "data", "warnings", "digest")
            fixed = {"version": 1, "batch_id": self.batch_id, "created_at": self.now}
            bulk_insert(self.session, RecordVersion, FRESH_VERSION_COLUMNS, fresh, fixed=fixed)
        self._enqueue(plan)

    def _enqueue(self, plan: Plan) -> None:
        """One pending delivery per new version and target, in the same transaction as the version."""
        if not self.targets:
            return
        owed = list(plan.owed)
        fresh = plan.fresh.select("version_id", "record_id", "key").rows() if plan.fresh is not None else []
        items = owed + fresh
        if not items:
            return
        new = [record for _, record, _ in fresh] + [known.id for known in plan.new_records.values()]
        owing = [Owed(t, record, version, key, self.batch_id) for t in self.targets for version, record, key in items]
        owe(self.session, owing, self.moment, known_new=new, ids=self.ids)

    def _known(self, keys: Iterable[str]) -> dict[str, Known]:
        found: dict[str, Known] = {}
        wanted = sorted(keys)
        for start in range(0, len(wanted), LOOKUP_SLICE):
            part = wanted[start : start + LOOKUP_SLICE]
            query = select(Record.key, Record.id, Record.version, Record.version_id, Record.content_hash).where(
                Record.source == self.source, Record.key.in_(part)
            )
            for key, record_id, version, version_id, digest in self.session.execute(query):
                found[key] = Known(record_id, version, version_id, digest)
        return found
