"""A task as written by the lead department: a YAML file, an Excel workbook, or the API's JSON, checked as one model.

```yaml
title: 2026年冬季食品安全专项整治
lead: LZ-SP                      # the lead department's code (牵头部门)
start: 2026-12-01                # working-day deadlines count from the day after (default: today)
description: 对辖区学校食堂、农贸市场开展专项检查。
parts:
  - department: LZ-CZ            # the co-responsible department that owns this part
    owner: chengzhong            # optional: a named person of that department
    title: 城中区学校食堂检查
    deadline: 10 working days    # or a date (2026-12-20), or 10个工作日
    evidence: files              # files, text, either (default) or both
    evidence_note: 检查记录表扫描件
```

The workbook has a sheet `任务` (Task) of key/value rows (标题, 牵头部门, 开始日期, 说明) and a sheet `分工` (Parts)
with a header row (部门, 负责人, 内容, 期限, 证明材料, 材料要求, 说明) and one part a row, blank rows skipped; English
headers work too. Every problem is reported at once, naming the file, the row or key, the value and the fix, in
English and Chinese.
"""

from __future__ import annotations

import re
from datetime import date, datetime
from io import BytesIO
from pathlib import Path
from typing import Any, Literal

import yaml
from pydantic import BaseModel, ConfigDict, Field, PrivateAttr, ValidationError, field_validator

from zhizhi.cells import as_typed, check_unpacked
from zhizhi.config import load_yaml
from zhizhi.errors import InputError
from zhizhi.tasks.deadlines import DAY

MAX_FILE_BYTES = 2 * 1024 * 1024
MAX_UNPACKED_BYTES = 64 * 1024 * 1024  # a hundred parts' workbook unpacks to well under a megabyte
MAX_PARTS = 100
MAX_SHEET_ROWS = 10_000  # the rows of sheet `分工` read: room for a hundred parts and any blank rows between them
MAX_TASK_ROWS = 1_000  # the rows of sheet `任务` read: its keys, with notes and blank rows between them
MAX_DESCRIPTION = 4000
HEADER_ROWS = 10  # the header of sheet `分工` is looked for among its first rows: a title is often put above it
Evidence = Literal["files", "text", "either", "both"]
EVIDENCE_WORDS = {"文件": "files", "附件": "files", "文字": "text", "文本": "text", "任一": "either",
                  "均可": "either", "两者": "both", "文件和文字": "both"}  # fmt: skip
TASK_KEYS = {"标题": "title", "任务": "title", "牵头部门": "lead", "牵头": "lead", "开始日期": "start",
             "开始": "start", "说明": "description"}  # fmt: skip
PART_HEADERS = {"部门": "department", "责任部门": "department", "负责人": "owner", "内容": "title",
                "分工": "title", "期限": "deadline", "证明材料": "evidence", "材料要求": "evidence_note",
                "说明": "description"}  # fmt: skip


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid", str_strip_whitespace=True)


class PartSpec(_Strict):
    """One department's part: what, by when, with which evidence."""

    department: str = Field(min_length=1, max_length=32, description="code of the department that owns the part")
    owner: str | None = Field(default=None, max_length=64, description="username of a person of that department")
    title: str = Field(min_length=1, max_length=200)
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    deadline: str = Field(min_length=1, max_length=40, description="a date, or `N working days` after the start")
    evidence: Evidence = "either"
    evidence_note: str | None = Field(default=None, max_length=500, description="what the evidence must show")

    @field_validator("deadline", mode="before")
    @classmethod
    def _deadline_text(cls, value: Any) -> Any:
        return as_typed(value)

    @field_validator("evidence", mode="before")
    @classmethod
    def _evidence_word(cls, value: Any) -> Any:
        return EVIDENCE_WORDS.get(value.strip(), value.strip()) if isinstance(value, str) else value

    @field_validator("owner", "description", "evidence_note", mode="before")
    @classmethod
    def _blank_is_none(cls, value: Any) -> Any:
        return None if isinstance(value, str) and not value.strip() else value


class TaskSpec(_Strict):
    """A whole task: its title, lead department, start and parts."""

    title: str = Field(min_length=1, max_length=200)
    lead: str = Field(min_length=1, max_length=32, description="code of the lead department (牵头部门)")
    start: date | None = Field(default=None, description="working-day deadlines count from the day after")
    description: str | None = Field(default=None, max_length=MAX_DESCRIPTION)
    parts: list[PartSpec] = Field(min_length=1, max_length=MAX_PARTS)
    _rows: dict[int, tuple[str, str]] = PrivateAttr(default_factory=dict)

    @field_validator("start", mode="before")
    @classmethod
    def _start_day(cls, value: Any) -> Any:
        """A start written as a deadline's day may be (2026/12/01, 2026年12月1日), as a sheet's text cell holds it."""
        found = DAY.match(value.strip()) if isinstance(value, str) else None
        return "-".join(f"{int(part):02d}" for part in found.groups()) if found else value

    def row_of(self, index: int) -> tuple[str, str] | None:
        """Where part `index` (from 0) stands in the workbook it came from, in English and Chinese; None otherwise."""
        return self._rows.get(index)


def parse_task(data: Any, origin: str, rows: dict[int, tuple[str, str]] | None = None) -> TaskSpec:
    """A task from already-read data; every problem at once, each named by key (or by `rows`' sheet rows)."""
    if not isinstance(data, dict):
        raise InputError(f"`{origin}` must be a mapping of keys (title, lead, parts) to values.",
                         zh=f"`{origin}` 应为键值映射（title、lead、parts）。")  # fmt: skip
    try:
        spec = TaskSpec.model_validate(data)
        spec._rows = dict(rows or {})  # a part's problems found later (its department, person, deadline) name its row
        return spec
    except ValidationError as exc:
        problems = [_problem(error, rows or {}) for error in exc.errors()]
        raise InputError(
            f"`{origin}` has {len(problems)} problem(s): " + "; ".join(en for en, _ in problems)
            + ". Fix the file and try again.",
            zh=f"`{origin}` 有 {len(problems)} 处错误：" + "；".join(zh for _, zh in problems) + "。请修改后重试。",
            details=[en for en, _ in problems],
        ) from exc


def _problem(error: Any, rows: dict[int, tuple[str, str]]) -> tuple[str, str]:
    """One problem of a task file, in English and Chinese."""
    loc = [str(p) for p in error["loc"]]
    where = where_zh = f"`{'.'.join(loc) or 'file'}`"
    if len(loc) >= 2 and loc[0] == "parts" and loc[1].isdigit() and int(loc[1]) in rows:
        row, row_zh = rows[int(loc[1])]
        where, where_zh = f"{row} `{'.'.join(loc[2:])}`", f"{row_zh}「{'.'.join(loc[2:])}」"
    if error["type"] == "extra_forbidden":
        return f"{where}: unknown key; remove it or correct its name", f"{where_zh}：未知的键，请删去或改正"
    if error["type"] == "missing":
        return f"{where}: missing; give it", f"{where_zh}：未填写，请补上"
    value = error.get("input")
    shown = str(value)[:80] if not isinstance(value, dict | list) else "…"
    said = error["msg"].removeprefix("Value error, ")
    return f"{where} = `{shown}`: {said}", f"{where_zh} = `{shown}`：{said}"


def read_task_file(path: Path) -> TaskSpec:
    """A task from a `.yaml`/`.yml` file or an `.xlsx` workbook (at most 2 MiB)."""
    size = path.stat().st_size
    if size > MAX_FILE_BYTES:
        raise InputError(f"`{path.name}` is {size:,} bytes; a task file may have at most {MAX_FILE_BYTES:,}.",
                         zh=f"`{path.name}` 有 {size:,} 字节，任务文件最多 {MAX_FILE_BYTES:,} 字节。")  # fmt: skip
    return read_task_bytes(path.read_bytes(), path.name)


def read_task_bytes(data: bytes, name: str) -> TaskSpec:
    """A task from the bytes of a YAML file or an Excel workbook called `name`."""
    if len(data) > MAX_FILE_BYTES:
        raise InputError(f"`{name}` is {len(data):,} bytes; a task file may have at most {MAX_FILE_BYTES:,}.",
                         zh=f"`{name}` 有 {len(data):,} 字节，任务文件最多 {MAX_FILE_BYTES:,} 字节。")  # fmt: skip
    if name.lower().endswith(".xlsx"):
        raw, rows = _from_workbook(data, name)
        return parse_task(raw, name, rows)
    if not name.lower().endswith((".yaml", ".yml")):
        raise InputError(
            f"`{name}`: give a task as a .yaml or .xlsx file.", zh=f"`{name}`：任务文件应为 .yaml 或 .xlsx。"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError as exc:
        raise InputError(f"`{name}` is not UTF-8 (byte {exc.start}; saved as GBK?). Save it as UTF-8 and try again.",
                         zh=f"`{name}` 不是 UTF-8 编码（第 {exc.start} 字节；可能存成了 GBK）。请另存为 UTF-8 后重试。"
                         ) from exc  # fmt: skip
    try:
        raw = load_yaml(text)
    except yaml.YAMLError as exc:
        detail = " ".join(str(exc).split())[:300]
        raise InputError(f"`{name}` is not valid UTF-8 YAML: {detail}. Fix the syntax.",
                         zh=f"`{name}` 不是有效的 UTF-8 YAML：{detail}。请修正格式。") from exc  # fmt: skip
    return parse_task(raw, name)


def _from_workbook(data: bytes, name: str) -> tuple[dict[str, Any], dict[int, tuple[str, str]]]:
    from openpyxl import load_workbook

    check_unpacked(data, name, MAX_UNPACKED_BYTES)
    try:
        book = load_workbook(BytesIO(data), read_only=True, data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a damaged file
        raise InputError(f"`{name}` cannot be read as an Excel workbook ({type(exc).__name__}). Save it as .xlsx.",
                         zh=f"`{name}` 无法作为 Excel 工作簿读取，请另存为 .xlsx。") from exc  # fmt: skip
    sheets = {sheet.title.strip(): sheet for sheet in book.worksheets}
    task_sheet, parts_sheet = sheets.get("任务") or sheets.get("Task"), sheets.get("分工") or sheets.get("Parts")
    if task_sheet is None or parts_sheet is None:
        raise InputError(
            f"`{name}` needs a sheet `任务` (Task: key/value rows) and a sheet `分工` (Parts: a header row and one row "
            f"per part); it has {', '.join(sheets) or 'none'}. See docs/tasks.md.",
            zh=f"`{name}` 需要工作表「任务」和「分工」，现有：{'、'.join(sheets) or '无'}。见 docs/tasks.md。",
        )
    if (task_sheet.max_row or 0) > MAX_TASK_ROWS:  # its keys may stand anywhere: none is left unread unsaid
        raise InputError(
            f"`{name}` sheet `{task_sheet.title}` runs to row {task_sheet.max_row:,}; it is read to row "
            f"{MAX_TASK_ROWS:,} (a key and its value a row). Delete the rows below the task's keys.",
            zh=f"`{name}` 工作表「{task_sheet.title}」共 {task_sheet.max_row:,} 行，只读取到第 {MAX_TASK_ROWS:,} 行"
            "（每行一个项目及其内容）。请删去任务项目下方的行。",
        )
    raw: dict[str, Any] = {}
    for row in task_sheet.iter_rows(max_row=MAX_TASK_ROWS, max_col=2, values_only=True):
        key = _heading(row[0]).rstrip(":：") if row else ""
        if key and len(row) > 1 and row[1] is not None:
            raw[TASK_KEYS.get(key, key)] = row[1].date() if isinstance(row[1], datetime) else as_typed(row[1])
    raw["parts"], rows = _parts_of(parts_sheet, name)
    book.close()
    return raw, rows


def _heading(value: Any) -> str:
    """A header or key cell as compared: no spaces, line breaks or `*` marking it required, no note in brackets after
    it (`期限（工作日）`)."""
    text = re.sub(r"[\s*＊]+", "", str(value)) if value is not None else ""
    return re.sub(r"[(（][^()（）]*[)）]$", "", text) or text


def _header_of(lines: Any) -> tuple[int, list[str]]:
    """The header row of sheet `分工` and its keys: the first of its first rows naming the department column (a title
    row above it, merged or not, is passed over); the first row when none does."""
    first: tuple[int, list[str]] | None = None
    for number in range(1, HEADER_ROWS + 1):
        values = next(lines, None)
        if values is None:
            break
        header = [PART_HEADERS.get(_heading(h), _heading(h)) for h in values]
        first = first or (number, header)
        if "department" in header:
            return number, header
    return first or (1, [])


def _parts_of(sheet: Any, name: str) -> tuple[list[dict[str, Any]], dict[int, tuple[str, str]]]:
    """The parts of sheet `分工`, one a row that is not blank (blank rows between them skipped), with each one's row."""
    if (sheet.max_row or 0) > MAX_SHEET_ROWS:  # the sheet's own count of its rows, formatted ones too
        raise InputError(
            f"`{name}` sheet `{sheet.title}` runs to row {sheet.max_row:,}; it is read to row {MAX_SHEET_ROWS:,} (a "
            f"task has at most {MAX_PARTS} parts). Delete the rows below the parts, or split the task.",
            zh=f"`{name}` 工作表「{sheet.title}」共 {sheet.max_row:,} 行，只读取到第 {MAX_SHEET_ROWS:,} 行"
            f"（每项任务最多 {MAX_PARTS} 项分工）。请删去分工下方的行，或拆分为多项任务。",
        )
    parts: list[dict[str, Any]] = []
    rows: dict[int, tuple[str, str]] = {}
    lines = sheet.iter_rows(max_row=MAX_SHEET_ROWS, max_col=12, values_only=True)
    at, header = _header_of(lines)
    for number, values in enumerate(lines, start=at + 1):
        part = {h: as_typed(v) for h, v in zip(header, values, strict=False) if h and v is not None and str(v).strip()}
        if part:
            rows[len(parts)] = (f"sheet `{sheet.title}` row {number}", f"工作表「{sheet.title}」第 {number} 行")
            parts.append(part)
    if len(parts) > MAX_PARTS:
        raise InputError(
            f"`{name}` sheet `{sheet.title}` has {len(parts)} parts (rows that are not blank); a task has at most "
            f"{MAX_PARTS}. Split it into several tasks.",
            zh=f"`{name}` 工作表「{sheet.title}」有 {len(parts)} 项分工（非空行），每项任务最多 {MAX_PARTS} 项。"
            "请拆分为多项任务。",
        )
    return parts, rows
