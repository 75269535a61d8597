"""A steward in a real Chromium sees a record's personal data masked, declares a purpose, sees it in full, and the
read is in the audit trail; nothing is fetched from elsewhere and nothing errs."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import Visit
from tests.ingest.test_pipeline import _codes, _ingest, _row, _source, _write
from tests.privacy.test_masking import ID_HEADER, ID_SOURCE, LEGAL_REP, MASKED_ID, PERSON_ID
from zhizhi.store.tables import AuditEvent, Record

pytestmark = pytest.mark.browser


def test_a_steward_unmasks_a_record_for_a_declared_purpose(
    visit: Visit, city: sessionmaker[Session], tmp_path: Path
) -> None:
    rows = [[*_row(_codes(1)[0], "柳州市甲有限公司"), PERSON_ID, LEGAL_REP, ""]]
    _ingest(city, _write(tmp_path / "ids.csv", rows, header=ID_HEADER), _source(ID_SOURCE))
    with city() as session:
        record = session.scalar(select(Record.id))
    page = visit.page
    visit.login("steward")
    visit.open(f"/records/{record}")
    expect(page.locator("#version-1")).to_contain_text(MASKED_ID)
    expect(page.locator("#version-1")).to_contain_text("彭**")
    assert PERSON_ID not in page.content()
    page.locator('#unmask-form input[name="purpose"]').fill("数据核实：更正登记信息")
    with page.expect_navigation():
        page.locator("#unmask-form button").click()
    expect(page.locator("#unmasked-notice")).to_contain_text("数据核实：更正登记信息")
    expect(page.locator("#version-1")).to_contain_text(PERSON_ID)
    with city() as session:
        event = session.scalar(select(AuditEvent).where(AuditEvent.action == "personal.read"))
    assert event is not None and event.actor == "steward" and event.object_id == str(record)
    assert all(url.startswith(visit.base) for url in visit.requests) and visit.errors == []
