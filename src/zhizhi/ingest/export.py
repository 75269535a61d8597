"""Quarantine items as an Excel workbook a steward can open safely: one row per item, every text cell a string.

Raw rows hold whatever a department typed, including text that Excel would run as a formula (`=cmd|' /C calc'!A0`,
`+1`, `-2`, `@SUM(...)`). openpyxl turns a string starting with `=` into a formula cell; here every text cell is
set back to a string cell after assigning, and text starting like a formula is also marked `quotePrefix`, so that
Excel keeps it as text even when the cell is edited. The values themselves are written unchanged.
"""

from __future__ import annotations

import re
from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor
from zhizhi.ingest.quarantine import list_items

HEADER = ("id", "status", "source", "file", "sheet", "row", "reasons", "messages")
FORMULA_STARTS = ("=", "+", "-", "@", "\t", "\r")
MAX_CELL = 32_767  # Excel's limit on the characters of one cell
SHEET_TITLE = "quarantine"
PAGE = 1_000
# Control characters that are not allowed in the XML of a sheet (tab, line feed and carriage return are).
_ILLEGAL = re.compile(r"[\x00-\x08\x0b\x0c\x0e-\x1f]")


def all_items(
    session: Session,
    actor: Actor,
    *,
    source: str | None = None,
    batch_id: int | None = None,
    reason: str | None = None,
    status: str | None = "open",
) -> Iterator[dict[str, Any]]:
    """Every item matching the filters (None status: every status), in file order, read a page at a time."""
    offset = 0
    while True:
        page = list_items(
            session,
            actor,
            source=source,
            batch_id=batch_id,
            reason=reason,
            status=status,
            limit=PAGE,
            offset=offset,
        )
        yield from page
        if len(page) < PAGE:
            return
        offset += PAGE


def write_quarantine_xlsx(items: Iterable[dict[str, Any]], target: Path | str | IO[bytes]) -> int:
    """Write items (as `list_items` gives them) to an .xlsx file or binary buffer; returns the number of items.

    Columns: id, status, source, file, sheet, row, reasons (codes), messages (the Chinese messages of the hard
    findings, one a line), then the cells of the rows as read, under the union of their headers in first-seen order.
    """
    from openpyxl import Workbook

    rows = list(items)
    columns: dict[str, None] = {}
    for item in rows:
        columns.update(dict.fromkeys(item["cells"]))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.append([safe_cell(sheet, name) for name in (*HEADER, *columns)])
    for item in rows:
        hard = [f["message_zh"] for f in item["findings"] if f.get("severity") == "hard"]
        values: list[Any] = [
            item["id"],
            item["status"],
            item["source"],
            item["file"],
            item["sheet"],
            item["row"],
            " ".join(item["reasons"]),
            "\n".join(hard or [f["message_zh"] for f in item["findings"]]),
            *(item["cells"].get(name) for name in columns),
        ]
        sheet.append([safe_cell(sheet, value) for value in values])
    workbook.save(target)
    return len(rows)


def safe_cell(sheet: Any, value: Any) -> Any:
    """A cell for a write-only sheet: numbers as numbers, everything else a string cell, never a formula.

    The quarantine's and the reconciliation's workbooks write every cell through it.
    """
    from openpyxl.cell import WriteOnlyCell

    if value is None:
        return None
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value
    text = _ILLEGAL.sub("\ufffd", str(value))[:MAX_CELL]
    cell = WriteOnlyCell(sheet, value=text)
    cell.data_type = "s"  # openpyxl made text starting with `=` a formula: make it a string again
    if text.startswith(FORMULA_STARTS):
        cell.quotePrefix = True
    return cell
