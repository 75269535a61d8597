"""The row of column numbers a form prints under its header (甲 乙 丙 / 1 2 3 / （1）（2）/ A B C / 栏次 1 2 / ①②③)
is skipped as `column_numbers` by every reader path (CSV fast and row by row, .xlsx), while data rows holding small
numbers stay data."""

from __future__ import annotations

import csv
import io
from pathlib import Path
from typing import Any

import pytest

from zhizhi.i18n import LOCALES, MESSAGES
from zhizhi.ingest.read import ROW, open_file
from zhizhi.ingest.read import csv_reader as csv_module
from zhizhi.ingest.read.base import SKIP_REASONS
from zhizhi.ingest.read.ordinals import is_column_numbers, ordinal

HEADER = ["序号", "名称", "数量", "金额", "备注"]
DATA = [["1", "柳州市甲有限公司", "3", "120", "无"], ["2", "柳州市乙有限公司", "5", "80", ""]]
TWO_ROWS = [["序号", "名称", "本期", "", "备注"], ["", "", "数量", "金额", ""]]
PAGED = [HEADER, ["甲", "乙", "1", "2", "3"], DATA[0], HEADER, ["甲", "乙", "1", "2", "3"], DATA[1]]

# (rows, data rows read, skipped rows with their reasons)
LAYOUTS = [
    ([HEADER, ["甲", "乙", "丙", "丁", "戊"], *DATA], [3, 4], [(2, "column_numbers")]),
    ([HEADER, ["1", "2", "3", "4", "5"], *DATA], [3, 4], [(2, "column_numbers")]),
    ([HEADER, ["（1）", "（2）", "（3）", "（4）", "（5）"], *DATA], [3, 4], [(2, "column_numbers")]),
    ([HEADER, ["A", "B", "C", "D", "E"], *DATA], [3, 4], [(2, "column_numbers")]),
    ([HEADER, ["栏次", "1", "2", "3", "4"], *DATA], [3, 4], [(2, "column_numbers")]),
    ([HEADER, ["①", "②", "③", "④", "⑤"], *DATA], [3, 4], [(2, "column_numbers")]),
    ([HEADER, ["甲", "乙", "1", "2", "3"], *DATA], [3, 4], [(2, "column_numbers")]),  # lettered, then numbered
    ([HEADER, ["一", "二", "三", "", ""], *DATA], [3, 4], [(2, "column_numbers")]),  # three of five: most
    (
        [["标题：2026年统计表"], HEADER, ["1", "2", "3", "4", "5"], *DATA],
        [4, 5],
        [(1, "title_row"), (3, "column_numbers")],
    ),
    ([*TWO_ROWS, ["1", "2", "3", "4", "5"], *DATA], [4, 5], [(2, "header_row"), (3, "column_numbers")]),
    (PAGED, [3, 6], [(2, "column_numbers"), (4, "repeated_header"), (5, "column_numbers")]),
    # data that happens to hold small numbers stays data
    ([HEADER, ["1", "2", "3", "4", "某"], *DATA], [2, 3, 4], []),  # a cell that is no ordinal
    ([HEADER, ["1", "2", "", "", ""], *DATA], [2, 3, 4], []),  # two cells: not enough
    ([HEADER[:3], ["甲", "1", "2"], ["乙", "3", "4"]], [2, 3], []),  # a firm called 甲 and two counts
    ([HEADER, ["1", "3", "5", "7", "9"], *DATA], [2, 3, 4], []),  # not in sequence
    ([HEADER, ["2", "3", "4", "5", "6"], *DATA], [2, 3, 4], []),  # not from the first
    ([HEADER, *DATA], [2, 3], []),
    ([HEADER, DATA[0], ["1", "2", "3", "4", "5"]], [2, 3], []),  # not directly under the header
]
WIDE = ["序号", "名称", "地址", "电话", "数量", "金额", "备注"]
# three numbers in sequence, but in three of seven columns: not most of them
LAYOUTS.append(([WIDE, ["1", "2", "3", "", "", "", ""], ["1", "柳州市甲公司", "城中区", "", "3", "5", ""]], [2, 3], []))


def _write_csv(path: Path, rows: list[list[str]]) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_text(buffer.getvalue(), encoding="utf-8")
    return path


def _write_xlsx(path: Path, rows: list[list[str]]) -> Path:
    from openpyxl import Workbook

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    for row in rows:
        sheet.append([_typed(cell) for cell in row])
    book.save(path)
    return path


def _typed(cell: str) -> Any:
    """A number as a spreadsheet holds it: a number cell."""
    return int(cell) if cell.isascii() and cell.isdigit() else cell


def _read(path: Path) -> tuple[list[int], list[tuple[int, str]]]:
    reading = open_file(path)
    rows = [n for chunk in reading.chunks for n in chunk.frame[ROW].to_list()]
    return rows, [(skip.row, skip.reason) for skip in reading.skipped]


@pytest.mark.parametrize("way", ["csv fast", "csv row by row", "xlsx"])
@pytest.mark.parametrize(("rows", "data", "skipped"), LAYOUTS)
def test_a_row_of_column_numbers_under_the_header_is_skipped_by_every_reader(
    tmp_path: Path,
    monkeypatch: pytest.MonkeyPatch,
    way: str,
    rows: list[list[str]],
    data: list[int],
    skipped: list[tuple[int, str]],
) -> None:
    if way == "xlsx":
        path = _write_xlsx(tmp_path / "表.xlsx", rows)
    else:
        path = _write_csv(tmp_path / "表.csv", rows)
        if way == "csv row by row":
            monkeypatch.setattr(csv_module, "fast_chunks", lambda *args: None)
    assert _read(path) == (data, skipped)


@pytest.mark.parametrize(
    ("cell", "expected"),
    [
        ("3", ("arabic", 3)),
        ("（3）", ("arabic", 3)),
        ("(3)", ("arabic", 3)),
        ("第3栏", ("arabic", 3)),
        ("3.", ("arabic", 3)),
        ("３", ("arabic", 3)),
        ("③", ("symbol", 3)),
        ("⑶", ("symbol", 3)),
        ("Ⅲ", ("symbol", 3)),
        ("丙", ("stem", 3)),
        ("C", ("letter", 3)),
        ("c", ("letter", 3)),
        ("AB", ("letter", 28)),
        ("三", ("chinese", 3)),
        ("（十二）", ("chinese", 12)),
        ("二十", ("chinese", 20)),
        ("2026-03-08", None),
        ("柳州", None),
        ("Ab", None),
        ("1000", None),
    ],
)
def test_an_ordinal_is_read_in_every_form_forms_use(cell: str, expected: tuple[str, int] | None) -> None:
    assert ordinal(cell) == expected


def test_a_label_counts_only_in_the_first_column() -> None:
    assert is_column_numbers(["栏次", "1", "2", "3"], 4)
    assert is_column_numbers(["行次", "1", "2", "3"], 4)
    assert not is_column_numbers(["1", "栏次", "2", "3"], 4)


def test_every_reason_a_reader_skips_a_row_for_has_words_and_a_line_in_the_docs() -> None:
    """The batch page says each skip in words (the catalogue), and docs/ingest.md says what each means."""
    docs = (Path(__file__).parents[2] / "docs" / "ingest.md").read_text(encoding="utf-8")
    for reason in SKIP_REASONS:
        for locale in LOCALES:
            assert f"ingest.skip.{reason}" in MESSAGES[locale], (locale, reason)
        assert f"`{reason}`" in docs, reason
