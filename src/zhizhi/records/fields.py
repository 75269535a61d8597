"""What a record type is made of: fields of a few kinds, each kind with one way to clean and check its values.

A field's kind decides everything the pipeline does with it, so a new record type needs no pipeline change:
| kind | clean value | checks (reason codes) |
| --- | --- | --- |
| `text` | text cleaned (half-width, single spaces); a `prose` field's words kept as written | length |
| `name` | a firm's name, brackets and spaces unified | length |
| `person` | a person's name, cleaned text | length |
| `uscc` | the 18-character Unified Social Credit Code, upper case | `uscc.*` |
| `reg_no` | the old 15-digit registration number | `reg_no.*` |
| `resident_id` | an 18-digit resident ID number (15-digit ones upgraded) | `resident_id.*` |
| `date` | ISO date | `date.*` |
| `datetime` | ISO moment to the second (`2021-07-08T14:30:00`); the day alone when no time is written | `date.*` |
| `phone` | one phone number (mobile or landline with area code), others kept | `phone.*` (soft) |
| `address` | the address; its division code, province, city, county and street part beside it | none |
| `code` | a code in the field's code list, translated from the source's list | `code.*` |
| `enum` | one of the field's allowed values | `value.not_allowed` |
| `list` | a list of items split on 、,，;； and newlines | length of each item |

Identifier fields (credit codes, registration and ID numbers, codes, phones, and text fields flagged
`identifier=True` such as licence numbers) also have spreadsheet artefacts undone before their kind's checks
(`zhizhi.ingest.normalize.artefacts`).

A `text` field flagged `prose=True` holds what a person wrote (a complaint, a handler's answer, an inspector's
notes): its words are kept as written, full-width punctuation and line breaks too (`clean_prose`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Literal, get_args

Kind = Literal[
    "text",
    "name",
    "person",
    "uscc",
    "reg_no",
    "resident_id",
    "date",
    "datetime",
    "phone",
    "address",
    "code",
    "enum",
    "list",
]
KINDS: tuple[Kind, ...] = get_args(Kind)
IDENTIFIER_KINDS: frozenset[Kind] = frozenset({"uscc", "reg_no", "resident_id", "code", "phone"})
"""Kinds whose values are identifiers or codes: strings of digits and letters that spreadsheets mistake for numbers."""


@dataclass(frozen=True)
class Field:
    """One field of a record type.

    `synonyms` are header names departments use for it (for `sources suggest`); `code_list` is the list a `code`
    field is kept in; `values` the allowed values of an `enum` (value -> Chinese label) and `aliases` other
    words for them (word -> value); `earliest` and `max_future_days` bound a `date` or `datetime` field (0: not
    after the day of ingest; None: no upper bound). `privacy` classifies the field in the personal-data catalogue
    (`zhizhi.privacy`): a category such as `person_address` or `biometric`, or `none` for a field that is not
    personal; unset, the field's kind decides (an ID number, a person's name and a phone are personal).
    `identifier` says the field holds an identifier (a licence or equipment number in a `text` field), whose
    spreadsheet artefacts are undone at ingest; unset, the kind decides (`IDENTIFIER_KINDS`). `soft` makes every
    finding on the field soft: for a value the record does not stand on (a hotline respondent's credit code, as a
    caller or an operator typed it), whose failing check must not hold the record back. `capitals` keeps an
    identifier's Latin letters in capitals (a licence number `jy1450...` typed by hand is the licence `JY1450...`);
    unset for an identifier whose case is its own (a report's name). `prose` marks a `text` field as free text a
    person wrote (a complaint, a handler's answer, an inspector's notes): its words are kept as written, with their
    full-width punctuation and line breaks (only invisible characters out, line breaks as LF, the ends trimmed),
    where other text is folded to half-width and single spaces for matching.

    `secondary` are header names that name the field less surely than its synonyms (派单时间 is later than the
    receipt; 使用登记证编号 is another document's number than the 设备注册代码): beside a column under a synonym,
    a column under one is the runner-up only.
    """

    name: str
    kind: Kind
    label_zh: str
    label: str
    required: bool = False
    max_length: int = 200
    synonyms: tuple[str, ...] = ()
    secondary: tuple[str, ...] = ()
    code_list: str | None = None
    values: dict[str, str] = field(default_factory=dict)
    aliases: dict[str, str] = field(default_factory=dict)
    earliest: date = date(1949, 10, 1)
    max_future_days: int | None = 0
    personal: bool = False
    privacy: str | None = None
    identifier: bool | None = None
    soft: bool = False  # a value failing the field's checks is kept with a soft finding: the row is not held back
    capitals: bool = False  # an identifier's Latin letters in capitals: one record however its case is typed
    prose: bool = False  # free text a person wrote: kept as written, never folded for matching

    @property
    def is_identifier(self) -> bool:
        """True for a field holding an identifier or code, by its `identifier` flag or else by its kind."""
        return self.kind in IDENTIFIER_KINDS if self.identifier is None else self.identifier


@dataclass(frozen=True)
class RecordType:
    """A kind of record zhizhi keeps (market entity, licence, ...): its fields and how one record is identified.

    `keys` are alternatives tried in order: the first whose fields are all filled identifies the record within its
    source, so a re-ingested row with the same key becomes a new version of the same record. `periods` are pairs of
    `date` or `datetime` fields (start, end) of one span, such as a licence's validity: a row whose end is before
    its start is quarantined (`date.end_before_start`). `own_sources` marks a type zhizhi writes itself (the desk's
    answers, report runs) and begins the names of the sources it writes them in (`answers-`): no department's
    export maps to it, and a source file of another name may not take it.
    """

    name: str
    label_zh: str
    label: str
    fields: tuple[Field, ...]
    keys: tuple[tuple[str, ...], ...]
    description: str = ""
    periods: tuple[tuple[str, str], ...] = ()
    own_sources: str | None = None

    @property
    def own(self) -> bool:
        """Whether zhizhi writes these records itself (an answer, a report run), never a department's export."""
        return self.own_sources is not None

    def __post_init__(self) -> None:
        names = [f.name for f in self.fields]
        if len(set(names)) != len(names):
            raise ValueError(f"Record type `{self.name}` names a field twice.")
        for key in self.keys:
            unknown = [k for k in key if k not in names]
            if unknown:
                raise ValueError(f"Record type `{self.name}`: key field(s) {unknown} are not fields.")
        for item in self.fields:
            if item.kind == "code" and not item.code_list:
                raise ValueError(f"Record type `{self.name}`: code field `{item.name}` needs a code_list.")
            if item.kind == "enum" and not item.values:
                raise ValueError(f"Record type `{self.name}`: enum field `{item.name}` needs values.")
            if item.prose and (item.kind != "text" or item.is_identifier or item.capitals):
                raise ValueError(
                    f"Record type `{self.name}`: prose field `{item.name}` must be a `text` field and no identifier."
                )
        for pair in self.periods:
            if len(pair) != 2 or any(n not in names or self.field(n).kind not in ("date", "datetime") for n in pair):
                raise ValueError(f"Record type `{self.name}`: period {pair} is not a pair of date or datetime fields.")

    def field(self, name: str) -> Field:
        for item in self.fields:
            if item.name == name:
                return item
        raise KeyError(name)

    @property
    def field_names(self) -> tuple[str, ...]:
        return tuple(f.name for f in self.fields)
