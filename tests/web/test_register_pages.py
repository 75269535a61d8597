"""The register in the UI (SQLite and PostgreSQL): search by code, name, pinyin initials, address and phone; an
entity's file with golden fields and their provenance, every department's records, one timeline and a QR code of
the page; the review queue side by side; merge, keep apart, split and undo, each shown at once; the JSON twins."""

from __future__ import annotations

import json
import re
from datetime import date
from pathlib import Path

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, Web
from tests.ingest.test_pipeline import _codes, _write
from zhizhi.config import Workspace
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.resolve import register
from zhizhi.resolve.golden import golden_records
from zhizhi.resolve.subjects import load_subjects, provenance
from zhizhi.sources import parse_source
from zhizhi.store.tables import Entity, EntityLink, Record, ResolveRun, ReviewPair
from zhizhi.store.types import utcnow

TODAY = date(2026, 11, 28)
CODES = _codes(2, seed=11)
HUAXIN = "柳州市华信食品有限公司"
PERSON_ID = "11010519491231002X"
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


def ingest_city(sessions: sessionmaker[Session], folder: Path) -> None:
    """Ingest the three departments' files: a registration export, a licence ledger, an office's inspections."""
    for name, (text, header, rows) in SOURCES.items():
        path = _write(folder / f"{name}.csv", rows, header=header)
        with sessions() as session, session.begin():
            ingest_file(session, OPERATOR, parse_source(text, f"sources/{name}.yaml"), path, today=TODAY)


def file_by_hand(session: Session) -> None:
    """TEMPORARY, until the resolution engine lands: file records by credit code (else alone) as a run would, with
    the golden fields computed by the register's own survivorship, and the code-less inspection queued for review."""
    run = ResolveRun(started_at=utcnow(), started_by="test", records_read=0, records_new=0)
    run.edges_new = run.entities_new = run.entities_merged = run.review_new = 0
    session.add(run)
    session.flush()
    subjects = load_subjects(session)
    keys = [row["uscc"] or f"record-{row['record_id']}" for row in subjects.iter_rows(named=True)]
    ids = {key: n for n, key in enumerate(dict.fromkeys(keys), start=1)}
    members = subjects.with_columns(pl.Series("entity_id", [ids[k] for k in keys], pl.Int64))
    now = utcnow()
    for n in ids.values():
        session.add(Entity(id=n, status="active", golden="{}", records=0, created_at=now, updated_at=now))
    session.flush()
    for key, row in zip(keys, members.iter_rows(named=True), strict=True):
        alone = keys.count(key) < 2
        session.add(
            EntityLink(
                record_id=row["record_id"],
                entity_id=row["entity_id"],
                record_version_id=row["record_version_id"],
                how="alone" if alone else "uscc",
                run_id=run.id,
                linked_at=now,
            )
        )
    where = provenance(session, members["record_version_id"].to_list())
    from zhizhi.config.models import SurvivorshipConfig

    golden = golden_records(members.join(where, on="record_version_id", how="left"), SurvivorshipConfig())
    for row in golden.iter_rows(named=True):
        entity = session.get(Entity, row["entity_id"])
        assert entity is not None
        entity.golden, entity.records, entity.search = row["golden"], row["records"], row["search"]
        entity.name, entity.uscc, entity.phone, entity.address = row["name"], row["uscc"], row["phone"], row["address"]
    first = session.scalar(select(Record.id).where(Record.record_type == "entity").order_by(Record.id))
    lone = session.scalar(select(Record.id).where(Record.key.contains("JC2025-002")))
    assert first is not None and lone is not None
    why = {"name": "字号与行业相同（+12.0）", "address": "地址相同（+8.5）"}
    session.add(
        ReviewPair(
            record_id_l=first,
            record_id_r=lone,
            probability=0.91,
            why=json.dumps(why, ensure_ascii=False),
            status="open",
            run_id=run.id,
            created_at=now,
        )
    )


def build(sessions: sessionmaker[Session], root: Path) -> int:
    """The three files ingested and resolved; returns the id of 华信食品's entity."""
    ingest_city(sessions, root)
    with sessions() as session, session.begin():
        file_by_hand(session)
    with sessions() as session:
        (found,) = register.search(session, OPERATOR, CODES[0])
        return int(found["id"])


def test_the_register_finds_an_entity_by_code_name_pinyin_initials_address_and_phone(web: Web) -> None:
    huaxin = build(web.sessions, web.workspace.root)
    web.login_form("steward")
    page = web.client.get("/register").text
    assert 'id="count-entities">3<' in page and 'id="count-linked">5<' in page
    assert re.search(r'id="count-review"><a href="/review">1<', page)
    assert "nav.register" not in page and '<a href="/register" class="active">主体库</a>' in page
    for query in ("hxsp", "HXSP", "lzshx", CODES[0], CODES[0].lower(), "华信", "文昌路12号", "0772-2812345"):
        found = web.client.get("/register", params={"q": query}).text
        assert f'<tr id="entity-{huaxin}">' in found, query
        assert HUAXIN in found
    dragon = web.client.get("/register", params={"q": "箭盘路"}).text
    assert "柳州市龙城餐饮有限公司" in dragon and f'id="entity-{huaxin}"' not in dragon
    assert 'id="results-empty"' in web.client.get("/register", params={"q": "不存在的公司"}).text
    twin = {e["id"]: e for e in web.client.get("/api/entities", params={"q": "hxsp"}).json()}
    assert twin[huaxin]["uscc"] == CODES[0] and twin[huaxin]["name"] == HUAXIN
    assert web.client.get("/api/register").json()["entities"] == 3


def test_an_entity_page_shows_golden_fields_with_provenance_every_record_a_timeline_and_a_qr_code(web: Web) -> None:
    huaxin = build(web.sessions, web.workspace.root)
    web.login_form("steward")
    page = web.client.get(f"/entities/{huaxin}").text
    assert f'<span id="entity-name">{HUAXIN}</span>' in page
    assert f'id="fact-uscc">{CODES[0]}<' in page and 'id="record-count">3<' in page
    name_row = page.split('id="golden-name"')[1].split("</tr>")[0]
    assert "dengji · dengji.csv · 第 2 行" in " ".join(name_row.split())
    assert re.search(r'href="/records/\d+"', name_row) and re.search(r'href="/batches/\d+"', name_row)
    groups = re.findall(r'<section class="record-group" id="group-(\w+)">', page)
    assert groups == ["entity", "licence", "inspection"]
    assert page.count("统一社会信用代码相同") == 3
    assert PERSON_ID not in page and "110105********002X" in page  # a steward may not read ID numbers
    events = re.findall(r'<td class="date">([0-9-]+)</td>\s*<td class="what"><a [^>]+>([^<]+)</a>', page)
    assert events == [
        ("2019-03-08", "市场主体：成立日期"),
        ("2024-01-01", "许可证：有效期起"),
        ("2025-06-01", "检查记录：检查日期"),
        ("2029-01-01", "许可证：有效期至"),
    ]
    url = f"http://testserver/entities/{huaxin}"
    assert '<svg viewBox="0 0 ' in page and f"<title>{url}</title>" in page and f'id="entity-url">{url}<' in page
    qr = web.client.get(f"/entities/{huaxin}/qr.svg")
    assert qr.status_code == 200 and qr.headers["content-type"].startswith("image/svg+xml")
    assert qr.text.startswith("<?xml") and f"<title>{url}</title>" in qr.text
    assert 'id="split-form"' in page  # a steward may split

    twin = web.client.get(f"/api/entities/{huaxin}").json()
    assert twin["name"] == HUAXIN and len(twin["records"]) == 3 and len(twin["timeline"]) == 4
    assert twin["golden"]["name"]["file"] == "dengji.csv" and twin["golden"]["name"]["row"] == 2
    assert {r["data"].get("legal_representative_id") for r in twin["records"]} >= {"110105********002X"}

    web.client.post("/logout", data={"csrf_token": web.page_csrf("/")})
    web.login_form("leader")  # reads, decides nothing
    assert 'id="split-form"' not in web.client.get(f"/entities/{huaxin}").text
    assert web.client.get("/entities/999999").status_code == 404


def test_the_pages_speak_english_too(web: Web) -> None:
    huaxin = build(web.sessions, web.workspace.root)
    web.login_form("steward")
    web.client.get("/lang/en")
    page = web.client.get(f"/entities/{huaxin}").text
    assert "Golden fields" in page and "same credit code" in page and "Market entity: " in page
    assert "Pairs to review" in web.client.get("/review").text


def test_a_merged_id_leads_to_the_entity_kept(web: Web, workspace: Workspace) -> None:
    huaxin = build(web.sessions, web.workspace.root)
    with web.sessions() as session, session.begin():
        lone = session.scalars(select(Entity).where(Entity.records == 1, Entity.name == "华信食品")).one()
        lone.status, lone.merged_into = "merged", huaxin
        old = lone.id
    web.login_form("steward")
    answer = web.client.get(f"/entities/{old}", follow_redirects=False)
    assert answer.status_code == 303 and answer.headers["location"] == f"/entities/{huaxin}?merged_from={old}"
    page = web.client.get(answer.headers["location"]).text
    assert f"主体 {old} 已并入主体 {huaxin}" in page
    assert web.client.get(f"/api/entities/{old}").json()["id"] == huaxin
    assert f"<title>http://testserver/entities/{huaxin}</title>" in web.client.get(f"/entities/{old}/qr.svg").text


def test_the_review_queue_shows_both_records_side_by_side_and_why(web: Web) -> None:
    build(web.sessions, web.workspace.root)
    web.login_form("steward")
    page = web.client.get("/review").text
    (pair_id,) = re.findall(r'<section class="card pair" id="pair-(\d+)">', page)
    assert "匹配概率 91.0%" in page
    name = page.split('data-field="name"')[1].split("</tr>")[0]
    assert 'class="differs"' in page.split('data-field="name"')[0].rsplit("<tr", 1)[1]
    assert f"<mark>{HUAXIN}</mark>" in name and "<mark>华信食品</mark>" in name
    address = page.split('data-field="address"')[0].rsplit("<tr", 1)[1]
    assert 'class="same"' in address
    assert '<span class="pill">名称</span>字号与行业相同（+12.0）' in page
    assert f'action="/review/{pair_id}"' in page and 'value="merge"' in page and 'value="apart"' in page
    twin = web.client.get("/api/review").json()
    assert [p["id"] for p in twin["pairs"]] == [int(pair_id)] and twin["pairs"][0]["why"]["address"]
    assert twin["decisions"] == []


def test_a_reader_cannot_decide_and_forms_need_their_token(web: Web) -> None:
    build(web.sessions, web.workspace.root)
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
