"""Report run (报表): one filled report for one period, owed to the platforms that take reports through the outbox.

A run (zhizhi.reports) writes itself as one JSON line for the issuing department's report source
(`sources/reports-DEPT.yaml`, written on first use) and ingests it, so a report reaches a target like every record:
receipts, retries, reconciliation and ledger entries. The record's key is the report and its period, so running a
period again is the record's next version, and an unchanged run (the same content hash) is not sent twice.
"""

from zhizhi.records.fields import Field, RecordType

FREQUENCY_ZH = {"daily": "日报", "weekly": "周报", "monthly": "月报", "quarterly": "季报", "on_demand": "按需"}
"""How often a report is filled (zhizhi.reports.periods)."""

REPORT_RUN = RecordType(
    name="report_run",
    label_zh="报表",
    label="Report run",
    description="One report filled for one period: its figures (JSON), the data's snapshot time and content hash.",
    own_sources="reports-",  # reports-DEPT, written by zhizhi.reports.deliver
    fields=(
        Field("report", "text", "报表名称", "Report", required=True, privacy="none", identifier=True, max_length=64),
        Field("title", "text", "报表标题", "Title", required=True, privacy="none", max_length=100),
        Field("period", "text", "报告期", "Period", required=True, privacy="none", identifier=True, max_length=32),
        Field("period_first", "date", "报告期起", "Period from", required=True, max_future_days=None),
        Field("period_last", "date", "报告期止", "Period to", required=True, max_future_days=None),
        Field("frequency", "enum", "频次", "Frequency", values=FREQUENCY_ZH),
        Field("requester", "text", "需求单位", "Requested by", privacy="none", max_length=100),
        Field("department", "text", "报送单位", "Issued by", privacy="none", max_length=100),
        Field("snapshot_at", "datetime", "数据截至", "Data as of", required=True, max_future_days=1),
        Field("content_hash", "text", "内容摘要", "Content hash", required=True, privacy="none", max_length=64),
        # As the run hashed them: a platform checks `content_hash` against what it received (never folded).
        Field("figures", "text", "数据", "Figures (JSON)", privacy="none", max_length=200_000, prose=True),
    ),
    keys=(("report", "period"),),
    periods=(("period_first", "period_last"),),
)
