"""Sources: one YAML file per department export saying how its rows become records."""

from zhizhi.sources.config import (
    FieldMapping,
    SourceConfig,
    dump_source,
    list_source_names,
    load_source,
    own_source,
    parse_source,
    source_path,
)

__all__ = [
    "FieldMapping",
    "SourceConfig",
    "dump_source",
    "list_source_names",
    "load_source",
    "own_source",
    "parse_source",
    "source_path",
]
