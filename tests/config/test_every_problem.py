"""A source or target file with several mistakes names every one of them at once: the keys' own and those across
keys (a field the record type lacks, a code list on a text field, the reader's or transport's settings, the claim
against the timeout), where a file used to name the first and, once that was fixed, the next."""

from __future__ import annotations

import pytest

from zhizhi.config.files import parse_yaml
from zhizhi.delivery.targets import TargetConfig
from zhizhi.errors import ConfigError
from zhizhi.sources import parse_source

SOURCE = """\
name: dengji
department: DJZC
record_type: entity
default_prefecture: "45"
reader: csv
settings: {page_size: 100}
fields:
  naem: 企业名称
  address: {column: 地址, code_list: gbt4754-2011}
  uscc: {column: 统一社会信用代码, value: x}
"""

TARGET = """\
name: Province
owner: LZ-XY
record_types: [entity]
claim_seconds: 5
fields:
  QYMC: nmae
  DZ: {field: address, code_list: gbt2260}
  XX: {field: uscc, value: x}
transport: {kind: http, url: 12, timeout: 10}
"""


def test_a_source_file_names_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_source(SOURCE, "sources/dengji.yaml")
    details = raised.value.details
    wanted = [
        "`default_prefecture` = `45`",  # a key's own check
        "`fields.uscc`",  # a field's own check
        "`naem` (did you mean `name`?) are not fields of `entity`",  # across keys: a field the record type lacks
        "required field(s) name of `entity` are not mapped",
        "field `address` is not a code field",
        "the csv reader takes no `settings`",
    ]
    assert len(details) == len(wanted), details
    for said, detail in zip(wanted, details, strict=True):
        assert said in detail
    assert raised.value.message.startswith("`sources/dengji.yaml` has 6 problem(s)")
    assert "6 处问题" in (raised.value.message_zh or "")


def test_a_source_whose_keys_are_right_still_names_every_problem_across_them() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_source(SOURCE.replace('"45"', '"450200"').replace(", value: x", ""), "sources/dengji.yaml")
    assert len(raised.value.details) == 4, raised.value.details


def test_a_target_file_names_every_problem_at_once() -> None:
    with pytest.raises(ConfigError) as raised:
        parse_yaml(TARGET, "targets/province.yaml", TargetConfig)
    details = raised.value.details
    wanted = [
        "`name` = `Province`",
        "`fields.XX`",
        "field `QYMC`: `nmae` is not a field of entity",
        "field `DZ`: `address` is not a code field",
        "the http transport's settings: `transport.url`",
        "`claim_seconds` (5) must be longer than twice `transport.timeout` (10)",
    ]
    assert len(details) == len(wanted), details
    for said, detail in zip(wanted, details, strict=True):
        assert said in detail


def test_a_right_target_file_loads() -> None:
    right = TARGET.replace("Province", "province").replace("nmae", "name").replace(", code_list: gbt2260", "")
    right = right.replace(", value: x", "").replace("url: 12", "url: 'http://127.0.0.1:9/'").replace(": 5\n", ": 60\n")
    assert parse_yaml(right, "targets/province.yaml", TargetConfig).claim_seconds == 60
