"""The hotline's two public pages, for citizens without an account: the web form (网上投诉举报) and the lookup of a
ticket by its number and the last four digits of the caller's phone.

Both forms carry a CSRF token bound to a cookie (as the sign-in form does, before there is a session), every field
is bounded, and every use is counted per address (and, for the lookup, per ticket number) in the database
(`zhizhi.web.public_limits`): past the limit the answer is 429 with the wait. There is no CAPTCHA.
"""

from __future__ import annotations

import re
import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response

from zhizhi import hotline
from zhizhi.errors import InputError
from zhizhi.i18n import translate
from zhizhi.ingest.normalize import clean_identifier_value, clean_text_value, normalize_phone_value
from zhizhi.records.ticket import KINDS
from zhizhi.records.ticket_answer import DECISIONS
from zhizhi.web import public_limits
from zhizhi.web.deps import PRELOGIN_CSRF_COOKIE, DbSession, app_context, check_csrf, client_ip, locale_of
from zhizhi.web.public_limits import PUBLIC_BODY_BYTES
from zhizhi.web.templating import render

router = APIRouter()
FORM_KINDS = ("complaint", "report", "consultation", "suggestion")
MAX_TEXT = 2000
PHONE = re.compile(r"^\+?[0-9(][0-9 ()-]{5,18}[0-9]$")
# Each field's bound, checked by the form itself so a refusal names the field in the visitor's language; the
# parser's own bound (four times as much) only stops what no browser sends.
BOUNDS = {"kind": 16, "caller_name": 100, "caller_phone": 24, "caller_address": 200, "respondent_name": 200,
          "respondent_address": 200, "place": 200, "text": MAX_TEXT}  # fmt: skip
LABELS = {**{name: f"hotline.{name}" for name in BOUNDS}, "respondent_name": "hotline.respondent"}
MAX_NUMBER = 64
Short = Annotated[str, Form(max_length=4 * 100)]
Long = Annotated[str, Form(max_length=4 * 200)]
Token = Annotated[str, Form(max_length=100)]
DECISION_CODES = {label: code for code, label in DECISIONS.items()}


def _page(request: Request, template: str, context: dict[str, Any], status_code: int = 200) -> Response:
    """A public page whose form's CSRF token is bound to a cookie (there is no session)."""
    token = request.cookies.get(PRELOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    response = render(request, template, context, status_code=status_code, csrf_token=token)
    response.set_cookie(PRELOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


def _form_context(request: Request, **extra: Any) -> dict[str, Any]:
    return {"open": bool(app_context(request).workspace.config.hotline.desk), "kinds": FORM_KINDS, "form": {},
            "number": None, "error": None, **extra}  # fmt: skip


@router.get("/hotline/submit", response_class=HTMLResponse)
def show_web_form(request: Request) -> Response:
    """The public form: a complaint, report, question or suggestion to the bureau, without an account."""
    return _page(request, "hotline_submit.html", _form_context(request))


@router.post("/hotline/submit", response_class=HTMLResponse)
def submit_web_form(
    request: Request,
    db: DbSession,
    csrf_token: Token = "",
    kind: Annotated[str, Form(max_length=4 * 16)] = "",
    caller_name: Short = "",
    caller_phone: Annotated[str, Form(max_length=4 * 24)] = "",
    caller_address: Long = "",
    respondent_name: Long = "",
    respondent_address: Long = "",
    place: Long = "",
    text: Annotated[str, Form(max_length=4 * MAX_TEXT)] = "",
) -> Response:
    """Take the form as a ticket of the web channel and show its number; refused past the address's hourly limit."""
    check_csrf(request.cookies.get(PRELOGIN_CSRF_COOKIE), csrf_token)
    form = {"kind": kind, "caller_name": caller_name, "caller_phone": caller_phone, "caller_address": caller_address,
            "respondent_name": respondent_name, "respondent_address": respondent_address, "place": place,
            "text": text}  # fmt: skip
    form = {k: v.strip() for k, v in form.items()}
    workspace = app_context(request).workspace
    if not workspace.config.hotline.desk:
        return _page(request, "hotline_submit.html", _form_context(request), 404)
    locale = locale_of(request)
    error = _too_long(form, locale)
    problem = _problem(form)
    if error is None and problem is not None:
        error = translate(locale, problem)
    if error is not None:
        kept = {k: v[: BOUNDS[k]] for k, v in form.items()}  # the form again, as the visitor wrote it (bounded)
        return _page(request, "hotline_submit.html", _form_context(request, form=kept, error=error), 422)
    public_limits.count_use(db, public_limits.FORM, ip=client_ip(request))
    try:
        with db.begin_nested():  # a refused ticket leaves nothing but the count of this use
            number = hotline.web_ticket(db, workspace, {**form, "kind": KINDS[form["kind"]]}, ip=client_ip(request))
    except InputError:  # a value the ingest refused: the steward's findings are not for the public page
        refused = _form_context(request, form=form, error=translate(locale, "hotline.public.not_taken"))
        return _page(request, "hotline_submit.html", refused, 422)
    return _page(request, "hotline_submit.html", _form_context(request, number=number))


def _too_long(form: dict[str, str], locale: str) -> str | None:
    """The first field past its bound, said in the visitor's language with the bound, or None."""
    for name, most in BOUNDS.items():
        if len(form[name]) > most:
            field = translate(locale, LABELS[name])
            return translate(locale, "hotline.public.too_long", field=field, most=most, count=len(form[name]))
    return None


def _problem(form: dict[str, str]) -> str | None:
    """What is wrong with the form, as a catalogue key, or None."""
    if form["kind"] not in FORM_KINDS:
        return "hotline.public.bad_kind"
    # The phone as the ticket keeps it (the lookup asks for its last four digits): what the ingest cannot read as a
    # mobile, or a landline with its area code, would be dropped, and the ticket never found again.
    # Full-width digits and dashes as an input method types them, as the ingest reads them.
    phone = clean_text_value(form["caller_phone"]) or ""
    if not PHONE.match(phone) or normalize_phone_value(phone).phone is None:
        return "hotline.public.bad_phone"
    if len(clean_text_value(form["text"]) or "") < 10:  # counted as kept: invisible characters are no words
        return "hotline.public.short_text"
    return None


@router.get("/hotline/lookup", response_class=HTMLResponse)
def show_lookup(request: Request) -> Response:
    """The citizen's lookup: a ticket's number and the last four digits of the phone it was made from."""
    return _page(request, "hotline_lookup.html", {"found": None, "asked": False, "number": ""})


@router.post("/hotline/lookup", response_class=HTMLResponse)
def look_up_ticket(
    request: Request,
    db: DbSession,
    csrf_token: Token = "",
    number: Annotated[str, Form(max_length=PUBLIC_BODY_BYTES)] = "",  # bounded by the public form's body
    phone_last4: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """The ticket's stage and dates, and nothing else; the same answer for no such ticket and wrong digits."""
    check_csrf(request.cookies.get(PRELOGIN_CSRF_COOKIE), csrf_token)
    # Cleaned as the ingest cleaned the ticket's number (spaces, full-width digits), before it is counted: each way
    # of writing one number is that number, for the lookup and for its limit alike.
    number = clean_identifier_value(number[: 4 * MAX_NUMBER]) or ""
    for limit in (public_limits.LOOKUP_DAY, public_limits.LOOKUP):
        public_limits.count_use(db, limit, ip=client_ip(request), key=number[: 4 * MAX_NUMBER])
    # A number past any ticket's length finds nothing, as a wrong one does (not a page of its own).
    found = hotline.lookup(db, number, phone_last4) if len(number) <= MAX_NUMBER else None
    decision = DECISION_CODES.get(found.decision_zh or "") if found else None
    context = {"found": found, "decision": decision, "asked": True, "number": number[:MAX_NUMBER]}
    return _page(request, "hotline_lookup.html", context)
