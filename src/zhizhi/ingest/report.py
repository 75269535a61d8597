"""The batch report: counts, per-field completeness and validity, and the top reasons, built chunk by chunk."""

from __future__ import annotations

from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import polars as pl

from zhizhi.ingest.kinds import I
from zhizhi.ingest.normalize.artefacts import ARTEFACTS
from zhizhi.ingest.read.base import Skip
from zhizhi.ingest.validate.artefacts import REPAIRED
from zhizhi.ingest.validate.results import REASONS
from zhizhi.sources.config import SourceConfig

TOP_REASONS = 20


@dataclass(frozen=True)
class ChunkStats:
    """What one chunk adds to the report, computed beside the chunk (no shared state)."""

    filled: dict[str, int]
    flagged: dict[str, int]
    reasons: dict[str, int]
    examples: dict[str, dict[str, Any]]
    artefacts: dict[str, int] = field(default_factory=dict)


def chunk_stats(
    filled: dict[str, int],
    findings: pl.DataFrame,
    rows: pl.Series,
    sheet: str | None,
    artefacts: dict[str, int] | None = None,
) -> ChunkStats:
    """Rows flagged per field and per reason code in one chunk, with the first example of each code, and rows
    per spreadsheet artefact. A repaired artefact does not make a value invalid: it is counted on its own."""
    flagging = findings.filter(pl.col("field").is_not_null() & (pl.col("code") != REPAIRED))
    per_field = flagging.unique(["field", I])
    per_code = findings.unique(["code", I], maintain_order=True)
    examples = {}
    for first in per_code.unique("code", keep="first", maintain_order=True).iter_rows(named=True):
        examples[first["code"]] = {
            "value": (first["value"] or "")[:200],
            "message_zh": first["message_zh"],
            "message": first["message"],
            "field": first["field"],
            "column": first["column"],
            "sheet": sheet,
            "row": int(rows[int(first[I])]),
        }
    return ChunkStats(
        dict(filled),
        dict(per_field.group_by("field").len().iter_rows()),
        dict(per_code.group_by("code").len().iter_rows()),
        examples,
        dict(artefacts or {}),
    )


@dataclass
class Tally:
    """What a batch has seen so far."""

    accepted: int = 0
    quarantined: int = 0
    skipped: int = 0
    new: int = 0
    changed: int = 0
    unchanged: int = 0
    skipped_by_reason: Counter[str] = field(default_factory=Counter)
    filled: Counter[str] = field(default_factory=Counter)
    flagged: Counter[str] = field(default_factory=Counter)  # rows with a finding on the field
    reasons: Counter[str] = field(default_factory=Counter)  # rows per reason code
    examples: dict[str, dict[str, Any]] = field(default_factory=dict)
    artefacts: Counter[str] = field(default_factory=Counter)  # rows per spreadsheet artefact undone or refused
    repeated: int = 0  # rows whose key an earlier row of the file gave other values (each a newer version)
    other_tables: Counter[str] = field(default_factory=Counter)  # rows skipped as `other_table`, per sheet

    @property
    def read(self) -> int:
        return self.accepted + self.quarantined + self.skipped

    def add_skips(self, skips: list[Skip]) -> None:
        self.skipped += len(skips)
        self.skipped_by_reason.update(s.reason for s in skips)
        self.other_tables.update(s.sheet or "" for s in skips if s.reason == "other_table")

    def add_chunk(self, stats: ChunkStats) -> None:
        """Count one mapped chunk: fields filled, rows flagged per field, rows per reason, a first example each."""
        self.filled.update(stats.filled)
        self.flagged.update(stats.flagged)
        self.reasons.update(stats.reasons)
        self.artefacts.update(stats.artefacts)
        for code, example in stats.examples.items():
            self.examples.setdefault(code, example)

    def report(self, source: SourceConfig) -> dict[str, Any]:
        data_rows = self.accepted + self.quarantined
        kind = source.kind
        fields = []
        for name, mapping in source.fields.items():
            spec = kind.field(name)
            filled = self.filled.get(name, 0)
            valid = max(filled - self.flagged.get(name, 0), 0)
            fields.append(
                {
                    "field": name,
                    "label_zh": spec.label_zh,
                    "column": mapping.column,
                    "filled": filled,
                    "valid": valid,
                    "completeness": round(filled / data_rows, 4) if data_rows else None,
                    "validity": round(valid / filled, 4) if filled else None,
                }
            )
        reasons = [
            {
                "code": code,
                "severity": REASONS[code][0],
                "title_zh": REASONS[code][1],
                "rows": rows,
                "example": self.examples.get(code),
            }
            for code, rows in self.reasons.most_common(TOP_REASONS)
        ]
        return {
            "rows": {
                "read": self.read,
                "accepted": self.accepted,
                "quarantined": self.quarantined,
                "skipped": self.skipped,
            },
            "records": {"new": self.new, "changed": self.changed, "unchanged": self.unchanged,
                        "repeated_in_file": self.repeated},  # fmt: skip
            "skipped_by_reason": dict(self.skipped_by_reason.most_common()),
            # which sheets they were: a district's sheet headed otherwise than the source is one too, and is named
            "other_tables": [{"sheet": sheet, "rows": rows} for sheet, rows in self.other_tables.items()],
            "fields": fields,
            "reasons": reasons,
            "artefacts": {name: self.artefacts[name] for name in ARTEFACTS if self.artefacts[name]},
        }
