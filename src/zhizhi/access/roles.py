"""Roles, the permissions they grant, and the actor on whose behalf something is done."""

from __future__ import annotations

from dataclasses import dataclass, field
from enum import StrEnum

from zhizhi.errors import PermissionDeniedError


class Role(StrEnum):
    """What a user may do; a user holds one or more."""

    ADMIN = "admin"
    STEWARD = "steward"
    HANDLER = "handler"
    LEADER = "leader"
    AUDITOR = "auditor"


ROLE_LABELS_ZH = {
    Role.ADMIN: "系统管理员",
    Role.STEWARD: "数据管理员",
    Role.HANDLER: "经办人",
    Role.LEADER: "领导",
    Role.AUDITOR: "审计员",
}

_EVERYONE = {"workspace.read", "departments.read", "tokens.own"}

# Admins manage people but do not read the audit trail, and auditors read it but manage nothing:
# the separation of duties (三员分立) that government systems are held to.
ROLE_PERMISSIONS: dict[Role, frozenset[str]] = {
    Role.ADMIN: frozenset(_EVERYONE | {"departments.write", "users.read", "users.write", "personal.read"}),
    # Stewards correct ID numbers in quarantine and handlers call complainants back: both may unmask personal data,
    # each time for a declared purpose (zhizhi.privacy); leaders and auditors read it masked only.
    Role.STEWARD: frozenset(_EVERYONE | {"data.read", "data.write", "personal.read"}),
    Role.HANDLER: frozenset(_EVERYONE | {"data.read", "cases.write", "personal.read"}),
    Role.LEADER: frozenset(_EVERYONE | {"data.read", "users.read"}),
    Role.AUDITOR: frozenset(_EVERYONE | {"audit.read"}),
}

ALL_PERMISSIONS = frozenset().union(*ROLE_PERMISSIONS.values())


def parse_roles(names: list[str]) -> list[Role]:
    """Roles from their names; raises ValueError naming the unknown one and the choices."""
    roles = []
    for name in names:
        try:
            roles.append(Role(name.strip().lower()))
        except ValueError:
            choices = ", ".join(r.value for r in Role)
            raise ValueError(f"unknown role `{name}`; choose from {choices}") from None
    return sorted(set(roles))


@dataclass(frozen=True)
class Actor:
    """Who is acting: a signed-in user, a token's user, or the operator at the command line."""

    name: str
    user_id: int | None
    department_id: int | None
    department_path: str
    roles: frozenset[Role] = field(default_factory=frozenset)
    ip: str | None = None
    is_operator: bool = False

    @classmethod
    def operator(cls, name: str) -> Actor:
        """The local operator (CLI): may do anything, over the whole tree."""
        return cls(
            name=name,
            user_id=None,
            department_id=None,
            department_path="/",
            roles=frozenset(Role),
            ip="local",
            is_operator=True,
        )

    @property
    def permissions(self) -> frozenset[str]:
        if self.is_operator:
            return ALL_PERMISSIONS
        return frozenset().union(*(ROLE_PERMISSIONS[r] for r in self.roles))

    def can(self, permission: str) -> bool:
        return permission in self.permissions

    def covers(self, department_path: str) -> bool:
        """Whether a department (by its path) lies in this actor's subtree."""
        return department_path.startswith(self.department_path)


def require(actor: Actor, permission: str) -> None:
    """Refuse unless the actor's roles grant `permission`."""
    if not actor.can(permission):
        raise PermissionDeniedError(f"Your roles do not allow `{permission}`.", zh="您的角色无权执行此操作。")
