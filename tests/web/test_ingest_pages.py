"""Batch, quarantine and record pages: Chinese by default and English on request, filters, fix and replay forms
with CSRF, the Excel export, scope, and every value from a file shown as text, never as markup."""

from __future__ import annotations

import io
import re
import zipfile
from pathlib import Path

from openpyxl import load_workbook

from tests.conftest import Web
from tests.web.test_ingest_api import FILE_NAME, FORMULA, REASONS, SCRIPT, SQL, audit_actions, ingest_export

ESCAPED = {
    SCRIPT: "&lt;script&gt;alert(1)&lt;/script&gt;",
    SQL: "&#39;; DROP TABLE records; --",
    FORMULA: "=cmd|&#39; /C calc&#39;!A0",
}


def _section(page: str, marker: str, end: str = "</table>") -> str:
    return page.split(marker)[1].split(end)[0]


def test_the_batches_page_adds_up_the_rows(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login_form("steward")
    page = web.client.get("/batches").text
    assert '<html lang="zh-CN">' in page and "数据批次" in page and 'href="/batches"' in page
    assert "读取行数 = 接收 + 隔离 + 跳过" in page
    row = _section(page, f'id="batch-{done.batch_id}"', "</tr>")
    assert FILE_NAME in row and "dengji" in row
    cells = re.findall(r"<td>(\d+)</td>", row)
    assert cells == ["8", "3", "4", "1"]  # read, accepted, quarantined, skipped
    assert f'href="/quarantine?batch={done.batch_id}">4</a>' in row
    assert 'id="batches-empty"' in web.client.get("/batches", params={"source": "other"}).text


def test_the_batch_page_shows_the_report(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login_form("leader")
    page = web.client.get(f"/batches/{done.batch_id}").text
    assert re.search(r'id="rows-read">8<', page) and re.search(r'id="rows-quarantined">4<', page)
    fields = _section(page, 'id="report-fields"')
    name = _section(fields, 'id="field-name"', "</tr>")
    assert "名称" in name and "企业名称" in name and "85.7%" in name and '<meter class="share"' in name
    reasons = _section(page, 'id="report-reasons"')
    date_row = _section(reasons, 'id="reason-date.invalid"', "</tr>")
    assert "日期无效" in date_row and "第 6 行" in date_row and "2021-02-30" in date_row and "不是有效日期" in date_row
    assert f"/quarantine?batch={done.batch_id}&amp;reason=date.invalid&amp;status=all" in date_row
    assert "严重（隔离）" in date_row
    skipped = _section(page, 'id="report-skipped"')
    assert "空行" in skipped and "blank" not in skipped
    assert f'href="/quarantine?batch={done.batch_id}">待处理 4 行' in page
    assert web.client.get("/batches/99999").status_code == 404


def test_the_quarantine_list_filters_and_counts_by_reason(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login_form("steward")
    page = web.client.get("/quarantine").text
    assert "隔离区" in page and 'class="active"' in page
    for code in REASONS:
        assert f'id="item-{done.items[code]}"' in page
    counts = _section(page, 'id="reason-counts"', "</section>")
    assert "reason=date.invalid" in counts and "日期无效 <b>1</b>" in counts
    row = _section(page, f'id="item-{done.items["date.invalid"]}"', "</tr>")
    assert FILE_NAME in row and "第 6 行" in row and ">日期无效<" in row and "不是有效日期" in row
    assert "登记注册系统导出" in row and "`" not in row  # the source's title; the value shown as a value
    filtered = web.client.get("/quarantine", params={"reason": "field.missing"}).text
    assert f'id="item-{done.items["field.missing"]}"' in filtered and f'id="item-{done.items["date.invalid"]}"' not in (
        filtered
    )
    assert 'id="replay-filtered"' in filtered  # a steward may replay what a filter chose
    assert 'id="quarantine-empty"' in web.client.get("/quarantine", params={"status": "replayed"}).text
    assert 'id="quarantine-empty"' in web.client.get("/quarantine", params={"batch": done.batch_id + 1}).text
    bad = web.client.get("/quarantine", params={"batch": "abc"})
    assert bad.status_code == 422 and "不是批次编号" in bad.text
    assert web.client.get("/quarantine", params={"status": "lost"}).status_code == 422


def test_the_item_page_shows_where_why_and_the_cells(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login_form("steward")
    page = web.client.get(f"/quarantine/{done.items['date.invalid']}").text
    assert 'id="item-source" translate="no">登记注册系统导出<' in page
    assert f'id="item-file" translate="no">{FILE_NAME}<' in page
    assert 'id="item-row">6<' in page and 'id="item-status">待处理<' in page
    findings = _section(page, 'id="item-findings"')
    assert ">日期无效<" in findings and "读入字段「成立日期」" in findings and "founded_on" not in findings
    assert '<code translate="no">2021-02-30</code>' in findings and "不是有效日期" in findings and "`" not in findings
    cells = _section(page, 'id="item-cells"')
    assert "<mark>2021-02-30</mark>" in cells and "founded_on" not in cells
    form = _section(page, 'id="fix-form"', "</form>")
    assert form.count('<input type="hidden" name="column"') == 4 and form.count('id="fix-save"') == 1
    assert 'name="csrf_token"' in form and 'id="replay-item"' in page
    assert web.client.get("/quarantine/99999").status_code == 404


def test_fix_and_replay_through_the_forms(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    item = done.items["date.invalid"]
    web.login_form("steward")
    csrf = web.page_csrf(f"/quarantine/{item}")
    fixed = web.client.post(
        f"/quarantine/{item}/fix",
        data={"field": "成立日期", "value": "2021-02-28", "csrf_token": csrf},
        follow_redirects=False,
    )
    assert fixed.status_code == 303 and fixed.headers["location"].startswith(f"/quarantine/{item}?fixed=")
    page = web.client.get(fixed.headers["location"]).text
    assert 'id="fixed-notice"' in page and "成立日期" in page
    assert 'value="2021-02-28"' in page and "<mark>2021-02-30</mark>" in page  # kept as read
    replayed = web.client.post(
        "/quarantine/replay", data={"ids": str(item), "csrf_token": csrf}, follow_redirects=False
    )
    assert replayed.status_code == 303 and replayed.headers["location"] == f"/quarantine/{item}?replayed=1&still=0"
    after = web.client.get(replayed.headers["location"]).text
    assert 'id="replay-outcome"' in after and "重新处理成功" in after and 'id="item-status">已重新处理<' in after
    record_link = re.search(r'<a href="/records/(\d+)">', _section(after, 'id="item-record"', "</p>"))
    assert record_link is not None and 'id="replay-item"' not in after and 'id="fix-form"' not in after
    assert '<td class="fixed-to" translate="no">2021-02-28</td>' in after
    record = web.client.get(f"/records/{record_link.group(1)}").text
    assert "2021-02-28" in record and FILE_NAME in record and "第 6 行" in record
    actions = audit_actions(web.sessions)
    assert ("quarantine.fix", "steward") in actions and ("quarantine.replay", "steward") in actions


def test_replaying_the_filtered_list_tells_the_outcome(web: Web, tmp_path: Path) -> None:
    ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login_form("steward")
    csrf = web.page_csrf("/quarantine")
    response = web.client.post(
        "/quarantine/replay", data={"reason": "value.not_allowed", "csrf_token": csrf}, follow_redirects=False
    )
    assert response.status_code == 303
    page = web.client.get(response.headers["location"]).text
    assert "已重新处理：0 行通过并入库，1 行仍在隔离区。" in page
    nothing = web.client.post("/quarantine/replay", data={"csrf_token": csrf})
    assert nothing.status_code == 422 and "请选择要重新处理的记录" in nothing.text


def test_forms_need_the_csrf_token_and_the_write_permission(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    item = done.items["date.invalid"]
    web.login_form("steward")
    for token in (None, "forged"):
        data = {"field": "成立日期", "value": "2021-02-28"} | ({"csrf_token": token} if token else {})
        assert web.client.post(f"/quarantine/{item}/fix", data=data).status_code == 403
        assert web.client.post("/quarantine/replay", data={"ids": str(item)} | data).status_code == 403
    web.client.cookies.clear()
    web.login_form("leader")
    page = web.client.get(f"/quarantine/{item}").text
    assert 'id="fix-form"' not in page and 'id="replay-item"' not in page  # no forms for a reader
    csrf = web.page_csrf(f"/quarantine/{item}")
    refused = web.client.post(f"/quarantine/{item}/fix", data={"field": "成立日期", "value": "x", "csrf_token": csrf})
    assert refused.status_code == 403 and "您的角色无权执行此操作" in refused.text
    assert web.client.post("/quarantine/replay", data={"ids": str(item), "csrf_token": csrf}).status_code == 403
    assert "quarantine.fix" not in [action for action, _ in audit_actions(web.sessions)]


def test_another_department_and_the_administrator_see_nothing(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login_form("yufeng")
    assert 'id="batches-empty"' in web.client.get("/batches").text
    assert 'id="quarantine-empty"' in web.client.get("/quarantine", params={"status": "all"}).text
    assert 'id="records-empty"' in web.client.get("/records").text
    for path in (f"/batches/{done.batch_id}", f"/quarantine/{done.items['date.invalid']}"):
        assert web.client.get(path).status_code == 404, path
    web.client.cookies.clear()
    web.login_form("admin")
    nav = web.client.get("/").text
    assert 'href="/quarantine"' not in _section(nav, '<nav class="side">', "</nav>")
    for path in ("/batches", "/quarantine", "/records", "/quarantine/export.xlsx"):
        assert web.client.get(path).status_code == 403, path


def test_values_from_a_file_are_shown_as_text(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login_form("steward")
    pages = {
        "item": web.client.get(f"/quarantine/{done.items['date.invalid']}").text,
        "sql item": web.client.get(f"/quarantine/{done.items['uscc.check_char']}").text,
        "formula item": web.client.get(f"/quarantine/{done.items['value.not_allowed']}").text,
        "records": web.client.get("/records").text,
    }
    for page in pages.values():
        assert "<script>alert" not in page and "alert(1)</script>" not in page
    assert ESCAPED[SCRIPT] in pages["item"] and f'value="{ESCAPED[SCRIPT]}"' in pages["item"]
    assert ESCAPED[SQL] in pages["sql item"] and ESCAPED[FORMULA] in pages["formula item"]
    assert "&lt;script&gt;alert（1）&lt;/script&gt;" in pages["records"] and ESCAPED[FORMULA] in pages["records"]
    record_id = re.findall(r'<a href="/records/(\d+)">', pages["records"])
    history = "".join(web.client.get(f"/records/{r}").text for r in record_id)
    assert "<script>alert" not in history and "&lt;script&gt;" in history


def test_english_pages(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login_form("steward")
    web.client.get("/lang/en")
    paths = [
        "/batches",
        f"/batches/{done.batch_id}",
        "/quarantine",
        f"/quarantine/{done.items['date.invalid']}",
        "/records",
    ]
    for path in paths:
        page = web.client.get(path).text
        assert '<html lang="en">' in page, path
        assert "隔离区" not in page and "数据批次" not in page, path
    batch = web.client.get(f"/batches/{done.batch_id}").text
    assert "Field quality" in batch and "Top reasons" in batch and "blank row" in batch
    item = web.client.get(f"/quarantine/{done.items['date.invalid']}").text
    assert "Quarantine item" in item and "is not a date" in item and "Replay" in item


def test_the_export_is_a_workbook_without_formulas(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login_form("steward")
    fixed = web.client.post(f"/api/quarantine/{done.items['date.invalid']}/fix", json={"field": "founded_on",
                            "value": "2021-02-28"}, headers={"X-CSRF-Token": web.page_csrf("/quarantine")})  # fmt: skip
    assert fixed.status_code == 200, fixed.text
    response = web.client.get("/quarantine/export.xlsx", params={"batch": done.batch_id})
    assert response.status_code == 200 and "spreadsheetml" in response.headers["content-type"]
    assert 'filename="quarantine.xlsx"' in response.headers["content-disposition"]
    sheet = load_workbook(io.BytesIO(response.content)).active
    assert sheet is not None
    rows = list(sheet.iter_rows(values_only=True))
    header = ("编号", "状态", "数据源", "文件", "工作表", "行号", "原因代码", "原因说明", "已修正（列=值）")
    assert rows[0][:9] == header
    assert [r[0] for r in rows[1:]] == [done.items[code] for code in REASONS]
    assert {r[1] for r in rows[1:]} == {"待处理"}
    fixes = {r[0]: r[8] for r in rows[1:]}  # the steward's fix beside the row as read
    assert fixes[done.items["date.invalid"]] and "=2021-02-28" in fixes[done.items["date.invalid"]]
    assert sum(1 for v in fixes.values() if v) == 1
    assert FORMULA in [c for r in rows for c in r] and SCRIPT in [c for r in rows for c in r]
    with zipfile.ZipFile(io.BytesIO(response.content)) as archive:
        xml = archive.read("xl/worksheets/sheet1.xml").decode("utf-8")
    assert "<f>" not in xml and "<f " not in xml
    only = web.client.get("/quarantine/export.xlsx", params={"reason": "date.invalid"})
    assert load_workbook(io.BytesIO(only.content)).active.max_row == 2


def test_the_sources_pages_show_each_file_its_mapping_and_batches(web: Web, tmp_path: Path) -> None:
    web.login_form("steward")
    assert 'id="no-sources"' in web.client.get("/sources").text
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    (web.workspace.root / "sources" / "broken.yaml").write_text("name: broken\nrecord_type: nope\n", encoding="utf-8")
    page = web.client.get("/sources").text
    row = _section(page, 'id="source-dengji"', "</tr>")
    assert "登记注册科" in row and "市场主体" in row and f'href="/batches/{done.batch_id}"' in row
    assert "文件无法加载" in _section(page, 'id="source-broken"', "</tr>")
    detail = web.client.get("/sources/dengji").text
    mapping = _section(detail, 'id="mapping"')
    assert "企业名称" in _section(mapping, 'id="field-name"', "</tr>")
    assert "未映射" in _section(mapping, 'id="field-reg_no"', "</tr>")
    assert f'href="/batches/{done.batch_id}"' in _section(detail, 'id="source-batches"')
    assert web.client.get("/sources/missing").status_code == 404
    web.client.get("/lang/en")
    english = web.client.get("/sources/dengji").text
    assert '<html lang="en">' in english and "Field mapping" in english and "not mapped" in english
    web.login_form("admin")
    assert web.client.get("/sources").status_code == 403  # administrators manage people, not data


def test_the_home_page_counts_what_came_in(web: Web, tmp_path: Path) -> None:
    ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login_form("steward")
    page = web.client.get("/").text
    assert re.search(r'id="count-rows">8<', page) and "接收 3，隔离 4，跳过 1" in page
    assert re.search(r'id="count-records-entity"><a href="/records\?type=entity">3</a>', page)
    assert re.search(r'id="count-quarantine"><a href="/quarantine">4</a>', page)
    web.login_form("yufeng")  # another county's bureau: none of it is theirs
    assert re.search(r'id="count-rows">0<', web.client.get("/").text)
    web.login_form("admin")
    assert 'id="data-tiles"' not in web.client.get("/").text


def test_every_skip_the_readers_name_is_said_in_words(web: Web, tmp_path: Path) -> None:
    """A skip reason with words in the catalogue is shown in words (the readers' newer ones too); one a plugin's
    reader names without words is shown as its code."""
    import json

    from zhizhi.store.tables import Batch

    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    with web.sessions() as session, session.begin():
        batch = session.get_one(Batch, done.batch_id)
        report = json.loads(batch.report)
        report["skipped_by_reason"] = {"blank": 1, "note_row": 2, "other_table": 3, "hidden_sheet": 4, "plugin_x": 1}
        batch.report = json.dumps(report, ensure_ascii=False)
    web.login_form("leader")
    skipped = _section(web.client.get(f"/batches/{done.batch_id}").text, 'id="report-skipped"')
    for words in ("空行", "说明或落款行", "其他表格的工作表", "隐藏的工作表"):
        assert words in skipped
    assert "note_row" not in skipped and '<code translate="no">plugin_x</code>' in skipped
