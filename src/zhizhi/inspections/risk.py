"""The risk class of an inspection target, from what the register knows of it, each reason shown with its points.

| fact (from the register)                                              | points                         |
|-----------------------------------------------------------------------|--------------------------------|
| complaints and reports against it (hotline cases) in the last 12 months | 1 per case, at most 3         |
| licences held (licence records: a licensed trade)                     | 1                              |
| special equipment registered (equipment records)                      | 2; 3 from 5 units              |
| past findings (inspection records) in the last 24 months              | 不合格 3, 责令整改 2, 无法联系 2; at most 3 |

A score of 5 or more is high risk (高风险), 2 to 4 medium (一般风险), below 2 low (低风险). A class set by hand (an
import of the target register, e.g. from the abnormal-operations list) wins, and says so with its reason.
"""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

CLASSES = ("high", "medium", "low")
CLASS_WORDS = {"high": ("高风险", "high risk"), "medium": ("一般风险", "medium risk"), "low": ("低风险", "low risk")}
CLASS_ALIASES = {
    "高": "high",
    "高风险": "high",
    "中": "medium",
    "一般": "medium",
    "一般风险": "medium",
    "中风险": "medium",
    "低": "low",
    "低风险": "low",
    "high": "high",
    "medium": "medium",
    "low": "low",
}
HIGH_FROM, MEDIUM_FROM = 5, 2
COMPLAINT_MONTHS, FINDING_MONTHS = 12, 24
FINDING_POINTS = {"fail": 3, "rectify": 2, "not_found": 2}
FINDING_WORDS = {
    "fail": ("不合格", "failed"),
    "rectify": ("责令整改", "ordered to rectify"),
    "not_found": ("无法联系", "not found at its address"),
}


@dataclass
class Facts:
    """What the register holds on one entity that bears on its risk."""

    complaints: int = 0
    licences: int = 0
    equipment: int = 0
    findings: Counter[str] = field(default_factory=Counter)


def reasons_of(facts: Facts) -> list[dict[str, Any]]:
    """The reasons that add points, each {code, points, zh, en}."""
    reasons = []
    if facts.complaints:
        reasons.append(
            _reason(
                "complaints",
                min(facts.complaints, 3),
                f"近{COMPLAINT_MONTHS}个月被投诉举报 {facts.complaints} 件",
                f"{facts.complaints} complaint(s) or report(s) in the last {COMPLAINT_MONTHS} months",
            )
        )
    if facts.licences:
        reasons.append(
            _reason(
                "licences",
                1,
                f"持有许可证 {facts.licences} 件（许可经营）",
                f"holds {facts.licences} licence(s) (a licensed trade)",
            )
        )
    if facts.equipment:
        reasons.append(
            _reason(
                "equipment",
                3 if facts.equipment >= 5 else 2,
                f"登记特种设备 {facts.equipment} 台",
                f"{facts.equipment} unit(s) of special equipment registered",
            )
        )
    found = {k: n for k, n in facts.findings.items() if k in FINDING_POINTS and n}
    if found:
        points = min(3, sum(FINDING_POINTS[k] for k in found))
        zh = "、".join(f"{FINDING_WORDS[k][0]} {n} 次" for k, n in sorted(found.items()))
        en = ", ".join(f"{FINDING_WORDS[k][1]} {n} time(s)" for k, n in sorted(found.items()))
        reasons.append(
            _reason(
                "findings",
                points,
                f"近{FINDING_MONTHS}个月检查发现问题：{zh}",
                f"findings in the last {FINDING_MONTHS} months: {en}",
            )
        )
    return reasons


def _reason(code: str, points: int, zh: str, en: str) -> dict[str, Any]:
    return {"code": code, "points": points, "zh": zh, "en": en}


def classify(score: int) -> str:
    """The class a score earns."""
    return "high" if score >= HIGH_FROM else "medium" if score >= MEDIUM_FROM else "low"


def assess(
    facts: Facts, manual_class: str | None = None, manual_reason: str | None = None
) -> tuple[str, int, list[dict[str, Any]]]:
    """The class, the score and the reasons; a class set by hand wins and is the last reason."""
    reasons = reasons_of(facts)
    score = sum(r["points"] for r in reasons)
    risk_class, reasons = concluded(score, reasons, manual_class, manual_reason)
    return risk_class, score, reasons


def concluded(
    score: int, reasons: list[dict[str, Any]], manual_class: str | None, manual_reason: str | None
) -> tuple[str, list[dict[str, Any]]]:
    """The class and the reasons shown for a score and its reasons (those of a former conclusion, a class set by hand
    or `none`, left off), with a class set by hand: what an import of the register applies at once."""
    reasons = [r for r in reasons if r["code"] not in ("manual", "none")]
    if manual_class:
        zh, en = CLASS_WORDS[manual_class]
        reasons.append(
            _reason(
                "manual", 0, f"人工调整为{zh}：{manual_reason or ''}", f"set by hand to {en}: {manual_reason or ''}"
            )
        )
        return manual_class, reasons
    if not reasons:
        reasons.append(
            _reason(
                "none",
                0,
                "无投诉举报、许可、特种设备或问题记录",
                "no complaints, licences, special equipment or findings",
            )
        )
    return classify(score), reasons
