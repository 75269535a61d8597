"""Masking by default, unmasking by permission and purpose, and keyed pseudonyms that keep masked data linkable.

Every page, API answer and export shows personal data masked (`450202********1232`, `135****4297`, `彭**`). A user
whose role grants `personal.read` sees a record's values only by declaring a purpose for that read: each record so
read is one `personal.read` audit event with the purpose, and a user may unmask at most `privacy.unmask_per_hour`
records an hour. A search by a whole personal value (the register's, by a phone) unmasks nothing but tells whose
number it is: it is one `personal.search` event, counted per hour the same way (`look_up`).
"""

from __future__ import annotations

import hashlib
import hmac
import os
import re
import secrets
import unicodedata
from collections.abc import Iterable, Mapping
from datetime import timedelta
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit
from zhizhi.access.limits import hold
from zhizhi.access.roles import require
from zhizhi.errors import InputError, PermissionDeniedError, RateLimitedError
from zhizhi.privacy.catalogue import (
    BIOMETRIC,
    CATEGORIES,
    FREE_TEXT,
    classify_columns,
    header_category,
    personal_columns,
)
from zhizhi.privacy.detect import mask_text, mask_value
from zhizhi.store.tables import AuditEvent
from zhizhi.store.types import utcnow

PSEUDONYM_KEY = "pseudonym.key"
PURPOSE_MAX = 200
_MOBILE = re.compile(r"^(?:\+?86[ -]?)?1[3-9]\d(?:[ -]?\d{4}){2}$")


def mask(category: str, value: Any) -> Any:
    """`value` of a personal-data category as everyone but a purposeful reader sees it."""
    if isinstance(value, list):
        return [mask(category, item) for item in value]
    if not isinstance(value, str) or not value.strip():
        return value
    text = value.strip()
    if category == FREE_TEXT:
        return mask_text(value)
    if "*" in text:  # masked already: masking twice changes nothing
        return value
    if category == BIOMETRIC:
        return "[已隐去]"
    if category == "person_name":
        return text[0] + "*" * max(len(text) - 1, 1)
    if category == "person_address":
        return _area_only(text)
    if category == "email" and "@" in text:
        return mask_value("email", text)
    if category == "phone":
        return mask_value("mobile" if _MOBILE.match(text) else "landline", text) if len(text) >= 7 else _stars(text)
    if category in ("identity_number", "bank_card") and len(text) > 10:
        return text[:6] + "*" * (len(text) - 10) + text[-4:]
    return _stars(text)


def mask_known(value: Any, people: Iterable[str | None] = ()) -> Any:
    """Free text as everyone but its writers sees it: the numbers found in it masked, and the names of `people` its
    context knows (who signed a visit's results, the firm's legal representative) masked wherever it writes them."""
    text = mask(FREE_TEXT, value)
    if not isinstance(text, str):
        return text
    for name in sorted({p.strip() for p in people if p and len(p.strip()) >= 2}, key=len, reverse=True):
        text = text.replace(name, str(mask("person_name", name)))
    return text


def mask_data(record_type: str, data: Mapping[str, Any]) -> dict[str, Any]:
    """A record's data with every personal column masked (a copy)."""
    columns = personal_columns(record_type)
    return {name: mask(columns[name], value) if name in columns else value for name, value in data.items()}


def mask_cells(cells: Mapping[str, Any], categories: Mapping[str, str]) -> dict[str, Any]:
    """A raw row's cells masked: mapped columns by their field's category, every other text by detection. A column
    feeding a field that is not personal still has a resident identity number masked: a credit-code column holds an
    individual business's operator's number where the business has no code on file."""
    return {
        name: mask(categories.get(name, FREE_TEXT), value) if categories.get(name) != "none" else _ids_masked(value)
        for name, value in cells.items()
    }


def _ids_masked(value: Any) -> Any:
    return mask_text(value, ("resident_id",)) if isinstance(value, str) else value


def check_purpose(purpose: str | None) -> str:
    """The declared purpose, trimmed, its control and invisible characters taken out; InputError when it is missing,
    too long, or says nothing (fewer than two letters or digits: `%00%00`, three zero-width spaces, `...`)."""
    text = " ".join("".join(c for c in (purpose or "") if unicodedata.category(c)[0] != "C").split())
    said = sum(1 for c in text if unicodedata.category(c)[0] in "LN")
    if said < 2 or len(text) > PURPOSE_MAX:
        raise InputError(
            f"State the purpose of reading personal data (2-{PURPOSE_MAX} characters), e.g. `投诉处理：回访投诉人`.",
            zh=f"查看个人信息须说明用途（2-{PURPOSE_MAX} 个字），例如“投诉处理：回访投诉人”。",
        )
    return text


def disclose(
    session: Session,
    actor: Actor,
    *,
    purpose: str | None,
    object_type: str,
    object_ids: list[str],
    fields: list[str],
    per_hour: int,
    rule: str | None = None,
) -> str:
    """Allow an unmasked read of these objects: permission, purpose and the hourly limit; one audit event each.

    `rule` names a narrower rule the caller has already applied in place of the `personal.read` permission (the
    hotline desk's: the assigned handler and their leaders); it is recorded with each event.
    Returns the purpose as recorded. Nothing is audited when the read is refused.
    """
    if rule is None:
        require(actor, "personal.read")
        _not_the_desks(session, object_type, object_ids)
    declared = check_purpose(purpose)
    done = _this_hour(session, actor, "personal.read")
    if done + len(object_ids) > per_hour:
        raise RateLimitedError(
            f"You unmasked {done} records in the last hour; the limit is {per_hour}. Try again later, or ask the "
            "administrator to raise `privacy.unmask_per_hour` if your work needs it.",
            zh=f"您在一小时内已查看 {done} 条记录的个人信息，上限为 {per_hour} 条，请稍后再试。",
            retry_after=600,
        )
    for object_id in object_ids:
        audit.record(
            session,
            actor,
            "personal.read",
            object_type=object_type,
            object_id=object_id,
            purpose=declared,
            detail={"fields": fields, **({"rule": rule} if rule else {})},
        )
    return declared


def look_up(
    session: Session, actor: Actor, *, category: str, values: list[str], found: list[int], per_hour: int
) -> None:
    """Allow a search by whole personal values (`values`, of one `category`) that found the entities `found`: at most
    `per_hour` such searches an hour; one `personal.search` audit event each, the values in it masked.

    The answer shows nothing the searcher did not type, but it tells whose number a guess is: counted, a masked
    phone's four hidden digits cannot be tried one guess after another. Nothing is audited when it is refused.
    """
    done = _this_hour(session, actor, "personal.search")
    if done + 1 > per_hour:
        zh, en, _ = CATEGORIES[category]
        raise RateLimitedError(
            f"You searched by a {en} {done} times in the last hour; the limit is {per_hour}. Try again later, or "
            "search by the firm's name, credit code or address.",
            zh=f"您在一小时内已按{zh}查找 {done} 次，上限为 {per_hour} 次，请稍后再试，或按名称、信用代码或地址查找。",
            retry_after=600,
        )
    masked = [mask(category, value) for value in values]
    detail = {"fields": [category], "searched": masked, "found": found}
    audit.record(session, actor, "personal.search", object_type="entity", detail=detail)


def _this_hour(session: Session, actor: Actor, action: str) -> int:
    """How many events of `action` the actor has in the audit trail of the last hour; a second request of the actor's
    waits here until the first has written its events (`zhizhi.access.limits`)."""
    hold(session, f"{action}:{actor.name}")
    since = utcnow() - timedelta(hours=1)
    query = select(func.count()).where(AuditEvent.action == action, AuditEvent.actor == actor.name)
    return int(session.scalar(query.where(AuditEvent.at >= since)) or 0)


DESK_ONLY = frozenset({"ticket"})
"""Record types whose identities only their desk's own rule discloses (the hotline desk: the assigned handler and
their leaders; a reporter's, the handler alone, Art 33): `personal.read` elsewhere does not open them."""


def _not_the_desks(session: Session, object_type: str, object_ids: list[str]) -> None:
    """Refuse a general unmasking of a ticket's record, raw row or quarantined row."""
    from zhizhi.store.tables import Batch, QuarantineItem, RawRow, Record

    numbers = [int(i.rsplit(":", 1)[-1]) for i in object_ids if i.rsplit(":", 1)[-1].isdigit()]
    if not numbers:
        return
    if object_type == "record":
        query = select(Record.record_type).where(Record.id.in_(numbers))
    elif object_type == "raw_row":
        query = select(Batch.record_type).join(RawRow, RawRow.batch_id == Batch.id).where(RawRow.id.in_(numbers))
    elif object_type == "quarantine_item":
        query = (
            select(Batch.record_type)
            .join(RawRow, RawRow.batch_id == Batch.id)
            .join(QuarantineItem, QuarantineItem.raw_row_id == RawRow.id)
            .where(QuarantineItem.id.in_(numbers))
        )
    else:
        return
    if DESK_ONLY & set(session.scalars(query)):
        raise PermissionDeniedError(
            "A hotline caller's identity is shown only on the case's page, to its assigned handler (and, for a "
            "complaint, their leaders). Open the case on the hotline desk.",
            zh="投诉举报人的身份信息只在案件页面向承办人（投诉还包括其所在单位领导）显示，请在热线工作台打开该案件。",
        )


def disclose_export(session: Session, actor: Actor, *, purpose: str | None, what: str, count: int) -> str:
    """Allow a bulk export of unmasked personal data: permission and purpose; one `personal.export` event."""
    require(actor, "personal.read")
    declared = check_purpose(purpose)
    audit.record(
        session,
        actor,
        "personal.export",
        object_type="export",
        object_id=what,
        purpose=declared,
        detail={"rows": count},
    )
    return declared


def pseudonym_key(keys_dir: Path) -> bytes:
    """The workspace's pseudonym key (32 random bytes in `data/keys/`), made on first use."""
    path = keys_dir / PSEUDONYM_KEY
    if not path.exists():
        keys_dir.mkdir(parents=True, exist_ok=True)
        try:
            descriptor = os.open(path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        except FileExistsError:
            return path.read_bytes()
        with os.fdopen(descriptor, "wb") as handle:
            handle.write(secrets.token_bytes(32))
    return path.read_bytes()


def pseudonym(key: bytes, value: Any) -> str | None:
    """A stable stand-in for a personal value (`p_` and 16 hex digits): the same value, the same pseudonym, in this
    workspace only; it cannot be turned back without the key."""
    if not isinstance(value, str) or not value.strip():
        return None
    normal = re.sub(r"[\s-]", "", value).upper()
    return "p_" + hmac.new(key, normal.encode(), hashlib.sha256).hexdigest()[:16]


def _stars(text: str) -> str:
    return "*" * len(text)


def _area_only(address: str) -> str:
    """A person's address as everyone but a purposeful reader sees it: the divisions it starts with (province, city,
    county), the rest hidden. Its first characters were kept before, which showed the street and house number of an
    address written without its city (文昌路5号3栋, 城中区文昌路5号) and of an address's street part (`…_rest`)."""
    from zhizhi.ingest.normalize.divisions import division_index

    head = division_index().longest_chain(address) or ""
    return head + "****"


def mask_row(record_type: str, mapped: Mapping[str, str], cells: Mapping[str, Any]) -> dict[str, Any]:
    """A raw row's cells masked through its source's mapping (`mapped`: column -> field) and its headers."""
    return mask_cells(cells, classify_columns(record_type, list(cells), dict(mapped)))


def mask_example(record_type: str, example: Mapping[str, Any]) -> dict[str, Any]:
    """A batch report's example finding with its value, and the value inside its message, masked."""
    category = personal_columns(record_type).get(str(example.get("field") or ""))
    if category is None and example.get("column"):
        category = header_category(str(example["column"]))
    value = example.get("value")
    hidden = mask(category, value) if category else mask_text(value) if isinstance(value, str) else value
    found = dict(example)
    found["value"] = hidden
    for key in ("message_zh", "message"):
        message = example.get(key)
        if isinstance(message, str):
            if isinstance(value, str) and value and hidden != value:
                message = message.replace(value, str(hidden))
            found[key] = mask_text(message)
    return found
