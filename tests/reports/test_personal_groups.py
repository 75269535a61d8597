"""A report never lists a person: grouping its rows by a field of personal data (a name, a phone, an ID number, an
address, ...) would put those values as the labels of its tables, its Excel and CSV files and the figures delivered
to platforms. Such a definition is refused, naming the field and its category; counting by free text (a type of
firm) stays allowed, its labels with the numbers found in them (phones, ID numbers) masked."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, outbox
from tests.hotline.desk import HEADER_12315, SOURCE_12315, write_export
from tests.reports.conftest import write_report
from zhizhi.config import Workspace
from zhizhi.config.files import parse_yaml
from zhizhi.errors import ConfigError
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.reports import parse_period, run_as_dict, run_report
from zhizhi.reports.definition import ReportConfig
from zhizhi.sources import parse_source

PHONE, ID_NUMBER = "13812345678", "450202199001011237"

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
        ("records", "ticket", "caller_address_rest", ["`caller_address_rest` (person_address)"]),  # the house number
        ("records", "ticket", "caller_phone_others", ["`caller_phone_others` (phone)"]),
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


TICKET_TEXTS = """\
name: texts
title: 诉求内容统计
requester: 某办公室
department: LZ
frequency: on_demand
query:
  from: records
  record_type: ticket
  group_by: [text]
measures:
  - {name: n, label: 件数, kind: count}
"""


def test_a_report_grouped_by_free_text_shows_its_labels_with_the_numbers_masked(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    text = f"会员卡无法退款，请回电{PHONE}，身份证{ID_NUMBER}"
    row = [
        "M-1",
        "2026-03-02 09:15:00",
        "投诉",
        "张三",
        "13800000001",
        "某店",
        "",
        "柳州市城中区文昌路12号",
        text,
        "待受理",
    ]
    source = SOURCE_12315.replace("LZ-TSJB", "LZ-CZ-ZN")
    path = write_export(tmp_path / "tickets.csv", HEADER_12315, [row])
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, parse_source(source, "sources/rexian-12315.yaml"), path, outbox=outbox())
    write_report(workspace.root, TICKET_TEXTS)
    with city() as session, session.begin():
        run = run_report(session, workspace, OPERATOR, "texts", parse_period("2026-03-01..2026-03-31"))
        figures = run_as_dict(session, run)["figures"]
    (shown,) = [r for r in figures["rows"] if r["n"]]
    assert PHONE not in json.dumps(figures, ensure_ascii=False) and ID_NUMBER not in json.dumps(
        figures, ensure_ascii=False
    )
    assert "138****5678" in shown["text"] and "138****5678" in shown["text_name"] and "会员卡无法退款" in shown["text"]
