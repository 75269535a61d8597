"""The file transport: for a system that only takes uploads, each batch becomes one file dropped into a folder.

Settings (`transport:` in the target file): `folder` (created when missing; write it absolute), `format` (`csv`,
the default, or `xlsx`), `encoding` (csv: `utf-8-sig`, the default, or `gbk`), `columns` (the platform's template
order: every field of `fields` once, and the key column where it goes; default the order of `fields`), `filename`
(default `{target}-{time}-{first_id}.{ext}`), `key_column` (default `zhizhi_key`, the column holding each record's
idempotency key; null to leave it out), `acknowledge` (`on_write`, the default, or `later`), `batch_size` (default
500).

A file is written under a hidden temporary name in the same folder, flushed to disk, then renamed to its final name,
so a system that picks files up never sees half of one; an existing file is never overwritten. A record with a
character the encoding cannot hold is rejected with the field and the character and left out of the file. A folder
that cannot be written (missing rights, disk full) is transient: the batch is tried again later.
"""

from __future__ import annotations

import contextlib
import csv
import io
import os
import uuid
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Literal

from pydantic import BaseModel, ConfigDict, Field

from zhizhi.delivery.targets import TargetConfig
from zhizhi.delivery.transports import Item, Outcome, TransientError, setting
from zhizhi.errors import ConfigError
from zhizhi.ingest.export import safe_cell
from zhizhi.ingest.read.sql_reader import cell_text


class FileSettings(BaseModel):
    """The file transport's settings, checked when the target file loads."""

    model_config = ConfigDict(extra="forbid")

    folder: str = Field(min_length=1, description="where files are written")
    format: Literal["csv", "xlsx"] = "csv"
    encoding: Literal["utf-8-sig", "utf-8", "gbk", "gb18030"] = "utf-8-sig"
    columns: list[str] | None = None
    filename: str = Field(default="{target}-{time}-{first_id}.{ext}", min_length=1)
    key_column: str | None = "zhizhi_key"
    acknowledge: Literal["on_write", "later"] = "on_write"
    batch_size: int = Field(default=500, ge=1, le=100_000)


PLACEHOLDERS = ("target", "time", "first_id", "count", "ext")


class FileTransport:
    """Writes each batch to one new file in the target's folder."""

    name = "file"
    Settings = FileSettings

    def batch_size(self, target: TargetConfig) -> int:
        return int(setting(target, "batch_size", 500))

    def send(self, target: TargetConfig, items: list[Item]) -> list[Outcome]:
        options = _Options.of(target)
        outcomes: dict[str, Outcome] = {}
        rows: list[list[Any]] = []
        for key, record in items:
            values = [key if column == options.key_column else record.get(column) for column in options.columns]
            problem = options.unencodable(values)
            if problem:
                outcomes[key] = Outcome(key, False, problem)
                continue
            rows.append(values)
            outcomes[key] = Outcome(key, True if options.acknowledge == "on_write" else None)
        if rows:
            first = next(key for key, _ in items if outcomes[key].accepted is not False)
            _deliver(options, _name(target, options, first, len(rows)), rows)
        return [outcomes[key] for key, _ in items]


class _Options:
    """A target's file settings, checked."""

    def __init__(self, target: TargetConfig) -> None:
        settings = FileSettings.model_validate(target.transport.settings)  # checked when the file loaded, too
        self.folder = Path(settings.folder)
        self.format, self.encoding, self.acknowledge = settings.format, settings.encoding, settings.acknowledge
        self.filename = settings.filename
        self.key_column: str | None = settings.key_column or None
        self.columns = _columns(target, self.key_column)
        if self.format == "csv":
            for column in self.columns:
                try:
                    column.encode(self.encoding)
                except UnicodeEncodeError:
                    raise ConfigError(
                        f"Target `{target.name}`: column `{column}` cannot be written in {self.encoding}.",
                        zh=f"交付目标 `{target.name}`：列 `{column}` 无法以 {self.encoding} 编码写出。",
                    ) from None

    @classmethod
    def of(cls, target: TargetConfig) -> _Options:
        return cls(target)

    def unencodable(self, values: list[Any]) -> str | None:
        """Why a row cannot be written in the csv encoding (the column and the character), or None."""
        if self.format != "csv":
            return None
        for column, value in zip(self.columns, values, strict=True):
            text = cell_text(value)
            try:
                text.encode(self.encoding)
            except UnicodeEncodeError as exc:
                char = text[exc.start]
                return (
                    f"「{column}」中的字符「{char}」(U+{ord(char):04X}) 无法用 {self.encoding} 编码写入文件 / "
                    f"`{column}` holds `{char}` (U+{ord(char):04X}), which {self.encoding} cannot encode"
                )
        return None


def _columns(target: TargetConfig, key_column: str | None) -> list[str]:
    """The file's columns: `columns` when given (every field once, the key column where it is), else `fields`."""
    wanted = [*target.fields, *([key_column] if key_column else [])]
    given = setting(target, "columns")
    if given is None:
        return wanted
    if not isinstance(given, list) or not all(isinstance(c, str) for c in given):
        raise ConfigError(
            f"Target `{target.name}`: `transport.columns` must be a list of the platform's fields.",
            zh=f"交付目标 `{target.name}`：`transport.columns` 应是平台字段的列表。",
        )
    unknown = [c for c in given if c not in wanted]
    missing = [c for c in target.fields if c not in given]
    twice = sorted({c for c in given if given.count(c) > 1})
    if unknown or missing or twice:
        problems = [
            *([f"names {', '.join(unknown)}, which are not in `fields`"] if unknown else []),
            *([f"leaves out {', '.join(missing)}"] if missing else []),
            *([f"names {', '.join(twice)} twice"] if twice else []),
        ]
        problems_zh = [
            *([f"列出了不在 `fields` 中的 {'、'.join(unknown)}"] if unknown else []),
            *([f"漏掉了 {'、'.join(missing)}"] if missing else []),
            *([f"把 {'、'.join(twice)} 列出了两次"] if twice else []),
        ]
        raise ConfigError(
            f"Target `{target.name}`: `transport.columns` {'; '.join(problems)}; list every field of `fields` "
            "once, in the template's order.",
            zh=f"交付目标 `{target.name}`：`transport.columns` {'；'.join(problems_zh)}；"
            "请按模板的顺序把 `fields` 中的每个字段列出一次。",
        )
    if key_column and key_column not in given:
        given = [*given, key_column]
    return list(given)


def _name(target: TargetConfig, options: _Options, first_key: str, count: int) -> str:
    """The file's name from the `filename` pattern; `first_id` is the idempotency key of the batch's first record."""
    values = {
        "target": target.name,
        "time": datetime.now(UTC).strftime("%Y%m%dT%H%M%SZ"),
        "first_id": first_key,
        "count": str(count),
        "ext": options.format,
    }
    try:
        name = options.filename.format(**values)
    except (KeyError, IndexError, ValueError):
        raise ConfigError(
            f"Target `{target.name}`: `transport.filename` = `{options.filename}` may only use "
            + ", ".join(f"{{{p}}}" for p in PLACEHOLDERS)
            + ".",
            zh=f"交付目标 `{target.name}`：`transport.filename` = `{options.filename}` 只能使用占位符 "
            + "、".join(f"{{{p}}}" for p in PLACEHOLDERS)
            + "。",
        ) from None
    if not name or name != Path(name).name or name.startswith("."):
        raise ConfigError(
            f"Target `{target.name}`: `transport.filename` = `{options.filename}` must make a plain file name "
            "(no folders, not hidden); the folder is `transport.folder`.",
            zh=f"交付目标 `{target.name}`：`transport.filename` = `{options.filename}` 须生成一个普通文件名"
            "（不含文件夹，不以 . 开头）；文件夹由 `transport.folder` 指定。",
        )
    return name


def _deliver(options: _Options, name: str, rows: list[list[Any]]) -> Path:
    """Write the file under a temporary name, flush it to disk, then rename it to a name not yet taken."""
    temporary = options.folder / f".{name}.{uuid.uuid4().hex[:8]}.tmp"
    try:
        options.folder.mkdir(parents=True, exist_ok=True)
        with open(temporary, "xb") as handle:
            if options.format == "xlsx":
                _write_xlsx(handle, options.columns, rows)
            else:
                handle.write(_csv_bytes(options, rows))
            handle.flush()
            os.fsync(handle.fileno())
        final = _free_name(options.folder, name)
        os.replace(temporary, final)
        _sync_folder(options.folder)
        return final
    except OSError as exc:
        _discard(temporary)
        raise TransientError(f"folder `{options.folder}`: {type(exc).__name__}: {exc.strerror or exc}") from exc
    except BaseException:
        _discard(temporary)
        raise


def _discard(path: Path) -> None:
    with contextlib.suppress(OSError):
        path.unlink(missing_ok=True)


def _csv_bytes(options: _Options, rows: list[list[Any]]) -> bytes:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(options.columns)
    writer.writerows([[cell_text(value) for value in row] for row in rows])
    return buffer.getvalue().encode(options.encoding)


def _write_xlsx(handle: Any, columns: list[str], rows: list[list[Any]]) -> None:
    """One sheet, a header row and a row per record; text is always text, never a formula."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet("records")
    sheet.append([safe_cell(sheet, column) for column in columns])
    for row in rows:
        sheet.append([safe_cell(sheet, _xlsx_value(value)) for value in row])
    workbook.save(handle)


def _xlsx_value(value: Any) -> Any:
    """Numbers and text as they are, nothing for None, anything else (a list, true/false) as its text."""
    if value is None or isinstance(value, str) or (isinstance(value, int | float) and not isinstance(value, bool)):
        return value
    return cell_text(value)


def _free_name(folder: Path, name: str) -> Path:
    """`name` in `folder`, or `name-2`, `name-3`... when a file already has it."""
    path = folder / name
    stem, dot, suffix = name.partition(".")
    number = 1
    while path.exists():
        number += 1
        path = folder / f"{stem}-{number}{dot}{suffix}"
    return path


def _sync_folder(folder: Path) -> None:
    """Flush the rename itself to disk where the system allows it (POSIX)."""
    if os.name != "posix":
        return
    descriptor = os.open(folder, os.O_RDONLY)
    try:
        os.fsync(descriptor)
    finally:
        os.close(descriptor)
