"""Transports carry rendered records to a platform. They are found through the `zhizhi.transports` entry-point
group, the built-in ones (`http`, `sql`, `file`) the same way as any installed plugin.

A transport has a `name`, a `Settings` model (pydantic; its settings are checked against it when the target file
loads, every problem named at once), a `batch_size(target)` and `send(target, items) -> [Outcome]`: for each item
(idempotency key, rendered record) whether the platform accepted it (True), rejected it (False, with its reason) or
will say later (None). It raises `TransientError` when the platform cannot be reached or failed as a whole, so that the
batch is tried again after a backoff, and `ConfigError` when the target's settings are wrong.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import cache
from importlib.metadata import entry_points
from typing import TYPE_CHECKING, Any, Protocol

from pydantic import BaseModel

from zhizhi.errors import ConfigError

if TYPE_CHECKING:
    from zhizhi.delivery.targets import TargetConfig

GROUP = "zhizhi.transports"

Item = tuple[str, dict[str, Any]]  # idempotency key, rendered record
# A rendered record's key for its version, `{"version": N, "version_at": ISO time}`: not one of the platform's fields.
# The HTTP transport sends it beside the record; the SQL and file transports write only the target's fields.
STAMP = "_zhizhi"


def unstamped(record: dict[str, Any]) -> tuple[dict[str, Any], dict[str, Any]]:
    """A rendered record without its version stamp, and the stamp (empty when there is none)."""
    fields = dict(record)
    return fields, fields.pop(STAMP, None) or {}


class TransientError(Exception):
    """The platform could not be reached or failed: try again later.

    `maybe_arrived`: the request left and no answer came back in time (a read timeout, a gateway timeout), so the
    platform may have taken the records all the same; a delivery that runs out of time so is `unknown`, not `dead`.
    """

    def __init__(self, message: str, *, maybe_arrived: bool = False, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.maybe_arrived = maybe_arrived
        self.retry_after = retry_after  # seconds the platform asked for (`Retry-After` of a 429 or 503), or None


@dataclass(frozen=True)
class Outcome:
    """The platform's answer for one record: accepted (True), rejected (False) or not yet known (None)."""

    key: str
    accepted: bool | None
    reason: str | None = None


class Transport(Protocol):
    name: str

    def batch_size(self, target: TargetConfig) -> int: ...

    def send(self, target: TargetConfig, items: list[Item]) -> list[Outcome]: ...


def transport_names() -> list[str]:
    """The names of the registered transports (none of them loaded)."""
    return sorted({entry.name for entry in entry_points(group=GROUP)})


@cache
def _load(kind: str) -> Transport:
    (entry,) = [entry for entry in entry_points(group=GROUP) if entry.name == kind][:1]
    loaded: Transport = entry.load()()
    return loaded


def transport_for(target: TargetConfig) -> Transport:
    """The transport the target's `transport.kind` names, loaded when first asked for."""
    kind = target.transport.kind
    if kind not in transport_names():
        installed = ", ".join(transport_names())
        raise ConfigError(
            f"Target `{target.name}`: no transport `{kind}`; installed: {installed}.",
            zh=f"交付目标 `{target.name}`：没有传输方式 `{kind}`；已安装的有：{installed}。",
        )
    return _load(kind)


def settings_model(kind: str) -> type[BaseModel] | None:
    """The typed model of a transport's settings (`Settings` on its class), if it declares one."""
    model = getattr(_load(kind), "Settings", None)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def setting(target: TargetConfig, key: str, default: Any = None, *, required: bool = False) -> Any:
    """One of the target's transport settings; a missing required one is a ConfigError naming the key."""
    value = target.transport.settings.get(key, default)
    if required and value in (None, ""):
        raise ConfigError(
            f"Target `{target.name}`: `transport.{key}` is missing.",
            zh=f"交付目标 `{target.name}`：缺少设置 `transport.{key}`。",
        )
    return value
