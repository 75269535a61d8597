"""Reports that fill themselves: definitions as files (`reports/NAME.yaml`), runs on schedule and on demand, the
requester's Excel template, CSV and PDF, delivery through the outbox, and the catalogue of who reads what.

The front door:
- definitions: `ReportConfig`, `load_report`, `report_names`, `install_builtin` (`Installed`), `builtin_behind`;
- runs: `run_report`, `get_run`, `run_as_dict`, `export_run`, `latest_run`; periods: `parse_period`, `Period`;
- on schedule: `due`, `run_due`, `ReportChore` (the worker's chore);
- the catalogue: `catalogue`, `retire`, and the home page's card (`reader_card`).
"""

from pathlib import Path

from zhizhi.reports.builtin import Installed, builtin_behind, install_builtin
from zhizhi.reports.catalogue import catalogue, reader_card, retire
from zhizhi.reports.definition import FILES, ReportConfig
from zhizhi.reports.periods import Period
from zhizhi.reports.periods import parse as parse_period
from zhizhi.reports.runs import export_run, get_run, latest_run, run_as_dict, run_report
from zhizhi.reports.schedule import ReportChore, due, run_due


def load_report(root: Path, name: str) -> ReportConfig:
    """The report `name` of the workspace at `root`, checked."""
    return FILES.load(root, name)


def report_names(root: Path) -> list[str]:
    return FILES.names(root)


__all__ = [
    "Period",
    "ReportChore",
    "ReportConfig",
    "catalogue",
    "reader_card",
    "due",
    "export_run",
    "get_run",
    "Installed",
    "builtin_behind",
    "install_builtin",
    "latest_run",
    "load_report",
    "parse_period",
    "report_names",
    "retire",
    "run_as_dict",
    "run_due",
    "run_report",
]
