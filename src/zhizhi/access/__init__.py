"""Departments, users, roles, sessions and tokens, and the audit trail."""

from zhizhi.access import audit
from zhizhi.access.departments import (
    DepartmentKind,
    create_department,
    department_as_dict,
    get_department,
    get_department_by_code,
    list_departments,
)
from zhizhi.access.roles import ROLE_PERMISSIONS, Actor, Role, require
from zhizhi.access.sessions import (
    LoginResult,
    WrongPasswordError,
    actor_for,
    change_own_password,
    find_session,
    login,
    logout,
    may_sign_in,
    unlock,
)
from zhizhi.access.tokens import authenticate_token, create_token, list_tokens, revoke_token, token_as_dict
from zhizhi.access.users import (
    PasswordChange,
    create_user,
    get_user,
    list_users,
    reveal_personal,
    set_active,
    set_password,
    user_as_dict,
)

__all__ = [
    "ROLE_PERMISSIONS",
    "Actor",
    "DepartmentKind",
    "LoginResult",
    "PasswordChange",
    "Role",
    "actor_for",
    "audit",
    "authenticate_token",
    "change_own_password",
    "create_department",
    "create_token",
    "create_user",
    "department_as_dict",
    "find_session",
    "get_department",
    "get_department_by_code",
    "get_user",
    "list_departments",
    "list_tokens",
    "list_users",
    "login",
    "logout",
    "may_sign_in",
    "require",
    "reveal_personal",
    "revoke_token",
    "set_active",
    "set_password",
    "token_as_dict",
    "unlock",
    "user_as_dict",
    "WrongPasswordError",
]
