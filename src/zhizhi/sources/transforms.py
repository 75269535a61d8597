"""Transforms a source applies to a column before the field's own cleaning, in the order the source lists them.

| transform | argument | effect |
| --- | --- | --- |
| `strip_prefix` | text or list | remove the first of these that the value starts with |
| `strip_suffix` | text or list | remove the first of these that the value ends with |
| `replace` | {regex: replacement} | regular-expression replacement, every match |
| `extract` | regex with one group | keep the group; a value that does not match becomes blank |
| `map` | {value: value} | replace whole values (e.g. 在业 -> 存续); others stay |
| `default` | text | the value used when the cell is blank |
| `upper` / `lower` | true | change case |
"""

from __future__ import annotations

import re
from collections.abc import Callable
from typing import Any

import polars as pl

from zhizhi.errors import ConfigError

Transform = Callable[[pl.Expr, Any], pl.Expr]


def _texts(argument: Any) -> list[str]:
    return [argument] if isinstance(argument, str) else [str(item) for item in argument]


def _strip_prefix(expr: pl.Expr, argument: Any) -> pl.Expr:
    for prefix in _texts(argument):
        expr = pl.when(expr.str.starts_with(prefix)).then(expr.str.slice(len(prefix))).otherwise(expr)
    return expr


def _strip_suffix(expr: pl.Expr, argument: Any) -> pl.Expr:
    for suffix in _texts(argument):
        expr = expr.str.strip_suffix(suffix)
    return expr


def _replace(expr: pl.Expr, argument: Any) -> pl.Expr:
    for pattern, replacement in dict(argument).items():
        expr = expr.str.replace_all(pattern, str(replacement))
    return expr


def _extract(expr: pl.Expr, argument: Any) -> pl.Expr:
    return expr.str.extract(str(argument), 1)


def _map(expr: pl.Expr, argument: Any) -> pl.Expr:
    mapping = {str(k): str(v) for k, v in dict(argument).items()}
    return expr.replace(mapping)


def _default(expr: pl.Expr, argument: Any) -> pl.Expr:
    blank = expr.is_null() | (expr.str.strip_chars() == "")
    return pl.when(blank).then(pl.lit(str(argument))).otherwise(expr)


TRANSFORMS: dict[str, Transform] = {
    "strip_prefix": _strip_prefix,
    "strip_suffix": _strip_suffix,
    "replace": _replace,
    "extract": _extract,
    "map": _map,
    "default": _default,
    "upper": lambda expr, _: expr.str.to_uppercase(),
    "lower": lambda expr, _: expr.str.to_lowercase(),
}


def check_transform(step: dict[str, Any]) -> None:
    """A transform step is one known name with a usable argument; raises ValueError saying which is wrong."""
    if len(step) != 1:
        raise ValueError(f"a transform step has exactly one name, got {sorted(step)}")
    name, argument = next(iter(step.items()))
    if name not in TRANSFORMS:
        raise ValueError(f"unknown transform `{name}`; known: {', '.join(sorted(TRANSFORMS))}")
    if name in ("replace", "map") and not isinstance(argument, dict):
        raise ValueError(f"`{name}` takes a mapping")
    if name in ("replace", "extract"):
        for pattern in argument if isinstance(argument, dict) else [argument]:
            try:
                compiled = re.compile(str(pattern))
            except re.error as exc:
                raise ValueError(f"`{name}`: `{pattern}` is not a regular expression ({exc})") from exc
            if name == "extract" and compiled.groups != 1:
                raise ValueError(f"`extract`: `{pattern}` must have exactly one group")


def apply_transforms(expr: pl.Expr, steps: list[dict[str, Any]]) -> pl.Expr:
    """The expression with each step applied in order."""
    for step in steps:
        name, argument = next(iter(step.items()))
        if name not in TRANSFORMS:
            raise ConfigError(
                f"Unknown transform `{name}`; known: {', '.join(TRANSFORMS)}.",
                zh=f"未知的转换 `{name}`；已知的有：{'、'.join(TRANSFORMS)}。",
            )
        expr = TRANSFORMS[name](expr, argument)
    return expr
