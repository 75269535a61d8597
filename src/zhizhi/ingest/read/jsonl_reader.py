"""JSON lines: one object per line; a line that is not an object is kept as a row with its error."""

from __future__ import annotations

import json
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import polars as pl

from zhizhi.errors import InputError
from zhizhi.ingest.read.base import CHUNK_ROWS, ERROR, ROW, Chunk, Reading, ReadOptions, Skip, unique_header


class JsonLinesReader:
    """Reads `.jsonl` / `.ndjson`; nested values are kept as JSON text."""

    name = "jsonl"
    needs_file = True
    fixed_header = False  # records need not all carry every key: a missing one is empty
    suffixes = (".jsonl", ".ndjson")

    def open(self, path: Path, options: ReadOptions) -> Reading:
        reading = Reading(path=path, encoding=options.encoding or "utf-8", chunks=iter(()))
        reading.chunks = self._chunks(path, reading)
        return reading

    def _chunks(self, path: Path, reading: Reading) -> Iterator[Chunk]:
        batch: list[tuple[int, str | None, dict[str, str]]] = []
        try:
            with path.open(encoding=reading.encoding or "utf-8-sig") as handle:
                for number, line in enumerate(handle, start=1):
                    if not line.strip():
                        reading.skipped.append(Skip(None, number, "blank"))
                        continue
                    batch.append(_parse(number, line))
                    if len(batch) >= CHUNK_ROWS:
                        yield _chunk(batch, reading)
                        batch = []
        except UnicodeDecodeError as exc:
            raise InputError(
                f"File `{path.name}`: bytes are not `{reading.encoding}` ({exc.reason}).",
                zh=f"文件 `{path.name}` 不是 `{reading.encoding}` 编码，请指定文件的实际编码或另存为 UTF-8。",
            ) from None
        if batch:
            yield _chunk(batch, reading)


def _parse(number: int, line: str) -> tuple[int, str | None, dict[str, str]]:
    try:
        value = json.loads(line)
    except json.JSONDecodeError as exc:
        return number, f"not valid JSON ({exc.msg} at character {exc.pos})", {}
    if not isinstance(value, dict):
        return number, f"a JSON {type(value).__name__}, not an object", {}
    return number, None, {str(k): _text(v) for k, v in value.items()}


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    return json.dumps(value, ensure_ascii=False)


def _chunk(batch: list[tuple[int, str | None, dict[str, str]]], reading: Reading) -> Chunk:
    keys = list(dict.fromkeys(k for _, _, row in batch for k in row))
    names = unique_header(keys)
    header = reading.headers.setdefault(None, [])
    header.extend(n for n in names if n not in header)
    columns: dict[str, list[Any]] = {ROW: [b[0] for b in batch], ERROR: [b[1] for b in batch]}
    for key, name in zip(keys, names, strict=True):
        columns[name] = [row.get(key, "") for _, _, row in batch]
    schema = {ROW: pl.Int64, ERROR: pl.String, **{n: pl.String for n in names}}
    return Chunk(None, pl.DataFrame(columns, schema=schema))
