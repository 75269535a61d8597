"""Open the store: SQLite (WAL, foreign keys, busy timeout) by default, PostgreSQL in production."""

from __future__ import annotations

import re
from typing import Any

from sqlalchemy import Connection as SqlConnection
from sqlalchemy import Engine, create_engine, event
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.store.writer import Connection

SQLITE_BUSY_TIMEOUT_MS = 15_000
READING = "zhizhi_reading"
"""An execution option for connections that only read: on SQLite they take no writer lock."""


def make_engine(url: str) -> Engine:
    """An engine for `url`, with the SQLite settings zhizhi relies on.

    A failed statement's error names the statement without its values (`hide_parameters`): an error no handler
    expects is logged whole, and the values are records' ID numbers and phones, or a password's hash.
    """
    if url.startswith("sqlite"):
        connect_args = {"check_same_thread": False, "timeout": SQLITE_BUSY_TIMEOUT_MS / 1000, "factory": Connection}
        engine = create_engine(url, connect_args=connect_args, hide_parameters=True)
        event.listen(engine, "connect", _sqlite_on_connect)
        event.listen(engine, "begin", _sqlite_on_begin)
        return engine
    return create_engine(url, pool_pre_ping=True, connect_args={"connect_timeout": 5}, hide_parameters=True)


def make_sessionmaker(engine: Engine) -> sessionmaker[Session]:
    """Sessions that keep loaded objects usable after commit."""
    return sessionmaker(engine, expire_on_commit=False)


def reads_only(connection: SqlConnection) -> bool:
    """Whether the store takes no writes on `connection`: a SQLite file opened read-only (its folder cannot be
    written, see `writer`), a PostgreSQL transaction that only reads (a standby, `default_transaction_read_only`).
    For what would write only in passing (a token's last use), and for saying so before a write that cannot be done
    (signing in on the web); every other write just fails, as `is_read_only` names it."""
    if connection.dialect.name == "sqlite":
        return bool(getattr(connection.connection.dbapi_connection, "read_only", None))
    return connection.exec_driver_sql("SHOW transaction_read_only").scalar() == "on"


def display_url(url: str) -> str:
    """The URL with any password replaced by `***`, safe to print."""
    return re.sub(r"(://[^:/@]+):[^@]*@", r"\1:***@", url)


def _sqlite_on_connect(dbapi_connection: Any, _record: Any) -> None:
    # Let SQLAlchemy's "begin" event issue BEGIN IMMEDIATE: a transaction that reads and then writes
    # (the audit chain's head, for one) must hold the write lock from its start, or it may fail with
    # SQLITE_BUSY when another writer commits in between.
    dbapi_connection.isolation_level = None
    cursor = dbapi_connection.cursor()
    cursor.execute("PRAGMA page_size=16384")  # takes effect on a new database only: wide rows, fewer page splits
    cursor.execute("PRAGMA journal_mode=WAL")
    cursor.execute("PRAGMA foreign_keys=ON")
    cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_TIMEOUT_MS}")
    cursor.execute("PRAGMA synchronous=NORMAL")
    cursor.execute("PRAGMA cache_size=-65536")  # 64 MiB of pages: large ingests insert into wide indexes
    cursor.close()


def _sqlite_on_begin(connection: Any) -> None:
    dbapi_connection = connection.connection.dbapi_connection
    # A reader: WAL lets it read beside the writer, with no lock. A store opened read-only has no lock to take: its
    # first write fails as read-only (`is_read_only`), its reads work.
    if connection.get_execution_options().get(READING) or getattr(dbapi_connection, "read_only", None):
        connection.exec_driver_sql("BEGIN")
        return
    # The writer lock first (taken in turn, see `writer`), then SQLite's own.
    dbapi_connection.acquire()
    try:
        connection.exec_driver_sql("BEGIN IMMEDIATE")
    except BaseException:
        dbapi_connection.release()
        raise
