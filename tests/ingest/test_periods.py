"""A span a record type declares (a licence's 有效期起 .. 有效期至) that ends before it starts is a hard finding that
names both columns and both values, in both languages."""

from __future__ import annotations

import re
from datetime import date

import polars as pl
import pytest

from zhizhi.ingest.kinds import Context
from zhizhi.ingest.mapping import HARD, map_chunk
from zhizhi.ingest.read.base import ERROR, ROW
from zhizhi.records import record_types
from zhizhi.records.fields import Field, RecordType
from zhizhi.sources import parse_source

TODAY = date(2026, 11, 28)
LICENCE = """\
name: xuke
department: LZ-DJ
record_type: licence
fields:
  number: 许可证编号
  kind: {value: 食品经营许可证}
  holder_name: 经营者名称
  valid_from: 发证日期
  valid_to: 有效期至
"""


def _map(rows: list[tuple[str, str]]) -> tuple[pl.DataFrame, pl.DataFrame]:
    columns = ["许可证编号", "经营者名称", "发证日期", "有效期至"]
    frame = pl.DataFrame(
        {
            ROW: list(range(2, len(rows) + 2)),
            ERROR: [None] * len(rows),
            "许可证编号": [f"JY{n}" for n in range(len(rows))],
            "经营者名称": ["柳州市城中区老友粉店"] * len(rows),
            "发证日期": [start for start, _ in rows],
            "有效期至": [end for _, end in rows],
        },
        schema={ROW: pl.Int64, ERROR: pl.String, **dict.fromkeys(columns, pl.String)},
    )
    mapped = map_chunk(frame, parse_source(LICENCE, "sources/xuke.yaml"), Context(TODAY, "450200", "0772"))
    return mapped.records, mapped.findings


PERIODS = [
    # (有效期起, 有效期至, reason codes, quarantined)
    ("2026-03-08", "2021-03-07", ["date.end_before_start"], True),
    ("2025-03-07", "2020-03-08", ["date.end_before_start"], True),  # the two dates swapped
    ("2026年3月8日", "2026/3/7", ["date.end_before_start"], True),  # compared as dates, however written
    ("2026-03-08", "2026-03-08", [], False),  # a span of one day
    ("2026/3/8", "2031-03-07", [], False),
    ("", "2020-01-01", [], False),  # no start: nothing to compare
    ("2026-03-08", "", [], False),
    ("2026-03-08", "不详", ["date.invalid"], True),  # the end's own finding, not a second one
]


@pytest.mark.parametrize(("start", "end", "codes", "hard"), PERIODS)
def test_a_span_ending_before_it_starts_is_quarantined(start: str, end: str, codes: list[str], hard: bool) -> None:
    records, findings = _map([(start, end)])
    assert sorted(findings["code"].to_list()) == codes
    assert records[HARD].to_list() == [hard]


def test_the_finding_names_both_columns_and_values_and_the_fix_in_both_languages() -> None:
    _, findings = _map([("2026-03-08", "2021-03-07")])
    (finding,) = findings.iter_rows(named=True)
    assert (finding["field"], finding["column"], finding["value"], finding["severity"]) == (
        "valid_to",
        "有效期至",
        "2021-03-07",
        "hard",
    )
    assert re.search(r"`有效期至` = `2021-03-07` is before `发证日期` = `2026-03-08`", finding["message"])
    assert "fix the value in quarantine or correct the export" in finding["message"]
    assert re.search(r"「有效期至」`2021-03-07` 早于「发证日期」`2026-03-08`", finding["message_zh"])
    assert "隔离区修正" in finding["message_zh"]


def test_every_from_to_pair_of_dates_a_record_type_has_is_declared_as_a_period() -> None:
    """A record type's date fields named as the two ends of a span are checked as one: a new pair cannot be left out."""
    ends = {"from": "to", "first": "last", "start": "end", "begin": "end", "since": "until"}
    for kind in record_types().values():
        dated = {f.name for f in kind.fields if f.kind in ("date", "datetime")}
        for name in dated:
            stem, _, end = name.rpartition("_")
            if end in ends and f"{stem}_{ends[end]}" in dated:
                assert (name, f"{stem}_{ends[end]}") in kind.periods, (kind.name, name)
    assert ("valid_from", "valid_to") in record_types()["licence"].periods


def test_a_period_must_name_two_date_fields_of_the_record_type() -> None:
    fields = (Field("number", "text", "编号", "Number"), Field("valid_to", "date", "有效期至", "Valid to"))
    with pytest.raises(ValueError, match="not a pair of date or datetime fields"):
        RecordType("x", "X", "X", fields, (("number",),), periods=(("number", "valid_to"),))
    with pytest.raises(ValueError, match="not a pair"):
        RecordType("x", "X", "X", fields, (("number",),), periods=(("valid_from", "valid_to"),))
