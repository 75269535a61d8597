"""The site page in a real Chromium on a phone-sized screen: it fits the width, the form survives a reload (a draft
kept in the phone), and one submission records the visit and clears the draft. Nothing is fetched from elsewhere."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import Browser, expect
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import Visit, server  # noqa: F401  (the browser tests' fixture)
from tests.conftest import OPERATOR
from tests.inspections.register import build
from tests.inspections.test_draws import plan
from zhizhi.config import Workspace
from zhizhi.inspections import run_draw, visit_view
from zhizhi.store.tables import InspectionVisit, VisitItem

pytestmark = pytest.mark.browser
PHONE = {"width": 390, "height": 844}


@pytest.fixture
def phone(browser: Browser, server: str) -> Iterator[Visit]:  # noqa: F811
    """A fresh phone-sized tab (touch, mobile viewport) on the server."""
    context = browser.new_context(viewport=PHONE, is_mobile=True, has_touch=True, device_scale_factor=2)
    page = context.new_page()
    page.set_default_timeout(15_000)
    visit = Visit(page=page, base=server)
    page.on("request", lambda request: visit.requests.append(request.url))
    page.on("console", visit.record_console)
    page.on("pageerror", lambda error: visit.errors.append(f"page: {error}"))
    yield visit
    context.close()


def _joint_visit(workspace: Workspace, city: sessionmaker[Session]) -> tuple[str, str]:
    with city() as session, session.begin():
        build(session)
        number = plan(session, workspace)
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, number)
    with city() as session:
        visit = next(
            v for v in session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank)) if v.entity_id % 2 == 0
        )
        return visit.number, visit_view(session, OPERATOR, visit)["team"][0]["username"]


def test_the_site_form_fits_a_phone_survives_a_reload_and_records_once(
    phone: Visit, workspace: Workspace, city: sessionmaker[Session]
) -> None:
    number, member = _joint_visit(workspace, city)
    page = phone.page
    phone.login(member)
    phone.open(f"/inspections/visits/{number}/site")
    expect(page.locator("#site-form")).to_be_visible()
    assert page.evaluate("document.documentElement.scrollWidth <= window.innerWidth")  # no sideways scrolling
    box = page.locator("#site-submit").bounding_box()
    assert box is not None and box["width"] > PHONE["width"] * 0.8  # a button the thumb finds
    item = page.locator("#site-item-SP-01")
    item.locator("label.choice", has_text="责令整改").click()
    item.locator("textarea").fill("进货查验记录不全，责令7日内改正")
    expect(page.locator("#draft-status")).to_contain_text("草稿已保存")
    page.reload()  # the network dropped, the page was reloaded: nothing typed is lost
    expect(page.locator("#draft-status")).to_contain_text("已恢复本机草稿")
    expect(item.locator('input[value="rectify"]')).to_be_checked()
    expect(item.locator("textarea")).to_have_value("进货查验记录不全，责令7日内改正")
    page.locator("#site-item-TS-01 label.choice", has_text="未发现问题").click()
    page.locator("#site-ack label.choice", has_text="当事人已签字确认").click()
    page.locator('input[name="acknowledged_by"]').fill("张老板")
    with page.expect_navigation():
        page.locator("#site-submit").click()
    expect(page.locator("#site-done")).to_be_visible()
    assert page.evaluate(f"localStorage.getItem('zhizhi-site-{member}-{number}')") is None  # the draft is cleared
    with city() as session:
        results = session.scalars(
            select(VisitItem.result)
            .join(InspectionVisit, InspectionVisit.id == VisitItem.visit_id)
            .where(InspectionVisit.number == number)
            .order_by(VisitItem.item_id)
        ).all()
    assert list(results) == ["rectify", "pass"]
    page.wait_for_load_state("networkidle")
    assert [url for url in phone.requests if not url.startswith(phone.base + "/")] == []
    assert phone.errors == []


def test_a_draft_is_its_users_own_and_signing_out_removes_it(
    phone: Visit, workspace: Workspace, city: sessionmaker[Session]
) -> None:
    """A phone or computer may be shared: a draft (findings, the firm's people) is kept under its user's name and
    removed when they sign out, so the next person signed in there finds nothing of it."""
    number, member = _joint_visit(workspace, city)
    page = phone.page
    phone.login(member)
    phone.open(f"/inspections/visits/{number}/site")
    page.locator("#site-item-SP-01 textarea").fill("进货查验记录不全，联系人王某某13907745678")
    expect(page.locator("#draft-status")).to_contain_text("草稿已保存")
    assert page.evaluate(f"localStorage.getItem('zhizhi-site-{member}-{number}')") is not None
    phone.open("/inspections")  # the site page is the form alone; the user signs out from any other page
    with page.expect_navigation():
        page.locator("#logout-form button").click()
    kept = page.evaluate("Object.keys(localStorage).filter(function (k) { return k.indexOf('zhizhi-') === 0; })")
    assert kept == []
    assert phone.errors == []
