"""A record's JSON, as stored and hashed: compact, empty fields left out, every value as JSON writes it."""

from __future__ import annotations

import json

import polars as pl

from zhizhi.ingest.encode import record_json


def test_empty_fields_are_left_out_and_every_value_is_json_whatever_it_holds() -> None:
    records = pl.DataFrame(
        {
            "name": [None, "甲公司", None, 'a "quoted" \\ back\\slash', "x"],
            "note": ['值里写着,"name":null', None, None, "tab\there\nline", None],
            "day": ["2026-12-07", "2026-12-07", None, None, None],
        }
    )
    written = record_json(records, ["name", "note", "day"]).to_list()
    assert written[1] == '{"name":"甲公司","day":"2026-12-07"}'  # compact, unescaped Chinese, field order
    assert written[2] == "{}"
    expected = [{k: v for k, v in row.items() if v is not None} for row in records.iter_rows(named=True)]
    assert [json.loads(text) for text in written] == expected  # a value holding `,"name":null` kept whole


def test_the_bytes_are_those_earlier_versions_stored_so_an_unchanged_record_keeps_its_hash() -> None:
    def earlier(records: pl.DataFrame, columns: list[str]) -> pl.Series:
        encoded = records.select(pl.struct(columns).struct.json_encode().alias("d"))["d"]
        return encoded.str.replace_all(r',"[a-z_]+":null', "").str.replace(r'^\{"[a-z_]+":null,?', "{")

    records = pl.DataFrame(
        {
            "uscc": ["91450200MA5K3C1Q21", None, None, "x"],
            "name": ["柳州市华信科技有限公司", "乙\u200b店", None, 'q"uote'],
            "founded_on": [None, "2026-01-01", None, None],
            "address_rest": ["文昌路12号", None, None, "\\"],
        }
    )
    columns = list(records.columns)
    assert record_json(records, columns).to_list() == earlier(records, columns).to_list()
