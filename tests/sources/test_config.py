"""Source files: what loads, and what is refused with a message that says what to fix."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhizhi.errors import ConfigError, InputError, NotFoundError
from zhizhi.sources import FieldMapping, dump_source, list_source_names, load_source, parse_source, source_path

VALID = """\
name: dengji
title: 登记注册系统导出
department: DJZC
record_type: entity
encoding: gbk
default_prefecture: "450200"
fields:
  uscc: 统一社会信用代码
  name: {column: 企业名称, confidence: 0.9}
  industry_code: {column: 行业代码, code_list: gbt4754-2011}
  status: {column: 登记状态, transforms: [{map: {在业: 存续}}, {default: 存续}]}
  entity_type: {value: 个体工商户}
"""


def write(root: Path, name: str, text: str) -> Path:
    path = source_path(root, name)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path


def entity(fields: str, name: str = "dengji") -> str:
    return f"name: {name}\ndepartment: DJZC\nrecord_type: entity\nfields:\n{fields}"


def test_a_valid_file_loads_with_every_key(tmp_path: Path) -> None:
    write(tmp_path, "dengji", VALID)
    source = load_source(tmp_path, "dengji")
    assert (source.title, source.department, source.record_type) == ("登记注册系统导出", "DJZC", "entity")
    assert (source.encoding, source.default_prefecture) == ("gbk", "450200")
    assert source.fields["name"] == FieldMapping(column="企业名称", confidence=0.9)
    assert source.fields["industry_code"].code_list == "gbt4754-2011"
    assert source.fields["status"].transforms == [{"map": {"在业": "存续"}}, {"default": "存续"}]
    assert source.fields["entity_type"].value == "个体工商户"
    assert source.columns() == {
        "uscc": "统一社会信用代码",
        "name": "企业名称",
        "industry_code": "行业代码",
        "status": "登记状态",
    }


def test_the_shorthand_is_a_column_and_dumping_keeps_it(tmp_path: Path) -> None:
    source = parse_source(VALID, "sources/dengji.yaml")
    assert source.fields["uscc"] == FieldMapping(column="统一社会信用代码")
    text = dump_source(source)
    assert "  uscc: 统一社会信用代码\n" in text
    assert parse_source(text, "again") == source
    # fields come out in the record type's order, whatever order the file had
    fields = text[text.index("fields:") :]
    assert fields.index("uscc:") < fields.index("name:") < fields.index("entity_type:") < fields.index("industry_code:")


def test_an_unknown_field_lists_the_record_types_fields() -> None:
    with pytest.raises(ConfigError) as caught:
        parse_source(entity("  name: 企业名称\n  licence_no: 许可证号\n"), "sources/dengji.yaml")
    message = caught.value.message
    assert "`sources/dengji.yaml`" in message and "`licence_no` are not fields of `entity`" in message
    assert "its fields: uscc, reg_no, name, entity_type" in message
    assert "{" not in message  # the file's content is not repeated back
    with pytest.raises(ConfigError, match=r"`adress` \(did you mean `address`\?\)"):
        parse_source(entity("  name: 企业名称\n  adress: 住所\n"), "sources/dengji.yaml")


def test_a_required_field_must_be_mapped() -> None:
    with pytest.raises(ConfigError, match=r"required field\(s\) name of `entity` are not mapped"):
        parse_source(entity("  uscc: 统一社会信用代码\n"), "sources/dengji.yaml")
    licence = "name: xk\ndepartment: SP\nrecord_type: licence\nfields:\n  number: 许可证编号\n"
    with pytest.raises(ConfigError, match=r"required field\(s\) kind, holder_name of `licence`"):
        parse_source(licence, "sources/xk.yaml")


def test_column_and_value_together_or_neither_are_refused() -> None:
    both = entity("  name: {column: 企业名称, value: 某公司}\n")
    with pytest.raises(ConfigError, match="give exactly one of `column` or `value`"):
        parse_source(both, "sources/dengji.yaml")
    neither = entity("  name: {confidence: 0.5}\n")
    with pytest.raises(ConfigError, match="give exactly one of `column` or `value`"):
        parse_source(neither, "sources/dengji.yaml")


@pytest.mark.parametrize(
    ("step", "message"),
    [
        ("{trim: true}", "unknown transform `trim`; known: default, extract"),
        ("{map: [在业]}", "`map` takes a mapping"),
        ("{replace: {'[': x}}", r"`replace`: `\[` is not a regular expression"),
        ("{extract: '(\\d+)-(\\d+)'}", "`extract`: .* must have exactly one group"),
        ("{upper: true, lower: true}", "a transform step has exactly one name"),
    ],
)
def test_a_bad_transform_is_refused_with_its_reason(step: str, message: str) -> None:
    with pytest.raises(ConfigError, match=message):
        parse_source(entity(f"  name: {{column: 企业名称, transforms: [{step}]}}\n"), "sources/dengji.yaml")


def test_code_list_only_on_code_fields_and_unknown_keys_refused() -> None:
    with pytest.raises(ConfigError, match="field `name` is not a code field: remove its code_list"):
        parse_source(entity("  name: {column: 企业名称, code_list: gbt2260}\n"), "sources/dengji.yaml")
    with pytest.raises(ConfigError, match="unknown key `reader_options`"):
        parse_source(entity("  name: 企业名称\n") + "reader_options: {}\n", "sources/dengji.yaml")
    with pytest.raises(ConfigError, match="record_type `shop` is unknown; known: entity, equipment, inspection"):
        parse_source("name: a\ndepartment: X\nrecord_type: shop\nfields: {}\n", "sources/a.yaml")


def test_the_name_inside_must_be_the_files_name(tmp_path: Path) -> None:
    write(tmp_path, "dengji", entity("  name: 企业名称\n", name="other"))
    with pytest.raises(ConfigError, match=r"`sources/dengji.yaml` says `name: other`; make them the same"):
        load_source(tmp_path, "dengji")


def test_a_missing_file_lists_the_known_sources(tmp_path: Path) -> None:
    with pytest.raises(NotFoundError, match=r"Known sources: none\. Write one with `zhizhi sources suggest"):
        load_source(tmp_path, "dengji")
    write(tmp_path, "b-list", entity("  name: 企业名称\n", name="b-list"))
    write(tmp_path, "a_list", entity("  name: 企业名称\n", name="a_list"))
    assert list_source_names(tmp_path) == ["a_list", "b-list"]
    with pytest.raises(NotFoundError, match=r"No source `dengji`: `sources/dengji.yaml` does not exist\. "):
        load_source(tmp_path, "dengji")
    with pytest.raises(NotFoundError, match=r"Known sources: a_list, b-list\."):
        load_source(tmp_path, "dengji")


def test_bad_names_and_bad_yaml_are_refused(tmp_path: Path) -> None:
    with pytest.raises(InputError, match="Source name `登记` is not valid"):
        source_path(tmp_path, "登记")
    with pytest.raises(InputError, match="Source name `Dengji` is not valid"):
        load_source(tmp_path, "Dengji")
    write(tmp_path, "broken", "name: broken\nfields: [\n")
    with pytest.raises(ConfigError, match="`sources/broken.yaml` is not valid YAML"):
        load_source(tmp_path, "broken")
    write(tmp_path, "twice", "name: twice\nfields:\n  number: 检查编号\n  inspected_on: 检查日期\n  number: 检查日期\n")
    with pytest.raises(ConfigError, match=r"key `number` is given twice \(lines 3 and 5\)"):
        load_source(tmp_path, "twice")  # the last copy won in silence: records keyed by the date
    (tmp_path / "sources" / "gbk.yaml").write_bytes("name: gbk\ntitle: 检查台账\n".encode("gbk"))
    with pytest.raises(ConfigError, match=r"`sources/gbk.yaml` is not UTF-8"):
        load_source(tmp_path, "gbk")
    write(tmp_path, "short", "name: short\ndepartment: LZ-DJ\nfields:\n  name: 企业名称\n")
    with pytest.raises(ConfigError) as caught:
        load_source(tmp_path, "short")
    assert "`record_type` is missing; add it" in caught.value.message and "企业名称" not in caught.value.message
    assert "缺少 `record_type`" in (caught.value.message_zh or "")
    write(tmp_path, "listy", "- name\n- department\n")
    with pytest.raises(ConfigError, match="must be a mapping"):
        load_source(tmp_path, "listy")


HAND_WRITTEN_ANSWERS = """\
name: ans
department: TSJB
record_type: ticket_answer
fields:
  channel: {value: '12315'}
  number: 编号
  case_number: 案件
  decision: {value: answered}
  status_code: {value: '9'}
  answered_at: 时间
"""


@pytest.mark.parametrize(("record_type", "prefix"), [("ticket_answer", "answers-"), ("report_run", "reports-")])
def test_a_type_zhizhi_writes_itself_is_refused_in_a_hand_written_source(
    tmp_path: Path, record_type: str, prefix: str
) -> None:
    """A hand-written `record_type: ticket_answer` source ingested a CSV as the desk's answers, though only the desk
    writes them (docs/model.md), in its own source."""
    text = HAND_WRITTEN_ANSWERS.replace("ticket_answer", record_type)
    write(tmp_path, "ans", text)
    with pytest.raises(ConfigError) as caught:
        load_source(tmp_path, "ans")
    message = str(caught.value)
    assert f"record_type `{record_type}`" in message and "is written by zhizhi itself" in message
    assert f"`{prefix}...`" in message and "由智治自行写入" in message and "entity, equipment" in message


def test_the_desks_own_sources_still_load(tmp_path: Path) -> None:
    """The desk writes its answers to `answers-CHANNEL-DESK` and a department's report runs to `reports-DEPT`."""
    from zhizhi.config import init_workspace
    from zhizhi.hotline.answers import answer_source
    from zhizhi.reports.deliver import report_source

    workspace = init_workspace(tmp_path / "ws", name="测试市市场监督管理局")
    answers = answer_source(workspace, "12315", "LZ-TSJB")
    assert (answers.name, answers.record_type) == ("answers-12315-lz-tsjb", "ticket_answer")
    reports = report_source(workspace, "LZ-TSJB")
    assert (reports.name, reports.record_type) == ("reports-lz-tsjb", "report_run")
    assert load_source(workspace.root, answers.name) == answers and load_source(workspace.root, reports.name) == reports
