"""The built-in report definitions, shipped with zhizhi (`zhizhi/reports/data/*.yaml`): what a market-regulation
bureau reports every period. Installed into a workspace's reports/ folder with the issuing department filled in
(`BUREAU` in the shipped files stands for it).

A later install (after an upgrade that changed a built-in report) brings each file up to the shipped one where the
workspace did not edit it: zhizhi notes the SHA-256 of each file as it wrote it (`reports/.builtin.json`), and a file
still so is written anew; a file edited since (or written before zhizhi kept that note, and not the shipped text) is
kept and named, unless told to replace it."""

from __future__ import annotations

import hashlib
import json
import re
from dataclasses import dataclass, field
from importlib.resources import files
from pathlib import Path

from zhizhi.config.files import parse_yaml
from zhizhi.reports.definition import FILES, REPORTS_FOLDER, ReportConfig

PLACEHOLDER = "department: BUREAU"
WRITTEN = ".builtin.json"  # in reports/: each built-in definition's SHA-256 as zhizhi last wrote it


@dataclass
class Installed:
    """What an install did, by report name: written new, brought up to the shipped version (untouched since zhizhi
    wrote them), or kept because edited in the workspace while this version ships another text than the one edited
    (an edited file whose shipped text did not change is kept without a word)."""

    written: list[str] = field(default_factory=list)
    updated: list[str] = field(default_factory=list)
    kept: list[str] = field(default_factory=list)


def builtin_texts() -> dict[str, str]:
    """The shipped definitions' YAML text, by name."""
    folder = files("zhizhi.reports") / "data"
    return {p.name.removesuffix(".yaml"): p.read_text(encoding="utf-8") for p in folder.iterdir()
            if p.name.endswith(".yaml")}  # fmt: skip


def install_builtin(root: Path, department: str, *, replace: bool = False) -> Installed:
    """Write the built-in definitions into the workspace at `root`, issued by `department` (each checked before it is
    written): a missing one; one as zhizhi last wrote it, where the shipped text differs; with `replace`, every one."""
    done = Installed()
    noted = _noted(root)
    for name, text in sorted(builtin_texts().items()):
        own = _issued(text, department)
        parse_yaml(own, f"{REPORTS_FOLDER}/{name}.yaml", ReportConfig)
        path = FILES.path(root, name)
        present = path.read_text(encoding="utf-8") if path.exists() else None
        if present == own:
            noted[name] = _sha256(own)
            continue
        if present is not None and not replace and noted.get(name) != _sha256(present):
            if noted.get(name) != _sha256(own):  # edited here, and this version ships another text than it did
                done.kept.append(name)
            continue
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(own, encoding="utf-8")
        noted[name] = _sha256(own)
        (done.written if present is None else done.updated).append(name)
    (root / REPORTS_FOLDER).mkdir(parents=True, exist_ok=True)
    (root / REPORTS_FOLDER / WRITTEN).write_text(json.dumps(noted, indent=1, sort_keys=True) + "\n", encoding="utf-8")
    example = root / REPORTS_FOLDER / "templates" / "entities-by-county.xlsx"
    if not example.exists():
        example_template(example)
    return done


def builtin_behind(root: Path) -> list[str]:
    """The built-in definitions an install would bring to this version, by name: those still as zhizhi wrote them whose
    shipped text has changed since, and those new in this version (none for a workspace that never installed them)."""
    noted = _noted(root)
    if not noted:
        return []
    found = []
    for name, text in sorted(builtin_texts().items()):
        path = FILES.path(root, name)
        if name not in noted:
            if not path.exists():  # new in this version (one there that zhizhi did not note is named by an install)
                found.append(name)
        elif path.exists() and noted[name] == _sha256(present := path.read_text(encoding="utf-8")):
            department = re.search(r"^department: *(.+?) *$", present, re.MULTILINE)
            if _issued(text, department.group(1) if department else "") != present:
                found.append(name)
    return found


def _issued(text: str, department: str) -> str:
    """A shipped definition's text as issued by `department`."""
    return text.replace(PLACEHOLDER, f"department: {department}")


def _noted(root: Path) -> dict[str, str]:
    """The SHA-256 of each built-in file as zhizhi last wrote it (none for a workspace older than the note, or a
    note that cannot be read: every file there is then treated as edited, and kept)."""
    try:
        found = json.loads((root / REPORTS_FOLDER / WRITTEN).read_text(encoding="utf-8"))
    except (OSError, ValueError):
        return {}
    return {str(k): str(v) for k, v in found.items()} if isinstance(found, dict) else {}


def _sha256(text: str) -> str:
    return hashlib.sha256(text.encode("utf-8")).hexdigest()


def example_template(path: Path) -> None:
    """A requesting office's workbook as such offices send them: a title, the period, a header, one styled data row
    (named `明细`) and a total row summing it, with named cells for the run's facts."""
    from openpyxl import Workbook
    from openpyxl.styles import Alignment, Border, Font, PatternFill, Side
    from openpyxl.workbook.defined_name import DefinedName

    book = Workbook()
    sheet = book.active
    assert sheet is not None
    sheet.title = "主体发展"
    thin = Side(style="thin")
    box = Border(left=thin, right=thin, top=thin, bottom=thin)
    sheet.merge_cells("A1:E1")
    sheet["A1"].font = Font(size=16, bold=True)
    sheet["A1"].alignment = Alignment(horizontal="center")
    sheet["A2"], sheet["C2"] = "报告期：", "填报单位："
    sheet["A3"] = "数据截至："
    for column, title in zip("ABCDE", ("县区", "主体类型", "本期新设", "在业户数", "注销户数"), strict=True):
        cell = sheet[f"{column}4"]
        cell.value, cell.font, cell.border = title, Font(bold=True), box
        cell.fill = PatternFill("solid", fgColor="DDEBF7")
        sheet[f"{column}5"].border = box
        sheet[f"{column}6"].border = box
        sheet.column_dimensions[column].width = 30 if column == "B" else 14
    for column in "CDE":
        sheet[f"{column}5"].number_format = "#,##0"
        sheet[f"{column}6"] = f"=SUM({column}5:{column}5)"
        sheet[f"{column}6"].font = Font(bold=True)
    sheet["A6"] = "合计"
    names = {"报表标题": "$A$1", "报告期": "$B$2", "填报单位": "$D$2", "数据截至": "$B$3", "明细": "$A$5"}
    for name, ref in names.items():
        book.defined_names[name] = DefinedName(name, attr_text=f"'{sheet.title}'!{ref}")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(path)
