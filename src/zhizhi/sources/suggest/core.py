"""The suggestion itself: read a sample, score every record type's fields against every column, pick."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass, field, replace
from datetime import date
from pathlib import Path
from typing import Any

from zhizhi.errors import InputError
from zhizhi.ingest.columns import header_key
from zhizhi.ingest.normalize import split_address_value
from zhizhi.ingest.normalize.divisions import division_index
from zhizhi.ingest.read import ReadOptions
from zhizhi.records import RecordType, record_types
from zhizhi.records import record_type as get_record_type
from zhizhi.sources.config import FieldMapping, SourceConfig, source_path
from zhizhi.sources.suggest.assign import runners_up
from zhizhi.sources.suggest.days import another_day
from zhizhi.sources.suggest.evidence import (
    CHECK_BELOW,
    NO_MATCH,
    PASSED,
    UNKNOWN_DEPARTMENT,
    ColumnProfile,
    HeaderMatch,
    normalise_header,
)
from zhizhi.sources.suggest.fit import Fit, TypeScore
from zhizhi.sources.suggest.roles import ROLE_LABELS, field_role, person_role
from zhizhi.sources.suggest.sample import Repeated, Sample, read_sample
from zhizhi.sources.suggest.tables import main_table


@dataclass(frozen=True)
class RunnerUp:
    """A pair close behind a chosen one: the same field from another column, or the same column for another field."""

    field: str
    column: str
    confidence: float

    def __str__(self) -> str:
        return f"{self.field} <- {self.column} ({self.confidence:.2f})"


@dataclass(frozen=True)
class FieldEvidence:
    """Why a field was mapped to a column (or not): the header match, the value pass rate, the confidence, and the
    runners-up close behind."""

    field: str
    label_zh: str
    kind: str
    required: bool
    column: str | None
    confidence: float | None
    header: HeaderMatch = NO_MATCH
    value_rate: float | None = None
    values_checked: int = 0
    examples: tuple[str, ...] = ()
    runners_up: tuple[RunnerUp, ...] = ()
    value: str | None = None  # a constant read from the export's name or title, instead of a column

    @property
    def to_check(self) -> bool:
        """Whether the steward should check it: a confidence below CHECK_BELOW, or a runner-up close behind."""
        return self.confidence is not None and (self.confidence < CHECK_BELOW or bool(self.runners_up))

    def describe(self) -> str:
        """One line for people: the header match, what share of the values passed which check, the runners-up."""
        if self.value is not None:
            return f"the constant `{self.value}`, read from the file's name or title: confirm it"
        if self.column is None:
            return "required: no column found" if self.required else ""
        return self._evidence() + "".join(f"; runner-up {item}" for item in self.runners_up)

    def _evidence(self) -> str:
        header = {
            "exact": f"header = {self.header.synonym}",
            "contains": f"header ~ {self.header.synonym}",
            "overlap": f"header like {self.header.synonym}",
            "words": f"header words ~ {self.header.synonym}",
            "neighbour": f"header read after the column before it = {self.header.synonym}",
            "none": "header not recognised",
        }[self.header.kind] + (" (a secondary name)" if self.header.secondary else "")
        if self.value_rate is None:
            return f"{header}; no values in the sample"
        if self.kind == "text":
            return f"{header}; text, values not checked"
        return f"{header}; {self.value_rate:.0%} of {self.values_checked} values are {PASSED[self.kind]}"

    def as_dict(self) -> dict[str, Any]:
        return {
            "field": self.field,
            "label_zh": self.label_zh,
            "kind": self.kind,
            "required": self.required,
            "column": self.column,
            "value": self.value,
            "confidence": self.confidence,
            "header_match": self.header.kind,
            "header_score": round(self.header.score, 3),
            "matched": self.header.synonym,
            "value_rate": None if self.value_rate is None else round(self.value_rate, 3),
            "values_checked": self.values_checked,
            "examples": list(self.examples),
            "runners_up": [{"field": r.field, "column": r.column, "confidence": r.confidence} for r in self.runners_up],
            "evidence": self.describe(),
        }


@dataclass
class Suggestion:
    """A proposed source: the SourceConfig, the evidence for every field, and what the file has left over.

    `complete` is False when a required field has no column: `source` then is not valid (built unchecked) and the
    written file does not load until the steward maps the field.
    """

    file: Path
    source: SourceConfig
    complete: bool
    rows_sampled: int
    columns: list[str]
    fields: list[FieldEvidence]
    unmapped_columns: list[str]
    missing_required: list[str]
    record_types: list[TypeScore]
    title_row: str | None = None
    warnings: list[str] = field(default_factory=list)
    generated_on: date = field(default_factory=date.today)
    unmapped_reasons: dict[str, str] = field(default_factory=dict)
    constants: dict[str, str] = field(default_factory=dict)
    repeated: dict[str, Repeated] = field(default_factory=dict)

    @property
    def mapped(self) -> list[FieldEvidence]:
        return [item for item in self.fields if item.column is not None]

    @property
    def to_check(self) -> list[FieldEvidence]:
        """Mapped fields whose confidence is below CHECK_BELOW, or with a runner-up close behind."""
        return [item for item in self.mapped if item.to_check]

    def as_dict(self) -> dict[str, Any]:
        return {
            "name": self.source.name,
            "file": self.file.name,
            "record_type": self.source.record_type,
            "department": self.source.department,
            "complete": self.complete,
            "rows_sampled": self.rows_sampled,
            "columns": self.columns,
            "fields": [item.as_dict() for item in self.fields],
            "unmapped_columns": self.unmapped_columns,
            "unmapped_reasons": self.unmapped_reasons,
            "constants": self.constants,
            "repeated_columns": {first: item.as_dict() for first, item in self.repeated.items()},
            "missing_required": self.missing_required,
            "to_check": [item.field for item in self.to_check],
            "record_types": [
                {
                    "name": t.name,
                    "label_zh": t.label_zh,
                    "score": round(t.score, 3),
                    "mapped": t.mapped,
                    "required_mapped": t.required_mapped,
                    "required": t.required,
                }
                for t in self.record_types
            ],
            "warnings": self.warnings,
            "source": self.source.model_dump(mode="json", exclude_defaults=True),
        }


def suggest_source(
    path: Path,
    *,
    name: str,
    department: str | None = None,
    record_type: str | None = None,
    sample_rows: int = 2000,
    encoding: str | None = None,
    sheets: Iterable[str] = (),
    delimiter: str | None = None,
    today: date | None = None,
) -> Suggestion:
    """Read up to `sample_rows` rows of `path` and propose how its columns map to a record type's fields."""
    source_path(Path(), name)  # refuses a bad name before reading anything
    if sample_rows < 1:
        raise InputError(
            f"`sample_rows` must be at least 1, not {sample_rows}.",
            zh=f"`sample_rows` 至少为 1，不能是 {sample_rows}。",
        )
    today = today or date.today()
    candidates = _candidates(record_type)
    sheet_names = tuple(sheets)
    options = ReadOptions(encoding=encoding, sheets=sheet_names, delimiter=delimiter)
    table = main_table(read_sample(path, options, sample_rows), candidates, today)
    sample, profiles, fits = table.sample, table.profiles, table.fits
    best = fits[0]
    evidence = _evidence(best, profiles)
    missing = [f.name for f in best.kind.fields if f.required and f.name not in best.mapping]
    constants = named_constants(best.kind, missing, (path.name, sample.title_row or ""))
    missing = [name for name in missing if name not in constants]
    evidence = [
        replace(item, value=constants[item.field], confidence=CONSTANT_CONFIDENCE) if item.field in constants else item
        for item in evidence
    ]
    warnings: list[str] = []
    if department is None:
        warnings.append(
            f"department is the placeholder `{UNKNOWN_DEPARTMENT}`: set `department:` in the file to the code of "
            "the department that owns the data (see `zhizhi dept list`), or pass --department."
        )
    if missing:
        warnings.append(
            f"required field(s) {', '.join(missing)} of `{best.kind.name}` have no column: the file will not load "
            "until each is mapped to a column or given a constant (`FIELD: {value: ...}`)."
        )
    if not sheet_names:
        sheet_names = _main_sheets(sample, set(best.mapping.values()), warnings)
    mappings = {
        item.field: FieldMapping(column=_named(item.column, sample.repeated), confidence=item.confidence)
        for item in evidence
        if item.column is not None
    } | {name: FieldMapping(value=value, confidence=CONSTANT_CONFIDENCE) for name, value in constants.items()}
    values: dict[str, Any] = {
        "name": name,
        "title": (sample.title_row or path.stem)[:100],
        "department": department or UNKNOWN_DEPARTMENT,
        "record_type": best.kind.name,
        "encoding": encoding,
        "sheets": list(sheet_names),
        "delimiter": delimiter,
        "default_prefecture": _guess_prefecture(best, profiles),
        "fields": mappings,
    }
    values = {key: value for key, value in values.items() if value not in (None, [])}
    source = SourceConfig.model_construct(**values) if missing else SourceConfig.model_validate(values)
    mapped_columns = set(best.mapping.values())
    unmapped = [column for column in sample.columns if column not in mapped_columns]
    return Suggestion(
        file=path,
        source=source,
        complete=not missing,
        rows_sampled=sample.rows,
        columns=list(sample.columns),
        fields=evidence,
        unmapped_columns=unmapped,
        unmapped_reasons=_serial_reasons(profiles, unmapped)
        | _role_reasons(best.kind, unmapped)
        | _day_reasons(best, profiles, unmapped),
        missing_required=missing,
        constants=constants,
        record_types=[fit.score for fit in fits],
        title_row=sample.title_row,
        warnings=warnings,
        generated_on=today,
        repeated=sample.repeated,
    )


def _candidates(name: str | None) -> list[RecordType]:
    """The record type given, or every type; never one zhizhi writes itself (an answer, a report run), which is no
    department's export."""
    others = [kind for kind in record_types().values() if not kind.own]
    if name is None:
        return others
    kind = get_record_type(name)
    if kind.own:
        listed = ", ".join(sorted(other.name for other in others))
        raise InputError(
            f"Record type `{name}` ({kind.label_zh}) is written by zhizhi itself: no department's export maps to it. "
            f"Choose one of {listed}, or leave out --record-type for the best fit.",
            zh=f"记录类型 `{name}`（{kind.label_zh}）由智治自行写入，不能由部门导出文件映射；请改用 {listed}，"
            "或不指定 --record-type 以自动选择。",
        )
    return [kind]


def _named(column: str, repeated: dict[str, Repeated]) -> str:
    """A column as the source names it: the first of a repeated column whose copies differ as `电话_1`, since ingest
    refuses the bare name for such copies (which one it means is the source's to say)."""
    item = repeated.get(column)
    return f"{column}_1" if item is not None and item.differ else column


def _main_sheets(sample: Sample, mapped: set[str], warnings: list[str]) -> tuple[str, ...]:
    """The sheets the source should name: none when every other sheet shares no mapped column (ingest skips those
    as `other_table`); the main table's when another sheet has some of its columns, which would stop the ingest."""
    if not sample.others:
        return ()
    keys = {header_key(column) for column in mapped}
    overlapping = [s for s, header in sample.others.items() if keys & {header_key(column) for column in header}]
    listed = ", ".join(f"`{sheet}`" for sheet in sample.others)
    if not overlapping:
        warnings.append(
            f"sheet(s) {listed} hold another table (notes, codes): they share no column with this source, and "
            "`zhizhi ingest` skips their rows as `other_table`."
        )
        return ()
    warnings.append(
        f"sheet(s) {listed} hold another table, some sharing columns with this one: `sheets:` names the sheets of "
        "the main table, so that only those are read; add a sheet there when the export gains one."
    )
    return tuple(sample.sheets)


CONSTANT_CONFIDENCE = 0.7
"""A constant read from the export's name or title: likely, and always listed to be checked."""


def named_constants(kind: RecordType, missing: list[str], texts: Iterable[str]) -> dict[str, str]:
    """Required enum fields without a column whose value the export's file name or title names, alone: an export
    called `12315投诉举报导出.xlsx` holds tickets of the channel `12315`. A word of digits or letters counts only
    standing apart (`12345` is not found in `20261234567`); two values named leave the field to the steward."""
    found: dict[str, str] = {}
    for name in missing:
        item = kind.field(name)
        if item.kind != "enum":
            continue
        words = {v: v for v in item.values} | {label: v for v, label in item.values.items()} | dict(item.aliases)
        named = {
            value
            for word, value in words.items()
            for text in texts
            if re.search(rf"(?<![0-9A-Za-z]){re.escape(word)}(?![0-9A-Za-z])", text)
        }
        if len(named) == 1:
            found[name] = named.pop()
    return found


def _evidence(fit: Fit, profiles: list[ColumnProfile]) -> list[FieldEvidence]:
    by_name = {p.name: p for p in profiles}
    plain = {pair: value for pair, (value, _) in fit.scores.items()}
    exact = {pair for pair, match in fit.matches.items() if match.kind == "exact"}
    result = []
    for item in fit.kind.fields:
        column = fit.mapping.get(item.name)
        if column is None:
            result.append(FieldEvidence(item.name, item.label_zh, item.kind, item.required, None, None))
            continue
        score, rate = fit.scores[(item.name, column)]
        profile = by_name[column]
        close = runners_up(plain, fit.mapping, (item.name, column), exact)
        result.append(
            FieldEvidence(
                item.name,
                item.label_zh,
                item.kind,
                item.required,
                column,
                round(score, 2),
                fit.matches[(item.name, column)],
                rate,
                len(profile.values),
                profile.examples(),
                tuple(RunnerUp(other, col, round(value, 2)) for other, col, value in close),
            )
        )
    return result


def _serial_reasons(profiles: list[ColumnProfile], columns: list[str]) -> dict[str, str]:
    """Why a column of the rows' serial numbers stays unmapped."""
    serial = {p.name for p in profiles if p.serial}
    return {
        column: "the rows' serial numbers (1, 2, 3 ... down the file), not an identifier: keyed by them, the next "
        "export would overwrite these records (行序号，不是编号)"
        for column in columns
        if column in serial
    }


def _day_reasons(fit: Fit, profiles: list[ColumnProfile], columns: list[str]) -> dict[str, str]:
    """Why a column of days headed as another event's day (处罚决定日期 in a list read as `entity`) stays unmapped."""
    dates = [item for item in fit.kind.fields if item.kind in ("date", "datetime")]
    by_name = {profile.name: profile for profile in profiles}
    reasons: dict[str, str] = {}
    for column in columns:
        profile = by_name.get(column)
        if profile is None or profile.rates.get("date", 0.0) < 0.5 or not dates:
            continue
        if all(another_day(column, item, fit.matches[(item.name, column)]) for item in dates):
            names = ", ".join(f"{item.name} ({item.label_zh})" for item in dates)
            reasons[column] = (
                f"the days of something else: the header names none of `{fit.kind.name}`'s dates ({names}); map it "
                "by hand if it is one of them (表头所指的不是本类记录的日期)"
            )
    return reasons


def _role_reasons(kind: RecordType, columns: list[str]) -> dict[str, str]:
    """Why a column of people of another role stays unmapped: no person field of the record type has its role."""
    persons = [item for item in kind.fields if item.kind == "person"]
    reasons: dict[str, str] = {}
    for column in columns:
        role = person_role(normalise_header(column))
        if role is None or not persons or any(field_role(item) == role for item in persons):
            continue
        fields = ", ".join(f"{item.name} ({ROLE_LABELS.get(field_role(item) or '', item.label_zh)})"
                           for item in persons)  # fmt: skip
        reasons[column] = (
            f"people of another role ({ROLE_LABELS[role]}): a person column is mapped only to a field of the same "
            f"role, and `{kind.name}` has none (its person field: {fields})"
        )
    return reasons


def _guess_prefecture(fit: Fit, profiles: list[ColumnProfile]) -> str | None:
    """The prefecture most addresses name, when at least 60% of those naming one agree: it resolves 城中区 alone.
    The addresses of every mapped field of the address kind count (a ticket's respondent's address and place)."""
    columns = {column for name, column in fit.mapping.items() if fit.kind.field(name).kind == "address"}
    values = [value for profile in profiles if profile.name in columns for value in profile.values]
    index = division_index()
    found: Counter[str] = Counter()
    for value, count in Counter(values).items():
        code = split_address_value(value).division_code
        division = index.divisions.get(code) if code else None
        if division is not None and division.prefecture_code:
            found[division.prefecture_code] += count
    if not found:
        return None
    code, count = found.most_common(1)[0]
    prefecture = index.divisions.get(code)
    if count < 5 or count < 0.6 * sum(found.values()) or prefecture is None or prefecture.level != "prefecture":
        return None
    return code
