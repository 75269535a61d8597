"""The sql reader: a SELECT against another database (SQLite file and PostgreSQL), text as a person sees it,
incremental by a watermark column, read in chunks, and nothing but a single read-only SELECT."""

from __future__ import annotations

import re
from collections.abc import Iterator
from datetime import date, datetime
from decimal import Decimal
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from sqlalchemy import Engine, create_engine, inspect, text

from zhizhi.config import normalize_database_url
from zhizhi.errors import ConfigError, InputError
from zhizhi.ingest.read import ERROR, ROW, Reading, ReadOptions, reader_for
from zhizhi.ingest.read import sql_reader as sql_module
from zhizhi.ingest.read.sql_reader import SqlReader
from zhizhi.sources.config import parse_source

DOCS = Path(__file__).resolve().parents[2] / "docs" / "readers.md"
SOURCE = Path("sources/licence-db.yaml")  # the source file a fetching reader is given; never opened
SOURCE_FILE = {
    "name": "licence-db",
    "department": "XKSP",
    "record_type": "entity",
    "reader": "sql",
    "fields": {"name": "n"},
}
CREATE = """
CREATE TABLE licences (
    id INTEGER PRIMARY KEY,
    "名称" VARCHAR(100),
    issued DATE,
    updated_at TIMESTAMP,
    amount NUMERIC(12, 2),
    score DOUBLE PRECISION,
    note VARCHAR(100)
)
"""
INSERT = text(
    'INSERT INTO licences (id, "名称", issued, updated_at, amount, score, note) '
    "VALUES (:id, :name, :issued, :updated_at, :amount, :score, :note)"
)
ROWS = [
    # Not in updated_at order: the watermark is the highest value, not the last one read.
    {
        "id": 2,
        "name": "柳州市螺蛳粉有限公司",
        "issued": "2024-01-02",
        "updated_at": "2024-01-02 03:04:05",
        "amount": 12,
        "score": 2.0,
        "note": None,
    },
    {
        "id": 10,
        "name": "城中区老友粉店",
        "issued": "2023-12-31",
        "updated_at": "2024-01-03 10:00:00",
        "amount": 3.75,
        "score": 0.5,
        "note": "复查",
    },
    {
        "id": 9,
        "name": "鱼峰区合作社",
        "issued": None,
        "updated_at": "2024-01-02 23:59:59",
        "amount": None,
        "score": None,
        "note": "",
    },
]
LATER = [
    {**ROWS[0], "id": 11, "name": "柳北区新店", "updated_at": "2024-01-04 08:00:00"},
    {**ROWS[1], "id": 12, "name": "柳南区新店", "updated_at": "2024-01-05 09:30:00"},
]


@pytest.fixture
def source_db(empty_database_url: str) -> Iterator[tuple[str, Engine]]:
    """A department's database with a `licences` table of three rows, on SQLite (a file) and PostgreSQL."""
    engine = create_engine(normalize_database_url(empty_database_url))
    with engine.begin() as connection:
        connection.execute(text(CREATE))
        connection.execute(INSERT, ROWS)
    yield empty_database_url, engine
    engine.dispose()


def _read(settings: dict[str, Any], watermark: str | None = None) -> tuple[Reading, pl.DataFrame]:
    reading = SqlReader().open(SOURCE, ReadOptions(settings=settings, watermark=watermark))
    frames = [chunk.frame for chunk in reading.chunks]
    return reading, (pl.concat(frames, how="diagonal") if frames else pl.DataFrame())


def test_the_sql_reader_is_registered_and_fetches_instead_of_reading_a_file() -> None:
    reader = reader_for(SOURCE, "sql")
    assert isinstance(reader, SqlReader)
    assert reader.needs_file is False
    assert reader.suffixes == ()


def test_a_full_read_gives_every_row_as_text(source_db: tuple[str, Engine]) -> None:
    url, _ = source_db
    query = 'SELECT id, "名称", issued, updated_at, amount, score, note FROM licences ORDER BY id'
    reading, frame = _read({"url": url, "query": query})
    assert reading.headers[None] == ["id", "名称", "issued", "updated_at", "amount", "score", "note"]
    assert frame.columns == [ROW, ERROR, *reading.headers[None]]
    assert frame[ROW].to_list() == [1, 2, 3]
    assert frame[ERROR].to_list() == [None, None, None]
    assert frame.rows() == [
        (1, None, "2", "柳州市螺蛳粉有限公司", "2024-01-02", "2024-01-02 03:04:05", "12", "2", ""),
        (2, None, "9", "鱼峰区合作社", "", "2024-01-02 23:59:59", "", "", ""),
        (3, None, "10", "城中区老友粉店", "2023-12-31", "2024-01-03 10:00:00", "3.75", "0.5", "复查"),
    ]
    assert all(dtype == pl.String for dtype in frame.drop(ROW).dtypes)
    database = Path(url.split("///")[-1]).name if url.startswith("sqlite") else url.rsplit("/", 1)[-1]
    assert reading.label == f'{database}: SELECT id, "名称", issued, updated_at, amount, score, note FRO…'
    assert reading.watermark is None  # no watermark column: not incremental
    assert reading.encoding is None


def test_json_values_and_repeated_column_names(tmp_path: Path) -> None:
    path = tmp_path / "dept.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (a INTEGER)"))
        connection.execute(text("INSERT INTO t VALUES (1)"))
    engine.dispose()
    reading, frame = _read({"url": f"sqlite:///{path}", "query": "SELECT a, a, '' AS \"\", x'e69fb3' AS b FROM t"})
    assert reading.headers[None] == ["a", "a_2", "column_3", "b"]
    assert frame.row(0) == (1, None, "1", "1", "", "柳")
    # PostgreSQL json and array values come back as Python values: shown as compact JSON.
    value = {"区": "城中区", "n": [1, 2.5, None], "on": date(2024, 1, 2), "at": [Decimal("3.10")]}
    assert sql_module.cell_text(value) == '{"区":"城中区","n":[1,2.5,null],"on":"2024-01-02","at":["3.10"]}'
    assert sql_module.cell_text(datetime(2024, 1, 2, 3, 4, 5, 600)) == "2024-01-02 03:04:05.000600"
    assert sql_module.cell_text(Decimal("12.00")) == "12"
    assert sql_module.cell_text(True) == "true"


def test_incremental_reads_by_a_wrapped_watermark_column(source_db: tuple[str, Engine]) -> None:
    url, engine = source_db
    settings = {"url": url, "query": 'SELECT id, "名称", updated_at FROM licences', "watermark": "updated_at"}
    first, frame = _read(settings)
    assert sorted(frame["id"].to_list(), key=int) == ["2", "9", "10"]
    assert first.watermark == "2024-01-03 10:00:00"

    with engine.begin() as connection:
        connection.execute(INSERT, LATER)
    second, frame = _read(settings, first.watermark)
    assert sorted(frame["名称"].to_list()) == sorted(["柳北区新店", "柳南区新店"])
    assert frame[ROW].to_list() == [1, 2]
    assert second.watermark == "2024-01-05 09:30:00"

    third, frame = _read(settings, second.watermark)
    assert frame.height == 0
    assert third.headers[None] == ["id", "名称", "updated_at"]
    assert third.watermark == "2024-01-05 09:30:00"


def test_a_numeric_watermark_is_the_highest_number_not_the_highest_text(source_db: tuple[str, Engine]) -> None:
    url, _ = source_db
    settings = {"url": url, "query": "SELECT id FROM licences", "watermark": "id"}
    first, _frame = _read(settings)
    assert first.watermark == "10"  # as text "9" would win
    second, frame = _read(settings, "9")
    assert frame["id"].to_list() == ["10"]
    assert second.watermark == "10"


def test_a_query_with_its_own_watermark_parameter(source_db: tuple[str, Engine]) -> None:
    url, engine = source_db
    query = (
        "SELECT id, updated_at FROM licences "
        "WHERE CAST(:watermark AS TIMESTAMP) IS NULL OR updated_at > :watermark ORDER BY updated_at;"
    )
    settings = {"url": url, "query": query, "watermark": "updated_at"}
    first, frame = _read(settings)  # no watermark yet: NULL, and the query reads everything
    assert frame["id"].to_list() == ["2", "9", "10"]
    assert first.watermark == "2024-01-03 10:00:00"
    with engine.begin() as connection:
        connection.execute(INSERT, LATER)
    second, frame = _read(settings, first.watermark)
    assert frame["id"].to_list() == ["11", "12"]
    assert second.watermark == "2024-01-05 09:30:00"


def test_start_is_the_watermark_before_the_first_batch(source_db: tuple[str, Engine]) -> None:
    url, _ = source_db
    query = "SELECT id, updated_at FROM licences WHERE updated_at > :watermark ORDER BY id"
    settings = {"url": url, "query": query, "watermark": "updated_at", "start": "2024-01-02 12:00:00"}
    reading, frame = _read(settings)
    assert frame["id"].to_list() == ["9", "10"]
    assert reading.watermark == "2024-01-03 10:00:00"
    reading, frame = _read({**settings, "start": "2030-01-01 00:00:00"})
    assert frame.height == 0
    assert reading.watermark == "2030-01-01 00:00:00"


def test_start_with_a_wrapped_query(source_db: tuple[str, Engine]) -> None:
    url, _ = source_db
    settings = {"url": url, "query": "SELECT * FROM licences", "watermark": "updated_at", "start": "2024-01-02 12:00"}
    reading, frame = _read(settings)
    assert sorted(frame["id"].to_list(), key=int) == ["9", "10"]
    assert reading.watermark == "2024-01-03 10:00:00"
    # An incoming watermark wins over start.
    _reading, frame = _read(settings, "2024-01-03 00:00:00")
    assert frame["id"].to_list() == ["10"]


def test_rows_come_in_chunks_numbered_across_them(
    source_db: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, engine = source_db
    with engine.begin() as connection:
        connection.execute(INSERT, LATER)
    monkeypatch.setattr(sql_module, "CHUNK_ROWS", 2)
    reading = SqlReader().open(
        SOURCE,
        ReadOptions(settings={"url": url, "query": "SELECT * FROM licences ORDER BY id", "watermark": "id"}),
    )
    assert reading.watermark is None  # set once every chunk has been read
    chunks = list(reading.chunks)
    assert [c.frame.height for c in chunks] == [2, 2, 1]
    assert all(c.sheet is None for c in chunks)
    assert [c.frame[ROW].to_list() for c in chunks] == [[1, 2], [3, 4], [5]]
    assert [c.frame["id"].to_list() for c in chunks] == [["2", "9"], ["10", "11"], ["12"]]
    assert all(c.frame.columns == chunks[0].frame.columns for c in chunks)
    assert reading.watermark == "12"


@pytest.mark.parametrize(
    ("query", "problem"),
    [
        ("DELETE FROM licences", "starts with `DELETE`"),
        ("SELECT 1; DROP TABLE licences", "more than one statement"),
        ("select 1;\n;  drop table licences; -- done", "more than one statement"),
        ("UPDATE licences SET note = 'x'", "starts with `UPDATE`"),
        ("WITH gone AS (DELETE FROM licences RETURNING id) SELECT * FROM gone", "contains `DELETE`"),
        ("SELECT * INTO copy FROM licences", "contains `INTO`"),
        ("/* SELECT */ TRUNCATE licences", "starts with `TRUNCATE`"),
        ("PRAGMA writable_schema = 1", "starts with `PRAGMA`"),
    ],
)
def test_anything_but_one_select_is_refused_before_it_runs(
    source_db: tuple[str, Engine], query: str, problem: str
) -> None:
    url, engine = source_db
    with pytest.raises(ConfigError, match="`settings.query`: ") as caught:
        SqlReader().open(SOURCE, ReadOptions(settings={"url": url, "query": query}))
    assert problem in caught.value.message
    assert "single SELECT" in caught.value.message
    assert caught.value.message_zh and "settings" in caught.value.message_zh
    # Refused as soon as the source file loads, too.
    text_of_source = yaml.safe_dump({**SOURCE_FILE, "settings": {"url": url, "query": query}}, allow_unicode=True)
    with pytest.raises(ConfigError, match=re.escape(problem)):
        parse_source(text_of_source, "sources/licence-db.yaml")
    with engine.connect() as connection:
        assert connection.execute(text("SELECT COUNT(*) FROM licences")).scalar() == 3
    assert "licences" in inspect(engine).get_table_names()


def test_semicolons_and_keywords_inside_quotes_and_comments_are_not_statements(
    source_db: tuple[str, Engine],
) -> None:
    url, _ = source_db
    query = (
        "-- DELETE everything\nSELECT 'x; DROP TABLE licences' AS \"update\", id FROM licences /* ; */ WHERE id = 2;"
    )
    reading, frame = _read({"url": url, "query": query})
    assert frame.rows() == [(1, None, "x; DROP TABLE licences", "2")]
    assert reading.label.endswith(": -- DELETE everything SELECT 'x; DROP TABLE licences' AS \"upd…")


def test_the_query_runs_read_only(source_db: tuple[str, Engine], backend: str) -> None:
    url, engine = source_db
    if backend != "postgresql":
        pytest.skip("only PostgreSQL has a SELECT that writes (nextval)")
    with engine.begin() as connection:
        connection.execute(text("CREATE SEQUENCE numbers"))
    with pytest.raises(InputError, match=r"setting `query`\) failed.*read-only"):
        _read({"url": url, "query": "SELECT nextval('numbers')"})


def test_the_url_can_come_from_an_environment_variable(
    source_db: tuple[str, Engine], monkeypatch: pytest.MonkeyPatch
) -> None:
    url, _ = source_db
    monkeypatch.setenv("LICENCE_DB_URL", url)
    _reading, frame = _read({"url_env": "LICENCE_DB_URL", "query": "SELECT id FROM licences ORDER BY id"})
    assert frame["id"].to_list() == ["2", "9", "10"]
    monkeypatch.delenv("LICENCE_DB_URL")
    with pytest.raises(ConfigError, match="environment variable `LICENCE_DB_URL` \\(setting `url_env`\\) is not set"):
        _read({"url_env": "LICENCE_DB_URL", "query": "SELECT 1"})
    with pytest.raises(ConfigError, match="not both"):
        _read({"url": url, "url_env": "LICENCE_DB_URL", "query": "SELECT 1"})


def test_a_database_that_cannot_be_reached_is_named_without_its_password() -> None:
    url = "postgresql://zhizhi:s3cr3t-pw@127.0.0.1:1/licences"
    reading = SqlReader().open(SOURCE, ReadOptions(settings={"url": url, "query": "SELECT 1"}))
    assert "s3cr3t" not in reading.label
    assert reading.label == "licences: SELECT 1"
    with pytest.raises(InputError) as caught:
        list(reading.chunks)
    message = caught.value.message
    assert "Could not connect to database `postgresql://zhizhi:***@127.0.0.1:1/licences`" in message
    assert "s3cr3t" not in message and "s3cr3t" not in str(caught.value.message_zh)
    assert "s3cr3t" not in str(caught.value)


def test_a_missing_sqlite_file_is_not_created(tmp_path: Path) -> None:
    missing = tmp_path / "typo.db"
    with pytest.raises(InputError, match="does not exist"):
        _read({"url": f"sqlite:///{missing}", "query": "SELECT 1"})
    assert not missing.exists()


def test_a_failing_query_names_the_setting(source_db: tuple[str, Engine]) -> None:
    url, _ = source_db
    with pytest.raises(InputError, match=r"The query \(setting `query`\) failed on database .*no_such_table"):
        _read({"url": url, "query": "SELECT * FROM no_such_table"})


def test_settings_are_checked_again_when_the_reader_is_given_them_unchecked() -> None:
    # A source file's settings were checked when it loaded; a caller passing its own gets the same checks.
    with pytest.raises(ConfigError) as caught:
        _read({"url": "not a url", "query": "SELECT :area AS a", "table": "x"})
    message = caught.value.message
    assert message.startswith("Source `licence-db.yaml`: the sql reader's settings have 3 problem(s): ")
    assert "`settings.url`: is not a database URL" in message and "`:area`" in message and "`settings.table`" in message
    assert caught.value.details and len(caught.value.details) == 3
    assert caught.value.message_zh and "3 处问题" in caught.value.message_zh


def test_a_url_env_that_holds_no_database_url_is_named_when_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("LICENCE_DB_URL", "licences on the old server")
    with pytest.raises(ConfigError, match=r"environment variable `LICENCE_DB_URL` \(setting `url_env`\) is not a data"):
        _read({"url_env": "LICENCE_DB_URL", "query": "SELECT 1"})
    monkeypatch.setenv("LICENCE_DB_URL", "nosuchdb://host/x")
    with pytest.raises(ConfigError, match="kind `nosuchdb`, which zhizhi does not know"):
        _read({"url_env": "LICENCE_DB_URL", "query": "SELECT 1"})


def test_a_watermark_column_the_query_does_not_return(source_db: tuple[str, Engine]) -> None:
    url, _ = source_db
    with pytest.raises(ConfigError, match="column `changed`, which the query does not return; its columns: `id`"):
        _read({"url": url, "query": "SELECT id FROM licences", "watermark": "changed"})


def docs_example(reader: str) -> str:
    """The YAML example in the reader's section of docs/readers.md."""
    section = DOCS.read_text(encoding="utf-8").split(f"## `{reader}`\n", 1)[1].split("\n## ", 1)[0]
    found = re.search(r"```yaml\n(.*?)```", section, re.DOTALL)
    assert found, f"no YAML example in the `{reader}` section"
    return found.group(1)


def test_the_docs_example_is_a_source_that_reads(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    source = parse_source(docs_example("sql"), "xuke-db.yaml")
    assert source.reader == "sql"
    path = tmp_path / "xuke.db"
    engine = create_engine(f"sqlite:///{path}")
    with engine.begin() as connection:
        connection.execute(
            text(
                "CREATE TABLE food_licence "
                "(xkzbh TEXT, xkzl TEXT, jyzmc TEXT, tyshxydm TEXT, yxqz DATE, updated_at TIMESTAMP)"
            )
        )
        connection.execute(
            text(
                "INSERT INTO food_licence VALUES "
                "('JY14502020000001', '食品经营许可证', '柳州市螺蛳粉有限公司', '91450200MA5K000001', '2026-07-07', "
                "'2024-03-01 09:00:00'), "
                "('JY14502020000002', '食品经营许可证', '城中区老友粉店', NULL, '2025-01-01', '2019-12-31 23:59:59')"
            )
        )
    engine.dispose()
    monkeypatch.setenv("XKSP_DATABASE_URL", f"sqlite:///{path}")
    reading = SqlReader().open(SOURCE, ReadOptions(settings=source.settings))
    assert reading.label == "xuke.db: SELECT xkzbh, xkzl, jyzmc, tyshxydm, yxqz, updated_at FROM f…"
    frame = pl.concat([chunk.frame for chunk in reading.chunks])
    assert frame["jyzmc"].to_list() == ["柳州市螺蛳粉有限公司"]  # the 2019 row is before `start`
    assert set(source.columns().values()) <= set(frame.columns)
    assert reading.watermark == "2024-03-01 09:00:00"
