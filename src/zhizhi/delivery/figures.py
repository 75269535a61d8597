"""The figures of a reconciliation: what batches brought in (intake), what became of the deliveries (outcome), one
line per department, source and target, each department's subtotal and the totals; and the filter that chose them.

Totals count each source's intake once (a source delivered to two targets has two lines) and each delivery once.
`delivered` means reached the platform (it acknowledged, refused, or owes a receipt); what zhizhi held back
(`withheld`, a code waiting for a steward's decision), gave up on (`dead`, `unknown`) or settled without sending
(`superseded`: a newer version of the record reached the platform first) is counted apart.
"""

from __future__ import annotations

from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any
from urllib.parse import urlencode

from zhizhi.delivery.period import Period

FILTER_KEYS = ("target", "source", "department", "period")
# The figures of deliveries, in the order every table shows them (`Outcome.as_dict`).
OUTCOME_FIGURES = (
    "owed", "delivered", "acknowledged", "rejected", "sent", "pending", "withheld", "dead", "unknown", "superseded"
)


@dataclass(frozen=True)
class ReconcileFilter:
    """What a reconciliation (and the deliveries behind a figure) covers: one target, one source, one department's
    own batches (its code), a period (`2021-07`, see `zhizhi.delivery.period`); None for all."""

    target: str | None = None
    source: str | None = None
    department: str | None = None
    period: str | None = None

    @classmethod
    def of(cls, **given: str | None) -> ReconcileFilter:
        """From what was typed (a form, a query, options): trimmed, and blank for all."""
        return cls(**{key: (given.get(key) or "").strip() or None for key in FILTER_KEYS})

    def but(self, **changes: str | None) -> ReconcileFilter:
        """The same filter with these keys changed (None or "" for all)."""
        return replace(self, **{key: value or None for key, value in changes.items()})

    def as_dict(self) -> dict[str, str | None]:
        return asdict(self)

    def query(self, **more: str | int) -> str:
        """The filter as a URL query (only what is set), with `more` parameters after it."""
        return urlencode({k: v for k, v in self.as_dict().items() if v} | {k: v for k, v in more.items() if v})


@dataclass(frozen=True)
class Intake:
    """What batches brought in: rows read and how each ended, the versions they made."""

    batches: int = 0
    produced: int = 0
    accepted: int = 0
    quarantined: int = 0
    skipped: int = 0
    versions: int = 0
    unchanged: int = 0
    replayed: int = 0

    def __add__(self, other: Intake) -> Intake:
        return Intake(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_dict(self) -> dict[str, int]:
        return {f.name: getattr(self, f.name) for f in fields(self)}


@dataclass(frozen=True)
class Outcome:
    """Deliveries by the state they reached."""

    pending: int = 0
    sent: int = 0
    acknowledged: int = 0
    rejected: int = 0  # the platform refused
    dead: int = 0
    unknown: int = 0  # gave up after timeouts: may have arrived; a receipt or a retry settles it
    withheld: int = 0  # never sent: a code waits for a steward's decision
    superseded: int = 0  # never sent, settled: a newer version of the record reached the platform first

    @property
    def owed(self) -> int:
        return self.delivered + self.pending + self.withheld + self.dead + self.unknown + self.superseded

    @property
    def delivered(self) -> int:
        """Reached the platform: it acknowledged, refused, or received (and owes a receipt)."""
        return self.sent + self.acknowledged + self.rejected

    def __add__(self, other: Outcome) -> Outcome:
        return Outcome(*(getattr(self, f.name) + getattr(other, f.name) for f in fields(self)))

    def as_dict(self) -> dict[str, int]:
        return {
            "owed": self.owed,
            "delivered": self.delivered,
            "acknowledged": self.acknowledged,
            "rejected": self.rejected,
            "sent": self.sent,
            "pending": self.pending,
            "withheld": self.withheld,
            "dead": self.dead,
            "unknown": self.unknown,
            "superseded": self.superseded,
        }


@dataclass(frozen=True)
class Line:
    """One source of one department and one target (None: a source no target takes)."""

    department: str
    department_name: str
    source: str
    target: str | None
    intake: Intake
    deliveries: Outcome

    def as_dict(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "department_name": self.department_name,
            "source": self.source,
            "target": self.target,
            "intake": self.intake.as_dict(),
            "deliveries": self.deliveries.as_dict(),
        }


@dataclass(frozen=True)
class Part:
    """One department's lines with its subtotal (each source's intake once)."""

    department: str
    department_name: str
    lines: list[Line]
    intake: Intake
    deliveries: Outcome

    def as_dict(self) -> dict[str, Any]:
        return {
            "department": self.department,
            "department_name": self.department_name,
            "intake": self.intake.as_dict(),
            "deliveries": self.deliveries.as_dict(),
        }


@dataclass(frozen=True)
class Reconciliation:
    """The lines by department in tree order, the totals, and the totals of each target."""

    period: Period | None
    chosen: ReconcileFilter
    parts: list[Part]
    intake: Intake
    deliveries: Outcome
    targets: dict[str, Outcome] = field(default_factory=dict)

    @property
    def lines(self) -> list[Line]:
        return [line for part in self.parts for line in part.lines]

    def as_dict(self) -> dict[str, Any]:
        """The JSON form (CLI `--json`, `GET /api/reconcile`)."""
        return {
            "period": self.period.as_dict() if self.period else None,
            "filters": self.chosen.as_dict(),
            "lines": [line.as_dict() for line in self.lines],
            "departments": [part.as_dict() for part in self.parts],
            "targets": {name: outcome.as_dict() for name, outcome in self.targets.items()},
            "total": {"intake": self.intake.as_dict(), "deliveries": self.deliveries.as_dict()},
        }


def assemble(period: Period | None, chosen: ReconcileFilter, lines: list[Line]) -> Reconciliation:
    """Lines by department, with subtotals, totals and per-target totals (each source's intake once)."""
    parts: list[Part] = []
    per_target: dict[str, Outcome] = {}
    for line in lines:
        if not parts or parts[-1].department != line.department:
            parts.append(Part(line.department, line.department_name, [], Intake(), Outcome()))
        parts[-1].lines.append(line)
        if line.target is not None:
            per_target[line.target] = per_target.get(line.target, Outcome()) + line.deliveries
    parts = [_subtotal(part) for part in parts]
    intake = sum((part.intake for part in parts), Intake())
    deliveries = sum((part.deliveries for part in parts), Outcome())
    return Reconciliation(period, chosen, parts, intake, deliveries, dict(sorted(per_target.items())))


def _subtotal(part: Part) -> Part:
    seen: dict[str, Intake] = {line.source: line.intake for line in part.lines}
    intake = sum(seen.values(), Intake())
    deliveries = sum((line.deliveries for line in part.lines), Outcome())
    return Part(part.department, part.department_name, part.lines, intake, deliveries)
