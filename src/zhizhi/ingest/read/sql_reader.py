"""A SQL query against another database, read in chunks from a server-side cursor; incremental by a watermark column.

The source's `settings:` say where and what:

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
from typing import Any

from sqlalchemy import URL, Connection, Dialect, Engine, create_engine, make_url, text
from sqlalchemy.exc import ArgumentError, NoSuchModuleError, SQLAlchemyError
from sqlalchemy.pool import NullPool

from zhizhi.config import normalize_database_url
from zhizhi.errors import ConfigError, InputError
from zhizhi.ingest.read.base import CHUNK_ROWS, Chunk, Reading, ReadOptions, frame, unique_header

SETTINGS = ("url", "url_env", "query", "watermark", "start")
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
    settings = options.settings
    unknown = sorted(set(settings) - set(SETTINGS))
    if unknown:
        raise ConfigError(
            f"Source `{path.name}`: the sql reader has no setting(s) {', '.join(f'`{k}`' for k in unknown)}; "
            f"its settings are {', '.join(f'`{k}`' for k in SETTINGS)}."
        )
    raw_url = _database_url(path, settings)
    try:
        url = make_url(raw_url)
    except ArgumentError:
        where = f"environment variable `{settings['url_env']}`" if "url_env" in settings else "setting `url`"
        raise ConfigError(
            f"Source `{path.name}`: the {where} is not a database URL; write it like "
            "`postgresql://user@host:5432/name` or `sqlite:///path/to/file.db`."
        ) from None
    query = _text_setting(settings, "query")
    if not query or not query.strip():
        raise ConfigError(f"Source `{path.name}`: the sql reader needs setting `query` (the SELECT to run).")
    column = _text_setting(settings, "watermark")
    statement = _single_select(path, query)
    label = f"{_database_name(url)}: {_query_label(statement)}"
    binds = set(text(statement).compile().params)
    others = sorted(binds - {"watermark"})
    if others:
        raise ConfigError(
            f"Source `{path.name}`: setting `query` uses {', '.join(f'`:{b}`' for b in others)}, but only "
            "`:watermark` is given a value. Write a colon that is not a parameter as `\\:`."
        )
    start = options.watermark if options.watermark is not None else _text_setting(settings, "start")
    params: dict[str, Any] = {}
    if "watermark" in binds:
        if column is None:
            raise ConfigError(
                f"Source `{path.name}`: setting `query` uses `:watermark`, so setting `watermark` must name the "
                "column whose highest value is the next run's watermark."
            )
        params["watermark"] = start
    elif column is not None:
        quoted = _dialect(path, url).identifier_preparer.quote(column)
        statement = f"SELECT * FROM (\n{statement}\n) AS q"
        if start is not None:
            statement += f" WHERE q.{quoted} > :watermark"
            params["watermark"] = start
    shown = url.render_as_string(hide_password=True)
    plan = _Plan(
        url=normalize_database_url(url.render_as_string(hide_password=False)),
        shown=shown,
        password=url.password if isinstance(url.password, str) and url.password else None,
        statement=statement,
        params=params,
        column=column,
    )
    return plan, label


def _dialect(path: Path, url: URL) -> Dialect:
    try:
        return make_url(normalize_database_url(url.render_as_string(hide_password=False))).get_dialect()()
    except (NoSuchModuleError, ImportError):
        raise ConfigError(
            f"Source `{path.name}`: zhizhi does not know databases of kind `{url.drivername}` (setting `url`); "
            "use a SQLAlchemy URL such as `postgresql://...` or `sqlite:///...`."
        ) from None


def _database_url(path: Path, settings: dict[str, Any]) -> str:
    if "url" in settings and "url_env" in settings:
        raise ConfigError(
            f"Source `{path.name}`: give setting `url` or `url_env`, not both (`url_env` keeps the password out "
            "of the source file)."
        )
    if "url_env" in settings:
        variable = _text_setting(settings, "url_env") or ""
        value = os.environ.get(variable, "").strip()
        if not value:
            raise ConfigError(
                f"Source `{path.name}`: environment variable `{variable}` (setting `url_env`) is not set; set it "
                "to the database URL, e.g. `postgresql://user:password@host:5432/name`."
            )
        return value
    given = _text_setting(settings, "url")
    if not given:
        raise ConfigError(
            f"Source `{path.name}`: the sql reader needs setting `url` (a database URL) or `url_env` (the "
            "environment variable holding it)."
        )
    return given.strip()


def _text_setting(settings: dict[str, Any], key: str) -> str | None:
    value = settings.get(key)
    if value is None:
        return None
    if isinstance(value, bool) or not isinstance(value, str | int | float | date):
        raise ConfigError(f"Setting `{key}` must be text, not {type(value).__name__}.")
    return cell_text(value)


def _single_select(path: Path, query: str) -> str:
    """The query without a trailing `;`; anything but one SELECT / WITH statement is refused."""
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
        raise InputError(
            f"Source `{path.name}`: setting `query` {problem}; the sql reader runs one read-only SELECT (or "
            "WITH ... SELECT) statement. Write the query as a single SELECT and do any other work in the "
            "source database.",
            zh=f"数据源 `{path.name}` 的 query 设置只能是一条 SELECT 查询语句，不能修改数据或包含多条语句。",
        )
    return query[:end]


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
                + "."
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
