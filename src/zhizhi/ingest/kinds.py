"""Clean and check one mapped column by its field's kind (see `zhizhi.records.fields` for the table of kinds).

Each kind turns the raw text column into its clean column(s) and a frame of findings, one row per problem:
`_i` (the row's position in the chunk), `field`, `code`, `value` (the offending value as given), `message_zh`,
`message`. Work is done on whole columns; per-value validators run once per distinct value.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

import polars as pl

from zhizhi.codes.translate import Translator
from zhizhi.ingest.normalize import (
    clean_identifier,
    clean_prose,
    clean_text,
    clean_text_value,
    normalize_names,
    normalize_phones,
    parse_dates,
    parse_datetimes,
    split_addresses,
)
from zhizhi.ingest.normalize.artefacts import undo_artefacts
from zhizhi.ingest.validate import validate_registration_number, validate_resident_id
from zhizhi.ingest.validate.artefacts import artefact_findings
from zhizhi.ingest.validate.credit_column import validate_credit_column
from zhizhi.ingest.validate.identifiers import uscc_valid_mask
from zhizhi.ingest.validate.results import Checked, Finding
from zhizhi.records.fields import Field

I = "_i"  # noqa: E741  the row's position within its chunk
FINDING_SCHEMA = {
    I: pl.UInt32,
    "field": pl.String,
    "code": pl.String,
    "value": pl.String,
    "message_zh": pl.String,
    "message": pl.String,
}
LIST_SEPARATORS = r"[、,，;；\r\n]+"
FORMULA = r"^(=|@|[+\-][^0-9.\s])"


@dataclass
class Context:
    """What cleaning needs beyond the column: the source's defaults, the day of ingest, code translators."""

    today: date
    default_prefecture: str | None = None
    default_area_code: str | None = None
    translators: dict[str, Translator] = field(default_factory=dict)  # field name -> translator
    titles: dict[str, str] = field(default_factory=dict)  # code list name -> its title, for the messages

    def title(self, code_list: str) -> str:
        """A code list's title as the messages name it, or its name when it has none."""
        return self.titles.get(code_list) or code_list


@dataclass
class Cleaned:
    """A field's clean column(s), named `field` and `field_part`, and its findings."""

    columns: dict[str, pl.Series]
    findings: list[pl.DataFrame]
    translation: pl.DataFrame | None = None  # code fields: translate_column's answer per row
    artefacts: pl.DataFrame | None = None  # identifier fields: `_i`, `artefact` for each spreadsheet artefact undone


def no_findings() -> pl.DataFrame:
    return pl.DataFrame(schema=FINDING_SCHEMA)


def findings_where(
    spec: Field, raw: pl.Series, mask: pl.Series, code: str, message_zh: str, message: str
) -> pl.DataFrame:
    """One finding for every row where `mask` is true; `{value}` in the messages is the row's raw value."""
    frame = pl.DataFrame({I: pl.int_range(0, raw.len(), dtype=pl.UInt32, eager=True), "value": raw, "m": mask})
    frame = frame.filter(pl.col("m").fill_null(False))
    return frame.select(
        pl.col(I),
        pl.lit(spec.name).alias("field"),
        pl.lit(code).alias("code"),
        pl.col("value"),
        _format(message_zh).alias("message_zh"),
        _format(message).alias("message"),
    )


def _format(template: str) -> pl.Expr:
    parts = template.split("{value}")
    if len(parts) == 1:
        return pl.lit(template)
    return pl.format("{}".join(parts), *([pl.col("value")] * (len(parts) - 1)))


def _length(spec: Field, clean: pl.Series) -> pl.DataFrame:
    too_long = clean.str.len_chars() > spec.max_length
    return findings_where(
        spec,
        clean,
        too_long,
        "field.too_long",
        f"「{spec.label_zh}」超过 {spec.max_length} 个字符",
        f"`{spec.label}` is longer than {spec.max_length} characters; shorten it",
    ).with_columns(pl.col("value").str.slice(0, 200))


def _formula(spec: Field, raw: pl.Series) -> pl.DataFrame:
    return findings_where(
        spec,
        raw,
        raw.str.contains(FORMULA),
        "text.formula",
        "「{value}」以公式符号开头，已按文本保存，导出时不会作为公式",
        "`{value}` starts like a spreadsheet formula; kept as text and never written out as a formula",
    )


def _text(spec: Field, raw: pl.Series, ctx: Context) -> Cleaned:
    if spec.kind == "name":
        clean = normalize_names(raw)
    elif spec.prose:  # what a person wrote reaches the record and its targets as written
        clean = clean_prose(raw)
    else:
        clean = clean_identifier(raw) if spec.is_identifier else clean_text(raw)
        clean = clean.str.to_uppercase() if spec.capitals else clean
    return Cleaned({spec.name: clean}, [_length(spec, clean), _formula(spec, raw)])


def _validated(
    check: Callable[[str, str], Checked[str]] | Callable[[str, str], Checked[str | None]],
    fast: Callable[[pl.Series], pl.Series] | None = None,
) -> Callable[[Field, pl.Series, Context], Cleaned]:
    """A kind whose per-value validator normalises and checks, run once per distinct value; with `fast`, a
    column check that clears most values at once, so the validator runs only for the rest."""

    def clean_kind(spec: Field, raw: pl.Series, ctx: Context) -> Cleaned:
        text = clean_text(raw)
        distinct = text.drop_nulls().unique()
        if fast is not None:
            compacted = distinct.str.to_uppercase().str.replace_all(r"\s", "")
            passed = fast(compacted)
            cleared = dict(zip(distinct.filter(passed).to_list(), compacted.filter(passed).to_list(), strict=True))
            distinct = distinct.filter(~passed)
        else:
            cleared = {}
        answers = {value: check(value, spec.name) for value in distinct.to_list()}
        mapping = cleared | {value: answer.value for value, answer in answers.items()}
        clean = text.replace_strict(list(mapping), list(mapping.values()), default=None, return_dtype=pl.String)
        rows: list[tuple[str, Finding]] = [(v, f) for v, a in answers.items() for f in a.findings]
        return Cleaned({spec.name: clean}, [_explode(spec, text, rows)])

    return clean_kind


def _explode(spec: Field, text: pl.Series, rows: list[tuple[str, Finding]]) -> pl.DataFrame:
    """Findings made per distinct value, joined back to every row holding that value."""
    if not rows:
        return no_findings()
    found = pl.DataFrame(
        {
            "key": [v for v, _ in rows],
            "code": [f.code for _, f in rows],
            "message_zh": [f.message_zh for _, f in rows],
            "message": [f.message for _, f in rows],
        },
        schema={"key": pl.String, "code": pl.String, "message_zh": pl.String, "message": pl.String},
    )
    frame = pl.DataFrame({I: pl.int_range(0, text.len(), dtype=pl.UInt32, eager=True), "key": text})
    joined = frame.join(found, on="key", how="inner")
    return joined.select(
        I, pl.lit(spec.name).alias("field"), "code", pl.col("key").alias("value"), "message_zh", "message"
    )


def _resident_id(today: date) -> Callable[[str, str], Checked[str]]:
    return lambda value, name: validate_resident_id(value, name, today=today)


def _date(spec: Field, raw: pl.Series, ctx: Context) -> Cleaned:
    parsed = parse_dates(raw)
    return Cleaned({spec.name: parsed.cast(pl.String)}, _date_findings(spec, raw, parsed, ctx))


def _datetime(spec: Field, raw: pl.Series, ctx: Context) -> Cleaned:
    moments = parse_datetimes(raw)
    found = _date_findings(spec, raw, moments.str.slice(0, 10).str.to_date(strict=False), ctx)
    found.append(
        findings_where(
            spec,
            raw,
            moments.str.len_chars() == 10,
            "datetime.date_only",
            f"「{spec.label_zh}」`{{value}}` 只有日期，没有时刻",
            f"`{spec.label}` = `{{value}}` gives the day but not the time of day",
        )
    )
    return Cleaned({spec.name: moments}, found)


def _date_findings(spec: Field, raw: pl.Series, parsed: pl.Series, ctx: Context) -> list[pl.DataFrame]:
    """A date's findings: unparseable, before the field's earliest day, after its latest."""
    given = clean_text(raw).is_not_null()
    invalid = given & parsed.is_null()
    latest = None if spec.max_future_days is None else ctx.today + timedelta(days=spec.max_future_days)
    found = [
        findings_where(
            spec,
            raw,
            invalid,
            "date.invalid",
            f"「{spec.label_zh}」`{{value}}` 不是有效日期，请写成 2021-07-08 或 2021年7月8日",
            f"`{spec.label}` = `{{value}}` is not a date; write it as 2021-07-08",
        ),
        findings_where(
            spec,
            raw,
            parsed < spec.earliest,
            "date.too_early",
            f"「{spec.label_zh}」`{{value}}` 早于 {spec.earliest}",
            f"`{spec.label}` = `{{value}}` is before {spec.earliest}",
        ),
    ]
    if latest is not None:
        found.append(
            findings_where(
                spec,
                raw,
                parsed > latest,
                "date.too_late",
                f"「{spec.label_zh}」`{{value}}` 晚于 {latest}",
                f"`{spec.label}` = `{{value}}` is after {latest}",
            )
        )
    return found


def _phone(spec: Field, raw: pl.Series, ctx: Context) -> Cleaned:
    parts = normalize_phones(raw, default_area_code=ctx.default_area_code).struct.unnest()
    phone = parts["phone"]
    bad = clean_text(raw).is_not_null() & phone.is_null()
    found = findings_where(
        spec,
        raw,
        bad,
        "phone.format",
        f"「{spec.label_zh}」`{{value}}` 既不是手机号码也不是带区号的固定电话",
        f"`{spec.label}` = `{{value}}` is neither a mobile nor a landline with area code",
    )
    return Cleaned({spec.name: phone, f"{spec.name}_others": parts["others"]}, [found])


ADDRESS_PARTS = ("division_code", "province", "city", "county", "rest")


def _address(spec: Field, raw: pl.Series, ctx: Context) -> Cleaned:
    text = clean_text(raw)
    parts = split_addresses(raw, default_prefecture=ctx.default_prefecture).struct.unnest()
    columns = {spec.name: text} | {f"{spec.name}_{part}": parts[part] for part in ADDRESS_PARTS}
    no_division = text.is_not_null() & parts["division_code"].is_null()
    found = findings_where(
        spec,
        raw,
        no_division,
        "address.division",
        f"「{spec.label_zh}」`{{value}}` 中未识别出省、市、县（区）",
        f"`{spec.label}` = `{{value}}` names no province, city or county zhizhi knows",
    )
    return Cleaned(columns, [_length(spec, text), found])


def _enum(spec: Field, raw: pl.Series, ctx: Context) -> Cleaned:
    words = {v: v for v in spec.values} | {label: v for v, label in spec.values.items()} | dict(spec.aliases)
    words = {clean_text_value(word) or word: value for word, value in words.items()}  # as the cells are cleaned
    text = clean_text(raw)
    clean = text.replace_strict(list(words), list(words.values()), default=None, return_dtype=pl.String)
    allowed = "、".join(spec.values.values())
    found = findings_where(
        spec,
        raw,
        text.is_not_null() & clean.is_null(),
        "value.not_allowed",
        f"「{spec.label_zh}」`{{value}}` 不是允许的取值（{allowed}）；可在数据源中用 map 转换",
        f"`{spec.label}` = `{{value}}` is not one of {', '.join(spec.values)}; map it in the source file",
    )
    return Cleaned({spec.name: clean}, [found])


def _list(spec: Field, raw: pl.Series, ctx: Context) -> Cleaned:
    text = clean_text(raw)
    items = text.str.replace_all(LIST_SEPARATORS, "\u0000").str.split("\u0000")
    items = items.list.eval(pl.element().str.strip_chars()).list.eval(pl.element().filter(pl.element() != ""))
    return Cleaned({spec.name: items}, [_length(spec, text)])


def _code(spec: Field, raw: pl.Series, ctx: Context, context: pl.DataFrame | None = None) -> Cleaned:
    text = clean_text(raw).str.replace_all(r"\s", "")
    translator = ctx.translators.get(spec.name)
    if translator is None:
        raise KeyError(f"no translator for code field `{spec.name}`")
    result = translator.translate_column(text, context)
    method = result["method"]
    source_list, target_list = ctx.title(translator.from_list), ctx.title(translator.to_list)
    listed = translator.legs[0].hierarchy  # the source's list, in the version in force
    known = [code for code in text.drop_nulls().unique().to_list() if code in listed]
    unknown = (method == "unmapped") & ~text.is_in(known).fill_null(False)
    found = [
        findings_where(
            spec,
            raw,
            unknown,
            "code.unknown",
            f"「{spec.label_zh}」`{{value}}` 不在代码表「{source_list}」的现行版本中",
            f"`{spec.label}` = `{{value}}` is not in the code list `{source_list}` as in force; correct the code",
        ),
        findings_where(
            spec,
            raw,
            (method == "unmapped") & ~unknown,
            "code.unmapped",
            f"「{spec.label_zh}」`{{value}}` 无法转换为「{target_list}」的代码，已列入代码审核",
            f"`{spec.label}` = `{{value}}` has no equivalent in `{target_list}`; queued for code review",
        ),
        findings_where(
            spec,
            raw,
            method == "ambiguous",
            "code.ambiguous",
            f"「{spec.label_zh}」`{{value}}` 对应「{target_list}」的多个代码，已列入代码审核",
            f"`{spec.label}` = `{{value}}` has several equivalents in `{target_list}`; queued for code review",
        ),
    ]
    columns = {spec.name: result["to_code"], f"{spec.name}_source": text}
    failed = pl.col("method").is_in(["unmapped", "ambiguous", "blank"])
    kept = result.with_columns(pl.when(failed).then(pl.col("detail")).alias("detail"))
    return Cleaned(columns, found, kept)


KINDS: dict[str, Callable[[Field, pl.Series, Context], Cleaned]] = {
    "text": _text,
    "name": _text,
    "person": _text,
    "uscc": _validated(validate_credit_column, uscc_valid_mask),
    "reg_no": _validated(validate_registration_number),
    "date": _date,
    "datetime": _datetime,
    "phone": _phone,
    "address": _address,
    "enum": _enum,
    "list": _list,
}


_MARKED_TOO = ("date", "datetime", "enum")  # besides identifiers: kinds whose values an export marks as text


def clean_column(spec: Field, raw: pl.Series, ctx: Context, context: pl.DataFrame | None = None) -> Cleaned:
    """The clean column(s) and findings of one field; the spreadsheet artefacts of an identifier, a date or a
    listed word (`'2021-07-08`, `="存续"`: what kept Excel from reading the cell as a day or a number) are undone
    first. In free text (names, addresses) those characters are text."""
    if not (spec.is_identifier or spec.kind in _MARKED_TOO):
        return _by_kind(spec, raw, ctx, context)
    # 101,102,103 in a code field is a list; thousands separators are no date's or word's
    undone = undo_artefacts(raw, thousands=not (spec.kind == "code" or spec.kind in _MARKED_TOO))
    cleaned = _by_kind(spec, undone.values, ctx, context)
    if undone.by_value:
        rows = [
            (value, found)
            for value, answer in undone.by_value.items()
            for found in artefact_findings(value, answer, spec.name, spec.label_zh, spec.label)
        ]
        cleaned.findings.append(_explode(spec, raw, rows))
        names = pl.DataFrame(
            [(value, artefact) for value, answer in undone.by_value.items() for artefact in answer.artefacts],
            schema={"key": pl.String, "artefact": pl.String},
            orient="row",
        )
        frame = pl.DataFrame({I: pl.int_range(0, raw.len(), dtype=pl.UInt32, eager=True), "key": raw.cast(pl.String)})
        cleaned.artefacts = frame.join(names, on="key", how="inner").select(I, "artefact")
    return cleaned


def _by_kind(spec: Field, raw: pl.Series, ctx: Context, context: pl.DataFrame | None) -> Cleaned:
    if spec.kind == "code":
        return _code(spec, raw, ctx, context)
    if spec.kind == "resident_id":
        return _validated(_resident_id(ctx.today))(spec, raw, ctx)
    return KINDS[spec.kind](spec, raw, ctx)


def output_columns(spec: Field) -> tuple[str, ...]:
    """The record columns a field of this kind produces, main one first."""
    if spec.kind == "phone":
        return (spec.name, f"{spec.name}_others")
    if spec.kind == "address":
        return (spec.name, *(f"{spec.name}_{part}" for part in ADDRESS_PARTS))
    if spec.kind == "code":
        return (spec.name, f"{spec.name}_source")
    return (spec.name,)
