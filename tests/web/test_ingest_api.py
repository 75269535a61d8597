"""The JSON API of batches, quarantine and records: scope, filters, fix and replay, one error shape.

`ingest_export` writes a source and a small export with one row for each kind of trouble and ingests it as the
operator would; the page and browser tests use it too.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, Outbox, Web
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.ingest.quarantine import list_items
from zhizhi.ingest.validate.identifiers import org_check_char, uscc_check_char
from zhizhi.sources.config import load_source
from zhizhi.store.tables import AuditEvent

TODAY = date(2026, 11, 20)
FILE_NAME = "登记导出-2026-11.csv"
SCRIPT = "<script>alert(1)</script>"
SQL = "'; DROP TABLE records; --"
FORMULA = "=cmd|' /C calc'!A0"
SOURCE_YAML = """\
name: dengji
title: 登记注册系统导出
department: LZ-DJ
record_type: entity
fields:
  uscc: 统一社会信用代码
  name: 企业名称
  founded_on: 成立日期
  status: 登记状态
"""


def uscc(body: str, division: str = "450202") -> str:
    """A credit code with both check characters right."""
    code = "91" + division + body + org_check_char(body)
    return code + uscc_check_char(code)


def wrong_check(code: str) -> str:
    """The same code with its last (check) character wrong."""
    return code[:-1] + ("1" if code[-1] != "1" else "2")


ACCEPTED = {
    uscc("MA5K3B7X"): "柳州市螺蛳粉有限公司",
    uscc("MA5K3B8Y"): SCRIPT,
    uscc("MA5K3B9W"): FORMULA,
}
BAD_CODE = wrong_check(uscc("MA5K3C1Q"))
ROWS = [
    ("统一社会信用代码", "企业名称", "成立日期", "登记状态"),
    *((code, name, "2020-01-02", "存续") for code, name in ACCEPTED.items()),
    (BAD_CODE, SQL + "有限公司", "2020-01-02", "存续"),  # uscc.check_char, row 5
    (uscc("MA5K3D2R"), SCRIPT, "2021-02-30", "存续"),  # date.invalid, row 6
    (uscc("MA5K3E3T"), "", "2020-01-02", "存续"),  # field.missing, row 7
    (uscc("MA5K3F4U"), FORMULA, "2020-01-02", "火星"),  # value.not_allowed, row 8
    ("", "", "", ""),  # blank, skipped
]
REASONS = ("uscc.check_char", "date.invalid", "field.missing", "value.not_allowed")


@dataclass(frozen=True)
class Ingested:
    """The batch the export became and the quarantine item of each reason code."""

    batch_id: int
    items: dict[str, int]


def write_export(folder: Path) -> Path:
    path = folder / FILE_NAME
    path.write_text("\n".join(",".join(row) for row in ROWS) + "\n", encoding="utf-8")
    return path


def ingest_export(sessions: sessionmaker[Session], root: Path, folder: Path) -> Ingested:
    """Write `sources/dengji.yaml` into the workspace at `root` and ingest the export (owned by 登记注册科)."""
    (root / "sources").mkdir(exist_ok=True)
    (root / "sources" / "dengji.yaml").write_text(SOURCE_YAML, encoding="utf-8")
    source = load_source(root, "dengji")
    with sessions() as session, session.begin():
        batch = ingest_file(session, OPERATOR, source, write_export(folder), today=TODAY, outbox=Outbox()).batch
        items = list_items(session, OPERATOR, batch_id=batch.id)
        return Ingested(batch.id, {item["reasons"][0]: item["id"] for item in items})


def audit_actions(sessions: sessionmaker[Session]) -> list[tuple[str, str]]:
    with sessions() as session:
        return [(e.action, e.actor) for e in session.scalars(select(AuditEvent).order_by(AuditEvent.seq))]


def _error(response: Any, status: int, code: str) -> dict[str, Any]:
    assert response.status_code == status, response.text
    body = response.json()
    assert set(body) == {"error"} and set(body["error"]) == {"code", "message", "status", "details"}
    assert body["error"]["code"] == code and body["error"]["status"] == status
    return dict(body["error"])


def test_batches_list_and_report(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login("steward")
    batches = web.client.get("/api/batches").json()
    assert [b["id"] for b in batches] == [done.batch_id]
    batch = batches[0]
    assert (batch["source"], batch["file"], batch["department"]) == ("dengji", FILE_NAME, "LZ-DJ")
    assert batch["rows"] == {"read": 8, "accepted": 3, "quarantined": 4, "skipped": 1}
    assert batch["quarantine_open"] == 4 and batch["records"]["new"] == 3
    assert web.client.get("/api/batches", params={"source": "other"}).json() == []
    detail = web.client.get(f"/api/batches/{done.batch_id}").json()
    report = detail["report"]
    assert report["rows"] == batch["rows"] and report["skipped_by_reason"] == {"blank": 1}
    fields = {f["field"]: f for f in report["fields"]}
    assert fields["name"]["completeness"] == round(6 / 7, 4) and fields["founded_on"]["validity"] == round(6 / 7, 4)
    reasons = {r["code"]: r for r in report["reasons"]}
    assert set(reasons) >= set(REASONS)
    example = reasons["date.invalid"]["example"]
    assert (example["row"], example["value"], example["sheet"]) == (6, "2021-02-30", None)
    assert reasons["uscc.check_char"]["title_zh"] == "统一社会信用代码校验码错误"


def test_batch_rows_by_status(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login("steward")
    rows = web.client.get(f"/api/batches/{done.batch_id}/rows").json()
    assert [r["row"] for r in rows] == [2, 3, 4, 5, 6, 7, 8, 9]
    quarantined = web.client.get(f"/api/batches/{done.batch_id}/rows", params={"status": "quarantined"}).json()
    assert [(r["row"], r["file"], r["source"]) for r in quarantined][0] == (5, FILE_NAME, "dengji")
    assert len(quarantined) == 4 and quarantined[1]["cells"]["企业名称"] == SCRIPT
    skipped = web.client.get(f"/api/batches/{done.batch_id}/rows", params={"status": "skipped"}).json()
    assert [(r["row"], r["reason"]) for r in skipped] == [(9, "blank")]
    _error(web.client.get(f"/api/batches/{done.batch_id}/rows", params={"status": "lost"}), 422, "invalid_input")


def test_quarantine_items_carry_where_the_row_is_and_filter(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    web.login("steward")
    items = web.client.get("/api/quarantine").json()
    assert [(i["source"], i["file"], i["sheet"], i["row"]) for i in items] == [
        ("dengji", FILE_NAME, None, row) for row in (5, 6, 7, 8)
    ]
    assert [i["reasons"] for i in items] == [[r] for r in REASONS]
    only = web.client.get("/api/quarantine", params={"reason": "date.invalid"}).json()
    assert [i["id"] for i in only] == [done.items["date.invalid"]]
    assert only[0]["findings"][0]["value"] == "2021-02-30" and only[0]["cells"]["企业名称"] == SCRIPT
    assert len(web.client.get("/api/quarantine", params={"batch": done.batch_id, "source": "dengji"}).json()) == 4
    assert web.client.get("/api/quarantine", params={"batch": done.batch_id + 1}).json() == []
    assert web.client.get("/api/quarantine", params={"source": "other"}).json() == []
    assert web.client.get("/api/quarantine", params={"status": "replayed"}).json() == []
    assert len(web.client.get("/api/quarantine", params={"status": "all", "limit": 2}).json()) == 2
    _error(web.client.get("/api/quarantine", params={"status": "lost"}), 422, "invalid_input")
    reasons = web.client.get("/api/quarantine/reasons").json()
    assert {r["code"]: r["items"] for r in reasons} == dict.fromkeys(REASONS, 1)
    assert {r["severity"] for r in reasons} == {"hard"}
    one = web.client.get(f"/api/quarantine/{done.items['field.missing']}").json()
    assert (one["row"], one["status"], one["record_id"], one["fixes"]) == (7, "open", None, {})
    _error(web.client.get("/api/quarantine/99999"), 404, "not_found")


def test_fix_then_replay_makes_a_record_and_is_audited(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    item = done.items["date.invalid"]
    csrf = web.login("steward")
    headers = {"X-CSRF-Token": csrf}
    fixed = web.client.post(
        f"/api/quarantine/{item}/fix", json={"field": "founded_on", "value": "2021-02-28"}, headers=headers
    )
    assert fixed.status_code == 200, fixed.text
    assert fixed.json()["fixes"] == {"成立日期": "2021-02-28"} and fixed.json()["cells"]["成立日期"] == "2021-02-30"
    replayed = web.client.post("/api/quarantine/replay", json={"ids": [item]}, headers=headers).json()
    assert (replayed["items"], replayed["replayed"], replayed["still_quarantined"]) == (1, 1, 0)
    assert replayed["outcome"] == {str(item): "replayed"}
    after = web.client.get(f"/api/quarantine/{item}").json()
    assert after["status"] == "replayed" and after["record_id"] is not None
    record = web.client.get(f"/api/records/{after['record_id']}").json()
    assert record["key"] == f"uscc={uscc('MA5K3D2R')}" and record["source"] == "dengji"
    version = record["versions"][0]
    assert version["data"]["founded_on"] == "2021-02-28" and version["data"]["name"] == "<script>alert（1）</script>"
    assert (version["file"], version["sheet"], version["row"], version["batch_id"]) == (
        FILE_NAME,
        None,
        6,
        done.batch_id,
    )
    assert version["changed"] == []
    assert web.client.get("/api/quarantine", params={"status": "replayed"}).json()[0]["id"] == item
    actions = audit_actions(web.sessions)
    assert ("quarantine.fix", "steward") in actions and ("quarantine.replay", "steward") in actions


def test_replay_by_filter_and_what_still_fails(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    headers = {"X-CSRF-Token": web.login("steward")}
    nothing = web.client.post("/api/quarantine/replay", json={}, headers=headers)
    assert "ids" in _error(nothing, 422, "invalid_input")["message"]
    still = web.client.post("/api/quarantine/replay", json={"reason": "value.not_allowed"}, headers=headers).json()
    assert (still["items"], still["replayed"], still["still_quarantined"]) == (1, 0, 1)
    web.client.post(
        f"/api/quarantine/{done.items['value.not_allowed']}/fix",
        json={"field": "登记状态", "value": "在业"},
        headers=headers,
    )
    web.client.post(
        f"/api/quarantine/{done.items['field.missing']}/fix",
        json={"field": "name", "value": "柳州市补名有限公司"},
        headers=headers,
    )
    result = web.client.post(
        "/api/quarantine/replay", json={"source": "dengji", "batch": done.batch_id}, headers=headers
    ).json()
    assert (result["items"], result["replayed"], result["still_quarantined"]) == (4, 2, 2)
    keys = {r["key"] for r in web.client.get("/api/records", params={"source": "dengji"}).json()}
    assert f"uscc={uscc('MA5K3F4U')}" in keys and len(keys) == 5
    assert web.client.get("/api/records", params={"key": "MA5K3E3T", "type": "entity"}).json()[0]["data"]["name"] == (
        "柳州市补名有限公司"
    )
    assert web.client.get("/api/records", params={"type": "licence"}).json() == []
    refused = web.client.post(
        f"/api/quarantine/{done.items['field.missing']}/fix", json={"field": "name", "value": "x"}, headers=headers
    )
    assert "replayed" in _error(refused, 422, "invalid_input")["message"]
    unknown = web.client.post(
        f"/api/quarantine/{done.items['date.invalid']}/fix", json={"field": "nope", "value": "x"}, headers=headers
    )
    _error(unknown, 422, "invalid_input")


def test_another_department_sees_nothing(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    headers = {"X-CSRF-Token": web.login("yufeng")}  # 鱼峰区's steward: may write data, not 登记注册科's
    assert web.client.get("/api/batches").json() == []
    assert web.client.get("/api/quarantine", params={"status": "all"}).json() == []
    assert web.client.get("/api/quarantine/reasons").json() == []
    assert web.client.get("/api/records").json() == []
    item = done.items["date.invalid"]
    for path in (f"/api/batches/{done.batch_id}", f"/api/batches/{done.batch_id}/rows", f"/api/quarantine/{item}"):
        _error(web.client.get(path), 404, "not_found")
    _error(
        web.client.post(f"/api/quarantine/{item}/fix", json={"field": "name", "value": "x"}, headers=headers),
        404,
        "not_found",
    )
    _error(web.client.post("/api/quarantine/replay", json={"ids": [item]}, headers=headers), 422, "invalid_input")


def test_a_leader_reads_but_cannot_fix_or_replay(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    headers = {"X-CSRF-Token": web.login("leader")}
    assert len(web.client.get("/api/quarantine").json()) == 4  # the bureau's leader reads the whole tree
    item = done.items["date.invalid"]
    fix = web.client.post(f"/api/quarantine/{item}/fix", json={"field": "name", "value": "x"}, headers=headers)
    _error(fix, 403, "forbidden")
    _error(web.client.post("/api/quarantine/replay", json={"ids": [item]}, headers=headers), 403, "forbidden")
    assert web.client.get(f"/api/quarantine/{item}").json()["fixes"] == {}


def test_writes_need_the_csrf_header_and_reads_need_a_sign_in(web: Web, tmp_path: Path) -> None:
    done = ingest_export(web.sessions, web.workspace.root, tmp_path)
    _error(web.client.get("/api/quarantine"), 401, "unauthenticated")
    web.login("steward")
    item = done.items["date.invalid"]
    _error(web.client.post(f"/api/quarantine/{item}/fix", json={"field": "name", "value": "x"}), 403, "csrf_failed")
    _error(web.client.post("/api/quarantine/replay", json={"ids": [item]}), 403, "csrf_failed")
    web.login("admin")  # administrators manage people, not data
    _error(web.client.get("/api/batches"), 403, "forbidden")


def test_record_history_marks_what_changed(web: Web, tmp_path: Path) -> None:
    ingest_export(web.sessions, web.workspace.root, tmp_path)
    later = tmp_path / "later"
    later.mkdir()
    path = write_export(later)
    path.write_text(
        path.read_text(encoding="utf-8").replace("柳州市螺蛳粉有限公司", "柳州市螺蛳粉食品有限公司"), "utf-8"
    )
    source = load_source(web.workspace.root, "dengji")
    with web.sessions() as session, session.begin():
        ingest_file(session, OPERATOR, source, path, today=TODAY, outbox=Outbox())
    web.login("steward")
    record = web.client.get("/api/records", params={"key": "MA5K3B7X"}).json()[0]
    assert record["version"] == 2 and record["data"]["name"] == "柳州市螺蛳粉食品有限公司"
    history = web.client.get(f"/api/records/{record['id']}").json()
    assert [v["version"] for v in history["versions"]] == [1, 2]
    assert [v["changed"] for v in history["versions"]] == [[], ["name"]]
    assert history["versions"][0]["batch_id"] != history["versions"][1]["batch_id"]
    _error(web.client.get("/api/records/99999"), 404, "not_found")


def test_the_routes_are_in_the_openapi_description(web: Web) -> None:
    paths = set(web.client.get("/api/openapi.json").json()["paths"])
    assert {
        "/api/batches",
        "/api/batches/{batch_id}",
        "/api/batches/{batch_id}/rows",
        "/api/quarantine",
        "/api/quarantine/reasons",
        "/api/quarantine/{item_id}",
        "/api/quarantine/{item_id}/fix",
        "/api/quarantine/replay",
        "/api/records",
        "/api/records/{record_id}",
    } <= paths
