"""A steward uploads a large export on the batches page in a real Chromium and watches the ingest's line move to done
on the job's page (polled by static/progress.js), then follows its link to the batch; the line reads in Chinese and
in English."""

from __future__ import annotations

from pathlib import Path

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session, sessionmaker

from tests.browser.conftest import Visit
from tests.web.test_ingest_api import SOURCE_YAML, uscc
from zhizhi.config import Workspace

pytestmark = pytest.mark.browser
ROWS = 30_000  # enough for the line to be running when the page comes back


def _export(folder: Path) -> Path:
    path = folder / "登记导出-全年.csv"
    lines = ["统一社会信用代码,企业名称,成立日期,登记状态"]
    lines += [f"{uscc(f'MA{n:06d}')},柳州市第{n}号商行,2020-01-02,存续" for n in range(ROWS)]
    path.write_text("\n".join(lines) + "\n", encoding="utf-8")
    return path


def test_an_upload_shows_its_progress_until_the_batch_is_there(
    visit: Visit, city: sessionmaker[Session], workspace: Workspace, tmp_path: Path
) -> None:
    (workspace.root / "sources").mkdir(exist_ok=True)
    (workspace.root / "sources" / "dengji.yaml").write_text(SOURCE_YAML, encoding="utf-8")
    page = visit.page
    visit.login("steward")
    visit.open("/batches")
    form = page.locator("#upload-form")
    form.locator('select[name="source"]').select_option("dengji")
    form.locator('input[name="file"]').set_input_files(str(_export(tmp_path)))
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    assert "/jobs/" in page.url
    line = page.locator("#job-line")
    expect(line).to_contain_text("导入 登记导出-全年.csv")
    expect(line).to_contain_text("已完成", timeout=120_000)
    expect(line).to_contain_text(f"{ROWS:,} / {ROWS:,} 行")
    assert any("/api/progress/" in url for url in visit.requests), "the page never asked for the job's line"
    link = page.locator("#job-link")
    expect(link).to_be_visible()
    job_page = page.url
    with page.expect_navigation():
        link.click()
    expect(page.locator("#rows-read")).to_have_text(str(ROWS))
    visit.open("/lang/en")
    page.goto(job_page)
    expect(page.locator("#job-line")).to_contain_text(f"Ingesting 登记导出-全年.csv · {ROWS:,} of {ROWS:,} rows")
    expect(page.locator("#job-line")).to_contain_text("done")
    assert not visit.errors, visit.errors
