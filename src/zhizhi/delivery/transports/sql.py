"""The SQL transport: each batch upserted into a table of another database (PostgreSQL or SQLite), in one transaction.

Settings (`transport:` in the target file): `url_env` (the environment variable holding the SQLAlchemy URL, so the
password stays out of the file) or `url`; `table` (`name` or `schema.name`); `key` (the platform fields forming
the table's primary key or a unique constraint: the upsert's conflict target; default the key column alone);
`key_column` (default `zhizhi_key`: the column that receives each record's idempotency key; null to write none);
`batch_size` (default 500).

A record's row is inserted, or updated where a row with the same key exists, so a record sent again changes
nothing and a changed record updates its row. A row the database refuses (NOT NULL, too long, not a date) is
rejected with the database's words while the rest of the batch is written: the batch is tried again row by row,
each row in its own savepoint. A database that cannot be reached is transient: the batch is tried again later.

The table is read (reflected) once per process and read again when it no longer fits the target or a write fails,
so a column added while a worker runs is found without a restart.
"""

from __future__ import annotations

import json
import os
from datetime import date, datetime
from decimal import Decimal, InvalidOperation
from pathlib import Path
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, model_validator
from sqlalchemy import (
    ARRAY,
    JSON,
    Connection,
    Date,
    DateTime,
    Engine,
    Float,
    Integer,
    MetaData,
    Numeric,
    PrimaryKeyConstraint,
    Table,
    UniqueConstraint,
    create_engine,
    event,
    make_url,
)
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.exc import (
    ArgumentError,
    DataError,
    DBAPIError,
    IntegrityError,
    NoSuchModuleError,
    NoSuchTableError,
    SQLAlchemyError,
    StatementError,
)
from sqlalchemy.sql.dml import Insert

from zhizhi.config import normalize_database_url
from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import Item, Outcome, TransientError, setting
from zhizhi.errors import ConfigError


class SqlSettings(BaseModel):
    """The sql transport's settings, checked when the target file loads."""

    model_config = ConfigDict(extra="forbid")

    url: str | None = Field(default=None, description="the SQLAlchemy URL (prefer url_env: no password in files)")
    url_env: str | None = Field(default=None, description="the environment variable holding the URL")
    table: str = Field(min_length=1, max_length=128, description="the table rows are upserted into")
    key: list[str] | None = Field(default=None, description="the table's key columns")
    key_column: str | None = Field(default="zhizhi_key", description="the column holding each delivery's key")
    batch_size: int = Field(default=500, ge=1, le=10_000)

    @model_validator(mode="after")
    def _one_url(self) -> SqlSettings:
        if bool(self.url) == bool(self.url_env):
            raise ValueError("give exactly one of `url_env` (preferred) or `url`")
        return self
DEFAULT_KEY_COLUMN = "zhizhi_key"
CONNECT_TIMEOUT = 5  # seconds: a database that is down fails the batch quickly, to be tried again later
# Errors that belong to one row's values: the row is rejected, the others are written.
ROW_ERRORS = (IntegrityError, DataError)


class SqlTransport:
    """Upserts each batch into a table; engines and reflected tables are kept for the life of the process."""

    name = "sql"
    Settings = SqlSettings

    def __init__(self) -> None:
        self._engines: dict[str, Engine] = {}
        self._tables: dict[tuple[str, str], Table] = {}

    def batch_size(self, target: TargetConfig) -> int:
        return int(setting(target, "batch_size", 500))

    def send(self, target: TargetConfig, items: list[Item]) -> list[Outcome]:
        url = _url(target)
        engine = self._engine(target, url)
        plan = self._plan(target, engine, url)
        outcomes: dict[str, Outcome] = {}
        rows: list[tuple[str, dict[str, Any]]] = []
        for key, record in items:
            try:
                rows.append((key, plan.row(key, record)))
            except ValueError as exc:
                outcomes[key] = Outcome(key, False, str(exc))
        if rows:
            try:
                outcomes.update(_write(engine, plan.statement, rows, plan.conflict, url))
            except TransientError:
                self._tables.pop((url, plan.table_name), None)  # read the table again next time: it may have changed
                raise
        return [outcomes[key] for key, _ in items]

    def _engine(self, target: TargetConfig, url: str) -> Engine:
        if url not in self._engines:
            self._engines[url] = _make_engine(target, url)
        return self._engines[url]

    def _plan(self, target: TargetConfig, engine: Engine, url: str) -> _Plan:
        """The target's plan on its table; a table read earlier is read again when it no longer fits."""
        name = str(setting(target, "table", required=True))
        known = (url, name) in self._tables
        try:
            return _Plan.of(target, self._table(target, engine, url, name), name, engine.dialect.name)
        except ConfigError:
            if not known:
                raise
            del self._tables[(url, name)]
            return _Plan.of(target, self._table(target, engine, url, name), name, engine.dialect.name)

    def _table(self, target: TargetConfig, engine: Engine, url: str, name: str) -> Table:
        if (url, name) not in self._tables:
            schema, _, bare = name.rpartition(".")
            try:
                self._tables[(url, name)] = Table(bare, MetaData(), schema=schema or None, autoload_with=engine)
            except NoSuchTableError:
                raise ConfigError(
                    f"Target `{target.name}`: database `{_shown(url)}` has no table `{name}` (setting "
                    "`transport.table`); create it, or name an existing one (`schema.table` for another schema).",
                    zh=f"交付目标 `{target.name}`：数据库 `{_shown(url)}` 中没有表 `{name}`（设置 `transport.table`）；"
                    "请建表，或指定一个已有的表（其他模式中的表写作 `schema.table`）。",
                ) from None
            except SQLAlchemyError as exc:
                raise _transient(exc, url) from exc
        return self._tables[(url, name)]


class _Plan:
    """What one target writes into one table: platform field -> column, the conflict target, the statement."""

    def __init__(
        self,
        table: Table,
        table_name: str,
        columns: dict[str, str],
        key_column: str | None,
        conflict: list[str],
        statement: Insert,
    ) -> None:
        self.table = table
        self.table_name = table_name
        self.columns = columns
        self.key_column = key_column
        self.conflict = conflict
        self.statement = statement

    @classmethod
    def of(cls, target: TargetConfig, table: Table, table_name: str, dialect: str) -> _Plan:
        key_column = setting(target, "key_column", DEFAULT_KEY_COLUMN) or None
        wanted = [*target.fields, *([str(key_column)] if key_column else [])]
        columns = {field: _column(table, field) for field in wanted}
        missing = [field for field, column in columns.items() if column is None]
        if missing:
            raise ConfigError(
                f"Target `{target.name}`: table `{table.fullname}` has no column(s) "
                + ", ".join(f"`{m}`" for m in missing)
                + "; add them to the table, or map only the table's columns in `fields`"
                + (" (`transport.key_column: null` writes no idempotency key)." if key_column in missing else "."),
                zh=f"交付目标 `{target.name}`：表 `{table.fullname}` 没有列 "
                + "、".join(f"`{m}`" for m in missing)
                + "；请在表中添加这些列，或在 `fields` 中只映射表中已有的列"
                + ("（`transport.key_column: null` 表示不写幂等键）。" if key_column in missing else "。"),
            )
        found = {field: str(column) for field, column in columns.items()}
        key_fields = setting(target, "key") or ([key_column] if key_column else None)
        if not key_fields:
            raise ConfigError(
                f"Target `{target.name}`: `transport.key` is missing: name the fields forming the table's unique key.",
                zh=f"交付目标 `{target.name}`：缺少 `transport.key`，请写出构成该表唯一键的字段。",
            )
        if isinstance(key_fields, str):
            key_fields = [key_fields]
        unknown = [k for k in key_fields if k not in found]
        if unknown:
            raise ConfigError(
                f"Target `{target.name}`: `transport.key` names {', '.join(f'`{k}`' for k in unknown)}, which "
                "the target does not write; name fields of `fields` (or the key column).",
                zh=f"交付目标 `{target.name}`：`transport.key` 中的 {'、'.join(f'`{k}`' for k in unknown)} "
                "不是该目标写出的字段；请写 `fields` 中的字段（或键列）。",
            )
        conflict = [found[k] for k in key_fields]
        if set(conflict) not in _unique_keys(table):
            raise ConfigError(
                f"Target `{target.name}`: table `{table.fullname}` has no primary key or unique constraint on "
                f"({', '.join(conflict)}), which the upsert needs (`transport.key`); add one, e.g. `CREATE UNIQUE "
                f"INDEX ON {table.fullname} ({', '.join(conflict)})`.",
                zh=f"交付目标 `{target.name}`：表 `{table.fullname}` 在 ({', '.join(conflict)}) 上没有主键或唯一约束，"
                f"而更新插入（`transport.key`）需要它；请添加一个，如 `CREATE UNIQUE INDEX ON {table.fullname} "
                f"({', '.join(conflict)})`。",
            )
        return cls(
            table,
            table_name,
            {f: c for f, c in found.items() if f != key_column},
            found.get(str(key_column)) if key_column else None,
            conflict,
            _upsert(table, dialect, list(found.values()), conflict),
        )

    def row(self, key: str, record: dict[str, Any]) -> dict[str, Any]:
        """The row's values by column, converted to the columns' types; ValueError names a value that won't go."""
        row = {column: _value(self.table.c[column], record.get(field), field) for field, column in self.columns.items()}
        if self.key_column:
            row[self.key_column] = key
        return row


def _url(target: TargetConfig) -> str:
    """The database URL from `url_env` (preferred: credentials stay out of files) or `url`, checked."""
    settings = target.transport.settings
    if settings.get("url") and settings.get("url_env"):
        raise ConfigError(
            f"Target `{target.name}`: give `transport.url` or `transport.url_env`, not both.",
            zh=f"交付目标 `{target.name}`：`transport.url` 和 `transport.url_env` 只能给一个。",
        )
    if settings.get("url_env"):
        raw = os.environ.get(str(settings["url_env"]), "").strip()
        if not raw:
            raise ConfigError(
                f"Target `{target.name}`: environment variable `{settings['url_env']}` (`transport.url_env`) is not "
                "set; set it to the database URL, e.g. `postgresql://user:password@host:5432/name`.",
                zh=f"交付目标 `{target.name}`：环境变量 `{settings['url_env']}`（`transport.url_env`）未设置；"
                "请把它设为数据库地址，如 `postgresql://user:password@host:5432/name`。",
            )
    elif settings.get("url"):
        raw = str(settings["url"]).strip()
    else:
        raise ConfigError(
            f"Target `{target.name}`: the sql transport needs `transport.url_env` (the environment variable "
            "holding the database URL) or `transport.url`.",
            zh=f"交付目标 `{target.name}`：sql 传输需要 `transport.url_env`（存放数据库地址的环境变量）"
            "或 `transport.url`。",
        )
    try:
        make_url(raw)
    except ArgumentError:
        raise ConfigError(
            f"Target `{target.name}`: the database URL is not one; write it like "
            "`postgresql://user@host:5432/name` or `sqlite:///path/to/file.db`.",
            zh=f"交付目标 `{target.name}`：数据库地址格式不对；请写成 `postgresql://user@host:5432/name` "
            "或 `sqlite:///path/to/file.db` 的形式。",
        ) from None
    return normalize_database_url(raw)


def _make_engine(target: TargetConfig, url: str) -> Engine:
    parsed = make_url(url)
    backend = parsed.get_backend_name()
    if backend not in ("postgresql", "sqlite"):
        raise ConfigError(
            f"Target `{target.name}`: the sql transport writes to PostgreSQL or SQLite, not `{backend}`.",
            zh=f"交付目标 `{target.name}`：sql 传输只能写入 PostgreSQL 或 SQLite，不支持 `{backend}`。",
        )
    if backend == "sqlite":
        if parsed.database in (None, "", ":memory:"):
            raise ConfigError(
                f"Target `{target.name}`: a SQLite target needs a file, e.g. `sqlite:///share.db`.",
                zh=f"交付目标 `{target.name}`：SQLite 目标需要一个文件，如 `sqlite:///share.db`。",
            )
        if not parsed.database.startswith("file:") and not Path(parsed.database).is_file():
            raise ConfigError(
                f"Target `{target.name}`: no SQLite database at `{parsed.database}` (`transport.url`); check the path.",
                zh=f"交付目标 `{target.name}`：`{parsed.database}`（`transport.url`）没有 SQLite 数据库，请检查路径。",
            )
        engine = create_engine(parsed, pool_pre_ping=True)
        # pysqlite's own transaction handling breaks savepoints: BEGIN is issued here instead.
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    try:
        return create_engine(parsed, pool_pre_ping=True, connect_args={"connect_timeout": CONNECT_TIMEOUT})
    except (NoSuchModuleError, ImportError) as exc:
        raise ConfigError(
            f"Target `{target.name}`: no driver for `{_shown(url)}` ({exc}).",
            zh=f"交付目标 `{target.name}`：没有 `{_shown(url)}` 的数据库驱动（{exc}）。",
        ) from None


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    dbapi_connection.isolation_level = None


def _sqlite_on_begin(connection: Connection) -> None:
    connection.exec_driver_sql("BEGIN IMMEDIATE")


def _column(table: Table, field: str) -> str | None:
    """The table's column for a platform field: the same name, else the only one equal but for case."""
    if field in table.c:
        return field
    folded = [column.name for column in table.c if column.name.lower() == field.lower()]
    return folded[0] if len(folded) == 1 else None


def _unique_keys(table: Table) -> list[set[str]]:
    """The column sets of the table's primary key, unique constraints and unique indexes."""
    keys = [
        {c.name for c in constraint.columns}
        for constraint in table.constraints
        if isinstance(constraint, PrimaryKeyConstraint | UniqueConstraint)
    ]
    keys += [{c.name for c in index.columns} for index in table.indexes if index.unique]
    return [key for key in keys if key]


def _upsert(table: Table, dialect: str, columns: list[str], conflict: list[str]) -> Insert:
    insert = postgresql.insert if dialect == "postgresql" else sqlite.insert
    statement = insert(table)
    update = {column: statement.excluded[column] for column in columns if column not in conflict}
    if not update:
        return statement.on_conflict_do_nothing(index_elements=conflict)
    return statement.on_conflict_do_update(index_elements=conflict, set_=update)


def _value(column: Any, value: Any, field: str) -> Any:
    """A rendered value in the column's type: dates and numbers from their text, lists as JSON in text columns."""
    kind = column.type
    if value is None or isinstance(kind, JSON | ARRAY):
        return value
    if isinstance(value, list | dict):
        return json.dumps(value, ensure_ascii=False, separators=(",", ":"))
    if not isinstance(value, str):
        return value
    try:
        if isinstance(kind, DateTime):
            return datetime.fromisoformat(value)
        if isinstance(kind, Date):
            return date.fromisoformat(value)
        if isinstance(kind, Integer):
            return int(value)
        if isinstance(kind, Float):
            return float(value)
        if isinstance(kind, Numeric):
            return Decimal(value)
    except (ValueError, InvalidOperation):
        raise ValueError(f"`{field}` = `{value}` is not a {kind} for column `{column.name}`") from None
    return value


def _distinct_rounds(rows: list[tuple[str, dict[str, Any]]], conflict: list[str]) -> list[list[Any]]:
    """The rows in order, split so that no statement holds two rows with the same key (a record's two versions)."""
    rounds: list[list[Any]] = [[]]
    seen: set[tuple[Any, ...]] = set()
    for key, row in rows:
        unique = tuple(row[c] for c in conflict)
        if unique in seen:
            rounds.append([])
            seen = set()
        seen.add(unique)
        rounds[-1].append((key, row))
    return rounds


def _write(
    engine: Engine, statement: Insert, rows: list[tuple[str, dict[str, Any]]], conflict: list[str], url: str
) -> list[tuple[str, Outcome]]:
    """All rows in one transaction; when the database refuses one, row by row so that only the refused fail."""
    try:
        with engine.begin() as connection:
            for chunk in _distinct_rounds(rows, conflict):
                connection.execute(statement, [row for _, row in chunk])
    except DBAPIError as exc:
        if not isinstance(exc, ROW_ERRORS):
            raise _transient(exc, url) from exc
        return _row_by_row(engine, statement, rows, url)
    except StatementError:  # a value the driver could not take, before reaching the database
        return _row_by_row(engine, statement, rows, url)
    except SQLAlchemyError as exc:
        raise _transient(exc, url) from exc
    return [(key, Outcome(key, True)) for key, _ in rows]


def _row_by_row(
    engine: Engine, statement: Insert, rows: list[tuple[str, dict[str, Any]]], url: str
) -> list[tuple[str, Outcome]]:
    """Each row in its own savepoint of one transaction: the refused ones rejected with the database's reason."""
    outcomes: list[tuple[str, Outcome]] = []
    try:
        with engine.begin() as connection:
            for key, row in rows:
                try:
                    with connection.begin_nested():
                        connection.execute(statement, row)
                    outcomes.append((key, Outcome(key, True)))
                except ROW_ERRORS as exc:
                    outcomes.append((key, Outcome(key, False, _reason(exc))))
                except DBAPIError:
                    raise  # not the row: the database is down or refuses every row
                except StatementError as exc:
                    outcomes.append((key, Outcome(key, False, _reason(exc))))
    except SQLAlchemyError as exc:
        raise _transient(exc, url) from exc
    return outcomes


def _reason(exc: BaseException) -> str:
    """The database's first line about what went wrong."""
    cause = getattr(exc, "orig", None) or exc
    lines = [line.strip() for line in str(cause).splitlines() if line.strip()]
    return lines[0] if lines else type(cause).__name__


def _transient(exc: BaseException, url: str) -> TransientError:
    reason = _reason(exc)
    password = make_url(url).password
    if isinstance(password, str) and password:
        reason = reason.replace(password, "***")
    return TransientError(f"database `{_shown(url)}`: {type(exc).__name__}: {reason}")


def _shown(url: str) -> str:
    return make_url(url).render_as_string(hide_password=True)
