"""A steward works the register in a real Chromium: find a firm by its pinyin initials, open its file, read the
timeline and the QR code, merge the pair waiting for review, see the merged file, undo; nothing is fetched from
elsewhere and nothing errs."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import Visit
from tests.web.test_register_pages import CODES, HUAXIN, build, with_review
from zhizhi.config import Workspace

pytestmark = pytest.mark.browser


@pytest.fixture
def workspace(workspace: Workspace) -> Workspace:
    return with_review(workspace)


def test_a_steward_finds_a_firm_reads_its_file_merges_a_pair_and_undoes_it(
    visit: Visit, city: sessionmaker[Session], workspace: Workspace
) -> None:
    huaxin = build(city, workspace)
    page = visit.page
    visit.login("registrar")

    with page.expect_navigation():
        page.locator('nav.side a[href="/register"]').click()
    expect(page.locator("h1")).to_have_text("主体库")
    expect(page.locator("#count-review")).to_have_text("3")
    page.locator('#register-search input[name="q"]').fill("0772-2812345")  # a search by a phone: posted, audited
    with page.expect_navigation():
        page.locator("#register-search button").click()
    expect(page.locator(f"#entity-{huaxin} .name")).to_have_text(HUAXIN)
    page.locator('#register-search input[name="q"]').fill("hxsp")
    with page.expect_navigation():
        page.locator("#register-search button").click()
    expect(page.locator(f"#entity-{huaxin} .name")).to_have_text(HUAXIN)
    with page.expect_navigation():
        page.locator(f"#entity-{huaxin} .name a").click()

    expect(page.locator("#entity-name")).to_have_text(HUAXIN)
    expect(page.locator("#fact-uscc")).to_have_text(CODES[0])
    expect(page.locator("#golden-name .provenance")).to_contain_text("dengji.csv")
    dates = page.locator("#timeline .date")
    expect(dates).to_have_text(["2019-03-08", "2024-01-01", "2025-06-01", "2029-01-01"])
    qr = page.locator("#entity-qr svg.qr")
    expect(qr).to_be_visible()
    box = qr.bounding_box()
    assert box is not None and box["width"] > 100 and abs(box["width"] - box["height"]) < 1
    expect(page.locator("#entity-url")).to_have_text(f"{visit.base}/entities/{huaxin}")
    expect(page.locator("#record-count")).to_have_text("3")

    page.emulate_media(media="print")  # printed: the key facts and the QR code, no navigation and no forms
    expect(page.locator("nav.side")).to_be_hidden()
    expect(page.locator("#split-form fieldset")).to_be_hidden()
    expect(qr).to_be_visible()
    page.emulate_media(media="screen")

    with page.expect_navigation():
        page.locator('nav.side a[href="/register"]').click()
    with page.expect_navigation():
        page.locator("#count-review a").click()  # the registration and the inspection that names no credit code
    pair = page.locator("section.pair").filter(has_text="市场主体")
    expect(pair.locator(".score")).to_contain_text("%")
    expect(pair.locator('tr[data-field="name"] mark')).to_have_count(2)
    pair.locator("details.whole-records summary").click()
    expect(pair.locator("details.whole-records")).to_contain_text("发现问题，责令整改")
    pair.locator('input[name="reason"]').fill("同一地址，名称为简称")
    with page.expect_navigation():
        pair.locator("button.merge").click()
    expect(page.locator("#decided-notice")).to_contain_text("已合并")
    expect(page.locator("section.pair")).to_have_count(0)  # the other pairs of the same records ask nothing now
    with page.expect_navigation():
        page.locator("#decided-entity").click()
    expect(page.locator("#entity-name")).to_have_text(HUAXIN)
    expect(page.locator("#record-count")).to_have_text("4")
    expect(page.locator("#timeline .date")).to_have_count(5)
    expect(page.locator("#group-inspection tbody tr")).to_have_count(2)

    visit.open("/review")
    act = page.locator("#decisions tbody tr").first
    expect(act.locator(".kind")).to_have_text("合并")
    act.locator('input[name="reason"]').fill("看错了，是另一家")
    with page.expect_navigation():
        act.locator("button").click()
    expect(page.locator("#undone-notice")).to_be_visible()
    expect(page.locator("#decisions tbody tr").first).to_contain_text("已于")
    expect(page.locator("section.pair")).to_have_count(3)  # the pair waits again
    expect(page.locator("section.pair .together")).to_have_count(0)
    visit.open(f"/entities/{huaxin}")
    expect(page.locator("#record-count")).to_have_text("3")

    page.wait_for_load_state("networkidle")
    assert [url for url in visit.requests if not url.startswith(visit.base + "/")] == []
    assert visit.errors == []
    assert re.search(r"/entities/\d+", page.url)
