"""Bulk writes of an ingest: the lock that serialises ingests, ids numbered without reading them back, and inserts
through PostgreSQL's COPY or, on SQLite, statements of many rows each (per-row Python work is what limits the speed
of a large file).

Ingests are serialised (on PostgreSQL by an advisory lock held for the transaction; SQLite's write lock does it
there), which is what lets a batch number its new rows itself.
"""

from __future__ import annotations

import io
import itertools
import sqlite3
from collections.abc import Callable, Mapping, Sequence
from datetime import datetime
from typing import Any

import polars as pl
from sqlalchemy import Connection, func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from zhizhi.store.tables import Base
from zhizhi.store.types import UTCDateTime

INGEST_LOCK = 7_405_000_001  # the advisory lock key that serialises ingests on PostgreSQL


def lock_ingest(session: Session) -> None:
    """Hold the ingest lock until the transaction ends (PostgreSQL; SQLite's write lock serialises already)."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:key)"), {"key": INGEST_LOCK})


class Ids:
    """The next free id of each table this transaction writes to."""

    def __init__(self, session: Session) -> None:
        self.session = session
        self.next: dict[str, int] = {}

    def take(self, table: type[Base], count: int) -> int:
        """Reserve `count` ids and return the first."""
        name = table.__tablename__
        if name not in self.next:
            column = table.__table__.c.id
            self.next[name] = (self.session.scalar(select(func.max(column))) or 0) + 1
        first = self.next[name]
        self.next[name] = first + count
        return first


def stamp(session: Session, moment: datetime) -> Any:
    """A timestamp as the driver takes it for a UTCDateTime column."""
    dialect = session.get_bind().dialect
    processor = UTCDateTime().dialect_impl(dialect).bind_processor(dialect)
    return processor(moment) if processor else moment


def bulk_insert(
    session: Session,
    table: type[Base],
    columns: Sequence[str],
    rows: Sequence[tuple[Any, ...]] | pl.DataFrame,
    *,
    fixed: Mapping[str, Any] | None = None,
) -> None:
    """Insert rows (tuples, or a frame's rows, in the order of `columns`), each with the `fixed` values (column ->
    the same value in every row): PostgreSQL's COPY (several times faster than INSERTs; a frame is copied as text
    polars writes, no Python work per row), on SQLite statements of up to 500 rows each (the fixed values written
    into the statement, so that only what differs is bound). Values are as the driver takes them (see `stamp`)."""
    fixed = dict(fixed or {})
    if len(rows) == 0:
        return
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    listed = ", ".join(quote(c) for c in (*columns, *fixed))
    if connection.dialect.name == "postgresql":
        target = f"{quote(table.__tablename__)} ({listed})"
        if isinstance(rows, pl.DataFrame):
            _copy_text(connection, target, rows.with_columns(pl.lit(v).alias(c) for c, v in fixed.items()))
        else:
            extra = tuple(fixed.values())
            _copy(connection, target, [(*row, *extra) for row in rows] if extra else rows)
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    marks = [mark] * len(columns)
    if isinstance(rows, pl.DataFrame):
        # A frame's texts beyond ASCII (Chinese) are bound as their UTF-8 bytes and taken as text by SQLite (the
        # store's encoding is UTF-8): no Python string is made of each value and encoded back. ASCII texts are
        # bound as strings, which the driver takes as they are.
        wide = [c for c in rows.columns if rows[c].dtype == pl.String and _beyond_ascii(rows[c])]
        marks = [f"CAST({mark} AS TEXT)" if c in wide else mark for c, mark in zip(rows.columns, marks, strict=True)]
        values = _flat(rows.with_columns(pl.col(wide).cast(pl.Binary)))
    else:
        values = list(itertools.chain.from_iterable(rows))
    one = f"({', '.join(marks + [_literal(v) for v in fixed.values()])})"
    _insert_many(connection, f"INSERT INTO {quote(table.__tablename__)} ({listed}) VALUES ", one, values, len(columns))


def _insert_many(connection: Connection, insert: str, one: str, values: list[Any], width: int) -> None:
    """Insert `values` (rows of `width` values after one another), many rows a statement on SQLite: the driver binds
    and steps a statement at a time, so its work per row (and each wait for the interpreter lock it lets go while
    SQLite works) is shared by the rows of a statement. `one` is a row's VALUES tuple of marks and literals."""
    driver = connection.connection.driver_connection
    assert driver is not None
    many = max(1, min(ROWS_PER_STATEMENT, driver.getlimit(sqlite3.SQLITE_LIMIT_VARIABLE_NUMBER) // width))
    step = many * width
    whole = len(values) - len(values) % step
    if whole:
        statements = [tuple(values[i : i + step]) for i in range(0, whole, step)]
        connection.exec_driver_sql(insert + ", ".join([one] * many), statements)
    if whole < len(values):
        connection.exec_driver_sql(insert + ", ".join([one] * ((len(values) - whole) // width)), tuple(values[whole:]))


ROWS_PER_STATEMENT = 500  # SQLite's statements of many rows (within its limit of bound values a statement)


def _flat(frame: pl.DataFrame) -> list[Any]:
    """A frame's values row after row in one list."""
    width = frame.width
    values: list[Any] = [None] * (frame.height * width)
    for n, column in enumerate(frame.iter_columns()):
        values[n::width] = column.to_list()
    return values


def _beyond_ascii(texts: pl.Series) -> bool:
    return bool((texts.str.len_bytes() != texts.str.len_chars()).any())


def _literal(value: Any) -> str:
    """A value written into an SQLite statement: a number, NULL, or a quoted text."""
    if value is None:
        return "NULL"
    if isinstance(value, bool):
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    if isinstance(value, str):
        return "'" + value.replace("'", "''") + "'"
    raise TypeError(f"no SQL literal for {type(value).__name__} `{value!r}`")


def bulk_update(
    session: Session, table: type[Base], key: str, columns: Sequence[str], rows: Sequence[tuple[Any, ...]]
) -> None:
    """Update rows by `key` (tuples: the key, then `columns`, as the driver takes them): on PostgreSQL the rows are
    copied into a temporary table and applied in one UPDATE (about three times faster than one UPDATE a row); the
    driver's executemany elsewhere."""
    if not rows:
        return
    connection = session.connection()
    quote = connection.dialect.identifier_preparer.quote
    name = quote(table.__tablename__)
    if connection.dialect.name == "postgresql":
        listed = ", ".join(quote(c) for c in (key, *columns))
        connection.exec_driver_sql(
            f"CREATE TEMPORARY TABLE zhizhi_update ON COMMIT DROP AS SELECT {listed} FROM {name} WITH NO DATA"
        )
        _copy(connection, f"zhizhi_update ({listed})", rows)
        assigned = ", ".join(f"{quote(c)} = u.{quote(c)}" for c in columns)
        connection.exec_driver_sql(
            f"UPDATE {name} SET {assigned} FROM zhizhi_update u WHERE {name}.{quote(key)} = u.{quote(key)}"
        )
        connection.exec_driver_sql("DROP TABLE zhizhi_update")
        return
    mark = "?" if connection.dialect.paramstyle == "qmark" else "%s"
    assigned = ", ".join(f"{quote(c)} = {mark}" for c in columns)
    connection.exec_driver_sql(
        f"UPDATE {name} SET {assigned} WHERE {quote(key)} = {mark}", [(*row[1:], row[0]) for row in rows]
    )


def _copy(connection: Connection, target: str, rows: Sequence[tuple[Any, ...]]) -> None:
    """PostgreSQL's COPY of `rows` into `target` (a table and its columns)."""

    def send(copy: Any) -> None:
        for row in rows:
            copy.write_row(row)

    _copying(connection, f"COPY {target} FROM STDIN", send)


def _copy_text(connection: Connection, target: str, frame: pl.DataFrame) -> None:
    """PostgreSQL's COPY of a frame's rows into `target`, in COPY's text format as polars writes it: texts with
    their backslashes, tabs and line breaks escaped, nulls as `\\N`."""
    escaped = frame.with_columns(pl.col(pl.String).str.replace_many(_SPECIAL, _ESCAPED))
    text = io.BytesIO()
    escaped.write_csv(text, include_header=False, separator="\t", quote_style="never", null_value="\\N")
    _copying(connection, f"COPY {target} FROM STDIN", lambda copy: copy.write(text.getbuffer()))


_SPECIAL = ["\\", "\n", "\r", "\t"]
_ESCAPED = ["\\\\", "\\n", "\\r", "\\t"]


def _copying(connection: Connection, statement: str, send: Callable[[Any], None]) -> None:
    """Run a COPY ... FROM STDIN, `send` writing the data. The driver's errors are raised as SQLAlchemy's, as from
    any other statement: a duplicate key is an `IntegrityError`."""
    driver = connection.connection.driver_connection
    assert driver is not None
    base = connection.dialect.loaded_dbapi.Error
    try:
        with driver.cursor() as cursor, cursor.copy(statement) as copy:
            send(copy)
    except base as error:
        raise DBAPIError.instance(statement, None, error, base, dialect=connection.dialect) from error
