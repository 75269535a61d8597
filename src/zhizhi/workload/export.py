"""The workload as an Excel workbook: one sheet per office, one per person, and what each column means.

Headers carry the Chinese word and the JSON key (`在办热线 cases`); a month whose load exceeds the capacity is filled
red. Names go through the formula-safe `zhizhi.cells.xlsx_cell`.
"""

from __future__ import annotations

from pathlib import Path
from typing import IO, Any

from zhizhi.cells import save_workbook, xlsx_cell

FIGURES = (
    ("在办热线", "cases"),
    ("在办任务分工", "parts"),
    ("逾期分工", "overdue"),
    ("抽查（次）", "draws"),
    ("检查（户次）", "visits"),
    ("未录结果事项", "open_items"),
    ("负荷", "load"),
    ("承载能力", "capacity"),
    ("负荷率", "ratio"),
    ("超负荷", "over"),
)
MEANINGS = (
    ("在办热线 cases", "本月内曾在办的热线案件（月末前受理、月初前未办结）"),
    ("在办任务分工 parts", "本月内曾承担的任务分工（月末前分派或接收、月初前未办结或移交）；"
     "移交经接收后，接收之日起计接收方，此前仍计移交方；移交未接收的仍计移交方"),
    ("逾期分工 overdue", "月末（本月为今天）当天由本单位承担、当天开始时仍未办结且已过期限的分工"
     "（在办任务分工的一部分）"),
    ("抽查（次） draws", "本月组织或派员参加的随机抽查次数"),
    ("检查（户次） visits", "本月参加的检查户次"),
    ("未录结果事项 open_items", "这些检查中尚未录入结果的检查事项"),
    ("负荷 load", "在办热线 + 在办任务分工 + 检查户次"),
    ("承载能力 capacity", "单位：人员数 × 人均承载量；个人：所在单位的人均承载量"),
    ("负荷率 ratio", "负荷 ÷ 承载能力；超过 1 即超负荷"),
)
RED = "FFC7CE"


def write_workload_xlsx(figures: dict[str, Any], target: Path | str | IO[bytes]) -> None:
    """Write `workload(...)`'s figures: sheets 按单位 (offices), 按人员 (people), 说明 (what the columns mean)."""
    from openpyxl import Workbook

    book = Workbook(write_only=True)
    offices = book.create_sheet("按单位")
    offices.append(["单位编码 code", "单位 name", "人员数 staff", "人均承载量 per_person", "月份 month",
                    *(f"{zh} {key}" for zh, key in FIGURES)])  # fmt: skip
    for row in figures["offices"]:
        head = [row["department"]["code"], row["department"]["name"], row["staff"], row["per_person"]]
        for month in row["months"]:
            offices.append(_line(offices, head, month))
    people = book.create_sheet("按人员")
    people.append(["用户名 username", "姓名 name", "单位 department", "人均承载量 per_person", "月份 month",
                   *(f"{zh} {key}" for zh, key in FIGURES)])  # fmt: skip
    for row in figures["people"]:
        where = row["department"]["name"] if row["department"] else ""
        head = [row["user"]["username"], row["user"]["name"], where, row["per_person"]]
        for month in row["months"]:
            people.append(_line(people, head, month))
    notes = book.create_sheet("说明")
    notes.append(["截至 today", figures["today"]])
    for column, meaning in MEANINGS:
        notes.append([column, meaning])
    save_workbook(book, target)


def _line(sheet: Any, head: list[Any], month: dict[str, Any]) -> list[Any]:
    from openpyxl.cell import WriteOnlyCell
    from openpyxl.styles import PatternFill

    values = [*head, month["month"], *(month[key] for _, key in FIGURES)]
    values[-1] = "是" if month["over"] else ""
    cells = [xlsx_cell(sheet, value) for value in values]
    if month["over"]:  # the load, the capacity, the ratio and the flag, in red
        for at in range(len(cells) - 4, len(cells)):
            cell = cells[at] if hasattr(cells[at], "fill") else WriteOnlyCell(sheet, value=cells[at])
            cell.fill = PatternFill("solid", fgColor=RED)
            cells[at] = cell
    return cells
