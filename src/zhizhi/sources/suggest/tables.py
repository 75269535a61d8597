"""Which sheets of a workbook are the table a source is suggested for.

Each group of sheets sharing a header is a candidate table. The main table is the one a record type fits best (ties:
the more rows sampled, the wider, the first), notes aside: a sheet named 说明, 填表说明, 填报说明 … or a table of two
columns of text (栏目 | 填写说明) is the main table only when nothing else is. A sheet of another header holding every
column the main table's fit maps (a district's sheet with a 备注 column more) is part of the main table too.
"""

from __future__ import annotations

import re
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import date

from zhizhi.ingest.columns import resolve_column
from zhizhi.ingest.read.base import NOTE_HEAD
from zhizhi.records import RecordType
from zhizhi.sources.suggest.evidence import SELF_IDENTIFYING, ColumnProfile, profile_column
from zhizhi.sources.suggest.fit import Fit, fit_types
from zhizhi.sources.suggest.sample import Sample, Sheets

_NOTES_SHEET = re.compile(f"{NOTE_HEAD}|.*说明$")


@dataclass
class Table:
    """A candidate table: its sheets, their sample, each column's profile and every record type's fit, best first."""

    sheets: list[str | None]
    sample: Sample
    profiles: list[ColumnProfile]
    fits: list[Fit]

    @property
    def notes(self) -> bool:
        """A sheet of notes: named so, or two columns of text that pass no check of their own (no code, no date)."""
        if any(sheet is not None and _NOTES_SHEET.match("".join(sheet.split())) for sheet in self.sheets):
            return True
        identified = any(p.rates.get(kind, 0.0) >= 0.5 for p in self.profiles for kind in SELF_IDENTIFYING)
        return len(self.profiles) <= 2 and not identified

    @property
    def rank(self) -> tuple[bool, float, int, int]:
        """Data before notes, then the best record type's score, the rows sampled, the columns."""
        return (not self.notes, self.fits[0].score.score, self.sample.rows, len(self.sample.columns))


def main_table(sheets: Sheets, kinds: Sequence[RecordType], today: date) -> Table:
    """The main table of the file (the only one of a CSV), with the sheets of other headers that hold its columns."""
    tables = [_table(sheets, group, kinds, today) for group in sheets.tables()]
    best = max(tables, key=lambda table: table.rank)  # the first of equals
    mapped = set(best.fits[0].mapping.values())
    more = [s for s in sheets.headers if s not in best.sheets and _holds(sheets.headers[s], mapped)]
    if not mapped or not more:
        return best
    wider = _table(sheets, [s for s in sheets.headers if s in best.sheets or s in more], kinds, today)
    columns = set(wider.fits[0].mapping.values())
    return wider if all(_holds(sheets.headers[s], columns) for s in wider.sheets) else best


def _table(sheets: Sheets, chosen: list[str | None], kinds: Sequence[RecordType], today: date) -> Table:
    sample = sheets.sample(chosen)
    profiles = [profile_column(column, values) for column, values in sample.columns.items()]
    return Table(chosen, sample, profiles, fit_types(kinds, profiles, today))


def _holds(header: list[str], columns: set[str]) -> bool:
    """Whether the header has each of the columns once, as the ingest finds a source's columns in a sheet."""
    return all(len(resolve_column(column, header)) == 1 for column in columns)
