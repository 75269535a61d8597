"""The hotline desk in a real Chromium: a handler signs in, opens the desk, confirms a suggested merge and decides the
case (in Chinese, and once in English); a citizen files a ticket on the web form and looks it up without an
account. Nothing is fetched from elsewhere and nothing errs."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import Visit
from tests.conftest import OPERATOR
from tests.web.test_hotline_pages import open_desk
from zhizhi.config import Workspace
from zhizhi.hotline import take_in

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {"title": "热线", "confirmed": "已确认并案", "decided": "决定已记录", "closed": "已办结",
              "not_accepted": "不予受理"},
    "en": {"title": "Hotline", "confirmed": "Merged", "decided": "Decision recorded", "closed": "Closed",
           "not_accepted": "Not accepted"},
}  # fmt: skip


@pytest.fixture
def workspace(workspace: Workspace, city: sessionmaker[Session], tmp_path: Path) -> Workspace:
    """The desk: two channels' tickets taken into cases, one merge left for a handler to confirm."""
    desk = open_desk(workspace, tmp_path)
    with city() as session, session.begin():
        take_in(session, OPERATOR, desk)
    return desk


def _local_and_quiet(visit: Visit) -> None:
    visit.page.wait_for_load_state("networkidle")
    assert [url for url in visit.requests if not url.startswith(visit.base + "/")] == []
    assert visit.errors == []


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_handler_confirms_a_merge_and_decides_the_case(visit: Visit, locale: str) -> None:
    words, page = WORDS[locale], visit.page
    visit.login("hotline")
    if locale == "en":
        with page.expect_navigation():
            page.locator("#lang-switch").click()
    with page.expect_navigation():
        page.locator('nav.side a[href="/hotline"]').click()
    expect(page.locator("h1")).to_have_text(words["title"])
    expect(page.locator("#cases tbody tr")).to_have_count(4)
    expect(page.locator('#cases [data-clock="breached"]')).to_have_count(3)

    with page.expect_navigation():
        page.locator('#hotline-tabs a[href="/hotline/suggestions"]').click()
    suggestion = page.locator("section.suggestion").filter(has_text="G003")  # another member of the gym
    expect(suggestion).to_have_count(1)
    expect(suggestion.locator(".score")).to_contain_text("%")
    with page.expect_navigation():
        suggestion.locator("button.merge").click()
    expect(page.locator("#done-notice")).to_contain_text(words["confirmed"])
    expect(page.locator("section.suggestion").filter(has_text="G003")).to_have_count(0)

    with page.expect_navigation():
        page.locator("#done-case").click()
    expect(page.locator("section.ticket")).to_have_count(4)  # 12315, and the three 12345 calls
    expect(page.locator("section.ticket .caller-phone").first).to_have_text("138****0001")
    form = page.locator("#decide-form")
    form.locator('select[name="decision"]').select_option("not_accepted")
    form.locator('select[name="reason_code"]').select_option("2")
    form.locator('textarea[name="result"]').fill("同一争议已由城中区局受理")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(page.locator("#done-notice")).to_contain_text(words["decided"])
    expect(page.locator("#case-stage")).to_have_text(words["closed"])
    expect(page.locator("#case-decision")).to_contain_text(words["not_accepted"])
    expect(page.locator("#decide-form")).to_have_count(0)
    _local_and_quiet(visit)


def test_a_citizen_files_a_ticket_and_looks_it_up(visit: Visit) -> None:
    page = visit.page
    visit.open("/hotline/submit")
    expect(page.locator("nav.side")).to_have_count(0)  # no account, no desk
    form = page.locator("#ticket-form")
    form.locator('select[name="kind"]').select_option("complaint")
    form.locator('input[name="caller_name"]').fill("钱八")
    form.locator('input[name="caller_phone"]').fill("13912345678")
    form.locator('input[name="respondent_name"]').fill("某某奶茶店")
    form.locator('textarea[name="text"]').fill("奶茶店的会员卡余额无法使用，店家拒绝退款")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    notice = page.locator("#ticket-number")
    expect(notice).to_contain_text("工单编号")
    number = notice.inner_text().split("：")[-1].strip()
    assert number.startswith("W")

    visit.open("/hotline/lookup")
    lookup = page.locator("#lookup-form")
    lookup.locator('input[name="number"]').fill(number)
    lookup.locator('input[name="phone_last4"]').fill("5678")
    with page.expect_navigation():
        lookup.locator('button[type="submit"]').click()
    expect(page.locator("#lookup-stage")).to_have_text("待受理")
    expect(page.locator("#lookup-result")).not_to_contain_text("钱八")

    lookup.locator('input[name="phone_last4"]').fill("0000")
    with page.expect_navigation():
        lookup.locator('button[type="submit"]').click()
    expect(page.locator("#lookup-none")).to_be_visible()
    expect(page.locator("#lookup-result")).to_have_count(0)
    _local_and_quiet(visit)
