"""Random inspections' words in Chinese and English, a section of the catalogue (`zhizhi.i18n`)."""

from __future__ import annotations

from zhizhi.inspections.risk import CLASS_WORDS
from zhizhi.inspections.views import RULE_WORDS
from zhizhi.inspections.visits import ACKNOWLEDGEMENTS, RESULTS_EN, STATUS_WORDS
from zhizhi.records.inspection import RESULTS

# key: (Chinese, English)
_WORDS = {
    "nav.inspections": ("抽查", "Inspections"),
    "inspections.title": ("双随机抽查", "Random inspections"),
    "inspections.help": (
        "随机抽取检查对象、随机选派执法检查人员、抽查情况及查处结果及时公开。每次抽取的种子在抽取前已记入账本，任何人可复核。",
        "Targets and inspectors drawn at random, results published in time. Each draw's seed was committed to the "
        "ledger before the draw: anyone can re-check it.",
    ),
    "inspections.tab.overview": ("概览", "Overview"),
    "inspections.tab.publication": ("结果公示", "Publication"),
    "inspections.register.items": ("抽查事项清单", "Inspection items"),
    "inspections.register.targets": ("检查对象名录库", "Target register"),
    "inspections.register.inspectors": ("执法检查人员名录库", "Inspector register"),
    "inspections.visits_open_done": ("待检查 / 已检查", "to inspect / inspected"),
    "inspections.breaches": ("公示超期", "Publication breaches"),
    "inspections.waiting_n": ("待公示 {n} 户", "{n} waiting"),
    "inspections.mine": ("我的检查任务", "My visits"),
    "inspections.visit": ("检查任务", "Visit"),
    "inspections.visits": ("检查任务", "Visits"),
    "inspections.target": ("检查对象", "Target"),
    "inspections.planned_on": ("计划检查日期", "Planned for"),
    "inspections.site.open": ("现场录入", "Enter at the site"),
    "inspections.adjust.title": ("调整任务", "Change the visit"),
    "inspections.adjust.help": (
        "更换检查人员时，由本次抽取的顺序确定下一名检查人员（可复核），并记入存证；计划日期可单独调整。",
        "A member replaced is replaced by the next inspector of the draw's order (anyone can check it), entered in "
        "the ledger; the day can be changed alone.",
    ),
    "inspections.adjust.replace": ("更换检查人员", "Replace"),
    "inspections.adjust.nobody": ("（不更换）", "(nobody)"),
    "inspections.adjust.reason": ("更换原因", "Why"),
    "inspections.adjust.reason_hint": ("如：病假", "e.g. sick leave"),
    "inspections.adjust.submit": ("调整", "Change"),
    "inspections.adjust.done": ("任务已调整。", "The visit was changed."),
    "inspections.adjust.staff_title": ("为该任务补充抽取检查组", "Draw a new team for this visit"),
    "inspections.adjust.staff_help": (
        "本次抽取的顺序中已无可替换的检查人员时使用：在检查人员名录库中增补或登记执法证后，承诺一次补充抽取，"
        "在其页面运行后即为该任务抽出新的检查组。",
        "When the draw's order has nobody left to replace a member: once inspectors are added or certified in the "
        "register, commit a staffing draw; run it on its page and it draws this visit a new team.",
    ),
    "inspections.recuse.title": ("申报回避", "Declare a conflict of interest"),
    "inspections.recuse.help": (
        "与该企业有利害关系（亲属经营、曾任职、持股等）的，请申报回避："
        "今后抽取不再派您检查该企业，本次须先更换检查人员再录入结果。",
        "If you have a relation with this firm (a relative runs it, you worked there, you hold shares), declare "
        "it: you are never drawn for it again, and you are replaced on this visit before its results are taken.",
    ),
    "inspections.recuse.relation": ("回避关系", "The relation"),
    "inspections.recuse.example": ("如：配偶经营", "e.g. my spouse runs it"),
    "inspections.recuse.submit": ("申报", "Declare"),
    "inspections.recuse.done": (
        "已申报回避：请联系计划组织部门更换检查人员。",
        "Declared: ask the organising department to replace you on this visit.",
    ),
    "inspections.draws": ("抽取", "Draws"),
    "inspections.draw": ("抽取", "Draw"),
    "inspections.plan": ("抽查计划", "Plan"),
    "inspections.organiser": ("组织部门", "Organiser"),
    "inspections.period": ("计划期间", "Period"),
    "inspections.status": ("状态", "Status"),
    "inspections.population": ("抽取范围", "Population"),
    "inspections.population_n": (
        "检查对象 {targets} 户，可派人员 {inspectors} 名",
        "{targets} targets, {inspectors} inspectors",
    ),
    "inspections.no_draws": (
        "尚无抽查计划。用 zhizhi inspections plan 创建计划。",
        "No plan yet: create one with `zhizhi inspections plan`.",
    ),
    "inspections.imported": ("已导入 {n} 行。", "{n} row(s) imported."),
    "inspections.export_xlsx": ("导出 Excel", "Export to Excel"),
    "inspections.import_xlsx": ("导入 Excel 或 CSV", "Import from Excel or CSV"),
    "inspections.import": ("导入", "Import"),
    "inspections.import_help": (
        "列名与导出文件相同；文件有任何错误时整份不导入，并逐条列出错误所在行、列和值。",
        "The columns of an export; a file with any problem imports nothing, and each problem is named by row, column "
        "and value.",
    ),
    "inspections.item_code": ("事项编码", "Code"),
    "inspections.item": ("抽查事项", "Item"),
    "inspections.items": ("检查事项", "Items"),
    "inspections.legal_basis": ("检查依据", "Legal basis"),
    "inspections.department": ("实施部门", "Department"),
    "inspections.departments": ("参与部门", "Departments"),
    "inspections.applies_to": ("适用对象", "Applies to"),
    "inspections.qualification": ("所需资格", "Qualification"),
    "inspections.qualifications": ("执法资格", "Qualifications"),
    "inspections.inspector": ("检查人员", "Inspector"),
    "inspections.office": ("属地监管单位", "Office"),
    "inspections.certificate": ("执法证号", "Certificate"),
    "inspections.available": ("可否选派", "Available"),
    "inspections.yes": ("是", "yes"),
    "inspections.no": ("否", "no"),
    "inspections.until": ("至 {day}", "until {day}"),
    "inspections.not_drawable.inactive": ("账号已停用", "account disabled"),
    "inspections.not_drawable.no_certificate": ("未登记执法证号，不参与抽取", "no certificate recorded: never drawn"),
    "inspections.not_drawable.unavailable": ("暂不可派", "unavailable"),
    "inspections.search": ("名称或统一社会信用代码", "Name or credit code"),
    "inspections.risk_class": ("风险等级", "Risk class"),
    "inspections.targets_total": ("共 {n} 户", "{n} targets"),
    "inspections.drawable_n": ("其中可抽取 {n} 户", "{n} of them may be drawn"),
    "inspections.reasons": ("风险依据", "Why"),
    "inspections.last_inspected": ("最近检查", "Last inspected"),
    "inspections.seed_hash": ("种子哈希（抽取前承诺）", "Seed hash (committed before)"),
    "inspections.seed": ("种子（抽取后公开）", "Seed (revealed after)"),
    "inspections.snapshot_hash": ("抽取名单快照哈希", "Snapshot hash"),
    "inspections.result_hash": ("抽取结果哈希", "Result hash"),
    "inspections.ledger_entry": ("账本第 {n} 条", "ledger entry {n}"),
    "inspections.verify": ("复核抽取", "Re-check the draw"),
    "inspections.verify_help": (
        "用公开的种子和冻结的名单重新抽取一遍，核对账本中的承诺和检查任务。",
        "Re-runs the draw from the revealed seed and the frozen population, and checks the ledger and the visits.",
    ),
    "inspections.by_class": ("按风险等级", "By risk class"),
    "inspections.eligible": ("可抽对象", "Eligible"),
    "inspections.drawn": ("抽中", "Drawn"),
    "inspections.team": ("检查组", "Team"),
    "inspections.passed_over": ("回避及排除", "Passed over"),
    "inspections.joint": ("联合检查", "joint"),
    "inspections.unstaffed_help": (
        "{n} 户抽中的检查对象尚无检查组（可派人员不足一个检查组）：补充或登记检查人员后，补充抽取：",
        "{n} drawn firm(s) have no team yet (fewer inspectors could go than a team needs): add or certify "
        "inspectors, then commit a staffing draw:",
    ),
    "inspections.unstaffed_done": (
        "此次抽取中 {n} 户无人可派的检查对象，已由补充抽取派员检查。",
        "The {n} firm(s) this draw left unstaffed have been staffed by a later draw.",
    ),
    "inspections.staffs_help": (
        "补充抽取：为此前抽取中无人可派的检查对象抽派检查人员：",
        "A staffing draw: inspectors for the firms this earlier draw left unstaffed:",
    ),
    "inspections.committed_help": (
        "检查对象名单已冻结，其哈希与种子哈希已记入账本，尚未抽取。",
        "The population is frozen, its hash in the ledger with the seed's; not drawn yet.",
    ),
    "inspections.run_draw": ("运行抽取", "Run the draw"),
    "inspections.run_help": (
        "运行后公开种子，抽取结果即确定，任何人可复核，不能重抽。",
        "Running reveals the seed: the result is then fixed, anyone can check it, and it cannot be drawn again.",
    ),
    "inspections.staff_reason": ("补充抽取的原因", "Why now"),
    "inspections.staff_reason_hint": ("如：检查人员已补充", "e.g. inspectors added"),
    "inspections.staff_submit": ("承诺补充抽取", "Commit a staffing draw"),
    "inspections.done.drawn": ("抽取已完成，结果如下。", "Drawn: the result is below."),
    "inspections.done.staffing": (
        "补充抽取已承诺，种子哈希已记入账本；运行后为这些检查对象抽派检查人员。",
        "The staffing draw is committed, its seed hash in the ledger; run it to staff those firms.",
    ),
    "inspections.verified": (
        "复核通过：抽取结果可由种子和名单完全重现。",
        "Checked: the draw is reproduced from its seed and population.",
    ),
    "inspections.not_verified": ("复核未通过，见下表。", "The draw does not check out: see below."),
    "inspections.check": ("核对项", "Check"),
    "inspections.found": ("结果", "Found"),
    "inspections.outsider_help": (
        "外部人员可导出抽取包（`zhizhi inspections verify-draw 编号 --export 目录`），"
        "不需数据库即可复核，见 `docs/inspections.md`。",
        "An outsider checks the exported package with no database: `zhizhi inspections verify-draw --package DIR` "
        "(`docs/inspections.md`).",
    ),
    "inspections.merged_into": ("已并入", "Merged into"),
    "inspections.replacement": ("替换抽取", "drawn replacement"),
    "inspections.replaced": ("已更换", "replaced"),
    "inspections.reason_kept": ("理由仅检查组和组织部门可见", "the reason is for the team and the organiser only"),
    "inspections.inspected_on": ("检查日期", "Inspected on"),
    "inspections.acknowledgement": ("当事人确认", "Firm's acknowledgement"),
    "inspections.acknowledged_by": ("签字人", "Signed by"),
    "inspections.publish_by": ("公示期限", "Publish by"),
    "inspections.published_at": ("已公示", "published"),
    "inspections.published": ("已公示", "published"),
    "inspections.result": ("检查结果", "Result"),
    "inspections.note": ("检查说明", "Note"),
    "inspections.record": ("检查记录", "Record"),
    "inspections.remark": ("备注", "Remark"),
    "inspections.photos": ("现场照片", "Photos"),
    "inspections.photo": ("拍照或选择照片", "Take or choose a photo"),
    "inspections.photo_n": ("照片 {n}", "Photo {n}"),
    "inspections.keep_location": ("保留拍摄位置（作为证据）", "Keep the location (as evidence)"),
    "inspections.upload": ("上传照片", "Upload the photo"),
    "inspections.photo_help": (
        "JPEG 或 PNG，每张不超过 8 MB；除非勾选，照片中的定位信息会被去除。",
        "JPEG or PNG, at most 8 MB; the location in the photo is taken out unless ticked.",
    ),
    "inspections.site.title": ("现场检查", "At the site"),
    "inspections.site.submit": ("提交检查结果", "Submit the results"),
    "inspections.site.recorded": (
        "检查结果已提交，已送往各部门平台。",
        "Results entered and owed to every department's platform.",
    ),
    "inspections.site.photo_kept": ("照片已保存。", "Photo kept."),
    "inspections.site.closed": (
        "本任务的结果已公示或已合并，不能再修改。",
        "This visit is published or merged: its results no longer change.",
    ),
    "inspections.publication_help": (
        "抽查结果应自检查结束之日起 {n} 个工作日内通过国家企业信用信息公示系统公示（节假日按国务院安排）。",
        "Results are due on the enterprise credit publicity system within {n} working days of the inspection "
        "(official holidays off).",
    ),
    "inspections.publish": ("导出待公示结果并标记为已公示", "Export the results due and mark them published"),
    "inspections.published_notice": ("已生成公示文件 {number}。", "Export {number} made."),
    "inspections.download": ("下载", "Download"),
    "inspections.no_breaches": ("没有超期。", "No breach."),
    "inspections.waiting": ("待公示", "Waiting"),
    "inspections.none_waiting": ("没有待公示的结果。", "Nothing waits for publication."),
    "inspections.days_left": ("剩余 {n} 个工作日", "{n} working day(s) left"),
    "inspections.days_over": ("超期 {n} 个工作日", "{n} working day(s) over"),
    "inspections.days_over_unknown": (
        "超期工作日数无法计算（缺少当年节假日安排）",
        "working days over unknown (the year's holidays are missing)",
    ),
    "inspections.exports": ("公示文件", "Exports"),
    "inspections.export": ("文件", "Export"),
    "inspections.made": ("生成", "Made"),
    "inspections.entity.title": ("双随机抽查", "Random inspections"),
    "inspections.entity.empty": ("本主体尚未被抽中检查。", "Not drawn for an inspection yet."),
    "inspections.draw_status.committed": ("已承诺种子，待抽取", "committed, not drawn"),
    "inspections.draw_status.drawn": ("已抽取", "drawn"),
    "inspections.draw_status.void": (
        "已作废（计划已重新提交抽取，种子已公开）",
        "void (the plan was drawn again; seed revealed)",
    ),
    "inspections.clock.not_started": ("未开始", "not started"),
    "inspections.clock.due": ("待公示", "due"),
    "inspections.clock.warning": ("即将到期", "due soon"),
    "inspections.clock.breached": ("已超期", "breached"),
    "inspections.clock.published": ("按时公示", "published in time"),
    "inspections.clock.late": ("逾期公示", "published late"),
    "inspections.clock.unknown": ("无法计算（缺少当年节假日安排）", "unknown (the year's holidays are missing)"),
    # the checks of a draw's verification (inspections.draws.verify_draw), by their names
    "inspections.check.drawn": ("已抽取", "drawn"),
    "inspections.check.seed": ("随机种子", "seed"),
    "inspections.check.commit before draw": ("先承诺、后抽取", "commitment before the draw"),
    "inspections.check.rules as committed": ("规则与承诺一致", "rules as committed"),
    "inspections.check.seed as committed": ("种子与承诺的哈希一致", "seed as committed"),
    "inspections.check.snapshot intact": ("名录快照未被改动", "snapshot intact"),
    "inspections.check.snapshot of this draw": ("快照属于本次抽取", "snapshot of this draw"),
    "inspections.check.snapshot committed": ("名录快照与种子同时承诺", "snapshot committed with the seed"),
    "inspections.check.draw reproduced": ("抽取结果可复现", "draw reproduced"),
    "inspections.check.result file as drawn": ("保存的结果文件与抽取结果一致", "result file as drawn"),
    "inspections.check.visits as drawn": ("检查任务与抽取结果一致", "visits as drawn"),
    "inspections.check.replacements as drawn": ("替换人员按抽取顺序递补", "replacements as drawn"),
    "inspections.check.draw.json as revealed": ("draw.json 与公开的种子一致", "draw.json as revealed"),
    "inspections.check.commit proof": ("承诺的账本证明", "proof of the commitment"),
    "inspections.check.reveal proof": ("公开种子的账本证明", "proof of the revealed seed"),
}


def messages() -> dict[str, dict[str, str]]:
    """The section's catalogue, per locale."""
    words = dict(_WORDS)
    tables = {
        "inspections.class": CLASS_WORDS,
        "inspections.rule": RULE_WORDS,
        "inspections.ack": ACKNOWLEDGEMENTS,
        "inspections.visit_status": STATUS_WORDS,
        "inspections.result": {k: (v, RESULTS_EN[k]) for k, v in RESULTS.items()},
    }
    for prefix, table in tables.items():
        words.update({f"{prefix}.{code}": pair for code, pair in table.items()})
    return {"zh-CN": {k: zh for k, (zh, _) in words.items()}, "en": {k: en for k, (_, en) in words.items()}}
