"""The delivery page: the platform's answer in words, the source row, every ledger entry with a proof that checks
offline, and the steward's retry and resend; another department's office sees nothing (SQLite and PostgreSQL)."""

from __future__ import annotations

import io
import json
import re
from collections.abc import Iterator
from datetime import date

import openpyxl
import pytest
from sqlalchemy import select

from tests.conftest import OPERATOR, Web, outbox
from tests.delivery.platform import Platform, platform
from tests.ingest.test_pipeline import _codes, _row, _source, _write
from zhizhi.config.models import ResolveConfig
from zhizhi.delivery import load_target
from zhizhi.delivery.send import send_once
from zhizhi.demo import install_demo_codes
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.ledger import check_proof
from zhizhi.resolve.run import resolve
from zhizhi.store.tables import CodeReviewItem, Delivery, Entity


@pytest.fixture
def province() -> Iterator[Platform]:
    with platform() as running:
        yield running


def test_a_rejected_delivery_is_shown_proven_and_sent_again(web: Web, province: Platform) -> None:
    (web.workspace.root / "targets" / "province.yaml").write_text(
        "name: province\nowner: LZ-XY\nrecord_types: [entity]\nfields:\n  TYSHXYDM: uscc\n  QYMC: name\n"
        f"transport:\n  kind: http\n  url: {province.url}\nreasons:\n  E1021: 统一社会信用代码与名称不符\n",
        encoding="utf-8",
    )
    path = _write(web.workspace.root / "a.csv", [_row(_codes(1)[0], "甲有限公司")])
    with web.sessions() as session, session.begin():
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox("province"))
    province.reject["甲有限公司"] = "E1021"
    target = load_target(web.workspace.root, "province")
    assert send_once(web.sessions, target).states == {"rejected": 1}
    with web.sessions() as session:
        delivery_id = session.scalar(select(Delivery.id))

    web.login_form("steward")
    page = web.client.get(f"/deliveries/{delivery_id}").text
    assert 'id="delivery-status">被拒收<' in page
    assert 'id="delivery-reason" translate="no">统一社会信用代码与名称不符（E1021）<' in page
    assert "a.csv" in page and 'id="delivery-retry"' in page and "平台拒收" in page and "delivery.rejected" not in page
    proof = web.client.get(f"/deliveries/{delivery_id}/proof.json")
    assert proof.status_code == 200 and "attachment" in proof.headers["content-disposition"]
    checked = check_proof(proof.content)
    assert checked.ok and checked.entry is not None and checked.entry["kind"] == "delivery.rejected"
    assert web.client.get(f"/deliveries/{delivery_id}/proof.json?seq=1").status_code == 404  # not this delivery's

    csrf = web.page_csrf(f"/deliveries/{delivery_id}")
    answer = web.client.post(f"/deliveries/{delivery_id}/retry", data={"csrf_token": csrf}, follow_redirects=False)
    assert answer.status_code == 303
    assert 'id="delivery-status">待发送<' in web.client.get(answer.headers["location"]).text
    province.reject.clear()
    assert send_once(web.sessions, target).states == {"acknowledged": 1}
    csrf = web.page_csrf(f"/deliveries/{delivery_id}")
    web.client.post(f"/deliveries/{delivery_id}/resend", data={"csrf_token": csrf})
    assert send_once(web.sessions, target).states == {"acknowledged": 1}
    assert province.arrivals.most_common(1)[0][1] == 2 and len(province.applied) == 1

    twin = web.client.get(f"/api/deliveries/{delivery_id}").json()
    kinds = [e["kind"] for e in twin["ledger"]]
    assert kinds == [
        "delivery.rejected",
        "delivery.requeued",
        "delivery.acknowledged",
        "delivery.requeued",
        "delivery.acknowledged",
    ]
    assert twin["status"] == "acknowledged" and twin["row"]["row"] == 2

    web.client.post("/logout", data={"csrf_token": web.page_csrf("/")})
    web.login_form("yufeng")  # a county office: not its record
    assert web.client.get(f"/deliveries/{delivery_id}").status_code == 404


def test_one_path_from_a_withheld_delivery_to_the_decision_that_sends_it(web: Web, province: Platform) -> None:
    """The delivery names the code decision it waits for and links to exactly that review item; deciding there
    sends it again by itself and says how many; both languages."""
    (web.workspace.root / "targets" / "province.yaml").write_text(
        "name: province\ntitle: 广西市场监管一体化平台\nowner: LZ-XY\nrecord_types: [entity]\nfields:\n"
        "  TYSHXYDM: uscc\n  QYMC: name\n  HYDM: {field: industry_code, code_list: guangxi-industry-8}\n"
        f"transport:\n  kind: http\n  url: {province.url}\n",
        encoding="utf-8",
    )
    path = _write(web.workspace.root / "a.csv", [_row(_codes(1)[0], "甲有限公司", 行业代码="6291")])
    with web.sessions() as session, session.begin():
        install_demo_codes(session, OPERATOR, web.workspace.root)  # the province's 8-digit list splits 6291
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox("province"))
    target = load_target(web.workspace.root, "province")
    assert send_once(web.sessions, target).states == {"withheld": 1}
    with web.sessions() as session:
        delivery = session.scalars(select(Delivery)).one()
        item = session.get_one(CodeReviewItem, delivery.review_item_id)
    assert (item.from_code, item.from_list, item.to_list) == ("6291", "gbt4754-2017", "guangxi-industry-8")

    web.login_form("steward")
    page = web.client.get(f"/deliveries/{delivery.id}").text
    assert 'id="delivery-status">未能发出：待决定<' in page and 'id="delivery-target" translate="no">广西' in page
    waits = page.split('id="delivery-waits"')[1].split("</tr>")[0]
    assert f'href="/codes/review/{item.id}"' in waits and "广西市场监管平台行业代码" in _text(waits)
    dashboard = web.client.get("/deliveries").text
    assert f'href="/codes/review/{item.id}"' in dashboard.split('id="problems"')[1]
    shown = web.client.get(f"/codes/review/{item.id}").text
    assert "1 条交付（1 条记录）" in _text(shown) and f'href="/deliveries/{delivery.id}"' in shown
    queue = web.client.get("/codes/review").text
    assert queue.index(f'id="item-{item.id}"') < queue.index("</table>") and 'id="queue-order"' in queue

    chosen = json.loads(item.candidates)[0]
    answer = web.client.post(
        f"/codes/review/{item.id}/decide",
        data={"to_code": chosen, "reason": "省平台确认", "csrf_token": web.page_csrf(f"/codes/review/{item.id}")},
    )
    assert answer.status_code == 200 and "因它未能发出的 1 条交付已重新排队" in _text(answer.text)
    assert 'id="delivery-status">待发送<' in web.client.get(f"/deliveries/{delivery.id}").text
    assert send_once(web.sessions, target).states == {"acknowledged": 1}  # the worker's next batch
    (record,) = province.applied.values()
    assert record["HYDM"] == chosen

    web.client.get("/lang/en")
    english = _text(web.client.get(f"/codes/review/{item.id}").text)
    assert "Code to review: 6291" in english and "Decision in force" in english and "decided" in english
    twin = web.client.get(f"/api/deliveries/{delivery.id}").json()
    assert twin["review_item"] is None and twin["status"] == "acknowledged"


def _text(html: str) -> str:
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", "", html))


def test_a_platforms_reason_quoting_a_person_is_masked_wherever_it_is_shown(web: Web, province: Platform) -> None:
    """A platform's rejection may quote an ID or a phone number: every page, export and API twin that shows the
    reason shows it masked, as the dashboard does (the ledger entry keeps it, hashed into the chain)."""
    (web.workspace.root / "targets" / "province.yaml").write_text(
        "name: province\nowner: LZ-XY\nrecord_types: [entity]\nfields:\n  TYSHXYDM: uscc\n  QYMC: name\n"
        f"transport:\n  kind: http\n  url: {province.url}\n",
        encoding="utf-8",
    )
    path = _write(web.workspace.root / "a.csv", [_row(_codes(1)[0], "甲有限公司")])
    with web.sessions() as session, session.begin():
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox("province"))
    person, mobile = "450202197001011231", "13800138000"
    province.reject["甲有限公司"] = f"法定代表人身份证号{person}与人口库不一致，请联系经办人{mobile}核实"
    assert send_once(web.sessions, load_target(web.workspace.root, "province")).states == {"rejected": 1}
    with web.sessions() as session, session.begin():
        delivery_id = session.scalar(select(Delivery.id))
        entity_id = resolve(session, OPERATOR, ResolveConfig()).as_dict() and session.scalar(select(Entity.id))

    web.login_form("leader")
    shown = {
        path: web.client.get(path)
        for path in (
            "/deliveries",
            f"/deliveries/{delivery_id}",
            f"/api/deliveries/{delivery_id}",
            "/reconcile/deliveries?target=province&status=rejected",
            f"/entities/{entity_id}",
            f"/api/entities/{entity_id}",
        )
    }
    book = openpyxl.load_workbook(io.BytesIO(web.client.get("/reconcile/export.xlsx?target=province").content))
    shown["export"] = "\n".join(str(c) for sheet in book for row in sheet.iter_rows(values_only=True) for c in row)
    for where, answer in shown.items():
        text = answer if isinstance(answer, str) else answer.text
        assert isinstance(answer, str) or answer.status_code == 200, where
        assert "与人口库不一致" in text, where  # the reason is there
        assert person not in text and mobile not in text, where  # its person is not
