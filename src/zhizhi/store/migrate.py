"""Alembic migrations, run from code: the only source of the schema."""

from __future__ import annotations

from pathlib import Path

from alembic import command
from alembic.config import Config
from alembic.runtime.migration import MigrationContext
from alembic.script import ScriptDirectory
from sqlalchemy import Connection, Engine
from sqlalchemy.exc import DBAPIError

from zhizhi.errors import DatabaseBusyError, DatabaseUnavailableError, ReadOnlyError, SchemaOutdatedError
from zhizhi.store.engine import READING, SQLITE_BUSY_TIMEOUT_MS, display_url

MIGRATIONS = Path(__file__).parent / "migrations"


def alembic_config(engine: Engine) -> Config:
    """An Alembic config that runs against `engine`."""
    config = Config()
    config.set_main_option("script_location", str(MIGRATIONS))
    config.attributes["engine"] = engine
    return config


def head_revision() -> str:
    """The newest revision this version of zhizhi knows."""
    script = ScriptDirectory(str(MIGRATIONS))
    head = script.get_current_head()
    assert head is not None
    return head


def current_revision(bind: Engine | Connection) -> str | None:
    """The revision the database is at, or None when it has no zhizhi schema."""
    if isinstance(bind, Connection):
        return MigrationContext.configure(bind).get_current_revision()
    try:
        with bind.connect().execution_options(**{READING: True}) as connection:
            return MigrationContext.configure(connection).get_current_revision()
    except DBAPIError as exc:
        raise unavailable(bind, exc) from exc


def upgrade(engine: Engine, revision: str = "head") -> str:
    """Migrate the database up to `revision`; returns the revision reached."""
    try:
        command.upgrade(alembic_config(engine), revision)
    except DBAPIError as exc:
        if exc.connection_invalidated or _is_connect_failure(exc):
            raise unavailable(engine, exc) from exc
        raise
    reached = current_revision(engine)
    assert reached is not None
    return reached


def check_schema(engine: Engine) -> None:
    """Refuse to work on a database that is unreachable or not at the head revision."""
    current = current_revision(engine)
    head = head_revision()
    if current != head:
        where = display_url(engine.url.render_as_string(hide_password=False))
        state = "has no zhizhi schema" if current is None else f"is at schema revision `{current}`"
        state_zh = "没有 zhizhi 的表结构" if current is None else f"的表结构版本为 `{current}`"
        raise SchemaOutdatedError(
            f"Database `{where}` {state}; this version needs `{head}`. Run `zhizhi db upgrade`.",
            zh=f"数据库 `{where}` {state_zh}，本版本需要 `{head}`。请运行 `zhizhi db upgrade`。",
        )


def unavailable(engine: Engine, exc: DBAPIError) -> DatabaseUnavailableError | DatabaseBusyError:
    """A one-line error for a database that cannot be reached, or that is busy (which is not the same advice)."""
    where = display_url(engine.url.render_as_string(hide_password=False))
    if is_busy(exc):
        return busy(where)
    reason = str(exc.orig).strip().splitlines()[0] if exc.orig else type(exc).__name__
    return DatabaseUnavailableError(
        f"Cannot connect to database `{where}` ({reason}). "
        "Check ZHIZHI_DATABASE_URL or `database.url` in zhizhi.yaml, and that the server is running.",
        zh=f"无法连接数据库 `{where}`（{reason}）。请检查 ZHIZHI_DATABASE_URL 或 zhizhi.yaml 中的 `database.url`，"
        "并确认数据库服务器正在运行。",
    )


BUSY_MESSAGES = ("database is locked", "database table is locked", "lock timeout", "could not obtain lock")


def is_busy(exc: BaseException) -> bool:
    """Whether a database error says another transaction held a lock for longer than zhizhi waits."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return any(message in text for message in BUSY_MESSAGES)


def busy(where: str | None = None) -> DatabaseBusyError:
    """The error for a lock that another process held too long: nothing was written, and trying again will do."""
    seconds = SQLITE_BUSY_TIMEOUT_MS // 1000
    name, name_zh = (f"Database `{where}`", f"数据库 `{where}`") if where else ("The database", "数据库")
    return DatabaseBusyError(
        f"{name} is busy: another process (a worker, an ingest) held its write lock for more than "
        f"{seconds} s, so nothing was written. Run the command again; if it keeps happening, look for a long ingest "
        "or a stuck process, or move to PostgreSQL for many writers at once.",
        zh=f"{name_zh}正忙：另一个进程（发送进程或导入）占用写锁超过 {seconds} 秒，本次未写入任何数据。"
        "请重新执行；如反复出现，请检查是否有长时间运行的导入或卡住的进程，多进程同时写入时请改用 PostgreSQL。",
    )


READ_ONLY_MESSAGES = ("readonly database", "read-only transaction")


def is_read_only(exc: BaseException) -> bool:
    """Whether a database error says the store cannot be written here: a SQLite file or folder that is read-only
    (a copy for reading), a PostgreSQL session or server that only reads (a standby, a read-only default)."""
    text = str(getattr(exc, "orig", None) or exc).lower()
    return any(message in text for message in READ_ONLY_MESSAGES)


def read_only(where: str | None = None) -> ReadOnlyError:
    """The error for a write to a store that only reads here: nothing was changed, and reading still works."""
    name, name_zh = (f"Database `{where}`", f"数据库 `{where}`") if where else ("The database", "数据库")
    return ReadOnlyError(
        f"{name} is read-only here (a read-only copy, a folder or file you may only read, or a database that only "
        "reads), so nothing was changed. Reading works (status, lists, show, verify); to change data, work on a "
        "writable workspace.",
        zh=f"{name_zh}在此为只读（只读副本、您只能读取的文件夹或文件，或只读的数据库），未作任何更改。"
        "读取仍可进行（status、列表、show、verify）；如需修改数据，请在可写的工作区中操作。",
    )


def _is_connect_failure(exc: DBAPIError) -> bool:
    text = str(exc.orig).lower()
    return any(s in text for s in ("connection refused", "could not connect", "unable to open database"))
