"""Map a chunk of raw rows to a record type: take each field from its column, transform, clean, check.

The result keeps the chunk's row order: the clean record columns, the record key, and every finding with its
severity and the column it came from. Nothing here knows a particular record type: the fields' kinds decide.
"""

from __future__ import annotations

from dataclasses import dataclass, field

import polars as pl

from zhizhi.errors import InputError
from zhizhi.ingest.kinds import Cleaned, Context, I, clean_column, findings_where, no_findings, output_columns
from zhizhi.ingest.read.base import ERROR, LANGUAGES, ROW
from zhizhi.ingest.spreadsheet import as_read, excel_errors, lost_zeros, said_once
from zhizhi.ingest.validate.credit_column import LEFT_OUT
from zhizhi.ingest.validate.identifiers import compact
from zhizhi.ingest.validate.results import REASONS
from zhizhi.records.fields import Field, RecordType
from zhizhi.sources.config import SourceConfig
from zhizhi.sources.transforms import apply_transforms

KEY = "_key"
HARD = "_hard"


@dataclass
class Mapped:
    """One chunk mapped: `records` (`_row`, `_key`, `_hard`, then the record columns), `findings`, how many rows
    had a value for each mapped field, and how many rows had each spreadsheet artefact in an identifier."""

    records: pl.DataFrame
    findings: pl.DataFrame
    filled: dict[str, int]
    translations: dict[str, pl.DataFrame]
    artefacts: dict[str, int] = field(default_factory=dict)


def record_columns(kind: RecordType) -> list[str]:
    """Every column a record of this type has, in field order."""
    return [column for spec in kind.fields for column in output_columns(spec)]


def map_chunk(
    frame: pl.DataFrame, source: SourceConfig, ctx: Context, numbers: dict[str, list[int]] | None = None
) -> Mapped:
    """Map, clean and check one chunk (a reader's frame: `_row`, `_error`, then text columns; `numbers`: per column,
    the positions of the rows whose cell a workbook held as a number)."""
    for name, copies in source.repeated.items():
        _same_copies(frame, source, name, copies)
    kind = source.kind
    raw = frame.select(
        [
            apply_transforms(_origin(m.column, m.value, frame.columns).cast(pl.String), m.transforms).alias(name)
            for name, m in source.fields.items()
        ]
    )
    height = frame.height
    columns: dict[str, pl.Series] = {}
    findings: list[pl.DataFrame] = []
    translations: dict[str, pl.DataFrame] = {}
    artefacts: list[pl.DataFrame] = []
    mapped = [spec for spec in kind.fields if spec.name in source.fields]
    for spec in sorted(mapped, key=lambda s: s.kind == "code"):  # code rules may read other clean fields
        context = pl.DataFrame({name: series for name, series in columns.items() if series.dtype == pl.String})
        cleaned: Cleaned = clean_column(as_read(spec, source), raw[spec.name], ctx, context if context.width else None)
        columns.update({name: series.alias(name) for name, series in cleaned.columns.items()})
        findings.extend(cleaned.findings)
        if cleaned.translation is not None:
            translations[spec.name] = cleaned.translation
        if cleaned.artefacts is not None:
            artefacts.append(cleaned.artefacts)
    for spec in kind.fields:
        for name in output_columns(spec):
            columns.setdefault(name, pl.Series(name, [None] * height, dtype=pl.String))
    records = pl.DataFrame([columns[name] for name in record_columns(kind)])
    found = pl.concat([f.cast(no_findings().schema) for f in findings]) if findings else no_findings()
    records = _registration_numbers(kind, records, found)
    errors = pl.concat([excel_errors(source, raw), lost_zeros(source, raw, frame, numbers or {}, ctx)])
    found = said_once(found, errors)
    found = pl.concat(
        [found, _missing(kind, source, raw, records, found), _malformed(frame), errors]
        + [_reversed(as_read(kind.field(a), source), as_read(kind.field(b), source), raw, records)
           for a, b in kind.periods if a in source.fields and b in source.fields]  # fmt: skip
    )
    keys = _key(kind, records)
    no_key = keys.is_null() & ~_rows_with_hard(found, height)
    found = pl.concat([found, _no_key(kind, no_key)])
    records = _unchecked_out(records, found, kind)
    found = _described(found, source)
    hard = _rows_with_hard(found, height)
    records = records.with_columns(frame[ROW].alias(ROW), keys.alias(KEY), hard.alias(HARD))
    filled = raw.select((pl.all().str.strip_chars().fill_null("") != "").sum()).row(0, named=True)
    records = records.select(ROW, KEY, HARD, *record_columns(kind))
    return Mapped(records, found, filled, translations, _rows_per_artefact(artefacts))


def _registration_numbers(kind: RecordType, records: pl.DataFrame, found: pl.DataFrame) -> pl.DataFrame:
    """A 15-digit registration number given in a credit-code column (`uscc.reg_no`) as the record's registration
    number, where its record type has that field and the row left it empty."""
    given = found.filter(pl.col("code") == "uscc.reg_no")
    target = next((spec.name for spec in kind.fields if spec.kind == "reg_no"), None)
    if target is None or not given.height:
        return records
    numbers = given.select(I, pl.col("value").map_elements(compact, return_dtype=pl.String).alias("n")).unique(I)
    at = pl.DataFrame({I: pl.int_range(0, records.height, dtype=pl.UInt32, eager=True)})
    number = at.join(numbers, on=I, how="left", maintain_order="left")["n"]
    return records.with_columns(pl.coalesce(pl.col(target), number).alias(target))


def _same_copies(frame: pl.DataFrame, source: SourceConfig, name: str, columns: tuple[str, ...]) -> None:
    """Refuse the file when the copies of a repeated column that a field maps by its bare name differ in a row: which
    one the field means is the source's to say. Copies holding the same values are harmless."""
    present = [c for c in columns if c in frame.columns]
    if len(present) < 2:
        return
    first, *others = [pl.col(c).str.strip_chars().fill_null("") for c in present]
    differ = frame.filter(pl.any_horizontal([first != other for other in others]))
    if not differ.height:
        return
    row = differ.row(0, named=True)
    label, sheet = source.read_from
    where = f"`{label}`" + (f", sheet `{sheet}`" if sheet else "")
    where_zh = f"`{label}`" + (f" 工作表 `{sheet}`" if sheet else "")
    read_as = ", ".join(f"`{c}`" for c in present)
    values = ", ".join(f"`{row[c] or ''}`" for c in present)
    choices = [f"`{name}: {present[0]}_1` for the first"] + [
        f"`{name}: {c}` for the {_NTH.get(i, f'{i}th')}" for i, c in enumerate(present[1:], start=2)
    ]
    choices_zh = [f"第一列写 `{name}: {present[0]}_1`"] + [
        f"第{'二三四五六七八九'[i - 2] if i < 10 else i}列写 `{name}: {c}`" for i, c in enumerate(present[1:], start=2)
    ]
    raise InputError(
        f"{where}: the header writes column `{present[0]}` {len(present)} times (read as {read_as}) and the copies "
        f"differ (row {row[ROW]}: {values}), so field `{name}` "
        f"of source `{source.name}` could be either. Name the copy it takes in the source file's `fields`: "
        f"{', '.join(choices)}; or remove the extra column from the export. Nothing was ingested.",
        zh=f"文件 {where_zh} 的表头中列「{present[0]}」出现 {len(present)} 次（读作 {'、'.join(present)}），"
        f"且各列的值不同（第 {row[ROW]} 行：{values}），无法确定数据源 `{source.name}` 的字段 {name} 取哪一列。"
        f"请在数据源文件的 fields 中写明：{'；'.join(choices_zh)}；或从导出中删去多余的列。本次未导入任何数据。",
    )


_NTH = {2: "second", 3: "third", 4: "fourth", 5: "fifth"}


def _rows_per_artefact(artefacts: list[pl.DataFrame]) -> dict[str, int]:
    """Rows with each artefact, a row counted once however many of its fields had it."""
    if not artefacts:
        return {}
    return dict(pl.concat(artefacts).unique().group_by("artefact").len().iter_rows())


def _origin(column: str | None, value: str | None, present: list[str]) -> pl.Expr:
    """A mapped column (empty when a reader without a fixed header did not see it in this chunk) or a constant."""
    if column is None:
        return pl.lit(value)
    return pl.col(column) if column in present else pl.lit(None, dtype=pl.String)


def _missing(
    kind: RecordType, source: SourceConfig, raw: pl.DataFrame, records: pl.DataFrame, found: pl.DataFrame
) -> pl.DataFrame:
    parts = []
    for spec in kind.fields:
        if not spec.required or spec.name not in source.fields:
            continue
        named = as_read(spec, source)
        flagged = pl.Series([False] * records.height)
        rows = found.filter((pl.col("field") == spec.name) & ~pl.col("code").is_in(LEFT_OUT))[I]
        if rows.len():
            flagged = pl.int_range(0, records.height, eager=True).is_in(rows.implode())
        mask = records[spec.name].is_null() & ~flagged
        parts.append(
            findings_where(
                spec,
                raw[spec.name],
                mask,
                "field.missing",
                f"必填字段「{named.label_zh}」为空",
                f"required `{named.label}` is empty; fill it in",
            )
        )
    return pl.concat(parts) if parts else no_findings()


def _reversed(start: Field, end: Field, raw: pl.DataFrame, records: pl.DataFrame) -> pl.DataFrame:
    """A finding on the end of a span (有效期至) for each row where it is before the span's start (有效期起); a day
    alone against a moment compares their days."""
    first, last = records[start.name], records[end.name]
    timed = (first.str.len_chars() > 10) & (last.str.len_chars() > 10)
    before = pl.select(
        pl.when(timed).then(last < first).otherwise(last.str.slice(0, 10) < first.str.slice(0, 10)).fill_null(False)
    ).to_series()
    return (
        pl.DataFrame({I: pl.int_range(0, records.height, dtype=pl.UInt32, eager=True), "m": before})
        .with_columns(raw[end.name].alias("value"), raw[start.name].alias("_start"))
        .filter(pl.col("m"))
        .select(
            I,
            pl.lit(end.name).alias("field"),
            pl.lit("date.end_before_start").alias("code"),
            pl.col("value"),
            pl.format(
                f"「{end.label_zh}」`{{}}` 早于「{start.label_zh}」`{{}}`：结束不能早于开始，"
                "请核对这两个日期（是否填反、年份是否有误），在隔离区修正后重放，或改正原表后重新导入",
                pl.col("value"),
                pl.col("_start"),
            ).alias("message_zh"),
            pl.format(
                f"`{end.label}` = `{{}}` is before `{start.label}` = `{{}}`: a span cannot end before it starts; "
                "check both dates (swapped, or a wrong year), then fix the value in quarantine or correct the export "
                "and ingest it again",
                pl.col("value"),
                pl.col("_start"),
            ).alias("message"),
        )
    )


def _malformed(frame: pl.DataFrame) -> pl.DataFrame:
    errors = frame[ERROR]
    said = pl.col("error").str.split_exact(LANGUAGES, 1)  # Chinese, then English; a reader's own words: English
    zh = pl.when(said.struct.field("field_1").is_null()).then(pl.col("error")).otherwise(said.struct.field("field_0"))
    en = pl.coalesce(said.struct.field("field_1"), pl.col("error"))
    return (
        pl.DataFrame({I: pl.int_range(0, frame.height, dtype=pl.UInt32, eager=True), "error": errors})
        .filter(pl.col("error").is_not_null())
        .select(
            I,
            pl.lit(None, dtype=pl.String).alias("field"),
            pl.lit("row.malformed").alias("code"),
            en.alias("value"),
            pl.format("此行无法按表头读取：{}", zh).alias("message_zh"),
            pl.format("the row cannot be read against the header: {}", en).alias("message"),
        )
    )


def _key(kind: RecordType, records: pl.DataFrame) -> pl.Series:
    alternatives = []
    for key in kind.keys:
        filled = pl.all_horizontal([pl.col(name).is_not_null() for name in key])
        text = pl.concat_str([pl.format(f"{name}={{}}", pl.col(name)) for name in key], separator="|")
        alternatives.append(pl.when(filled).then(text))
    return records.select(pl.coalesce(alternatives).alias(KEY))[KEY]


def _no_key(kind: RecordType, mask: pl.Series) -> pl.DataFrame:
    options = " 或 ".join("+".join(kind.field(n).label_zh for n in key) for key in kind.keys)
    options_en = " or ".join(" + ".join(kind.field(n).label for n in key) for key in kind.keys)
    return (
        pl.DataFrame({I: pl.int_range(0, mask.len(), dtype=pl.UInt32, eager=True), "m": mask})
        .filter(pl.col("m"))
        .select(
            I,
            pl.lit(None, dtype=pl.String).alias("field"),
            pl.lit("record.no_key").alias("code"),
            pl.lit("", dtype=pl.String).alias("value"),
            pl.lit(f"无法识别这条{kind.label_zh}：需要 {options}").alias("message_zh"),
            pl.lit(f"the {kind.label.lower()} cannot be identified: fill in {options_en}").alias("message"),
        )
    )


def _unchecked_out(records: pl.DataFrame, found: pl.DataFrame, kind: RecordType) -> pl.DataFrame:
    """A `soft` field's value that fails a check the record would otherwise be held back for is left out of the
    record (kept in the raw row, named by its finding): nothing downstream takes a wrong credit code for a right one."""
    hard_codes = [code for code, (severity, _) in REASONS.items() if severity == "hard"]
    for spec in kind.fields:
        if not spec.soft:
            continue
        failed = found.filter((pl.col("field") == spec.name) & pl.col("code").is_in(hard_codes))[I]
        if failed.len():
            out = pl.int_range(0, records.height, dtype=pl.UInt32, eager=True).is_in(failed.implode())
            records = records.with_columns(
                pl.when(out).then(None).otherwise(pl.col(name)).alias(name) for name in output_columns(spec)
            )
    return records


def _described(found: pl.DataFrame, source: SourceConfig) -> pl.DataFrame:
    """Add each finding's severity and the source column its field came from."""
    columns = {name: m.column for name, m in source.fields.items() if m.column is not None}
    severity = pl.col("code").replace_strict(
        {code: severity for code, (severity, _) in REASONS.items()}, return_dtype=pl.String
    )
    soft = [spec.name for spec in source.kind.fields if spec.soft]
    return found.with_columns(
        (pl.when(pl.col("field").is_in(soft)).then(pl.lit("soft")).otherwise(severity) if soft else severity)
        .alias("severity"),
        pl.col("field").replace_strict(columns, default=None, return_dtype=pl.String).alias("column"),
    ).sort(I, maintain_order=True)


def _rows_with_hard(found: pl.DataFrame, height: int) -> pl.Series:
    if "severity" in found.columns:
        hard_rows = found.filter(pl.col("severity") == "hard")[I]
    else:
        hard_rows = found.filter(pl.col("code").is_in([c for c, (s, _) in REASONS.items() if s == "hard"]))[I]
    return pl.int_range(0, height, dtype=pl.UInt32, eager=True).is_in(hard_rows.implode())
