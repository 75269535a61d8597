"""The hotline desk's words in Chinese and English, a section of the catalogue (`zhizhi.i18n`)."""

from __future__ import annotations

from zhizhi.hotline.cases import NOT_ACCEPTED_REASONS
from zhizhi.hotline.clocks import RULES
from zhizhi.records.ticket import CHANNELS, KINDS
from zhizhi.records.ticket_answer import DECISIONS

_ZH = {
    "entity.cases": "投诉举报案件",
    "entity.cases_help": "以本主体为被投诉举报对象的热线案件（不显示诉求人信息）。",
    "entity.cases_empty": "没有以本主体为被投诉举报对象的热线案件。",
    "entity.case_elsewhere": "其他部门承办，不在您的查看范围内",
    "hotline.title": "热线",
    "hotline.tab.cases": "案件",
    "hotline.tab.suggestions": "待确认并案",
    "hotline.tab.statistics": "统计",
    "hotline.tab.submit": "网上投诉举报",
    "hotline.tab.lookup": "办理进度查询",
    "hotline.all": "全部",
    "hotline.all_open": "全部（不含已并案）",
    "hotline.filter": "筛选",
    "hotline.take_in": "将新工单归入案件",
    "hotline.take_in_help": "后台任务也会定时归并；需要立即处理时点此。",
    "hotline.taken_notice": "已归并 {n} 张新工单。",
    "hotline.case": "案件",
    "hotline.case_n": "案件 {number}",
    "hotline.cases": "案件",
    "hotline.kind": "诉求类型",
    "hotline.stage": "办理阶段",
    "hotline.received": "受理时间",
    "hotline.respondent": "被投诉举报对象",
    "hotline.respondent_address": "被投诉举报对象地址",
    "hotline.tickets": "工单",
    "hotline.office": "承办单位",
    "hotline.desk": "受理部门",
    "hotline.handler": "承办人",
    "hotline.handler_username": "承办人（用户名）",
    "hotline.no_handler": "未指定（由单位领导分派）",
    "hotline.routed_by": "分派依据",
    "hotline.clock": "时限",
    "hotline.next_deadline": "最近期限",
    "hotline.no_cases": "没有符合条件的案件。",
    "hotline.entity_link": "查看一企一档",
    "hotline.decision": "处理决定",
    "hotline.undecided": "尚未作出决定",
    "hotline.result": "处理结果",
    "hotline.clocks": "法定时限",
    "hotline.clock_rule": "事项",
    "hotline.clock_start": "起算日（不计入）",
    "hotline.clock_days": "工作日",
    "hotline.deadline": "期限届满日",
    "hotline.elapsed": "已用工作日",
    "hotline.remaining": "剩余工作日",
    "hotline.no_clocks": "此类诉求不设法定办理时限。",
    "hotline.calendar_unknown": (
        "{year} 年的法定节假日安排尚不知道，不推算工作日：请将国务院办公厅 {year} 年的节假日安排写入工作区的 "
        "`calendar/{year}.yaml`（见 `docs/hotline.md`），或升级 `chinese-calendar`。"
    ),
    "hotline.calendar_unknown_short": "尚无 {year} 年的法定节假日安排，期限无法计算",
    "hotline.pauses": "中止计时",
    "hotline.pause_running": "至今",
    "hotline.identity_help": (
        "诉求人信息已脱敏。您是本案承办人（或其所在单位领导），确需查看时请说明用途；每次查看均记入审计。"
    ),
    "hotline.identity_rule": (
        "诉求人信息已脱敏：只有本案承办人及其所在单位领导，说明用途后才能查看（每次查看记入审计）。"
    ),
    "hotline.identity_report_rule": (
        "举报人信息保密（第三十三条）：只有本案承办人说明用途后才能查看，单位领导亦不可查看。"
    ),
    "hotline.identity_no_permission": (
        "诉求人信息已脱敏：您的角色没有查看个人信息的权限（personal.read），请由承办人查看。"
    ),
    "hotline.purposes": "投诉处理：回访投诉人|投诉处理：核实诉求事实|举报核查：联系举报人核实线索",
    "hotline.show_identity": "查看诉求人信息",
    "hotline.caller_name": "姓名",
    "hotline.caller_phone": "联系电话",
    "hotline.caller_address": "联系地址",
    "hotline.channel_status": "渠道状态",
    "hotline.text": "诉求内容",
    "hotline.place": "事发地",
    "hotline.score": "相似度 {score}%",
    "hotline.answered": "已答复",
    "hotline.answered_in": "该工单拆出前已按案件 {number} 答复，平台上仍是那份答复：本案决定后将按本案重新答复。",
    "hotline.answered_by": (
        "同一工单的另一份（同一渠道同一编号，导出与推送分属投诉、举报，分别处理）在案件 {number}，且先到达："
        "平台上该工单只有一份答复，由案件 {number} 作出；本案的决定不发往平台，需告知的请在处理结果中注明关联。"
    ),
    "hotline.reason": "理由",
    "hotline.split": "拆出（撤销并案）",
    "hotline.handle": "办理",
    "hotline.decide": "作出决定",
    "hotline.decide_help": "决定与结果只写一次，自动答复本案全部 {n} 张工单（各渠道按其格式）。",
    "hotline.art15": "不予受理的情形（第十五条）",
    "hotline.art15_help": "选择“不予受理”时必须选定第十五条的一项情形。",
    "hotline.assign": "改派",
    "hotline.pause_title": "中止计时（检定、检验、检测、鉴定）",
    "hotline.pause_start": "开始日（不计入）",
    "hotline.pause_last_day": "最后一天（不计入）",
    "hotline.pause_hint": "例如：送检电饭煲，检测期间不计入",
    "hotline.pause": "中止计时",
    "hotline.resume": "恢复计时",
    "hotline.extend": "经批准延长 15 个工作日",
    "hotline.extend_lead": "线索核查经批准延长 15 个工作日",
    "hotline.ticket_changed": "平台在本工单并入案件后又发来新版本，改动了：{fields}。请核对案件是否仍按原事实办理。",
    "hotline.step_title": "记录时限节点",
    "hotline.step": "节点",
    "hotline.step_on": "日期",
    "hotline.step_record": "记录",
    "hotline.step.told": "已告知（终止调解的双方 / 实名举报人）",
    "hotline.step.lead_found": "调解中发现违法线索",
    "hotline.step.lead_checked": "线索核查完毕",
    "hotline.step.disputed": "发生管辖争议",
    "hotline.step.settled": "管辖争议解决或报请指定",
    "hotline.suggestion_n": "并案建议 {id}",
    "hotline.suggested_ticket": "新工单",
    "hotline.suggested_case": "可能属于的案件",
    "hotline.confirm": "确认并案",
    "hotline.keep_apart": "不是同一诉求",
    "hotline.suggestions_help": (
        "相似度介于两个阈值之间的工单，需要人工判断是否为同一诉求。确认后两案合并为一案（较早的案件保留），"
        "可在案件页拆出撤销；每一步都记入审计。"
    ),
    "hotline.no_suggestions": "没有待确认的并案建议。",
    "hotline.since": "自",
    "hotline.until": "至",
    "hotline.burden": "{tickets} 张工单归并为 {cases} 件案件：少写 {saved} 份重复答复。",
    "hotline.labelled_help": "检验自动并案：下载本时段的工单及其所属案件（来电人以化名代替，号码已遮蔽），"
    "供在终端检验并案设置、拟合本局权重。",
    "hotline.labelled_download": "下载标注数据（CSV）",
    "hotline.tickets_per_case": "每案工单数",
    "hotline.breached_clocks": "超期时限",
    "hotline.by_kind": "按诉求类型",
    "hotline.by_problem": "按问题类别（渠道未填的，按诉求内容识别）",
    "hotline.by_stage": "按办理阶段",
    "hotline.by_district": "按县区",
    "hotline.by_industry": "按行业（代码前三位）",
    "hotline.top_respondents": "被投诉最多的经营者",
    "hotline.repeat_respondents": "重复被投诉的经营者（两案以上）",
    "hotline.rising": "本周上升的话题",
    "hotline.phrase": "词语",
    "hotline.this_week": "本周",
    "hotline.week_before": "上周",
    "hotline.breaches": "超期：按承办单位和承办人",
    "hotline.statistics_help": "统计按受理日期计，不含已并入其他案件的案件，也不含任何诉求人信息。",
    "hotline.card.open": "在办案件",
    "hotline.card.breached": "已超期",
    "hotline.card.warning": "临近期限",
    "hotline.card.suggestions": "待确认并案",
    "hotline.card.burden": "工单 → 案件：少写 {saved} 份答复",
    "hotline.done.decided": "决定已记录，本案各工单的答复已进入交付队列。",
    "hotline.done.assigned": "案件已改派。",
    "hotline.moved_notice": "案件 {number} 已改派到您所在部门以外的单位，不再显示在您的列表中。",
    "hotline.done.paused": "已中止计时。",
    "hotline.done.resumed": "已恢复计时。",
    "hotline.done.extended": "已记录延长批准。",
    "hotline.done.marked": "已记录。",
    "hotline.done.split": "已拆出，这是拆出后的案件。",
    "hotline.done.confirmed": "已确认并案：",
    "hotline.done.apart": "已确认不是同一诉求：",
    "hotline.public.submit_title": "网上投诉举报",
    "hotline.public.submit_help": (
        "向市场监督管理局投诉、举报、咨询或提出建议，无需注册。提交后请记下工单编号，凭编号和手机号后四位查询办理进度。"
    ),
    "hotline.public.submit": "提交",
    "hotline.public.closed": "网上投诉举报暂未开放，请拨打 12315 或 12345。",
    "hotline.public.taken": "已收到，工单编号：{number}",
    "hotline.public.keep_number": "请保存此编号，凭编号和手机号后四位查询办理进度：",
    "hotline.public.privacy_note": "您的姓名、电话和地址仅供承办人联系您使用；举报人信息依法保密。",
    "hotline.public.bad_kind": "请选择诉求类型。",
    "hotline.public.bad_phone": "请填写正确的联系电话：手机号码，或带区号的固定电话（如 0772-2812345）。",
    "hotline.public.short_text": "请把诉求写清楚（至少 10 个字）。",
    "hotline.public.not_taken": "提交未成功：请检查填写的内容后重试，或拨打 12315。",
    "hotline.public.too_long": "「{field}」最多 {most} 个字，现有 {count} 个字：请删减后再提交。",
    "hotline.public.lookup_title": "办理进度查询",
    "hotline.public.lookup_help": "输入工单编号和登记手机号的后四位，可查看办理阶段和日期。",
    "hotline.public.ticket_number": "工单编号",
    "hotline.public.phone_last4": "手机号后四位",
    "hotline.public.look_up": "查询",
    "hotline.public.no_match": "没有查到：请核对工单编号和手机号后四位。",
    "hotline.public.decided_on": "决定日期",
}

_EN = {
    "entity.cases": "Hotline cases",
    "entity.cases_help": "Hotline cases about this entity (no caller is shown).",
    "entity.cases_empty": "No hotline case is about this entity.",
    "entity.case_elsewhere": "handled by another department: not yours to open",
    "hotline.title": "Hotline",
    "hotline.tab.cases": "Cases",
    "hotline.tab.suggestions": "Merges to confirm",
    "hotline.tab.statistics": "Statistics",
    "hotline.tab.submit": "Web form",
    "hotline.tab.lookup": "Track a ticket",
    "hotline.all": "All",
    "hotline.all_open": "All (not merged)",
    "hotline.filter": "Filter",
    "hotline.take_in": "Put new tickets into cases",
    "hotline.take_in_help": "The worker does this on its own; use it when it cannot wait.",
    "hotline.taken_notice": "{n} new tickets taken into cases.",
    "hotline.case": "Case",
    "hotline.case_n": "Case {number}",
    "hotline.cases": "Cases",
    "hotline.kind": "Kind",
    "hotline.stage": "Stage",
    "hotline.received": "Received",
    "hotline.respondent": "Respondent",
    "hotline.respondent_address": "Respondent's address",
    "hotline.tickets": "Tickets",
    "hotline.office": "Office",
    "hotline.desk": "Desk",
    "hotline.handler": "Handler",
    "hotline.handler_username": "Handler (username)",
    "hotline.no_handler": "none (the office's leader assigns one)",
    "hotline.routed_by": "Routed by",
    "hotline.clock": "Deadline",
    "hotline.next_deadline": "Next deadline",
    "hotline.no_cases": "No cases match.",
    "hotline.entity_link": "the entity's file",
    "hotline.decision": "Decision",
    "hotline.undecided": "not decided yet",
    "hotline.result": "Result",
    "hotline.clocks": "Legal deadlines",
    "hotline.clock_rule": "Step",
    "hotline.clock_start": "Starts after",
    "hotline.clock_days": "Working days",
    "hotline.deadline": "Deadline",
    "hotline.elapsed": "Days used",
    "hotline.remaining": "Days left",
    "hotline.no_clocks": "No legal deadline applies to this kind of ticket.",
    "hotline.calendar_unknown": (
        "The official holiday schedule of {year} is not known: working days are not guessed. Write it into "
        "`calendar/{year}.yaml` in the workspace (see `docs/hotline.md`), or upgrade `chinese-calendar`."
    ),
    "hotline.calendar_unknown_short": "The holiday schedule of {year} is not known yet: no deadline can be counted",
    "hotline.pauses": "Pauses",
    "hotline.pause_running": "still paused",
    "hotline.identity_help": (
        "The callers' details are masked. As this case's handler (or a leader of its office), state why you need "
        "them; every view is audited."
    ),
    "hotline.identity_rule": (
        "The callers' details are masked: only the case's handler and the leaders of its office may see them, for a "
        "stated purpose (audited)."
    ),
    "hotline.identity_report_rule": (
        "A reporter's identity is confidential (Art 33): only the case's handler may see it, for a stated purpose; "
        "not even the office's leaders."
    ),
    "hotline.identity_no_permission": (
        "The callers' details are masked: your roles do not allow reading personal data (`personal.read`); ask the "
        "case's handler."
    ),
    "hotline.purposes": "Complaint: call the complainant back|Complaint: check the facts|Report: verify the lead",
    "hotline.show_identity": "Show the callers' details",
    "hotline.caller_name": "Name",
    "hotline.caller_phone": "Phone",
    "hotline.caller_address": "Address",
    "hotline.channel_status": "Channel's status",
    "hotline.text": "What it is about",
    "hotline.place": "Where it happened",
    "hotline.score": "similarity {score}%",
    "hotline.answered": "answered",
    "hotline.answered_in": (
        "Answered as case {number} before it was split off: its platform holds that answer until this case is "
        "decided and answered again."
    ),
    "hotline.answered_by": (
        "Another copy of this ticket (the same channel and number: its export and its push, one a complaint, the "
        "other a report, handled apart) is in case {number} and came first: the platform's ticket has one answer, "
        "case {number}'s; this case's decision is not sent to it (record the link in the result if the caller must "
        "be told)."
    ),
    "hotline.reason": "Reason",
    "hotline.split": "Split off (undo the merge)",
    "hotline.handle": "Handle",
    "hotline.decide": "Decide",
    "hotline.decide_help": (
        "Decided and written once: all {n} tickets of the case are answered, each in its channel's form."
    ),
    "hotline.art15": "Ground for not accepting (Art 15)",
    "hotline.art15_help": "Not accepting a complaint must name one ground of Art 15.",
    "hotline.assign": "Reassign",
    "hotline.pause_title": "Pause the clocks (testing, inspection, appraisal)",
    "hotline.pause_start": "First day not counted",
    "hotline.pause_last_day": "Last day not counted",
    "hotline.pause_hint": "e.g. rice cooker sent for testing",
    "hotline.pause": "Pause",
    "hotline.resume": "Resume",
    "hotline.extend": "Approved: 15 more working days",
    "hotline.extend_lead": "Approved: 15 more working days to check the lead",
    "hotline.ticket_changed": (
        "The platform sent this ticket again after it joined the case, changing: {fields}. Check the case still "
        "rests on the right facts."
    ),
    "hotline.step_title": "Record a step of a deadline",
    "hotline.step": "Step",
    "hotline.step_on": "Day",
    "hotline.step_record": "Record",
    "hotline.step.told": "Told (both parties of a terminated mediation / a named reporter)",
    "hotline.step.lead_found": "Lead of a violation found during mediation",
    "hotline.step.lead_checked": "Lead checked",
    "hotline.step.disputed": "Offices dispute jurisdiction",
    "hotline.step.settled": "Jurisdiction settled or referred upward",
    "hotline.suggestion_n": "Suggestion {id}",
    "hotline.suggested_ticket": "New ticket",
    "hotline.suggested_case": "May belong to",
    "hotline.confirm": "Same grievance: merge",
    "hotline.keep_apart": "Not the same",
    "hotline.suggestions_help": (
        "Tickets scoring between the two thresholds need a person. Confirm and the two cases become one (the older "
        "keeps it); a merge can be undone on the case's page. Every step is audited."
    ),
    "hotline.no_suggestions": "No merges wait to be confirmed.",
    "hotline.since": "From",
    "hotline.until": "To",
    "hotline.burden": "{tickets} tickets became {cases} cases: {saved} answers not written twice.",
    "hotline.labelled_help": "To check the automatic merges: the period's tickets with their cases (callers as "
    "pseudonyms, numbers masked), for measuring the desk's settings and fitting the bureau's weights at the terminal.",
    "hotline.labelled_download": "Download the labelled month (CSV)",
    "hotline.tickets_per_case": "Tickets per case",
    "hotline.breached_clocks": "Deadlines missed",
    "hotline.by_kind": "By kind",
    "hotline.by_problem": "By problem category (read from the words where the channel gives none)",
    "hotline.by_stage": "By stage",
    "hotline.by_district": "By district",
    "hotline.by_industry": "By industry (first three characters)",
    "hotline.top_respondents": "Most complained-about businesses",
    "hotline.repeat_respondents": "Repeat respondents (two cases or more)",
    "hotline.rising": "Topics rising this week",
    "hotline.phrase": "Phrase",
    "hotline.this_week": "This week",
    "hotline.week_before": "Week before",
    "hotline.breaches": "Missed deadlines by office and handler",
    "hotline.statistics_help": "Counted by the day received; cases merged into others are left out, and no caller's "
    "details are used.",
    "hotline.card.open": "Open cases",
    "hotline.card.breached": "Past a deadline",
    "hotline.card.warning": "Near a deadline",
    "hotline.card.suggestions": "Merges to confirm",
    "hotline.card.burden": "Tickets → cases: {saved} answers saved",
    "hotline.done.decided": "Decision recorded; the answers to every ticket of the case are queued for delivery.",
    "hotline.done.assigned": "Case reassigned.",
    "hotline.moved_notice": "Case {number} was reassigned outside your departments: it no longer shows in your list.",
    "hotline.done.paused": "Clocks paused.",
    "hotline.done.resumed": "Clocks resumed.",
    "hotline.done.extended": "Extension recorded.",
    "hotline.done.marked": "Step recorded.",
    "hotline.done.split": "Split off: this is the case it went to.",
    "hotline.done.confirmed": "Merged:",
    "hotline.done.apart": "Kept apart from",
    "hotline.public.submit_title": "Complaints and reports online",
    "hotline.public.submit_help": (
        "Complain, report, ask or suggest to the market regulation bureau, without an account. Keep the ticket "
        "number you get: with it and the last four digits of your phone you can follow its progress."
    ),
    "hotline.public.submit": "Send",
    "hotline.public.closed": "The web form is not open yet; please call 12315 or 12345.",
    "hotline.public.taken": "Received. Your ticket number: {number}",
    "hotline.public.keep_number": "Keep this number; with it and the last four digits of your phone:",
    "hotline.public.privacy_note": "Your name, phone and address are used only by the handler to reach you; a "
    "reporter's identity is kept confidential by law.",
    "hotline.public.bad_kind": "Choose what kind of request this is.",
    "hotline.public.bad_phone": "Give a phone number we can call: a mobile, or a landline with its area code "
    "(0772-2812345).",
    "hotline.public.short_text": "Please describe the matter (at least 10 characters).",
    "hotline.public.not_taken": "Not taken: check what you wrote and try again, or call 12315.",
    "hotline.public.too_long": "“{field}” takes at most {most} characters, not {count}: shorten it and send again.",
    "hotline.public.lookup_title": "Track a ticket",
    "hotline.public.lookup_help": "Enter the ticket number and the last four digits of the phone it was made with.",
    "hotline.public.ticket_number": "Ticket number",
    "hotline.public.phone_last4": "Last four digits of the phone",
    "hotline.public.look_up": "Look up",
    "hotline.public.no_match": "Nothing found: check the ticket number and the four digits.",
    "hotline.public.decided_on": "Decided on",
}

_STAGES = {
    "received": ("待受理", "Received"),
    "accepted": ("处理中", "In hand"),
    "closed": ("已办结", "Closed"),
    "merged": ("已并案", "Merged"),
}
_KINDS_EN = {"complaint": "Complaint", "report": "Report", "consultation": "Question", "suggestion": "Suggestion",
             "other": "Other"}  # fmt: skip
_CHANNELS_EN = {"12315": "12315", "12345": "12345", "web": "Web form", "other": "Other (letter, visit, fax)"}
_CHANNELS_ZH = {"12315": "12315", "12345": "12345", "web": "网上", "other": "其他"}
_DECISIONS_EN = {
    "accepted": "Accepted",
    "not_accepted": "Not accepted",
    "mediated": "Mediated (closed)",
    "terminated": "Mediation terminated (closed)",
    "referred": "Referred",
    "case_opened": "Case opened",
    "not_opened": "No case opened",
    "answered": "Answered (closed)",
}
_ART15_EN = {
    "1": "Not a matter for market regulation, or outside this office's powers (Art 15(1))",
    "2": "The same consumer dispute was already accepted or handled (Art 15(2))",
    "3": "Not for personal consumption, or no consumer dispute shown (Art 15(3))",
    "4": "More than three years since the harm was or should have been known (Art 15(4))",
    "5": "The materials of Art 9(1) and Art 10 were not provided (Art 15(5))",
    "6": "Other cases where laws and rules exclude acceptance (Art 15(6))",
}
_REASONS = {
    "same_phone": ("同一来电号码", "same phone"),
    "same_caller": ("同一诉求人", "same caller"),
    "same_respondent": ("同一经营者", "same business"),
    "shared_phrases": ("共有少见词语", "rare phrases shared"),
    "similar_text": ("内容相似", "similar text"),
    "repeat_call": ("再次反映", "repeat call"),
    "same_figures": ("金额、日期一致", "same figures"),
    "different_respondent": ("经营者不同", "different business"),
    "different_figures": ("金额、日期不同", "different figures"),
    "different_word": ("仅商品不同", "another product"),
    "long_apart": ("相隔两个月以上", "months apart"),
    "one_respondent": ("仅一方写明经营者", "only one names a business"),
    "same_problem": ("问题类别相同", "same problem category"),
    "same_goods": ("商品或服务类别相同", "same goods or service"),
    "same_place": ("事发地相同", "same place"),
    "different_problem": ("问题类别不同", "another problem category"),
    "different_goods": ("商品或服务类别不同", "other goods or service"),
    "different_place": ("事发地不同", "another place"),
    "same_topic": ("反映的问题同类", "the same kind of problem in the words"),
    "different_topic": ("反映的问题不同类", "another kind of problem in the words"),
    "same_product": ("所涉商品相同", "the same goods named"),
    "different_product": ("所涉商品不同", "other goods named"),
    "same_business_matter": (
        "同一经营者自身的同一问题（停业、无证照、计量器具、环境卫生）",
        "the same matter of the business itself (closing, licence, scale, hygiene)",
    ),
    "several_callers": ("已有多人反映同一经营者", "several callers about this business"),
    "case_phrases": ("与案件各工单共有词语", "phrases shared with the case"),
    "same_ticket": ("同一渠道同一工单编号（导出与推送各一份）", "the same ticket of one channel (exported and pushed)"),
}
_HOW = {
    "first": ("首张工单", "first ticket"),
    "merged": ("自动并入", "joined on its own"),
    "confirmed": ("人工确认并案", "merged by a handler"),
    "moved": ("随案并入", "came with a merged case"),
    "split": ("拆回", "split back"),
}
_CLOCK_STATUS = {
    "running": ("计时中", "running"),
    "paused": ("已中止", "paused"),
    "warning": ("临近期限", "due soon"),
    "breached": ("已超期", "breached"),
    "met": ("按时完成", "met"),
    "unknown": ("日历未知", "calendar year unknown"),
}


def _pairs(prefix: str, table: dict[str, tuple[str, str]]) -> tuple[dict[str, str], dict[str, str]]:
    return (
        {f"{prefix}.{k}": zh for k, (zh, _) in table.items()},
        {f"{prefix}.{k}": en for k, (_, en) in table.items()},
    )


def _generated() -> tuple[dict[str, str], dict[str, str]]:
    """The words of the desk's codes: stages, kinds, channels, decisions, Art 15, reasons, clocks."""
    zh: dict[str, str] = {}
    en: dict[str, str] = {}
    tables = {
        "hotline.stage": _STAGES,
        "hotline.kind": {k: (KINDS[k], _KINDS_EN[k]) for k in KINDS},
        "hotline.channel": {c: (_CHANNELS_ZH.get(c, c), _CHANNELS_EN.get(c, c)) for c in CHANNELS},
        "hotline.decision": {d: (label, _DECISIONS_EN[d]) for d, label in DECISIONS.items()},
        "hotline.art15": {k: (text, _ART15_EN[k]) for k, text in NOT_ACCEPTED_REASONS.items()},
        "hotline.reason": _REASONS,
        "hotline.how": _HOW,
        "hotline.clock_status": _CLOCK_STATUS,
        "hotline.rule": {
            name: (rule.label_zh, rule.label[:1].upper() + rule.label[1:]) for name, rule in RULES.items()
        },
    }
    for prefix, table in tables.items():
        more_zh, more_en = _pairs(prefix, table)
        zh.update(more_zh)
        en.update(more_en)
    return zh, en


def messages() -> dict[str, dict[str, str]]:
    """The desk's catalogue, per locale."""
    zh, en = _generated()
    return {"zh-CN": {**_ZH, **zh}, "en": {**_EN, **en}}
