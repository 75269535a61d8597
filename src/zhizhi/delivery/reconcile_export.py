"""A reconciliation as an Excel workbook: the figures (`summary`) and the deliveries behind them (`deliveries`).

Headers carry the Chinese word and the JSON key (`产生 produced`); `已送达 delivered` counts what reached the platform,
`未能发出 withheld` what zhizhi held back for a code decision, and `已被新版本取代 superseded` what it never sent
because a newer version of the record reached the platform first. The summary has one row per line and a total row
(each source's intake once: do not add up the intake columns of a source delivered to several targets), then the
filters it was made with. Every cell goes through the formula-safe `zhizhi.cells.xlsx_cell`: a record's name
or a platform's reason that starts like a formula stays text.
"""

from __future__ import annotations

from collections.abc import Iterable
from pathlib import Path
from typing import IO, Any

from zhizhi.cells import save_workbook, xlsx_cell
from zhizhi.delivery.figures import Intake, Outcome, Reconciliation
from zhizhi.delivery.outbox import STATUS_WORDS
from zhizhi.store.types import local_text_of

LINE_COLUMNS = (
    ("部门", "department"),
    ("部门名称", "department_name"),
    ("数据源", "source"),
    ("交付目标", "target"),
)
INTAKE_COLUMNS = (
    ("批次", "batches"),
    ("产生", "produced"),
    ("接收", "accepted"),
    ("隔离", "quarantined"),
    ("跳过", "skipped"),
    ("新版本", "versions"),
    ("未变", "unchanged"),
    ("重新处理", "replayed"),
)
OUTCOME_COLUMNS = (
    ("应交付", "owed"),
    ("已送达", "delivered"),
    ("已确认", "acknowledged"),
    ("被拒收", "rejected"),
    ("待回执", "sent"),
    ("待发送", "pending"),
    ("未能发出", "withheld"),
    ("失败", "dead"),
    ("送达未知", "unknown"),
    ("已被新版本取代", "superseded"),
)
DELIVERY_COLUMNS = (
    ("交付编号", "id"),
    ("交付目标", "target"),
    ("状态", "status"),
    ("记录键", "record_key"),
    ("名称", "name"),
    ("数据源", "source"),
    ("部门", "department"),
    ("文件", "file"),
    ("工作表", "sheet"),
    ("行号", "row"),
    ("批次", "batch_id"),
    ("版本", "version"),
    ("尝试次数", "attempts"),
    ("原因", "last_error"),
    ("幂等键", "idempotency_key"),
    ("应交付时间", "created_at"),
    ("发送时间", "sent_at"),
    ("确认时间", "acknowledged_at"),
)
TIMES = ("created_at", "sent_at", "acknowledged_at")
FILTER_LABELS = {"period": "期间", "target": "交付目标", "source": "数据源", "department": "部门"}


def write_reconciliation_xlsx(
    reconciliation: Reconciliation, deliveries: Iterable[dict[str, Any]], target: Path | str | IO[bytes]
) -> int:
    """Write the summary and the deliveries (as `list_deliveries` gives them); returns the deliveries written."""
    from openpyxl import Workbook

    workbook = Workbook(write_only=True)
    summary = workbook.create_sheet("summary")
    header = (*LINE_COLUMNS, *INTAKE_COLUMNS, *OUTCOME_COLUMNS)
    summary.append([xlsx_cell(summary, f"{zh} {key}") for zh, key in header])
    for line in reconciliation.lines:
        named = [line.department, line.department_name, line.source, line.target]
        summary.append([xlsx_cell(summary, v) for v in named + _figures(line.intake, line.deliveries)])
    total = ["合计 total", None, None, None, *_figures(reconciliation.intake, reconciliation.deliveries)]
    summary.append([xlsx_cell(summary, v) for v in total])
    summary.append([])
    chosen = reconciliation.chosen.as_dict()
    for key, label in FILTER_LABELS.items():
        value = chosen.get(key)
        summary.append([xlsx_cell(summary, f"{label} {key}"), xlsx_cell(summary, value or "全部 all")])
    sheet = workbook.create_sheet("deliveries")
    sheet.append([xlsx_cell(sheet, f"{zh} {key}") for zh, key in DELIVERY_COLUMNS])
    written = 0
    for item in deliveries:
        values = [_cell(key, item[key]) for _, key in DELIVERY_COLUMNS]
        sheet.append([xlsx_cell(sheet, v) for v in values])
        written += 1
    save_workbook(workbook, target)
    return written


def _cell(key: str, value: Any) -> Any:
    """A delivery's value as the sheet shows it: times in Beijing time, the state in words."""
    if key in TIMES:
        return local_text_of(value) or None
    if key == "status":
        return STATUS_WORDS.get(value, (value,))[0]
    return value


def _figures(intake: Intake, outcome: Outcome) -> list[Any]:
    counts = intake.as_dict() | outcome.as_dict()
    return [counts[key] for _, key in (*INTAKE_COLUMNS, *OUTCOME_COLUMNS)]
