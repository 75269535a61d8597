"""Several files in one run (`IngestRun`): the next file is read while the current one is written, and each file
still ends exactly as it would alone, in its own transaction (SQLite and PostgreSQL)."""

from __future__ import annotations

import threading
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, Outbox
from tests.ingest.test_pipeline import HEADER, SOURCE, TODAY, _codes, _dirty_file, _row, _source, _write
from zhizhi.errors import InputError
from zhizhi.ingest import pipeline
from zhizhi.ingest.pipeline import FileToIngest, IngestRun, ingest_file
from zhizhi.sources import parse_source
from zhizhi.store.tables import Batch, QuarantineItem, RawRow, Record, RecordVersion


class _Started:
    """Which files' readings have begun (`produce` patched to say so)."""

    def __init__(self, monkeypatch: pytest.MonkeyPatch) -> None:
        self.names: list[str] = []
        self.changed = threading.Condition()
        produce = pipeline.produce

        def saying(job: Any) -> Iterator[Any]:
            with self.changed:
                self.names.append(job.path.name)
                self.changed.notify_all()
            yield from produce(job)

        monkeypatch.setattr(pipeline, "produce", saying)

    def wait_for(self, name: str, seconds: float = 10) -> bool:
        with self.changed:
            return self.changed.wait_for(lambda: name in self.names, seconds)


def _files(tmp_path: Path, name: str = "dengji") -> list[FileToIngest]:
    source = parse_source(SOURCE.replace("name: dengji", f"name: {name}"), f"sources/{name}.yaml")
    tmp_path.mkdir(exist_ok=True)
    dirty, _ = _dirty_file(tmp_path)
    codes = _codes(300, seed=11)
    clean = _write(tmp_path / "登记二.csv", [_row(code, f"柳州市{n}号有限公司") for n, code in enumerate(codes)])
    again = _write(tmp_path / "登记三.csv", [_row(codes[0], "柳州市改名有限公司"), _row(codes[1], "柳州市1号有限公司")])
    return [FileToIngest(source, path, TODAY) for path in (dirty, clean, again)]


def _stored(session: Session, source: str) -> list[tuple[Any, ...]]:
    """What the store holds of a source, file by file: the batches' counts and their rows, records and versions."""
    batches = session.execute(
        select(
            Batch.id, Batch.file_name, Batch.rows_read, Batch.rows_accepted, Batch.rows_quarantined, Batch.rows_skipped,
            Batch.records_new, Batch.records_changed, Batch.records_unchanged,
        ).where(Batch.source == source).order_by(Batch.id)
    ).all()  # fmt: skip
    held = [tuple(b[1:]) for b in batches]
    for batch in batches:
        held += session.execute(
            select(RawRow.row_number, RawRow.status, RawRow.reason, RawRow.data, RecordVersion.data, Record.version)
            .outerjoin(RecordVersion, RecordVersion.id == RawRow.record_version_id)
            .outerjoin(Record, Record.id == RecordVersion.record_id)
            .where(RawRow.batch_id == batch.id)
            .order_by(RawRow.id)
        ).all()
        held += session.execute(
            select(QuarantineItem.reasons, QuarantineItem.findings)
            .where(QuarantineItem.batch_id == batch.id)
            .order_by(QuarantineItem.id)
        ).all()
    return [tuple(row) for row in held]


def test_the_next_file_is_read_while_the_current_one_is_written_and_each_ends_as_alone(
    city: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    alone = _files(tmp_path / "alone", "dengji")
    for file in alone:
        with city() as session, session.begin():
            ingest_file(session, OPERATOR, file.source, file.path, today=file.today, outbox=Outbox())
    files = _files(tmp_path / "run", "dengji2")
    started = _Started(monkeypatch)
    with IngestRun(OPERATOR, outbox=Outbox()) as run:
        for n, file in enumerate(files):
            then = files[n + 1] if n + 1 < len(files) else None
            with city() as session, session.begin():
                assert not run.ingest(session, file, then=then).already
                if then is not None:  # before this file's transaction commits, the next one is being read
                    assert started.wait_for(then.path.name)
    assert started.names == [f.path.name for f in files]  # each file read once
    with city() as session:
        in_a_run, one_by_one = _stored(session, "dengji2"), _stored(session, "dengji")
    assert in_a_run[:3] == [
        (f.path.name, *counts) for f, counts in zip(files, [(11, 3, 5, 3, 3, 0, 0), (300, 300, 0, 0, 300, 0, 0),
                                                             (2, 2, 0, 0, 0, 1, 1)], strict=True)
    ]  # fmt: skip
    assert in_a_run == one_by_one


def test_a_file_that_fails_does_not_stop_the_next_and_a_next_file_that_cannot_be_read_fails_only_itself(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    wrong = _write(tmp_path / "缺列.csv", [_row(_codes(1)[0], "柳州市甲有限公司")[:-1]], header=HEADER[:-1])
    good = _write(tmp_path / "好.csv", [_row(code, f"柳州市{n}号有限公司") for n, code in enumerate(_codes(5))])
    missing = tmp_path / "不存在.csv"
    files = [FileToIngest(_source(), path, TODAY) for path in (wrong, missing, good)]
    results: list[Any] = []
    with IngestRun(OPERATOR, outbox=Outbox()) as run:
        for n, file in enumerate(files):
            try:
                with city() as session, session.begin():
                    result = run.ingest(session, file, then=files[n + 1] if n + 1 < len(files) else None)
                    results.append(result.batch.rows_accepted)
            except InputError as error:
                results.append(error.message)
    assert "行业代码" in results[0] and "does not exist" in results[1] and results[2] == 5
    with city() as session:
        assert session.scalar(select(func.count()).select_from(Batch)) == 1  # the failed files kept nothing


def test_a_file_other_than_the_one_announced_is_read_as_given_and_an_ingested_one_is_not_read_again(
    city: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    first, second, third = _files(tmp_path)
    started = _Started(monkeypatch)
    with IngestRun(OPERATOR, outbox=Outbox()) as run:
        with city() as session, session.begin():
            run.ingest(session, first, then=second)
        assert started.wait_for(second.path.name)
        with city() as session, session.begin():  # the caller changed its mind: the third file, not the second
            assert run.ingest(session, third, then=first).batch.file_name == third.path.name
        with city() as session, session.begin():
            assert run.ingest(session, first).already  # same bytes as the batch of the run's first file
    assert started.names == [first.path.name, second.path.name, third.path.name]  # the first not read again
    with city() as session:
        assert session.scalars(select(Batch.file_name).order_by(Batch.id)).all() == [first.path.name, third.path.name]
