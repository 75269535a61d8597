"""Retention reaches the register's cache of prepared features: the erased records' names and phones leave the
file, and the next register run prepares them again from the erased data (SQLite and PostgreSQL)."""

from __future__ import annotations

from pathlib import Path

import polars as pl
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.privacy.test_retention import OLD_PHONE, _prepare
from zhizhi.config import Workspace
from zhizhi.privacy.retention import expire
from zhizhi.resolve.cache import features_cache
from zhizhi.resolve.run import resolve


def _cached(workspace: Workspace) -> str:
    return str(pl.read_parquet(features_cache(workspace.root)).to_dicts())


def test_erasure_drops_the_erased_records_from_the_features_cache(
    city: sessionmaker[Session], workspace: Workspace, tmp_path: Path
) -> None:
    _prepare(city, workspace, tmp_path)
    cache = features_cache(workspace.root)
    with city() as session, session.begin():
        resolve(session, OPERATOR, workspace.config.resolve, cache=cache).as_dict()
    before, rows = _cached(workspace), pl.read_parquet(cache).height
    assert "张三" in before and OLD_PHONE[-8:] in before and "李四" in before
    with city() as session, session.begin():
        expire(session, OPERATOR, workspace)
    after = _cached(workspace)
    assert "张三" not in after and OLD_PHONE[-8:] not in after and "李四" in after  # the live record stays
    with city() as session, session.begin():
        resolve(session, OPERATOR, workspace.config.resolve, cache=cache).as_dict()
    assert pl.read_parquet(cache).height == rows  # the erased record prepared again, from its erased data
    rebuilt = _cached(workspace)
    assert "张三" not in rebuilt and OLD_PHONE[-8:] not in rebuilt and "李四" in rebuilt
