"""Words of long work and of links that leave this machine, in Chinese and English: the progress line of a page that
started an ingest or a report run, the terminal's progress bars, and the warning while `web.public_url` is unset.
A section of the catalogue (`zhizhi.i18n`)."""

from __future__ import annotations

_ZH = {
    "entity.qr_local": "二维码指向本机地址 {url}，其他电脑或手机扫码打不开。"
    "请管理员在 `zhizhi.yaml` 中设置 `web.public_url`（对外访问地址）。",
    "cli.no_match": "没有匹配「{query}」的结果。",
    "cli.public_url_unset": "注意：未设置 web.public_url（对外访问地址），"
    "主体二维码指向本机地址，其他电脑或手机打不开。"
    "请在 zhizhi.yaml 的 web 下设置 public_url，例如 https://zhizhi.example.gov.cn。",
    "progress.running": "进行中",
    "progress.done": "已完成",
    "progress.failed": "失败",
    "progress.of": "{done} / {total}",
    "progress.left": "约剩 {time}",
    "progress.elapsed": "已用 {time}",
    "progress.demo": "建设演示城市",
    "progress.resolve": "归集主体库",
    "progress.ingest": "导入 {file}",
    "progress.send": "发送至 {target}",
    "progress.reports": "生成报表",
    "progress.desk": "热线工单归并",
    "progress.evaluate": "按标注检验并案 {file}",
    "progress.fit": "按标注拟合权重 {file}",
    "progress.report_run": "生成报表 {report}（{period}）",
    "progress.open": "查看结果",
    "progress.back": "返回",
    "progress.upload_help": "选择数据源和该部门导出的文件（CSV、Excel、JSON Lines，不超过 {mb} MB），"
    "上传后在新页面显示导入进度。",
    "progress.upload_file": "文件",
    "progress.upload_submit": "上传并导入",
    "progress.run_now": "立即生成",
    "progress.unit.rows": "行",
    "progress.unit.steps": "步",
    "progress.unit.deliveries": "条交付",
    "progress.unit.runs": "期",
    "progress.unit.tickets": "张工单",
}

_EN = {
    "entity.qr_local": "The QR code leads to this machine's own address {url}, which other PCs and phones cannot "
    "open. Ask an administrator to set `web.public_url` (the address people reach zhizhi at) in `zhizhi.yaml`.",
    "cli.no_match": "No match for `{query}`.",
    "cli.public_url_unset": "Warning: web.public_url is not set, so the entities' QR codes lead to this machine's "
    "own address, which other PCs and phones cannot open. Set public_url under web in zhizhi.yaml, "
    "e.g. https://zhizhi.example.gov.cn.",
    "progress.running": "running",
    "progress.done": "done",
    "progress.failed": "failed",
    "progress.of": "{done} of {total}",
    "progress.left": "about {time} left",
    "progress.elapsed": "{time} so far",
    "progress.demo": "Building the demo city",
    "progress.resolve": "Resolving the register",
    "progress.ingest": "Ingesting {file}",
    "progress.send": "Sending to {target}",
    "progress.reports": "Running the reports",
    "progress.desk": "The hotline desk",
    "progress.evaluate": "Measuring the desk on {file}",
    "progress.fit": "Fitting the weights on {file}",
    "progress.report_run": "Running {report} for {period}",
    "progress.open": "See the result",
    "progress.back": "Back",
    "progress.upload_help": "Choose the source and the department's export (CSV, Excel, JSON Lines, at most {mb} MB); "
    "the next page follows the ingest's progress.",
    "progress.upload_file": "File",
    "progress.upload_submit": "Upload and ingest",
    "progress.run_now": "Run now",
    "progress.unit.rows": "rows",
    "progress.unit.steps": "steps",
    "progress.unit.deliveries": "deliveries",
    "progress.unit.runs": "runs",
    "progress.unit.tickets": "tickets",
}


def messages() -> dict[str, dict[str, str]]:
    """This section's words per locale."""
    return {"zh-CN": _ZH, "en": _EN}
