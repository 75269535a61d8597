"""The reports' catalogue page: its words in Chinese and English, a section of the catalogue (`zhizhi.i18n`)."""

from __future__ import annotations

_ZH = {
    "reports.catalogue": "报表目录",
    "reports.catalogue_help": "每张报表由谁要、多久一次、最近一次、近期由谁下载或接收；无人查阅的报表建议停用。",
    "reports.retired_notice": "已停用报表：",
    "reports.hours_saved": "小时：节省的手工填报时间",
    "reports.col.report": "报表",
    "reports.col.requester": "需求单位",
    "reports.col.frequency": "频次",
    "reports.col.runs": "次数",
    "reports.col.last_period": "最近报告期",
    "reports.col.read_by": "近期查阅",
    "reports.retired": "已停用",
    "reports.flag_retire": "建议停用",
    "reports.retire_reason": "停用理由",
    "reports.retire_reason_default": "连续多期无人查阅",
    "reports.retire": "停用",
    "reports.none": "尚无报表：请数据管理员安装内置报表（zhizhi reports install）。",
    "reports.frequency.daily": "每日",
    "reports.frequency.weekly": "每周",
    "reports.frequency.monthly": "每月",
    "reports.frequency.quarterly": "每季度",
    "reports.frequency.on_demand": "按需",
}

_EN = {
    "reports.catalogue": "Reports",
    "reports.catalogue_help": (
        "Who asked for each report, how often, its last run, who downloaded or received its recent runs; reports "
        "nobody reads are flagged for retirement."
    ),
    "reports.retired_notice": "Retired:",
    "reports.hours_saved": "hours of hand-filling saved",
    "reports.col.report": "Report",
    "reports.col.requester": "Requested by",
    "reports.col.frequency": "Frequency",
    "reports.col.runs": "Runs",
    "reports.col.last_period": "Last period",
    "reports.col.read_by": "Read by",
    "reports.retired": "retired",
    "reports.flag_retire": "retire?",
    "reports.retire_reason": "why",
    "reports.retire_reason_default": "nobody read it for several periods",
    "reports.retire": "Retire",
    "reports.none": "No reports yet: a data steward installs the built-in ones (zhizhi reports install).",
    "reports.frequency.daily": "daily",
    "reports.frequency.weekly": "weekly",
    "reports.frequency.monthly": "monthly",
    "reports.frequency.quarterly": "quarterly",
    "reports.frequency.on_demand": "on demand",
}


def messages() -> dict[str, dict[str, str]]:
    """This section's words, per locale."""
    return {"zh-CN": _ZH, "en": _EN}
