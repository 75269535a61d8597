"""A registration-system export of the demo city, dirty as such exports are, and its code coverage.

The export is what the 登记注册科 gets out of the registration system: GBK-encoded CSV, Chinese headers, a
business-format code (经营业态代码) per record and an industry code (行业代码) that older records keep in the
GB/T 4754-2011 version. Dirt is put in on purpose: blanks, typed-wrong codes, codes the local list dropped.
At demo time the coverage of both columns is measured and kept, and every code that does not translate is
queued for a steward, so the coverage page and the review queue show real work.
"""

from __future__ import annotations

import csv
import hashlib
import io
import random
from collections import defaultdict
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path

import polars as pl
from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.codes import (
    build_translator,
    coverage_report,
    get_crosswalk,
    load_hierarchy,
    note_for_review,
    pairs_in_force,
    save_coverage,
)
from zhizhi.demo.codes import LOCAL, NATIONAL, PROVINCIAL, RULE_FIELD, Format, local_formats
from zhizhi.demo.formats import RETIRED_FORMATS
from zhizhi.demo.records import BRAND, CITY_PREFIX, Record, company_record, district_of

SEED = 20261120
ROWS = 3_000
EXPORT_DATE = date(2026, 11, 20)
NATIONAL_SWITCH = "2017-10-01"  # GB/T 4754-2017 took effect; records registered before keep 2011 codes
OLD_NATIONAL = "gbt4754-2011"
FILE_NAME = "dengji_export.csv"
SUBJECT = f"登记注册系统导出 {FILE_NAME}"
HEADER = [
    "统一社会信用代码",
    "企业名称",
    "市场主体类型",
    "法定代表人",
    "成立日期",
    "登记机关",
    "住所",
    "经营业态代码",
    "经营业态名称",
    "行业代码",
    "登记状态",
]


@dataclass(frozen=True)
class CoverageSummary:
    """What one coverage run found: rows, rows translated, and codes queued for review."""

    subject: str
    rows: int
    translated_rows: int
    queued_codes: int


def export_path(root: Path) -> Path:
    """Where the demo keeps the export: a file received from a system, beside the source definitions."""
    return root / "sources" / "exports" / FILE_NAME


def write_export(path: Path, formats: list[Format], old_codes: dict[str, list[str]], *, rows: int = ROWS) -> None:
    """Write the export (GBK): `old_codes` gives, per 2017 class, the 2011 codes that become it."""
    records = export_records(formats, old_codes, rows=rows)
    path.parent.mkdir(parents=True, exist_ok=True)
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(HEADER)
    writer.writerows(r.cells() for r in records)
    path.write_bytes(buffer.getvalue().encode("gbk"))


def export_records(formats: list[Format], old_codes: dict[str, list[str]], *, rows: int = ROWS) -> list[Record]:
    """The export's records in the order written (seeded): the demo's other exports name the same entities."""
    rng = random.Random(SEED)
    known = {f.code for f in formats} | {f.class_code for f in formats}
    weights = [_weight(f) for f in formats]
    records = []
    for _ in range(rows):
        fmt = rng.choices(formats, weights)[0]
        founded = _founded(rng, fmt)
        record = company_record(rng, fmt, founded)
        records.append(_with_codes(rng, record, fmt, founded, known, old_codes))
    records.sort(key=lambda r: (r.founded, r.credit_code))
    return unique_names(records)


def unique_names(records: list[Record]) -> list[Record]:
    """The records with every name used once: a name is unique within its registration area (企业名称登记管理规定),
    so a later namesake gets a third character in its trade name, chosen from its credit code (no draw of the rng,
    so nothing else of the city changes)."""
    seen: set[str] = set()
    named = []
    for record in records:
        name, tries = record.name, 0
        while name in seen:
            extra = BRAND[(int(hashlib.sha256(record.credit_code.encode()).hexdigest(), 16) + tries) % len(BRAND)]
            district = district_of(record)[0]
            at = len(CITY_PREFIX) + (len(district) if record.name.startswith(CITY_PREFIX + district) else 0)
            name, tries = record.name[:at] + extra + record.name[at:], tries + 1
        seen.add(name)
        named.append(record if name == record.name else replace(record, name=name))
    return named


def read_export(path: Path) -> pl.DataFrame:
    """The export as text columns (GBK decoded; empty cells are null, codes keep their leading zeros)."""
    text = path.read_bytes().decode("gbk")
    return pl.read_csv(text.encode("utf-8"), infer_schema=False)


def old_codes_by_class(session: Session) -> dict[str, list[str]]:
    """For each GB/T 4754-2017 class, the 2011 codes the built-in correspondence table maps to it."""
    sources: dict[str, set[str]] = defaultdict(set)
    for pair in pairs_in_force(session, get_crosswalk(session, "gbt4754-2011-to-2017")):
        sources[pair.to_code].add(pair.from_code)
    return {target: sorted(codes) for target, codes in sources.items()}


def load_export(session: Session, actor: Actor, root: Path) -> list[CoverageSummary]:
    """Write the export into the workspace, measure its coverage, keep the reports and queue what fails."""
    path = export_path(root)
    write_export(path, local_formats(load_hierarchy(session, NATIONAL)), old_codes_by_class(session))
    frame = read_export(path)
    formats = frame["经营业态代码"]
    summaries = [
        _measure(
            session,
            actor,
            f"{SUBJECT} · 经营业态代码",
            LOCAL.name,
            PROVINCIAL.name,
            formats,
            pl.DataFrame({RULE_FIELD: formats}),
        )
    ]
    older = frame.filter(pl.col("成立日期") < NATIONAL_SWITCH)
    summaries.append(
        _measure(
            session,
            actor,
            f"{SUBJECT} · 行业代码（{NATIONAL_SWITCH} 前成立的主体）",
            OLD_NATIONAL,
            NATIONAL,
            older["行业代码"],
            None,
        )
    )
    return summaries


def _measure(
    session: Session,
    actor: Actor,
    subject: str,
    from_list: str,
    to_list: str,
    codes: pl.Series,
    context: pl.DataFrame | None,
) -> CoverageSummary:
    translator = build_translator(session, from_list, to_list, as_of=EXPORT_DATE)
    results = translator.translate_column(codes, context)
    report = coverage_report(translator, results)
    save_coverage(session, actor, subject, report)
    queued = note_for_review(session, translator, results, seen_in=subject)
    return CoverageSummary(subject, report["rows"], report["translated_rows"], queued)


def _weight(fmt: Format) -> float:
    # Eating places and food shops are most of a city's register; 螺蛳粉 is what 柳州 is known for.
    if fmt.code == "629101":
        return 40.0
    weight = 1.0
    for prefix, share in (("62", 6.0), ("521", 4.0), ("522", 4.0), ("61", 2.0), ("51", 1.5)):
        if fmt.code.startswith(prefix):
            weight = share
            break
    return weight * (0.3 if fmt.new else 1.0)


def _founded(rng: random.Random, fmt: Format) -> date:
    start = date(2025, 3, 1) if fmt.new else date(2004, 1, 1)
    end = date(2026, 10, 31)
    return start + timedelta(days=rng.randrange((end - start).days + 1))


def _with_codes(
    rng: random.Random,
    record: Record,
    fmt: Format,
    founded: date,
    known: set[str],
    old_codes: dict[str, list[str]],
) -> Record:
    roll = rng.random()
    format_code, format_name = fmt.code, fmt.name
    if roll < 0.02:
        format_code, format_name = "", ""
    elif roll < 0.035:
        format_code = _typo(rng, fmt.code, known)
    elif roll < 0.045:
        format_code, format_name = rng.choice(sorted(RETIRED_FORMATS.items()))
    elif roll < 0.05:
        format_code = f"{fmt.code} "  # a trailing space, as a clerk's copy-paste leaves it
    industry = fmt.class_code
    if founded.isoformat() < NATIONAL_SWITCH and old_codes.get(industry):
        industry = rng.choice(old_codes[industry])
    if rng.random() < 0.03:
        industry = ""
    return record.with_codes(format_code, format_name, industry)


def _typo(rng: random.Random, code: str, known: set[str]) -> str:
    """A code as typed wrong: two digits swapped, the last one lost, or one doubled."""
    for _ in range(20):
        kind, at = rng.randrange(3), rng.randrange(len(code) - 1)
        if kind == 0:
            typed = code[:at] + code[at + 1] + code[at] + code[at + 2 :]
        elif kind == 1:
            typed = code[:-1]
        else:
            typed = code[: at + 1] + code[at:]
        if typed not in known:
            return typed
    return code[:-1]
