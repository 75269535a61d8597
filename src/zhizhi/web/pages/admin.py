"""Administration pages: users and departments, within the admin's subtree."""

from __future__ import annotations

from typing import Annotated, Literal

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from zhizhi.access import (
    DepartmentKind,
    Role,
    create_department,
    create_user,
    list_departments,
    list_users,
    set_active,
    unlock,
    user_as_dict,
)
from zhizhi.access.departments import CODE_MAX_LENGTH, NAME_MAX_LENGTH
from zhizhi.access.passwords import MAX_LENGTH as PASSWORD_MAX_LENGTH
from zhizhi.access.users import DISPLAY_NAME_MAX_LENGTH, PHONE_MAX_LENGTH, USERNAME_MAX_LENGTH
from zhizhi.web.deps import (
    DbSession,
    FormDepartmentsWriter,
    FormUsersWriter,
    PageDepartmentsReader,
    PageUsersReader,
    app_context,
)
from zhizhi.web.templating import render

router = APIRouter(prefix="/admin")


@router.get("/users", response_class=HTMLResponse)
def show_users(request: Request, db: DbSession, actor: PageUsersReader) -> Response:
    """Users of the subtree, and (for admins) the form to add one."""
    users = [user_as_dict(u) for u in list_users(db, actor)]
    return render(
        request,
        "users.html",
        {
            "users": users,
            "departments": list_departments(db, actor),
            "roles": list(Role),
            "can_write": actor.can("users.write"),
        },
    )


@router.post("/users")
def submit_user(
    request: Request,
    db: DbSession,
    actor: FormUsersWriter,
    username: Annotated[str, Form(max_length=USERNAME_MAX_LENGTH)],
    department_code: Annotated[str, Form(max_length=CODE_MAX_LENGTH)],
    password: Annotated[str, Form(max_length=PASSWORD_MAX_LENGTH)],
    roles: Annotated[list[str], Form(max_length=len(Role))],
    display_name: Annotated[str, Form(max_length=DISPLAY_NAME_MAX_LENGTH)] = "",
    phone: Annotated[str, Form(max_length=PHONE_MAX_LENGTH)] = "",
) -> Response:
    """Create a user, then show the list again."""
    create_user(
        db,
        actor,
        username=username.strip(),
        display_name=display_name,
        department_code=department_code,
        roles=roles,
        password=password,
        phone=phone,
        password_min_length=app_context(request).workspace.config.security.password_min_length,
    )
    return RedirectResponse("/admin/users", status_code=303)


@router.post("/users/{username}/{change}")
def submit_user_change(
    username: str,
    change: Literal["disable", "enable", "unlock"],
    db: DbSession,
    actor: FormUsersWriter,
) -> Response:
    """Disable, enable or unlock a user, then show the list again."""
    if change == "unlock":
        unlock(db, actor, username)
    else:
        set_active(db, actor, username, active=change == "enable")
    return RedirectResponse("/admin/users", status_code=303)


@router.get("/departments", response_class=HTMLResponse)
def show_departments(request: Request, db: DbSession, actor: PageDepartmentsReader) -> Response:
    """The department tree of the subtree, and (for admins) the form to add one."""
    return render(
        request,
        "departments.html",
        {
            "departments": list_departments(db, actor),
            "kinds": list(DepartmentKind),
            "can_write": actor.can("departments.write"),
        },
    )


@router.post("/departments")
def submit_department(
    db: DbSession,
    actor: FormDepartmentsWriter,
    code: Annotated[str, Form(max_length=CODE_MAX_LENGTH)],
    name: Annotated[str, Form(max_length=NAME_MAX_LENGTH)],
    kind: Annotated[str, Form(max_length=16)],
    parent_code: Annotated[str, Form(max_length=CODE_MAX_LENGTH)],
    division_code: Annotated[str, Form(max_length=6)] = "",
) -> Response:
    """Add a department, then show the tree again."""
    create_department(
        db,
        actor,
        code=code,
        name=name,
        kind=kind,
        parent_code=parent_code,
        division_code=division_code.strip() or None,
    )
    return RedirectResponse("/admin/departments", status_code=303)
