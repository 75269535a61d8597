"""The inspector register (执法检查人员名录库): the users who inspect, the office each inspects for, what they are
qualified for (执法资格), their certificate, whether they can be sent now; and the relations they declared with
entities (回避), which keep them off those entities' teams."""

from __future__ import annotations

import json
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import audit
from zhizhi.access.departments import get_department_by_code, within_scope
from zhizhi.access.roles import Actor, Role, require
from zhizhi.errors import InputError, NotFoundError, PermissionDeniedError, ZhizhiError
from zhizhi.inspections.excel import Column, Problems, once_each, parse_day, parse_flag, read_sheet, write_book
from zhizhi.inspections.items import QUALIFICATION_SEPARATORS, ImportReport
from zhizhi.privacy.masking import mask_known
from zhizhi.resolve.register import current_id
from zhizhi.store.tables import Department, Entity, Inspector, InspectorRelation, User, UserRole
from zhizhi.store.types import local_today, utcnow

MAX_INSPECTORS = 100_000
MAX_CERTIFICATE, MAX_NOTE = 64, 200
COLUMNS = (
    Column("username", "用户名", "Username", ("账号",), required=True),
    Column("display_name", "姓名", "Name"),
    Column("office", "所属单位", "Office", ("单位编码", "所属所")),
    Column("qualifications", "执法资格", "Qualifications", ("资格",)),
    Column("certificate", "执法证号", "Certificate", ("执法证件号",)),
    Column("available", "是否可派", "Available", ("可派",)),
    Column("unavailable_until", "不可派至", "Unavailable until", ("暂停至",)),
    Column("note", "备注", "Note"),
)


class InspectorValueError(InputError):
    """A value of one inspector refused, with the field it was given for (an import names its column)."""

    def __init__(self, field: str, message: str, *, zh: str) -> None:
        super().__init__(message, zh=zh)
        self.field = field


def drawable(inspector: Inspector, user: User, day: date) -> bool:
    """Whether the inspector can be sent on `day` (`not_drawable` says why not)."""
    return not_drawable(inspector, user, day) is None


def not_drawable(inspector: Inspector, user: User, day: date) -> str | None:
    """Why the inspector cannot be sent on `day`, or None: `inactive` (the account is off), `no_certificate` (no
    enforcement certificate recorded: an inspection is made by at least two officers who show their certificates,
    行政处罚法 Art 42 and 55), `unavailable` (marked unavailable, and not only until before `day`)."""
    if not user.is_active:
        return "inactive"
    if not (inspector.certificate or "").strip():
        return "no_certificate"
    if inspector.available or (inspector.unavailable_until is not None and day > inspector.unavailable_until):
        return None
    return "unavailable"


def qualifications_of(inspector: Inspector) -> list[str]:
    return [q for q in inspector.qualifications.split(",") if q]


def inspector_as_dict(inspector: Inspector, user: User, office: Department) -> dict[str, Any]:
    """The JSON form of an inspector (no personal data: name, office and certificate are on every record)."""
    return {
        "user_id": user.id,
        "username": user.username,
        "display_name": user.display_name,
        "office": office.code,
        "office_name": office.name,
        "qualifications": qualifications_of(inspector),
        "certificate": inspector.certificate,
        "available": inspector.available,
        "unavailable_until": inspector.unavailable_until.isoformat() if inspector.unavailable_until else None,
        "note": inspector.note,
        "active": user.is_active,
        "not_drawable": not_drawable(inspector, user, local_today()),
    }


def list_inspectors(session: Session, actor: Actor) -> list[dict[str, Any]]:
    """The inspectors of the actor's subtree (by their office), by office and username."""
    require(actor, "data.read")
    rows = session.execute(
        select(Inspector, User, Department)
        .join(User, User.id == Inspector.user_id)
        .join(Department, Department.id == Inspector.office_id)
        .where(within_scope(actor, Inspector.office_id))
        .order_by(Department.path, User.username)
    )
    return [inspector_as_dict(i, u, d) for i, u, d in rows]


def refresh_inspectors(session: Session, actor: Actor) -> int:
    """Enter every active handler (经办人, who inspect) of the actor's subtree not yet in the register, inspecting for
    their own department; returns how many were entered."""
    require(actor, "data.write")
    known = select(Inspector.user_id)
    handlers = session.scalars(
        select(User)
        .join(UserRole, UserRole.user_id == User.id)
        .where(UserRole.role == Role.HANDLER.value, User.is_active, User.id.not_in(known))
        .where(within_scope(actor, User.department_id))
        .order_by(User.id)
    ).all()
    for user in handlers:
        session.add(
            Inspector(
                user_id=user.id,
                office_id=user.department_id,
                qualifications="",
                available=True,
                updated_at=utcnow(),
                updated_by=actor.name,
            )
        )
    if handlers:
        audit.record(
            session,
            actor,
            "inspectors.refresh",
            object_type="inspectors",
            detail={"added": [u.username for u in handlers][:50], "count": len(handlers)},
        )
    return len(handlers)


def _qualifications(username: str, written: str) -> str:
    """An inspector's qualifications as stored: the words, sorted, once each, joined by `,`."""
    words = sorted({w for w in QUALIFICATION_SEPARATORS.split(written.strip()) if w})
    if any(len(w) > 32 for w in words) or len(",".join(words)) > 400:
        raise InputError(
            f"Inspector `{username}`: qualifications are words of at most 32 characters, 400 in all.",
            zh=f"检查人员 `{username}`：每项执法资格不超过32字，合计不超过400字。",
        )
    return ",".join(words)


def set_inspector(
    session: Session,
    actor: Actor,
    username: str,
    *,
    office: str | None = None,
    qualifications: str | None = None,
    certificate: str | None = None,
    available: bool | None = None,
    unavailable_until: date | None = None,
    note: str | None = None,
) -> tuple[Inspector, str]:
    """Enter or change one inspector (a user of the actor's subtree); None leaves a value as it is, and a day they
    are unavailable until says they are unavailable now. Returns the inspector and `created`, `updated` or
    `unchanged`."""
    require(actor, "data.write")
    user = _user(session, actor, username)
    _check_values(username, available, unavailable_until, certificate, note)
    if unavailable_until is not None and available is None:
        available = False
    inspector = session.get(Inspector, user.id)
    values: dict[str, Any] = {}
    if office:
        values["office_id"] = get_department_by_code(session, actor, office).id
    if qualifications is not None:
        values["qualifications"] = _qualifications(username, qualifications)
    if certificate is not None:
        values["certificate"] = certificate.strip() or None
    if available is not None:
        values["available"] = available
        values["unavailable_until"] = None if available else unavailable_until
    if note is not None:
        values["note"] = note.strip() or None
    if inspector is None:
        inspector = Inspector(
            user_id=user.id,
            office_id=values.pop("office_id", user.department_id),
            qualifications=values.pop("qualifications", ""),
            available=True,
        )
        session.add(inspector)
        state = "created"
    elif all(getattr(inspector, k) == v for k, v in values.items()):
        return inspector, "unchanged"
    else:
        state = "updated"
    for key, value in values.items():
        setattr(inspector, key, value)
    inspector.updated_at, inspector.updated_by = utcnow(), actor.name
    session.flush()
    audit.record(
        session,
        actor,
        f"inspector.{'create' if state == 'created' else 'update'}",
        object_type="user",
        object_id=username,
        detail={k: str(v) for k, v in values.items()},
    )
    return inspector, state


def _check_values(
    username: str, available: bool | None, until: date | None, certificate: str | None, note: str | None
) -> None:
    """Refuse what would be kept otherwise than given: available with a day unavailable until, a certificate or a
    note cut short."""
    if available and until is not None:
        raise InspectorValueError(
            "unavailable_until",
            f"Inspector `{username}` is given as available and unavailable until {until}: leave the day out, or "
            "mark them unavailable (否).",
            zh=f"检查人员 `{username}` 既标为可派又填写了不可派至 {until}：请删去日期，或将“是否可派”改为“否”。",
        )
    if certificate is not None and len(certificate.strip()) > MAX_CERTIFICATE:
        raise InspectorValueError(
            "certificate",
            f"Inspector `{username}`: the certificate number has {len(certificate.strip())} characters; at most "
            f"{MAX_CERTIFICATE}. Give the number on the enforcement certificate alone.",
            zh=f"检查人员 `{username}`：执法证号有 {len(certificate.strip())} 个字符，最多 {MAX_CERTIFICATE} 个，"
            "请只填写执法证上的证号。",
        )
    if note is not None and len(note.strip()) > MAX_NOTE:
        raise InspectorValueError(
            "note",
            f"Inspector `{username}`: the note has {len(note.strip())} characters; at most {MAX_NOTE}. Shorten it.",
            zh=f"检查人员 `{username}`：备注有 {len(note.strip())} 个字，最多 {MAX_NOTE} 个，请精简。",
        )


def _user(session: Session, actor: Actor, username: str) -> User:
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or not actor.covers(user.department.path):
        raise NotFoundError(
            f"No user `{username}` in your scope. See `zhizhi user list`.",
            zh=f"在您的权限范围内没有用户 `{username}`。",
        )
    return user


def import_inspectors(session: Session, actor: Actor, data: bytes, file_name: str) -> ImportReport:
    """Enter or change inspectors from an .xlsx (see `COLUMNS`); every problem at once, then nothing imported."""
    require(actor, "data.write")
    problems = Problems(file_name)
    column = {c.name: c for c in COLUMNS}
    counts = {"created": 0, "updated": 0, "unchanged": 0}
    with session.begin_nested():  # a file with any problem changes nothing
        rows = read_sheet(data, file_name, COLUMNS, max_rows=MAX_INSPECTORS)
        for number, row in once_each(rows, column["username"], problems):
            available = parse_flag(row["available"]) if row.get("available") else None
            if row.get("available") and available is None:
                problems.add(number, column["available"], row["available"], "write 是 or 否", "请填写“是”或“否”")
                continue
            until = parse_day(row["unavailable_until"]) if row.get("unavailable_until") else None
            if row.get("unavailable_until") and until is None:
                problems.add(
                    number,
                    column["unavailable_until"],
                    row["unavailable_until"],
                    "not a date: write 2027-03-31",
                    "不是日期，请写成 2027-03-31",
                )
                continue
            try:
                with session.begin_nested():
                    _, state = set_inspector(
                        session,
                        actor,
                        row["username"],
                        office=row.get("office") or None,
                        qualifications=row.get("qualifications"),
                        certificate=row.get("certificate"),
                        available=available,
                        unavailable_until=until,
                        note=row.get("note"),
                    )
                counts[state] += 1
            except ZhizhiError as exc:
                field = "office" if isinstance(exc, NotFoundError) and "department" in exc.message else "username"
                if "qualification" in exc.message:
                    field = "qualifications"
                field = getattr(exc, "field", field)
                problems.add(number, column[field], row.get(field, ""), exc.message, exc.message_zh or exc.message)
        problems.raise_if_any()
    return ImportReport(**counts)


def export_inspectors(session: Session, actor: Actor) -> bytes:
    """The inspectors of the actor's subtree as .xlsx, in the columns an import reads."""
    rows = (
        (
            i["username"],
            i["display_name"],
            i["office"],
            "、".join(i["qualifications"]),
            i["certificate"] or "",
            "是" if i["available"] else "否",
            i["unavailable_until"] or "",
            i["note"] or "",
        )
        for i in list_inspectors(session, actor)
    )
    return write_book("执法检查人员名录库", COLUMNS, rows)


def declare_relation(session: Session, actor: Actor, username: str, entity_id: int, relation: str) -> int:
    """Record that the inspector `username` has a relation with the entity (回避申报): declared by the inspector
    themself, or entered by a steward of their subtree; one named by an id merged since is kept against the firm it
    was merged into. Returns the declaration's id."""
    require(actor, "data.read")
    user = session.scalar(select(User).where(User.username == username.strip()))
    if user is None or (
        actor.user_id != user.id and not (actor.can("data.write") and actor.covers(user.department.path))
    ):
        if user is not None and actor.covers(user.department.path):
            raise PermissionDeniedError(
                "Only the inspector themself or a steward declares a relation.",
                zh="只有检查人员本人或数据管理员可以申报回避关系。",
            )
        raise NotFoundError(f"No user `{username}` in your scope.", zh=f"在您的权限范围内没有用户 `{username}`。")
    text = relation.strip()
    if not 2 <= len(text) <= 200:
        raise InputError(
            "Say what the relation is (2-200 characters), e.g. 配偶经营.",
            zh="请说明回避关系（2-200字），如“配偶经营”。",
        )
    if session.get(Entity, entity_id) is None:
        raise NotFoundError(f"No entity `{entity_id}` in the register.", zh=f"主体库中没有主体 `{entity_id}`。")
    named, entity_id = entity_id, current_id(session, entity_id)  # a merged firm is the one it was merged into
    declared = InspectorRelation(
        user_id=user.id, entity_id=entity_id, relation=text, declared_at=utcnow(), declared_by=actor.name
    )
    session.add(declared)
    session.flush()
    audit.record(
        session,
        actor,
        "inspector.relation",
        object_type="user",
        object_id=user.username,
        detail={"entity_id": entity_id, "relation": _as_audited(session, text, entity_id),
                **({"named": named} if named != entity_id else {})},
    )  # fmt: skip
    return declared.id


def _as_audited(session: Session, relation: str, entity_id: int) -> str:
    """A relation as the audit trail keeps it (never erased, read by auditors): the numbers in it masked, and the
    firm's legal representative (often the relative it names) wherever it writes them."""
    golden = json.loads(session.get_one(Entity, entity_id).golden or "{}").get("legal_representative")
    legal = golden.get("value") if isinstance(golden, dict) else golden
    return str(mask_known(relation, (legal if isinstance(legal, str) else None,)))


def relations_of(session: Session, actor: Actor, username: str) -> list[dict[str, Any]]:
    """The relations an inspector declared, newest first."""
    require(actor, "data.read")
    user = _user(session, actor, username)
    rows = session.scalars(
        select(InspectorRelation).where(InspectorRelation.user_id == user.id).order_by(InspectorRelation.id.desc())
    )
    return [
        {
            "id": r.id,
            "entity_id": r.entity_id,
            "relation": r.relation,
            "declared_by": r.declared_by,
            "withdrawn": r.withdrawn_at is not None,
        }
        for r in rows
    ]
