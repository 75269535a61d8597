"""Words of delivery and its figures that tell what reached a platform and what zhizhi held back, and of the one path
from a withheld delivery to the code decision that releases it (the review queue and its items)."""

from __future__ import annotations


def messages() -> dict[str, dict[str, str]]:
    """This section's words, per locale."""
    return {"zh-CN": ZH, "en": EN}


ZH = {
    "funnel.intro": "每个交付目标：应交付的记录版本；已送达平台的（平台已确认、拒收或待回执）；"
    "未能发出的（代码在目标平台的代码表中没有唯一对应，待数据管理员决定），不算作已送达。点击数字查看明细。",
    "funnel.withheld": "未能发出",
    "funnel.superseded": "已被新版本取代",
    "funnel.retrying": "{n} 条待发送的交付发送失败，正等待重试。最近的错误：",
    "funnel.latest_problems": "最近被拒收、未能发出和失败的交付",
    "funnel.no_problems": "没有被拒收、未能发出或失败的交付。",
    "funnel.decide": "去决定代码",
    "reconcile.intro": "各部门的数据源在所选期间产生了多少行、接收了多少；每个交付目标应交付多少、送达多少、"
    "平台拒收多少、因代码待决定而未能发出多少。产生 = 接收 + 隔离 + 跳过；应交付 = 已送达 + 待发送 + 未能发出 + "
    "失败 + 送达未知 + 已被新版本取代；已送达（到达平台）= 已确认 + 被拒收 + 待回执。点击数字查看明细。",
    "reconcile.withheld": "未能发出",
    "reconcile.status.withheld": "未能发出：待决定代码",
    "reconcile.superseded": "已被新版本取代",
    "reconcile.status.superseded": "已被新版本取代（该记录的新版本已先送达平台，此版本不再发送）",
    "reconcile.waits_for": "待决定：代码 {code}",
    "delivery.waits_for": "待决定",
    "delivery.waits_for_item": "代码 {code}（{name}）：{from_title} → {to_title}",
    "delivery.waits_for_help": "此交付未发出：该代码在目标平台的代码表中没有唯一对应。数据管理员决定后，"
    "它会自动重新发送。",
    "delivery.decided_none": "数据管理员已决定该代码没有对应代码，此交付不发出；如改变决定，它会自动重新发送。",
    "delivery.why": "原因",
    "delivery.open_item": "查看并决定",
    "delivery.entry.acknowledged": "平台已确认",
    "delivery.entry.rejected": "平台拒收",
    "delivery.entry.sent": "已发送，待回执",
    "delivery.entry.retry": "发送失败，稍后重试",
    "delivery.entry.dead": "不再发送",
    "delivery.entry.unknown": "超时，送达未知",
    "delivery.entry.withheld": "未能发出：代码待决定",
    "delivery.entry.requeued": "重新排队",
    "delivery.entry.superseded": "已被新版本取代，不再发送",
    "codes.queue_order": "按决定后可放行的交付数排列，其次按涉及行数：排在前面的决定放行最多。",
    "codes.held": "可放行交付",
    "codes.held_n": "{deliveries} 条交付（{records} 条记录）",
    "codes.held_none": "无",
    "codes.released_notice": "已记录代码 {code} 的决定；因它未能发出的 {n} 条交付已重新排队，将随下一批发送。",
    "codes.release": "重新发送被扣下的交付",
    "codes.released_only": "{n} 条交付已重新排队，将随下一批发送。",
    "codes.released_none": "{n} 条交付将在下一批中判为无法发送（失败）：该代码在目标代码表中没有对应代码，"
    "原因记入每条交付。",
    "codes.superseded_notice": "另有 {n} 条不再发送：其记录已有更新的版本送达平台（已被新版本取代）。",
    "codes.item_title": "待审代码 {code}",
    "codes.item_status.open": "待决定",
    "codes.item_status.decided": "已决定",
    "codes.decision_in_force": "现行决定",
    "codes.held_here": "本部门被此代码扣下的交付",
    "codes.held_here_more": "另有 {n} 条，见交付对账中的“未能发出”。",
    "codes.held_elsewhere": "其余 {n} 条属于其他部门的记录，决定后同样重新发送。",
    "codes.shown_of": "第 {first}–{last} 项，共 {total} 项",
    "codes.lists_route": "{from_title} → {to_title}",
    "codes.field_is": "{label}为“{value}”",
    "codes.open_item": "详情",
    "codes.queue.open": "待决定",
    "codes.queue.decided": "已决定",
    "codes.queue.all": "全部",
}

EN = {
    "funnel.intro": "For each target: the record versions owed; those that reached the platform (acknowledged, "
    "rejected by it, or awaiting its receipt); and those not sent (a code with no single equivalent in the "
    "platform's list, awaiting a data steward's decision), which are not counted as delivered. Click a figure for "
    "the deliveries behind it.",
    "funnel.withheld": "not sent",
    "funnel.superseded": "superseded",
    "funnel.retrying": "{n} pending deliveries failed and wait to be tried again. The latest error:",
    "funnel.latest_problems": "Latest rejected, unsent and dead deliveries",
    "funnel.no_problems": "No rejected, unsent or dead deliveries.",
    "funnel.decide": "decide the code",
    "reconcile.intro": "What each department's sources produced and what was accepted in the period; what each "
    "target was owed, what reached it, what it rejected, and what was not sent because a code awaits a decision. "
    "Produced = accepted + quarantined + skipped; owed = delivered + pending + not sent + dead + unknown + "
    "superseded; delivered (reached the platform) = acknowledged + rejected + awaiting receipt. Click a figure for the "
    "deliveries behind it.",
    "reconcile.withheld": "Not sent",
    "reconcile.status.withheld": "not sent: a code awaits a decision",
    "reconcile.superseded": "Superseded",
    "reconcile.status.superseded": "superseded by a newer version (it reached the platform first; this one is not "
    "sent)",
    "reconcile.waits_for": "awaiting a decision on code {code}",
    "delivery.waits_for": "Awaiting",
    "delivery.waits_for_item": "code {code} ({name}): {from_title} → {to_title}",
    "delivery.waits_for_help": "Not sent: the code has no single equivalent in the target's list. Once a data "
    "steward decides it, this delivery is sent again by itself.",
    "delivery.decided_none": "A data steward decided the code has no equivalent, so this delivery is not sent; "
    "if the decision changes, it is sent again by itself.",
    "delivery.why": "Reason",
    "delivery.open_item": "Review and decide",
    "delivery.entry.acknowledged": "acknowledged by the platform",
    "delivery.entry.rejected": "rejected by the platform",
    "delivery.entry.sent": "sent, awaiting receipt",
    "delivery.entry.retry": "failed, to be tried again",
    "delivery.entry.dead": "given up",
    "delivery.entry.unknown": "timed out: may have arrived",
    "delivery.entry.withheld": "not sent: a code awaits a decision",
    "delivery.entry.requeued": "queued again",
    "delivery.entry.superseded": "superseded by a newer version: not sent",
    "codes.queue_order": "Sorted by how many deliveries each decision releases, then by rows affected: the first "
    "decisions release the most.",
    "codes.held": "Releases",
    "codes.held_n": "{deliveries} deliveries ({records} records)",
    "codes.held_none": "none",
    "codes.released_notice": "Decision on code {code} recorded; the {n} deliveries it held are queued and go "
    "with the next batch.",
    "codes.release": "Send the held deliveries again",
    "codes.released_only": "{n} deliveries are queued and go with the next batch.",
    "codes.released_none": "{n} deliveries end dead with the next batch: the code has no equivalent in the target's "
    "list (the reason is kept with each).",
    "codes.superseded_notice": "{n} more are not sent: a newer version of their record already reached the platform "
    "(superseded).",
    "codes.item_title": "Code to review: {code}",
    "codes.item_status.open": "awaiting a decision",
    "codes.item_status.decided": "decided",
    "codes.decision_in_force": "Decision in force",
    "codes.held_here": "Your departments' deliveries held for this code",
    "codes.held_here_more": "{n} more: see “not sent” in the reconciliation.",
    "codes.held_elsewhere": "{n} more are other departments' records; the decision sends them again too.",
    "codes.shown_of": "Items {first}–{last} of {total}",
    "codes.lists_route": "{from_title} → {to_title}",
    "codes.field_is": "{label} is “{value}”",
    "codes.open_item": "Details",
    "codes.queue.open": "awaiting a decision",
    "codes.queue.decided": "decided",
    "codes.queue.all": "all",
}
