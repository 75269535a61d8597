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

# The labels of the fields a report may group by, per origin (a record's own fields are labelled by its type):
# the headers of a run's figures, Chinese and English.
_FIELDS = {
    "records": {"source": ("数据源", "Source"), "created_at": ("入库时间", "Taken in at"),
                "updated_at": ("更新时间", "Updated at"), "visit": ("检查任务", "Visit")},
    "entities": {"records": ("记录数", "Records"), "created_at": ("入库时间", "Taken in at"),
                 "updated_at": ("更新时间", "Updated at")},
    "deliveries": {"target": ("交付平台", "Target"), "status": ("交付状态", "Status"),
                   "attempts": ("发送次数", "Tries"), "record_type": ("记录类型", "Record type"),
                   "source": ("数据源", "Source"), "created_at": ("生成时间", "Owed since"),
                   "sent_at": ("发送时间", "Sent at"), "acknowledged_at": ("确认时间", "Acknowledged at")},
    "quarantine": {"source": ("数据源", "Source"), "status": ("处理状态", "Status"), "reasons": ("隔离原因", "Reasons"),
                   "record_type": ("记录类型", "Record type"), "created_at": ("进入隔离时间", "Quarantined at"),
                   "updated_at": ("更新时间", "Updated at")},
    "audit": {"action": ("操作", "Action"), "actor": ("操作人", "Actor"), "object_type": ("对象类型", "Object type"),
              "at": ("时间", "At")},
    "cases": {"number": ("工单编号", "Case number"), "kind": ("诉求类型", "Kind"), "stage": ("办理环节", "Stage"),
              "decision": ("处理决定", "Decision"), "decision_reason": ("决定理由", "Reason for the decision"),
              "respondent_division": ("被反映对象所在区划", "Respondent's division"),
              "received_on": ("登记日期", "Received on"), "accepted_on": ("受理日期", "Accepted on"),
              "decided_at": ("决定时间", "Decided at"), "created_at": ("入库时间", "Taken in at"),
              "clock": ("时限状态", "Deadline state")},
    "workload": {"kind": ("工作类型", "Kind of work"), "opened_at": ("开始时间", "Opened at"),
                 "closed_at": ("完成时间", "Closed at"), "closed_as": ("完成方式", "Closed as"),
                 "due_on": ("期限", "Due on"), "capacity": ("承载量", "Capacity")},
}  # fmt: skip


def messages() -> dict[str, dict[str, str]]:
    """This section's words, per locale."""
    fields = [(f"reports.field.{origin}.{name}", words) for origin, named in _FIELDS.items() for name, words in
              named.items()]  # fmt: skip
    return {"zh-CN": _ZH | {key: zh for key, (zh, _) in fields}, "en": _EN | {key: en for key, (_, en) in fields}}
