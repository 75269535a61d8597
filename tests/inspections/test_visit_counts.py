"""Findings of one visit that contradict each other are refused, every problem named in both languages."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.inspections.register import actor_of
from tests.inspections.test_draws import TODAY
from tests.inspections.test_visits import drawn
from zhizhi.config import Workspace
from zhizhi.errors import InputError
from zhizhi.inspections import Finding, record_results, visit_view
from zhizhi.store.tables import InspectionVisit


def _joint_visits(session: Session) -> list[InspectionVisit]:
    """The draw's joint visits (the even entities hold special equipment: food and equipment items), by rank."""
    visits = session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank)).all()
    return [v for v in visits if visit_view(session, OPERATOR, v)["joint"]]


@pytest.mark.parametrize(
    ("findings", "acknowledgement", "expected"),
    [
        (  # not found for one department's item, inspected for the other's
            {"SP-01": Finding("pass"), "TS-01": Finding("not_found")},
            "absent",
            [("`not_found` for item(s) `TS-01` but another finding for `SP-01`", "事项 `TS-01` 为“未找到检查对象”")],
        ),
        (  # nobody was found, yet someone signed
            {"SP-01": Finding("not_found"), "TS-01": Finding("not_found")},
            "signed",
            [("the firm was not found (`not_found`), so nobody signed for it", "未找到检查对象，当事人不可能签字确认")],
        ),
        (  # both at once, each named
            {"SP-01": Finding("pass"), "TS-01": Finding("not_found")},
            "signed",
            [("`not_found` for item(s) `TS-01`", "事项 `SP-01` 却填写了其他结果"), ("nobody signed", "不可能签字")],
        ),
    ],
)
def test_findings_that_contradict_each_other_are_refused_each_named_in_both_languages(
    workspace: Workspace,
    city: sessionmaker[Session],
    findings: dict[str, Finding],
    acknowledgement: str,
    expected: list[tuple[str, str]],
) -> None:
    drawn(city, workspace)
    with city() as session, session.begin(), pytest.raises(InputError) as refused:
        visit = _joint_visits(session)[0]
        member = visit_view(session, OPERATOR, visit)["team"][0]["username"]
        record_results(session, actor_of(session, member), workspace, visit.number, findings=findings,
                       inspected_on=TODAY, acknowledgement=acknowledgement, acknowledged_by="张伟",
                       today=TODAY)  # fmt: skip
    error = refused.value
    assert len(error.details) == len(expected), error.details
    for (english, chinese), detail in zip(expected, error.details, strict=True):
        assert english in detail and english in error.message
        assert chinese in (error.message_zh or "")
    with city() as session:
        assert session.get_one(InspectionVisit, visit.id).status == "assigned"
