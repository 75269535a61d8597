"""Ticket answer (工单答复): the desk's answer to one ticket, rendered in its channel's words and status codes.

A handler decides a case once (zhizhi.hotline.cases); the desk writes one answer per ticket of the case, each as a
record of this type in the source of the ticket's channel and desk (`answers-12315-DESK`, `answers-12345-DESK`, ...),
so the outbox owes it to the channel's platform like every record: receipts, retries, reconciliation and ledger
entries as for any delivery. A later decision on the case (accepted, then mediated) is the answer's next version.
"""

from zhizhi.records.fields import Field, RecordType
from zhizhi.records.ticket import CHANNELS, KINDS

DECISIONS = {
    "accepted": "受理",
    "not_accepted": "不予受理",
    "mediated": "调解成功（办结）",
    "terminated": "终止调解（办结）",
    "referred": "移送（转办）",
    "case_opened": "立案",
    "not_opened": "不予立案",
    "answered": "已答复（办结）",
}
"""What a handler may decide on a case (Art 14-31 of the rules; `answered` closes a consultation or suggestion)."""

TICKET_ANSWER = RecordType(
    name="ticket_answer",
    label_zh="工单答复",
    label="Ticket answer",
    description="The desk's answer to one hotline ticket: the case's decision and result in the channel's codes.",
    own_sources="answers-",  # answers-CHANNEL-DESK, written by zhizhi.hotline.answers
    fields=(
        Field("channel", "enum", "渠道", "Channel", required=True, values=CHANNELS),
        Field(
            "number", "text", "工单编号", "Ticket number", required=True, privacy="none", identifier=True, max_length=64
        ),
        Field("case_number", "text", "案件编号", "Case number", required=True, privacy="none", max_length=32),
        Field("kind", "enum", "诉求类型", "Kind", values=KINDS),
        Field("decision", "enum", "处理决定", "Decision", required=True, values=DECISIONS),
        Field(
            "status_code", "text", "渠道状态代码", "Channel status code", required=True, privacy="none", max_length=16
        ),
        # The words a platform shows the caller: the desk's and the handler's as written (（）, ，, line breaks).
        Field("status_text", "text", "渠道状态", "Channel status", privacy="none", max_length=64, prose=True),
        # What a handler wrote may quote a caller's ID or phone number: free text, masked by detection.
        Field(
            "reason", "text", "理由（依据）", "Reason (legal basis)", privacy="free_text", max_length=500, prose=True
        ),
        Field("result", "text", "处理结果", "Result", privacy="free_text", max_length=4000, prose=True),
        Field("office", "text", "承办单位", "Handling office", privacy="none", max_length=100),
        Field("answered_at", "datetime", "答复时间", "Answered at", required=True, max_future_days=1),
    ),
    keys=(("number",),),
)
