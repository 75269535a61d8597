"""Records: the canonical record types every source is mapped to, and the history of each record."""

from zhizhi.records.fields import KINDS, Field, Kind, RecordType
from zhizhi.records.registry import record_type, record_types

__all__ = ["KINDS", "Field", "Kind", "RecordType", "record_type", "record_types"]
