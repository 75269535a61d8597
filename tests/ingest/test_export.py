"""The quarantine export: one row per item, every text a string cell, nothing Excel could run as a formula."""

from __future__ import annotations

import io
import json
import zipfile
from pathlib import Path
from typing import Any

import pytest
from openpyxl import load_workbook
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.ingest.export import HEADER, write_quarantine_xlsx

DANGEROUS = [
    "=cmd|' /C calc'!A0",
    "=1+1",
    "+1",
    "-2",
    "@SUM(A1:A2)",
    '=HYPERLINK("http://example.invalid","x")',
    "<script>alert(1)</script>",
    "'; DROP TABLE records; --",
]


def item(item_id: int, cells: dict[str, Any], *, source: str = "dengji", sheet: str | None = None) -> dict[str, Any]:
    """An item as `list_items` gives it, with the fields the export reads."""
    return {
        "id": item_id,
        "status": "open",
        "source": source,
        "file": "登记导出.xlsx",
        "sheet": sheet,
        "row": item_id + 1,
        "reasons": ["date.invalid", "field.missing"],
        "findings": [
            {"severity": "hard", "message_zh": "「成立日期」`2021-02-30` 不是有效日期"},
            {"severity": "hard", "message_zh": "必填字段「名称」为空"},
            {"severity": "soft", "message_zh": "提示"},
        ],
        "cells": cells,
    }


def sheet_xml(data: bytes) -> str:
    with zipfile.ZipFile(io.BytesIO(data)) as archive:
        names = [n for n in archive.namelist() if n.startswith("xl/worksheets/") and n.endswith(".xml")]
        return "".join(archive.read(n).decode("utf-8") for n in names)


def test_formula_like_text_stays_text(tmp_path: Path) -> None:
    items = [item(i, {"企业名称": value, "=header": value}) for i, value in enumerate(DANGEROUS, start=1)]
    target = tmp_path / "q.xlsx"
    assert write_quarantine_xlsx(items, target) == len(DANGEROUS)
    xml = sheet_xml(target.read_bytes())
    assert "<f>" not in xml and "<f " not in xml
    sheet = load_workbook(target).active
    assert sheet is not None
    header = [c.value for c in sheet[1]]
    assert header == [*HEADER, "企业名称", "=header"]
    for row, value in enumerate(DANGEROUS, start=2):
        for column in (10, 11):  # after the item's nine columns
            cell = sheet.cell(row=row, column=column)
            assert (cell.value, cell.data_type) == (value, "s"), value
            assert cell.quotePrefix == value.startswith(("=", "+", "-", "@"))
    assert sheet.cell(row=1, column=11).data_type == "s"


def test_one_row_per_item_with_where_and_why() -> None:
    items = [
        item(7, {"统一社会信用代码": "91450202MA5K3C1Q21", "成立日期": "2021-02-30"}, sheet="Sheet1"),
        item(9, {"许可证编号": "JY14502020001", "成立日期": None}, source="shipin"),
    ]
    buffer = io.BytesIO()
    write_quarantine_xlsx(items, buffer)
    sheet = load_workbook(io.BytesIO(buffer.getvalue())).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert rows[0] == (*HEADER, "统一社会信用代码", "成立日期", "许可证编号")
    assert rows[1][:9] == (
        7,
        "待处理",
        "dengji",
        "登记导出.xlsx",
        "Sheet1",
        8,
        "date.invalid field.missing",
        "「成立日期」`2021-02-30` 不是有效日期\n必填字段「名称」为空",
        None,  # no fix yet
    )
    assert rows[1][9:] == ("91450202MA5K3C1Q21", "2021-02-30", None)
    assert rows[2][:6] == (9, "待处理", "shipin", "登记导出.xlsx", None, 10) and rows[2][9:] == (
        None,
        None,
        "JY14502020001",
    )


def test_control_characters_and_long_text_are_written_safely(tmp_path: Path) -> None:
    target = tmp_path / "q.xlsx"
    write_quarantine_xlsx([item(1, {"a": "x\x00y\x1bz\tw", "b": "长" * 40_000, "n": 12, "f": 1.5})], target)
    sheet = load_workbook(target).active
    assert sheet is not None
    assert sheet["J2"].value == "x\ufffdy\ufffdz\tw"
    assert len(str(sheet["K2"].value)) == 32_767
    assert (sheet["L2"].value, sheet["M2"].value) == (12, 1.5)


@pytest.mark.parametrize("count", [0, 1])
def test_an_empty_export_still_has_its_header(tmp_path: Path, count: int) -> None:
    target = tmp_path / "q.xlsx"
    write_quarantine_xlsx([item(1, {"a": "1"})][:count], target)
    sheet = load_workbook(target).active
    assert sheet is not None and sheet.max_row == 1 + count


def test_the_cli_exports_the_filtered_items(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> None:
    from tests.web.test_ingest_api import FORMULA, ingest_export

    done = ingest_export(city, workspace.root, tmp_path)
    target = tmp_path / "隔离.xlsx"
    args = ["-w", str(workspace.root), "quarantine", "export", "-o", str(target), "--batch", str(done.batch_id)]
    result = CliRunner().invoke(app, [*args, "--json"])
    assert result.exit_code == 0, result.output
    assert json.loads(result.output) == {"output": str(target), "items": 4}
    sheet = load_workbook(target).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    assert [r[0] for r in rows[1:]] == sorted(done.items.values())
    assert FORMULA in [c for r in rows for c in r] and "<f>" not in sheet_xml(target.read_bytes())
    one = CliRunner().invoke(app, [*args, "--reason", "date.invalid", "--status", "all"])
    assert one.exit_code == 0 and "Wrote 1 quarantined rows" in one.output
    wrong = CliRunner().invoke(app, ["-w", str(workspace.root), "quarantine", "export", "-o", "q.csv"])
    assert wrong.exit_code == 2
