"""Who may do what, and on whose data: every route of the app × every role × the scope of the object.

The matrix is data: `MATRIX` has one row per route (method and path as the router names them) with the answer
each role gets, either a status code, or `Scoped(code)`: `code` when the object is in the caller's subtree (its own
department, or any department for a bureau-level caller), 404 when it is another department's; or `Own(code)`: `code`
for the caller's own department's object only, 403 for one below it, 404 outside. A route of the app
missing from the matrix fails the test, and so does a row for a route that no longer exists.

Each role is played by two callers: one at the bureau (柳州市局, every department in scope) and one in a department
(see CALLERS; the extra users are created here). Each object route is called on two objects of each kind: one
owned by 登记注册科 (LZ-DJ) and one by 中南所 (LZ-CZ-ZN).

Method, to stay fast (one app and one data set per backend for the module): reads are real reads. Writes are sent
with a body that passes the guard and, where the handler checks scope first, the scope check too, but that the
handler then refuses (a missing reason, an unknown field, an empty selection), so no write changes what another
row reads; the few that do act (disable, enable and unlock a user, resend a delivery) act on objects no other
row depends on. API calls use each caller's bearer token (no CSRF); page forms use a signed-in cookie session and
its CSRF token. Signing out is the last row.
"""

from __future__ import annotations

import shutil
from collections.abc import Iterator
from dataclasses import dataclass, field
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import DEMO_PASSWORD, OPERATOR, PostgresServer, Web, outbox
from tests.hotline.desk import HEADER_12315, SOURCE_12315, write_export
from tests.ingest.test_pipeline import _write
from tests.tasks.helpers import matrix_tasks
from tests.web.test_guards import _routes
from tests.web.test_register_pages import SOURCES, TARGETS, TODAY
from zhizhi.access import create_token, create_user
from zhizhi.config import init_workspace, load_workspace
from zhizhi.delivery import load_target
from zhizhi.delivery.send import send_once
from zhizhi.hotline import take_in
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.resolve.run import resolve
from zhizhi.sources import parse_source
from zhizhi.store.tables import (
    ApiToken,
    Batch,
    Case,
    CaseTicket,
    Delivery,
    Department,
    EntityLink,
    QuarantineItem,
    RecordVersion,
    ReviewPair,
)


@dataclass(frozen=True)
class Scoped:
    """`ok` for an object in the caller's subtree, 404 for another department's."""

    ok: int


@dataclass(frozen=True)
class Own:
    """`ok` for an object of the caller's own department, `below` for one of a department under it, 404 for
    another department's (a handler acts for their own department's task parts only)."""

    ok: int
    below: int = 403


OK, SEEN = 200, Scoped(200)
ROLES = ("admin", "steward", "handler", "leader", "auditor")


@dataclass(frozen=True)
class Row:
    """A route, how to call it (`url` with {batch}-style placeholders for the objects), and each role's answer."""

    method: str
    path: str
    answers: dict[str, int | Scoped | Own]
    url: str = ""
    json: Any = None
    form: dict[str, str] = field(default_factory=dict)


def row(method: str, path: str, *answers: int | Scoped | Own, url: str = "", json: Any = None, **form: str) -> Row:
    """A matrix row: answers in the order of ROLES (admin, steward, handler, leader, auditor)."""
    assert len(answers) == len(ROLES), path
    return Row(method, path, dict(zip(ROLES, answers, strict=True)), url or path, json, form)


# Answers by permission, in the order admin, steward, handler, leader, auditor.
ALL = (OK,) * 5
READ = (403, OK, OK, OK, 403)  # data.read
SEEN_READ = (403, SEEN, SEEN, SEEN, 403)


def write(ok: int | Scoped) -> tuple[int | Scoped, ...]:
    """data.write: stewards only."""
    return (403, ok, 403, 403, 403)


def cases_write(ok: int | Scoped) -> tuple[int | Scoped, ...]:
    """cases.write: handlers only."""
    return (403, 403, ok, 403, 403)


def admin_only(ok: int | Scoped) -> tuple[int | Scoped, ...]:
    return (ok, 403, 403, 403, 403)


NONE = (403, 404, 404, 404, 403)  # data.read, on an object that does not exist


def STEP(ok: int) -> tuple[int | Scoped | Own, ...]:  # noqa: N802
    """A task part's owner side: not a steward's (403); a leader's in scope, a handler's of its own department,
    refused for its body."""
    return (403, Scoped(403), Own(ok), Scoped(ok), 403)


ANSWER = (403, Scoped(409), Scoped(409), Scoped(409), 403)  # no offer waits on the part
LEADERS = (403, 403, 403, OK, 403)  # data.read, and leaders only


MATRIX: list[Row] = [
    # Public routes.
    row("GET", "/login", *ALL),
    row("POST", "/login", *(403,) * 5),  # no pre-login CSRF cookie
    row("GET", "/lang/{locale}", *(303,) * 5, url="/lang/zh-CN"),
    row("POST", "/api/session", *(422,) * 5, json={}),
    row("GET", "/api/health", *ALL),
    row("GET", "/api/docs", *ALL),
    # The workspace, the caller, tokens.
    row("GET", "/", *ALL),
    row("GET", "/reports", *READ),
    row("GET", "/api/status", *ALL),
    row("GET", "/api/me", *ALL),
    row("DELETE", "/api/session", *ALL),  # a bearer token has no session to end
    row("GET", "/api/tokens", *ALL),
    row("POST", "/api/tokens", *(422,) * 5, json={"name": " "}),
    row("DELETE", "/api/tokens/{token_id}", *(404,) * 5, url="/api/tokens/{foreign_token}"),
    row("GET", "/account/tokens", *ALL),
    row("GET", "/account/password", *ALL),
    row("POST", "/account/password", *(422,) * 5),
    row("POST", "/api/me/password", *(422,) * 5, json={}),
    row("POST", "/account/tokens", *(422,) * 5, name=" "),
    row("POST", "/account/tokens/{token_id}/revoke", *(404,) * 5, url="/account/tokens/{foreign_token}/revoke"),
    # Departments and users.
    row("GET", "/api/departments", *ALL),
    row("GET", "/api/departments/{department_id}", *(SEEN,) * 5, url="/api/departments/{department}"),
    row("POST", "/api/departments", *admin_only(422), json={}),
    row("GET", "/admin/departments", *ALL),
    row("POST", "/admin/departments", *admin_only(422)),
    row("GET", "/api/users", OK, 403, 403, OK, 403),
    row("GET", "/api/users/{username}", SEEN, 403, 403, SEEN, 403, url="/api/users/{user}"),
    row("GET", "/api/users/{username}/personal", *admin_only(SEEN), url="/api/users/{user}/personal?purpose=核对"),
    row("POST", "/api/users", *admin_only(422), json={}),
    row("POST", "/api/users/{username}/disable", *admin_only(SEEN), url="/api/users/{user}/disable"),
    row("POST", "/api/users/{username}/enable", *admin_only(SEEN), url="/api/users/{user}/enable"),
    row("POST", "/api/users/{username}/password", *admin_only(422), url="/api/users/{user}/password", json={}),
    row("POST", "/api/users/{username}/unlock", *admin_only(SEEN), url="/api/users/{user}/unlock"),
    row("GET", "/admin/users", OK, 403, 403, OK, 403),
    row("POST", "/admin/users", *admin_only(422)),
    row("POST", "/admin/users/{username}/{change}", *admin_only(Scoped(303)), url="/admin/users/{user}/unlock"),
    # The audit trail.
    row("GET", "/api/audit/events", 403, 403, 403, 403, OK),
    row("GET", "/api/audit/verify", 403, 403, 403, 403, OK),
    row("GET", "/audit", 403, 403, 403, 403, OK),
    # Sources, batches, records, quarantine.
    row("GET", "/sources", *READ),
    row("GET", "/sources/{name}", *READ, url="/sources/dengji"),
    row("GET", "/api/batches", *READ),
    row("GET", "/api/batches/{batch_id}", *SEEN_READ, url="/api/batches/{batch}"),
    row("GET", "/api/batches/{batch_id}/rows", *SEEN_READ, url="/api/batches/{batch}/rows"),
    row("GET", "/batches", *READ),
    row("GET", "/batches/{batch_id}", *SEEN_READ, url="/batches/{batch}"),
    row("GET", "/api/records", *READ),
    row("GET", "/api/records/{record_id}", *SEEN_READ, url="/api/records/{record}"),
    row("GET", "/records", *READ),
    row("GET", "/records/{record_id}", *SEEN_READ, url="/records/{record}"),
    # personal.read and data.read: stewards and handlers, on records of their subtree; each read audited.
    row("POST", "/records/{record_id}/unmask", 403, SEEN, SEEN, 403, 403, url="/records/{record}/unmask",
        purpose="核对当事人信息"),
    row("GET", "/api/quarantine", *READ),
    row("GET", "/api/quarantine/reasons", *READ),
    row("GET", "/api/quarantine/{item_id}", *SEEN_READ, url="/api/quarantine/{item}"),
    row("POST", "/api/quarantine/{item_id}/fix", *write(Scoped(422)), url="/api/quarantine/{item}/fix",
        json={"field": "no_such_field", "value": "x"}),
    row("POST", "/api/quarantine/replay", *write(422), json={}),
    row("GET", "/quarantine", *READ),
    row("GET", "/quarantine/export.xlsx", *READ),
    row("GET", "/quarantine/{item_id}", *SEEN_READ, url="/quarantine/{item}"),
    row("POST", "/quarantine/{item_id}/fix", *write(Scoped(422)), url="/quarantine/{item}/fix",
        field="no_such_field", value="x"),
    row("POST", "/quarantine/replay", *write(422)),
    # Deliveries and reconciliation.
    row("GET", "/deliveries", *READ),
    row("GET", "/api/deliveries/{delivery_id}", *SEEN_READ, url="/api/deliveries/{delivery}"),
    row("GET", "/deliveries/{delivery_id}", *SEEN_READ, url="/deliveries/{delivery}"),
    row("GET", "/deliveries/{delivery_id}/proof.json", 403, SEEN, SEEN, SEEN, 403,
        url="/deliveries/{delivery}/proof.json"),
    row("POST", "/deliveries/{delivery_id}/retry", *write(Scoped(422)), url="/deliveries/{delivery}/retry"),
    row("POST", "/deliveries/{delivery_id}/resend", *write(Scoped(303)), url="/deliveries/{delivery}/resend"),
    row("POST", "/api/receipts", *(401,) * 5, json={"results": []}),
    row("GET", "/api/reconcile", *READ),
    row("GET", "/api/reconcile/deliveries", *READ),
    row("GET", "/reconcile", *READ),
    row("GET", "/reconcile/deliveries", *READ),
    row("GET", "/reconcile/export.xlsx", *READ),
    # The register and its review.
    row("GET", "/api/register", *READ),
    row("GET", "/register", *READ),
    row("POST", "/register", *READ, q="hxsp"),  # the search's form; one by a phone is audited (and counted)
    row("GET", "/api/entities", *READ),
    # The register is the bureau's: every reader opens any entity's file (records outside the scope are marked).
    row("GET", "/api/entities/{entity_id}", *READ, url="/api/entities/{entity}"),
    row("GET", "/entities/{entity_id}", *READ, url="/entities/{entity}"),
    row("GET", "/entities/{entity_id}/qr.svg", *READ, url="/entities/{entity}/qr.svg"),
    # A record of the entity, in scope: refused for its one-character reason (422); out of scope: 404.
    row("POST", "/api/entities/{entity_id}/split", *write(Scoped(422)), url="/api/entities/{entity}/split",
        json={"record_ids": ["{entity_record}"], "reason": "x"}),
    row("POST", "/entities/{entity_id}/split", *write(422), url="/entities/{entity}/split"),
    row("GET", "/api/review", *READ),
    row("GET", "/review", *READ),
    row("POST", "/api/review/{pair_id}", *write(422), url="/api/review/{pair}", json={}),
    row("POST", "/review/{pair_id}", *write(422), url="/review/{pair}"),
    row("POST", "/api/review/decisions/undo", *write(422), json={}),
    row("POST", "/review/decisions/undo", *write(422)),
    # Code lists.
    row("GET", "/api/codes/lists", *READ),
    row("GET", "/api/codes/lists/{name}", *READ, url="/api/codes/lists/gbt4754-2017"),
    row("GET", "/api/codes/crosswalks/{name}", *READ, url="/api/codes/crosswalks/gbt4754-2011-to-2017"),
    row("GET", "/api/codes/translate", *READ, url="/api/codes/translate?from=gbt4754-2011&to=gbt4754-2017&code=5211"),
    row("GET", "/api/codes/review", *READ),
    row("POST", "/api/codes/review/{item_id}/decide", *write(422), url="/api/codes/review/1/decide", json={}),
    row("GET", "/api/codes/review/{item_id}", 403, 404, 404, 404, 403, url="/api/codes/review/1"),
    row("POST", "/api/codes/review/{item_id}/release", *write(404), url="/api/codes/review/1/release"),
    row("GET", "/api/codes/coverage", *READ),
    row("GET", "/api/codes/coverage/{run_id}", 403, 404, 404, 404, 403, url="/api/codes/coverage/1"),
    row("GET", "/codes", *READ),
    row("GET", "/codes/lists/{name}", *READ, url="/codes/lists/gbt4754-2017"),
    row("GET", "/codes/crosswalks/{name}", *READ, url="/codes/crosswalks/gbt4754-2011-to-2017"),
    row("GET", "/codes/translate", *READ),
    row("GET", "/codes/review", *READ),
    row("POST", "/codes/review/{item_id}/decide", *write(422), url="/codes/review/1/decide"),
    row("GET", "/codes/review/{item_id}", 403, 404, 404, 404, 403, url="/codes/review/1"),
    row("POST", "/codes/review/{item_id}/release", *write(404), url="/codes/review/1/release"),
    row("GET", "/codes/coverage", *READ),
    row("GET", "/codes/coverage/{run_id}", 403, 404, 404, 404, 403, url="/codes/coverage/1"),
    # The hotline desk: cases of the caller's subtree (desk or office); a handler's steps need cases.write. Each
    # write names a case in scope and is refused for its body (no office, an unknown decision, an empty reason ...).
    row("GET", "/hotline", *READ),
    row("GET", "/hotline/cases/{number}", *SEEN_READ, url="/hotline/cases/{case}"),
    # A one-character purpose: told before who may see the callers (tests/web/test_hotline_pages.py has the rule).
    row("POST", "/hotline/cases/{number}/identity", 403, Scoped(422), Scoped(422), Scoped(422), 403,
        url="/hotline/cases/{case}/identity", purpose="x"),
    row("POST", "/hotline/cases/{number}/decide", *cases_write(Scoped(422)), url="/hotline/cases/{case}/decide",
        decision="no_such_decision"),
    row("POST", "/hotline/cases/{number}/assign", *cases_write(Scoped(422)), url="/hotline/cases/{case}/assign",
        reason="x"),
    row("POST", "/hotline/cases/{number}/pause", *cases_write(Scoped(422)), url="/hotline/cases/{case}/pause"),
    row("POST", "/hotline/cases/{number}/resume", *cases_write(Scoped(422)), url="/hotline/cases/{case}/resume"),
    row("POST", "/hotline/cases/{number}/extend", *cases_write(Scoped(422)), url="/hotline/cases/{case}/extend"),
    row("POST", "/hotline/cases/{number}/steps", *cases_write(Scoped(422)), url="/hotline/cases/{case}/steps"),
    row("POST", "/hotline/cases/{number}/tickets/{record_id}/split", *cases_write(Scoped(422)),
        url="/hotline/cases/{case}/tickets/{ticket}/split", reason="x"),
    row("GET", "/hotline/suggestions", *READ),
    row("POST", "/hotline/suggestions/{suggestion_id}/confirm", *cases_write(404),
        url="/hotline/suggestions/9999/confirm"),
    row("POST", "/hotline/suggestions/{suggestion_id}/apart", *cases_write(404), url="/hotline/suggestions/9999/apart"),
    row("POST", "/hotline/take-in", *cases_write(303)),  # nothing left to take in: the list again
    row("GET", "/hotline/statistics", *READ),
    row("GET", "/hotline/labelled.csv", 403, 303, 303, 303, 403),  # to the statistics, whose form posts it
    row("POST", "/hotline/labelled.csv", *READ),
    row("GET", "/api/hotline/cases", *READ),
    row("GET", "/api/hotline/cases/{number}", *SEEN_READ, url="/api/hotline/cases/{case}"),
    row("POST", "/api/hotline/cases/{number}/assign", *cases_write(Scoped(422)),
        url="/api/hotline/cases/{case}/assign", json={"reason": "x"}),
    row("POST", "/api/hotline/cases/{number}/decide", *cases_write(Scoped(422)),
        url="/api/hotline/cases/{case}/decide", json={"decision": "no_such_decision"}),
    row("POST", "/api/hotline/cases/{number}/pause", *cases_write(Scoped(422)),
        url="/api/hotline/cases/{case}/pause", json={"reason": " ", "start": "2026-03-05"}),
    row("POST", "/api/hotline/cases/{number}/resume", *cases_write(Scoped(422)),
        url="/api/hotline/cases/{case}/resume", json={"last_day": "2026-03-05"}),
    row("POST", "/api/hotline/cases/{number}/extend", *cases_write(Scoped(422)),
        url="/api/hotline/cases/{case}/extend", json={"reason": "x"}),
    row("POST", "/api/hotline/cases/{number}/steps", *cases_write(Scoped(422)),
        url="/api/hotline/cases/{case}/steps", json={"step": "told", "on": "2026-03-05"}),
    row("POST", "/api/hotline/cases/{number}/tickets/{record_id}/split", *cases_write(Scoped(422)),
        url="/api/hotline/cases/{case}/tickets/{ticket}/split", json={"reason": "x"}),
    row("GET", "/api/hotline/suggestions", *READ),
    row("POST", "/api/hotline/suggestions/{suggestion_id}/confirm", *cases_write(404),
        url="/api/hotline/suggestions/9999/confirm"),
    row("POST", "/api/hotline/suggestions/{suggestion_id}/apart", *cases_write(404),
        url="/api/hotline/suggestions/9999/apart"),
    row("POST", "/api/hotline/take-in", *cases_write(OK)),
    row("GET", "/api/hotline/statistics", *READ),
    # A channel's platform pushes with its own token; a user's token is no platform's.
    row("POST", "/api/hotline/{channel}/tickets", *(401,) * 5, url="/api/hotline/12315/tickets", json=[]),
    # The citizen's pages: no account; their forms' CSRF token is bound to a cookie, not to a session.
    row("GET", "/hotline/submit", *ALL),
    row("POST", "/hotline/submit", *(403,) * 5),
    row("GET", "/hotline/lookup", *ALL),
    row("POST", "/hotline/lookup", *(403,) * 5),
    # Checking a sealed report: no account; the page's form has a cookie-bound CSRF token, the API takes no cookie.
    row("GET", "/seals/verify", *ALL),
    row("GET", "/seals/root.pem", *(404,) * 5),  # the matrix's workspace has issued no seal
    row("GET", "/seals/crl.pem", *(404,) * 5),
    row("POST", "/seals/verify", *(403,) * 5),
    row("POST", "/api/seals/verify", *(422,) * 5, json={}),
    # The personal-data catalogue: everyone may know what is personal.
    row("GET", "/privacy", *ALL),
    row("GET", "/api/privacy/catalogue", *ALL),
    # The reports' catalogue: read-only, for those who read data.
    row("GET", "/reports/catalogue", *READ),
    row("POST", "/reports/{name}/retire", *write(404), url="/reports/no-such-report/retire", reason="无人查阅"),
    row("POST", "/reports/{name}/run", *write(404), url="/reports/no-such-report/run"),
    # Jobs started from pages (an upload's ingest, a report run): only their starter reads their line.
    row("POST", "/batches/upload", *write(422)),
    row("GET", "/api/progress/{job_id}", *(404,) * 5, url="/api/progress/no-such-job"),
    row("GET", "/jobs/{job_id}", *(404,) * 5, url="/jobs/no-such-job"),
    row("GET", "/api/reports", *READ),
    # Random inspections: the registers are the bureau's (every reader); plans, draws, assignments and publication
    # are a steward's; results and photos the visit's team's. The matrix's workspace has no draw or visit: object
    # routes answer 404 in scope (`NONE`), a write with nothing to publish or an empty body is refused (422).
    row("GET", "/inspections", *READ),
    row("GET", "/inspections/registers/{kind}.xlsx", *READ, url="/inspections/registers/targets.xlsx"),
    row("GET", "/inspections/registers/{kind}", *READ, url="/inspections/registers/items"),
    row("POST", "/inspections/registers/{kind}/import", *write(422), url="/inspections/registers/inspectors/import"),
    row("GET", "/inspections/draws/{number}", *NONE, url="/inspections/draws/NONE-1"),
    row("GET", "/inspections/draws/{number}/verify", *NONE, url="/inspections/draws/NONE-1/verify"),
    row("POST", "/inspections/draws/{number}/run", *write(404), url="/inspections/draws/NONE-1/run"),
    row("POST", "/inspections/draws/{number}/staff", *write(404), url="/inspections/draws/NONE-1/staff",
        reason="人员已补充"),
    row("GET", "/inspections/visits/{number}", *NONE, url="/inspections/visits/NONE-1-00001"),
    row("GET", "/inspections/visits/{number}/site", *NONE, url="/inspections/visits/NONE-1-00001/site"),
    row("POST", "/inspections/visits/{number}/site", *NONE, url="/inspections/visits/NONE-1-00001/site"),
    row("POST", "/inspections/visits/{number}/photos", *NONE, url="/inspections/visits/NONE-1-00001/photos"),
    row("POST", "/inspections/visits/{number}/assign", *write(404), url="/inspections/visits/NONE-1-00001/assign"),
    row("POST", "/inspections/visits/{number}/staff", *write(404), url="/inspections/visits/NONE-1-00001/staff",
        reason="检查组无法补齐"),
    row("POST", "/inspections/visits/{number}/recuse", *NONE, url="/inspections/visits/NONE-1-00001/recuse",
        relation="配偶经营"),
    row("GET", "/inspections/visits/{number}/photos/{photo_id}", *NONE,
        url="/inspections/visits/NONE-1-00001/photos/1"),
    row("GET", "/inspections/publication", *READ),
    row("POST", "/inspections/publish", *write(422)),
    row("GET", "/inspections/publications/{number}.xlsx", *NONE, url="/inspections/publications/GS1.xlsx"),
    row("GET", "/api/inspections", *READ),
    row("GET", "/api/inspections/items", *READ),
    row("GET", "/api/inspections/targets", *READ),
    row("GET", "/api/inspections/targets/{entity_id}", *NONE, url="/api/inspections/targets/999999"),
    row("GET", "/api/inspections/inspectors", *READ),
    row("GET", "/api/inspections/draws", *READ),
    row("POST", "/api/inspections/plans", *write(422), json={}),
    row("GET", "/api/inspections/draws/{number}", *NONE, url="/api/inspections/draws/NONE-1"),
    row("POST", "/api/inspections/draws/{number}/run", *write(404), url="/api/inspections/draws/NONE-1/run"),
    row("POST", "/api/inspections/draws/{number}/staff", *write(404), url="/api/inspections/draws/NONE-1/staff",
        json={"reason": "补充检查人员"}),
    row("GET", "/api/inspections/draws/{number}/verify", *NONE, url="/api/inspections/draws/NONE-1/verify"),
    row("GET", "/api/inspections/visits", *READ),
    row("GET", "/api/inspections/visits/{number}", *NONE, url="/api/inspections/visits/NONE-1-00001"),
    row("POST", "/api/inspections/visits/{number}/assign", *write(404),
        url="/api/inspections/visits/NONE-1-00001/assign", json={}),
    row("POST", "/api/inspections/visits/{number}/results", 403, 422, 422, 422, 403,
        url="/api/inspections/visits/NONE-1-00001/results", json={}),
    row("POST", "/api/inspections/visits/{number}/photos", *NONE, url="/api/inspections/visits/NONE-1-00001/photos"),
    row("POST", "/api/inspections/relations", 403, 422, 422, 422, 403, json={"entity_id": 1, "relation": ""}),
    row("GET", "/api/inspections/publication", *READ),
    row("POST", "/api/inspections/publish", *write(422), json={}),
    # Tasks across departments: those whose lead or parts lie in the caller's subtree; each step checks the caller's
    # side on the part (docs/tasks.md) and is refused for its body here (an unknown person, no reason, no offer
    # waiting, no file where the part needs one).
    row("GET", "/tasks", *READ),
    row("POST", "/tasks", 403, 422, 422, 422, 403),  # no file
    row("GET", "/tasks/{number}", *SEEN_READ, url="/tasks/{task}"),
    row("POST", "/tasks/parts/{part_id}/assign", 403, Scoped(403), Scoped(403), Scoped(422), 403,
        url="/tasks/parts/{task_part}/assign", user="nobody"),
    row("POST", "/tasks/parts/{part_id}/handover", *STEP(422), url="/tasks/parts/{task_part}/handover",
        department="LZ-XY", reason=" "),
    row("POST", "/tasks/parts/{part_id}/accept", *ANSWER, url="/tasks/parts/{task_part}/accept"),
    row("POST", "/tasks/parts/{part_id}/refuse", *ANSWER, url="/tasks/parts/{task_part}/refuse", reason="x"),
    row("POST", "/tasks/parts/{part_id}/withdraw", *STEP(409), url="/tasks/parts/{task_part}/withdraw"),
    row("POST", "/tasks/parts/{part_id}/done", *STEP(422), url="/tasks/parts/{task_part}/done"),
    row("GET", "/tasks/evidence/{evidence_id}", 403, Scoped(303), Scoped(303), Scoped(303), 403,
        url="/tasks/evidence/{evidence}"),  # to its task, whose form posts the download
    row("POST", "/tasks/evidence/{evidence_id}", *SEEN_READ, url="/tasks/evidence/{evidence}"),
    row("GET", "/api/tasks", *READ),
    row("POST", "/api/tasks", 403, 422, 422, 422, 403, json={}),
    row("GET", "/api/tasks/overdue", *READ),
    row("GET", "/api/tasks/{number}", *SEEN_READ, url="/api/tasks/{task}"),
    row("POST", "/api/tasks/parts/{part_id}/assign", 403, Scoped(403), Scoped(403), Scoped(422), 403,
        url="/api/tasks/parts/{task_part}/assign", json={"user": "nobody"}),
    row("POST", "/api/tasks/parts/{part_id}/handover", *STEP(422), url="/api/tasks/parts/{task_part}/handover",
        json={"department": "LZ-XY", "reason": " "}),
    row("POST", "/api/tasks/parts/{part_id}/accept", *ANSWER, url="/api/tasks/parts/{task_part}/accept"),
    row("POST", "/api/tasks/parts/{part_id}/refuse", *ANSWER, url="/api/tasks/parts/{task_part}/refuse",
        json={"reason": "x"}),
    row("POST", "/api/tasks/parts/{part_id}/withdraw", *STEP(409), url="/api/tasks/parts/{task_part}/withdraw"),
    row("POST", "/api/tasks/parts/{part_id}/evidence", *STEP(422), url="/api/tasks/parts/{task_part}/evidence"),
    row("POST", "/api/tasks/parts/{part_id}/done", *STEP(422), url="/api/tasks/parts/{task_part}/done", json={}),
    # The workload: a leader's view of their subtree; a capacity is refused for its empty body.
    row("GET", "/workload", *LEADERS),
    row("GET", "/workload/export.xlsx", *LEADERS),
    row("POST", "/workload/capacity", 403, 422, 422, 422, 403),
    row("GET", "/api/workload", *LEADERS),
    row("POST", "/api/workload/capacity", 403, 422, 422, 422, 403, json={}),
    # Last: it ends the caller's cookie session.
    row("POST", "/logout", *(303,) * 5),
]

# Per role, a bureau-level caller (at LZ) and one in a department; `extra` users are created by the fixture.
CALLERS = {
    "admin": [("admin", "LZ"), ("admin_cz", "LZ-CZ")],
    "steward": [("steward_lz", "LZ"), ("steward", "LZ-DJ")],
    "handler": [("handler_lz", "LZ"), ("zhongnan", "LZ-CZ-ZN")],
    "leader": [("leader", "LZ"), ("leader_cz", "LZ-CZ")],
    "auditor": [("auditor", "LZ"), ("auditor_cz", "LZ-CZ")],
}
EXTRA = {name: (role, dept) for role, callers in CALLERS.items() for name, dept in callers if "_" in name}
# The objects: one of each kind owned by each of two departments.
OWNERS = {"dj": "LZ-DJ", "zn": "LZ-CZ-ZN"}
VICTIMS = {"dj": ("victim_dj", "LZ-DJ"), "zn": ("victim_zn", "LZ-CZ-ZN")}
BAD_USCC = "91450200MA5K00000X"
SENT_AT = datetime(2030, 1, 2, 3, 4, 5, tzinfo=UTC)


@dataclass
class City:
    """The app on one data set, and the ids of each department's objects."""

    web: Web
    objects: dict[str, dict[str, Any]]  # owner key -> placeholder -> value
    tokens: dict[str, str]  # caller -> bearer token
    paths: dict[str, str]  # department code -> path


def _data(sessions: sessionmaker[Session], root: Path) -> None:
    """The register pages' three files (each with a row held back), owed to two targets, and resolved."""
    folder = root / "targets"
    folder.mkdir(exist_ok=True)
    for name in ("province", "spot"):
        transport = f"transport:\n  kind: file\n  folder: {root / 'out'}\n"
        (folder / f"{name}.yaml").write_text(f"name: {name}\nowner: LZ-XY\n{TARGETS[name]}{transport}", "utf-8")
    owed = {"dengji": ["province"], "inspections": ["spot"]}
    for name, (text, header, rows) in SOURCES.items():
        bad = list(rows[0])
        bad[header.index("统一社会信用代码")] = BAD_USCC
        path = _write(root / f"{name}.csv", [*rows, bad], header=header)
        (root / "sources").mkdir(exist_ok=True)
        (root / "sources" / f"{name}.yaml").write_text(text, "utf-8")
        with sessions() as session, session.begin():
            ingest_file(session, OPERATOR, parse_source(text, f"sources/{name}.yaml"), path, today=TODAY,
                        outbox=outbox(*owed.get(name, [])))
    config = load_workspace(root).config.resolve
    with sessions() as session, session.begin():
        resolve(session, OPERATOR, config)
    for name in ("province", "spot"):
        send_once(sessions, load_target(root, name), now=SENT_AT)


def _cases(sessions: sessionmaker[Session], workspace: Path) -> None:
    """One complaint of each department's desk (each its own case, handled in that department)."""
    for key, department in OWNERS.items():
        text = SOURCE_12315.replace("name: rexian-12315", f"name: rexian-{key}").replace("LZ-TSJB", department)
        row = [f"M-{key}", "2026-03-02 09:15:00", "投诉", "张三", f"1380000000{len(OWNERS[key])}",
               f"{key}号店", "", "柳州市城中区文昌路12号", f"{key}号店的会员卡无法退款", "待受理"]  # fmt: skip
        path = write_export(workspace / f"tickets-{key}.csv", HEADER_12315, [row])
        with sessions() as session, session.begin():
            ingest_file(session, OPERATOR, parse_source(text, f"sources/rexian-{key}.yaml"), path, outbox=outbox())
    with sessions() as session, session.begin():
        take_in(session, OPERATOR, load_workspace(workspace))


def _objects(session: Session, department: str) -> dict[str, Any]:
    """The ids of the department, its batch, record, quarantine item, delivery, an entity of its records only."""
    dept = session.scalar(select(Department.id).where(Department.code == department))
    batch = session.scalar(select(Batch.id).where(Batch.department_id == dept).order_by(Batch.id))
    versions = select(RecordVersion.id).where(RecordVersion.batch_id == batch)
    records = list(session.scalars(select(RecordVersion.record_id).where(RecordVersion.batch_id == batch)))
    owners: dict[int, set[int]] = {}
    for entity, record in session.execute(select(EntityLink.entity_id, EntityLink.record_id)):
        owners.setdefault(entity, set()).add(record)
    return {
        "department": dept,
        "batch": batch,
        "record": records[0],
        "item": session.scalar(select(QuarantineItem.id).where(QuarantineItem.batch_id == batch)),
        "delivery": session.scalar(select(Delivery.id).where(Delivery.record_version_id.in_(versions))),
        "entity": (entity := min(e for e, linked in owners.items() if linked <= set(records))),
        "entity_record": min(owners[entity]),
        "case": session.scalar(select(Case.number).where(Case.desk_id == dept)),
        "ticket": session.scalar(
            select(CaseTicket.record_id).join(Case, Case.id == CaseTicket.case_id).where(Case.desk_id == dept)
        ),
    }


def _callers(sessions: sessionmaker[Session]) -> dict[str, str]:
    """The extra callers and the two users to act on created; a bearer token for every caller."""
    tokens = {}
    with sessions() as session, session.begin():
        for name, (role, dept) in {**EXTRA, **{u: ("handler", d) for u, d in VICTIMS.values()}}.items():
            create_user(session, OPERATOR, username=name, display_name=name, department_code=dept, roles=[role],
                        password=DEMO_PASSWORD, password_min_length=12)
        for callers in CALLERS.values():
            for name, _ in callers:
                _, tokens[name] = create_token(session, OPERATOR, name="matrix", username=name)
        _, tokens["victim_dj"] = create_token(session, OPERATOR, name="foreign", username="victim_dj")
    return tokens


@pytest.fixture(
    scope="module",
    params=[pytest.param("sqlite", marks=pytest.mark.sqlite), pytest.param("postgresql", marks=pytest.mark.postgres)],
)
def city_app(request: pytest.FixtureRequest, tmp_path_factory: pytest.TempPathFactory) -> Iterator[City]:
    """One app per backend for the whole module, on the demo city with the register pages' data."""
    from zhizhi.web.app import create_app

    root = tmp_path_factory.mktemp("matrix")
    if request.param == "sqlite":
        shutil.copyfile(request.getfixturevalue("sqlite_templates")["city"], root / "zhizhi.db")
        url, drop = f"sqlite:///{root / 'zhizhi.db'}", None
    else:
        server: PostgresServer = request.getfixturevalue("postgres_server")
        name = server.create("city")
        url, drop = server.url_for(name), (server, name)
    workspace = root / "ws"
    init_workspace(workspace, name="测试市市场监督管理局")
    config = yaml.safe_load((workspace / "zhizhi.yaml").read_text(encoding="utf-8"))
    config["database"]["url"] = url
    config["resolve"] = {"review_probability": 0.5}
    (workspace / "zhizhi.yaml").write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    app = create_app(load_workspace(workspace))
    sessions = app.state.context.sessions
    _data(sessions, workspace)
    tokens = _callers(sessions)
    _cases(sessions, workspace)
    with sessions() as session, session.begin():
        tasks = matrix_tasks(session, OWNERS)
    with sessions() as session:
        objects = {key: _objects(session, dept) for key, dept in OWNERS.items()}
        paths = {code: path for code, path in session.execute(select(Department.code, Department.path))}
        pair = session.scalar(select(ReviewPair.id))
        foreign = session.scalar(select(ApiToken.id).where(ApiToken.name == "foreign"))
    for key, (user, _) in VICTIMS.items():
        objects[key] |= {"user": user, "pair": pair, "foreign_token": foreign, **tasks[key]}
    with TestClient(app, base_url="http://testserver") as client:
        yield City(Web(client, load_workspace(workspace), sessions), objects, tokens, paths)
    app.state.context.engine.dispose()
    if drop:
        drop[0].drop(drop[1])


def test_every_route_is_in_the_matrix_once(city_app: City) -> None:
    routes = {(method, path) for method, path, _ in _routes(city_app.web)}
    rows = [(r.method, r.path) for r in MATRIX]
    assert sorted(routes - set(rows)) == [], "routes missing from the matrix"
    assert sorted(set(rows) - routes) == [], "rows for routes the app no longer has"
    assert len(rows) == len(set(rows))


def test_every_role_gets_the_answer_the_matrix_says(city_app: City) -> None:
    web, wrong = city_app.web, []
    for role, callers in CALLERS.items():
        for caller, dept in callers:
            web.client.cookies.clear()
            web.login_form(caller)
            csrf = web.page_csrf("/account/tokens")
            for r in MATRIX:
                for owner, objects in city_app.objects.items():
                    expected = r.answers[role]
                    covers = city_app.paths[OWNERS[owner]].startswith(city_app.paths[dept])
                    if isinstance(expected, Scoped):
                        expected = expected.ok if covers else 404
                    elif isinstance(expected, Own):
                        own = OWNERS[owner] == dept
                        expected = expected.ok if own else expected.below if covers else 404
                    got = _call(web, r, objects, city_app.tokens[caller], csrf)
                    if got != expected:
                        wrong.append(f"{r.method} {r.path} as {role} {caller}@{dept} on {owner}'s: {got}, "
                                     f"matrix says {expected}")
                    if "{" not in r.url:
                        break  # a route without an object is called once
    assert not wrong, "\n".join(wrong)


def _fill(value: Any, objects: dict[str, Any]) -> Any:
    """A JSON body with `"{record}"`-style placeholders replaced by the objects' ids."""
    if isinstance(value, str) and value.startswith("{") and value.endswith("}") and value[1:-1] in objects:
        return objects[value[1:-1]]
    if isinstance(value, list):
        return [_fill(item, objects) for item in value]
    if isinstance(value, dict):
        return {key: _fill(item, objects) for key, item in value.items()}
    return value


def _call(web: Web, r: Row, objects: dict[str, Any], token: str, csrf: str) -> int:
    url = r.url.format(**objects)
    r = Row(r.method, r.path, r.answers, r.url, _fill(r.json, objects), r.form)
    if not r.path.startswith("/api") and r.method == "POST" and r.path != "/login":
        response = web.client.post(url, data={"csrf_token": csrf, **r.form}, follow_redirects=False)
    elif r.path.startswith("/api") and (r.method, r.path) != ("POST", "/api/session"):
        headers = {"Authorization": f"Bearer {token}"}
        cookies = web.client.cookies
        web.client.cookies = {}  # type: ignore[assignment]
        try:
            response = web.client.request(r.method, url, json=r.json, headers=headers, follow_redirects=False)
        finally:
            web.client.cookies = cookies
    else:
        response = web.client.request(r.method, url, json=r.json, data=r.form or None, follow_redirects=False)
    return response.status_code
