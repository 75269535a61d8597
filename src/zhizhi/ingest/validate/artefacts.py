"""Findings for spreadsheet artefacts in identifiers: a repair is a warning naming what was undone, a value whose
digits are lost is refused with what to do about it (see `zhizhi.ingest.normalize.artefacts`)."""

from __future__ import annotations

from zhizhi.ingest.normalize.artefacts import ARTEFACTS, Undone
from zhizhi.ingest.validate.results import Finding, finding

REPAIRED = "value.spreadsheet_artefact"
SCIENTIFIC = "value.scientific_notation"
FLOAT = "value.float_precision"
_SHOWN = {"\t": "\\t", "\r": "\\r", "\n": "\\n"}
RE_EXPORT_ZH = "请在表格软件中把该列设为文本格式后重新导出"
RE_EXPORT = "Set the column's format to text in the spreadsheet and export it again"


def shown(value: str) -> str:
    """The value with its invisible characters written out (`\\t`, `\\u00a0`), so a message shows them."""
    return "".join(_SHOWN.get(c, f"\\u{ord(c):04x}" if not c.isprintable() or c in "\xa0\u3000" else c) for c in value)


def artefact_findings(value: str, undone: Undone, name: str, label_zh: str, label: str) -> list[Finding]:
    """The finding for one value whose artefacts were undone (soft) or whose digits are lost (hard); the messages
    call the value's place `label_zh` and `label` (the column it was read from)."""
    seen = shown(value)
    if undone.lost == "scientific":
        return [
            finding(
                SCIENTIFIC,
                name,
                value,
                f"「{label_zh}」`{seen}` 是科学计数法，只显示 {undone.digits} 位有效数字，其余数字已丢失，无法还原；"
                + RE_EXPORT_ZH,
                f"`{label}` = `{seen}` is in scientific notation and shows only {undone.digits} significant digits: "
                f"the rest are lost and cannot be restored. {RE_EXPORT}.",
            )
        ]
    if undone.lost == "float":
        return [
            finding(
                FLOAT,
                name,
                value,
                f"「{label_zh}」`{seen}` 曾被表格软件当作数字，{undone.digits} 位数字超出了浮点数的精度，"
                f"末几位可能已改变，无法确认；{RE_EXPORT_ZH}",
                f"`{label}` = `{seen}` was handled as a number: a floating-point number cannot hold all "
                f"{undone.digits} digits, so the last ones may have changed. {RE_EXPORT}.",
            )
        ]
    names_zh = "、".join(ARTEFACTS[a][1] for a in undone.artefacts)
    names = ", ".join(ARTEFACTS[a][0] for a in undone.artefacts)
    return [
        finding(
            REPAIRED,
            name,
            value,
            f"「{label_zh}」`{seen}` 带有表格软件留下的{names_zh}，已还原为 `{undone.value}`（原值保留在原始行中）",
            f"`{label}` = `{seen}` carried {names} from spreadsheet software; read as `{undone.value}` "
            "(the original is kept in the raw row)",
            expected=undone.value,
        )
    ]
