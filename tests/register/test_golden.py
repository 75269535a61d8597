"""Golden records: survivorship rule after rule, empty values never win, provenance kept, search text with the
name's pinyin initials."""

from __future__ import annotations

import json
from datetime import datetime

import polars as pl

from zhizhi.config.models import SurvivorshipConfig
from zhizhi.resolve.golden import golden_records, name_initials, search_form, search_text, spell


def _rows() -> pl.DataFrame:
    rows = [
        # record 1: registration, older, full name; record 2: licence, newer, short name and a phone
        (
            1,
            10,
            "entity",
            "dengji",
            "柳州市华信科技有限公司",
            "91450200MA5K3C1Q21",
            None,
            datetime(2025, 1, 1),
            1,
            "a.csv",
            None,
            3,
        ),
        (2, 10, "licence", "food", "华信科技", None, "0772-3812345", datetime(2026, 3, 1), 2, "b.xlsx", "食品", 5),
        (3, 11, "inspection", "jiancha", "某某店", None, "", datetime(2026, 1, 1), 3, "c.csv", None, 2),
    ]
    columns = [
        "record_id",
        "entity_id",
        "record_type",
        "source",
        "name",
        "uscc",
        "phone",
        "at",
        "batch_id",
        "file",
        "sheet",
        "row",
    ]
    frame = pl.DataFrame(rows, schema=columns, orient="row")
    return frame.with_columns(
        *(
            pl.lit(None, pl.String).alias(c)
            for c in ("reg_no", "legal_representative", "address", "address_division_code")
        ),
        pl.Series("industry_code", ["6510", None, "5221"], pl.String),
    )


def _golden(rules: SurvivorshipConfig) -> dict[int, dict[str, dict[str, object]]]:
    out = golden_records(_rows(), rules)
    return {row["entity_id"]: json.loads(row["golden"]) for row in out.iter_rows(named=True)}


def test_the_short_name_without_its_region_is_searchable() -> None:
    out = golden_records(_rows(), SurvivorshipConfig())
    assert "hxkjyxgs" in out.filter(pl.col("entity_id") == 10)["search"][0]


def test_source_priority_then_recency_then_completeness() -> None:
    golden = _golden(SurvivorshipConfig())
    assert golden[10]["name"]["value"] == "柳州市华信科技有限公司"  # entity records before licences
    assert golden[10]["name"]["source"] == "dengji" and golden[10]["name"]["row"] == 3
    assert golden[10]["phone"]["value"] == "0772-3812345" and golden[10]["phone"]["sheet"] == "食品"
    assert "phone" not in golden[11]  # an empty value never survives
    recent = _golden(SurvivorshipConfig(rules=["most_recent"]))
    assert recent[10]["name"]["value"] == "华信科技" and recent[10]["name"]["at"] == "2026-03-01T00:00:00Z"
    listed = _golden(SurvivorshipConfig(sources=["food"]))
    assert listed[10]["name"]["value"] == "华信科技"
    per_field = _golden(SurvivorshipConfig(sources=["food"], fields={"name": ["most_complete"]}))
    assert per_field[10]["name"]["value"] == "柳州市华信科技有限公司" and per_field[10]["uscc"]["source"] == "dengji"


def test_search_text_holds_the_pinyin_initials() -> None:
    initials = name_initials("柳州市华信科技有限公司")
    assert initials == "lzshxkjyxgs hxkjyxgs"
    fields = {"name": "柳州市华信科技有限公司", "uscc": "91450200MA5K3C1Q21", "phone": "0772-3812345"}
    text = search_text({**fields, "initials": initials})
    assert "lzshxkjyxgs" in text and " hxkjyxgs" in text and "91450200ma5k3c1q21" in text
    assert "3812345" not in text  # a phone is found whole, on its own column: a part of the text could be probed


def test_former_names_are_searchable_in_the_form_a_query_takes_and_the_phone_is_not_in_the_text() -> None:
    """Only the golden name was searchable (a renamed firm was lost under its former name, 曾用名), and a query in
    full-width or traditional characters found nothing. The phone was in the text, as written and as digits alone,
    where a search for growing prefixes of it read it digit by digit."""
    renamed = pl.when(pl.col("record_id") == 2).then(pl.lit("柳州市華信電子有限公司")).otherwise(pl.col("name"))
    out = golden_records(_rows().with_columns(renamed.alias("name")), SurvivorshipConfig())
    text = out.filter(pl.col("entity_id") == 10)["search"][0]
    assert "柳州市华信电子有限公司" in text and "柳州市华信科技有限公司" in text
    assert "3812345" not in text
    assert search_form("華信電子") in text and search_form("９１４５０２００ＭＡ５Ｋ３Ｃ１Ｑ２１") in text
    assert search_form("　華信　電子 ") == "华信 电子"


def test_a_name_is_spelt_part_by_part_in_written_order() -> None:
    assert name_initials("柳州市长城贸易有限公司") == "lzsccmyyxgs ccmyyxgs"  # 长城 cháng chéng, not 市长 shì zhǎng
    assert name_initials("华信（柳州）科技有限公司") == "hxlzkjyxgs hxkjyxgs"  # the region where it is written
    assert name_initials("重庆银行股份有限公司柳州分行") == "cqyhgfyxgslzfh yhgfyxgslzfh"  # 银行 yín háng
    assert name_initials("柳州市鱼峰区李记酒店（个体工商户）") == "lzsyfqljjdgtgsh ljjdgtgsh"  # nothing left out
    assert name_initials("ABC华信有限公司") == "hxyxgs" and name_initials("　") == name_initials("") == ""
    names = ["柳州市华信科技有限公司", "柳州市华信商贸有限公司", "华信科技"]
    assert spell(names) == [name_initials(name) for name in names]


def test_the_industry_code_survives_into_the_golden_record() -> None:
    """A registration's industry code is the entity's (the desk's figures by industry read it from the register):
    it was never carried, so every case stood under 未关联主体."""
    golden = _golden(SurvivorshipConfig())
    assert golden[10]["industry_code"]["value"] == "6510" and golden[10]["industry_code"]["record_id"] == 1
    assert golden[11]["industry_code"]["value"] == "5221"
