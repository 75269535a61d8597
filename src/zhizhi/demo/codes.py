"""The demo's local and provincial industry code lists and their crosswalks, generated from GB/T 4754-2017.

Three codings of one industry, as the issue puts it: the city's 6-digit business formats (经营业态), the national
4-digit classes and the provincial platform's 8-digit codes. The files are generated (seeded, so the same on
every run) into the workspace's `codes/` and `crosswalks/` folders, where a person can open them, and imported
from there the way a person would import their own.

Both new lists declare their tree by the prefix rule and carry the national classes themselves as their first
level, so every 6- or 8-digit code has its class as parent and the tree is complete.
"""

from __future__ import annotations

import csv
import random
from collections.abc import Iterable
from dataclasses import dataclass
from pathlib import Path

from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.codes import Hierarchy, ListSpec, import_code_list, import_crosswalk, load_hierarchy
from zhizhi.demo.formats import DATED_SPLITS, NAMED_FORMATS, NEW_FORMATS, OPEN_SPLITS, POOLS, RULE_SPLITS, Part
from zhizhi.errors import InputError

SEED = 4754
NATIONAL = "gbt4754-2017"
# The record field the provincial splits are decided by: the city's 6-digit business format, which a record keeps
# beside its translated industry code (`industry_code_source`), so a split is settled when a record is delivered.
RULE_FIELD = "industry_code_source"
LOCAL = ListSpec(
    "liuzhou-business-format",
    "柳州市市场主体经营业态代码",
    hierarchy="prefix",
    prefix_lengths=(4, 6),
    source="柳州市市场监督管理局（演示数据）",
)
PROVINCIAL = ListSpec(
    "guangxi-industry-8",
    "广西市场监管平台行业代码",
    hierarchy="prefix",
    prefix_lengths=(4, 8),
    source="广西壮族自治区市场监督管理局（演示数据）",
)
LOCAL_TO_NATIONAL = "liuzhou-format-to-gbt4754"
NATIONAL_TO_PROVINCIAL = "gbt4754-to-guangxi-8"


@dataclass(frozen=True)
class Format:
    """One local business format: its 6-digit code, name and national class."""

    code: str
    name: str
    new: bool = False

    @property
    def class_code(self) -> str:
        return self.code[:4]


@dataclass(frozen=True)
class CodeFiles:
    """Where the demo's lists and crosswalks were written."""

    local: Path
    provincial: Path
    local_to_national: Path
    national_to_provincial: Path


def local_formats(national: Hierarchy) -> list[Format]:
    """The city's business formats: the named ones, and for each pooled class a seeded pick of qualifiers."""
    rng = random.Random(SEED)
    names: dict[str, tuple[str, ...]] = dict(NAMED_FORMATS)
    for pool in POOLS:
        for class_code in pool.classes:
            count = rng.randint(pool.fewest, pool.most)
            picked = sorted(rng.sample(range(len(pool.qualifiers)), count))
            names[class_code] = tuple(f"{_class_name(national, class_code)}（{pool.qualifiers[i]}）" for i in picked)
    formats = []
    for class_code, format_names in sorted(names.items()):
        _class_name(national, class_code)
        for number, name in enumerate(format_names, start=1):
            code = f"{class_code}{number:02d}"
            formats.append(Format(code, name, new=code in NEW_FORMATS))
    return formats


def write_code_files(root: Path, national: Hierarchy) -> CodeFiles:
    """Write the two lists into `root/codes` and the two crosswalks into `root/crosswalks` (UTF-8 with BOM)."""
    formats = local_formats(national)
    files = CodeFiles(
        local=root / "codes" / f"{LOCAL.name}.csv",
        provincial=root / "codes" / f"{PROVINCIAL.name}.csv",
        local_to_national=root / "crosswalks" / f"{LOCAL_TO_NATIONAL}.csv",
        national_to_provincial=root / "crosswalks" / f"{NATIONAL_TO_PROVINCIAL}.csv",
    )
    _write(files.local, ["代码", "名称", "生效日期", "备注"], _local_rows(national, formats))
    _write(files.provincial, ["代码", "名称", "生效日期", "失效日期", "备注"], _provincial_rows(national))
    _write(files.local_to_national, ["本地代码", "业态名称", "对应代码", "小类名称"], _format_pairs(national, formats))
    _write(
        files.national_to_provincial,
        ["源代码", "小类名称", "目标代码", "目标名称", "条件字段", "条件值", "生效日期", "失效日期"],
        _provincial_pairs(national),
    )
    return files


def install_demo_codes(session: Session, actor: Actor, root: Path) -> CodeFiles:
    """Generate the demo lists and crosswalks into the workspace and import them; a second run changes nothing."""
    files = write_code_files(root, load_hierarchy(session, NATIONAL))
    import_code_list(session, actor, files.local, LOCAL, version="2025")
    import_code_list(session, actor, files.provincial, PROVINCIAL, version="2025")
    import_crosswalk(
        session,
        actor,
        files.local_to_national,
        name=LOCAL_TO_NATIONAL,
        from_list=LOCAL.name,
        to_list=NATIONAL,
        version="2024",
        title="柳州市经营业态代码 -> GB/T 4754-2017 小类",
        source=LOCAL.source,
    )
    import_crosswalk(
        session,
        actor,
        files.national_to_provincial,
        name=NATIONAL_TO_PROVINCIAL,
        from_list=NATIONAL,
        to_list=PROVINCIAL.name,
        version="2025",
        title="GB/T 4754-2017 小类 -> 广西市场监管平台行业代码",
        source=PROVINCIAL.source,
    )
    return files


def provincial_code(class_code: str, part: int = 1) -> str:
    """The provincial code of a national class (or of the `part`-th part of its split)."""
    return f"{class_code}{part:02d}00"


def _class_name(national: Hierarchy, class_code: str) -> str:
    if class_code not in national or national.level(class_code) != 4:
        raise InputError(
            f"The demo names `{class_code}`, which is not a class of `{NATIONAL}`.",
            zh=f"演示数据用到的 `{class_code}` 不是 `{NATIONAL}` 中的小类。",
        )
    return national.get(class_code).name


def _classes(national: Hierarchy) -> list[str]:
    return sorted(code for code, info in national.codes.items() if info.level == 4)


def _local_rows(national: Hierarchy, formats: list[Format]) -> Iterable[list[str]]:
    for class_code in sorted({f.class_code for f in formats}):
        yield [class_code, _class_name(national, class_code), "", "国民经济行业分类小类"]
        for fmt in formats:
            if fmt.class_code == class_code:
                yield [fmt.code, fmt.name, "2025-03-01" if fmt.new else "", "2025年新增" if fmt.new else ""]


def _parts(class_code: str) -> tuple[Part, ...]:
    return RULE_SPLITS.get(class_code) or OPEN_SPLITS.get(class_code) or DATED_SPLITS.get(class_code) or ()


def _provincial_rows(national: Hierarchy) -> Iterable[list[str]]:
    for class_code in _classes(national):
        name = _class_name(national, class_code)
        yield [class_code, name, "", "", "国民经济行业分类小类"]
        parts = _parts(class_code)
        if not parts:
            yield [provincial_code(class_code), name, "", "", ""]
        for number, part in enumerate(parts, start=1):
            yield [
                provincial_code(class_code, number),
                _part_name(class_code, name, part),
                part.valid_from,
                part.valid_to,
                "",
            ]


def _part_name(class_code: str, class_name: str, part: Part) -> str:
    return part.qualifier if class_code in DATED_SPLITS else f"{class_name}（{part.qualifier}）"


def _format_pairs(national: Hierarchy, formats: list[Format]) -> Iterable[list[str]]:
    for class_code in sorted({f.class_code for f in formats}):
        name = _class_name(national, class_code)
        yield [class_code, name, class_code, name]
        for fmt in formats:
            # The 2024 crosswalk predates the formats added in 2025: they reach their class by roll-up.
            if fmt.class_code == class_code and not fmt.new:
                yield [fmt.code, fmt.name, class_code, name]


def _provincial_pairs(national: Hierarchy) -> Iterable[list[str]]:
    for class_code in _classes(national):
        name = _class_name(national, class_code)
        parts = _parts(class_code)
        if not parts:
            yield [class_code, name, provincial_code(class_code), name, "", "", "", ""]
        for number, part in enumerate(parts, start=1):
            target = provincial_code(class_code, number)
            full = _part_name(class_code, name, part)
            if not part.formats:
                yield [class_code, name, target, full, "", "", part.valid_from, part.valid_to]
            for suffix in part.formats:
                yield [class_code, name, target, full, RULE_FIELD, f"{class_code}{suffix}", "", ""]


def _write(path: Path, header: list[str], rows: Iterable[list[str]]) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    with path.open("w", encoding="utf-8-sig", newline="") as handle:
        writer = csv.writer(handle, lineterminator="\r\n")
        writer.writerow(header)
        writer.writerows(rows)
