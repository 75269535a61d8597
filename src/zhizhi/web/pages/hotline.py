"""The hotline desk's pages (热线): the case list, a case with its tickets, clocks and a handler's forms, the
suggestions to confirm or keep apart, and the statistics. Each page is built on the same functions as its JSON
twin under /api/hotline; every form posts back and is answered with a redirect to the page it changed."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import urlencode

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi import hotline
from zhizhi.errors import InputError
from zhizhi.hotline.cases import MAX_REASON, MAX_RESULT
from zhizhi.records.ticket import KINDS
from zhizhi.web import hotline_view
from zhizhi.web.deps import (
    DbSession,
    FormCasesWriter,
    FormDataReader,
    Id,
    PageDataReader,
    Paging,
    app_context,
)
from zhizhi.web.forms import optional_date
from zhizhi.web.templating import render

router = APIRouter()
Number = Annotated[str, Path(min_length=1, max_length=hotline_view.MAX_NUMBER)]
Reason = Annotated[str, Form(max_length=MAX_REASON)]
Short = Annotated[str, Form(max_length=64)]
STAGES = ("received", "accepted", "closed", "merged")


def _back(number: str, done: str) -> Response:
    return RedirectResponse(f"/hotline/cases/{number}?" + urlencode({"done": done}), status_code=303)


@router.get("/hotline", response_class=HTMLResponse)
def show_cases(
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    pager: Paging,
    stage: Annotated[str, Query(max_length=16)] = "",
    kind: Annotated[str, Query(max_length=16)] = "",
    office: Annotated[str, Query(max_length=32)] = "",
    taken: Annotated[int | None, Query(ge=0, le=10**9)] = None,
    moved: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """The cases of the caller's subtree, newest first, with their clocks' worst status; filtered and paged."""
    found = hotline.list_cases(db, actor, stage=stage or None, kind=kind or None, office=office or None,
                               limit=pager.limit, offset=pager.offset)  # fmt: skip
    filters = {"stage": stage, "kind": kind, "office": office}
    on = hotline_view.desk(request)
    context = {
        "cases": hotline_view.rows(db, pager.rows(found), on),
        "filters": filters,
        "stages": STAGES,
        "kinds": list(KINDS),
        "offices": hotline_view.offices(db, actor),
        "pager": pager.keep(filters),  # not the notice of cases taken
        "taken": taken,
        "moved": moved,
        "may_write": actor.can("cases.write"),
    }
    return render(request, "hotline_cases.html", context)


@router.get("/hotline/cases/{number}", response_class=HTMLResponse)
def show_case(
    number: Number,
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    done: Annotated[str, Query(max_length=32)] = "",
) -> Response:
    """A case: its tickets on every channel and how each joined, its clocks and pauses, and the handler's forms."""
    case = hotline_view.view(db, actor, number, hotline_view.desk(request))
    context = {"case": case, "done": done, "offices": hotline_view.offices(db, actor)}
    return render(request, "hotline_case.html", context)


@router.post("/hotline/cases/{number}/identity", response_class=HTMLResponse)
def unmask_case(
    number: Number,
    request: Request,
    db: DbSession,
    actor: FormDataReader,
    purpose: Annotated[str, Form(max_length=200)] = "",
) -> Response:
    """The case with its callers' identities shown, for the purpose declared (audited), to those the rule allows."""
    case = hotline_view.view(db, actor, number, hotline_view.desk(request), purpose=purpose)
    context = {"case": case, "done": "", "purpose": purpose.strip(), "offices": hotline_view.offices(db, actor)}
    return render(request, "hotline_case.html", context)


@router.post("/hotline/cases/{number}/decide")
def decide_case(
    number: Number,
    request: Request,
    db: DbSession,
    actor: FormCasesWriter,
    decision: Short = "",
    result: Annotated[str, Form(max_length=MAX_RESULT)] = "",
    reason_code: Short = "",
) -> Response:
    """Record the decision and result once; every ticket of the case is answered on its channel."""
    case = hotline.get_case(db, actor, number)
    hotline.decide(db, actor, app_context(request).workspace, case, decision, result=result,
                   reason_code=reason_code or None, today=hotline_view.desk(request).today)  # fmt: skip
    return _back(case.number, "decided")


@router.post("/hotline/cases/{number}/assign")
def assign_case(
    number: Number, request: Request, db: DbSession, actor: FormCasesWriter, office: Short = "", handler: Short = "",
    reason: Reason = "",
) -> Response:
    """Move the case to another office or handler, with a reason (to the list when it left the caller's sight)."""
    case = hotline.get_case(db, actor, number)
    hotline.assign(db, actor, case, office=office.strip() or None, handler=handler.strip() or None, reason=reason,
                   workspace=app_context(request).workspace)  # fmt: skip
    if not hotline.sees(db, actor, case):
        return RedirectResponse("/hotline?" + urlencode({"moved": case.number}), status_code=303)
    return _back(case.number, "assigned")


@router.post("/hotline/cases/{number}/pause")
def pause_case(
    number: Number, request: Request, db: DbSession, actor: FormCasesWriter, reason: Reason = "", start: Short = ""
) -> Response:
    """Stop the case's clocks for testing or appraisal from the day given."""
    case = hotline.get_case(db, actor, number)
    day = optional_date(start.strip())
    if day is None:
        raise InputError("Give the first day not counted.", zh="请填写中止计时的开始日。")
    on = hotline_view.desk(request)
    hotline.pause(db, actor, case, reason=reason, start=day, calendar=on.calendar, today=on.today)
    return _back(case.number, "paused")


@router.post("/hotline/cases/{number}/resume")
def resume_case(number: Number, db: DbSession, actor: FormCasesWriter, last_day: Short = "") -> Response:
    """End the running pause; the day given is its last day not counted."""
    case = hotline.get_case(db, actor, number)
    day = optional_date(last_day.strip())
    if day is None:
        raise InputError("Give the pause's last day.", zh="请填写中止计时的最后一天。")
    hotline.resume(db, actor, case, last_day=day)
    return _back(case.number, "resumed")


@router.post("/hotline/cases/{number}/extend")
def extend_case(
    number: Number, request: Request, db: DbSession, actor: FormCasesWriter, reason: Reason = "", clock: Short = ""
) -> Response:
    """Record the approval of 15 more working days to verify a report's lead (or a lead found in mediation)."""
    case = hotline.get_case(db, actor, number)
    on = hotline_view.desk(request)
    lead = clock.strip() == "mediation_lead"
    hotline.extend(db, actor, case, reason=reason, calendar=on.calendar, today=on.today,
                   clock_name="mediation_lead" if lead else "report_verification")  # fmt: skip
    return _back(case.number, "extended")


@router.post("/hotline/cases/{number}/steps")
def mark_step(number: Number, db: DbSession, actor: FormCasesWriter, step: Short = "", on: Short = "") -> Response:
    """Record the day a step that starts or ends a legal clock was taken."""
    case = hotline.get_case(db, actor, number)
    day = optional_date(on.strip())
    if day is None:
        raise InputError("Give the day the step was taken.", zh="请填写该步骤的日期。")
    hotline.mark(db, actor, case, step.strip(), on=day)
    return _back(case.number, "marked")


@router.post("/hotline/cases/{number}/tickets/{record_id}/split")
def split_ticket(
    number: Number, record_id: Id, request: Request, db: DbSession, actor: FormCasesWriter, reason: Reason = ""
) -> Response:
    """Undo a merge: the ticket (or the case it came with) leaves for a case of its own."""
    hotline_view.check_ticket(db, actor, number, record_id)
    made = hotline.split(db, actor, app_context(request).workspace, record_id, reason=reason)
    return RedirectResponse(f"/hotline/cases/{made.number}?" + urlencode({"done": "split"}), status_code=303)


@router.get("/hotline/suggestions", response_class=HTMLResponse)
def show_suggestions(
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    done: Annotated[str, Query(max_length=16)] = "",
    case: Annotated[str, Query(max_length=64)] = "",
) -> Response:
    """Tickets that may be another case's grievance: both sides, the score and why, to confirm or keep apart."""
    found = [hotline.suggestion_row(db, s) for s in hotline.open_suggestions(db, actor)]
    context = {"suggestions": found, "done": done, "case": case, "may_write": actor.can("cases.write")}
    return render(request, "hotline_suggestions.html", context)


@router.post("/hotline/suggestions/{suggestion_id}/confirm")
def confirm_suggestion(suggestion_id: Id, request: Request, db: DbSession, actor: FormCasesWriter) -> Response:
    """One case: the suggested ticket's case joins the other."""
    hotline_view.case_of_suggestion(db, actor, suggestion_id)
    kept = hotline.confirm(db, actor, suggestion_id, app_context(request).workspace)
    return RedirectResponse("/hotline/suggestions?" + urlencode({"done": "confirmed", "case": kept.number}), 303)


@router.post("/hotline/suggestions/{suggestion_id}/apart")
def keep_suggestion_apart(suggestion_id: Id, db: DbSession, actor: FormCasesWriter) -> Response:
    """Not the same grievance: the suggestion is closed."""
    case = hotline_view.case_of_suggestion(db, actor, suggestion_id)
    hotline.keep_apart(db, actor, suggestion_id)
    return RedirectResponse("/hotline/suggestions?" + urlencode({"done": "apart", "case": case.number}), 303)


@router.post("/hotline/take-in")
def take_in_tickets(request: Request, db: DbSession, actor: FormCasesWriter) -> Response:
    """Put the tickets no case holds yet into cases now."""
    done = hotline.take_in(db, actor, app_context(request).workspace)
    return RedirectResponse(f"/hotline?taken={done.tickets}", status_code=303)


@router.get("/hotline/labelled.csv")
def show_labelled(
    actor: PageDataReader,
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """To the statistics of the period, whose form downloads it: the download is audited, a write, so it is posted
    with the CSRF token (another site's link must not make a signed-in browser export in its user's name)."""
    return RedirectResponse("/hotline/statistics?" + urlencode({"since": since, "until": until}), status_code=303)


@router.post("/hotline/labelled.csv")
def download_labelled(
    request: Request,
    db: DbSession,
    actor: FormDataReader,
    since: Annotated[str, Form(max_length=10)] = "",
    until: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """The period's tickets as a labelled month (each with its case and how it joined it; callers as pseudonyms,
    texts masked; audited), as `zhizhi cases export-labelled` writes it: for `zhizhi hotline evaluate` and `fit`."""
    on = hotline_view.desk(request)
    start, end = hotline_view.period(optional_date(since.strip()), optional_date(until.strip()), on.today)
    text = hotline.labelled_csv(hotline.labelled_month(db, actor, since=start, until=end))
    name = f"labelled-{start}-{end}.csv"
    return Response("\ufeff" + text, media_type="text/csv; charset=utf-8",
                    headers={"Content-Disposition": f'attachment; filename="{name}"'})  # fmt: skip


@router.get("/hotline/statistics", response_class=HTMLResponse)
def show_statistics(
    request: Request,
    db: DbSession,
    actor: PageDataReader,
    since: Annotated[str, Query(max_length=10)] = "",
    until: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """The desk's figures for a period (the last 30 days by default), and the answers merging saved."""
    on = hotline_view.desk(request)
    start, end = hotline_view.period(optional_date(since.strip()), optional_date(until.strip()), on.today)
    figures = hotline.statistics(db, actor, on.calendar, since=start, until=end, warn_before=on.settings.warn_days,
                                 words=hotline.words_of(on.settings))  # fmt: skip
    # The figures name kinds and stages in Chinese; the page says them in the reader's language.
    words = {label: f"hotline.kind.{code}" for code, label in KINDS.items()}
    words |= {zh: f"hotline.stage.{code}" for code, (zh, _) in hotline.STAGES.items()}
    return render(request, "hotline_statistics.html", {"s": figures, "words": words})
