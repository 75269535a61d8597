"""The validated shape of `zhizhi.yaml`."""

from __future__ import annotations

import difflib
from typing import Literal

from pydantic import BaseModel, ConfigDict, Field, field_validator, model_validator


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class DatabaseConfig(_Strict):
    """Where the store lives; empty means the workspace's own SQLite file."""

    url: str | None = Field(
        default=None,
        description="SQLAlchemy URL, e.g. postgresql+psycopg://user@host/db; overridden by ZHIZHI_DATABASE_URL.",
    )

    @field_validator("url")
    @classmethod
    def _known_backend(cls, value: str | None) -> str | None:
        if value is not None and not is_supported_database_url(value):
            raise ValueError(UNSUPPORTED_DATABASE)
        return value


UNSUPPORTED_DATABASE = "only sqlite:///PATH and postgresql://USER@HOST/DB URLs are supported"
UNSUPPORTED_DATABASE_ZH = "只支持 sqlite:///路径 和 postgresql://用户@主机/数据库 形式的地址"


def is_supported_database_url(url: str) -> bool:
    """Whether zhizhi can run on this URL's database."""
    return url.startswith(("sqlite:///", "postgresql://", "postgresql+psycopg://", "postgres://"))


class ServerConfig(_Strict):
    """How `zhizhi serve` listens."""

    host: str = Field(default="127.0.0.1", description="address to listen on")
    port: int = Field(default=8000, ge=1, le=65535, description="TCP port")
    secure_cookies: bool = Field(default=False, description="mark cookies Secure; turn on when served over HTTPS")
    session_hours: int = Field(default=8, ge=1, le=168, description="how long a login lasts")


class WebConfig(_Strict):
    """How people reach the web UI from other machines."""

    public_url: str | None = Field(
        default=None,
        max_length=300,
        description="the address people open zhizhi at (https://zhizhi.example.gov.cn/); QR codes and links use it",
    )

    upload_max_mb: int = Field(
        default=200, ge=1, le=4096, description="the largest file a steward may upload on the batches page, in MB"
    )

    @field_validator("public_url")
    @classmethod
    def _absolute(cls, value: str | None) -> str | None:
        if value is None or not value.strip():
            return None
        value = value.strip()
        if not value.startswith(("http://", "https://")) or "://" == value[-3:] or any(c.isspace() for c in value):
            raise ValueError(
                "give an absolute address that starts with http:// or https://, e.g. https://zhizhi.example"
            )
        return value.rstrip("/")

    def link(self, path: str) -> str | None:
        """`path` (`/entities/7`) under the public address; None while `public_url` is unset."""
        return None if self.public_url is None else self.public_url + path


class SecurityConfig(_Strict):
    """Login and password rules."""

    password_min_length: int = Field(
        default=12, ge=12, le=128, description="shortest password accepted (12 at the least)"
    )
    login_max_failures: int = Field(
        default=5, ge=1, le=100, description="failed logins per account within the window before refusing"
    )
    login_max_failures_per_ip: int = Field(
        default=30, ge=1, le=10000, description="failed logins per client address within the window"
    )
    login_window_minutes: int = Field(default=15, ge=1, le=1440, description="rate-limit window")


class DeliveryConfig(_Strict):
    """How records are sent to the targets."""

    workers_in_serve: bool = Field(default=True, description="`zhizhi serve` runs the sending workers itself")
    poll_seconds: float = Field(default=0.1, ge=0.05, le=60, description="a worker's pause when nothing is due")
    idle_seconds: float = Field(
        default=5,
        ge=0.05,
        le=300,
        description="the pause grows from poll_seconds to this while nothing is due (work owed wakes it at once)",
    )
    checkpoint_entries: int = Field(
        default=1000, ge=10, le=1_000_000, description="workers sign a ledger checkpoint after this many entries"
    )
    checkpoint_minutes: float = Field(
        default=10, gt=0, le=1440, description="and after this many minutes when any entry came since the last"
    )
    senders_per_target: int | None = Field(
        default=None,
        ge=1,
        le=8,
        description="sending loops per target in each worker; empty: 2 on PostgreSQL, 1 on SQLite",
    )


Rule = Literal["source_priority", "most_recent", "most_complete"]
DEFAULT_RULES: tuple[Rule, ...] = ("source_priority", "most_recent", "most_complete")
GOLDEN_FIELDS = (
    "name",
    "uscc",
    "reg_no",
    "legal_representative",
    "address",
    "address_division_code",
    "phone",
    "industry_code",
)


class SurvivorshipConfig(_Strict):
    """Which record's value an entity's golden field takes, rule after rule until one record is left."""

    rules: list[Rule] = Field(
        default_factory=lambda: list(DEFAULT_RULES),
        min_length=1,
        description="the rules in order: source_priority, most_recent, most_complete",
    )
    sources: list[str] = Field(
        default_factory=list, description="source names, most trusted first (unlisted sources come after)"
    )
    fields: dict[str, list[Rule]] = Field(default_factory=dict, description="rules for one golden field")

    @field_validator("fields")
    @classmethod
    def _known_fields(cls, value: dict[str, list[Rule]]) -> dict[str, list[Rule]]:
        unknown = sorted(set(value) - set(GOLDEN_FIELDS))
        if unknown:
            raise ValueError(f"no golden field {', '.join(unknown)}; the fields are {', '.join(GOLDEN_FIELDS)}")
        return value


class ResolveConfig(_Strict):
    """How records are resolved into the register of entities."""

    match_probability: float = Field(
        default=0.99, gt=0, lt=1, description="a pair scoring at least this is the same entity"
    )
    review_probability: float = Field(
        default=0.80, gt=0, lt=1, description="a pair scoring at least this (and below the match) goes to review"
    )
    survivorship: SurvivorshipConfig = Field(default_factory=SurvivorshipConfig)

    @model_validator(mode="after")
    def _ordered(self) -> ResolveConfig:
        if self.review_probability > self.match_probability:
            raise ValueError("review_probability must not be above match_probability")
        return self


class PrivacyConfig(_Strict):
    """Personal data: how much may be unmasked, and how long it is kept."""

    unmask_per_hour: int = Field(
        default=200, ge=1, le=100_000, description="records one user may unmask within an hour, each with a purpose"
    )
    retention: dict[str, int] = Field(
        default_factory=dict,
        description="record type -> days personal data is kept after a record's last change (default 1825)",
    )

    @field_validator("retention")
    @classmethod
    def _positive(cls, value: dict[str, int]) -> dict[str, int]:
        from zhizhi.records import record_types  # the registered ones, plugins included

        problems = _unknown("record type", list(value), list(record_types()))
        bad = sorted(name for name, days in value.items() if days < 1)
        if bad:
            problems.append(f"retention of {', '.join(bad)} must be at least 1 day")
        if problems:  # a misspelt type would keep its records' personal data for the default five years, unsaid
            raise ValueError("; ".join(problems))
        return value


class HotlineWords(_Strict):
    """A bureau's own words for what a ticket is about, added to the desk's built-in lists
    (`zhizhi.hotline.topics`): a missed word read from then on, without a release."""

    topics: dict[str, list[str]] = Field(
        default_factory=dict, description="a problem category of the built-in list -> more terms that raise it"
    )
    products: dict[str, list[str]] = Field(
        default_factory=dict, description="a group of goods, built in or new -> more words that name it"
    )
    business_matters: dict[str, list[str]] = Field(
        default_factory=dict,
        description="a matter of the business itself (停业, 无证照, 计量器具, 环境卫生) -> more terms",
    )

    @model_validator(mode="after")
    def _known(self) -> HotlineWords:
        from zhizhi.hotline.topics import BUSINESS_MATTERS, PRODUCTS, TOPICS

        problems = []
        for key, given, built_in in (("topics", self.topics, TOPICS), ("business_matters", self.business_matters,
                                                                       BUSINESS_MATTERS)):  # fmt: skip
            names = [name for name, _ in built_in]
            if unknown := sorted(set(given) - set(names)):
                problems.append(f"{key}: unknown name(s) {unknown}; choose from {', '.join(names)}")
        if len({name for name, _ in PRODUCTS} | set(self.products)) > 63:
            problems.append("products: at most 63 groups in all (the built-in ones count)")
        for key, given in (("topics", self.topics), ("products", self.products),
                           ("business_matters", self.business_matters)):  # fmt: skip
            for name, terms in given.items():
                if bad := [t for t in terms if not 2 <= len(t.strip()) <= 20 or t != t.strip()]:
                    problems.append(f"{key}.{name}: term(s) {bad[:5]} must be 2-20 characters without spaces around")
                if len(terms) > 200:
                    problems.append(f"{key}.{name}: {len(terms)} terms; at most 200 a name")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class HotlineWeights(_Strict):
    """A bureau's own weights for the evidence of a pair (`zhizhi.hotline.evidence`), as `zhizhi hotline fit` prints
    them from a month its handlers settled; a fact not named keeps its built-in weight."""

    bias: float | None = Field(default=None, ge=-30, le=30, description="the starting log-odds of a pair")
    pairs: dict[str, float] = Field(default_factory=dict, description="a fact of a pair -> its weight in log-odds")

    @model_validator(mode="after")
    def _known(self) -> HotlineWeights:
        from zhizhi.hotline.evidence import FEATURES

        problems = []
        if unknown := sorted(set(self.pairs) - set(FEATURES)):
            problems.append(f"pairs: unknown fact(s) {unknown}; choose from {', '.join(FEATURES)}")
        if bad := sorted(name for name, weight in self.pairs.items() if not -30 <= weight <= 30):
            problems.append(f"pairs: the weight(s) of {bad} must be between -30 and 30")
        if problems:
            raise ValueError("; ".join(problems))
        return self


class HotlineConfig(_Strict):
    """The hotline desk: when tickets merge into a case on their own, when a handler is asked, when clocks warn."""

    merge_at: float = Field(
        default=0.85, gt=0, le=1, description="a new ticket scoring at least this against a case joins it on its own"
    )
    review_from: float = Field(
        default=0.3, gt=0, le=1, description="from this score (below `merge_at`) a handler confirms or keeps apart"
    )
    merge_other_callers: bool = Field(
        default=True,
        description="another caller's ticket joins a case on its own too (false: always a handler's to confirm)",
    )
    warn_days: int = Field(default=2, ge=0, le=30, description="warn this many working days before a deadline")
    desk: str | None = Field(
        default=None, description="code of the department whose desk takes the web form's tickets (empty: no form)"
    )
    status_codes: dict[str, dict[str, str]] = Field(
        default_factory=dict,
        description="channel -> decision -> the channel's status code, where its platform documents other codes",
    )
    words: HotlineWords = Field(
        default_factory=HotlineWords, description="more words for what a ticket is about, beside the built-in lists"
    )
    weights: HotlineWeights | None = Field(
        default=None, description="the bureau's own weights of the evidence (empty: the built-in ones)"
    )

    @field_validator("status_codes")
    @classmethod
    def _decisions(cls, value: dict[str, dict[str, str]]) -> dict[str, dict[str, str]]:
        from zhizhi.records.ticket import CHANNELS
        from zhizhi.records.ticket_answer import DECISIONS

        problems = _unknown("channel", list(value), list(CHANNELS))
        bad = sorted({d for codes in value.values() for d in codes if d not in DECISIONS})
        if bad:
            problems.append(f"unknown decision(s) {bad}; choose from {', '.join(DECISIONS)}")
        if problems:
            raise ValueError("; ".join(problems))
        return value

    @model_validator(mode="after")
    def _ordered(self) -> HotlineConfig:
        if self.review_from > self.merge_at:
            raise ValueError("review_from must not be above merge_at")
        return self


class WorkspaceConfig(_Strict):
    """The whole of `zhizhi.yaml`."""

    version: Literal[1] = Field(default=1, description="format version of this file")
    name: str = Field(default="市场监督管理局", min_length=1, max_length=100, description="shown in the UI")
    locale: Literal["zh-CN", "en"] = Field(default="zh-CN", description="default UI language")
    database: DatabaseConfig = Field(default_factory=DatabaseConfig)
    server: ServerConfig = Field(default_factory=ServerConfig)
    web: WebConfig = Field(default_factory=WebConfig)
    security: SecurityConfig = Field(default_factory=SecurityConfig)
    delivery: DeliveryConfig = Field(default_factory=DeliveryConfig)
    resolve: ResolveConfig = Field(default_factory=ResolveConfig)
    privacy: PrivacyConfig = Field(default_factory=PrivacyConfig)
    hotline: HotlineConfig = Field(default_factory=HotlineConfig)


def _unknown(what: str, names: list[str], known: list[str]) -> list[str]:
    """A problem for each name not among `known`, with the nearest known one when there is one."""
    problems = []
    for name in names:
        if name not in known:
            close = difflib.get_close_matches(name, known, n=1)
            hint = f"did you mean `{close[0]}`?" if close else f"choose from {', '.join(sorted(known))}"
            problems.append(f"unknown {what} `{name}`: {hint}")
    return problems
