"""`zhizhi cases`: the hotline desk's cases at the terminal (`zhizhi hotline`, the desk's index: `zhizhi.cli.hotline`).

The terminal reads no caller's identity: names, phones and addresses are masked here as in every list (only the
assigned handler, and for complaints their leaders, see them, on the desk's pages, for a declared purpose).
"""

from __future__ import annotations

from datetime import date, datetime, timedelta
from pathlib import Path
from typing import Any

import typer

from zhizhi.cli.common import (
    JsonOption,
    OffsetOption,
    Table,
    console,
    emit,
    id_argument,
    operator,
    output_file,
    transaction,
)
from zhizhi.hotline import (
    NOT_ACCEPTED_REASONS,
    STATISTICS_DAYS,
    STEPS,
    assign,
    case_row,
    case_view,
    confirm,
    decide,
    extend,
    get_case,
    keep_apart,
    labelled_csv,
    labelled_month,
    list_cases,
    load_calendar,
    mark,
    merge_cases,
    open_suggestions,
    pause,
    resume,
    split,
    statistics,
    suggestion_row,
    take_in,
    words_of,
)
from zhizhi.store.types import local_today

app = typer.Typer(help="Hotline cases: tickets merged into one grievance, routed, decided, answered.",
                  no_args_is_help=True)  # fmt: skip
Reason = typer.Option(..., "--reason", help="Why (kept in the audit trail).")
Since = typer.Option(None, "--since", formats=["%Y-%m-%d"], help="Default: 30 days ago.")
Until = typer.Option(None, "--until", formats=["%Y-%m-%d"], help="Default: today.")
Suggestion = id_argument(help="The suggestion's id (see `zhizhi cases suggestions`).")


def _today() -> date:
    return local_today()


def desk_period(since: datetime | None, until: datetime | None) -> tuple[date, date]:
    """The days `--since` and `--until` give (the desk's commands): the last 30 through today by default, as the
    statistics page counts them."""
    end = until.date() if until else _today()
    return (since.date() if since else end - timedelta(days=STATISTICS_DAYS - 1)), end


@app.command("take-in")
def take_in_command(
    ctx: typer.Context,
    limit: int = typer.Option(2000, "--limit", min=1, max=100_000, help="At most this many tickets."),
    as_json: bool = JsonOption,
) -> None:
    """Put the tickets no case holds yet into cases (the worker does this on its own)."""
    with transaction(ctx) as (workspace, session):
        done = take_in(session, operator(), workspace, limit=limit).as_dict()
    emit(done, as_json, lambda: console.print(
        f"{done['tickets']} 张工单 / tickets: {done['opened']} 新案件 new cases, {done['merged']} 自动并案 merged, "
        f"{done['suggested']} 待确认 suggested, {done['answered']} 补发答复 answered"
        + (f"; {done['changed']} 张已入案工单被平台改动 changed by their platform ({done['split']} 拆出 split off)"
           if done["changed"] else "")))  # fmt: skip


@app.command("list")
def list_command(
    ctx: typer.Context,
    stage: str | None = typer.Option(None, "--stage", help="received, accepted, closed or merged."),
    kind: str | None = typer.Option(None, "--kind", help="complaint, report, consultation, suggestion, other."),
    office: str | None = typer.Option(None, "--office", help="Only cases of this department (code)."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000),
    offset: int = OffsetOption,
    as_json: bool = JsonOption,
) -> None:
    """Cases, newest first, with their clocks' state."""
    with transaction(ctx) as (workspace, session):
        calendar = load_calendar(workspace.root)
        warn = workspace.config.hotline.warn_days
        rows = [case_row(session, c, calendar, _today(), warn)
                for c in list_cases(session, operator(), stage=stage, kind=kind, office=office, limit=limit,
                                    offset=offset)]  # fmt: skip

    def show() -> None:
        table = Table("案件 case", "类型 kind", "阶段 stage", "受理 received", "被投诉举报 respondent", "工单 tickets",
                      "承办 office", "时限 clock", "到期 due")  # fmt: skip
        for r in rows:
            table.add_row(r["number"], r["kind_zh"], r["stage_zh"], r["received_on"], r["respondent_name"] or "",
                          f"{r['tickets']} ({'/'.join(r['channels'])})", r["office"] or "", r["clock"] or "",
                          r["next_deadline"] or "")  # fmt: skip
        console.print(table)

    emit(rows, as_json, show)


@app.command("show")
def show_command(ctx: typer.Context, number: str = typer.Argument(..., help="The case number."),
                 as_json: bool = JsonOption) -> None:  # fmt: skip
    """One case: its tickets (identities masked), clocks, pauses and open suggestions."""
    with transaction(ctx) as (workspace, session):
        case = get_case(session, operator(), number)
        view = case_view(session, operator(), case, load_calendar(workspace.root),
                         warn_before=workspace.config.hotline.warn_days)  # fmt: skip

    def show() -> None:
        console.print(f"[bold]{view['number']}[/] {view['kind_zh']} · {view['stage_zh']} · {view['office'] or ''} "
                      f"{view['handler'] or ''} · {view['routed_by'] or ''}")  # fmt: skip
        console.print(f"被投诉举报方 respondent: {view['respondent_name'] or '—'} {view['respondent_address'] or ''}")
        for c in view["clocks"]:
            count = "" if c["remaining"] is None else f" ({c['remaining']} 个工作日 working days left)"
            left = c["problem"] or f"{c['deadline'] or '—'}{count}"
            console.print(f"  {c['label_zh']} ({c['article']}): {c['status']} {left}")
        table = Table("渠道 channel", "工单 ticket", "受理 received", "诉求人 caller", "内容 text", "并入 how")
        for t in view["tickets"]:
            how = t["how"] + (f" {t['score']:.2f}" if t["score"] is not None else "")
            table.add_row(t["channel"], t["number"], str(t["received_at"]), f"{t['caller_name']} {t['caller_phone']}",
                          str(t["text"])[:60], how)  # fmt: skip
        console.print(table)
        for s in view["suggestions"]:
            console.print(f"  建议 suggestion {s['id']}: {s['ticket']['number']} → {s['case']} {s['score']:.2f} "
                          f"{'；'.join(s['reasons'])}")  # fmt: skip

    emit(view, as_json, show)


@app.command("suggestions")
def suggestions_command(ctx: typer.Context, limit: int = typer.Option(50, "--limit", min=1, max=10_000),
                        as_json: bool = JsonOption) -> None:  # fmt: skip
    """Tickets that may belong to another case, for a handler to confirm or keep apart, best first."""
    with transaction(ctx) as (_, session):
        rows = [suggestion_row(session, s) for s in open_suggestions(session, operator(), limit=limit)]

    def show() -> None:
        table = Table("id", "工单 ticket", "所在案件 in case", "建议并入 to case", "分数 score", "理由 reasons")
        for r in rows:
            table.add_row(str(r["id"]), r["ticket"]["number"], r["ticket"]["case"] or "", r["case"] or "",
                          f"{r['score']:.2f}", "；".join(r["reasons"]))  # fmt: skip
        console.print(table)

    emit(rows, as_json, show)


def _done(as_json: bool, data: dict[str, Any], line: str) -> None:
    emit(data, as_json, lambda: console.print(line))


@app.command("confirm")
def confirm_command(ctx: typer.Context, suggestion: int = Suggestion, as_json: bool = JsonOption) -> None:
    """Confirm a suggestion: the two cases become one (the older keeps its number)."""
    with transaction(ctx) as (workspace, session):
        case = confirm(session, operator(), suggestion, workspace)
        number = case.number
    _done(as_json, {"case": number}, f"已并案 merged into {number}")


@app.command("apart")
def apart_command(ctx: typer.Context, suggestion: int = Suggestion, as_json: bool = JsonOption) -> None:
    """Keep a suggested ticket apart from the case."""
    with transaction(ctx) as (_, session):
        keep_apart(session, operator(), suggestion)
    _done(as_json, {"suggestion": suggestion, "status": "apart"}, f"建议 {suggestion} 不并案 kept apart")


@app.command("merge")
def merge_command(
    ctx: typer.Context,
    number: str = typer.Argument(..., help="The case to merge."),
    into: str = typer.Argument(..., help="The case it joins."),
    reason: str = Reason,
    as_json: bool = JsonOption,
) -> None:
    """Merge two cases by hand (the older keeps the case; undo with `cases split`)."""
    with transaction(ctx) as (workspace, session):
        actor = operator()
        one, other = get_case(session, actor, number), get_case(session, actor, into)
        moved = merge_cases(session, actor, one, other, why=reason, workspace=workspace)
        kept = other.number if one.stage == "merged" else one.number
    _done(as_json, {"case": kept, "tickets_moved": moved}, f"已并案 merged: {moved} 张工单 tickets → {kept}")


@app.command("split")
def split_command(
    ctx: typer.Context,
    record: int = id_argument(help="The ticket's record id (see `cases show --json`)."),
    reason: str = Reason,
    as_json: bool = JsonOption,
) -> None:
    """Undo a merge: the ticket (and the case it came with) leaves its case."""
    with transaction(ctx) as (workspace, session):
        case = split(session, operator(), workspace, record, reason=reason)
        number = case.number
    _done(as_json, {"case": number}, f"已拆分 split: 工单 ticket {record} → {number}")


@app.command("assign")
def assign_command(
    ctx: typer.Context,
    number: str = typer.Argument(...),
    office: str | None = typer.Option(None, "--office", help="Department code (its least-loaded handler)."),
    handler: str | None = typer.Option(None, "--handler", help="A handler's user name."),
    reason: str = Reason,
    as_json: bool = JsonOption,
) -> None:
    """Reassign a case to another office or handler, with a reason."""
    with transaction(ctx) as (workspace, session):
        case = assign(session, operator(), get_case(session, operator(), number), office=office, handler=handler,
                      reason=reason, workspace=workspace)  # fmt: skip
        data = {"case": case.number, "office_id": case.office_id, "handler_id": case.handler_id}
    _done(as_json, data, f"已改派 reassigned {data['case']}")


@app.command("decide")
def decide_command(
    ctx: typer.Context,
    number: str = typer.Argument(...),
    decision: str = typer.Argument(
        ..., help="accepted, not_accepted, mediated, terminated, referred, case_opened, not_opened, answered."
    ),
    result: str = typer.Option("", "--result", help="What the callers are told."),
    ground: str | None = typer.Option(
        None,
        "--ground",
        help="not_accepted: the Art 15 ground, 1-6 ("
        + "; ".join(f"{k} {v[:12]}" for k, v in NOT_ACCEPTED_REASONS.items())
        + ").",
    ),  # fmt: skip
    as_json: bool = JsonOption,
) -> None:
    """Record the decision once; every ticket of the case is answered on its channel through the outbox."""
    with transaction(ctx) as (workspace, session):
        case = get_case(session, operator(), number)
        owed = decide(session, operator(), workspace, case, decision, result=result, reason_code=ground)
        data = {"case": case.number, "stage": case.stage, "answers": owed}
    _done(as_json, data, f"{data['case']}: {decision}；答复 {owed} 张工单 answers owed")


@app.command("pause")
def pause_command(
    ctx: typer.Context,
    number: str = typer.Argument(...),
    reason: str = Reason,
    start: datetime | None = typer.Option(None, "--from", formats=["%Y-%m-%d"], help="First day not counted."),
    as_json: bool = JsonOption,
) -> None:
    """Stop the case's clocks for testing or appraisal (检定、检验、检测、鉴定)."""
    with transaction(ctx) as (workspace, session):
        case = get_case(session, operator(), number)
        pause(session, operator(), case, reason=reason, start=start.date() if start else _today(),
              calendar=load_calendar(workspace.root))  # fmt: skip
    _done(as_json, {"case": number, "paused": True}, f"{number}: 中止计时 paused")


@app.command("resume")
def resume_command(
    ctx: typer.Context,
    number: str = typer.Argument(...),
    through: datetime | None = typer.Option(
        None, "--through", formats=["%Y-%m-%d"], help="Last day not counted (default yesterday)."
    ),  # fmt: skip
    as_json: bool = JsonOption,
) -> None:
    """End the running pause."""
    with transaction(ctx) as (_, session):
        case = get_case(session, operator(), number)
        resume(session, operator(), case, last_day=through.date() if through else _today() - timedelta(days=1))
    _done(as_json, {"case": number, "paused": False}, f"{number}: 恢复计时 resumed")


@app.command("extend")
def extend_command(
    ctx: typer.Context,
    number: str = typer.Argument(...),
    reason: str = Reason,
    lead: bool = typer.Option(False, "--lead", help="Extend the check of a lead found in mediation (Art 23)."),
    as_json: bool = JsonOption,
) -> None:
    """Record the approval of 15 more working days to verify a report (or, with --lead, a lead found in mediation)."""
    with transaction(ctx) as (workspace, session):
        case = get_case(session, operator(), number)
        calendar = load_calendar(workspace.root)
        if lead:
            extend(session, operator(), case, reason=reason, calendar=calendar, clock_name="mediation_lead")
        else:
            extend(session, operator(), case, reason=reason, calendar=calendar)
    _done(as_json, {"case": number, "extended": True}, f"{number}: 已延长 extended")


@app.command("mark")
def mark_command(
    ctx: typer.Context,
    number: str = typer.Argument(...),
    step: str = typer.Argument(..., help="; ".join(f"{s.name}: {s.label_zh} {s.label}" for s in STEPS.values())),
    on: datetime | None = typer.Option(None, "--on", formats=["%Y-%m-%d"], help="The day (default today)."),
    as_json: bool = JsonOption,
) -> None:
    """Record the day a step that starts or ends a legal clock was taken (told, lead_found, lead_checked,
    disputed, settled)."""
    day = on.date() if on else _today()
    with transaction(ctx) as (_, session):
        mark(session, operator(), get_case(session, operator(), number), step, on=day)
    label = STEPS[step].label_zh
    _done(as_json, {"case": number, "step": step, "on": day.isoformat()}, f"{number}: {label} {day} {step}")


@app.command("export-labelled")
def export_labelled_command(
    ctx: typer.Context,
    out: Path = typer.Argument(..., help="The CSV file to write (UTF-8 with a BOM).", dir_okay=False),
    since: datetime | None = Since,
    until: datetime | None = Until,
    as_json: bool = JsonOption,
) -> None:
    """The tickets of the cases received in a period, each with its case and how it joined it, callers as
    pseudonyms and texts masked: a labelled month to measure and refit the desk (bench/hotline.py --labelled)."""
    start, end = desk_period(since, until)
    with output_file(out) as written, transaction(ctx) as (_, session):  # the file whole before the audit commits
        rows = labelled_month(session, operator(), since=start, until=end)
        written.write_text(labelled_csv(rows), encoding="utf-8-sig", newline="")
    found = {"file": str(out), "since": start.isoformat(), "until": end.isoformat(), "tickets": len(rows),
             "cases": len({row["case"] for row in rows})}  # fmt: skip
    emit(found, as_json, lambda: console.print(
        f"{out}: {found['tickets']} 张工单 tickets in {found['cases']} 件案件 cases ({start} – {end}); "
        "来电人以化名代替 callers as pseudonyms"))  # fmt: skip


@app.command("stats")
def stats_command(
    ctx: typer.Context,
    since: datetime | None = Since,
    until: datetime | None = Until,
    as_json: bool = JsonOption,
) -> None:
    """The desk's figures: cases by kind, district, industry, respondent; clock breaches; double work removed."""
    start, end = desk_period(since, until)
    with transaction(ctx) as (workspace, session):
        figures = statistics(session, operator(), load_calendar(workspace.root), since=start, until=end,
                             warn_before=workspace.config.hotline.warn_days,
                             words=words_of(workspace.config.hotline))  # fmt: skip

    def show() -> None:
        console.print(f"{figures['since']} – {figures['until']}: {figures['tickets']} 张工单 tickets → "
                      f"{figures['cases']} 件案件 cases：{figures['answers_saved']} 份答复不必重复撰写 "
                      "answers not written twice")  # fmt: skip
        console.print(f"渠道 channels: {figures['tickets_per_channel']}")
        console.print(f"类型 kinds: {figures['by_kind']}")
        console.print(f"问题类别 problems: {figures['by_problem']}")
        console.print(f"区县 districts: {figures['by_district']}")
        console.print(f"超时 breached clocks: {figures['breached_clocks']}")
        for row in figures["repeat_respondents"][:10]:
            console.print(f"  重复被投诉 repeat: {row['name']} {row['cases']}")

    emit(figures, as_json, show)
