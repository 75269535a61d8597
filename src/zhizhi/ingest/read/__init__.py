"""Readers: department exports in, chunks of raw rows out, each row named by sheet and row number."""

from zhizhi.ingest.read.base import ERROR, ROW, Chunk, Reader, Reading, ReadOptions, Skip
from zhizhi.ingest.read.registry import open_file, reader_for, readers

__all__ = ["ERROR", "ROW", "Chunk", "ReadOptions", "Reader", "Reading", "Skip", "open_file", "reader_for", "readers"]
