"""A SQL query against another database, read in chunks from a server-side cursor; incremental by a watermark column.

The source's `settings:` (`SqlSettings`, checked when the source file loads) say where and what:

- `url` (a SQLAlchemy URL) or `url_env` (the environment variable holding it, so credentials stay out of the YAML);
- `query`: one SELECT (or WITH ... SELECT) statement; it may use `:watermark`;
- `watermark`: the column whose highest value marks how far the last batch read;
- `start`: the watermark to use while no batch has one yet.

A query that uses `:watermark` gets the last batch's mark bound to it (NULL on the first run unless `start` is
given). A query that does not is wrapped: `SELECT * FROM (query) AS q WHERE q.col > :watermark`, without the
WHERE while there is no mark. The query runs in a read-only transaction that is never committed.
"""

from __future__ import annotations

import json
import os
import re
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import date, datetime, time
from decimal import Decimal
from pathlib import Path
from typing import Annotated, Any

from pydantic import BeforeValidator, Field, ValidationInfo, field_validator
from sqlalchemy import URL, Connection, Dialect, Engine, create_engine, make_url, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from zhizhi.config import normalize_database_url
from zhizhi.errors import ConfigError, InputError
from zhizhi.ingest.read.base import CHUNK_ROWS, Chunk, Reading, ReadOptions, frame, unique_header
from zhizhi.ingest.read.registry import EnvName, ReaderSettings, Text, checked_settings

LABEL_QUERY_CHARS = 60
# Words that only a statement that writes, or that changes the session, would hold (outside quotes and comments).
WRITE_WORDS = (
    "INSERT",
    "UPDATE",
    "DELETE",
    "MERGE",
    "UPSERT",
    "DROP",
    "ALTER",
    "CREATE",
    "TRUNCATE",
    "GRANT",
    "REVOKE",
    "COPY",
    "INTO",
    "CALL",
    "EXECUTE",
    "ATTACH",
    "DETACH",
    "PRAGMA",
    "VACUUM",
    "REINDEX",
)
_QUOTED = re.compile(
    r"""--[^\n]*|/\*.*?(?:\*/|\Z)|'(?:[^']|'')*(?:'|\Z)|"(?:[^"]|"")*(?:"|\Z)|\$(\w*)\$.*?(?:\$\1\$|\Z)""",
    re.DOTALL,
)
_WRITE = re.compile(r"\b(" + "|".join(WRITE_WORDS) + r")\b", re.IGNORECASE)


def _mark_text(value: Any) -> Any:
    """A `start` written as a YAML date, time or number is meant as its text."""
    if isinstance(value, bool):
        raise ValueError('must be text, such as "2020-01-01 00:00:00"')
    return cell_text(value) if isinstance(value, int | float | date) else value


class SqlSettings(ReaderSettings):
    """The sql reader's settings, checked when the source file loads."""

    url: Text | None = Field(default=None, description="the database, as a SQLAlchemy URL")
    url_env: EnvName | None = Field(default=None, description="the environment variable holding the database URL")
    query: Text = Field(description="one SELECT or WITH ... SELECT statement")
    watermark: Text | None = Field(
        default=None, validate_default=True, description="the column whose highest value marks how far a batch read"
    )
    start: Annotated[str, BeforeValidator(_mark_text)] | None = Field(
        default=None, description="the watermark while no batch has one yet"
    )

    @field_validator("url")
    @classmethod
    def _a_known_database(cls, value: str | None) -> str | None:
        if value is not None:
            database_url(value)
        return value

    @field_validator("query")
    @classmethod
    def _one_select(cls, value: str) -> str:
        statement = single_select(value)
        others = sorted(binds(statement) - {"watermark"})
        if others:
            raise ValueError(
                f"uses {', '.join(f'`:{b}`' for b in others)}, but only `:watermark` is given a value; write a colon "
                "that is not a parameter as `\\:`"
            )
        return statement

    @field_validator("watermark")
    @classmethod
    def _named_when_the_query_uses_it(cls, value: str | None, info: ValidationInfo) -> str | None:
        query = info.data.get("query")
        if value is None and query is not None and "watermark" in binds(query):
            raise ValueError(
                "is missing: `settings.query` uses `:watermark`, so name the column whose highest value is the next "
                "run's watermark"
            )
        return value

    @classmethod
    def rules(cls, given: set[str]) -> list[str]:
        if {"url", "url_env"} <= given:
            return ["give `settings.url` or `settings.url_env`, not both (`url_env` keeps passwords out of the file)"]
        if not {"url", "url_env"} & given:
            return [
                "the sql reader needs `settings.url` (a database URL) or `settings.url_env` (the environment "
                "variable holding it)"
            ]
        return []


def database_url(raw: str) -> URL:
    """`raw` as a database URL of a kind SQLAlchemy knows; a ValueError saying what is wrong otherwise."""
    try:
        url = make_url(raw)
    except ArgumentError:
        raise ValueError(
            "is not a database URL; write it like `postgresql://user@host:5432/name` or `sqlite:///path/to/file.db`"
        ) from None
    try:
        make_url(normalize_database_url(url.render_as_string(hide_password=False))).get_dialect()
    except NoSuchModuleError:
        raise ValueError(
            f"names databases of kind `{url.drivername}`, which zhizhi does not know; use a SQLAlchemy URL such as "
            "`postgresql://...` or `sqlite:///...`"
        ) from None
    except ImportError:
        pass  # a driver that is not installed here is named when the source is read
    return url


def single_select(query: str) -> str:
    """The query without a trailing `;`; a ValueError for anything but one SELECT / WITH statement."""
    masked = _QUOTED.sub(lambda m: " " * len(m.group(0)), query)
    code = masked.rstrip()
    end = len(code)
    while code.endswith(";"):
        code = code[:-1].rstrip()
        end = len(code)
    first = re.match(r"[\s(]*([A-Za-z]+)", code)
    problem = None
    if ";" in code:
        problem = "holds more than one statement"
    elif first is None or first.group(1).upper() not in ("SELECT", "WITH"):
        problem = f"starts with `{first.group(1) if first else code[:20]}`"
    elif match := _WRITE.search(code):
        problem = f"contains `{match.group(1)}`"
    if problem:
        raise ValueError(
            f"{problem}; the sql reader runs one read-only SELECT (or WITH ... SELECT) statement. Write the query "
            "as a single SELECT and do any other work in the source database"
        )
    return query[:end]


def binds(statement: str) -> set[str]:
    """The names of a statement's bind parameters (`:watermark`)."""
    return set(text(statement).compile().params)


@dataclass(frozen=True)
class _Plan:
    """What to run: the statement, its parameters, and where the mark comes from."""

    url: str  # normalised for SQLAlchemy (psycopg 3 for PostgreSQL), with its password
    shown: str  # the URL as given, password hidden
    password: str | None
    statement: str
    params: dict[str, Any]
    column: str | None


class SqlReader:
    """Runs a source's SELECT against another database; every result row is a row, numbered from 1."""

    name = "sql"
    Settings = SqlSettings
    needs_file = False
    suffixes: tuple[str, ...] = ()

    def open(self, path: Path, options: ReadOptions) -> Reading:
        plan, label = _plan(path, options)
        reading = Reading(
            path=path,
            encoding=None,
            chunks=iter(()),
            label=label,
            watermark=plan.params.get("watermark") if plan.column is not None else None,
        )
        reading.chunks = self._chunks(plan, reading)
        return reading

    def _chunks(self, plan: _Plan, reading: Reading) -> Iterator[Chunk]:
        engine = _engine(plan)
        try:
            with _connect(engine, plan) as connection:
                yield from _rows(connection, plan, reading)
        finally:
            engine.dispose()


def _plan(path: Path, options: ReadOptions) -> tuple[_Plan, str]:
    settings = checked_settings(SqlSettings, "sql", options.settings, path)
    url = _database(path, settings)
    normalized = normalize_database_url(url.render_as_string(hide_password=False))
    statement, column = settings.query, settings.watermark
    label = f"{_database_name(url)}: {_query_label(statement)}"
    start = options.watermark if options.watermark is not None else settings.start
    params: dict[str, Any] = {}
    if "watermark" in binds(statement):
        params["watermark"] = start
    elif column is not None:
        quoted = _dialect(url, normalized).identifier_preparer.quote(column)
        statement = f"SELECT * FROM (\n{statement}\n) AS q"
        if start is not None:
            statement += f" WHERE q.{quoted} > :watermark"
            params["watermark"] = start
    plan = _Plan(
        url=normalized,
        shown=url.render_as_string(hide_password=True),
        password=url.password if isinstance(url.password, str) and url.password else None,
        statement=statement,
        params=params,
        column=column,
    )
    return plan, label


def _database(path: Path, settings: SqlSettings) -> URL:
    """The database's URL: as given (checked when the file loaded), or read from the variable `url_env` names."""
    if settings.url is not None:
        return make_url(settings.url)
    variable = str(settings.url_env)
    value = os.environ.get(variable, "").strip()
    if not value:
        raise ConfigError(
            f"Source `{path.name}`: environment variable `{variable}` (setting `url_env`) is not set; set it "
            "to the database URL, e.g. `postgresql://user:password@host:5432/name`.",
            zh=f"数据源 `{path.name}` 的环境变量 `{variable}`（url_env 设置）未设置，请将其设为数据库连接地址。",
        )
    try:
        return database_url(value)
    except ValueError as exc:
        raise ConfigError(
            f"Source `{path.name}`: environment variable `{variable}` (setting `url_env`) {exc}.",
            zh=f"数据源 `{path.name}` 的环境变量 `{variable}`（url_env 设置）不是可用的数据库连接地址。",
        ) from None


def _dialect(url: URL, normalized: str) -> Dialect:
    try:
        return make_url(normalized).get_dialect()()
    except ImportError as exc:
        shown = url.render_as_string(hide_password=True)
        raise InputError(
            f"Database `{shown}` cannot be opened: {exc}. Install its driver or fix the URL.",
            zh=f"无法打开数据库 `{shown}`，请安装其驱动或检查 url 设置。",
        ) from None


def _database_name(url: URL) -> str:
    if url.database:
        return Path(url.database).name if url.get_backend_name() == "sqlite" else url.database
    return url.host or url.get_backend_name()


def _query_label(query: str) -> str:
    flat = " ".join(query.split())
    return flat if len(flat) <= LABEL_QUERY_CHARS else flat[:LABEL_QUERY_CHARS] + "…"


def _engine(plan: _Plan) -> Engine:
    url = make_url(plan.url)
    if url.get_backend_name() == "sqlite" and url.database not in (None, "", ":memory:"):
        if not url.database.startswith("file:") and not Path(url.database).is_file():
            raise InputError(
                f"Database `{plan.shown}` does not exist (no file `{url.database}`); check setting `url`.",
                zh=f"数据库文件 `{url.database}` 不存在，请检查 url 设置。",
            )
    try:
        return create_engine(url, poolclass=NullPool)
    except (ArgumentError, NoSuchModuleError, ImportError) as exc:
        raise InputError(
            f"Database `{plan.shown}` cannot be opened: {_reason(exc, plan)}. Install its driver or fix the URL.",
            zh=f"无法打开数据库 `{plan.shown}`，请检查 url 设置。",
        ) from None


def _connect(engine: Engine, plan: _Plan) -> Connection:
    readonly: dict[str, Any] = {"postgresql_readonly": True} if engine.dialect.name == "postgresql" else {}
    try:
        connection = engine.connect()
        if readonly:
            connection = connection.execution_options(**readonly)
        if engine.dialect.name == "sqlite":
            connection.exec_driver_sql("PRAGMA query_only = ON")
        return connection
    except SQLAlchemyError as exc:
        raise InputError(
            f"Could not connect to database `{plan.shown}`: {_reason(exc, plan)}. Check that it is running and "
            "that the URL (setting `url` or `url_env`) is right.",
            zh=f"无法连接数据库 `{plan.shown}`，请检查数据库是否运行以及连接地址是否正确。",
        ) from None


def _rows(connection: Connection, plan: _Plan, reading: Reading) -> Iterator[Chunk]:
    try:
        result = connection.execution_options(yield_per=CHUNK_ROWS).execute(text(plan.statement), plan.params)
        keys = [str(k) for k in result.keys()]
    except SQLAlchemyError as exc:
        raise _query_failed(exc, plan) from None
    header = unique_header(keys)
    reading.headers[None] = header
    at = None
    if plan.column is not None:
        if plan.column not in keys:
            raise ConfigError(
                f"Setting `watermark` names column `{plan.column}`, which the query does not return; its columns: "
                + ", ".join(f"`{k}`" for k in keys)
                + ".",
                zh=f"watermark 设置的列 `{plan.column}` 不在查询结果中；查询返回的列："
                + "、".join(f"`{k}`" for k in keys)
                + "。请改正 watermark 或查询。",
            )
        at = keys.index(plan.column)
    number = 0
    best: Any = None
    try:
        for partition in result.partitions(CHUNK_ROWS):
            rows: list[tuple[int, str | None, list[str]]] = []
            for row in partition:
                number += 1
                rows.append((number, None, [cell_text(v) for v in row]))
                if at is not None and row[at] is not None and (best is None or _order(row[at]) > _order(best)):
                    best = row[at]
            yield Chunk(None, frame(rows, header))
    except SQLAlchemyError as exc:
        raise _query_failed(exc, plan) from None
    if best is not None:
        reading.watermark = cell_text(best)


def _query_failed(exc: SQLAlchemyError, plan: _Plan) -> InputError:
    return InputError(
        f"The query (setting `query`) failed on database `{plan.shown}`: {_reason(exc, plan)}. Run it in the "
        "database's own client to fix it.",
        zh=f"查询在数据库 `{plan.shown}` 上执行失败，请检查 query 设置。",
    )


def _reason(exc: BaseException, plan: _Plan) -> str:
    """The driver's first line about what went wrong, never the password."""
    cause = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    reason = lines[0] if lines else type(cause).__name__
    if plan.password:
        reason = reason.replace(plan.password, "***")
    return reason.rstrip(".")


def _order(value: Any) -> tuple[int, str, Any]:
    """Sort key for a column's values; numbers by value, other kinds never compared with each other."""
    if isinstance(value, int | float | Decimal) and not isinstance(value, bool):
        return (0, "", value)
    if isinstance(value, dict | list):
        return (1, "json", cell_text(value))
    return (1, type(value).__name__, value)


def cell_text(value: Any) -> str:
    """A database value as the text a person sees: 12 not 12.0, dates ISO, JSON compact, nothing for NULL."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, int):
        return str(value)
    if isinstance(value, float):
        return str(int(value)) if value.is_integer() else repr(value)
    if isinstance(value, Decimal):
        if value.is_finite() and value == value.to_integral_value():
            return str(int(value))
        return format(value, "f")
    if isinstance(value, datetime):
        return value.isoformat(sep=" ")
    if isinstance(value, date | time):
        return value.isoformat()
    if isinstance(value, bytes | bytearray | memoryview):
        raw = bytes(value)
        try:
            return raw.decode("utf-8")
        except UnicodeDecodeError:
            return "\\x" + raw.hex()
    if isinstance(value, dict | list | tuple):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"), default=cell_text)
    return str(value)
