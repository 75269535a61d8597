"""The fast CSV path gives exactly what the row-by-row path gives, and declines what it cannot read exactly."""

from __future__ import annotations

from pathlib import Path

import polars as pl
import pytest

from zhizhi.ingest.read import csv_reader
from zhizhi.ingest.read.base import Skip
from zhizhi.ingest.read.registry import open_file

TRICKY = (
    "柳州市市场主体名录（2026年11月）\r\n"
    "\r\n"
    "统一社会信用代码,企业名称,住所,备注\r\n"
    '91450202MA5K3C1Q21,"柳州市甲有限公司","城中区文昌路1号\r\n2栋",""\r\n'
    "91450202MA5K3C1Q22,乙店, 鱼峰区 ,=cmd|' /C calc'!A0\r\n"
    ",,,\r\n"
    "\r\n"
    "统一社会信用代码,企业名称,住所,备注\r\n"
    "91450202MA5K3C1Q23,丙店\r\n"
    '91450202MA5K3C1Q24,"丁""店""",柳南区,\r\n'
    "合 计,4,,\r\n"
)


def _read(path: Path) -> tuple[list[str], list[Skip], pl.DataFrame]:
    reading = open_file(path)
    frames = [chunk.frame for chunk in reading.chunks]
    return reading.headers[None], reading.skipped, pl.concat(frames)


@pytest.mark.parametrize("total", ["合 计", "合\u3000计", "总\u3000\u3000计"])  # spaced out, often full-width
@pytest.mark.parametrize("encoding", ["utf-8", "utf-8-sig", "gbk"])
def test_both_paths_read_the_same(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, encoding: str, total: str
) -> None:
    path = tmp_path / "tricky.csv"
    path.write_bytes(TRICKY.replace("合 计", total).encode(encoding))
    taken: list[bool] = []
    original = csv_reader.fast_chunks

    def spy(*args: object) -> object:
        result = original(*args)  # type: ignore[arg-type]
        taken.append(result is not None)
        return result

    monkeypatch.setattr(csv_reader, "fast_chunks", spy)
    fast = _read(path)
    assert taken == [True]
    monkeypatch.setattr(csv_reader, "fast_chunks", lambda *args: None)
    slow = _read(path)
    assert fast[0] == slow[0] == ["统一社会信用代码", "企业名称", "住所", "备注"]
    assert fast[1] == slow[1]
    assert [s.reason for s in fast[1]] == ["title_row", "blank", "blank", "blank", "repeated_header", "total_row"]
    assert fast[2].equals(slow[2])
    assert fast[2]["_row"].to_list() == [4, 5, 9, 10]
    assert fast[2]["住所"].to_list() == ["城中区文昌路1号\r\n2栋", " 鱼峰区 ", "", "柳南区"]
    assert fast[2]["企业名称"][3] == '丁"店"' and fast[2]["备注"][1] == "=cmd|' /C calc'!A0"


def test_a_row_wider_than_the_header_is_left_to_the_row_by_row_path(tmp_path: Path) -> None:
    path = tmp_path / "ragged.csv"
    path.write_text("名称,地址\n甲,中山路\n乙,解放路,多出来的\n", encoding="utf-8")
    _, _, frame = _read(path)
    assert frame["_error"][0] is None and "row has 3 fields but the header has 2" in frame["_error"][1]


def test_a_title_with_a_line_break_is_left_to_the_row_by_row_path(tmp_path: Path) -> None:
    path = tmp_path / "title.csv"
    path.write_text('"名录\n第二行"\n名称,地址\n甲,中山路\n', encoding="utf-8")
    _, skipped, frame = _read(path)
    assert [s.reason for s in skipped] == ["title_row"] and frame["_row"].to_list() == [3]
