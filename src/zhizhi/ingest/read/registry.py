"""Readers are found through the `zhizhi.readers` entry-point group: the built-in ones and any installed plugin."""

from __future__ import annotations

from functools import cache
from importlib.metadata import entry_points
from pathlib import Path

from zhizhi.errors import InputError
from zhizhi.ingest.read.base import Reader, Reading, ReadOptions

GROUP = "zhizhi.readers"


@cache
def readers() -> dict[str, Reader]:
    """Every registered reader by name."""
    found: dict[str, Reader] = {}
    for entry in entry_points(group=GROUP):
        found[entry.name] = entry.load()()
    return found


def reader_for(path: Path, name: str | None = None) -> Reader:
    """The reader a source names, else the one for the file's suffix."""
    available = readers()
    if name is not None:
        if name not in available:
            raise InputError(f"No reader `{name}`; installed: " + ", ".join(f"`{n}`" for n in sorted(available)) + ".")
        return available[name]
    suffix = path.suffix.lower()
    for reader in available.values():
        if suffix in reader.suffixes:
            return reader
    known = sorted(s for r in available.values() for s in r.suffixes)
    raise InputError(
        f"File `{path.name}`: no reader for `{suffix or 'no suffix'}` files; zhizhi reads "
        + ", ".join(known)
        + ". Export the data in one of these, or name a reader in the source.",
        zh=f"文件 `{path.name}` 的格式无法读取，请导出为 CSV 或 Excel。",
    )


def open_file(path: Path, options: ReadOptions | None = None, *, reader: str | None = None) -> Reading:
    """Open `path` with the right reader."""
    if not path.is_file():
        raise InputError(f"File `{path}` does not exist.", zh=f"文件 `{path}` 不存在。")
    return reader_for(path, reader).open(path, options or ReadOptions())
