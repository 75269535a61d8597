"""Every field of every record type is in the personal-data catalogue, and docs/privacy.md shows what the code says."""

from __future__ import annotations

from pathlib import Path

import pytest

from tests.conftest import Web
from zhizhi.privacy.catalogue import catalogue, catalogue_markdown, classify_columns, entries, personal_columns
from zhizhi.records import Field, RecordType, record_types

DOC = Path(__file__).parents[2] / "docs" / "privacy.md"


def test_every_field_of_every_record_type_is_classified() -> None:
    listed = {(kind["record_type"], f["field"]): f["category"] for kind in catalogue() for f in kind["fields"]}
    expected = {(kind.name, spec.name) for kind in record_types().values() for spec in kind.fields}
    assert set(listed) == expected
    assert listed[("entity", "legal_representative_id")] == "identity_number"
    assert listed[("entity", "legal_representative")] == "person_name"
    assert listed[("entity", "phone")] == "phone"
    assert listed[("entity", "uscc")] == "none" and listed[("licence", "holder_name")] == "none"
    assert personal_columns("entity")["phone_others"] == "phone"
    assert "address_division_code" not in personal_columns("entity")


def test_every_column_that_repeats_a_personal_value_is_personal_too() -> None:
    """An address's street part holds the house number, a phone field's other numbers are phones: each is masked,
    refused as a report's group and erased as its field is (the street part was once missed by its name)."""
    from zhizhi.ingest.kinds import output_columns

    checked = []
    for kind in record_types().values():
        columns = personal_columns(kind.name)
        for spec in kind.fields:
            repeats = {"address": f"{spec.name}_rest", "phone": f"{spec.name}_others"}.get(spec.kind)
            if spec.name in columns and repeats is not None:
                assert repeats in output_columns(spec)
                assert columns.get(repeats) == columns[spec.name], (kind.name, repeats)
                checked.append((kind.name, repeats))
    assert ("ticket", "caller_address_rest") in checked and ("entity", "phone_others") in checked


def test_a_plugins_fields_are_classified_by_declaration_or_kind() -> None:
    kind = RecordType(
        name="stall",
        label_zh="摊位",
        label="Market stall",
        fields=(
            Field("holder", "person", "经营者", "Holder"),
            Field("home", "text", "住址", "Home", privacy="person_address"),
            Field("face", "text", "人脸", "Face", privacy="biometric"),
            Field("stall_no", "text", "摊位号", "Stall", privacy="none"),
        ),
        keys=(("stall_no",),),
    )
    assert [(e.field, e.category, e.declared) for e in entries(kind)] == [
        ("holder", "person_name", False),
        ("home", "person_address", True),
        ("face", "biometric", True),
        ("stall_no", "none", True),
    ]
    wrong = RecordType("x", "x", "x", (Field("a", "text", "a", "a", privacy="secret"),), (("a",),))
    with pytest.raises(ValueError, match="`secret`"):
        entries(wrong)


def test_raw_columns_are_classified_by_the_mapping_then_the_header() -> None:
    columns = ["统一社会信用代码", "法人身份证号码", "安全管理员", "联系电话", "备注"]
    found = classify_columns(
        "entity", columns, {"统一社会信用代码": "uscc", "法人身份证号码": "legal_representative_id"}
    )
    assert found == {
        "统一社会信用代码": "none",
        "法人身份证号码": "identity_number",
        "安全管理员": "person_name",
        "联系电话": "phone",
        "备注": "free_text",
    }


def test_docs_privacy_md_holds_the_catalogue_the_code_makes() -> None:
    text = DOC.read_text(encoding="utf-8")
    start = text.index("<!-- catalogue:")
    table = text[text.index("\n", start) + 1 : text.index("<!-- end of catalogue -->")]
    assert table == catalogue_markdown(), "docs/privacy.md is stale: paste `zhizhi privacy catalogue --markdown`"


def test_the_catalogue_page_and_its_twin(web: Web) -> None:
    web.login_form("leader")
    page = web.client.get("/privacy").text
    assert 'id="field-entity-legal_representative_id"' in page and "身份证件号码" in page
    assert '<a href="/privacy"' in page
    twin = web.client.get("/api/privacy/catalogue").json()
    assert {k["record_type"] for k in twin} == set(record_types())
