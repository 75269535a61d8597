"""Addresses as resolution reads them: traditional characters, floors and rooms, the division written out."""

from __future__ import annotations

import pytest

from zhizhi.ingest.normalize import split_address_value
from zhizhi.resolve.addresses import normalize_address


def _half(unit: str) -> str:
    return unit.replace("（", "(").replace("）", ")")


CASES = [
    # address, division code (ingest's), full address, key, unit, road and number
    ("柳州市城中区潭中东路18號", None, "广西壮族自治区柳州市城中区潭中东路18号", "潭中东路18号", None, "潭中东路18号"),
    ("柳州市城中區潭中東路18號首层", None, "广西壮族自治区柳州市城中区潭中东路18号首层", "潭中东路18号", "首层",
     "潭中东路18号"),
    ("柳州市城中区潭中东路18号1楼", None, "广西壮族自治区柳州市城中区潭中东路18号1楼", "潭中东路18号", "1楼",
     "潭中东路18号"),
    ("城中区潭中东路18号3楼301室", "450202", "广西壮族自治区柳州市城中区潭中东路18号3楼301室", "潭中东路18号",
     "3楼301室", "潭中东路18号"),
    ("柳州鱼峰区驾鹤路29號一樓門面", None, "广西壮族自治区柳州市鱼峰区驾鹤路29号一楼门面", "驾鹤路29号", "一楼门面",
     "驾鹤路29号"),
    ("柳州市柳南区航银路5号12栋3号", None, "广西壮族自治区柳州市柳南区航银路5号12栋3号", "航银路5号", "12栋3号",
     "航银路5号"),
    # floors and rooms as lists write them: B1, F2, 之一, in brackets, 第一层, a range of floors, a room without 室
    *[(f"柳州市城中区解放北路275号{unit}", None, f"广西壮族自治区柳州市城中区解放北路275号{_half(unit)}",
       "解放北路275号", _half(unit), "解放北路275号")
      for unit in ("B1", "F2", "L2", "之一", "2楼之一", "（首层）", "(1楼)", "3楼302", "A座", "地下室", "第一层",
                   "一至二层", "1-2楼")],
    # a missing province (and city) filled from the division code
    ("柳州市城中区文昌路1号", None, "广西壮族自治区柳州市城中区文昌路1号", "文昌路1号", None, "文昌路1号"),
    ("文昌路1号", "450202", "广西壮族自治区柳州市城中区文昌路1号", "文昌路1号", None, "文昌路1号"),
    ("北京市东城区东直门南大街3号", None, "北京市东城区东直门南大街3号", "东直门南大街3号", None, "东直门南大街3号"),
    # a road number is not a room, and a building number is not a floor
    ("柳州市城中区东环大道1号楼", None, "广西壮族自治区柳州市城中区东环大道1号楼", "东环大道1号楼", None,
     "东环大道1号"),
    # a house number as lists type it: in words, with #, without 号
    ("柳州市城中区龙城路六号", None, "广西壮族自治区柳州市城中区龙城路6号", "龙城路6号", None, "龙城路6号"),
    ("柳州市鱼峰区屏山大道十八号", None, "广西壮族自治区柳州市鱼峰区屏山大道18号", "屏山大道18号", None,
     "屏山大道18号"),
    ("柳州市城中区五一路一百零五号", None, "广西壮族自治区柳州市城中区五一路105号", "五一路105号", None,
     "五一路105号"),
    ("柳州市城中区新村二路三号首层", None, "广西壮族自治区柳州市城中区新村二路3号首层", "新村二路3号", "首层",
     "新村二路3号"),
    ("柳州市城中区龙城路6#", None, "广西壮族自治区柳州市城中区龙城路6号", "龙城路6号", None, "龙城路6号"),
    ("柳州市城中区龙城路6", None, "广西壮族自治区柳州市城中区龙城路6号", "龙城路6号", None, "龙城路6号"),
    ("柳州市城中区飞鹅路12-3", None, "广西壮族自治区柳州市城中区飞鹅路12-3号", "飞鹅路12-3号", None,
     "飞鹅路12-3号"),
]  # fmt: skip


@pytest.mark.parametrize(("address", "code", "full", "key", "unit", "road_no"), CASES)
def test_address_as_resolution_reads_it(
    address: str, code: str | None, full: str, key: str, unit: str | None, road_no: str
) -> None:
    read = normalize_address(address, code)
    assert (read.full, read.address_key, read.unit, read.road_no) == (full, key, unit, road_no)


def test_traditional_address_characters_find_their_division_at_ingest() -> None:
    parts = split_address_value("廣西壯族自治區柳州市城中區學院路64號")
    assert (parts.division_code, parts.rest) == ("450202", "学院路64号")
