"""Encode a mapped chunk for storing, with no database work (it runs in the read-ahead thread): the raw cells and
the clean record as JSON, the findings per row, the reasons, the content hashes and the report's figures."""

from __future__ import annotations

import hashlib
from dataclasses import dataclass

import polars as pl

from zhizhi.ingest.kinds import I
from zhizhi.ingest.mapping import HARD, KEY, Mapped
from zhizhi.ingest.read.base import ERROR, ROW
from zhizhi.ingest.report import ChunkStats, chunk_stats

FINDING_FIELDS = ("code", "severity", "field", "column", "value", "message_zh", "message")


def digest_column(data: pl.Series) -> pl.Series:
    """The content hash of each record's JSON, hashed from the UTF-8 bytes polars holds (no Python text made)."""
    blake2b = hashlib.blake2b
    digests = [blake2b(d, digest_size=16).hexdigest() for d in data.cast(pl.Binary).to_list()]
    return pl.Series("digest", digests, dtype=pl.String)


def record_json(records: pl.DataFrame, columns: list[str]) -> pl.Series:
    """Each record as compact JSON without its empty fields: each filled field encoded as polars encodes it (`"name":
    value`), joined in field order (encoding the whole record and cutting each `"x":null` out after took a third
    more time)."""
    fields = [
        pl.when(pl.col(c).is_not_null()).then(pl.struct(c).struct.json_encode().str.slice(1).str.strip_suffix("}"))
        for c in columns
    ]
    joined = pl.concat_str(fields, separator=",", ignore_nulls=True) if fields else pl.lit("")
    return records.select(pl.concat_str([pl.lit("{"), joined, pl.lit("}")]).alias("d"))["d"]


@dataclass(frozen=True)
class Encoded:
    """A mapped chunk made ready to store, with no database work: one row per raw row, in file order, with its
    raw cells, clean record, key, warnings and findings as JSON; and the chunk's figures for the report."""

    sheet: str | None
    rows: pl.DataFrame  # _i, _row, _hard, key, data, warnings, raw, findings, reasons, digest
    stats: ChunkStats


def encode_chunk(frame: pl.DataFrame, mapped: Mapped, sheet: str | None, kind_columns: list[str]) -> Encoded:
    """Everything about a chunk that can be worked out beside the database (in the read-ahead thread)."""
    height = frame.height
    cells = [c for c in frame.columns if c not in (ROW, ERROR)]
    found = mapped.findings
    soft = _json_by_row(found.filter(pl.col("severity") == "soft"), "warnings")
    every = _json_by_row(found, "findings")
    reasons = (
        found.filter(pl.col("severity") == "hard")
        .group_by(I)
        .agg(pl.col("code").unique().sort().str.join(" ").alias("reasons"))
        .select(I, pl.format(" {} ", pl.col("reasons")).str.slice(0, 400).alias("reasons"))
    )
    rows = mapped.records.select(
        pl.int_range(0, height, dtype=pl.UInt32).alias(I),
        ROW,
        HARD,
        pl.col(KEY).alias("key"),
        record_json(mapped.records, kind_columns).alias("data"),
    ).with_columns(
        (frame.select(pl.struct(cells).struct.json_encode())[:, 0] if cells else pl.repeat("{}", height)).alias("raw")
    )
    for extra in (soft, every, reasons):
        rows = rows.join(extra, on=I, how="left", maintain_order="left")
    rows = rows.with_columns(pl.col("findings").fill_null("[]"), pl.col("reasons").fill_null(""))
    accepted = ~rows[HARD]
    digests = digest_column(rows.filter(accepted)["data"])  # hashed here, beside the database's work
    rows = rows.with_columns(pl.lit(None, dtype=pl.String).alias("digest"))
    rows = rows.with_columns(rows["digest"].scatter(accepted.arg_true(), digests))
    return Encoded(sheet, rows, chunk_stats(mapped.filled, found, mapped.records[ROW], sheet, mapped.artefacts))


def _json_by_row(findings: pl.DataFrame, name: str) -> pl.DataFrame:
    """Per row position, the JSON list of its findings."""
    encoded = findings.select(I, pl.struct(list(FINDING_FIELDS)).struct.json_encode().alias("j"))
    return encoded.group_by(I).agg(pl.format("[{}]", pl.col("j").str.join(",")).alias(name))
