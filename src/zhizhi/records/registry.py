"""Record types are found through the `zhizhi.record_types` entry-point group: the built-in ones and any plugin's."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points

from zhizhi.errors import InputError
from zhizhi.records.fields import RecordType

GROUP = "zhizhi.record_types"


@cache
def record_types() -> dict[str, RecordType]:
    """Every registered record type by name."""
    found: dict[str, RecordType] = {}
    for entry in entry_points(group=GROUP):
        kind = entry.load()
        if not isinstance(kind, RecordType):
            raise TypeError(f"Entry point `{entry.name}` in {GROUP} is not a RecordType.")
        found[kind.name] = kind
    return found


def record_type(name: str) -> RecordType:
    """The record type called `name`; a clear error lists the known ones."""
    known = record_types()
    if name not in known:
        raise InputError(
            f"No record type `{name}`; known: " + ", ".join(f"`{n}`" for n in sorted(known)) + ".",
            zh=f"没有名为 `{name}` 的记录类型。",
        )
    return known[name]
