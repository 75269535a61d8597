"""Progress of work started from a page: a steward uploads a department's export on the batches page, or runs a
report from the catalogue; the job's page shows its line, which `GET /api/progress/ID` answers (counts, share, time
left) until it ends with a link to what it made, in the reader's language and for its starter only."""

from __future__ import annotations

import re
import time
from pathlib import Path
from typing import Any

from tests.conftest import Web
from tests.web.test_ingest_api import FILE_NAME, ROWS, SOURCE_YAML, write_export
from zhizhi.reports import install_builtin


def _job(response: Any) -> str:
    assert response.status_code == 303, response.text
    found = re.fullmatch(r"/jobs/([\w-]+)", response.headers["location"])
    assert found is not None, response.headers["location"]
    return found[1]


def _until_done(web: Web, job: str, seconds: float = 60) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while True:
        line = web.client.get(f"/api/progress/{job}")
        assert line.status_code == 200, line.text
        if line.json()["state"] != "running":
            return dict(line.json())
        assert time.monotonic() < deadline, f"job {job} still running after {seconds} s"
        time.sleep(0.2)


def _upload(web: Web, tmp_path: Path, source: str = "dengji") -> Any:
    path = write_export(tmp_path)
    with path.open("rb") as handle:
        return web.client.post(
            "/batches/upload",
            data={"csrf_token": web.page_csrf("/batches"), "source": source},
            files={"file": (FILE_NAME, handle, "text/csv")},
            follow_redirects=False,
        )


def test_an_upload_is_ingested_in_a_job_whose_page_follows_its_line(web: Web, tmp_path: Path) -> None:
    (web.workspace.root / "sources").mkdir(exist_ok=True)
    (web.workspace.root / "sources" / "dengji.yaml").write_text(SOURCE_YAML, encoding="utf-8")
    web.login_form("steward")
    assert 'id="upload-form"' in web.client.get("/batches").text
    job = _job(_upload(web, tmp_path))
    done = _until_done(web, job)
    assert done["state"] == "done" and done["error"] is None
    assert done["done"] == len(ROWS) - 1 and done["total"] == len(ROWS) - 1  # rows read of the lines counted
    assert re.fullmatch(r"/batches/\d+", done["link"])
    batch = web.client.get(done["link"].replace("/batches/", "/api/batches/")).json()
    assert batch["file"] == FILE_NAME and batch["rows"]["read"] == len(ROWS) - 1
    page = web.client.get(f"/jobs/{job}").text
    line = page.split('id="job-line">')[1].split("</span>")[0]
    assert f"导入 {FILE_NAME}" in line and "已完成" in line and f'id="job-link" href="{done["link"]}"' in page
    assert '<script src="/static/progress.js"' in page and 'href="/batches" id="job-origin"' in page
    web.client.get("/lang/en")
    assert web.client.get(f"/api/progress/{job}").json()["line"].startswith(f"Ingesting {FILE_NAME}")
    assert not list((web.workspace.root / "data" / "uploads").rglob("*.csv"))  # the saved file went once ingested
    web.client.cookies.clear()
    web.login_form("leader")  # another user: no such job of theirs
    assert web.client.get(f"/api/progress/{job}").status_code == 404
    assert web.client.get(f"/jobs/{job}").status_code == 404
    assert 'id="upload-form"' not in web.client.get("/batches").text  # a reader uploads nothing


def test_an_upload_that_fails_says_why_on_the_line(web: Web, tmp_path: Path) -> None:
    (web.workspace.root / "sources").mkdir(exist_ok=True)
    (web.workspace.root / "sources" / "dengji.yaml").write_text(SOURCE_YAML.replace("LZ-DJ", "LZ-SP"), encoding="utf-8")
    web.login_form("steward")  # a steward of 登记注册科 ingests for 食品经营安全监督管理科: refused in the job
    done = _until_done(web, _job(_upload(web, tmp_path)))
    assert done["state"] == "failed" and done["error"] and done["line"].startswith("失败：")
    unknown = _upload(web, tmp_path, source="no-such-source")
    assert unknown.status_code == 404  # before any job


def test_a_report_run_from_the_catalogue_shows_its_progress_and_ends_done(web: Web) -> None:
    install_builtin(web.workspace.root, "LZ")
    web.login_form("steward")  # of a section: the bureau's report is not theirs to run
    csrf = web.page_csrf("/reports/catalogue")
    refused = web.client.post("/reports/entities-by-county/run", data={"csrf_token": csrf}, follow_redirects=False)
    assert refused.status_code == 403 and "不在您的权限范围内" in refused.text
    web.client.cookies.clear()
    web.login_form("registrar")  # the bureau's steward
    page = web.client.get("/reports/catalogue").text
    assert 'action="/reports/entities-by-county/run"' in page
    csrf = web.page_csrf("/reports/catalogue")
    response = web.client.post("/reports/entities-by-county/run", data={"csrf_token": csrf}, follow_redirects=False)
    done = _until_done(web, _job(response))
    assert done["state"] == "done" and (done["done"], done["total"]) == (3, 3), done["line"]
    assert done["what"].startswith("生成报表 entities-by-county")
    assert web.client.get("/api/reports").json()["reports"][0] is not None
    runs = {r["name"]: r["runs"] for r in web.client.get("/api/reports").json()["reports"]}
    assert runs["entities-by-county"] == 1
