"""Tickets pushed by a channel's platform, and tickets of the public web form, through the same front door.

A platform pushes JSON tickets (`POST /api/hotline/CHANNEL/tickets`, with its platform token: the token of the
target named like the channel, `targets/12315.yaml`, which also answers it). The desk writes them as a JSON-lines
file under `data/push/CHANNEL/` and ingests it with the channel's push source (`sources/push-CHANNEL.yaml`, written
on first use, owned by the target's owner): quarantine, lineage, versions and the outbox as for every file. The
same ticket pushed again is the same record (key: its number), unchanged or a new version: pushing is idempotent.

The web form makes a ticket of the `web` channel numbered `W` + date + six random digits, in the source `push-web`
of the department `hotline.desk` names.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from pathlib import Path
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access.roles import Actor
from zhizhi.config import Workspace
from zhizhi.delivery import Outbox
from zhizhi.delivery.targets import FILES as TARGET_FILES
from zhizhi.errors import ConfigError, ConflictError, InputError
from zhizhi.ingest.normalize import clean_identifier_value
from zhizhi.records.ticket import CHANNELS, TICKET
from zhizhi.sources import SourceConfig, own_source
from zhizhi.store.tables import Department, QuarantineItem, RawRow, Record
from zhizhi.store.types import LOCAL_TZ, local_today, utcnow

MAX_TICKETS = 1000
MAX_VALUE = 4000
FIELDS = tuple(f.name for f in TICKET.fields if f.name != "channel")


def source_name(channel: str) -> str:
    """The name of a channel's push source (the web form's is `push-web`)."""
    return f"push-{channel}"


def push_source(workspace: Workspace, channel: str, department: str) -> SourceConfig:
    """The push source of a channel, its file written on first use."""
    if channel not in CHANNELS:
        raise InputError(f"No channel `{channel}`; known: {', '.join(CHANNELS)}.", zh=f"没有渠道 `{channel}`。")
    return own_source(
        workspace.root,
        source_name(channel),
        note="Written by the hotline desk: tickets a channel pushes (or the web form's), as JSON.",
        title=f"{CHANNELS[channel]}推送",
        department=department,
        record_type="ticket",
        fields={"channel": {"value": channel}, **{f: f for f in FIELDS}},
    )


def _bounded(tickets: list[dict[str, Any]]) -> list[dict[str, str]]:
    if not tickets:
        raise InputError("No tickets in the request.", zh="请求中没有工单。")
    if len(tickets) > MAX_TICKETS:
        raise InputError(f"{len(tickets)} tickets in one request; at most {MAX_TICKETS}: split them.",
                         zh=f"一次推送 {len(tickets)} 张工单，最多 {MAX_TICKETS} 张，请分批推送。")  # fmt: skip
    problems = []
    rows = []
    first: dict[str, int] = {}
    for i, ticket in enumerate(tickets, start=1):
        unknown = sorted(set(ticket) - set(FIELDS))
        if unknown:
            problems.append(f"ticket {i}: unknown field(s) {unknown}; the fields are {', '.join(FIELDS)}")
        row = {}
        for name in FIELDS:
            value = ticket.get(name)
            text = "" if value is None else str(value)
            if len(text) > MAX_VALUE:
                problems.append(f"ticket {i}: `{name}` is {len(text)} characters; at most {MAX_VALUE}")
            row[name] = text
        number = row["number"] = clean_identifier_value(row["number"]) or ""  # as the ingest keys it
        if number and number in first:  # two versions of one ticket in one request: which is it? not guessed
            problems.append(f"ticket {i}: number `{number}` is ticket {first[number]}'s too; send a ticket once a "
                            "request (its newer version in the next)")  # fmt: skip
        first.setdefault(number, i)
        row["received_at"] = _china_time(row["received_at"])
        rows.append(row)
    if problems:
        raise InputError("The tickets were not taken: " + "; ".join(problems[:20]) + ".",
                         zh="工单未接收：" + "；".join(problems[:20]) + "。", details=problems)  # fmt: skip
    return rows


def _china_time(text: str) -> str:
    """A moment written with its time zone (`2026-09-30T23:30:00Z`) as China's time (`2026-10-01T07:30:00`): the
    ingest keeps a moment's wall time, and the clocks count from its day in China. Any other text is left as sent."""
    try:
        moment = datetime.fromisoformat(text.strip())
    except ValueError:
        return text
    if moment.tzinfo is None:
        return text
    try:
        return moment.astimezone(LOCAL_TZ).replace(tzinfo=None).isoformat()
    except OverflowError:  # year 1 or 9999 moved past the calendar's edge: the ingest refuses the date as sent
        return text


def push_tickets(
    session: Session, workspace: Workspace, actor: Actor, channel: str, tickets: list[dict[str, Any]], *,
    department: str | None = None,
) -> dict[str, Any]:  # fmt: skip
    """Ingest pushed tickets in the caller's transaction; each ticket ends accepted or quarantined (with reasons)."""
    from zhizhi.ingest.pipeline import ingest_file

    rows = _bounded(tickets)
    owner = department or _owner(workspace.root, channel)
    source = push_source(workspace, channel, owner)
    folder: Path = workspace.data_dir / "push" / channel
    folder.mkdir(parents=True, exist_ok=True)
    path = folder / f"{datetime.now(LOCAL_TZ):%Y%m%dT%H%M%S%f}-{secrets.token_hex(3)}.jsonl"
    path.write_text("".join(json.dumps(r, ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    try:
        # Today in China: a ticket received after midnight there must not look a day ahead of a server kept in UTC.
        result = ingest_file(session, Actor.operator(actor.name), source, path, outbox=Outbox.of(workspace.root),
                             force=True, today=local_today())  # fmt: skip
    finally:  # the batch keeps the file's hash and every row as read (erased with the rest when retention ends)
        path.unlink(missing_ok=True)
    batch = result.batch
    _supersede(session, batch.id, source.name)
    outcome = session.execute(
        select(RawRow.row_number, RawRow.status, RawRow.reason, QuarantineItem.findings)
        .outerjoin(QuarantineItem, QuarantineItem.raw_row_id == RawRow.id)
        .where(RawRow.batch_id == batch.id)
        .order_by(RawRow.row_number)
    ).all()  # fmt: skip
    tickets = []
    for i, (_, status, reason, findings) in enumerate(outcome[: len(rows)]):
        hard = [f for f in json.loads(findings or "[]") if f.get("severity") == "hard"]
        tickets.append(
            {
                "number": rows[i]["number"],
                "status": status,
                "reason": reason or " ".join(f["code"] for f in hard) or None,
                "problems": [{"field": f.get("field"), "code": f["code"], "message": f.get("message"),
                              "message_zh": f.get("message_zh")} for f in hard],
            }
        )  # fmt: skip
    return {
        "batch": batch.id,
        "accepted": batch.rows_accepted,
        "quarantined": batch.rows_quarantined,
        "records": json.loads(batch.report).get("records", {}),
        "tickets": tickets,
    }


def _supersede(session: Session, batch_id: int, source: str) -> None:
    """Close the open quarantine items of earlier pushes of a ticket this push sent again, by its number (a push's
    file is never sent twice, so its rows are matched by the ticket's key, not by file and row): accepted now, the
    item points at the version it made; quarantined again, the new item replaces it. A steward is never left to
    replay an old version over the one the platform sent since."""
    now = {
        str(json.loads(data).get("number") or "").strip(): version
        for data, version in session.execute(
            select(RawRow.data, RawRow.record_version_id).where(
                RawRow.batch_id == batch_id, RawRow.status.in_(("accepted", "quarantined"))
            )
        )
    }  # fmt: skip
    now.pop("", None)
    if not now:
        return
    waiting = session.execute(
        select(QuarantineItem, RawRow.data)
        .join(RawRow, RawRow.id == QuarantineItem.raw_row_id)
        .where(QuarantineItem.source == source, QuarantineItem.status == "open", QuarantineItem.batch_id != batch_id)
    ).all()
    for item, data in waiting:
        number = str(json.loads(data).get("number") or "").strip()
        if number in now:
            item.status, item.record_version_id = "superseded", now[number]
            item.updated_at, item.updated_by = utcnow(), f"push {batch_id}"


def _owner(root: Path, channel: str) -> str:
    if not TARGET_FILES.path(root, channel).is_file():
        raise ConfigError(
            f"Channel `{channel}` has no target file `targets/{channel}.yaml`: its platform's token and answers "
            "come from it. Write it (docs/hotline.md) first.",
            zh=f"渠道 `{channel}` 没有交付目标文件 targets/{channel}.yaml（平台令牌与答复都依赖它），请先编写。",
        )
    return TARGET_FILES.load(root, channel).owner


def _free_number(session: Session, now: datetime) -> str:
    """A web ticket's number (`W` + date + six random digits) that no ticket has: a number drawn twice would make
    a stranger's ticket a new version of the first one."""
    for _ in range(50):
        number = f"W{now:%Y%m%d}{secrets.randbelow(10**6):06d}"
        taken = select(Record.id).where(Record.source == source_name("web"), Record.key == f"number={number}")
        if session.scalar(taken) is None:
            return number
    raise ConflictError(
        "No free web ticket number was found; submit the form again.", zh="未能分配工单编号，请重新提交。"
    )


def check_desk(session: Session, workspace: Workspace) -> None:
    """`hotline.desk` names a department the store holds (checked when the app starts): a typo let the web form take
    a citizen's complaint and lose it with a 404 at the end."""
    desk = workspace.config.hotline.desk
    if not desk:
        return
    codes = list(session.scalars(select(Department.code).order_by(Department.code)))
    if desk not in codes:
        raise ConfigError(
            f"`hotline.desk` in zhizhi.yaml is `{desk}`, a department the store does not hold (known: "
            f"{', '.join(codes) or 'none'}): name the desk's department, or remove the key to close the web form.",
            zh=f"zhizhi.yaml 中的 hotline.desk 为 `{desk}`，库中没有该部门：请填写受理部门的编码，"
            "或删去该项以关闭网上投诉。",
        )


def web_ticket(session: Session, workspace: Workspace, form: dict[str, str], *, ip: str) -> str:
    """A ticket from the public web form; returns its number (the caller keeps it to look the ticket up)."""
    desk = workspace.config.hotline.desk
    if not desk:
        raise ConfigError("The web form is off: set `hotline.desk` in zhizhi.yaml to the desk's department.",
                          zh="网上投诉举报未开放：请在 zhizhi.yaml 中设置 hotline.desk（受理部门）。")  # fmt: skip
    now = datetime.now(LOCAL_TZ).replace(tzinfo=None, microsecond=0)
    number = _free_number(session, now)
    ticket = {
        k: (form.get(k) or "").strip()
        for k in (
            "kind",
            "caller_name",
            "caller_phone",
            "caller_address",
            "respondent_name",
            "respondent_address",
            "text",
            "place",
        )
    }
    ticket.update(number=number, received_at=now.isoformat(), status="网上提交")
    report = push_tickets(session, workspace, Actor.operator(f"web:{ip}"), "web", [ticket], department=desk)
    if report["quarantined"]:
        problems = report["tickets"][0]["problems"] if report["tickets"] else []
        raise InputError(
            "The ticket could not be taken: " + "; ".join(str(p["message"]) for p in problems),
            zh="提交未成功：" + "；".join(str(p["message_zh"]) for p in problems),
        )
    return number
