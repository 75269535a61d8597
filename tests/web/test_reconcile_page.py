"""The reconciliation page and its JSON twin: a table per department, every delivery figure opening the deliveries
behind it, the Excel export, Chinese and English, scope, bad filters, names shown as text."""

from __future__ import annotations

import io
import re
from pathlib import Path
from urllib.parse import parse_qs, urlparse

from openpyxl import load_workbook

from tests.conftest import Web
from tests.delivery import test_send
from tests.delivery.test_reconcile import FORMULA, REASON, REJECTED, build_state
from tests.delivery.test_send import Receiver
from tests.ingest.test_pipeline import _actor
from zhizhi.delivery import load_targets
from zhizhi.delivery.figures import ReconcileFilter
from zhizhi.delivery.reconcile import reconcile

receiver = test_send.receiver  # the real HTTP receiver fixture


def _build(web: Web, tmp_path: Path, receiver: Receiver) -> None:
    build_state(web.sessions, web.workspace.root, tmp_path, receiver)


def _row(page: str, row_id: str) -> str:
    return page.split(f'id="{row_id}"')[1].split("</tr>")[0]


def _figure(row: str, name: str) -> str:
    """The text of a figure cell, and its link when it has one."""
    cell = row.split(f'class="figure-{name}">')[1].split("</t")[0]
    return re.sub(r"<[^>]+>", "", cell)


def _link(row: str, name: str) -> str:
    cell = row.split(f'class="figure-{name}">')[1].split("</t")[0]
    return cell.split('href="')[1].split('"')[0].replace("&amp;", "&")


def test_a_table_per_department_with_figures_that_open_their_deliveries(
    web: Web, tmp_path: Path, receiver: Receiver
) -> None:
    _build(web, tmp_path, receiver)
    web.login_form("leader")
    assert 'href="/reconcile"' in web.client.get("/").text  # in the navigation
    page = web.client.get("/reconcile", params={"period": "2021-07..2021-08"}).text
    assert '<html lang="zh-CN">' in page and "交付对账" in page and "导出 Excel" in page
    assert "所选期间：2021-07-01 至 2021-08-31。" in page
    assert page.index('id="department-LZ-DJ"') < page.index('id="department-LZ-CZ"')
    assert "登记注册科" in page and "城中区市场监督管理局" in page
    city = _row(page, "line-LZ-DJ-dengji-city")
    assert [_figure(city, f) for f in ("produced", "accepted", "quarantined", "skipped")] == ["9", "7", "1", "1"]
    assert [_figure(city, f) for f in ("owed", "acknowledged", "rejected", "pending", "dead")] == [
        "6",
        "1",
        "1",
        "4",
        "0",
    ]
    province = _row(page, "line-LZ-DJ-dengji-province")
    assert "〃" in province and _figure(province, "acknowledged") == "5"  # the source's intake shown once
    subtotal = _row(page, "subtotal-LZ-DJ")
    assert _figure(subtotal, "produced") == "9" and _figure(subtotal, "owed") == "12"
    assert _figure(_row(page, "line-LZ-CZ-chengzhong-archive"), "dead") == "2"
    assert re.search(r'id="total-acknowledged"><a [^>]*>8</a>', page) and 'id="total-produced">11<' in page

    link = _link(city, "pending")
    assert parse_qs(urlparse(link).query) == {
        "target": ["city"],
        "source": ["dengji"],
        "department": ["LZ-DJ"],
        "period": ["2021-07..2021-08"],
        "status": ["pending"],
    }
    drill = web.client.get(link).text
    rows = re.findall(r'<tr id="delivery-(\d+)" class="status-(\w+)">', drill)
    assert len(rows) == 4 and {status for _, status in rows} == {"pending"}
    assert "丙有限公司" in drill and "戊有限公司" in drill and "待发送" in drill and "august.csv" in drill
    assert "=cmd|&#39; /C calc&#39;!A0" in drill and FORMULA not in drill  # a name is text, escaped
    rejected = web.client.get(_link(_row(page, "line-LZ-DJ-dengji-province"), "rejected")).text
    assert REJECTED in rejected and REASON in rejected and "july.csv" in rejected and "第 3 行" in rejected
    assert 'id="back-link"' in rejected and "/reconcile?" in rejected


def test_the_export_holds_the_figures_and_the_deliveries(web: Web, tmp_path: Path, receiver: Receiver) -> None:
    _build(web, tmp_path, receiver)
    web.login_form("leader")
    page = web.client.get("/reconcile", params={"period": "2021-08", "target": "province"}).text
    href = page.split('id="export-link"')[0].rsplit('href="', 1)[1].split('"')[0].replace("&amp;", "&")
    assert href == "/reconcile/export.xlsx?target=province&period=2021-08"
    response = web.client.get(href)
    assert response.status_code == 200
    assert response.headers["content-disposition"] == 'attachment; filename="reconcile-2021-08.xlsx"'
    book = load_workbook(io.BytesIO(response.content))
    summary = [[c.value for c in row] for row in book["summary"].iter_rows()]
    assert [row[:4] for row in summary[1:3]] == [
        ["LZ-DJ", "登记注册科", "dengji", "province"],
        ["LZ-CZ", "城中区市场监督管理局", "chengzhong", "province"],
    ]
    total = dict(zip(summary[0], summary[3], strict=True))
    assert (total["产生 produced"], total["应交付 owed"], total["已确认 acknowledged"]) == (5, 4, 4)
    deliveries = list(book["deliveries"].iter_rows(values_only=True))
    assert len(deliveries) == 1 + 4 and {row[1] for row in deliveries[1:]} == {"province"}


def test_the_json_twin_and_its_deliveries(web: Web, tmp_path: Path, receiver: Receiver) -> None:
    _build(web, tmp_path, receiver)
    web.login("steward")
    data = web.client.get("/api/reconcile", params={"period": "2021-07"}).json()
    with web.sessions() as session:
        steward = _actor(session, "steward")
        chosen = ReconcileFilter(period="2021-07")
        expected = reconcile(session, steward, chosen, targets=load_targets(web.workspace.root)).as_dict()
    assert data == expected and [line["department"] for line in data["lines"]] == ["LZ-DJ", "LZ-DJ"]
    assert data["total"]["intake"]["produced"] == 6 and data["targets"]["city"]["pending"] == 2
    listed = web.client.get("/api/reconcile/deliveries", params={"target": "city", "status": "pending"}).json()
    assert [d["status"] for d in listed] == ["pending"] * 4 and all(d["file"] for d in listed)
    page = web.client.get("/api/reconcile/deliveries", params={"status": "owed", "limit": 3, "offset": 3}).json()
    assert len(page) == 3
    bad = web.client.get("/api/reconcile", params={"period": "2021-13"})
    assert bad.status_code == 422 and bad.json()["error"]["code"] == "invalid_input"
    assert "YYYY-MM" in bad.json()["error"]["message"]
    missing = web.client.get("/api/reconcile", params={"target": "nowhere"})
    assert missing.status_code == 404 and "archive, city, province" in missing.json()["error"]["message"]
    assert web.client.get("/api/reconcile/deliveries", params={"status": "lost"}).status_code == 422


def test_each_sees_only_their_departments_work(web: Web, tmp_path: Path, receiver: Receiver) -> None:
    _build(web, tmp_path, receiver)
    web.login_form("chengzhong")
    page = web.client.get("/reconcile").text
    assert 'id="department-LZ-CZ"' in page and 'id="department-LZ-DJ"' not in page and "dengji" not in page
    web.client.post("/logout", data={"csrf_token": web.page_csrf()})
    web.login_form("yufeng")
    page = web.client.get("/reconcile").text
    assert 'id="reconcile-empty"' in page and 'class="card department"' not in page
    assert 'id="deliveries-empty"' in web.client.get("/reconcile/deliveries", params={"status": "owed"}).text
    assert web.client.get("/reconcile", params={"department": "LZ-DJ"}).status_code == 404
    export = load_workbook(io.BytesIO(web.client.get("/reconcile/export.xlsx").content))
    assert len(list(export["deliveries"].iter_rows())) == 1  # the header only
    web.client.post("/logout", data={"csrf_token": web.page_csrf()})
    web.login_form("auditor")
    assert web.client.get("/reconcile").status_code == 403
    assert 'href="/reconcile"' not in web.client.get("/").text


def test_english_and_bad_filters(web: Web, tmp_path: Path, receiver: Receiver) -> None:
    _build(web, tmp_path, receiver)
    web.login_form("leader")
    bad = web.client.get("/reconcile", params={"period": "2021年7月"})
    assert bad.status_code == 422 and "期间 2021年7月 无效" in re.sub(r"<[^>]+>", "", bad.text).replace("`", "")
    assert web.client.get("/reconcile/deliveries", params={"status": "lost"}).status_code == 422
    assert web.client.get("/reconcile", params={"target": "nowhere"}).status_code == 404
    web.client.get("/lang/en")
    page = web.client.get("/reconcile", params={"period": "2021-07"}).text
    assert '<html lang="en">' in page and "Reconciliation" in page and "Awaiting receipt" in page
    assert "Period: 2021-07-01 to 2021-07-31." in page and "Export to Excel" in page
    drill = web.client.get("/reconcile/deliveries", params={"status": "rejected", "target": "city"}).text
    assert "Deliveries: Rejected" in drill and REJECTED in drill
