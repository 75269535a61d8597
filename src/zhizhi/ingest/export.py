"""Quarantine items as an Excel workbook a steward can open safely: one row per item, every text cell a string.

Raw rows hold whatever a department typed, including text that Excel would run as a formula; every cell is written
through `zhizhi.cells.xlsx_cell`, which keeps such text a string cell. The values themselves are written unchanged.
"""

from __future__ import annotations

from collections.abc import Iterable, Iterator
from pathlib import Path
from typing import IO, Any

from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor
from zhizhi.cells import save_workbook, xlsx_cell
from zhizhi.ingest.quarantine import list_items

# The item's columns, in the bureau's words (the id and reason codes stay as the CLI and API name them).
HEADER = ("编号", "状态", "数据源", "文件", "工作表", "行号", "原因代码", "原因说明", "已修正（列=值）")
SHEET_TITLE = "quarantine"
PAGE = 1_000


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

    Columns (headed in Chinese): id, status (in Chinese), source, file, sheet, row, reasons (codes), messages (the
    Chinese messages of the hard findings, one a line), the steward's fixes so far (`column=value`, one a line; masked
    as the cells are), then the cells of the rows as read, under the union of their headers in first-seen order.
    """
    from openpyxl import Workbook

    from zhizhi.i18n import translate

    rows = list(items)
    columns: dict[str, None] = {}
    for item in rows:
        columns.update(dict.fromkeys(item["cells"]))
    workbook = Workbook(write_only=True)
    sheet = workbook.create_sheet(SHEET_TITLE)
    sheet.append([xlsx_cell(sheet, name) for name in (*HEADER, *columns)])
    for item in rows:
        hard = [f["message_zh"] for f in item["findings"] if f.get("severity") == "hard"]
        values: list[Any] = [
            item["id"],
            translate("zh-CN", f"quarantine.status.{item['status']}"),
            item["source"],
            item["file"],
            item["sheet"],
            item["row"],
            " ".join(item["reasons"]),
            "\n".join(hard or [f["message_zh"] for f in item["findings"]]),
            "\n".join(f"{column}={value}" for column, value in (item.get("fixes") or {}).items()) or None,
            *(item["cells"].get(name) for name in columns),
        ]
        sheet.append([xlsx_cell(sheet, value) for value in values])
    save_workbook(workbook, target)
    return len(rows)


safe_cell = xlsx_cell  # the name the file transport imports
