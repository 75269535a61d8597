"""Quarantine that says where the value is (SQLite and PostgreSQL): a file whose 经营业态代码 feeds the industry code
while its 行业代码 column holds another value; the problem names the column the bad value is in, and the code list by
its title, in both languages; the item page is one form for the row (a label per input, the value as read beside
it, one save), which keeps the values changed only, each audited, and masked values untouched."""

from __future__ import annotations

import re
from pathlib import Path

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, Outbox, Web
from tests.web.test_ingest_api import TODAY, uscc
from tests.web.test_register_pages import text_of
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.ingest.quarantine import list_items
from zhizhi.sources.config import load_source
from zhizhi.store.tables import AuditEvent

SOURCE = """\
name: dengji
title: 登记注册系统导出
department: LZ-DJ
record_type: entity
fields:
  uscc: 统一社会信用代码
  name: 企业名称
  legal_representative: 法定代表人
  founded_on: 核准日期
  industry_code: {column: 经营业态代码, code_list: gbt4754-2011}
"""
HEADER = ["统一社会信用代码", "企业名称", "法定代表人", "核准日期", "成立日期", "经营业态代码", "行业代码"]
LIST_TITLE = "国民经济行业分类 GB/T 4754-2011"


def ingest(sessions: sessionmaker[Session], root: Path, folder: Path) -> int:
    """One row: a format code not in the list, a day that does not exist, beside columns that hold good values
    under the fields' own labels (成立日期, 行业代码); returns its quarantine item."""
    (root / "sources").mkdir(exist_ok=True)
    (root / "sources" / "dengji.yaml").write_text(SOURCE, encoding="utf-8")
    row = [uscc("MA5K3D2R"), "柳州市华信食品有限公司", "张伟", "2021-02-30", "2021-02-03", "9999", "5221"]
    path = folder / "dengji.csv"
    path.write_text(",".join(HEADER) + "\n" + ",".join(row) + "\n", encoding="utf-8")
    with sessions() as session, session.begin():
        batch = ingest_file(session, OPERATOR, load_source(root, "dengji"), path, today=TODAY, outbox=Outbox()).batch
        (item,) = list_items(session, OPERATOR, batch_id=batch.id)
        return int(item["id"])


def test_a_problem_names_the_column_its_value_is_in_and_the_list_by_its_title(web: Web, tmp_path: Path) -> None:
    item = ingest(web.sessions, web.workspace.root, tmp_path)
    web.login_form("steward")
    stored = {f["code"]: f for f in web.client.get(f"/api/quarantine/{item}").json()["findings"]}
    code, day = stored["code.unknown"], stored["date.invalid"]
    assert (code["column"], code["field"], day["column"]) == ("经营业态代码", "industry_code", "核准日期")
    assert code["message_zh"] == f"「经营业态代码」`9999` 不在代码表「{LIST_TITLE}」的现行版本中"
    assert code["message"].startswith(f"`经营业态代码` = `9999` is not in the code list `{LIST_TITLE}` as in force")
    assert day["message_zh"].startswith("「核准日期」`2021-02-30` 不是有效日期")
    assert day["message"].startswith("`核准日期` = `2021-02-30` is not a date")

    for locale in ("zh-CN", "en"):
        web.client.get(f"/lang/{locale}")
        for path in ("/quarantine", f"/quarantine/{item}"):
            page = web.client.get(path).text
            main = page.split("<main", 1)[1]
            assert "「行业代码」<code" not in main and "「成立日期」<code" not in main and "`" not in main
            assert "industry_code" not in text_of(main) and "gbt4754-2011" not in text_of(main)
        findings = page.split('id="item-findings"')[1].split("</table>")[0]
        row = findings.split('data-reason="code.unknown"')[1].split("</tr>")[0]
        assert '<span class="column" translate="no">经营业态代码</span>' in row
        assert '<code translate="no">经营业态代码</code>' in row or "「经营业态代码」" in row
    web.client.get("/lang/zh-CN")


def test_the_item_is_one_form_for_the_row_that_keeps_the_changed_values_only(web: Web, tmp_path: Path) -> None:
    item = ingest(web.sessions, web.workspace.root, tmp_path)
    web.login_form("steward")
    page = web.client.get(f"/quarantine/{item}").text
    form = page.split('id="fix-form"')[1].split("</form>")[0]
    inputs = re.findall(r'<input id="(fix-\d+)" name="value"', form)
    labels = re.findall(r'<label for="(fix-\d+)">([^<]+)</label>', form)
    assert [column for _, column in labels] == HEADER and [i for i, _ in labels] == inputs  # every input labelled
    assert form.count('id="fix-save"') == 1 and 'class="inline fix"' not in form
    for column, as_read in (("核准日期", "2021-02-30"), ("经营业态代码", "9999"), ("法定代表人", "张*")):
        cells = form.split(f">{column}</label>")[1].split("</tr>")[0]
        assert f">{as_read}<" in cells and f'value="{as_read}"' in cells  # the original beside its input

    # The form sends every cell, as a browser does; two are changed, the masked name is sent back as shown.
    sent = re.findall(r'name="column" value="([^"]+)">\s*<input id="fix-\d+" name="value"[^>]*value="([^"]*)"', form)
    assert len(sent) == len(HEADER)
    changes = {"核准日期": "2021-02-03", "经营业态代码": "5221"}
    data = {"csrf_token": web.page_csrf(f"/quarantine/{item}"), "column": [c for c, _ in sent]}
    data["value"] = [changes.get(c, v) for c, v in sent]
    saved = web.client.post(f"/quarantine/{item}/fix", data=data, follow_redirects=False)
    assert saved.status_code == 303
    after = web.client.get(saved.headers["location"]).text
    assert "已保存修正：" in text_of(after.split('id="fixed-notice"')[1].split("</p>")[0])
    fixes = web.client.get(f"/api/quarantine/{item}").json()["fixes"]
    assert set(fixes) == set(changes)  # the masked 法定代表人 was not overwritten by its mask
    with web.sessions() as session:
        audited = session.scalars(select(AuditEvent).where(AuditEvent.action == "quarantine.fix")).all()
    assert sorted(event.object_id for event in audited) == [str(item)] * 2

    again = web.client.post(f"/quarantine/{item}/fix", data=data | {"value": [changes.get(c, v) for c, v in sent]})
    assert again.status_code == 200 and 'id="unchanged-notice"' in again.text
    uneven = web.client.post(f"/quarantine/{item}/fix", data=data | {"value": ["x"]})
    assert uneven.status_code == 422 and "表单须为每一列提交一个值" in uneven.text

    replayed = web.client.post("/quarantine/replay", data={"ids": str(item), "csrf_token": data["csrf_token"]})
    assert "重新处理成功" in replayed.text


def test_a_form_opened_before_another_stewards_fix_keeps_nothing_of_its_own(web: Web, tmp_path: Path) -> None:
    """Two stewards open one item; the first fixes the code, the second (whose form still shows the code as read)
    changes the date: the second form put the code back as read. It is refused whole, naming the first steward."""
    item = ingest(web.sessions, web.workspace.root, tmp_path)
    web.login_form("steward")
    form = web.client.get(f"/quarantine/{item}").text.split('id="fix-form"')[1].split("</form>")[0]
    seen = re.search(r'name="seen" value="([0-9a-f]+)"', form)
    assert seen is not None
    sent = re.findall(r'name="column" value="([^"]+)">\s*<input id="fix-\d+" name="value"[^>]*value="([^"]*)"', form)
    base = {"csrf_token": web.page_csrf(f"/quarantine/{item}"), "column": [c for c, _ in sent], "seen": seen.group(1)}
    first = base | {"value": [{"经营业态代码": "5221"}.get(c, v) for c, v in sent]}
    assert web.client.post(f"/quarantine/{item}/fix", data=first, follow_redirects=False).status_code == 303
    second = base | {"value": [{"核准日期": "2021-02-03"}.get(c, v) for c, v in sent]}  # the stale form
    refused = web.client.post(f"/quarantine/{item}/fix", data=second)
    assert refused.status_code == 409 and "已被" in text_of(refused.text), refused.text
    assert web.client.get(f"/api/quarantine/{item}").json()["fixes"] == {"经营业态代码": "5221"}
