"""The demo city in a real Chromium: its leader reads the delivery funnel on the dashboard, follows a delivery the
province refused to its page and downloads the proof, which holds offline; nothing is fetched from elsewhere.
(The docs' screenshots are taken by tools/screenshots.py.)
"""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import Visit
from tests.conftest import OPERATOR
from zhizhi.config import Workspace
from zhizhi.delivery.outbox import delivery_counts
from zhizhi.demo import load_demo_data
from zhizhi.demo.delivery import province_store, send_due, write_demo_targets
from zhizhi.demo.province import ProvincePlatform
from zhizhi.ledger import check_proof

pytestmark = pytest.mark.browser


@pytest.fixture
def demo(workspace: Workspace, city: sessionmaker[Session]) -> Iterator[dict[str, dict[str, int]]]:
    """The demo's data in the test workspace, delivered as `zhizhi demo` does; yields the outbox's counts."""
    province = ProvincePlatform(province_store(workspace.root)).start()
    write_demo_targets(workspace.root, province.url)
    with city() as session, session.begin():
        load_demo_data(session, OPERATOR, workspace.root)
    send_due(city, workspace.root)
    with city() as session:
        counts = delivery_counts(session, OPERATOR)
    yield counts
    province.stop()


def test_a_leader_follows_a_refused_delivery_to_its_proof(
    visit: Visit, demo: dict[str, dict[str, int]], tmp_path: Path
) -> None:
    page = visit.page
    visit.login("leader")
    expect(page.locator("h1")).to_have_text("工作区概况")
    province = page.locator("#funnel-province")
    expect(province.locator("h3")).to_contain_text("广西市场监管一体化平台")
    expect(province.locator(".figure-owed")).to_have_text(str(sum(demo["province"].values())))
    expect(province.locator(".figure-acknowledged")).to_have_text(str(demo["province"]["acknowledged"]))
    expect(province.locator(".figure-rejected")).to_have_text(str(demo["province"]["rejected"]))
    expect(page.locator("#funnel-city .figure-acknowledged")).to_have_text("2925")

    with page.expect_navigation():
        page.locator("#funnel-heading a").click()
    expect(page.locator("h1")).to_have_text("数据交付")
    row = page.locator("#problems tbody tr.status-rejected").filter(has_text="（E").first
    reason = row.locator(".reason").inner_text()
    with page.expect_navigation():
        row.locator("a.delivery-link").click()
    expect(page.locator("#delivery-status")).to_have_text("被拒收")
    expect(page.locator("#delivery-reason")).to_have_text(reason)
    key = page.locator("#delivery-key").inner_text()

    with page.expect_download() as download:
        page.locator("#delivery-ledger a.proof").last.click()
    saved = tmp_path / download.value.suggested_filename
    download.value.save_as(saved)
    check = check_proof(saved.read_bytes())
    assert check.ok, check.problem
    assert check.entry is not None and check.entry["kind"] == "delivery.rejected"
    assert check.entry["payload"]["idempotency_key"] == key and check.entry["payload"]["reason"] == reason
    assert not check_proof(saved.read_bytes().replace(key.encode(), key.upper().encode())).ok  # changed: fails

    page.wait_for_load_state("networkidle")
    assert [url for url in visit.requests if not url.startswith(visit.base + "/")] == []
    assert visit.errors == []
