"""`zhizhi sources suggest`: read an export never seen before and propose its source file, with a confidence per field.

How a column is matched to a field (docs/sources.md has the same with examples):

1. Header evidence `H` (0..1). The header is normalised: full-width to half-width, spaces, `*` and `:` dropped,
   bracketed remarks dropped (`企业名称（必填）` -> `企业名称`), a duplicate's `_2` dropped, lower case; a merged
   header `许可证/编号` is tried whole (`许可证编号`) and by its last part (`编号`). It is compared with the field's
   synonyms, its Chinese label, its name and English label, normalised the same way:
   exact = 1.0; a synonym inside the header = 0.5 + 0.4 r; the header inside a synonym = 0.45 + 0.4 r (r: the
   shorter's length over the longer's; the shorter at least 2 Chinese characters or 3 letters); else shared
   Chinese characters (Dice coefficient d >= 0.5) = 0.45 d; English words shared with the field's name and label
   (`corp_name` ~ `name`) = 0.5 j (Jaccard j). The best variant counts.
2. Value evidence `V` (0..1): the share of the sample's non-blank values that pass the check of the field's kind
   (see `VALUE_CHECKS`); `s` is how much a pass says about the column (`STRENGTH`).
3. confidence = E x A x F, where
   E = 1 - (1 - H)(1 - s V)      header and values are two independent witnesses (noisy OR);
   A = 1 - 0.6 s (1 - V)         values that fail the check argue against the header;
   F = 1 - 0.7 P                 P: the largest pass share of a self-identifying check (credit code, registration
                                 number, ID number, date, phone, address) that is not the field's own kind: a
                                 column of dates is not a `text` field, whatever its header says.
   A column with no value in the sample has confidence 0.8 H: the header alone is never certain.
   So a column of valid credit codes is the credit code even under `字段3` (0.95), an exact header with values that
   pass is 1.0, and an exact header over values that all fail drops to about 0.4.
4. Pairs below `FLOOR` (0.4) are never mapped. Columns go to fields one to one: greedily by confidence (ties: the
   field's then the column's order), then improved by swaps while the total confidence grows.
5. The record type, when not given: the one with the highest score = total confidence of its mapped fields
   + the confidence of its mapped required fields again - 1 per required field left without a column.
"""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import yaml

from zhizhi.errors import ConflictError, InputError
from zhizhi.ingest.normalize import normalize_phone_value, parse_date_value, split_address_value
from zhizhi.ingest.normalize.divisions import division_index
from zhizhi.ingest.normalize.text import HAN, clean_text_value
from zhizhi.ingest.read import ERROR, ROW, ReadOptions, open_file
from zhizhi.ingest.validate import (
    must_quarantine,
    validate_registration_number,
    validate_resident_id,
    validate_uscc,
)
from zhizhi.ingest.validate.identifiers import compact
from zhizhi.records import Field, RecordType, record_types
from zhizhi.records import record_type as get_record_type
from zhizhi.sources.config import SOURCES_FOLDER, FieldMapping, SourceConfig, dump_source, parse_source, source_path

FLOOR = 0.4
"""Pairs with a lower confidence are never mapped."""
CHECK_BELOW = 0.8
"""Mapped fields with a lower confidence are listed in the file's comments as to be checked."""
UNKNOWN_DEPARTMENT = "UNKNOWN"
BLANK_HEADER_WEIGHT = 0.8
CONTRADICTION = 0.6
FOREIGN = 0.7

STRENGTH: dict[str, float] = {
    "uscc": 0.95,
    "resident_id": 0.95,
    "reg_no": 0.9,
    "phone": 0.9,
    "date": 0.85,
    "address": 0.85,
    "enum": 0.8,
    "name": 0.6,
    "person": 0.55,
    "list": 0.45,
    "code": 0.35,
    "text": 0.1,
}
"""How much a value passing its kind's check says that the column holds that kind (the `s` of the formula)."""

SELF_IDENTIFYING = ("uscc", "reg_no", "resident_id", "date", "phone", "address")
"""Checks that recognise a column by its values alone, whatever its header."""
COMPATIBLE = {"uscc": {"reg_no", "resident_id"}, "reg_no": {"uscc"}}
"""A credit-code column may also hold old registration numbers or, for individuals, ID numbers."""

VALUE_CHECKS = {
    "uscc": "are valid credit codes",
    "reg_no": "are 15-digit registration numbers with a valid check digit",
    "resident_id": "are valid resident ID numbers",
    "date": "are dates within the field's bounds",
    "phone": "are mobile or landline numbers",
    "address": "start with a division (a street address without one counts half)",
    "code": "are codes of 4-8 digits, of the column's usual lengths",
    "enum": "are the field's values or their aliases",
    "name": "are organisations' names (公司, 店, 厂, 中心, 合作社 ...), mostly distinct",
    "person": "are people's names (2-4 Chinese characters, a common surname), mostly distinct",
    "list": "are lists separated by 、 , ; (counted twice)",
    "text": "are text (a weak prior: any value passes)",
}
"""What a value must be to pass each kind's check."""
PASSED = {
    "uscc": "valid credit codes",
    "reg_no": "registration numbers",
    "resident_id": "ID numbers",
    "date": "dates in bounds",
    "phone": "phone numbers",
    "address": "addresses with a division",
    "code": "codes of 4-8 digits",
    "enum": "allowed values",
    "name": "organisation names",
    "person": "people's names",
    "list": "lists",
}
"""The same, short, as the evidence reads: "90% of 120 values are dates in bounds"."""

ORGANISATION_WORDS = (
    "公司",
    "合作社",
    "经营部",
    "个体",
    "中心",
    "商行",
    "门市",
    "超市",
    "药房",
    "药店",
    "饭店",
    "酒店",
    "酒楼",
    "餐厅",
    "餐馆",
    "工作室",
    "事务所",
    "诊所",
    "医院",
    "学校",
    "幼儿园",
    "协会",
    "商会",
    "集团",
    "分店",
    "店",
    "厂",
    "馆",
)
ORGANISATION_ENDINGS = "行部社站院所局坊铺吧厅"
SURNAMES = set(
    "王李张刘陈杨黄赵吴周徐孙马朱胡郭何高林罗郑梁谢宋唐许韩冯邓曹彭曾肖田董袁潘于蒋蔡余杜叶程苏魏吕丁任沈姚卢姜崔"
    "钟谭陆汪范金石廖贾夏韦付傅方白邹孟熊秦邱江尹薛闫段雷侯龙史陶黎贺顾毛郝龚邵万钱严覃武戴莫孔向汤常温康施文牛"
    "樊葛邢安齐易乔伍庞颜倪庄聂章鲁岳翟殷詹申欧耿关兰焦俞左柳甘祝包宁尚符舒阮柯纪梅童凌毕单季裴霍涂成苗谷盛曲翁"
    "冉骆蓝路游辛靳管柴蒙鲍华喻祁蒲房滕屈饶解牟艾尤阳时穆农司卓古吉缪简车项连芦麦褚娄窦戚岑景党宫费卜冷晏席卫米"
    "柏宗瞿桂全佟应臧闵苟邬边卞姬师和仇栾隋商刁沙荣巫寇桑郎甄丛仲虞敖巩明佘池查麻苑迟邝黄"
)
_PERSON = re.compile(f"^[{HAN}]{{2,4}}$")
_LIST_SEPARATORS = re.compile(r"[、,，;；\n]")
_STREET = re.compile(r"(路|街|道|巷|弄|村|镇|乡|大厦|广场|小区)[^,，;；]*[0-9]+(号|栋|幢|楼|室)|[0-9]+号")
_BRACKETED = re.compile(r"[(\[【〔（][^()\[\]【】〔〕（）]*[)\]】〕）]")
_HEADER_NOISE = re.compile(r"[\s*※:：#]+")
_DUPLICATE = re.compile(r"_[0-9]+$")
_GENERATED = re.compile(r"^column_[0-9]+$")
_WORDS = re.compile(r"[a-z]+")
_HAN_CHAR = re.compile(f"[{HAN}]")


@dataclass(frozen=True)
class HeaderMatch:
    """How well a header names a field: `kind` exact / contains / overlap / words / none, its score, what matched."""

    kind: str
    score: float
    synonym: str | None = None


NO_MATCH = HeaderMatch("none", 0.0)


@dataclass
class ColumnProfile:
    """A column's sample: its non-blank values (cleaned) and the share passing each field-independent check."""

    name: str
    values: list[str]
    rates: dict[str, float] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    dates: dict[str, date | None] = field(default_factory=dict)

    @property
    def blank(self) -> bool:
        return not self.values

    def examples(self, count: int = 3) -> tuple[str, ...]:
        return tuple(list(dict.fromkeys(self.values))[:count])


@dataclass(frozen=True)
class FieldEvidence:
    """Why a field was mapped to a column (or not): the header match, the value pass rate, the confidence."""

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

    def describe(self) -> str:
        """One line for people: the header match and what share of the values passed which check."""
        if self.column is None:
            return "required: no column found" if self.required else ""
        header = {
            "exact": f"header = {self.header.synonym}",
            "contains": f"header ~ {self.header.synonym}",
            "overlap": f"header like {self.header.synonym}",
            "words": f"header words ~ {self.header.synonym}",
            "none": "header not recognised",
        }[self.header.kind]
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
            "confidence": self.confidence,
            "header_match": self.header.kind,
            "header_score": round(self.header.score, 3),
            "matched": self.header.synonym,
            "value_rate": None if self.value_rate is None else round(self.value_rate, 3),
            "values_checked": self.values_checked,
            "examples": list(self.examples),
            "evidence": self.describe(),
        }


@dataclass(frozen=True)
class TypeScore:
    """How well a record type fits the file (see the module docstring for the score)."""

    name: str
    label_zh: str
    score: float
    mapped: int
    required_mapped: int
    required: int


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

    @property
    def mapped(self) -> list[FieldEvidence]:
        return [item for item in self.fields if item.column is not None]

    @property
    def to_check(self) -> list[FieldEvidence]:
        """Mapped fields whose confidence is below CHECK_BELOW."""
        return [item for item in self.mapped if (item.confidence or 0) < CHECK_BELOW]

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


# --- reading the sample -------------------------------------------------------------------------------------------


@dataclass
class Sample:
    columns: dict[str, list[str]]
    rows: int
    title_row: str | None


def read_sample(path: Path, options: ReadOptions, sample_rows: int) -> Sample:
    """Up to `sample_rows` data rows, each column's non-blank values cleaned; the first title row above the header."""
    reading = open_file(path, options)
    columns: dict[str, list[str]] = {}
    rows = 0
    try:
        for chunk in reading.chunks:
            frame = chunk.frame.head(max(sample_rows - rows, 0))
            for name in frame.columns:
                if name in (ROW, ERROR):
                    continue
                cleaned = (clean_text_value(value) for value in frame[name].to_list())
                columns.setdefault(name, []).extend(value for value in cleaned if value is not None)
            rows += frame.height
            if rows >= sample_rows:
                break
    finally:
        close = getattr(reading.chunks, "close", None)
        if callable(close):
            close()
    for names in reading.headers.values():  # headers of sheets with no data rows count too
        for name in names:
            columns.setdefault(name, [])
    if not columns:
        raise InputError(
            f"File `{path.name}` has no header row that zhizhi could find: nothing to suggest a source from.",
            zh=f"文件 `{path.name}` 中找不到表头，无法生成数据源。",
        )
    title = next((skip.text for skip in reading.skipped if skip.reason == "title_row" and skip.text), None)
    return Sample(columns, rows, title)


# --- header evidence ----------------------------------------------------------------------------------------------


def normalise_header(text: str) -> str:
    """A header or synonym as compared: half-width, no spaces or `*`, no bracketed remark, lower case."""
    cleaned = clean_text_value(text) or ""
    cleaned = _DUPLICATE.sub("", cleaned) if not _GENERATED.match(cleaned) else ""
    stripped = _BRACKETED.sub("", cleaned)
    if not _HEADER_NOISE.sub("", stripped):  # the whole header was a remark: keep its words
        stripped = re.sub(r"[()\[\]【】〔〕（）]", "", cleaned)
    return _HEADER_NOISE.sub("", stripped).lower()


def header_variants(header: str) -> list[str]:
    """The forms of a header compared with synonyms: whole (merged parts joined) and, if merged, its last part."""
    whole = normalise_header(header)
    parts = [part for part in re.split(r"[/／\\|]", whole) if part]
    variants = ["".join(parts)]
    if len(parts) > 1:
        variants.append(parts[-1])
    return [v for v in dict.fromkeys(variants) if v]


def field_names(item: Field) -> list[str]:
    """What a header may call a field: its synonyms, its Chinese label, its name and English label."""
    names = [*item.synonyms, item.label_zh, item.name, item.label, item.label.replace(" ", "_")]
    return [n for n in dict.fromkeys("".join(re.split(r"[/／\\|]", normalise_header(x))) for x in names) if n]


def _words(text: str) -> set[str]:
    return set(_WORDS.findall(text.lower()))


def header_match(header: str, item: Field) -> HeaderMatch:
    """The best match between a header's variants and what the field may be called."""
    best = NO_MATCH
    names = field_names(item)
    for variant in header_variants(header):
        for name in names:
            found = _compare(variant, name)
            if found.score > best.score:
                best = found
    words = _words(header)
    field_words = _words(item.name.replace("_", " ") + " " + item.label)
    if words and field_words and not _HAN_CHAR.search(header):
        shared = len(words & field_words) / len(words | field_words)
        if 0.5 * shared > best.score:
            best = HeaderMatch("words", 0.5 * shared, " ".join(sorted(words & field_words)))
    return best


def _compare(variant: str, name: str) -> HeaderMatch:
    if variant == name:
        return HeaderMatch("exact", 1.0, name)
    shorter, longer = sorted((variant, name), key=len)
    if len(shorter) >= (2 if _HAN_CHAR.search(shorter) else 3) and shorter in longer:
        ratio = len(shorter) / len(longer)
        return HeaderMatch("contains", (0.5 if name in variant else 0.45) + 0.4 * ratio, name)
    if not (_HAN_CHAR.search(variant) and _HAN_CHAR.search(name)):
        return NO_MATCH
    a, b = set(variant), set(name)
    dice = 2 * len(a & b) / (len(a) + len(b))
    if dice >= 0.5:
        return HeaderMatch("overlap", 0.45 * dice, name)
    return NO_MATCH


# --- value evidence -----------------------------------------------------------------------------------------------


def is_organisation(value: str) -> bool:
    """A firm's or organisation's name: an organisation word anywhere, or a one-character ending like 行 or 部."""
    core = _BRACKETED.sub("", value) or value
    return any(word in value for word in ORGANISATION_WORDS) or core[-1] in ORGANISATION_ENDINGS


def _address_pass(value: str) -> float:
    if is_organisation(value):
        return 0.0
    if split_address_value(value).match not in (None, "none"):
        return 1.0
    return 0.5 if _STREET.search(value) else 0.0


def _phone_pass(value: str) -> float:
    return 1.0 if normalize_phone_value(value).phone is not None else 0.0


def _uscc_pass(value: str) -> float:
    code = compact(value)
    return 1.0 if len(code) == 18 and not must_quarantine(validate_uscc(code).findings) else 0.0


def _reg_no_pass(value: str) -> float:
    number = compact(value)
    return 1.0 if len(number) == 15 and not validate_registration_number(number).findings else 0.0


def _resident_id_pass(value: str) -> float:
    number = compact(value)
    return 1.0 if len(number) in (15, 18) and not validate_resident_id(number).findings else 0.0


def _person_pass(value: str) -> float:
    return 1.0 if _PERSON.match(value) and value[0] in SURNAMES else 0.0


def _list_pass(value: str) -> float:
    items = [item.strip() for item in _LIST_SEPARATORS.split(value) if item.strip()]
    return 1.0 if len(items) >= 2 and all(len(item) <= 30 for item in items) else 0.0


_CHECKS: dict[str, Callable[[str], float]] = {
    "uscc": _uscc_pass,
    "reg_no": _reg_no_pass,
    "resident_id": _resident_id_pass,
    "phone": _phone_pass,
    "address": _address_pass,
    "name": lambda value: 1.0 if is_organisation(value) else 0.0,
    "person": _person_pass,
    "list": _list_pass,
    "text": lambda value: 1.0,
}


def _share(counts: Counter[str], check: Callable[[str], float]) -> float:
    """The share of the values (counted) passing `check`, each distinct value checked once."""
    return sum(check(value) * count for value, count in counts.items()) / counts.total()


def _distinct_factor(values: list[str]) -> float:
    """Names of firms and people are mostly distinct; a column of a few repeated values is something else."""
    if len(values) < 20:
        return 1.0
    return min(1.0, 0.4 + len(set(values)) / len(values))


def _code_share(values: list[str]) -> float:
    digits = [v for v in values if v.isascii() and v.isdigit() and 4 <= len(v) <= 8]
    if not digits:
        return 0.0
    usual = {length for length, _ in Counter(len(v) for v in digits).most_common(2)}
    return sum(1 for v in digits if len(v) in usual) / len(values)


def profile_column(name: str, values: list[str]) -> ColumnProfile:
    """The column's sample and the pass share of every check that does not depend on the field."""
    profile = ColumnProfile(name, values, counts=Counter(values))
    if not values:
        return profile
    profile.dates = {value: parse_date_value(value) for value in profile.counts}
    for kind, check in _CHECKS.items():
        profile.rates[kind] = _share(profile.counts, check)
    profile.rates["date"] = _share(profile.counts, lambda value: 0.0 if profile.dates[value] is None else 1.0)
    profile.rates["name"] *= _distinct_factor(values)
    profile.rates["person"] *= _distinct_factor(values)
    profile.rates["list"] = min(1.0, 2 * profile.rates["list"])
    profile.rates["code"] = _code_share(values)
    return profile


def _bounds(item: Field, today: date) -> tuple[date, date]:
    """The dates a date field accepts, as the ingest checks them."""
    latest = date.max if item.max_future_days is None else today + timedelta(days=item.max_future_days)
    return item.earliest, latest


def value_rate(profile: ColumnProfile, item: Field, today: date) -> float | None:
    """The share of the column's values passing the field's check; None for a column with no values."""
    if profile.blank:
        return None
    if item.kind == "date":
        earliest, latest = _bounds(item, today)

        def within(value: str) -> float:
            parsed = profile.dates[value]
            return 1.0 if parsed is not None and earliest <= parsed <= latest else 0.0

        return _share(profile.counts, within)
    if item.kind == "enum":
        allowed = {
            (clean_text_value(word) or "").lower() for word in [*item.values, *item.values.values(), *item.aliases]
        }
        return _share(profile.counts, lambda value: 1.0 if value.lower() in allowed else 0.0)
    return profile.rates[item.kind]


def confidence(profile: ColumnProfile, match: HeaderMatch, item: Field, today: date) -> tuple[float, float | None]:
    """The pair's confidence (see the module docstring) and the value pass rate it used."""
    rate = value_rate(profile, item, today)
    if rate is None:
        return round(BLANK_HEADER_WEIGHT * match.score, 3), None
    strength = STRENGTH[item.kind]
    evidence = 1 - (1 - match.score) * (1 - strength * rate)
    agreement = 1 - CONTRADICTION * strength * (1 - rate)
    own = {item.kind, *COMPATIBLE.get(item.kind, set())}
    foreign = max((profile.rates[kind] for kind in SELF_IDENTIFYING if kind not in own), default=0.0)
    return round(evidence * agreement * (1 - FOREIGN * foreign), 3), rate


# --- assignment ---------------------------------------------------------------------------------------------------


def assign(scores: dict[tuple[str, str], float], fields: Sequence[str], columns: Sequence[str]) -> dict[str, str]:
    """Field -> column, one to one, no pair below FLOOR: greedy by confidence, then swaps that raise the total."""
    field_order = {name: i for i, name in enumerate(fields)}
    column_order = {name: i for i, name in enumerate(columns)}
    pairs = sorted(
        (pair for pair, score in scores.items() if score >= FLOOR),
        key=lambda pair: (-scores[pair], field_order[pair[0]], column_order[pair[1]]),
    )
    chosen: dict[str, str] = {}
    taken: set[str] = set()
    for name, column in pairs:
        if name not in chosen and column not in taken:
            chosen[name] = column
            taken.add(column)

    def score(name: str, column: str) -> float:
        value = scores.get((name, column), 0.0)
        return value if value >= FLOOR else float("-inf")

    improved = True
    while improved:
        improved = False
        for first, second in [(a, b) for a in list(chosen) for b in list(chosen) if a != b]:
            now = score(first, chosen[first]) + score(second, chosen[second])
            if score(first, chosen[second]) + score(second, chosen[first]) > now + 1e-9:
                chosen[first], chosen[second] = chosen[second], chosen[first]
                improved = True
        free_fields = [name for name in fields if name not in chosen]
        free_columns = [column for column in columns if column not in taken]
        for name in list(chosen):
            for other in free_fields:
                for column in free_columns:
                    current = chosen[name]
                    gain = score(name, column) + score(other, current) - score(name, current)
                    if other not in chosen and column not in taken and gain > 1e-9:
                        chosen[name], chosen[other] = column, current
                        taken.add(column)
                        improved = True
    return chosen


# --- the suggestion -----------------------------------------------------------------------------------------------


@dataclass
class _Fit:
    kind: RecordType
    mapping: dict[str, str]
    scores: dict[tuple[str, str], tuple[float, float | None]]
    matches: dict[tuple[str, str], HeaderMatch]

    @property
    def score(self) -> TypeScore:
        total = sum(self.scores[(name, column)][0] for name, column in self.mapping.items())
        required = [f.name for f in self.kind.fields if f.required]
        covered = [name for name in required if name in self.mapping]
        bonus = sum(self.scores[(name, self.mapping[name])][0] for name in covered)
        return TypeScore(
            self.kind.name,
            self.kind.label_zh,
            total + bonus - (len(required) - len(covered)),
            len(self.mapping),
            len(covered),
            len(required),
        )


def _fit(kind: RecordType, profiles: list[ColumnProfile], today: date) -> _Fit:
    scores: dict[tuple[str, str], tuple[float, float | None]] = {}
    matches: dict[tuple[str, str], HeaderMatch] = {}
    for item in kind.fields:
        for profile in profiles:
            match = header_match(profile.name, item)
            matches[(item.name, profile.name)] = match
            scores[(item.name, profile.name)] = confidence(profile, match, item, today)
    plain = {pair: value for pair, (value, _) in scores.items()}
    mapping = assign(plain, kind.field_names, [p.name for p in profiles])
    return _Fit(kind, mapping, scores, matches)


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
        raise InputError(f"`sample_rows` must be at least 1, not {sample_rows}.")
    today = today or date.today()
    candidates = [get_record_type(record_type)] if record_type else list(record_types().values())
    sheet_names = tuple(sheets)
    options = ReadOptions(encoding=encoding, sheets=sheet_names, delimiter=delimiter)
    sample = read_sample(path, options, sample_rows)
    profiles = [profile_column(column, values) for column, values in sample.columns.items()]
    fits = sorted(
        (_fit(kind, profiles, today) for kind in candidates),
        key=lambda fit: (-fit.score.score, fit.kind.name),
    )
    best = fits[0]
    evidence = _evidence(best, profiles)
    missing = [f.name for f in best.kind.fields if f.required and f.name not in best.mapping]
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
    mappings = {
        item.field: FieldMapping(column=item.column, confidence=item.confidence)
        for item in evidence
        if item.column is not None
    }
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
    return Suggestion(
        file=path,
        source=source,
        complete=not missing,
        rows_sampled=sample.rows,
        columns=list(sample.columns),
        fields=evidence,
        unmapped_columns=[column for column in sample.columns if column not in mapped_columns],
        missing_required=missing,
        record_types=[fit.score for fit in fits],
        title_row=sample.title_row,
        warnings=warnings,
        generated_on=today,
    )


def _evidence(fit: _Fit, profiles: list[ColumnProfile]) -> list[FieldEvidence]:
    by_name = {p.name: p for p in profiles}
    result = []
    for item in fit.kind.fields:
        column = fit.mapping.get(item.name)
        if column is None:
            result.append(FieldEvidence(item.name, item.label_zh, item.kind, item.required, None, None))
            continue
        score, rate = fit.scores[(item.name, column)]
        profile = by_name[column]
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
            )
        )
    return result


def _guess_prefecture(fit: _Fit, profiles: list[ColumnProfile]) -> str | None:
    """The prefecture most addresses name, when at least 60% of those naming one agree: it resolves 城中区 alone."""
    column = fit.mapping.get("address")
    if column is None or "address" not in fit.kind.field_names:
        return None
    values = next(p.values for p in profiles if p.name == column)
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


# --- writing ------------------------------------------------------------------------------------------------------


def render_suggestion(suggestion: Suggestion) -> str:
    """The YAML text of the suggested source, with a comment block saying where it came from and what to check."""
    source = suggestion.source
    kind = source.kind
    lines = [
        f"# Generated by `zhizhi sources suggest` from {suggestion.file.name} on {suggestion.generated_on.isoformat()}"
        f" ({suggestion.rows_sampled} rows sampled).",
        f"# Record type: {kind.name} ({kind.label_zh}), score {suggestion.record_types[0].score:.2f}"
        + (
            "; next best: " + ", ".join(f"{t.name} ({t.score:.2f})" for t in suggestion.record_types[1:3])
            if len(suggestion.record_types) > 1
            else ""
        )
        + ".",
        "# `confidence` is how sure the suggestion is of each field (0..1). Check before the first ingest:",
    ]
    check = [f"{item.field} <- {item.column} ({item.confidence:.2f})" for item in suggestion.to_check]
    lines.append(f"#   fields with confidence < {CHECK_BELOW}: " + (", ".join(check) if check else "none"))
    codes = [item.field for item in suggestion.mapped if item.kind == "code"]
    if codes:
        lines.append(
            f"#   code field(s) {', '.join(codes)}: confirm the code list the source's codes are in and set "
            "`code_list:` when it is not the field's own list"
        )
    if source.department == UNKNOWN_DEPARTMENT:
        lines.append(f"#   department: `{UNKNOWN_DEPARTMENT}` is a placeholder: set the owning department's code")
    if source.default_prefecture:
        lines.append(f"#   default_prefecture: guessed from the addresses ({source.default_prefecture}): confirm it")
    lines.append("# Columns not mapped: " + (", ".join(suggestion.unmapped_columns) or "none"))
    if suggestion.missing_required:
        lines.append(
            "# REQUIRED fields with no column: "
            + ", ".join(suggestion.missing_required)
            + ". The file does not load until each is mapped (see the end of `fields`)."
        )
    body = dump_source(source)
    if not source.fields:
        body = body.replace("fields: {}\n", "fields:\n")
    for name in suggestion.missing_required:
        body += (
            f"  # {name}: REQUIRED ({kind.field(name).label_zh}), no column found: map a column "
            f"(`{name}: 列名`) or give a constant (`{name}: {{value: ...}}`)\n"
        )
    return "\n".join(lines) + "\n" + body


def write_suggestion(root: Path, suggestion: Suggestion, *, force: bool = False) -> Path:
    """Write `sources/NAME.yaml` in the workspace at `root`; an existing file is replaced only with `force`."""
    path = source_path(root, suggestion.source.name)
    relative = f"{SOURCES_FOLDER}/{path.name}"
    if path.exists() and not force:
        raise ConflictError(
            f"Source `{suggestion.source.name}` already exists (`{relative}`): nothing was written. Pass --force to "
            "replace it, or choose another --name.",
            zh=f"数据源 `{suggestion.source.name}` 已存在，未写入；如需覆盖请加 --force，或换一个名称。",
        )
    text = render_suggestion(suggestion)
    if suggestion.complete:
        parse_source(text, relative)  # what is written must load: a failure here is a bug, not the user's
    else:
        yaml.safe_load(text)
    path.parent.mkdir(parents=True, exist_ok=True)
    path.write_text(text, encoding="utf-8")
    return path
