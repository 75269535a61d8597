"""The audit trail's actions and objects in words, a section of the catalogue (`zhizhi.i18n`):
`audit.action.ACTION` and `audit.object.TYPE`.

The audit page shows an action by these words and, beside them, by its code (the filter's value and what the
command line prints); an action not listed here is shown by its code alone.
"""

from __future__ import annotations

_ACTIONS = {
    "login": ("登录", "Signed in"),
    "login.failed": ("登录失败", "Sign-in failed"),
    "login.limited": ("登录受限（尝试过多）", "Sign-in limited (too many tries)"),
    "login.refused": ("拒绝登录", "Sign-in refused"),
    "logout": ("退出", "Signed out"),
    "user.create": ("新增用户", "User created"),
    "user.disable": ("停用用户", "User disabled"),
    "user.enable": ("启用用户", "User enabled"),
    "user.unlock": ("解锁用户", "User unlocked"),
    "user.password": ("修改密码", "Password changed"),
    "department.create": ("新增部门", "Department created"),
    "token.create": ("新建 API 令牌", "API token created"),
    "token.revoke": ("吊销 API 令牌", "API token revoked"),
    "platform_token.create": ("新建平台令牌", "Platform token created"),
    "platform_token.revoke": ("吊销平台令牌", "Platform token revoked"),
    "personal.read": ("查看个人信息", "Personal data read"),
    "personal.export": ("导出个人信息", "Personal data exported"),
    "personal.search": ("按个人号码查找主体", "Entities looked up by a personal number"),
    "ingest.batch": ("导入文件", "File ingested"),
    "quarantine.fix": ("修正隔离数据", "Quarantined value fixed"),
    "quarantine.replay": ("重新处理隔离数据", "Quarantined rows replayed"),
    "codes.import": ("导入代码表", "Code list imported"),
    "crosswalk.import": ("导入对照表", "Crosswalk imported"),
    "codes.coverage": ("代码覆盖率报告", "Code coverage report"),
    "codes.decide": ("审定代码对应", "Code mapping decided"),
    "register.resolve": ("主体归并运行", "Register resolved"),
    "register.merge": ("合并主体", "Entities merged"),
    "register.apart": ("确认不是同一主体", "Kept apart"),
    "register.split": ("拆分主体", "Entity split"),
    "register.undo": ("撤销主体决定", "Register decision undone"),
    "delivery.receipts": ("接收回执", "Receipts taken in"),
    "delivery.release": ("放行交付", "Deliveries released"),
    "delivery.resend": ("重新交付", "Delivery sent again"),
    "delivery.retry": ("重试交付", "Delivery retried"),
    "delivery.give_up": ("放弃已移除目标的交付", "Deliveries to a removed target given up"),
    "report.run": ("填报报表", "Report run"),
    "report.download": ("下载报表", "Report downloaded"),
    "report.retire": ("停用报表", "Report retired"),
    "seal.issue": ("签发印章证书", "Seal issued"),
    "seal.revoke": ("吊销印章证书", "Seal revoked"),
    "case.opened": ("新建案件", "Case opened"),
    "case.merged": ("并入案件", "Ticket joined a case"),
    "case.merged_cases": ("合并案件", "Cases merged"),
    "case.kept_apart": ("确认不是同一诉求", "Kept apart"),
    "case.split": ("拆分案件", "Case split"),
    "case.assigned": ("改派案件", "Case reassigned"),
    "case.decided": ("作出处理决定", "Case decided"),
    "case.paused": ("中止计时", "Clock paused"),
    "case.resumed": ("恢复计时", "Clock resumed"),
    "case.extended": ("延长期限", "Deadline extended"),
}
_OBJECTS = {
    "user": ("用户", "user"),
    "department": ("部门", "department"),
    "token": ("令牌", "token"),
    "batch": ("批次", "batch"),
    "quarantine_item": ("隔离记录", "quarantine item"),
    "record": ("记录", "record"),
    "entity": ("主体", "entity"),
    "code_list": ("代码表", "code list"),
    "crosswalk": ("对照表", "crosswalk"),
    "coverage_run": ("覆盖率报告", "coverage report"),
    "resolve_run": ("归并运行", "resolution run"),
    "review_pair": ("待审记录对", "review pair"),
    "delivery": ("交付", "delivery"),
    "case": ("案件", "case"),
    "ticket": ("工单", "ticket"),
    "report": ("报表", "report"),
    "report_run": ("报表填报", "report run"),
    "seal": ("印章证书", "seal"),
}


def messages() -> dict[str, dict[str, str]]:
    """The audit trail's words, per locale."""
    zh = {f"audit.action.{k}": v[0] for k, v in _ACTIONS.items()} | {
        f"audit.object.{k}": v[0] for k, v in _OBJECTS.items()
    }
    en = {f"audit.action.{k}": v[1] for k, v in _ACTIONS.items()} | {
        f"audit.object.{k}": v[1] for k, v in _OBJECTS.items()
    }
    return {"zh-CN": zh, "en": en}
