"""Golden records: each entity's fields, one value per field chosen from its records, with where it came from.

Survivorship (`resolve.survivorship` in zhizhi.yaml) orders a field's candidate values rule after rule:
`source_priority` (the sources listed first win; unlisted sources after, market-entity records before licences,
equipment and inspections), `most_recent` (the value read last), `most_complete` (the longest); the record id breaks
what is still tied, so the same data always gives the same golden record. Empty values never survive. Each field
keeps its provenance: the record, its source, the batch, file, sheet and row, and when it was read.
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from functools import lru_cache
from typing import Any

import polars as pl

from zhizhi.config.models import GOLDEN_FIELDS, SurvivorshipConfig
from zhizhi.ingest.normalize.text import FULL_WIDTH, WHITESPACE
from zhizhi.resolve.names import name_parts, simplified

PROVENANCE = ("record_id", "source", "batch_id", "file", "sheet", "row", "at")
FLAT = ("name", "uscc", "reg_no", "phone", "address")
NAME_PARTS = (
    "region",
    "trade",
    "industry",
    "form",
    "branch",
)  # the region first: the short name is without it  # golden values kept in columns of their own, for search


def golden_records(
    rows: pl.DataFrame, rules: SurvivorshipConfig, known: Mapping[str, str] | None = None
) -> pl.DataFrame:
    """Per entity: `golden` (JSON: field -> value and provenance), the searchable fields, and its record count.

    `rows` has one row per linked record: entity_id, record_type, the subject columns and the provenance columns.
    `known` maps names to their pinyin initials where they are known already (spelling a name out is the costly
    part of a golden record).
    """
    ranked = rows.with_columns(
        _source_rank(rules.sources).alias("_source_rank"),
        (pl.col("record_type") != "entity").cast(pl.Int8).alias("_type_rank"),
    )
    chosen = [_survivor(ranked, name, rules.fields.get(name, rules.rules)) for name in GOLDEN_FIELDS]
    values = pl.concat(chosen, how="vertical").with_columns(
        pl.col("at").dt.strftime("%Y-%m-%dT%H:%M:%SZ"),
        pl.col("field").replace_strict({f: n for n, f in enumerate(GOLDEN_FIELDS)}, return_dtype=pl.Int8).alias("_n"),
    )
    entry = pl.format('"{}":{}', pl.col("field"), pl.struct("value", *PROVENANCE).struct.json_encode())
    golden = (
        values.sort("entity_id", "_n")
        .group_by("entity_id", maintain_order=True)
        .agg(pl.concat_str([pl.lit("{"), entry.str.join(","), pl.lit("}")]).alias("golden"))
    )
    flat = values.filter(pl.col("field").is_in(FLAT)).pivot(on="field", index="entity_id", values="value")
    flat = flat.with_columns(*(pl.lit(None, pl.String).alias(f) for f in FLAT if f not in flat.columns))
    counts = rows.group_by("entity_id").len("records")
    names_seen = (  # every name the entity's records carry: a renamed firm is found by its former name (曾用名) too
        rows.filter(pl.col("name").is_not_null()).group_by("entity_id").agg(pl.col("name").unique().sort().alias("names"))
        if "name" in rows.columns
        else pl.DataFrame(schema={"entity_id": rows.schema["entity_id"], "names": pl.List(pl.String)})
    )
    out = counts.join(golden, on="entity_id", how="left").join(flat, on="entity_id", how="left").sort("entity_id")
    out = out.join(names_seen, on="entity_id", how="left", maintain_order="left")
    known = known or {}
    names = out["name"].to_list()
    unknown = sorted({name for name in names if name and name not in known})
    spelt = {**known, **dict(zip(unknown, spell(unknown), strict=True))}
    out = out.with_columns(pl.Series("initials", [spelt.get(name, "") if name else None for name in names]))
    searchable = out.select(*FLAT, "initials", "names").to_dicts()
    return out.select(
        "entity_id",
        pl.col("records").cast(pl.Int64),
        pl.col("golden").fill_null("{}"),
        "name",
        "uscc",
        "phone",
        "address",
        "initials",
    ).with_columns(pl.Series("search", search_texts(searchable), pl.String))


def _source_rank(sources: list[str]) -> pl.Expr:
    ranks = {name: n for n, name in enumerate(sources)}
    return pl.col("source").replace_strict(ranks, default=len(sources), return_dtype=pl.Int32)


def _survivor(rows: pl.DataFrame, name: str, rules: Sequence[str]) -> pl.DataFrame:
    keys: list[pl.Expr] = []
    descending: list[bool] = []
    for rule in rules:
        if rule == "source_priority":
            keys += [pl.col("_source_rank"), pl.col("_type_rank")]
            descending += [False, False]
        elif rule == "most_recent":
            keys.append(pl.col("at"))
            descending.append(True)
        elif rule == "most_complete":
            keys.append(pl.col(name).str.len_chars())
            descending.append(True)
    keys.append(pl.col("record_id"))
    descending.append(False)
    present = rows.filter(pl.col(name).is_not_null() & (pl.col(name).str.strip_chars() != ""))
    return (
        present.sort([pl.col("entity_id"), *keys], descending=[False, *descending], nulls_last=True)
        .unique("entity_id", keep="first", maintain_order=True)
        .select("entity_id", pl.lit(name).alias("field"), pl.col(name).alias("value"), *PROVENANCE)
    )


SEARCH_FORM = 2
"""What an entity's search text holds, by edition (2: the names its records carry, half-width and simplified; since
migration 0031 no phone): a run after a new edition writes every golden record again (`zhizhi.resolve.run`)."""
SEARCHED_BY_PART = ("name", "initials", "uscc", "reg_no", "address")
"""The golden fields the search text holds. Never a personal one: search matches any part of the text, so a person's
number in it could be read digit by digit by searching for growing prefixes; a phone is matched whole, on its own
column (`zhizhi.resolve.register.search`)."""


def search_text(fields: Mapping[str, Any]) -> str:
    """What search matches by part: the name, its pinyin `initials`, the other names the records carry (`names`: a
    former name, another writing), the credit code, registration number and address; in the form `search_form` gives
    a query."""
    return search_texts([fields])[0]


def search_texts(many: Sequence[Mapping[str, Any]]) -> list[str]:
    """`search_text` of many entities at once."""
    texts = []
    for fields in many:
        parts = [str(fields[key]) for key in SEARCHED_BY_PART if fields.get(key)]
        parts += [str(name) for name in fields.get("names") or () if name and name != fields.get("name")]
        texts.append(" ".join(parts))
    return _searchable(pl.Series(texts, dtype=pl.String)).to_list()


def search_form(query: str) -> str:
    """A query as search compares it with the stored text: half-width, simplified characters, lower case (what a
    department's export writes as ９１４５… or 柳江區 finds what the register holds as 9145… and 柳江区)."""
    return str(_searchable(pl.Series([query], dtype=pl.String))[0] or "").strip()


def _searchable(texts: pl.Series) -> pl.Series:
    return simplified(texts.str.replace_many(FULL_WIDTH).str.replace_all(WHITESPACE, " ")).str.to_lowercase()


def name_initials(name: str) -> str:
    """The pinyin initials of a name and of it without its region: `lzshxkjyxgs hxkjyxgs` for 柳州市华信科技有限公司."""
    return spell([name])[0]


def spell(names: Sequence[str]) -> list[str]:
    """`name_initials` of many names.

    A name is spelt part by part in the order it is written (region, 字号, industry word, organisation form, branch,
    and whatever lies between them; see names.py), as people read it: 柳州市长城贸易 is lzsccmy (长城 cháng chéng),
    not lzszcmy as a dictionary reading 市长 across the parts would have it. Parts recur (柳州市, 科技, 有限公司), so
    each is spelt once; that makes spelling a register's names cheap.
    """
    parts = name_parts(pl.Series(names, dtype=pl.String).fill_null("")).select("name", *NAME_PARTS)
    spelt = []
    for name, *found in parts.iter_rows():
        pieces = _pieces(name or "", found)
        whole = "".join(_initials(text) for text, _ in pieces)
        short = "".join(_initials(text) for text, region in pieces if not region)
        spelt.append(" ".join(dict.fromkeys(text for text in (whole, short) if text)))
    return spelt


def _pieces(name: str, parts: Sequence[str | None]) -> list[tuple[str, bool]]:
    """The name cut at its parts, in written order: (text, whether it is the region); the whole name as one piece
    where a part is not found in it as written."""
    placed = sorted((name.find(part), kind, part) for kind, part in enumerate(parts) if part)
    if any(at < 0 for at, _, _ in placed):
        return [(name, False)]
    pieces: list[tuple[str, bool]] = []
    cursor = 0
    for at, kind, part in placed:
        if at < cursor:  # the same text twice: the first place it was found holds it
            continue
        if at > cursor:
            pieces.append((name[cursor:at], False))
        pieces.append((part, kind == 0))
        cursor = at + len(part)
    if cursor < len(name):
        pieces.append((name[cursor:], False))
    return pieces


@lru_cache(maxsize=262_144)
def _initials(text: str) -> str:
    """pypinyin's initials of a piece, word by word as pypinyin cuts it: a word reads the same wherever it stands,
    so each (most are single characters) is spelt once."""
    from pypinyin.seg.simpleseg import seg as words  # pypinyin's dictionaries take most of a second to load

    return "".join(_word_initials(word) for word in words(text))


@lru_cache(maxsize=65_536)
def _word_initials(word: str) -> str:
    from pypinyin import Style, lazy_pinyin

    return "".join(lazy_pinyin([word], style=Style.FIRST_LETTER, errors="ignore")).lower()
