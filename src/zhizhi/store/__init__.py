"""The store: engine, tables and migrations."""

from zhizhi.store.engine import display_url, make_engine, make_sessionmaker, reads_only
from zhizhi.store.migrate import (
    busy,
    check_schema,
    current_revision,
    head_revision,
    is_busy,
    is_read_only,
    read_only,
    upgrade,
)
from zhizhi.store.settled import when_settled
from zhizhi.store.types import MAX_ID, utcnow
from zhizhi.store.writer import background, on_wait

__all__ = [
    "MAX_ID",
    "background",
    "busy",
    "check_schema",
    "current_revision",
    "display_url",
    "head_revision",
    "is_busy",
    "is_read_only",
    "make_engine",
    "make_sessionmaker",
    "on_wait",
    "read_only",
    "reads_only",
    "upgrade",
    "utcnow",
    "when_settled",
]
