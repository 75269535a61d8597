"""The task page in a real Chromium (Debian's, never a downloaded one): 城中区局's leader offers a late part to
中南所, 中南所's handler refuses it (the part stays 城中区局's), then accepts a second offer and closes the part with a
file and a text; in Chinese and in English. Nothing is fetched from elsewhere and nothing errs."""

from __future__ import annotations

import re
from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import Visit
from tests.tasks.helpers import make_steady_tasks
from zhizhi.config import Workspace

pytestmark = pytest.mark.browser

WORDS = {
    "zh-CN": {"title": "跨部门任务", "offered": "已移交，等待对方接收", "refused": "已拒绝接收", "accepted": "已接收",
              "finished": "分工已办结", "done": "已办结", "overdue": "逾期"},
    "en": {"title": "Tasks across departments", "offered": "Offered; waiting", "refused": "Refused",
           "accepted": "Accepted", "finished": "Part done", "done": "Done", "overdue": "overdue"},
}  # fmt: skip


@pytest.fixture
def workspace(workspace: Workspace, city: sessionmaker[Session]) -> Workspace:
    """The steady campaign: part 2 is 城中区局's (陈所长's), long overdue."""
    with city() as session, session.begin():
        make_steady_tasks(session)
    return workspace


def _quiet(visit: Visit) -> None:
    visit.page.wait_for_load_state("networkidle")
    assert [url for url in visit.requests if not url.startswith(visit.base + "/")] == []
    # A favicon still loading when the test moves on to the next page is aborted by the browser, and so is the form
    # that downloads a piece of evidence once the file is given to the download: neither is an error.
    download = re.compile(r"failed: POST http://[^/]+/tasks/evidence/\d+: net::ERR_ABORTED")
    assert [e for e in visit.errors if not (e.endswith("favicon.svg: net::ERR_ABORTED") or download.fullmatch(e))] == []


def _as(visit: Visit, username: str, locale: str) -> None:
    visit.page.context.clear_cookies()
    visit.login(username)
    if locale == "en":
        with visit.page.expect_navigation():
            visit.page.locator("#lang-switch").click()


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_a_part_handed_over_refused_accepted_and_done(visit: Visit, locale: str, tmp_path: Path) -> None:
    words, page = WORDS[locale], visit.page
    _as(visit, "chengzhong", locale)
    with page.expect_navigation():
        page.locator('nav.side a[href="/tasks"]').click()
    expect(page.locator("h1")).to_have_text(words["title"])
    late = page.locator("#overdue-parts tbody tr")
    expect(late).to_have_count(2)  # the campaign's part he owns, and 中南所's part of the task he leads
    with page.expect_navigation():
        late.filter(has_text="城中区学校食堂检查").locator("a").click()
    part = page.locator("section.part").nth(1)
    expect(part).to_have_attribute("data-overdue", "yes")
    expect(part.locator(".part-overdue")).to_contain_text(words["overdue"])

    def offer(reason: str) -> None:
        part.locator("details.hand-over summary").click()
        form = part.locator("form.handover")
        form.locator('input[name="department"]').fill("LZ-CZ-ZN")
        form.locator('input[name="reason"]').fill(reason)
        with page.expect_navigation():
            form.locator('button[type="submit"]').click()
        expect(page.locator("#done-notice")).to_contain_text(words["offered"])

    offer("由中南所就近检查")
    expect(part.locator(".offer")).to_contain_text("中南市场监督管理所")
    expect(part.locator("form.accept")).to_have_count(0)  # the giver does not answer his own offer
    url = page.url.split("?")[0]

    _as(visit, "zhongnan", locale)
    visit.open(url.removeprefix(visit.base))
    refuse = part.locator("form.refuse")
    refuse.locator('input[name="reason"]').fill("本所人员不足")
    with page.expect_navigation():
        refuse.locator('button[type="submit"]').click()
    expect(page.locator("#done-notice")).to_contain_text(words["refused"])  # on the list: the task is not 中南所's

    _as(visit, "chengzhong", locale)
    visit.open(url.removeprefix(visit.base))
    expect(part.locator(".part-department")).to_contain_text("城中区市场监督管理局")  # kept by the giver
    offer("再请中南所支持")

    _as(visit, "zhongnan", locale)
    visit.open(url.removeprefix(visit.base))
    with page.expect_navigation():
        part.locator("form.accept button").click()
    expect(page.locator("#done-notice")).to_contain_text(words["accepted"])
    expect(part.locator(".part-department")).to_contain_text("中南市场监督管理所")
    record = tmp_path / "检查记录.pdf"
    record.write_bytes(b"%PDF-1.4 record")
    finish = part.locator("form.finish")
    finish.locator('textarea[name="text"]').fill("检查学校食堂12家，责令整改2家")
    finish.locator('input[name="files"]').set_input_files(str(record))
    with page.expect_navigation():
        finish.locator('button[type="submit"]').click()
    expect(page.locator("#done-notice")).to_contain_text(words["finished"])
    expect(part).to_have_attribute("data-status", "done")
    expect(part.locator(".part-status")).to_have_text(words["done"])
    evidence = part.locator("ul.evidence button.download")
    expect(evidence).to_have_text("检查记录.pdf")
    with page.expect_download() as downloading:  # posted from the page with its CSRF token, never a bare link
        evidence.click()
    saved = downloading.value
    assert saved.suggested_filename == "检查记录.pdf" and Path(saved.path()).read_bytes() == b"%PDF-1.4 record"
    _quiet(visit)
