"""The register in the UI (SQLite and PostgreSQL): search by code, name, pinyin initials, address and phone; an
entity's file with golden fields and their provenance, every department's records, one timeline (with the records'
deliveries), the deliveries one by one and a QR code of the page; the review queue side by side; merge, keep apart,
split and undo, each shown at once; the JSON twins."""

from __future__ import annotations

import html
import json
import re
from collections.abc import Iterator
from datetime import UTC, date, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, Web, outbox
from tests.delivery.platform import Platform, platform
from tests.ingest.test_pipeline import _codes, _ingest, _row, _write
from zhizhi.access import create_token
from zhizhi.config import Workspace, load_workspace
from zhizhi.delivery import load_target
from zhizhi.delivery.send import send_once
from zhizhi.i18n import translate
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.resolve import register, review
from zhizhi.resolve.run import resolve
from zhizhi.sources import parse_source
from zhizhi.store.tables import AuditEvent, Delivery, Entity, Record, ResolveDecision, ReviewPair

TODAY = date(2026, 11, 28)
CODES = _codes(2, seed=11)
HUAXIN = "柳州市华信食品有限公司"
PERSON_ID = "11010519491231002X"
REVIEW_PROBABILITY = 0.5
DENGJI = """\
name: dengji
department: LZ-DJ
record_type: entity
default_prefecture: "450200"
default_area_code: "0772"
fields:
  uscc: 统一社会信用代码
  name: 企业名称
  legal_representative: 法定代表人
  legal_representative_id: 身份证号
  address: 住所
  phone: 联系电话
  founded_on: 成立日期
"""
LICENCES = """\
name: food_licences
department: LZ-SP
record_type: licence
default_prefecture: "450200"
fields:
  number: 许可证编号
  kind: {value: 食品经营许可证}
  holder_name: 经营者名称
  holder_uscc: 统一社会信用代码
  valid_from: 有效期起
  valid_to: 有效期至
"""
INSPECTIONS = """\
name: inspections
department: LZ-CZ-ZN
record_type: inspection
default_prefecture: "450200"
fields:
  number: 检查编号
  entity_name: 被检查对象
  entity_uscc: 统一社会信用代码
  address: 检查地点
  inspected_on: 检查日期
  result: 检查结论
"""
SOURCES = {
    "dengji": (
        DENGJI,
        ["统一社会信用代码", "企业名称", "法定代表人", "身份证号", "住所", "联系电话", "成立日期"],
        [
            [CODES[0], HUAXIN, "张伟", PERSON_ID, "柳州市城中区文昌路12号", "0772-2812345", "2019年3月8日"],
            [CODES[1], "柳州市龙城餐饮有限公司", "李娜", "", "柳州市鱼峰区箭盘路8号", "0772-3123456", "2015-06-01"],
        ],
    ),
    "food_licences": (
        LICENCES,
        ["许可证编号", "经营者名称", "统一社会信用代码", "有效期起", "有效期至"],
        [["JY14502020001234", HUAXIN, CODES[0], "2024-01-01", "2029-01-01"]],
    ),
    "inspections": (
        INSPECTIONS,
        ["检查编号", "被检查对象", "统一社会信用代码", "检查地点", "检查日期", "检查结论"],
        [
            ["JC2025-001", HUAXIN, CODES[0], "柳州市城中区文昌路12号", "2025-06-01", "合格"],
            ["JC2025-002", "华信食品", "", "柳州市城中区文昌路12号", "2025-09-10", "责令整改"],
        ],
    ),
}


def ingest_city(sessions: sessionmaker[Session], folder: Path, targets: dict[str, list[str]] | None = None) -> None:
    """Ingest the three departments' files: a registration export, a licence ledger, an office's inspections; each
    source's new records are owed to its `targets`."""
    for name, (text, header, rows) in SOURCES.items():
        path = _write(folder / f"{name}.csv", rows, header=header)
        owed = (targets or {}).get(name, [])
        with sessions() as session, session.begin():
            source = parse_source(text, f"sources/{name}.yaml")
            ingest_file(session, OPERATOR, source, path, today=TODAY, outbox=outbox(*owed))


def with_review(workspace: Workspace) -> Workspace:
    """The workspace with a review threshold low enough that the city's doubtful pairs wait for a steward (the few
    records here teach the model little, so the pairs score low)."""
    path = workspace.root / "zhizhi.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["resolve"] = {"review_probability": REVIEW_PROBABILITY}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return load_workspace(workspace.root)


@pytest.fixture
def workspace(workspace: Workspace) -> Workspace:
    return with_review(workspace)


def build(sessions: sessionmaker[Session], workspace: Workspace, targets: dict[str, list[str]] | None = None) -> int:
    """The three files ingested (their records owed to `targets`) and resolved; returns the id of 华信食品's entity."""
    ingest_city(sessions, workspace.root, targets)
    with sessions() as session, session.begin():
        resolve(session, OPERATOR, workspace.config.resolve)
    with sessions() as session:
        (found,) = register.search(session, OPERATOR, CODES[0])
        return int(found["id"])


def test_the_register_finds_an_entity_by_code_name_pinyin_initials_address_and_phone(web: Web) -> None:
    huaxin = build(web.sessions, web.workspace)
    web.login_form("steward")
    page = web.client.get("/register").text
    assert 'id="count-entities">3<' in page and 'id="count-linked">5<' in page
    # the pairs the review page lists for the steward (none of the three is between records of its department)
    assert re.search(r'id="count-review"><a href="/review">0<', page)
    assert "nav.register" not in page and '<a href="/register" class="active">主体库</a>' in page
    token = web.page_csrf("/register")
    for query in ("hxsp", "HXSP", "lzshx", CODES[0], CODES[0].lower(), "华信", "文昌路12号", "0772-2812345"):
        found = web.client.post("/register", data={"q": query, "csrf_token": token}).text  # the form's way
        assert f'<tr id="entity-{huaxin}">' in found, query
        assert HUAXIN in found
        if "-" not in query:  # a link to a search writes nothing, so it answers too (but one by a phone, below)
            assert f'<tr id="entity-{huaxin}">' in web.client.get("/register", params={"q": query}).text, query
    dragon = web.client.get("/register", params={"q": "箭盘路"}).text
    assert "柳州市龙城餐饮有限公司" in dragon and f'id="entity-{huaxin}"' not in dragon
    assert 'id="results-empty"' in web.client.get("/register", params={"q": "不存在的公司"}).text
    twin = {e["id"]: e for e in web.client.get("/api/entities", params={"q": "hxsp"}).json()}
    assert twin[huaxin]["uscc"] == CODES[0] and twin[huaxin]["name"] == HUAXIN
    assert web.client.get("/api/register").json()["entities"] == 3


def test_a_leader_cannot_rebuild_a_masked_phone_through_the_search_but_finds_the_firm_by_it_whole(web: Web) -> None:
    """A leader (no `personal.read`) saw 0772-****345 on the file and rebuilt 0772-2812345 by searching for growing
    prefixes of it: the search matched any part of a text that held the phone, with no purpose, audit or limit."""
    huaxin = build(web.sessions, web.workspace)
    token = web.login("leader")
    signed = {"X-CSRF-Token": token}  # a search by a whole phone is audited: a cookie session sends its token
    head, tail = web.client.get(f"/api/entities/{huaxin}").json()["phone"].split("****")
    known = head
    for _ in range(4):
        for digit in "0123456789":
            hits = web.client.get("/api/entities", params={"q": known + digit, "limit": 1000}, headers=signed).json()
            if any(e["id"] == huaxin for e in hits):
                known += digit
                break
    assert known == head
    for query in ("0772-2812345", "07722812345", "(0772) 2812345"):
        (found,) = web.client.get("/api/entities", params={"q": query}, headers=signed).json()
        assert found["id"] == huaxin and found["phone"] == f"{head}****{tail}"
    page = web.client.post("/register", data={"q": "0772-2812345", "csrf_token": token}).text
    assert f'<tr id="entity-{huaxin}">' in page and "2812345" not in page.replace("0772-2812345", "", 1)
    with web.sessions() as session:
        events = session.scalars(select(AuditEvent).where(AuditEvent.action == "personal.search")).all()
    assert [(e.actor, json.loads(e.detail)["found"]) for e in events] == [("leader", [huaxin])] * 4


def test_a_search_by_a_phone_runs_only_when_posted_with_the_csrf_token(web: Web) -> None:
    """A search by a phone writes an audit event: as a GET link, another site could make a signed-in browser run
    searches in the user's name. A link now only fills the form in; the form posts with its CSRF token; the JSON
    twin wants `X-CSRF-Token` from a cookie session, and nothing extra from a bearer token."""
    huaxin = build(web.sessions, web.workspace)
    web.login_form("steward")
    phone = "0772-2812345"

    def searches() -> int:
        with web.sessions() as session:
            return len(session.scalars(select(AuditEvent).where(AuditEvent.action == "personal.search")).all())

    linked = web.client.get("/register", params={"q": phone})
    assert linked.status_code == 200 and 'id="phone-search-held"' in linked.text
    assert f'value="{phone}"' in linked.text and f'id="entity-{huaxin}"' not in linked.text
    for form in ({"q": phone}, {"q": phone, "csrf_token": "another-sites-guess"}):
        refused = web.client.post("/register", data=form)
        assert refused.status_code == 403 and 'data-code="csrf_failed"' in refused.text, form
    unsigned = web.client.get("/api/entities", params={"q": phone})
    assert unsigned.status_code == 403 and unsigned.json()["error"]["code"] == "csrf_failed"
    assert searches() == 0
    assert web.client.get("/api/entities", params={"q": "hxsp"}).status_code == 200  # a search by name writes nothing

    token = web.page_csrf("/register")
    posted = web.client.post("/register", data={"q": phone, "csrf_token": token})
    assert posted.status_code == 200 and f'<tr id="entity-{huaxin}">' in posted.text
    signed = web.client.get("/api/entities", params={"q": phone}, headers={"X-CSRF-Token": token})
    assert [e["id"] for e in signed.json()] == [huaxin]
    with web.sessions() as session, session.begin():
        _, secret = create_token(session, OPERATOR, name="script", username="steward")
    web.client.cookies.clear()
    bearer = web.client.get("/api/entities", params={"q": phone}, headers={"Authorization": f"Bearer {secret}"})
    assert [e["id"] for e in bearer.json()] == [huaxin]
    assert searches() == 3


def test_an_entity_page_shows_golden_fields_with_provenance_every_record_a_timeline_and_a_qr_code(web: Web) -> None:
    huaxin = build(web.sessions, web.workspace)
    web.login_form("steward")
    page = web.client.get(f"/entities/{huaxin}").text
    assert f'<span id="entity-name" translate="no">{HUAXIN}</span>' in page
    assert f'id="fact-uscc" translate="no">{CODES[0]}<' in page and 'id="record-count">3<' in page
    name_row = page.split('id="golden-name"')[1].split("</tr>")[0]
    assert "dengji · dengji.csv · 第 2 行" in text_of(name_row)
    assert re.search(r'href="/records/\d+"', name_row) and re.search(r'href="/batches/\d+"', name_row)
    groups = re.findall(r'<section class="record-group" id="group-(\w+)">', page)
    assert groups == ["entity", "licence", "inspection"]
    assert page.count("统一社会信用代码相同") == 3
    assert PERSON_ID not in page and "110105********002X" in page  # a steward may not read ID numbers
    # The steward's own registration links to its record; the licence and inspection say whose they are instead.
    assert [(date, href.startswith("/records/"), what) for date, href, what in timeline_rows(page)] == [
        ("2019-03-08", True, "市场主体：成立日期"),
        ("2024-01-01", False, "许可证：有效期起 食品经营安全监督管理科的记录，不在您的查看范围内"),
        ("2025-06-01", False, "检查记录：检查日期 中南市场监督管理所的记录，不在您的查看范围内"),
        ("2029-01-01", False, "许可证：有效期至 食品经营安全监督管理科的记录，不在您的查看范围内"),
    ]
    url = f"http://testserver/entities/{huaxin}"
    assert '<svg viewBox="0 0 ' in page and f"<title>{url}</title>" in page and f'id="entity-url">{url}<' in page
    qr = web.client.get(f"/entities/{huaxin}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.text.startswith("<?xml") and f"<title>{url}</title>" in qr.text
    assert 'id="split-form"' in page  # a steward may split
    assert 'id="deliveries-empty"' in page and 'id="entity-delivery-list"' not in page

    twin = web.client.get(f"/api/entities/{huaxin}").json()
    assert twin["name"] == HUAXIN and len(twin["records"]) == 3 and len(twin["timeline"]) == 4
    assert twin["golden"]["name"]["file"] == "dengji.csv" and twin["golden"]["name"]["row"] == 2
    assert {r["data"].get("legal_representative_id") for r in twin["records"]} >= {"110105********002X"}

    web.client.post("/logout", data={"csrf_token": web.page_csrf("/")})
    web.login_form("leader")  # reads, decides nothing
    assert 'id="split-form"' not in web.client.get(f"/entities/{huaxin}").text
    assert web.client.get("/entities/999999").status_code == 404


def test_the_pages_speak_english_too(web: Web) -> None:
    huaxin = build(web.sessions, web.workspace)
    web.login_form("steward")
    web.client.get("/lang/en")
    page = web.client.get(f"/entities/{huaxin}").text
    assert "Golden fields" in page and "same credit code" in page and "Market entity: " in page
    assert 'a record of <span translate="no">食品经营安全监督管理科</span>: not yours to open' in page
    assert "Pairs to review" in web.client.get("/review").text


# Three targets: the province takes registrations (and refuses 华信 with a code of its own), the licensing platform
# takes licences, and the inspections' platform is never sent to (its deliveries stay pending).
TARGETS = {
    "province": "record_types: [entity]\nfields:\n  TYSHXYDM: uscc\n  QYMC: name\n"
    "reasons:\n  E1021: 统一社会信用代码与名称不符\n",
    "licensing": "record_types: [licence]\nfields:\n  XKZBH: number\n  JYZMC: holder_name\n",
    "spot": "record_types: [inspection]\nfields:\n  JCBH: number\n",
}
OWED = {"dengji": ["province"], "food_licences": ["licensing"], "inspections": ["spot"]}
REJECTED = "统一社会信用代码与名称不符（E1021）"
# After every date in the records; the licence is acknowledged before the province answers, though owed after it.
SENT_AT = {"province": datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC), "licensing": datetime(2030, 1, 1, 20, tzinfo=UTC)}


@pytest.fixture
def province() -> Iterator[Platform]:
    with platform() as running:
        yield running


def delivered(web: Web, province: Platform) -> int:
    """The city with its records owed to the three targets and the province and licensing ones sent; returns the id
    of 华信食品's entity."""
    for name, text in TARGETS.items():
        transport = f"transport:\n  kind: http\n  url: {province.url}\n"
        path = web.workspace.root / "targets" / f"{name}.yaml"
        path.write_text(f"name: {name}\nowner: LZ-XY\n{text}{transport}", encoding="utf-8")
    huaxin = build(web.sessions, web.workspace, OWED)
    province.reject[HUAXIN] = "E1021"
    claimed = {
        name: send_once(web.sessions, load_target(web.workspace.root, name), now=at) for name, at in SENT_AT.items()
    }
    assert {name: report.claimed for name, report in claimed.items()} == {"province": 2, "licensing": 1}
    return huaxin


def delivery_rows(page: str) -> dict[int, str]:
    """The entity page's deliveries one by one, in the page's order: id -> the row's HTML."""
    listed = page.split('id="entity-delivery-list"')[1].split("</table>")[0]
    return {int(n): row for n, row in re.findall(r'<tr id="delivery-(\d+)"[^>]*>(.*?)</tr>', listed, re.S)}


def text_of(fragment: str) -> str:
    """An HTML fragment's text as a reader sees it: tags dropped, entities read, spaces collapsed."""
    blocks = re.sub(r"</?(div|p|td|th|tr|li|br)\b[^>]*>", " ", fragment)
    return " ".join(html.unescape(re.sub(r"<[^>]+>", "", blocks)).split())


def timeline_rows(page: str) -> list[tuple[str, str, str]]:
    """The page's timeline: (date, link or '', what) per event, in the page's order."""
    table = page.split('id="timeline"')[1].split("</table>")[0]
    found = re.findall(r'<td class="date">([^<]+)</td>\s*<td class="what">(.*?)</td>', table, re.S)
    return [(date, (re.findall(r'<a href="([^"]+)"', what) or [""])[0], text_of(what)) for date, what in found]


def test_an_entity_page_lists_its_deliveries_links_each_and_puts_them_on_the_timeline(
    web: Web, province: Platform, monkeypatch: pytest.MonkeyPatch
) -> None:
    huaxin = delivered(web, province)
    web.login_form("leader")  # the whole city: may open every delivery
    twin = web.client.get(f"/api/entities/{huaxin}").json()
    with web.sessions() as session:
        query = select(Delivery.id, Delivery.target, Delivery.status)
        ours = session.execute(query.where(Delivery.record_id.in_([r["record_id"] for r in twin["records"]]))).all()
        assert len(session.scalars(select(Delivery.id)).all()) == 5  # 龙城's registration and the other inspection
    ids = {target: delivery_id for delivery_id, target, _ in ours}
    assert {(t, s) for _, t, s in ours} == {
        ("province", "rejected"),
        ("licensing", "acknowledged"),
        ("spot", "pending"),
    }

    # The JSON twin: the counts, the total, each delivery newest first, and the timeline holding them in date order.
    assert {(c["target"], c["status"], c["count"]) for c in twin["deliveries"]} == {
        ("licensing", "acknowledged", 1),
        ("province", "rejected", 1),
        ("spot", "pending", 1),
    }
    assert twin["delivery_total"] == 3
    listed = twin["delivery_list"]
    assert [d["id"] for d in listed] == sorted(ids.values(), reverse=True)
    by_target = {d["target"]: d for d in listed}
    assert by_target["province"]["reason"] == REJECTED and by_target["province"]["at"] == "2030-01-02T03:04:05.000000Z"
    assert by_target["licensing"]["acknowledged_at"] == by_target["licensing"]["at"] == "2030-01-01T20:00:00.000000Z"
    assert by_target["spot"]["at"] == by_target["spot"]["created_at"] and by_target["spot"]["sent_at"] is None
    assert {d["source"] for d in listed} == {"dengji", "food_licences", "inspections"}
    assert all(d["in_scope"] for d in listed)
    events = twin["timeline"]
    assert len(events) == 4 + 3 and [e["date"] for e in events] == sorted(e["date"] for e in events)
    sent = [(e["delivery_id"], e["date"], e["what_zh"]) for e in events if e["kind"] == "delivery"][-2:]
    assert sent == [  # Beijing time: the licence's receipt came at 04:00 on the 2nd, the province's answer at 11:04
        (ids["licensing"], "2030-01-02 04:00:00", "交付至 licensing：已确认"),
        (ids["province"], "2030-01-02 11:04:05", f"交付至 province：被拒收（{REJECTED}）"),
    ]
    assert events[-1]["what"] == f"Delivery to province: rejected ({REJECTED})"

    # The page: every delivery with a link that opens, the counts linking to the deliveries behind them.
    page = web.client.get(f"/entities/{huaxin}").text
    rows = delivery_rows(page)
    assert list(rows) == [d["id"] for d in listed]
    for delivery_id, row in rows.items():
        (href,) = re.findall(r'<a class="delivery-link" href="([^"]+)"', row)
        assert href == f"/deliveries/{delivery_id}"
        opened = web.client.get(href)
        assert opened.status_code == 200 and f"<title>交付 {delivery_id}" in opened.text
    assert "被拒收" in rows[ids["province"]] and REJECTED in rows[ids["province"]]
    assert "已确认" in rows[ids["licensing"]] and "待发送" in rows[ids["spot"]]
    assert 'id="delivery-list-count">共 3 条，最新的在前。<' in page
    timeline = timeline_rows(page)
    assert [date for date, _, _ in timeline] == sorted(date for date, _, _ in timeline) and len(timeline) == 7
    assert timeline[-2:] == [
        ("2030-01-02 04:00:00", f"/deliveries/{ids['licensing']}", "交付至licensing：已确认"),
        ("2030-01-02 11:04:05", f"/deliveries/{ids['province']}", f"交付至province：被拒收（{REJECTED}）"),
    ]
    delivery_links = [href for _, href, _ in timeline if href.startswith("/deliveries/")]
    assert sorted(delivery_links) == sorted(f"/deliveries/{n}" for n in ids.values())
    counts = page.split('id="entity-deliveries"')[1].split("</table>")[0]
    drills = [html.unescape(h) for h in re.findall(r'class="status-link" href="([^"]+)"', counts)]
    assert drills == [
        "/reconcile/deliveries?target=licensing&status=acknowledged",
        "/reconcile/deliveries?target=province&status=rejected",
        "/reconcile/deliveries?target=spot&status=pending",
    ]
    for href, target in zip(drills, ("licensing", "province", "spot"), strict=True):
        drill = web.client.get(href)
        assert drill.status_code == 200 and f'<tr id="delivery-{ids[target]}"' in drill.text
    for href in re.findall(r'class="target-link" href="([^"]+)"', counts):
        assert web.client.get(html.unescape(href)).status_code == 200

    # English too.
    web.client.get("/lang/en")
    english = web.client.get(f"/entities/{huaxin}").text
    assert "Deliveries one by one" in english and "3 in all, newest first." in english
    english_timeline = [what for _, _, what in timeline_rows(english)]
    rejected, pending = (translate("en", f"delivery.status.{state}") for state in ("rejected", "pending"))
    assert f"Delivery to province: {rejected} ({REJECTED})" in english_timeline
    assert f"Delivery to spot: {pending}" in english_timeline
    web.client.get("/lang/zh-CN")

    # Only the latest are listed (and put on the timeline); the page says how many there are.
    monkeypatch.setattr(register, "DELIVERIES_LISTED", 2)
    capped = web.client.get(f"/api/entities/{huaxin}").json()
    assert [d["id"] for d in capped["delivery_list"]] == [d["id"] for d in listed][:2]
    assert capped["delivery_total"] == 3 and len(capped["deliveries"]) == 3
    assert len([e for e in capped["timeline"] if e["kind"] == "delivery"]) == 2
    page = web.client.get(f"/entities/{huaxin}").text
    assert list(delivery_rows(page)) == [d["id"] for d in listed][:2]
    assert "共 3 条，显示最新的 2 条" in page
    monkeypatch.undo()

    # A steward of the registration section sees every delivery, and opens those of its own records only.
    web.client.post("/logout", data={"csrf_token": web.page_csrf("/")})
    web.login_form("steward")
    page = web.client.get(f"/entities/{huaxin}").text
    rows = delivery_rows(page)
    assert list(rows) == [d["id"] for d in listed]
    assert {n for n, row in rows.items() if 'class="delivery-link"' in row} == {ids["province"]}
    assert "食品经营安全监督管理科</span>的记录，不在您的查看范围内" in rows[ids["licensing"]]
    assert "中南市场监督管理所</span>的记录" in rows[ids["spot"]]
    assert web.client.get(f"/deliveries/{ids['province']}").status_code == 200
    assert web.client.get(f"/deliveries/{ids['licensing']}").status_code == 404  # as the page said
    timeline = timeline_rows(page)
    assert [href for _, href, _ in timeline if href.startswith("/deliveries/")] == [f"/deliveries/{ids['province']}"]
    theirs = "食品经营安全监督管理科的记录，不在您的查看范围内"
    assert ("2030-01-02 04:00:00", "", f"交付至licensing：已确认 {theirs}") in timeline
    scoped = {d["id"]: d["in_scope"] for d in web.client.get(f"/api/entities/{huaxin}").json()["delivery_list"]}
    assert scoped == {ids["province"]: True, ids["licensing"]: False, ids["spot"]: False}


def doubtful_pair(web: Web) -> dict[str, Any]:
    """The pair of 华信食品's registration and the inspection of 华信食品 that names no credit code."""
    pairs = web.client.get("/api/review").json()["pairs"]
    (pair,) = [p for p in pairs if p["left"]["record_type"] == "entity"]
    assert pair["right"]["data"]["entity_name"] == "华信食品"
    return dict(pair)


def test_the_review_queue_shows_both_records_side_by_side_and_why(web: Web) -> None:
    build(web.sessions, web.workspace)
    web.login_form("registrar")
    pair = doubtful_pair(web)
    assert REVIEW_PROBABILITY <= pair["probability"] < web.workspace.config.resolve.match_probability
    page = web.client.get("/review").text
    assert len(re.findall(r'<section class="card pair" id="pair-\d+">', page)) == 3
    section = page.split(f'id="pair-{pair["id"]}">')[1].split("</section>")[0]
    assert f"匹配概率 {pair['probability'] * 100:.1f}%" in section
    assert re.search(r'<tr class="differs" data-field="name">', section)
    name = section.split('data-field="name"')[1].split("</tr>")[0]
    assert f"<mark>{HUAXIN}</mark>" in name and "<mark>华信食品</mark>" in name
    assert re.search(r'<tr class="same" data-field="address">', section)
    uscc = section.split('data-field="uscc"')[1].split("</tr>")[0]
    assert '<tr class="one_side"' in section.split('data-field="uscc"')[0][-40:] and "—" in uscc
    assert f'<span class="pill">名称</span>{pair["why"]["name"]}' in section
    assert "检查结果</dt><dd>发现问题，责令整改" in section  # the whole records, an enum in its Chinese word
    assert f'action="/review/{pair["id"]}"' in section and 'value="merge"' in section and 'value="apart"' in section
    assert web.client.get("/api/review").json()["decisions"] == []


def test_a_merge_shows_at_once_leads_the_old_id_to_the_kept_one_and_is_undone(web: Web) -> None:
    huaxin = build(web.sessions, web.workspace)
    web.login_form("registrar")
    pair = doubtful_pair(web)
    lone = pair["right"]["entity_id"]
    assert lone != huaxin
    csrf = web.page_csrf("/review")
    form = {"csrf_token": csrf, "decision": "merge", "reason": "同一地址，名称为简称"}
    answer = web.client.post(f"/review/{pair['id']}", data=form, follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == f"/review?decided={pair['id']}&kind=merge&entity={huaxin}"
    page = web.client.get(answer.headers["location"]).text
    assert "已合并" in page and f'<a href="/entities/{huaxin}" id="decided-entity">' in page
    assert 'class="notice together"' not in page  # the other pairs of the same records ask nothing any more
    assert re.search(r'<td class="kind">合并</td>', page)

    entity = web.client.get(f"/entities/{huaxin}").text
    assert 'id="record-count">4<' in entity and "2025-09-10" in entity
    old = web.client.get(f"/entities/{lone}", follow_redirects=False)
    assert old.status_code == 303 and old.headers["location"] == f"/entities/{huaxin}?merged_from={lone}"
    assert f"主体 {lone} 已并入主体 {huaxin}" in web.client.get(old.headers["location"]).text
    assert web.client.get(f"/api/entities/{lone}").json()["id"] == huaxin
    assert f"<title>http://testserver/entities/{huaxin}</title>" in web.client.get(f"/entities/{lone}/qr.svg").text
    with web.sessions() as session:
        assert session.scalar(select(AuditEvent.action).where(AuditEvent.action == "register.merge"))

    (act,) = web.client.get("/api/review").json()["decisions"]
    csrf = web.page_csrf("/review")
    refused = web.client.post("/review/decisions/undo", data={"csrf_token": csrf, "decision_id": act["id"]})
    assert refused.status_code == 422  # a reason is required
    undo = {"csrf_token": csrf, "decision_id": act["id"], "reason": "看错了，是另一家"}
    answer = web.client.post("/review/decisions/undo", data=undo, follow_redirects=False)
    assert answer.status_code == 303
    page = web.client.get(answer.headers["location"]).text
    assert 'id="undone-notice"' in page and "已于" in page and f'id="pair-{pair["id"]}"' in page
    assert 'id="record-count">3<' in web.client.get(f"/entities/{huaxin}").text
    assert web.client.get("/api/review").json()["decisions"][0]["undone_at"]


def test_a_steward_keeps_a_pair_apart_through_the_api(web: Web) -> None:
    huaxin = build(web.sessions, web.workspace)
    token = web.login("registrar")
    pair = doubtful_pair(web)
    body = {"decision": "apart", "reason": "检查的是另一家华信食品店"}
    answer = web.client.post(f"/api/review/{pair['id']}", json=body, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200, answer.text
    assert answer.json()["kind"] == "apart" and answer.json()["run"]["entities"] == 3
    assert [p["id"] for p in web.client.get("/api/review", params={"status": "apart"}).json()["pairs"]] == [pair["id"]]
    assert web.client.get(f"/api/entities/{huaxin}").json()["records"][0]["record_id"] == pair["left"]["record_id"]
    assert len(web.client.get(f"/api/entities/{huaxin}").json()["records"]) == 3


def test_a_steward_splits_records_off_an_entity_and_later_runs_keep_them_apart(web: Web) -> None:
    huaxin = build(web.sessions, web.workspace)
    web.login_form("registrar")
    records = web.client.get(f"/api/entities/{huaxin}").json()["records"]
    (licence,) = [r["record_id"] for r in records if r["record_type"] == "licence"]
    csrf = web.page_csrf(f"/entities/{huaxin}")
    assert web.client.post(f"/entities/{huaxin}/split", data={"csrf_token": csrf, "reason": "x"}).status_code == 422
    everything = {"csrf_token": csrf, "reason": "都不是", "record_id": [r["record_id"] for r in records]}
    assert web.client.post(f"/entities/{huaxin}/split", data=everything).status_code == 422
    form = {"csrf_token": csrf, "reason": "许可证持有人是另一家", "record_id": [licence]}
    answer = web.client.post(f"/entities/{huaxin}/split", data=form, follow_redirects=False)
    assert answer.status_code == 303
    (split_to,) = re.findall(rf"^/entities/{huaxin}\?split=(\d+)$", answer.headers["location"])
    page = web.client.get(answer.headers["location"]).text
    assert 'id="split-notice"' in page and f'<a href="/entities/{split_to}">' in page
    assert 'id="record-count">2<' in page and 'id="group-licence"' not in page
    moved = web.client.get(f"/api/entities/{split_to}").json()
    assert [r["record_id"] for r in moved["records"]] == [licence] and moved["name"] == HUAXIN
    with web.sessions() as session, session.begin():
        resolve(session, OPERATOR, web.workspace.config.resolve)
    assert len(web.client.get(f"/api/entities/{huaxin}").json()["records"]) == 2
    decisions = web.client.get("/api/review").json()["decisions"]  # the licence apart from each record that stayed
    assert len(decisions) == 2 and {(d["kind"], d["reason"]) for d in decisions} == {("apart", "许可证持有人是另一家")}
    acts = re.findall(r'<tr id="act-\d+"', web.client.get("/review").text)
    assert len(acts) == 1  # one act, undone at once


def test_a_reader_cannot_decide_and_forms_need_their_token(web: Web) -> None:
    build(web.sessions, web.workspace)
    web.login_form("leader")
    page = web.client.get("/review").text
    assert 'class="pair-decision"' not in page
    csrf = web.page_csrf("/review")
    answer = web.client.post("/review/1", data={"csrf_token": csrf, "decision": "merge", "reason": "同一家"})
    assert answer.status_code == 403
    web.client.post("/logout", data={"csrf_token": csrf})
    web.login_form("steward")
    answer = web.client.post("/review/1", data={"decision": "merge", "reason": "同一家"})
    assert answer.status_code == 403  # no CSRF token
    token = web.login("steward")
    refused = web.client.post("/api/review/1", json={"decision": "merge", "reason": "同一家"})
    assert refused.status_code == 403  # no X-CSRF-Token
    bad = web.client.post(
        "/api/review/1", json={"decision": "maybe", "reason": "同一家"}, headers={"X-CSRF-Token": token}
    )
    assert bad.status_code == 422


def test_register_decisions_are_scoped_to_the_records_owner_or_the_bureau(web: Web) -> None:
    huaxin = build(web.sessions, web.workspace)
    records = {r["record_type"]: r["record_id"] for r in _records_of(web, huaxin)}
    # 鱼峰区's steward owns none of these records: what it cannot read it cannot split, merge or undo.
    token = web.login("yufeng")
    headers = {"X-CSRF-Token": token}
    split = {"record_ids": [records["licence"]], "reason": "不是同一家"}
    assert web.client.post(f"/api/entities/{huaxin}/split", json=split, headers=headers).status_code == 404
    assert web.client.get("/api/review").json() == {"pairs": [], "total": 0, "decisions": []}
    # The registration section's steward sees no pair across departments, and cannot decide one.
    token = web.login("steward")
    headers = {"X-CSRF-Token": token}
    assert web.client.get("/api/review").json()["pairs"] == []
    pairs = _open_pairs(web)
    decide = {"decision": "merge", "reason": "同一家"}
    assert web.client.post(f"/api/review/{pairs[0]}", json=decide, headers=headers).status_code == 404
    # It may split its own registration record off, but only from the entity it belongs to.
    mine = {"record_ids": [records["entity"]], "reason": "登记记录属于另一家"}
    assert web.client.post("/api/entities/999999/split", json=mine, headers=headers).status_code == 404
    other = _other_entity(web, huaxin)
    assert web.client.post(f"/api/entities/{other}/split", json=mine, headers=headers).status_code == 404
    made = web.client.post(f"/api/entities/{huaxin}/split", json=mine, headers=headers)
    assert made.status_code == 200, made.text
    own = made.json()["decisions"]
    # The bureau's steward decides across departments; the registration steward cannot undo that decision,
    # the bureau's steward can undo the registration steward's (its records are in the bureau's scope).
    token = web.login("registrar")
    answer = web.client.post(f"/api/review/{pairs[0]}", json=decide, headers={"X-CSRF-Token": token})
    assert answer.status_code == 200, answer.text
    bureau_decision = answer.json()["decision"]
    token = web.login("steward")
    undo = {"decision_ids": [bureau_decision], "reason": "撤销"}
    refused = web.client.post("/api/review/decisions/undo", json=undo, headers={"X-CSRF-Token": token})
    assert refused.status_code == 404
    assert bureau_decision not in [d["id"] for d in web.client.get("/api/review").json()["decisions"]]
    mine_undone = web.client.post(
        "/api/review/decisions/undo", json={"decision_ids": own, "reason": "撤销"}, headers={"X-CSRF-Token": token}
    )
    assert mine_undone.status_code == 200 and mine_undone.json()["undone"] == len(own)
    with web.sessions() as session:
        undone = session.scalars(select(ResolveDecision).where(ResolveDecision.undone_at.is_not(None))).all()
    assert {d.id for d in undone} == set(own)


def _records_of(web: Web, entity_id: int) -> list[dict[str, Any]]:
    with web.sessions() as session:
        return list(register.entity_file(session, OPERATOR, entity_id)["records"])


def _open_pairs(web: Web) -> list[int]:
    with web.sessions() as session:
        return [p["id"] for p in review.list_pairs(session, OPERATOR)]


def _other_entity(web: Web, not_this: int) -> int:
    with web.sessions() as session:
        return int(session.scalar(select(Entity.id).where(Entity.id != not_this, Entity.status == "active")) or 0)


def test_a_pair_says_why_it_scored_in_the_readers_language(web: Web) -> None:
    build(web.sessions, web.workspace)
    web.login_form("registrar")
    pair = doubtful_pair(web)
    web.client.get("/lang/en")
    section = web.client.get("/review").text.split(f'id="pair-{pair["id"]}">')[1].split("</section>")[0]
    why = section.split('class="why"')[1].split("</div>")[0]
    lines = re.findall(r"<li>(.*?)</li>", why, re.S)
    assert len(lines) == len(pair["why"]) and lines
    for line in lines:  # "Name" and "same trade name and trade (+14.1)": no engine label in Chinese left
        assert not re.search(r"[\u4e00-\u9fff]", line), line
        assert re.search(r"\([+-]\d+\.\d\)$", text_of(line)), line


def test_the_review_queue_pages_its_pairs_and_counts_only_those_the_reader_may_see(web: Web) -> None:
    """61 pairs waiting among the registration office's records: the queue shows them 50 to a page with a link to
    the rest, the API pages them with their total, and the register's count is the reader's own (a county office
    sees none of them: it counted every department's)."""
    rows = [_row(code, f"企业{n}有限公司") for n, code in enumerate(_codes(62, seed=21))]
    _ingest(web.sessions, _write(web.workspace.root / "many.csv", rows))
    with web.sessions() as session, session.begin():
        ids = sorted(session.scalars(select(Record.id)))
        now = datetime(2026, 11, 28, tzinfo=UTC)
        session.add_all(
            ReviewPair(record_id_l=a, record_id_r=b, probability=0.5, why="{}", status="open", run_id=1, created_at=now)
            for a, b in zip(ids, ids[1:], strict=False)
        )
    web.login_form("registrar")
    first = web.client.get("/review").text
    assert len(re.findall(r'<section class="card pair"', first)) == 50 and 'id="next-page"' in first
    second = web.client.get("/review?page=2").text
    assert len(re.findall(r'<section class="card pair"', second)) == 11 and 'id="next-page"' not in second
    answer = web.client.get("/api/review", params={"limit": 20, "offset": 60}).json()
    assert answer["total"] == 61 and len(answer["pairs"]) == 1
    assert re.search(r'id="count-review"><a href="/review">61<', web.client.get("/register").text)
    web.client.post("/logout", data={"csrf_token": web.page_csrf("/")})
    web.login_form("yufeng")  # a county office: none of them are its records
    assert re.search(r'id="count-review"><a href="/review">0<', web.client.get("/register").text)
    assert web.client.get("/api/review").json()["total"] == 0
