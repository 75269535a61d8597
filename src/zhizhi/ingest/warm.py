"""Load, before the write transaction, what the first ingest in a process would otherwise load inside it.

On SQLite one transaction writes at a time, and an ingest holds the writer lock from its first query to its
commit. A fresh process (every `zhizhi ingest` call) spends a few tenths of a second on first use: the reader's
plugin, the record type, the table of administrative divisions behind address checks, the registration
authorities behind credit codes. Done beforehand, a small ingest holds the lock for the time its rows take.
"""

from __future__ import annotations

from pathlib import Path

from zhizhi.ingest.normalize.divisions import division_patterns, former_pattern
from zhizhi.ingest.read.registry import reader_for
from zhizhi.ingest.validate.identifiers import authorities
from zhizhi.sources.config import SourceConfig


def warm_up(source: SourceConfig, path: Path) -> None:
    """Load the reader for `path`, the source's record type and the shipped tables its checks use."""
    reader_for(path, source.reader)
    kinds = {source.kind.field(name).kind for name in source.fields}
    if "address" in kinds:
        division_patterns()
        former_pattern()
    authorities()
