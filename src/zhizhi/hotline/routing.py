"""Routing: which office handles a case, by rules in the workspace's `routing.yaml`, and which handler in it.

Art 12 of the rules: a complaint is handled by the county-level office where the respondent operates (or is
domiciled); Art 13: when several may, the one that received it first keeps it. So a case is routed once, when it
is opened, by its first ticket; tickets that join it later do not move it, and moving it takes a handler's reason.

```yaml
default: LZ-TSJB                    # the office that takes what no rule takes (the desk's own, when empty)
rules:
  - name: 城中区的投诉举报
    when: {divisions: ["450202"]}   # respondent's county, from the address or the register's entity
    office: LZ-CZ
  - name: 特种设备
    when: {keywords: [电梯, 锅炉, 气瓶], kinds: [report, complaint]}
    office: LZ-TZSB
  - name: 餐饮
    when: {industries: ["H62"]}     # the entity's industry code starts with one of these
    office: LZ-SPCY
```

The first rule whose every condition holds decides (an empty condition holds always). Within the office the case
goes to the active user with the `handler` role who has the fewest open cases (then the lowest id); an office
without handlers keeps the case unassigned to a person, listed for its leader.
"""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path

from pydantic import BaseModel, ConfigDict, Field, field_validator
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.config.files import parse_yaml
from zhizhi.errors import ConfigError
from zhizhi.records.ticket import KINDS
from zhizhi.store.tables import Case, Department, User, UserRole

FILE = "routing.yaml"
OPEN_STAGES = ("received", "accepted")


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class When(_Strict):
    """A rule's conditions; all must hold. Lists hold when any item does."""

    kinds: list[str] = Field(default_factory=list, description="case kinds: complaint, report, consultation ...")
    divisions: list[str] = Field(
        default_factory=list, description="division codes (a prefix: 4502 is the whole prefecture)"
    )
    industries: list[str] = Field(default_factory=list, description="industry code prefixes of the linked entity")
    keywords: list[str] = Field(default_factory=list, description="words in a ticket's text or the respondent's name")

    @field_validator("kinds")
    @classmethod
    def _known_kinds(cls, value: list[str]) -> list[str]:
        bad = [k for k in value if k not in KINDS]
        if bad:
            raise ValueError(f"unknown kind(s) {bad}; choose from {', '.join(KINDS)}")
        return value

    @field_validator("divisions")
    @classmethod
    def _digits(cls, value: list[str]) -> list[str]:
        bad = [d for d in value if not (d.isdigit() and 2 <= len(d) <= 6)]
        if bad:
            raise ValueError(f"division code(s) {bad} must be 2 to 6 digits")
        return value


class RoutingRule(_Strict):
    name: str = Field(min_length=1, max_length=100)
    when: When = Field(default_factory=When)
    office: str = Field(min_length=1, description="code of the department that handles such cases")


class RoutingConfig(_Strict):
    default: str | None = Field(default=None, description="the office of cases no rule takes; empty: the desk")
    rules: list[RoutingRule] = Field(default_factory=list)


@dataclass(frozen=True)
class Facts:
    """What routing looks at of a case."""

    kind: str
    division: str | None
    industry: str | None
    text: str


@dataclass(frozen=True)
class Route:
    office_id: int
    handler_id: int | None
    why: str


def load_routing(root: Path, session: Session | None = None) -> RoutingConfig:
    """The workspace's routing rules (none when there is no file); with a session, every office named is checked."""
    path = root / FILE
    config = parse_yaml(path.read_text(encoding="utf-8"), FILE, RoutingConfig) if path.is_file() else RoutingConfig()
    if session is not None:
        named = {r.office for r in config.rules} | ({config.default} if config.default else set())
        known = set(session.scalars(select(Department.code).where(Department.code.in_(named))))
        missing = sorted(named - known)
        if missing:
            raise ConfigError(
                f"`{FILE}` names office(s) {missing} that are not departments. Add them (`zhizhi dept add`) or fix "
                "the codes.",
                zh=f"`{FILE}` 中的承办单位 {missing} 不是已登记的部门：请先添加部门（zhizhi dept add）或改正代码。",
            )
    return config


def matches(rule: RoutingRule, facts: Facts) -> bool:
    when = rule.when
    return (
        (not when.kinds or facts.kind in when.kinds)
        and (not when.divisions or any((facts.division or "").startswith(d) for d in when.divisions))
        and (not when.industries or any((facts.industry or "").startswith(i) for i in when.industries))
        and (not when.keywords or any(k in facts.text for k in when.keywords))
    )


class Router:
    """Routes cases by the rules, balancing handlers: each office's handlers' open cases are counted once, then kept
    up to date as this router assigns (many cases are routed in one intake)."""

    def __init__(self, session: Session, config: RoutingConfig) -> None:
        self.session, self.config = session, config
        self._loads: dict[int, dict[int, int]] = {}
        self._offices: dict[str, int] = {}

    def route(self, facts: Facts, desk_id: int) -> Route:
        """The office (and its least-loaded handler) for a case with these facts."""
        for rule in self.config.rules:
            if matches(rule, facts):
                return self._to(rule.office, f"规则「{rule.name}」")
        if self.config.default:
            return self._to(self.config.default, "默认承办单位")
        return Route(desk_id, self._handler(desk_id), "受理部门（无路由规则）")

    def _to(self, code: str, why: str) -> Route:
        if code not in self._offices:
            office_id = self.session.scalar(select(Department.id).where(Department.code == code))
            if office_id is None:
                raise ConfigError(
                    f"`{FILE}`: office `{code}` is not a department.", zh=f"`{FILE}`：承办单位 `{code}` 不是部门。"
                )
            self._offices[code] = office_id
        office_id = self._offices[code]
        return Route(office_id, self._handler(office_id), why)

    def _handler(self, office_id: int) -> int | None:
        if office_id not in self._loads:
            self._loads[office_id] = handler_loads(self.session, office_id)
        loads = self._loads[office_id]
        if not loads:
            return None
        chosen = min(loads, key=lambda user: (loads[user], user))
        loads[chosen] += 1
        return chosen


def handler_loads(session: Session, office_id: int) -> dict[int, int]:
    """The office's active handlers, each with their open cases."""
    load = (
        select(Case.handler_id, func.count().label("n"))
        .where(Case.stage.in_(OPEN_STAGES), Case.handler_id.is_not(None))
        .group_by(Case.handler_id)
        .subquery()
    )
    rows = session.execute(
        select(User.id, func.coalesce(load.c.n, 0))
        .join(UserRole, UserRole.user_id == User.id)
        .outerjoin(load, load.c.handler_id == User.id)
        .where(User.department_id == office_id, User.is_active.is_(True), UserRole.role == "handler")
    ).all()
    return {int(user): int(n) for user, n in rows}


def least_loaded(session: Session, office_id: int, *, leaving_out: int | None = None) -> int | None:
    """The office's active handler with the fewest open cases (then the lowest id), or None without handlers;
    `leaving_out`: a user who may not be chosen (one who may not name themselves the handler)."""
    loads = {user: load for user, load in handler_loads(session, office_id).items() if user != leaving_out}
    return min(loads, key=lambda user: (loads[user], user)) if loads else None
