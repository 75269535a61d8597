"""A run's figures as files: CSV for machines, the requester's own Excel template filled (zhizhi.reports.workbook),
and a PDF."""

from __future__ import annotations

import csv
import io
from typing import Any

from zhizhi.cells import csv_cell
from zhizhi.reports.definition import ReportConfig
from zhizhi.reports.workbook import fill_template, shift_formula

FORMATS = ("csv", "xlsx", "pdf")
__all__ = [
    "FORMATS", "csv_bytes", "facts", "fill_template", "labelled_columns", "pdf_bytes", "shift_formula", "table_rows"
]


def labelled_columns(figures: dict[str, Any]) -> list[dict[str, str]]:
    """The figures' columns, with a blank one in front to hold the word 合计/total when no group key can (a report
    without `group_by`), so that no figure is written over."""
    columns: list[dict[str, str]] = figures["columns"]
    if any(c["kind"] in ("key", "name") for c in columns):
        return columns
    return [{"name": "", "label": "", "kind": "label"}, *columns]


def table_rows(figures: dict[str, Any], with_total: bool = True) -> tuple[list[str], list[list[Any]]]:
    """The header (labels) and the rows of a run's figures, the total row last."""
    columns = [c for c in labelled_columns(figures) if c["kind"] != "key"]
    header = [c["label"] for c in columns]
    rows = [[row.get(c["name"]) for c in columns] for row in figures["rows"]]
    if with_total:
        names = [c["name"] for c in columns]
        total = [figures["totals"].get(n) if n in figures["totals"] else None for n in names]
        if total and total[0] is None:
            total[0] = "合计"
        rows.append(total)
    return header, rows


def csv_bytes(figures: dict[str, Any]) -> bytes:
    """UTF-8 CSV with a byte-order mark (Excel opens it right): every key, its name and each measure."""
    out = io.StringIO()
    writer = csv.writer(out, lineterminator="\n")
    columns = labelled_columns(figures)
    writer.writerow([csv_cell(c["name"]) for c in columns])
    for row in figures["rows"]:
        writer.writerow([csv_cell(row.get(c["name"])) for c in columns])
    totals = figures["totals"]
    writer.writerow(["total" if n == 0 else csv_cell(totals.get(c["name"])) for n, c in enumerate(columns)])
    return ("\ufeff" + out.getvalue()).encode("utf-8")


def facts(report: ReportConfig, run: dict[str, Any]) -> dict[str, Any]:
    """What a named cell may hold, for one run."""
    figures = run["figures"]
    values = {
        "title": report.title,
        "requester": report.requester,
        "department": run.get("department_name") or report.department,
        "period": run["period"],
        "period_first": run["period_first"],
        "period_last": run["period_last"],
        "snapshot_at": run.get("snapshot_local") or run["snapshot_at"],  # the bureau's time, as the PDF says it
        "run_id": run["id"],
        "content_hash": run["content_hash"],
        "frequency": report.frequency,
    }
    values.update({f"total.{name}": value for name, value in figures["totals"].items()})
    return values


def pdf_bytes(report: ReportConfig, run: dict[str, Any]) -> bytes:
    """The run as an A4 PDF with its Chinese text drawn from the shipped font (`zhizhi.pdf`)."""
    from datetime import datetime

    from zhizhi.pdf import report_pdf

    header, rows = table_rows(run["figures"])
    subtitle = [
        f"报告期：{run['period']}（{run['period_first']} 至 {run['period_last']}）",
        f"报送单位：{run.get('department_name') or report.department}　　需求单位：{report.requester}",
        f"数据截至：{run['snapshot_local']}",
    ]
    later = run.get("replaced_by")
    if later:  # a run filled again since, with other figures: this copy says so wherever it goes
        subtitle.insert(0, f"【已被替代】本期报表已于 {later['snapshot_local']} 重新生成（第 {later['id']} 次），"
                           "数字有变，请以新版为准。")  # fmt: skip
    footer = f"zhizhi 报表 {report.name} · 第 {run['id']} 次生成 · 内容摘要 {str(run['content_hash'])[:16]}"
    return report_pdf(
        report.title,
        subtitle,
        [(report.title, header, rows)],
        footer,
        created=datetime.fromisoformat(run["snapshot_at"].replace("Z", "+00:00")),
        author=str(run.get("department_name") or report.department),
    )
