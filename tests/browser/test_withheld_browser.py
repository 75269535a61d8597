"""The demo city in a real Chromium: the province's funnel counts as delivered only what reached the platform and
shows what zhizhi held back apart; a steward follows a withheld delivery to the code decision it waits for, decides
it there, and is told how many deliveries went back to be sent; the item reads in English too."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect

from tests.browser import test_demo_browser
from tests.browser.conftest import Visit

pytestmark = pytest.mark.browser
demo = test_demo_browser.demo  # the demo's data, delivered as `zhizhi demo` does


def test_a_steward_follows_a_withheld_delivery_to_the_decision_that_sends_it(
    visit: Visit, demo: dict[str, dict[str, int]]
) -> None:
    figures = demo["province"]
    page = visit.page
    visit.login("steward")
    province = page.locator("#funnel-province")
    expect(province.locator(".figure-withheld")).to_have_text(str(figures["withheld"]))
    reached = figures["acknowledged"] + figures["rejected"] + figures["sent"]
    expect(province.locator(".figure-delivered")).to_have_text(str(reached))
    expect(province.locator(".figure-owed")).to_have_text(str(reached + figures["withheld"] + figures["pending"]))

    with page.expect_navigation():
        province.locator(".figure-withheld").click()
    expect(page.locator("h1")).to_have_text("交付明细：未能发出")
    row = page.locator("#deliveries tbody tr.status-withheld").first
    expect(row.locator(".status")).to_have_text("未能发出：待决定代码")
    with page.expect_navigation():
        row.locator("a.review-item-link").click()
    expect(page.locator("h1")).to_contain_text("待审代码")
    expect(page.locator("#item-lists")).to_contain_text("广西市场监管平台行业代码")
    held = int(re.findall(r"\d+", page.locator("#item-held").inner_text())[0])
    assert held >= 1
    form = page.locator("form.decide")
    form.locator('input[name="to_code"]').fill(form.locator("datalist option").first.get_attribute("value") or "")
    form.locator('input[name="reason"]').fill("省平台确认按首个细类报送")
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    expect(page.locator("#decided-notice")).to_contain_text(f"因它未能发出的 {held} 条交付已重新排队")
    expect(page.locator("#queue-order")).to_contain_text("按决定后可放行的交付数排列")

    visit.open("/lang/en")
    visit.open("/")
    expect(page.locator("#funnel-province")).to_contain_text("not sent")
    visit.open("/codes/review")
    expect(page.locator("#queue-order")).to_contain_text("Sorted by how many deliveries each decision releases")
    with page.expect_navigation():
        page.locator("#review-items a.item-link").first.click()
    expect(page.locator("h1")).to_contain_text("Code to review:")
    page.wait_for_load_state("networkidle")
    assert [url for url in visit.requests if not url.startswith(visit.base + "/")] == []
    assert visit.errors == []
