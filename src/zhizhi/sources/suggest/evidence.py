"""The evidence a column gives for a field: its header (how well it names the field) and its values (what share
passes the field kind's check), and the confidence they make together (see the package docstring)."""

from __future__ import annotations

import re
from collections import Counter
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date, timedelta

from zhizhi.ingest.normalize import (
    normalize_phone_value,
    parse_date_value,
    parse_datetime_value,
    split_address_value,
)
from zhizhi.ingest.normalize.artefacts import undo_artefacts_value
from zhizhi.ingest.normalize.text import HAN, clean_text_value
from zhizhi.ingest.validate import (
    must_quarantine,
    validate_registration_number,
    validate_resident_id,
    validate_uscc,
)
from zhizhi.ingest.validate.identifiers import compact
from zhizhi.records import Field
from zhizhi.sources.suggest.days import day_doubt, names_a_quantity, opposite_ends
from zhizhi.sources.suggest.vocabulary import ORGANISATION_ENDINGS, ORGANISATION_SUFFIXES, ORGANISATION_WORDS, SURNAMES

FLOOR = 0.4
"""Pairs with a lower confidence are never mapped."""
CHECK_BELOW = 0.8
"""Mapped fields with a lower confidence are listed in the file's comments as to be checked."""
SECONDARY = 0.9
"""A header matching a field's secondary name counts this share of the same match with a synonym."""
NEIGHBOUR = 0.9
"""A header read after the header before it (电话 after 投诉人 as 投诉人电话) that names a field exactly so."""
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
    "datetime": 0.85,
    "address": 0.85,
    "enum": 0.8,
    "name": 0.6,
    "person": 0.55,
    "list": 0.45,
    "code": 0.35,
    "text": 0.1,
}
"""How much a value passing its kind's check says that the column holds that kind (the `s` of the formula)."""

SELF_IDENTIFYING = ("uscc", "reg_no", "resident_id", "date", "datetime", "phone", "address")
"""Checks that recognise a column by its values alone, whatever its header."""
COMPATIBLE = {"uscc": {"reg_no", "resident_id"}, "reg_no": {"uscc"}, "date": {"datetime"}, "datetime": {"date"}}
"""A credit-code column may also hold old registration numbers or, for individuals, ID numbers; a column of days is
also a column of moments written without a time, and the other way round."""

VALUE_CHECKS = {
    "uscc": "are valid credit codes",
    "reg_no": "are 15-digit registration numbers with a valid check digit",
    "resident_id": "are valid resident ID numbers",
    "date": "are dates within the field's bounds",
    "datetime": "are dates (with or without a time of day) within the field's bounds",
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
    "datetime": "dates in bounds",
    "phone": "phone numbers",
    "address": "addresses with a division",
    "code": "codes of 4-8 digits",
    "enum": "allowed values",
    "name": "organisation names",
    "person": "people's names",
    "list": "lists",
}
"""The same, short, as the evidence reads: "90% of 120 values are dates in bounds"."""

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
    secondary: bool = False  # what matched is one of the field's secondary names


NO_MATCH = HeaderMatch("none", 0.0)


@dataclass
class ColumnProfile:
    """A column's sample: its non-blank values (cleaned) and the share passing each field-independent check."""

    name: str
    values: list[str]
    rates: dict[str, float] = field(default_factory=dict)
    counts: Counter[str] = field(default_factory=Counter)
    dates: dict[str, date | None] = field(default_factory=dict)
    serial: bool = False  # the rows' serial numbers (序号, 编号 counting 1, 2, 3 ... down the file): no field's

    @property
    def blank(self) -> bool:
        return not self.values

    def examples(self, count: int = 3) -> tuple[str, ...]:
        return tuple(list(dict.fromkeys(self.values))[:count])


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
    return _normalised([*item.synonyms, item.label_zh, item.name, item.label, item.label.replace(" ", "_")])


def _normalised(names: list[str]) -> list[str]:
    return [n for n in dict.fromkeys("".join(re.split(r"[/／\\|]", normalise_header(x))) for x in names) if n]


def _words(text: str) -> set[str]:
    return set(_WORDS.findall(text.lower()))


def header_match(header: str, item: Field, before: str | None = None) -> HeaderMatch:
    """The best match between a header's variants and what the field may be called; a bare header (电话, 地址) is
    also read after the header `before` it, as whose it is: 投诉人, 电话 is 投诉人电话 (the caller's phone),
    被投诉方, 电话 is 被投诉方电话 (the respondent's)."""
    best = NO_MATCH
    joined = "".join(header_variants(before)[:1] + header_variants(header)[:1]) if before else ""
    if joined in field_names(item):
        best = HeaderMatch("neighbour", NEIGHBOUR, joined)
    for names, weight in ((field_names(item), 1.0), (_normalised(list(item.secondary)), SECONDARY)):
        for variant in header_variants(header):
            for name in names:
                found = _compare(variant, name)
                if weight * found.score > best.score:
                    best = HeaderMatch(found.kind, weight * found.score, found.synonym, secondary=weight < 1)
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
    if opposite_ends(variant, name):
        return NO_MATCH
    if variant.startswith("被") != name.startswith("被") and (name in variant or variant in name):
        return NO_MATCH  # 被检查人 is the inspected party, not the 检查人; 被投诉人 is not the 投诉人
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


def is_organisation(value: str) -> bool:
    """A firm's or organisation's name: an organisation word anywhere, a one-character ending like 行 or 部, or a
    farm's ending (养殖场, 果园, 基地)."""
    core = _BRACKETED.sub("", value) or value
    return (
        any(word in value for word in ORGANISATION_WORDS)
        or core[-1] in ORGANISATION_ENDINGS
        or core.endswith(ORGANISATION_SUFFIXES)
    )


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


_IDENTIFIER_CHECKS = frozenset({"uscc", "reg_no", "resident_id", "phone"})


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


def _day(value: str) -> date | None:
    """The day a value names, as a date or as a moment (2026年11月3日14时32分 is read as a moment only)."""
    day = parse_date_value(value)
    if day is None and (moment := parse_datetime_value(value)) is not None:
        day = date.fromisoformat(moment[:10])
    return day


def profile_column(name: str, values: list[str]) -> ColumnProfile:
    """The column's sample and the pass share of every check that does not depend on the field."""
    profile = ColumnProfile(name, values, counts=Counter(values))
    if not values:
        return profile
    profile.dates = {value: _day(value) for value in profile.counts}
    # Identifiers judged as the ingest reads them: `'9145...`, `="4502..."`, `13877212345.0` undone first.
    undone: Counter[str] = Counter()
    for value, count in profile.counts.items():
        undone[undo_artefacts_value(value).value or value] += count
    for kind, check in _CHECKS.items():
        profile.rates[kind] = _share(undone if kind in _IDENTIFIER_CHECKS else profile.counts, check)
    profile.rates["date"] = _share(profile.counts, lambda value: 0.0 if profile.dates[value] is None else 1.0)
    profile.rates["datetime"] = profile.rates["date"]  # the day is read the same way; a time of day may follow
    profile.rates["name"] *= _distinct_factor(values)
    profile.rates["person"] *= _distinct_factor(values)
    profile.rates["list"] = min(1.0, 2 * profile.rates["list"])
    profile.rates["code"] = _code_share(values)
    profile.serial = is_serial(values)
    return profile


def is_serial(values: list[str]) -> bool:
    """Whether a column counts the rows: small whole numbers, each one more than the one above (at least 9 in 10
    steps, a page restarting at 1 allowed), over at least three rows. A column headed 编号 holding 1, 2, 3 is no
    licence or inspection number: keyed by it, next month's export would overwrite this month's records."""
    if len(values) < 3 or not all(v.isascii() and v.isdigit() and len(v) <= 6 for v in values):
        return False
    numbers = [int(v) for v in values]
    steps = sum(1 for a, b in zip(numbers, numbers[1:], strict=False) if b == a + 1 or b == 1)
    return numbers[0] <= 1 + len(numbers) and steps >= 0.9 * (len(numbers) - 1)


def _bounds(item: Field, today: date) -> tuple[date, date]:
    """The dates a date field accepts, as the ingest checks them."""
    latest = date.max if item.max_future_days is None else today + timedelta(days=item.max_future_days)
    return item.earliest, latest


def value_rate(profile: ColumnProfile, item: Field, today: date) -> float | None:
    """The share of the column's values passing the field's check; None for a column with no values."""
    if profile.blank:
        return None
    if item.kind in ("date", "datetime"):
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
    if profile.serial:  # the rows' serial numbers are no field's values, however the column is headed
        return 0.0, 0.0
    if item.kind in ("date", "datetime") and names_a_quantity(profile.name):
        return 0.0, 0.0  # 注册资本（万元）: 20000 is money, not the Excel serial of a day in 1954
    rate = value_rate(profile, item, today)
    if rate is None:
        return round(BLANK_HEADER_WEIGHT * match.score, 3), None
    strength = STRENGTH[item.kind]
    evidence = 1 - (1 - match.score) * (1 - strength * rate)
    agreement = 1 - CONTRADICTION * strength * (1 - rate)
    own = {item.kind, *COMPATIBLE.get(item.kind, set())}
    foreign = max((profile.rates[kind] for kind in SELF_IDENTIFYING if kind not in own), default=0.0)
    other_day = day_doubt(profile.name, item, match)
    return round(evidence * agreement * (1 - FOREIGN * foreign) * (1 - other_day), 3), rate
