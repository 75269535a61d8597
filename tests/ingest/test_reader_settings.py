"""Reader settings are typed models checked when the source file loads, every problem named at once: each rule of
the sql and http readers, settings refused for readers that take none, and the good configurations still read."""

from __future__ import annotations

import re
from pathlib import Path
from typing import Any

import polars as pl
import pytest
import yaml
from sqlalchemy import create_engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker

from tests.cli.test_commands import zz
from zhizhi.config import Workspace
from zhizhi.errors import ConfigError
from zhizhi.ingest.read import ReadOptions, registry
from zhizhi.ingest.read.http_reader import HttpReader, HttpSettings
from zhizhi.ingest.read.registry import settings_model
from zhizhi.ingest.read.sql_reader import SqlReader, SqlSettings
from zhizhi.sources import load_source, parse_source
from zhizhi.store.tables import Batch

ORIGIN = "sources/feed.yaml"
SQL = {"url": "sqlite://", "query": "SELECT 1 AS n"}
HTTP = {"url": "https://api.example.gov.cn/v1/items"}
PAGED = {**HTTP, "page_param": "page", "size_param": "size", "page_size": 100}


def source(reader: str | None, settings: dict[str, Any] | None) -> str:
    """The YAML of a source reading `reader` with `settings`."""
    data: dict[str, Any] = {"name": "feed", "department": "XKSP", "record_type": "entity"}
    if reader is not None:
        data["reader"] = reader
    if settings is not None:
        data["settings"] = settings
    data["fields"] = {"name": "n"}
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


def problems(reader: str | None, settings: dict[str, Any]) -> list[str]:
    """The problems the source file is refused with (none when it loads)."""
    try:
        parse_source(source(reader, settings), ORIGIN)
    except ConfigError as exc:
        assert exc.message.startswith(f"`{ORIGIN}` has {len(exc.details)} problem(s): ")
        return exc.details
    return []


SQL_RULES = [
    ("no url or url_env", {"query": "SELECT 1"}, "needs `settings.url` (a database URL) or `settings.url_env`"),
    ("both url and url_env", {**SQL, "url_env": "DB_URL"}, "give `settings.url` or `settings.url_env`, not both"),
    ("not a url", {**SQL, "url": "the licence database"}, "`settings.url`: is not a database URL"),
    ("unknown database", {**SQL, "url": "nosuchdb://h/x"}, "kind `nosuchdb`, which zhizhi does not know"),
    ("url_env a value", {"url_env": "sqlite:///x.db", "query": "SELECT 1"}, "`settings.url_env`: must be the name"),
    ("no query", {"url": "sqlite://"}, "`settings.query` is missing (one SELECT or WITH ... SELECT statement)"),
    ("blank query", {**SQL, "query": "  "}, "`settings.query` is empty"),
    ("query not text", {**SQL, "query": ["SELECT 1"]}, "`settings.query`: input should be a valid string"),
    ("a write", {**SQL, "query": "DELETE FROM t"}, "`settings.query`: starts with `DELETE`; the sql reader runs one"),
    ("two statements", {**SQL, "query": "SELECT 1; SELECT 2"}, "`settings.query`: holds more than one statement"),
    ("a write inside", {**SQL, "query": "SELECT * INTO x FROM t"}, "`settings.query`: contains `INTO`"),
    ("other bind", {**SQL, "query": "SELECT :area AS a"}, "uses `:area`, but only `:watermark` is given a value"),
    (":watermark alone", {**SQL, "query": "SELECT 1 WHERE 1 > :watermark"}, "`settings.watermark`: is missing"),
    ("start a boolean", {**SQL, "start": True}, "`settings.start`: must be text"),
    ("unknown key", {**SQL, "tabel": "t"}, "`settings.tabel` is not a setting of the sql reader"),
    ("misspelt key", {**SQL, "watermak": "t"}, "`settings.watermak` is not a setting of the sql reader (did you mean"),
]
HTTP_RULES = [
    ("no url", {}, "`settings.url` is missing (the API's address, http:// or https://)"),
    ("not http", {"url": "ftp://example.org/x"}, "`settings.url`: must be an http:// or https:// address"),
    ("no host", {"url": "https:///x"}, "`settings.url`: must be an http:// or https:// address"),
    ("token_env a value", {**HTTP, "token_env": "Bearer abc"}, "`settings.token_env`: must be the name"),
    ("empty records", {**HTTP, "records": ""}, "`settings.records` is empty"),
    ("two pagings", {**HTTP, "page_param": "p", "next": "links.next"}, "several ways of paging (page, next)"),
    ("page half said", {**HTTP, "first_page": 0}, "paging by page number needs `settings.page_param`, `settings.size"),
    (
        "page no size",
        {**HTTP, "page_param": "p", "size_param": "s"},
        "paging by page number needs `settings.page_size`",
    ),
    ("cursor alone", {**HTTP, "cursor": "meta.next"}, "paging by cursor needs `settings.cursor_param`"),
    ("cursor_param alone", {**HTTP, "cursor_param": "c"}, "paging by cursor needs `settings.cursor`"),
    ("page_size 0", {**PAGED, "page_size": 0}, "`settings.page_size`: input should be greater than or equal to 1"),
    ("page_size text", {**PAGED, "page_size": "500"}, "`settings.page_size`: input should be a valid integer"),
    ("first_page -1", {**PAGED, "first_page": -1}, "`settings.first_page`: input should be greater than or equal to 0"),
    ("since alone", {**HTTP, "since_param": "since"}, "`settings.since_param` and `settings.watermark` go together"),
    ("watermark alone", {**HTTP, "watermark": "updated"}, "`settings.since_param` and `settings.watermark` go togeth"),
    ("timeout 0", {**HTTP, "timeout": 0}, "`settings.timeout`: input should be greater than 0"),
    ("timeout words", {**HTTP, "timeout": "soon"}, "`settings.timeout`: input should be a valid number"),
    ("timeout yes", {**HTTP, "timeout": True}, "`settings.timeout`: input should be a valid number"),
    ("max_pages 0", {**HTTP, "max_pages": 0}, "`settings.max_pages`: input should be greater than or equal to 1"),
    ("unknown key", {**HTTP, "token": "abc"}, "`settings.token` is not a setting of the http reader (did you mean"),
]


@pytest.mark.parametrize(
    ("reader", "settings", "named"),
    [pytest.param("sql", s, n, id=f"sql: {i}") for i, s, n in SQL_RULES]
    + [pytest.param("http", s, n, id=f"http: {i}") for i, s, n in HTTP_RULES],
)
def test_each_rule_is_checked_when_the_source_file_loads(reader: str, settings: dict[str, Any], named: str) -> None:
    found = problems(reader, settings)
    assert len(found) == 1, found
    assert named in found[0]


def test_a_file_with_several_wrong_settings_names_every_one(tmp_path: Path) -> None:
    wrong = {
        "url": "https://api.example.gov.cn/v1/items",
        "token": "abc",  # not a setting
        "page_param": "page",  # ... paging by page number without size_param and page_size
        "since_param": "since",  # ... without watermark
        "timeout": 0,
        "max_pages": "many",
    }
    (tmp_path / "sources").mkdir()
    (tmp_path / "sources" / "feed.yaml").write_text(source("http", wrong), encoding="utf-8")
    with pytest.raises(ConfigError) as caught:
        load_source(tmp_path, "feed")
    message = caught.value.message
    assert message.startswith("`sources/feed.yaml` has 5 problem(s): ")
    for named in (
        "`settings.token` is not a setting of the http reader",
        "`settings.timeout`: input should be greater than 0",
        "`settings.max_pages`: input should be a valid integer",
        "paging by page number needs `settings.size_param`, `settings.page_size`",
        "`settings.since_param` and `settings.watermark` go together",
    ):
        assert named in message
    # The sql reader's too: rules between keys are named beside the keys' own problems.
    found = problems("sql", {"url": "not a url", "url_env": "DB_URL", "query": "DROP TABLE t", "start": False})
    assert [p.split(":")[0] for p in found] == [
        "`settings.url`",
        "`settings.query`",
        "`settings.start`",
        "give `settings.url` or `settings.url_env`, not both (`url_env` keeps passwords out of the file); fix the file",
    ]


def test_a_value_is_never_repeated_back() -> None:
    # A URL may hold a password: the problem names the key, not what it holds.
    found = problems("sql", {"url": "postgresql://reader:s3cr3t@h:5432/x:y:z", "query": "DELETE FROM t"})
    assert found and not any("s3cr3t" in p for p in found)
    found = problems("http", {"url": "ftp://reader:s3cr3t@h/x"})
    assert found and not any("s3cr3t" in p for p in found)


@pytest.mark.parametrize(
    ("reader", "named"),
    [
        ("csv", "the csv reader takes no `settings`"),
        ("excel", "the excel reader takes no `settings`"),
        ("jsonl", "the jsonl reader takes no `settings`"),
        (None, "`settings` are for a reader that fetches (`reader: sql`, `reader: http`)"),
    ],
)
def test_settings_for_a_reader_that_takes_none_are_refused(reader: str | None, named: str) -> None:
    found = problems(reader, {"query": "SELECT 1"})
    assert len(found) == 1 and named in found[0]
    assert problems(reader, {}) == []  # an empty mapping says nothing


class _PluginReader:
    """A reader from another package that declares no settings model."""

    name = "plugin"
    needs_file = False
    suffixes: tuple[str, ...] = ()


def test_a_plugin_reader_without_a_model_keeps_its_settings_as_they_are(monkeypatch: pytest.MonkeyPatch) -> None:
    real = registry._reader_class
    monkeypatch.setattr(
        registry, "_reader_class", lambda name: (_PluginReader, False) if name == "plugin" else real(name)
    )
    loaded = parse_source(source("plugin", {"anything": [1, {"x": 2}]}), ORIGIN)
    assert loaded.settings == {"anything": [1, {"x": 2}]}
    # A reader that is not installed is named when the source is read, not here.
    assert parse_source(source("not-installed", {"a": 1}), ORIGIN).settings == {"a": 1}


def test_each_fetching_reader_declares_its_model() -> None:
    assert settings_model("sql") is SqlSettings and SqlReader.Settings is SqlSettings
    assert settings_model("http") is HttpSettings and HttpReader.Settings is HttpSettings
    assert settings_model("csv") is None


GOOD_SQL = [
    {"url": "sqlite://", "query": "SELECT 1 AS n"},
    {"url_env": "FEED_DB_URL", "query": "SELECT 1 AS n;", "watermark": "n"},
    {"url": "sqlite://", "query": "SELECT 1 AS n WHERE 1 > :watermark", "watermark": "n", "start": 0},
    {"url": "postgresql://reader@10.20.1.5:5432/xuke", "query": "WITH a AS (SELECT 1 AS n) SELECT n FROM a"},
    {"url": "sqlite://", "query": "SELECT '12\\:30' AS at", "watermark": "at", "start": "2020-01-01 00:00:00"},
]
GOOD_HTTP = [
    HTTP,
    {**HTTP, "page_param": "page", "size_param": "size", "page_size": 500, "first_page": 0, "timeout": 5},
    {**HTTP, "next": "links.next", "records": "data", "max_pages": 1},
    {**HTTP, "cursor": "meta.next_cursor", "cursor_param": "cursor", "token_env": "FEED_TOKEN", "timeout": 2.5},
    {**HTTP, "since_param": "since", "watermark": "updated", "next": None},
]


@pytest.mark.parametrize(
    ("reader", "settings"),
    [pytest.param("sql", s, id=f"sql {i}") for i, s in enumerate(GOOD_SQL)]
    + [pytest.param("http", s, id=f"http {i}") for i, s in enumerate(GOOD_HTTP)],
)
def test_good_configurations_load(reader: str, settings: dict[str, Any]) -> None:
    loaded = parse_source(source(reader, settings), ORIGIN)
    assert loaded.settings == settings  # kept as written: the reader reads them into its model


def test_a_start_written_as_a_yaml_date_is_its_text() -> None:
    loaded = parse_source(source("sql", SQL).replace("fields:", "  start: 2020-01-01 08:00:00\nfields:"), ORIGIN)
    settings = SqlSettings.model_validate(loaded.settings)
    assert settings.start == "2020-01-01 08:00:00"
    assert SqlSettings.model_validate({**SQL, "start": 1024}).start == "1024"


def test_a_good_sql_source_reads_from_its_checked_settings(empty_database_url: str) -> None:
    engine = create_engine(empty_database_url.replace("postgresql://", "postgresql+psycopg://", 1))
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE firms (code VARCHAR(18), name VARCHAR(50), changed VARCHAR(10))"))
        connection.execute(text("INSERT INTO firms VALUES ('A1', '柳州市甲有限公司', '2026-01-02')"))
    engine.dispose()
    settings = {"url": empty_database_url, "query": "SELECT code, name, changed FROM firms;", "watermark": "changed"}
    loaded = parse_source(source("sql", settings), ORIGIN)
    reading = SqlReader().open(Path(ORIGIN), ReadOptions(settings=loaded.settings))
    frame = pl.concat([chunk.frame for chunk in reading.chunks])
    assert frame["name"].to_list() == ["柳州市甲有限公司"]
    assert reading.watermark == "2026-01-02"


def test_ingest_fails_at_once_naming_every_problem(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    wrong = {"url": "sqlite://", "url_env": "FEED_DB_URL", "query": "UPDATE firms SET name = ''", "extra": 1}
    (workspace.root / "sources").mkdir(exist_ok=True)
    (workspace.root / "sources" / "feed.yaml").write_text(source("sql", wrong), encoding="utf-8")
    code, out, err = zz(workspace, "ingest", "feed")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and "`sources/feed.yaml` has 3 problem(s)" in err
    assert re.search(r"`settings.query`: starts with `UPDATE`.*`settings.extra`.*not both", err)
    with city() as session:
        assert session.scalar(select(func.count()).select_from(Batch)) == 0
