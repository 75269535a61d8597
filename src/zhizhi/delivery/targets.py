"""Targets as files: `targets/NAME.yaml` in the workspace says which records a downstream platform takes, in what
fields and codes, and how they reach it.

```yaml
name: province                     # the file's own name
title: 广西市场监管一体化平台
owner: LZ-XY                       # the department answerable for this delivery
record_types: [entity]             # what the platform takes (see docs/model.md)
filter:                            # optional: only these sources / departments' data
  sources: [dengji]
fields:                            # the platform's field: the record's field (or a constant)
  TYSHXYDM: uscc
  QYMC: name
  HYDM: {field: industry_code, code_list: guangxi-industry-8}
  SJLY: {value: 柳州市市场监督管理局}
transport:
  kind: http                       # http, sql or file
  url: https://platform.example/api/entities
retry_hours: 24                    # tries again, backing off to once an hour, for a day
```
"""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from pydantic import BaseModel, ConfigDict, Field, ValidationError, field_validator, model_validator

from zhizhi.config.every import EveryProblem, Problem
from zhizhi.config.files import NAME_PATTERN, NamedFiles
from zhizhi.delivery.transports import settings_model, transport_names
from zhizhi.ingest.kinds import output_columns
from zhizhi.records import record_types
from zhizhi.sources.config import SourceConfig

TARGETS_FOLDER = "targets"


class _Strict(BaseModel):
    model_config = ConfigDict(extra="forbid")


class TargetField(_Strict):
    """Where one of the platform's fields comes from: a record field (or derived column), or a constant."""

    field: str | None = Field(default=None, description="the record's field, e.g. `uscc` or `address_division_code`")
    value: str | None = Field(default=None, description="a constant for every record")
    code_list: str | None = Field(default=None, description="code fields: deliver the code in this list")

    @model_validator(mode="after")
    def _one_origin(self) -> TargetField:
        if (self.field is None) == (self.value is None):
            raise ValueError("give exactly one of `field` or `value`")
        if self.code_list is not None and self.field is None:
            raise ValueError("`code_list` needs a `field`")
        return self


class TargetFilter(_Strict):
    """Which records of the subscribed types go: from these sources, of these departments (empty: all)."""

    sources: list[str] = Field(default_factory=list, description="source names")
    departments: list[str] = Field(default_factory=list, description="codes of the departments owning the sources")


class Transport(BaseModel):
    """How deliveries reach the platform; `kind` chooses the transport, the other keys are its settings."""

    model_config = ConfigDict(extra="allow")

    kind: str = Field(description="a transport's name: http, sql, file, or an installed plugin's")

    @field_validator("kind")
    @classmethod
    def _known(cls, value: str) -> str:
        known = transport_names()
        if value not in known:
            raise ValueError(f"no transport `{value}`; installed: {', '.join(sorted(known))}")
        return value

    @property
    def settings(self) -> dict[str, Any]:
        return dict(self.model_extra or {})


class TargetConfig(_Strict, EveryProblem):
    """The whole of `targets/NAME.yaml`."""

    name: str = Field(pattern=NAME_PATTERN, description="the target's name, the same as its file name")
    title: str | None = Field(default=None, max_length=100, description="shown in the UI")
    owner: str = Field(min_length=1, description="code of the department answerable for the delivery")
    record_types: list[str] = Field(min_length=1, description="record types the platform takes")
    filter: TargetFilter = Field(default_factory=TargetFilter)
    fields: dict[str, TargetField] = Field(min_length=1, description="platform field -> where its value comes from")
    transport: Transport
    retry_hours: float = Field(
        default=24,
        gt=0,
        le=24 * 30,
        description="how long a delivery is tried again after its first failed try (a platform may be down a day)",
    )
    max_attempts: int | None = Field(
        default=None, ge=1, le=1000, description="optional: give up after this many tries, even within retry_hours"
    )
    reasons: dict[str, str] = Field(
        default_factory=dict,
        description="the platform's rejection codes in words, e.g. E1021: 名称不符",
    )
    retry_seconds: float = Field(
        default=5, ge=0.1, le=3600, description="the wait after a first failed attempt; it doubles with each next one"
    )
    claim_seconds: int = Field(
        default=120,
        ge=1,
        le=86_400,
        description="how long a worker holds a claimed batch; longer than a send can take",
    )

    @field_validator("fields", mode="before")
    @classmethod
    def _shorthand(cls, value: Any) -> Any:
        if isinstance(value, dict):
            return {k: ({"field": v} if isinstance(v, str) else v) for k, v in value.items()}
        return value

    @classmethod
    def problems_of(cls, raw: dict[str, Any]) -> list[Problem]:
        """The fields against the record types', the transport's settings and the claim's length: every problem,
        whatever else is wrong."""
        transport = raw.get("transport")
        transport = transport if isinstance(transport, dict) and transport.get("kind") in transport_names() else None
        return _field_problems(raw) + _transport_problems(transport) + _claim_problems(raw, transport)

    def reason_in_words(self, reason: str | None) -> str | None:
        """The platform's reason as the steward reads it: its code's words from `reasons`, with the code kept."""
        if reason is None:
            return None
        words = self.reasons.get(reason.strip())
        return f"{words}（{reason.strip()}）" if words else reason

    def takes(self, source: SourceConfig) -> bool:
        """Whether records of `source` go to this target."""
        return self.left_out(source.record_type, source.name, source.department) is None

    def left_out(self, record_type: str, source: str, department: str) -> tuple[str, str] | None:
        """What of a record the file does not take (its record type, source or department, in Chinese and English);
        None: it takes the record."""
        if record_type not in self.record_types:
            return f"记录类型 {record_type}", f"record type `{record_type}`"
        if self.filter.sources and source not in self.filter.sources:
            return f"数据源 {source}", f"source `{source}`"
        if self.filter.departments and department not in self.filter.departments:
            return f"部门 {department}", f"department `{department}`"
        return None


def _field_problems(raw: dict[str, Any]) -> list[Problem]:
    """Record types not known, fields none of them has, a code list on a field that holds no codes."""
    known, types, fields = record_types(), raw.get("record_types"), raw.get("fields")
    types = [t for t in types if isinstance(t, str)] if isinstance(types, list) else []
    if unknown := [t for t in types if t not in known]:
        return [Problem(("record_types",), f"record type(s) {', '.join(unknown)} are unknown; known: "
                        f"{', '.join(sorted(known))}", types)]  # fmt: skip
    kinds, problems = [known[t] for t in types], []
    for name, mapping in (fields.items() if isinstance(fields, dict) and kinds else ()):
        field = mapping if isinstance(mapping, str) else mapping.get("field") if isinstance(mapping, dict) else None
        if not isinstance(field, str):
            continue
        if not any(field in _columns(kind) for kind in kinds):
            problems.append(Problem((), f"field `{name}`: `{field}` is not a field of {', '.join(types)} (see "
                                    "docs/model.md for the fields and the columns beside them)"))  # fmt: skip
        elif isinstance(mapping, dict) and mapping.get("code_list") and not any(
            field in kind.field_names and kind.field(field).kind == "code" for kind in kinds
        ):
            problems.append(Problem((), f"field `{name}`: `{field}` is not a code field; remove its code_list"))
    return problems


def _transport_problems(transport: dict[str, Any] | None) -> list[Problem]:
    """The transport's settings against its own model, each problem naming its key."""
    model = settings_model(transport["kind"]) if transport is not None else None
    if transport is None or model is None:
        return []
    try:
        model.model_validate({key: value for key, value in transport.items() if key != "kind"})
    except ValidationError as exc:
        problems = [f"`transport.{'.'.join(str(p) for p in e['loc'])}`: {e['msg']}" if e["loc"] else e["msg"]
                    for e in exc.errors()]  # fmt: skip
        return [Problem((), f"the {transport['kind']} transport's settings: " + "; ".join(problems))]
    return []


def _claim_problems(raw: dict[str, Any], transport: dict[str, Any] | None) -> list[Problem]:
    """A send that outlasts its claim is claimed again by another loop and sent twice; a send takes up to about
    twice the transport's `timeout` (the answer's wait, then its reading)."""
    claim = raw.get("claim_seconds", TargetConfig.model_fields["claim_seconds"].default)
    if transport is None or not isinstance(claim, int) or isinstance(claim, bool):
        return []
    timeout = transport.get("timeout", _default_setting(transport["kind"], "timeout"))
    if isinstance(timeout, int | float) and not isinstance(timeout, bool) and claim <= 2 * timeout:
        return [Problem(("claim_seconds",),
            f"`claim_seconds` ({claim}) must be longer than twice `transport.timeout` ({timeout:g}): a send may take "
            f"that long, and a claim that runs out first lets another worker send the batch again; set "
            f"`claim_seconds: {int(2 * timeout) + 30}` or more, or a shorter timeout", claim)]  # fmt: skip
    return []


def _columns(kind: Any) -> set[str]:
    return {column for spec in kind.fields for column in output_columns(spec)}


FILES = NamedFiles(TARGETS_FOLDER, TargetConfig, "target", "交付目标", "Write one by the example in docs/targets.md.")


def subscribed(targets: Iterable[TargetConfig], source: SourceConfig) -> list[str]:
    """The names of the targets that take `source`'s records."""
    return sorted(target.name for target in targets if target.takes(source))


def _default_setting(kind: str, key: str) -> Any:
    """A transport's default for one of its settings (the `timeout` a file leaves out), when it declares one."""
    model = settings_model(kind) if kind in transport_names() else None
    field = model.model_fields.get(key) if model is not None else None
    return None if field is None or field.is_required() else field.default
