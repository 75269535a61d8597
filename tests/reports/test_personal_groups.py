"""A report never lists a person: grouping its rows by a field of personal data (a name, a phone, an ID number, an
address, ...) would put those values as the labels of its tables, its Excel and CSV files and the figures delivered
to platforms. Such a definition is refused, naming the field and its category; counting by free text (a type of
firm) stays allowed."""

from __future__ import annotations

import pytest

from zhizhi.config.files import parse_yaml
from zhizhi.errors import ConfigError
from zhizhi.reports.definition import ReportConfig

DEFINITION = """\
name: people
title: 投诉人排行
requester: 某办公室
department: LZ
frequency: monthly
query:
  from: {origin}
  {record_type}group_by: [{groups}]
measures:
  - {{name: n, label: 件数, kind: count}}
"""


def _parse(origin: str, groups: str, record_type: str = "") -> ReportConfig:
    text = DEFINITION.format(
        origin=origin, groups=groups, record_type=f"record_type: {record_type}\n  " if record_type else ""
    )
    return parse_yaml(text, "reports/people.yaml", ReportConfig)


@pytest.mark.parametrize(
    ("origin", "record_type", "groups", "refused"),
    [
        ("records", "ticket", "caller_name, kind", ["`caller_name` (person_name)"]),
        ("records", "ticket", "caller_phone", ["`caller_phone` (phone)"]),
        ("records", "ticket", "caller_address", ["`caller_address` (person_address)"]),
        ("records", "entity", "legal_representative_id", ["`legal_representative_id` (identity_number)"]),
        ("entities", "", "county, legal_representative, phone",
         ["`legal_representative` (person_name)", "`phone` (phone)"]),
    ],
)  # fmt: skip
def test_a_report_grouped_by_personal_data_is_refused(
    origin: str, record_type: str, groups: str, refused: list[str]
) -> None:
    with pytest.raises(ConfigError) as caught:
        _parse(origin, groups, record_type)
    problems = caught.value.details
    assert len(problems) == len(refused), problems
    for field, problem in zip(refused, problems, strict=True):
        assert problem.startswith(f"`query.group_by`: {field} is personal data"), problem
        assert "count it with a `distinct` measure instead" in problem


def test_a_report_grouped_by_free_text_or_codes_is_accepted() -> None:
    assert _parse("records", "county, entity_type", "entity").query.group_by == ["county", "entity_type"]
    assert _parse("records", "kind, respondent_uscc", "ticket").query.group_by == ["kind", "respondent_uscc"]
