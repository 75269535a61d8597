"""The convention every normalizer follows: the clean column is returned, the original is kept beside it."""

from __future__ import annotations

from dataclasses import dataclass

import polars as pl

from zhizhi.ingest.normalize.text import clean_text


@dataclass(frozen=True)
class Normalized:
    """A column's original values and the clean values a normalizer made of them, row for row.

    `clean` is what a normalizer returned: a plain column, or a struct column whose first field is the main value
    (`phone` of phones, `division_code` of addresses).
    """

    raw: pl.Series
    clean: pl.Series

    def __post_init__(self) -> None:
        if len(self.raw) != len(self.clean):
            raise ValueError(f"raw has {len(self.raw)} rows but clean has {len(self.clean)}: they must align")

    @property
    def main(self) -> pl.Series:
        """The clean column, or the first field of a struct column."""
        if isinstance(self.clean.dtype, pl.Struct):
            return self.clean.struct.field(self.clean.dtype.fields[0].name)
        return self.clean

    @property
    def failed(self) -> pl.Series:
        """True where the original holds something but no clean value could be made of it."""
        present = clean_text(self.raw.cast(pl.String)).is_not_null()
        return (present & self.main.is_null()).alias("failed")

    def failures(self) -> pl.DataFrame:
        """The failed rows: `row` (0-based position in the column) and `raw` (the original value as text)."""
        frame = pl.DataFrame({"raw": self.raw.cast(pl.String), "failed": self.failed}).with_row_index("row")
        return frame.filter(pl.col("failed")).select("row", "raw")
