"""The register's words (主体库, 一企一档: entities, their golden values and links, the review of links): a
section of the catalogue (`zhizhi.i18n`)."""

from __future__ import annotations

_MESSAGES: dict[str, dict[str, str]] = {
    "zh-CN": {
        "register.title": "主体库",
        "register.help": (
            "主体库把各部门的登记、许可、特种设备和检查记录归并为市场主体，一企一档："
            "每个主体的标准信息都注明出自哪个部门的哪个文件哪一行。"
        ),
        "register.help_search": (
            "可按统一社会信用代码、名称（或其中几个字）、名称拼音首字母（如“华信食品”输入 `hxsp`）、地址或电话查找"
            "（电话须输入完整号码，按电话查找会记入审计日志）。"
        ),
        "register.search": "查找主体",
        "register.search_hint": "信用代码、名称、拼音首字母、地址或完整电话",
        "register.search_button": "查找",
        "register.phone_held": "按电话查找会记入审计日志，只能通过本页表单提交：请点击“查找”。",
        "register.results": "找到 {n} 个主体。",
        "register.no_results": "没有找到与“{q}”相符的主体。",
        "register.entity": "主体",
        "register.records": "记录数",
        "register.count_entities": "个市场主体",
        "register.count_linked": "条记录已归档",
        "register.count_review": "对记录待人工确认",
        "register.last_run": "最近一次归并：第 {id} 次，{by}，{at}。",
        "register.never_run": "尚未运行归并。",
        "register.field.name": "名称",
        "register.field.uscc": "统一社会信用代码",
        "register.field.reg_no": "注册号",
        "register.field.legal_representative": "法定代表人（负责人）",
        "register.field.address": "住所（经营场所）",
        "register.field.address_division_code": "住所行政区划代码",
        "register.field.phone": "联系电话",
        "register.field.industry_code": "行业代码",
        "entity.entity_n": "主体 {id}",
        "entity.merged_notice": "主体 {old} 已并入主体 {id}，现显示合并后的档案。",
        "entity.split_notice": "已拆分，另一部分记录现属：",
        "entity.record_count": "记录数",
        "entity.qr_download": "下载二维码（SVG）",
        "entity.print_hint": "打印本页（Ctrl+P）即得一页 A4：主体要点和本页二维码，可贴于检查表上，扫码即打开本档案。",
        "entity.golden": "标准信息",
        "entity.golden_help": "每项取自最可信的记录（按数据源优先级、时间和完整程度），并注明来源。",
        "entity.field": "字段",
        "entity.value": "值",
        "entity.provenance": "来源",
        "entity.timeline": "时间线",
        "entity.timeline_empty": "记录中没有带日期的事项。",
        "entity.date": "日期",
        "entity.what": "事项",
        "entity.records": "各部门记录",
        "entity.records_help": "归入本主体的每一条记录，按类型分组，并说明归并依据。",
        "entity.pick": "选择",
        "entity.linked_by": "归并依据",
        "entity.content": "内容",
        "entity.from": "出自",
        "entity.how.uscc": "统一社会信用代码相同",
        "entity.how.reg_no": "注册号相同",
        "entity.how.model": "模型匹配（{score}%）",
        "entity.how.steward": "人工确认",
        "entity.how.alone": "单独成档",
        "entity.split": "拆分",
        "entity.split_help": (
            "勾选不属于本主体的记录，填写理由后拆分：它们将成为另一个主体，"
            "以后重新归并也不会再并回来（可在待确认页撤销）。"
        ),
        "entity.deliveries": "数据交付",
        "entity.deliveries_empty": "本主体的记录尚未交付给任何平台。",
        "entity.target": "交付目标",
        "entity.count": "条数",
        "entity.deliveries_help": (
            "本主体各条记录的交付，按目标和状态计数；点击目标或状态，查看该目标所有记录的对账明细。"
        ),
        "entity.delivery_list": "交付明细",
        "entity.delivery_list_all": "共 {total} 条，最新的在前。",
        "entity.delivery_list_capped": "共 {total} 条，显示最新的 {shown} 条；其余见对账明细。",
        "entity.delivery": "交付",
        "entity.state_since": "状态时间",
        "entity.theirs": "{department}的记录，不在您的查看范围内",
        "entity.event.record": "{kind}：{field}",
        "entity.event.delivery": "交付至{target}：{state}",
        "entity.event.delivery_reason": "交付至{target}：{state}（{reason}）",
        "review.title": "待确认记录对",
        "review.help": (
            "得分介于两个阈值之间的记录对需要人工判断：是同一主体就合并，不是就标明。决定会记入审计，可撤销，"
            "以后重新归并时依然有效。"
        ),
        "review.pair_n": "记录对 {id}",
        "review.score": "匹配概率 {score}%",
        "review.why": "评分依据",
        "review.together": "两条记录现已同属主体 {id}（其他记录对或决定已将它们归并），可确认或标明不是同一主体。",
        "review.whole_records": "两条记录的全部字段",
        "review.reason": "理由",
        "review.reason_hint": "如：同一地址同一电话，名称简写",
        "review.merge": "合并",
        "review.apart": "不是同一主体",
        "review.merged_notice": "记录对 {pair} 已合并，两条记录现同属",
        "review.apart_notice": "记录对 {pair} 已确认不是同一主体。",
        "review.undone_notice": "决定已撤销，主体库已重新归并。",
        "review.empty": "没有待确认的记录对。",
        "review.decisions": "最近的决定",
        "review.decision": "决定",
        "review.records": "记录",
        "review.decided_by": "决定人",
        "review.decided_at": "时间",
        "review.undo": "撤销",
        "review.undone_at": "已于 {at} 撤销",
        "review.kind.merge": "合并",
        "review.kind.apart": "不是同一主体",
        "review.level_weight": "{level}（{weight}）",
        "review.why.credit_code": "信用代码",
        "review.why.reg_no": "注册号",
        "review.why.name": "名称",
        "review.why.branch": "分支机构",
        "review.why.form": "组织形式",
        "review.why.address": "地址",
        "review.why.phone": "电话",
        "review.why.legal_rep": "法定代表人",
    },
    "en": {
        "register.title": "Register",
        "register.help": (
            "The register joins every department's registrations, licences, equipment and inspections into market "
            "entities, one file per entity: each entity's fields say which department's file and row they came "
            "from."
        ),
        "register.help_search": (
            "Search by credit code, name (or part of it), the name's pinyin initials (`hxsp` for `华信食品`), address "
            "or a whole phone number (a phone is found only whole, and a search by one is audited)."
        ),
        "register.search": "Find an entity",
        "register.search_hint": "credit code, name, pinyin initials, address or whole phone",
        "register.search_button": "Search",
        "register.phone_held": "A search by a phone is recorded in the audit trail, so it runs only when sent from "
        "this page's form: press Search.",
        "register.results": "{n} entities found.",
        "register.no_results": "No entity matches “{q}”.",
        "register.entity": "Entity",
        "register.records": "Records",
        "register.count_entities": "market entities",
        "register.count_linked": "records filed",
        "register.count_review": "pairs waiting for a steward",
        "register.last_run": "Last resolution: run {id}, by {by}, {at}.",
        "register.never_run": "Resolution has not run yet.",
        "register.field.name": "Name",
        "register.field.uscc": "Unified Social Credit Code",
        "register.field.reg_no": "Registration number",
        "register.field.legal_representative": "Legal representative",
        "register.field.address": "Address",
        "register.field.address_division_code": "Address division code",
        "register.field.phone": "Phone",
        "register.field.industry_code": "Industry code",
        "entity.entity_n": "Entity {id}",
        "entity.merged_notice": "Entity {old} was merged into entity {id}; this is the merged file.",
        "entity.split_notice": "Split; the other records now belong to",
        "entity.record_count": "Records",
        "entity.qr_download": "Download the QR code (SVG)",
        "entity.print_hint": (
            "Print this page (Ctrl+P) for one A4 sheet: the key facts and this page's QR code, to attach to an "
            "inspection form; scanning it opens this file."
        ),
        "entity.golden": "Golden fields",
        "entity.golden_help": (
            "Each value comes from the most trusted record (source priority, then recency, then completeness) and "
            "says where from."
        ),
        "entity.field": "Field",
        "entity.value": "Value",
        "entity.provenance": "Provenance",
        "entity.timeline": "Timeline",
        "entity.timeline_empty": "The records hold no dated facts.",
        "entity.date": "Date",
        "entity.what": "What",
        "entity.records": "Records of every department",
        "entity.records_help": "Every record filed under this entity, by type, with what linked it.",
        "entity.pick": "Pick",
        "entity.linked_by": "Linked by",
        "entity.content": "Content",
        "entity.from": "From",
        "entity.how.uscc": "same credit code",
        "entity.how.reg_no": "same registration number",
        "entity.how.model": "model match ({score}%)",
        "entity.how.steward": "a steward's decision",
        "entity.how.alone": "on its own",
        "entity.split": "Split",
        "entity.split_help": (
            "Tick the records that are not this entity's and give a reason: they become another entity, and later "
            "runs keep them apart (undo on the review page)."
        ),
        "entity.deliveries": "Deliveries",
        "entity.deliveries_empty": "None of this entity's records has been delivered to a platform yet.",
        "entity.target": "Target",
        "entity.count": "Count",
        "entity.deliveries_help": (
            "The deliveries of this entity's records, counted by target and state; a target or a state opens the "
            "reconciliation of every record delivered to that target."
        ),
        "entity.delivery_list": "Deliveries one by one",
        "entity.delivery_list_all": "{total} in all, newest first.",
        "entity.delivery_list_capped": "{total} in all; the newest {shown} are shown, the others in reconciliation.",
        "entity.delivery": "Delivery",
        "entity.state_since": "State since",
        "entity.theirs": "a record of {department}: not yours to open",
        "entity.event.record": "{kind}: {field}",
        "entity.event.delivery": "Delivery to {target}: {state}",
        "entity.event.delivery_reason": "Delivery to {target}: {state} ({reason})",
        "review.title": "Pairs to review",
        "review.help": (
            "Pairs scoring between the two thresholds need a person: merge them if they are the same entity, say "
            "so if not. Decisions are audited, can be undone, and hold on every later run."
        ),
        "review.pair_n": "Pair {id}",
        "review.score": "match probability {score}%",
        "review.why": "Why it scored so",
        "review.together": (
            "Both records already belong to entity {id} (through other pairs or decisions); confirm, or say they are "
            "not the same."
        ),
        "review.whole_records": "Both records in full",
        "review.reason": "Reason",
        "review.reason_hint": "e.g. same address and phone, short name",
        "review.merge": "Merge",
        "review.apart": "Not the same entity",
        "review.merged_notice": "Pair {pair} merged; both records now belong to",
        "review.apart_notice": "Pair {pair} kept apart: not the same entity.",
        "review.undone_notice": "Decision undone; the register is resolved again.",
        "review.empty": "No pairs wait for review.",
        "review.decisions": "Recent decisions",
        "review.decision": "Decision",
        "review.records": "Records",
        "review.decided_by": "Decided by",
        "review.decided_at": "When",
        "review.undo": "Undo",
        "review.undone_at": "undone {at}",
        "review.kind.merge": "merge",
        "review.kind.apart": "not the same entity",
        "review.level_weight": "{level} ({weight})",
        "review.why.credit_code": "Credit code",
        "review.why.reg_no": "Registration number",
        "review.why.name": "Name",
        "review.why.branch": "Branch",
        "review.why.form": "Legal form",
        "review.why.address": "Address",
        "review.why.phone": "Phone",
        "review.why.legal_rep": "Legal representative",
    },
}


def messages() -> dict[str, dict[str, str]]:
    """This section's words, per locale."""
    return _MESSAGES
