"""The sql and file transports, end to end through `send_once`: rows upserted into a real table (a SQLite file and,
with ZHIZHI_TEST_DATABASE_URL, PostgreSQL), files dropped into a real folder (csv in UTF-8 or GBK, xlsx)."""

from __future__ import annotations

import csv
import io
import os
import re
import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, timedelta
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import Engine, create_engine, select, text, update
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, PG_ENV, outbox
from tests.ingest.test_pipeline import _codes, _row, _source, _write
from zhizhi.config import normalize_database_url
from zhizhi.delivery.send import send_once
from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import transport_for
from zhizhi.delivery.transports.sql import SqlTransport
from zhizhi.errors import ConfigError
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.store.tables import Delivery
from zhizhi.store.types import utcnow

FIELDS: dict[str, Any] = {"TYSHXYDM": "uscc", "QYMC": "name", "ZS": "address", "CLRQ": "founded_on"}
SHARE_TABLE = """CREATE TABLE {table} (
    TYSHXYDM varchar(18) PRIMARY KEY,
    QYMC varchar(100) NOT NULL,
    ZS varchar(200) NOT NULL,
    CLRQ date,
    zhizhi_key varchar(100) NOT NULL,
    written_at timestamp DEFAULT CURRENT_TIMESTAMP
)"""


def _target(kind: str, fields: dict[str, Any] | None = None, **settings: Any) -> TargetConfig:
    return TargetConfig.model_validate(
        {
            "name": "share",
            "owner": "LZ-XY",
            "record_types": ["entity"],
            "fields": fields or FIELDS,
            "transport": {"kind": kind, **settings},
            "max_attempts": 3,
        }
    )


def _ingest(city: sessionmaker[Session], tmp_path: Path, rows: list[list[str]]) -> None:
    path = _write(tmp_path / f"{uuid.uuid4().hex[:8]}.csv", rows)
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox("share"), force=True)


def _send(city: sessionmaker[Session], target: TargetConfig, after: timedelta = timedelta()) -> dict[str, int]:
    return send_once(city, target, now=utcnow() + after).states


def _deliveries(city: sessionmaker[Session]) -> list[Delivery]:
    with city() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


# --- sql -----------------------------------------------------------------------------------------------------------


@dataclass
class Share:
    """The city data-sharing platform's database: a table the sql transport writes into."""

    settings: dict[str, Any]  # the target's url / url_env and table
    engine: Engine
    table: str

    def rows(self) -> dict[str, dict[str, Any]]:
        """The table's rows by credit code, columns by lower-case name."""
        with self.engine.connect() as connection:
            found = connection.execute(text(f"SELECT * FROM {self.table}")).mappings().all()
        rows = [{k.lower(): v for k, v in row.items()} for row in found]
        return {row["tyshxydm"]: row for row in rows}

    def run(self, sql: str) -> None:
        with self.engine.begin() as connection:
            connection.execute(text(sql))


@pytest.fixture
def share(backend: str, tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Iterator[Share]:
    """A SQLite file beside the SQLite store; a uniquely named table on the PostgreSQL server beside PostgreSQL."""
    if backend == "sqlite":
        url = f"sqlite:///{tmp_path / 'share.db'}"
        share = Share({"url": url, "table": "entity"}, create_engine(url), "entity")
    else:
        if not os.environ.get(PG_ENV):
            pytest.skip(f"no PostgreSQL server configured: set {PG_ENV}")
        url = normalize_database_url(os.environ[PG_ENV])
        monkeypatch.setenv("ZHIZHI_TEST_SHARE_URL", url)  # the way a real target keeps its password out of files
        table = f"public.zhizhi_share_{uuid.uuid4().hex[:10]}"  # unquoted: PostgreSQL folds the columns to lower case
        share = Share({"url_env": "ZHIZHI_TEST_SHARE_URL", "table": table}, create_engine(url), table)
    share.run(SHARE_TABLE.format(table=share.table))
    yield share
    if backend != "sqlite":
        share.run(f"DROP TABLE IF EXISTS {share.table}")
    share.engine.dispose()


def test_sql_upserts_a_batch_and_a_record_sent_again_changes_nothing(
    city: sessionmaker[Session], tmp_path: Path, share: Share
) -> None:
    codes = _codes(3)
    _ingest(city, tmp_path, [_row(code, f"企业{i}有限公司") for i, code in enumerate(codes)])
    target = _target("sql", key=["TYSHXYDM"], **share.settings)
    assert _send(city, target) == {"acknowledged": 3}
    rows = share.rows()
    keys = [d.idempotency_key for d in _deliveries(city)]
    assert sorted(rows) == sorted(codes) and [rows[c]["zhizhi_key"] for c in codes] == keys
    assert rows[codes[0]]["qymc"] == "企业0有限公司" and rows[codes[0]]["clrq"] in (date(2019, 3, 8), "2019-03-08")
    # The same versions sent again (as after a lost answer): the rows are updated, none added.
    share.run(f"UPDATE {share.table} SET QYMC = 'changed by hand'")
    with city() as session, session.begin():
        session.execute(update(Delivery).values(status="pending", next_attempt_at=datetime(2026, 1, 1, tzinfo=UTC)))
    assert _send(city, target) == {"acknowledged": 3}
    again = share.rows()
    assert len(again) == 3 and again[codes[2]]["qymc"] == "企业2有限公司"


def test_sql_a_changed_record_updates_its_row_version_after_version(
    city: sessionmaker[Session], tmp_path: Path, share: Share
) -> None:
    codes = _codes(2)
    _ingest(city, tmp_path, [_row(code, f"企业{i}有限公司") for i, code in enumerate(codes)])
    target = _target("sql", key=["TYSHXYDM"], **share.settings)
    assert _send(city, target) == {"acknowledged": 2}
    moved = [_row(codes[0], "企业0有限公司", 住所="柳州市鱼峰区驾鹤路9号"), _row(codes[1], "企业1有限公司")]
    _ingest(city, tmp_path, moved)
    # Two more versions of the first record before anything is sent: the later one is held until the earlier one is
    # answered, so a platform never gets them out of order even when a batch fails and is tried again.
    _ingest(city, tmp_path, [_row(codes[0], "企业0有限公司", 住所="柳州市柳北区跃进路1号")])
    assert _send(city, target) == {"acknowledged": 1}
    assert share.rows()[codes[0]]["zs"] == "柳州市鱼峰区驾鹤路9号"
    assert _send(city, target) == {"acknowledged": 1}
    rows = share.rows()
    assert len(rows) == 2 and rows[codes[0]]["zs"] == "柳州市柳北区跃进路1号"
    assert rows[codes[0]]["zhizhi_key"] == _deliveries(city)[-1].idempotency_key


def test_sql_a_row_the_database_refuses_is_rejected_and_the_others_written(
    city: sessionmaker[Session], tmp_path: Path, share: Share
) -> None:
    codes = _codes(3)
    rows = [_row(codes[0], "甲有限公司"), _row(codes[1], "乙有限公司", 住所=""), _row(codes[2], "丙有限公司")]
    _ingest(city, tmp_path, rows)
    assert _send(city, _target("sql", key=["TYSHXYDM"], **share.settings)) == {"acknowledged": 2, "rejected": 1}
    assert sorted(share.rows()) == sorted([codes[0], codes[2]])
    (rejected,) = [d for d in _deliveries(city) if d.status == "rejected"]
    reason = (rejected.last_error or "").lower()
    assert "not null" in reason.replace("-", " ") and "zs" in reason and "\n" not in reason


def test_sql_a_database_that_is_down_leaves_the_batch_pending(
    city: sessionmaker[Session], tmp_path: Path, share: Share
) -> None:
    _ingest(city, tmp_path, [_row(code, f"企业{i}有限公司") for i, code in enumerate(_codes(2))])
    down = _target("sql", key=["TYSHXYDM"], url="postgresql://postgres@127.0.0.1:1/x", table="entity")
    assert _send(city, down) == {"retry": 2}
    assert {d.status for d in _deliveries(city)} == {"pending"}
    assert all("OperationalError" in (d.last_error or "") for d in _deliveries(city))
    assert _send(city, down) == {}  # not due before the backoff
    back = _target("sql", key=["TYSHXYDM"], **share.settings)
    assert _send(city, back, after=timedelta(minutes=5)) == {"acknowledged": 2}
    assert len(share.rows()) == 2


def test_sql_settings_that_do_not_fit_the_table_are_config_errors(share: Share) -> None:
    item = [("1-share", {"TYSHXYDM": "91450202MA5K3C1Q21", "QYMC": "甲", "ZS": "柳州", "CLRQ": None})]
    sql = SqlTransport()
    for target, message in [
        (_target("sql", key=["TYSHXYDM"], **(share.settings | {"table": "nope"})), "has no table `nope`"),
        (
            _target("sql", FIELDS | {"FDDBR": "legal_representative"}, key=["TYSHXYDM"], **share.settings),
            "has no column(s) `FDDBR`",
        ),
        (_target("sql", key=["TYSHXYDM"], key_column="version_key", **share.settings), "`version_key`"),
        (_target("sql", key=["QYMC"], **share.settings), "no primary key or unique constraint on (QYMC"),
        (_target("sql", **share.settings), "no primary key or unique constraint on (zhizhi_key)"),
    ]:
        with pytest.raises(ConfigError, match="(?i)" + re.escape(message)) as raised:
            sql.send(target, item)
        assert "Target `share`" in raised.value.message
    # Without a key column, this table's NOT NULL `zhizhi_key` refuses the row, in the database's words.
    (outcome,) = sql.send(_target("sql", key=["TYSHXYDM"], key_column=None, **share.settings), item)
    assert outcome.accepted is False and "zhizhi_key" in (outcome.reason or "") and share.rows() == {}


def test_sql_a_column_added_while_sending_is_found_without_a_restart(share: Share) -> None:
    sql = SqlTransport()
    record = {"TYSHXYDM": "91450202MA5K3C1Q21", "QYMC": "甲有限公司", "ZS": "柳州", "CLRQ": "2019-03-08"}
    assert sql.send(_target("sql", key=["TYSHXYDM"], **share.settings), [("1-share", record)])[0].accepted is True
    share.run(f"ALTER TABLE {share.table} ADD COLUMN FDDBR varchar(50)")
    wider = _target("sql", FIELDS | {"FDDBR": "legal_representative"}, key=["TYSHXYDM"], **share.settings)
    assert sql.send(wider, [("2-share", record | {"FDDBR": "张三"})])[0].accepted is True
    (row,) = share.rows().values()
    assert (row["fddbr"], row["zhizhi_key"], str(row["clrq"])) == ("张三", "2-share", "2019-03-08")


# --- file ----------------------------------------------------------------------------------------------------------


def _files(folder: Path) -> list[Path]:
    return sorted(folder.iterdir())


def test_file_csv_in_the_templates_column_order_with_a_bom(city: sessionmaker[Session], tmp_path: Path) -> None:
    codes = _codes(3)
    _ingest(city, tmp_path, [_row(code, f"企业{i}有限公司") for i, code in enumerate(codes)])
    folder = tmp_path / "drop" / "share"  # created when missing
    columns = ["QYMC", "TYSHXYDM", "zhizhi_key", "CLRQ", "ZS"]
    assert _send(city, _target("file", folder=str(folder), columns=columns)) == {"acknowledged": 3}
    (written,) = _files(folder)  # one file, no temporary file left behind
    first_key = _deliveries(city)[0].idempotency_key
    assert re.fullmatch(rf"share-\d{{8}}T\d{{6}}Z-{re.escape(first_key)}\.csv", written.name), written.name
    data = written.read_bytes()
    assert data.startswith(b"\xef\xbb\xbf")
    table = list(csv.reader(io.StringIO(data.decode("utf-8-sig"))))
    assert table[0] == columns
    assert [row[1] for row in table[1:]] == codes
    assert [row[2] for row in table[1:]] == [d.idempotency_key for d in _deliveries(city)]
    assert table[1][3] == "2019-03-08" and table[1][0] == "企业0有限公司"


def test_file_gbk_rejects_a_record_it_cannot_encode(city: sessionmaker[Session], tmp_path: Path) -> None:
    codes = _codes(3)
    rows = [
        _row(codes[0], "甲有限公司"),
        _row(codes[1], "乙有限公司", 住所="柳州市城中区𠮷祥路1号"),  # 𠮷 (U+20BB7) is not in GBK
        _row(codes[2], "丙有限公司", 住所="柳州市城中区龙城路2号"),
    ]
    _ingest(city, tmp_path, rows)
    folder = tmp_path / "drop"
    target = _target("file", folder=str(folder), encoding="gbk", key_column=None)
    assert _send(city, target) == {"acknowledged": 2, "rejected": 1}
    (written,) = _files(folder)
    table = list(csv.reader(io.StringIO(written.read_bytes().decode("gbk"))))
    assert table[0] == list(FIELDS) and [row[0] for row in table[1:]] == [codes[0], codes[2]]
    assert table[2][2] == "柳州市城中区龙城路2号"
    (rejected,) = [d for d in _deliveries(city) if d.status == "rejected"]
    assert "U+20BB7" in (rejected.last_error or "") and "ZS" in (rejected.last_error or "")


def test_file_xlsx_keeps_text_that_looks_like_a_formula_as_text(city: sessionmaker[Session], tmp_path: Path) -> None:
    codes = _codes(2)
    _ingest(city, tmp_path, [_row(code, f"企业{i}有限公司") for i, code in enumerate(codes)])
    formulas = {"A": '=HYPERLINK("http://x.example","点我")', "B": "+1+2", "C": "-3", "D": "@SUM(A1)"}
    fields = FIELDS | {name: {"value": value} for name, value in formulas.items()}
    assert _send(city, _target("file", fields, folder=str(tmp_path / "drop"), format="xlsx")) == {"acknowledged": 2}
    (written,) = _files(tmp_path / "drop")
    assert written.suffix == ".xlsx"
    sheet = openpyxl.load_workbook(written).worksheets[0]
    table = [[cell.value for cell in row] for row in sheet.iter_rows()]
    assert table[0] == [*fields, "zhizhi_key"]
    assert [row[0] for row in table[1:]] == codes and table[1][3] == "2019-03-08"
    assert table[1][4:8] == list(formulas.values())
    assert {cell.data_type for row in sheet.iter_rows() for cell in row if cell.value is not None} == {"s"}


def test_file_names_are_never_reused_and_later_acknowledgement_leaves_them_sent(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    _ingest(city, tmp_path, [_row(code, f"企业{i}有限公司") for i, code in enumerate(_codes(2))])
    folder = tmp_path / "drop"
    target = _target("file", folder=str(folder), filename="{target}.{ext}", batch_size=1, acknowledge="later")
    assert _send(city, target) == {"sent": 1}
    assert _send(city, target) == {"sent": 1}
    assert [p.name for p in _files(folder)] == ["share-2.csv", "share.csv"]
    assert {d.status for d in _deliveries(city)} == {"sent"}


def test_file_a_folder_that_cannot_be_written_leaves_the_batch_pending(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    _ingest(city, tmp_path, [_row(code, f"企业{i}有限公司") for i, code in enumerate(_codes(2))])
    (tmp_path / "blocker").write_text("a file where the folder should be", encoding="utf-8")
    blocked = _target("file", folder=str(tmp_path / "blocker" / "drop"))
    assert _send(city, blocked) == {"retry": 2}
    assert {d.status for d in _deliveries(city)} == {"pending"}
    assert all("blocker" in (d.last_error or "") for d in _deliveries(city))
    assert _send(city, _target("file", folder=str(tmp_path / "drop")), after=timedelta(minutes=5)) == {
        "acknowledged": 2
    }


def test_file_settings_are_checked() -> None:
    item = [("1-share", {"TYSHXYDM": "91450202MA5K3C1Q21", "QYMC": "甲", "ZS": "柳州", "CLRQ": None})]
    from pydantic import ValidationError

    for settings, message in [  # refused when the file loads, every problem at once
        ({}, "`transport.folder`: Field required"),
        ({"folder": "x", "format": "pdf", "tabel": "x"}, "`transport.format`: Input should be 'csv' or 'xlsx'"),
        ({"folder": "x", "format": "pdf", "tabel": "x"}, "`transport.tabel`: Extra inputs are not permitted"),
    ]:
        with pytest.raises(ValidationError, match=re.escape(message)):
            _target("file", **settings)
    for settings, message in [  # what only the fields decide: when sending
        ({"folder": "x", "columns": ["QYMC", "TYSHXYDM", "ZS"]}, "leaves out CLRQ"),
        ({"folder": "x", "columns": [*FIELDS, "FDDBR"]}, "names FDDBR, which are not in `fields`"),
        ({"folder": "x", "filename": "{target}/{date}.csv"}, "may only use"),
        ({"folder": "x", "filename": "../{target}.csv"}, "must make a plain file name"),
    ]:
        target = _target("file", **settings)
        with pytest.raises(ConfigError, match=re.escape(message)):
            transport_for(target).send(target, item)
