"""Column helpers the normalizers share: run an expression over a Series, translate distinct values only."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import polars as pl

_VALUE = "value"


def apply_expr(values: pl.Series, build: Callable[[pl.Expr], pl.Expr]) -> pl.Series:
    """Run an expression builder over one Series, keeping the Series' name."""
    frame = pl.DataFrame({_VALUE: values})
    return frame.select(build(pl.col(_VALUE))).to_series().alias(values.name)


def blank_as_null(expr: pl.Expr) -> pl.Expr:
    """Turn empty strings into null (without repeating `expr`, which a when/then would evaluate twice)."""
    return expr.replace("", None)


def on_distinct(values: pl.Series, normalize: Callable[[pl.Series], pl.Series]) -> pl.Series:
    """Run a column normalizer over the distinct values only and join its results back in the values' order.

    Worth it where a column repeats itself (dates: a million rows hold a few thousand days); nulls are passed on.
    """
    distinct = values.unique()
    table = pl.DataFrame({"key": distinct, _VALUE: normalize(distinct)})
    joined = pl.DataFrame({"key": values}).join(table, on="key", how="left", nulls_equal=True, maintain_order="left")
    return joined[_VALUE].alias(values.name)


def map_distinct(keys: pl.Series, translate: Callable[[Any], Any], dtype: pl.DataType) -> pl.Series:
    """Translate each distinct key once in Python (null keys as None) and join the answers back in order."""
    return on_distinct(keys, lambda distinct: pl.Series([translate(key) for key in distinct.to_list()], dtype=dtype))
