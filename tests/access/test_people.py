"""Departments and users: the tree, roles, scoping to a department subtree, and the audit of each write."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from zhizhi.access import (
    Actor,
    actor_for,
    audit,
    create_department,
    create_user,
    get_department,
    get_user,
    list_departments,
    list_users,
    reveal_personal,
    set_active,
    set_password,
    user_as_dict,
)
from zhizhi.access.passwords import verify_password
from zhizhi.errors import ConflictError, InputError, NotFoundError, PermissionDeniedError, RateLimitedError
from zhizhi.store.tables import User


def actor(session: Session, username: str) -> Actor:
    user = session.query(User).filter_by(username=username).one()
    return actor_for(user, "10.0.0.1")


def test_the_tree_is_listed_in_order_and_scoped(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        everything = [d.code for d in list_departments(session, OPERATOR)]
        county = [d.code for d in list_departments(session, actor(session, "chengzhong"))]
    assert everything[0] == "LZ" and len(everything) == 17
    assert everything.index("LZ-CZ") < everything.index("LZ-CZ-ZN") < everything.index("LZ-YF")
    assert county == ["LZ-CZ", "LZ-CZ-ZN", "LZ-CZ-GY"]


def test_one_county_cannot_read_another(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        chengzhong = actor(session, "chengzhong")
        yufeng_dept = next(d for d in list_departments(session, OPERATOR) if d.code == "LZ-YF")
        with pytest.raises(NotFoundError):
            get_department(session, chengzhong, yufeng_dept.id)
        with pytest.raises(NotFoundError):
            get_user(session, chengzhong, "yufeng")
        assert {u.username for u in list_users(session, chengzhong)} == {"chengzhong", "zhongnan"}


@pytest.mark.parametrize(
    ("kind", "parent", "error"),
    [
        ("grassroots", "LZ-CZ-ZN", InputError),  # a grassroots office under a grassroots office
        ("bureau", "LZ", InputError),
        ("county", None, PermissionDeniedError),  # a second root, by a non-operator
        ("planet", "LZ", InputError),
        ("section", "NOPE", NotFoundError),
    ],
)
def test_the_tree_refuses_wrong_shapes(
    city: sessionmaker[Session], kind: str, parent: str | None, error: type[Exception]
) -> None:
    with city() as session, session.begin():
        admin = Actor(
            name="root-admin", user_id=None, department_id=1, department_path="/1/", roles=frozenset({"admin"})
        )  # type: ignore[arg-type]
        with pytest.raises(error):
            create_department(session, admin, code="NEW", name="新部门", kind=kind, parent_code=parent)


def test_department_codes_are_unique(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin(), pytest.raises(ConflictError, match="LZ-CZ"):
        create_department(session, OPERATOR, code="LZ-CZ", name="重复", kind="county", parent_code="LZ")


def test_an_admin_works_only_inside_their_subtree(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        create_user(
            session,
            OPERATOR,
            username="cz-admin",
            display_name="城中管理员",
            department_code="LZ-CZ",
            roles=["admin"],
            password="a-long-password",
            password_min_length=12,
        )
    with city() as session, session.begin():
        cz_admin = actor(session, "cz-admin")
        made = create_user(
            session,
            cz_admin,
            username="gy-handler",
            display_name="",
            department_code="LZ-CZ-GY",
            roles=["handler"],
            password="a-long-password",
            password_min_length=12,
        )
        assert made.display_name == "gy-handler"
        with pytest.raises(NotFoundError):
            create_user(
                session,
                cz_admin,
                username="yf-x",
                display_name="",
                department_code="LZ-YF",
                roles=["handler"],
                password="a-long-password",
                password_min_length=12,
            )
        with pytest.raises(NotFoundError):
            set_active(session, cz_admin, "yufeng", active=False)
        with pytest.raises(PermissionDeniedError, match="auditor"):
            create_user(
                session,
                cz_admin,
                username="cz-aud",
                display_name="",
                department_code="LZ-CZ",
                roles=["auditor"],
                password="a-long-password",
                password_min_length=12,
            )


@pytest.mark.parametrize(
    ("username", "roles", "password", "error", "match"),
    [
        ("bad name", ["handler"], "a-long-password", InputError, "not allowed"),
        ("ok", ["wizard"], "a-long-password", InputError, "unknown role `wizard`"),
        ("ok", [], "a-long-password", InputError, "at least one role"),
        ("ok", ["handler"], "short", InputError, "too short"),
        ("admin", ["handler"], "a-long-password", ConflictError, "taken"),
    ],
)
def test_user_input_is_checked(
    city: sessionmaker[Session], username: str, roles: list[str], password: str, error: type[Exception], match: str
) -> None:
    with city() as session, session.begin(), pytest.raises(error, match=match):
        create_user(
            session,
            OPERATOR,
            username=username,
            display_name="",
            department_code="LZ",
            roles=roles,
            password=password,
            password_min_length=12,
        )


def test_an_unknown_role_or_department_kind_is_said_in_chinese_too(city: sessionmaker[Session]) -> None:
    """The Chinese pages showed `unknown role superuser` and `Unknown department kind planet` in English."""
    with city() as session, session.begin(), pytest.raises(InputError) as role:
        create_user(session, OPERATOR, username="ok", display_name="", department_code="LZ", roles=["superuser"],
                    password="a-long-password", password_min_length=12)  # fmt: skip
    assert "角色 `superuser` 不存在" in (role.value.message_zh or "") and "handler" in (role.value.message_zh or "")
    with city() as session, session.begin(), pytest.raises(InputError) as kind:
        create_department(session, OPERATOR, code="LZ-NEW", name="新部门", kind="planet", parent_code="LZ")
    assert "部门类型 `planet` 不存在" in (kind.value.message_zh or "")


def test_roles_decide_what_a_user_may_do(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        leader, handler, auditor = (actor(session, n) for n in ("leader", "zhongnan", "auditor"))
        assert len(list_users(session, leader)) == 9  # leaders read their whole subtree
        for who in (leader, handler, auditor):
            with pytest.raises(PermissionDeniedError):
                set_active(session, who, "steward", active=False)
        with pytest.raises(PermissionDeniedError):
            list_users(session, handler)
        with pytest.raises(PermissionDeniedError):
            audit.list_events(session, actor(session, "admin"), audit.AuditFilter())
        assert audit.list_events(session, auditor, audit.AuditFilter(limit=5))


def test_passwords_are_hashed_with_argon2(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        set_password(session, OPERATOR, "zhongnan", "another-long-one", min_length=12)
    with city() as session, session.begin():
        stored = get_user(session, OPERATOR, "zhongnan").password_hash
    assert stored.startswith("$argon2id$") and "another-long-one" not in stored
    assert verify_password(stored, "another-long-one") and not verify_password(stored, "zhizhi-demo-2026")


def test_a_user_cannot_change_someone_elses_password(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin(), pytest.raises(PermissionDeniedError):
        set_password(session, actor(session, "zhongnan"), "leader", "another-long-one", min_length=12)


def test_personal_data_is_masked_and_reading_it_needs_a_purpose(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        shown = user_as_dict(get_user(session, OPERATOR, "zhongnan"))
        admin = actor(session, "admin")
        with pytest.raises(InputError, match="purpose"):
            reveal_personal(session, admin, "zhongnan", purpose=" ")
        with pytest.raises(PermissionDeniedError):
            reveal_personal(session, actor(session, "leader"), "zhongnan", purpose="查看")
        revealed = reveal_personal(session, admin, "zhongnan", purpose="核对联系方式")
    assert shown["phone"] == "139****0007" and revealed["phone"] == "13977200007"
    with city() as session, session.begin():
        (event,) = audit.list_events(session, OPERATOR, audit.AuditFilter(action="personal.read"))
    assert (event.actor, event.object_id, event.purpose, event.ip) == ("admin", "zhongnan", "核对联系方式", "10.0.0.1")


def test_every_write_is_audited(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        set_active(session, OPERATOR, "zhongnan", active=False)
        set_active(session, OPERATOR, "zhongnan", active=True)
        actions = [e.action for e in audit.list_events(session, OPERATOR, audit.AuditFilter(limit=1000))]
    assert actions[:2] == ["user.enable", "user.disable"]
    assert actions.count("department.create") == 17 and actions.count("user.create") == 9


@pytest.mark.parametrize(
    ("code", "name", "division", "match"),
    [
        ("has space", "名", None, "code `has space`"),
        ("X" * 33, "名", None, "1-32"),
        ("OK", "名" * 101, None, "1-100"),
        ("OK", "名", "4502001", "6-digit"),
        ("OK", "名", "45020A", "6-digit"),
    ],
)
def test_department_fields_are_checked(
    city: sessionmaker[Session], code: str, name: str, division: str | None, match: str
) -> None:
    with city() as session, session.begin(), pytest.raises(InputError, match=match):
        create_department(
            session, OPERATOR, code=code, name=name, kind="section", parent_code="LZ", division_code=division
        )


def test_admins_cannot_take_over_an_auditor(city: sessionmaker[Session]) -> None:
    from zhizhi.access import create_token, unlock

    with city() as session, session.begin():
        admin = actor(session, "admin")
        for attempt in (
            lambda: set_password(session, admin, "auditor", "a-long-password", min_length=12),
            lambda: set_active(session, admin, "auditor", active=False),
            lambda: create_token(session, admin, name="peek", username="auditor"),
            lambda: unlock(session, admin, "auditor"),
        ):
            with pytest.raises(PermissionDeniedError, match="auditor"):
                attempt()
        set_password(session, OPERATOR, "auditor", "a-long-password", min_length=12)  # the operator may


def test_a_name_taken_elsewhere_is_not_revealed_outside_ones_scope(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        create_user(
            session,
            OPERATOR,
            username="cz-admin",
            display_name="",
            department_code="LZ-CZ",
            roles=["admin"],
            password="a-long-password",
            password_min_length=12,
        )
    with city() as session, session.begin():
        cz_admin = actor(session, "cz-admin")

        def add(username: str, department_code: str) -> None:
            create_user(
                session,
                cz_admin,
                username=username,
                display_name="",
                department_code=department_code,
                roles=["handler"],
                password="a-long-password",
                password_min_length=12,
            )

        # `yufeng` exists at 鱼峰; outside the admin's subtree, the answer is the one for any name there.
        for username in ("yufeng", "no-such-name"):
            with pytest.raises(NotFoundError, match="No department with code `LZ-YF` in your scope"):
                add(username, "LZ-YF")
        with pytest.raises(ConflictError, match="taken") as taken:
            add("yufeng", "LZ-CZ")
        assert "LZ-YF" not in taken.value.message and "鱼峰" not in taken.value.message
        for code in ("LZ-YF", "LZ-NEW"):  # a code in use elsewhere, and a free one
            with pytest.raises(NotFoundError, match="No department with code `LZ-YF`"):
                create_department(session, cz_admin, code=code, name="新所", kind="grassroots", parent_code="LZ-YF")


def test_reading_a_users_phone_takes_a_real_purpose_and_counts_in_the_hourly_limit(
    city: sessionmaker[Session],
) -> None:
    with city() as session, session.begin():
        admin = actor(session, "admin")
        for said in ("!!", "\u200b\u200b", "  ..  ", "\x01\x02"):
            with pytest.raises(InputError, match="purpose"):
                reveal_personal(session, admin, "zhongnan", purpose=said)
        for _ in range(3):
            reveal_personal(session, admin, "zhongnan", purpose="核实执法人员联系方式", per_hour=3)
        with pytest.raises(RateLimitedError, match="the limit is 3"):
            reveal_personal(session, admin, "zhongnan", purpose="核实执法人员联系方式", per_hour=3)
    with city() as session:
        events = audit.list_events(session, OPERATOR, audit.AuditFilter(action="personal.read"))
    assert [(e.object_type, e.object_id) for e in events] == [("user", "zhongnan")] * 3
