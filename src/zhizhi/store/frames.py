"""Query results as polars frames, and id lists cut to what one statement may bind."""

from __future__ import annotations

from collections.abc import Iterator, Mapping, Sequence
from typing import Any

import polars as pl
from sqlalchemy import Select
from sqlalchemy.orm import Session

SLICE = 5_000  # ids per IN (...): well below SQLite's and PostgreSQL's limits on bound parameters


def frame(session: Session, query: Select[*tuple[Any, ...]], schema: Mapping[str, Any]) -> pl.DataFrame:
    """The rows of `query` as a frame with these column names and types (in the query's column order)."""
    return pl.DataFrame([tuple(row) for row in session.execute(query)], schema=dict(schema), orient="row")


def slices(ids: Sequence[int]) -> Iterator[Sequence[int]]:
    """`ids` in parts of at most `SLICE`, for `column.in_(part)`."""
    for start in range(0, len(ids), SLICE):
        yield ids[start : start + SLICE]
