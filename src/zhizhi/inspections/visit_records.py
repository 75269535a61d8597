"""The inspection records a visit made: one per department whose items it carried (`zhizhi.inspections.results`),
so that a joint visit is several records and counts as one visit wherever visits are counted."""

from __future__ import annotations

from sqlalchemy import Subquery, select

from zhizhi.store.tables import InspectionVisit, VisitItem


def record_visits() -> Subquery:
    """(record_id, visit_id, number): the visit each inspection record was made for; records of a department's own
    export have none."""
    return (
        select(VisitItem.record_id, VisitItem.visit_id, InspectionVisit.number)
        .join(InspectionVisit, InspectionVisit.id == VisitItem.visit_id)
        .where(VisitItem.record_id.is_not(None))
        .distinct()
        .subquery("record_visits")
    )
