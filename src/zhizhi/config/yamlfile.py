"""YAML as zhizhi reads its files: safe, and a key written twice in one mapping refused with both lines (YAML's
readers let the last copy win in silence: a source mapping `number` twice was keyed by the wrong column)."""

from __future__ import annotations

from typing import Any

import yaml
from yaml.constructor import ConstructorError
from yaml.nodes import MappingNode


class UniqueKeys(yaml.SafeLoader):
    """A SafeLoader that refuses a mapping holding one key twice."""

    def construct_mapping(self, node: MappingNode, deep: bool = False) -> dict[Any, Any]:
        seen: dict[Any, int] = {}
        for key_node, _ in node.value:
            if key_node.tag == "tag:yaml.org,2002:merge":
                continue
            key = self.construct_object(key_node, deep=deep)
            line = key_node.start_mark.line + 1
            try:
                first = seen.setdefault(key, line)
            except TypeError:  # an unhashable key: YAML's own reading says so
                continue
            if first != line:
                raise ConstructorError(
                    None, None, f"key `{key}` is given twice (lines {first} and {line}): keep one", key_node.start_mark
                )
        return super().construct_mapping(node, deep)


class TextDates(UniqueKeys):
    """YAML with dates and moments left as text: the models read them and name a day that cannot be (`2026-13-06`)
    by its key, where YAML's own reading would fail with no key at all."""


TextDates.yaml_implicit_resolvers = {
    first: [(tag, pattern) for tag, pattern in resolvers if tag != "tag:yaml.org,2002:timestamp"]
    for first, resolvers in yaml.SafeLoader.yaml_implicit_resolvers.items()
}


def load_yaml(text: str | bytes) -> Any:
    """Safe YAML with dates left as text (see `TextDates`) and no key twice; yaml.YAMLError for bad syntax."""
    return yaml.load(text, Loader=TextDates)  # noqa: S506 (a SafeLoader)
