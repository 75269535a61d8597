"""Mapping a chunk by field kinds, table-driven: each kind's clean value and each reason code it can raise."""

from __future__ import annotations

from datetime import date

import polars as pl
import pytest
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.ingest.kinds import Context, I
from zhizhi.ingest.mapping import HARD, KEY, map_chunk
from zhizhi.ingest.pipeline import build_context
from zhizhi.ingest.read.base import ERROR, ROW
from zhizhi.sources import parse_source

TODAY = date(2026, 11, 28)
ENTITY = """\
name: t
department: LZ-DJ
record_type: entity
default_prefecture: "450200"
default_area_code: "0772"
fields:
  uscc: a
  reg_no: b
  name: c
  legal_representative_id: d
  address: e
  phone: f
  founded_on: g
  status: h
  entity_type: i
"""
# Reason codes raised by the column-level kinds and the mapping, beyond the value-level validators' own tables.
COLUMN_LEVEL = {
    "row.malformed",
    "record.no_key",
    "code.unknown",
    "code.unmapped",
    "code.ambiguous",
    "value.not_allowed",
    "address.division",
    "text.formula",
    # spreadsheet artefacts in identifier fields, exercised in test_artefacts
    "value.spreadsheet_artefact",
    "value.scientific_notation",
    "value.float_precision",
    # moments, exercised in test_datetime
    "datetime.date_only",
    # spans ending before they start, exercised in test_periods
    "date.end_before_start",
    # a code a workbook held as a number, exercised in test_pipeline
    "code.leading_zero",
}


def _code() -> str:
    import random

    from zhizhi.demo.records import credit_code

    return credit_code(random.Random(1), "91", "450202")


def _map(cells: dict[str, str | None], *, error: str | None = None, ctx: Context | None = None) -> pl.DataFrame:
    source = parse_source(ENTITY, "t.yaml")
    base: dict[str, str | None] = dict.fromkeys("abcdefghi")
    base |= {"c": "柳州市甲有限公司", "e": "城中区文昌路1号"}
    frame = pl.DataFrame(
        {ROW: [2], ERROR: [error], **{k: [v] for k, v in (base | cells).items()}},
        schema={ROW: pl.Int64, ERROR: pl.String, **{k: pl.String for k in base}},
    )
    mapped = map_chunk(frame, source, ctx or Context(TODAY, "450200", "0772"))
    return mapped.records.hstack(
        [pl.Series("codes", [sorted(set(mapped.findings["code"].to_list()))], dtype=pl.List(pl.String))]
    )


CLEAN_ROWS = [
    # (column, raw, record column, clean value, reason codes)
    ("a", "９１４５０２０２", "uscc", "91450202", ["uscc.length"]),
    ("i", "  个体  工商户 ", "entity_type", "个体 工商户", []),
    ("i", "=cmd|' /C calc'!A0", "entity_type", "=cmd|' /C calc'!A0", ["text.formula"]),
    ("i", "+HYPERLINK(1)", "entity_type", "+HYPERLINK(1)", ["text.formula"]),
    ("i", "@SUM(1)", "entity_type", "@SUM(1)", ["text.formula"]),
    ("i", "-5", "entity_type", "-5", []),
    ("i", "甲" * 201, "entity_type", "甲" * 201, ["field.too_long"]),
    ("c", "柳州市 甲(有限)公司", "name", "柳州市甲（有限）公司", []),
    ("c", "<script>alert(1)</script>", "name", "<script>alert（1）</script>", []),
    ("b", "450200000012345", "reg_no", "450200000012345", ["reg_no.check_digit"]),
    ("b", "4502000000123", "reg_no", "4502000000123", ["reg_no.length"]),
    ("d", "11010519491231002X", "legal_representative_id", "11010519491231002X", []),
    ("d", "110105194912310021", "legal_representative_id", "110105194912310021", ["resident_id.check_digit"]),
    ("e", "城中区文昌路12号", "address_division_code", "450202", []),
    ("e", "广西柳州市鱼峰区驾鹤路1号", "address_county", "鱼峰区", []),
    ("e", "火星基地1号", "address_division_code", None, ["address.division"]),
    ("f", "+86 138 0013 8000", "phone", "13800138000", []),
    ("f", "2812345", "phone", "0772-2812345", []),
    ("f", "12345", "phone", None, ["phone.format"]),
    ("g", "2021年7月8日", "founded_on", "2021-07-08", []),
    ("g", "2021.7.8", "founded_on", "2021-07-08", []),
    ("g", "20210708", "founded_on", "2021-07-08", []),
    ("g", "44385", "founded_on", "2021-07-08", []),
    ("g", "2021-02-30", "founded_on", None, ["date.invalid"]),
    ("g", "1900-01-01", "founded_on", "1900-01-01", ["date.too_early"]),
    ("g", "2027-01-01", "founded_on", "2027-01-01", ["date.too_late"]),
    ("h", "存续（在营、开业、在册）", "status", "active", []),
    ("h", "在营", "status", "active", []),
    ("h", "吊销，未注销", "status", "revoked", []),
    ("h", "cancelled", "status", "cancelled", []),
    ("h", "半死不活", "status", None, ["value.not_allowed"]),
]


@pytest.mark.parametrize(("column", "raw", "output", "clean", "found"), CLEAN_ROWS)
def test_each_kind_cleans_and_checks(column: str, raw: str, output: str, clean: str | None, found: list[str]) -> None:
    row = _map({column: raw}).row(0, named=True)
    assert row[output] == clean
    assert row["codes"] == found


def test_a_valid_credit_code_in_full_width_and_lower_case_keys_the_record() -> None:
    code = _code()
    written = code.lower().translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789abcdefghjklmnpqrtuwxy"})
    row = _map({"a": f" {written} "}).row(0, named=True)
    assert row["uscc"] == code and row[KEY] == f"uscc={code}" and row["codes"] == [] and not row[HARD]


def test_keys_fall_back_in_order_and_a_record_without_one_is_quarantined() -> None:
    assert _map({"b": "450200000012345"}).row(0, named=True)[KEY] == "reg_no=450200000012345"
    keyed = _map({"e": "城中区文昌路12号"}).row(0, named=True)
    assert keyed[KEY] == "name=柳州市甲有限公司|address=城中区文昌路12号"
    alone = _map({"e": None}).row(0, named=True)
    assert alone[KEY] is None and alone["codes"] == ["record.no_key"] and alone[HARD]


def test_required_missing_and_malformed_rows_are_hard() -> None:
    assert _map({"c": "  "}).row(0, named=True)["codes"] == ["field.missing"]
    malformed = _map({"e": "城中区1号"}, error="row has 12 fields but the header has 9").row(0, named=True)
    assert malformed["codes"] == ["row.malformed"] and malformed[HARD]


def test_a_readers_reason_given_in_both_languages_is_worded_in_each() -> None:
    frame = pl.DataFrame(
        {ROW: [2, 3], ERROR: ["有 4 个字段\x1frow has 4 fields", "broken JSON"], **{k: ["x", "x"] for k in "abcdefghi"}}
    )
    found = map_chunk(frame, parse_source(ENTITY, "t.yaml"), Context(TODAY, "450200", "0772")).findings
    malformed = found.filter(pl.col("code") == "row.malformed").sort(I)
    assert malformed["message_zh"].to_list() == ["此行无法按表头读取：有 4 个字段", "此行无法按表头读取：broken JSON"]
    assert malformed["message"].to_list() == [
        "the row cannot be read against the header: row has 4 fields",
        "the row cannot be read against the header: broken JSON",
    ]
    assert malformed["value"].to_list() == ["row has 4 fields", "broken JSON"]


def test_soft_findings_keep_the_row() -> None:
    row = _map({"e": "城中区1号", "f": "12345"}).row(0, named=True)
    assert row["codes"] == ["phone.format"] and not row[HARD]


def test_list_fields_split_on_chinese_and_ascii_separators(city: sessionmaker[Session]) -> None:
    source = parse_source(
        """\
name: j
department: LZ-CZ-ZN
record_type: inspection
fields:
  entity_name: 对象
  inspected_on: 日期
  inspectors: 人员
  result: 结论
""",
        "j.yaml",
    )
    frame = pl.DataFrame(
        {
            ROW: [2],
            ERROR: [None],
            "对象": ["甲店"],
            "日期": ["2026-11-01"],
            "人员": ["张三、李四,王五；赵六"],
            "结论": ["合格"],
        },
        schema_overrides={ERROR: pl.String},
    )
    with city() as session:
        mapped = map_chunk(frame, source, build_context(session, source, TODAY))
    row = mapped.records.row(0, named=True)
    assert row["inspectors"] == ["张三", "李四", "王五", "赵六"] and row["result"] == "pass"
    assert row[KEY] == "entity_name=甲店|inspected_on=2026-11-01"


@pytest.mark.parametrize(
    ("code", "translated", "found"),
    [
        ("5221", "5221", []),
        ("8810", None, ["code.ambiguous"]),
        ("01", None, ["code.unmapped"]),
        ("9999", None, ["code.unknown"]),
        ("", None, []),
    ],
)
def test_codes_translate_from_the_sources_list(
    city: sessionmaker[Session], code: str, translated: str | None, found: list[str]
) -> None:
    source = parse_source(ENTITY + "  industry_code: {column: k, code_list: gbt4754-2011}\n", "t.yaml")
    frame = pl.DataFrame(
        {
            ROW: [2],
            ERROR: [None],
            **{c: [None] for c in "abdfghi"},
            "c": ["甲有限公司"],
            "e": ["城中区1号"],
            "k": [code],
        },
        schema={ROW: pl.Int64, ERROR: pl.String, **{c: pl.String for c in "abcdefghik"}},
    )
    with city() as session:
        mapped = map_chunk(frame, source, build_context(session, source, TODAY))
    row = mapped.records.row(0, named=True)
    assert row["industry_code"] == translated and row["industry_code_source"] == (code or None)
    assert sorted(set(mapped.findings["code"].to_list())) == found


def test_a_code_already_in_the_fields_list_is_only_checked_for_existence(city: sessionmaker[Session]) -> None:
    source = parse_source(ENTITY + "  industry_code: k\n", "t.yaml")  # no code_list: the field's own, GB/T 4754-2017
    frame = pl.DataFrame(
        {
            ROW: [2, 3],
            ERROR: [None, None],
            **{c: [None, None] for c in "abdfghi"},
            "c": ["甲", "乙"],
            "e": ["城中区1号"] * 2,
            "k": ["5221", "9999"],
        },
        schema={ROW: pl.Int64, ERROR: pl.String, **{c: pl.String for c in "abcdefghik"}},
    )
    with city() as session:
        mapped = map_chunk(frame, source, build_context(session, source, TODAY))
    assert mapped.records["industry_code"].to_list() == ["5221", None]
    assert mapped.findings["code"].to_list() == ["code.unknown"] and mapped.records[HARD].to_list() == [False, True]
