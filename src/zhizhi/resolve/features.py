"""The features resolution compares, computed per record from the subjects frame (vectorised, row-local).

`prepare` depends on nothing but the row itself, so the features of a register's records can be kept and a new
batch's features computed alone and appended: the result is the same as preparing everything again. Whatever
depends on other rows (how many firms share a phone, how large a block is) is computed when pairs are scored.
"""

from __future__ import annotations

import polars as pl

from zhizhi.ingest.normalize.text import FULL_WIDTH, INVISIBLE, WHITESPACE
from zhizhi.resolve.addresses import address_exprs, road_exprs
from zhizhi.resolve.names import clean_name_expr, name_parts, region_codes, registered_key_expr

USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
USCC_PATTERN = rf"^[{USCC_ALPHABET}]{{18}}$"
CHUNK_ROWS = 200_000
SUBJECT_COLUMNS = {
    "record_id": pl.Int64,
    "source": pl.String,
    "uscc": pl.String,
    "reg_no": pl.String,
    "name": pl.String,
    "address": pl.String,
    "address_division_code": pl.String,
    "address_rest": pl.String,
    "legal_representative": pl.String,
    "phone": pl.String,
}
FEATURE_COLUMNS = (
    "record_id", "source", "uscc", "uscc_valid", "reg_no", "name", "region", "trade", "industry", "core",
    "form", "form_kind", "branch", "individual", "region_code", "registered_key", "division", "county", "prefecture",
    "address_key", "unit", "road", "road_no", "legal_rep", "phone", "core_sorted", "trade_pinyin",
)  # fmt: skip


def prepare(subjects: pl.DataFrame) -> pl.DataFrame:
    """Features of every subject: code keys, name parts, address keys, contact keys and blocking keys.

    Columns (all String unless said): record_id (Int64), source, uscc (normalised: half-width, upper case, no
    spaces; null when blank), uscc_valid (Boolean: 18 characters of the GB 32100 alphabet with a correct check
    character), reg_no (15 digits or null), name (cleaned), region, trade, industry, core (trade + industry),
    form, form_kind, branch, individual (Boolean), region_code (the registration area the region words name),
    registered_key (area, core, form and branch: the name as registered), division, county (6-digit code when
    county level), prefecture (4-digit prefix), address_key (the address after the divisions and any town, cleaned,
    without floor or room), unit (that floor or room), road, road_no (road + number), legal_rep, phone,
    core_sorted (the core's characters sorted) and trade_pinyin (see addresses.py and names.py).
    """
    if subjects.height > CHUNK_ROWS:
        # row-local, so slices give the same features with a fraction of the intermediate columns in memory
        return pl.concat(
            [prepare(subjects.slice(start, CHUNK_ROWS)) for start in range(0, subjects.height, CHUNK_ROWS)]
        )
    frame = subjects.select([pl.col(c).cast(t) if c in subjects.columns else pl.lit(None, t).alias(c)
                             for c, t in SUBJECT_COLUMNS.items()])  # fmt: skip
    parts = name_parts(frame["name"])
    frame = pl.concat([frame.drop("name"), parts], how="horizontal")
    frame = frame.with_columns(
        _code_expr("uscc").alias("uscc"),
        _code_expr("reg_no").alias("reg_no"),
        pl.concat_str([pl.col("trade"), pl.col("industry")], ignore_nulls=True).replace("", None).alias("core"),
        _clean_expr("legal_representative").alias("legal_rep"),
        _clean_expr("phone").alias("phone"),
        *_division_exprs(),
        *address_exprs(pl.coalesce(_clean_expr("address_rest"), _clean_expr("address"))),
    )
    frame = frame.with_columns(
        uscc_valid_expr(pl.col("uscc")).alias("uscc_valid"),
        pl.when(pl.col("reg_no").str.contains(r"^[0-9]{15}$")).then(pl.col("reg_no")).alias("reg_no"),
        *road_exprs(pl.col("address_key")),
        pl.col("core").str.split("").list.sort().list.join("").alias("core_sorted"),
        region_codes(frame["region"], frame["prefecture"]).alias("region_code"),
    )
    frame = frame.with_columns(registered_key_expr().alias("registered_key"))
    frame = frame.with_columns(_pinyin_key(frame["trade"], frame["industry"]).alias("trade_pinyin"))
    return frame.select(FEATURE_COLUMNS)


def normalize_code_expr(expr: pl.Expr) -> pl.Expr:
    """A credit code or registration number as a key: half-width, upper case, no whitespace or hyphens."""
    text = expr.cast(pl.String).str.replace_all(INVISIBLE, "").str.replace_many(FULL_WIDTH)
    return text.str.replace_all(WHITESPACE, "").str.replace_all("-", "").str.to_uppercase().replace("", None)


def uscc_valid_expr(code: pl.Expr) -> pl.Expr:
    """Whether a normalised code is a well-formed credit code with the right check character (GB 32100)."""
    values = {char: index for index, char in enumerate(USCC_ALPHABET)}
    total = pl.sum_horizontal(
        code.str.slice(i, 1).replace_strict(values, default=0, return_dtype=pl.Int64) * weight
        for i, weight in enumerate(USCC_WEIGHTS)
    )
    expected = ((31 - total % 31) % 31).replace_strict(dict(enumerate(USCC_ALPHABET)), return_dtype=pl.String)
    return (code.str.contains(USCC_PATTERN) & (code.str.slice(17, 1) == expected)).fill_null(False)


def _code_expr(column: str) -> pl.Expr:
    return normalize_code_expr(pl.col(column))


def _clean_expr(column: str) -> pl.Expr:
    return clean_name_expr(pl.col(column))


def _division_exprs() -> list[pl.Expr]:
    code = pl.col("address_division_code").str.strip_chars()
    division = pl.when(code.str.contains(r"^[0-9]{6}$")).then(code)
    county = pl.when(~division.str.ends_with("00")).then(division)
    prefecture = pl.when(division.str.slice(2, 2) != "00").then(division.str.slice(0, 4))
    return [division.alias("division"), county.alias("county"), prefecture.alias("prefecture")]


def _pinyin_key(trade: pl.Series, industry: pl.Series) -> pl.Series:
    """Toneless pinyin of the trade name plus the industry word: 华信/化信 科技 -> `huaxin|科技` (a blocking key)."""
    chars = trade.drop_nulls().str.split("").explode().unique().drop_nulls().sort().to_list()
    from pypinyin import lazy_pinyin  # loaded when a run needs it, not by every command's start

    readings = {char: "".join(lazy_pinyin(char)).lower() for char in chars if char}
    frame = pl.DataFrame({"trade": trade, "industry": industry})
    pinyin = pl.col("trade").str.replace_many(readings) if readings else pl.col("trade")
    key = pl.concat_str([pinyin, pl.col("industry").fill_null("")], separator="|")
    return frame.select(key.alias("trade_pinyin")).to_series()


def compared_records(features: pl.DataFrame, ids: pl.DataFrame) -> pl.DataFrame:
    """The records `ids` (a frame of record_id) names, with what depends on every record of `features` (the whole
    register) beside their own features: `phone_firms` (how many firms use the phone), `holder_key` (the name core
    with its branch), `core_codes` (how many credit codes hold that in an area its region words could name),
    `region_area` (the registration area's code without its trailing 00s) and `codeless_source` (whether the record's
    source is a list without credit codes: none of its records carries one, valid or not)."""
    records = features.join(ids, on="record_id", how="semi").drop("phone_firms", "core_codes", strict=False)
    records = records.join(phone_firms(features, records["phone"]), on="phone", how="left")
    coded_sources = features.filter(pl.col("uscc").is_not_null())["source"].drop_nulls().unique()
    return records.with_columns(
        name_holder_key().alias("holder_key"),
        core_codes(features, records),
        region_area_expr().alias("region_area"),
        (~pl.col("source").is_in(coded_sources.implode())).fill_null(False).alias("codeless_source"),
    )


def region_area_expr() -> pl.Expr:
    """The registration area as a code prefix (450000 -> 45, 450200 -> 4502, 450203 -> 450203): one area lies
    inside another when its prefix starts with the other's."""
    return pl.col("region_code").str.replace(r"(?:00)+$", "")


def name_holder_key() -> pl.Expr:
    """A name as the register holds it: trade name and industry word, and the branch (a branch holds a code of its
    own)."""
    return pl.concat_str([pl.col("core"), pl.col("branch").fill_null("")], separator="|")


def core_codes(features: pl.DataFrame, records: pl.DataFrame) -> pl.Series:
    """For each of `records`, how many distinct valid credit codes hold its name core (trade name, industry word and
    branch) across all `features` in an area its region words could name: a holder registered in the record's area
    or inside it (or either without region words); 0 when none does, null without a core.

    A name core that exactly one credit code in the register holds names one registered firm: a list's row that
    writes it (without its region, typed by hand) is that firm unless something else says otherwise. A row whose
    region words name a district holds the name core of that district's firm even when a firm of another district
    holds it too (柳州市柳南区阿明食府 is not 柳州市城中区阿明食府): a name is unique within its registration area.
    """
    keys = records.select(
        pl.when(pl.col("core").is_not_null()).then(name_holder_key()).alias("key"),
        region_area_expr().alias("area"),
    )
    wanted = keys.drop_nulls("key").unique()
    holders = (
        features.lazy()
        .filter(pl.col("uscc_valid") & pl.col("core").is_not_null())
        .select(name_holder_key().alias("key"), region_area_expr().alias("held_area"), "uscc")
        .join(wanted.lazy().select("key").unique(), on="key", how="semi")
        .unique()
    )
    area, held_area = pl.col("area"), pl.col("held_area")
    held = (
        wanted.lazy()
        .join(holders, on="key", how="inner")
        .filter(area.is_null() | held_area.is_null() | held_area.str.starts_with(area))
        .group_by("key", "area")
        .agg(pl.col("uscc").n_unique().cast(pl.Int64).alias("core_codes"))
        .collect()
    )
    counted = keys.join(held, on=["key", "area"], how="left", nulls_equal=True, maintain_order="left")
    return counted.select(
        pl.when(pl.col("key").is_not_null()).then(pl.col("core_codes").fill_null(0)).alias("core_codes")
    ).to_series()


def phone_firms(features: pl.DataFrame, phones: pl.Series) -> pl.DataFrame:
    """(phone, phone_firms): how many distinct name cores use each of `phones` across all `features`.

    A phone shared by many firms (an accountant's, an agent's) says little about two records being one firm.
    """
    wanted = phones.drop_nulls().unique().implode()
    used = features.lazy().filter(pl.col("phone").is_in(wanted))
    counts = used.group_by("phone").agg(pl.col("core").drop_nulls().n_unique().cast(pl.Int64).alias("phone_firms"))
    return counts.collect()
