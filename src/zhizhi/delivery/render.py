"""A record version as a target wants it: the target's field names, constants, and codes in the target's lists.

A code that has no single equivalent in the target's list cannot be delivered as it is: the payload is refused
with the reason (the code, the lists, what the translator said), for a steward to decide in the code review queue.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from zhizhi.codes.translate import Translator, build_translator
from zhizhi.delivery.targets import TargetConfig
from zhizhi.errors import InputError
from zhizhi.records import record_type


class Untranslatable(InputError):
    """A code with no single equivalent in the target's list: what the review queue needs to ask a steward."""

    def __init__(self, message: str, zh: str, translator: Translator, code: str, method: str, data: dict[str, Any]):
        super().__init__(message, zh=zh)
        self.translator, self.code, self.method, self.data = translator, code, method, data


@dataclass
class Renderer:
    """Renders records of one record type for one target; translators are built once."""

    target: TargetConfig
    translators: dict[str, Translator]  # target field -> translator from the record field's list

    def render(self, data: dict[str, Any]) -> dict[str, Any]:
        """The payload; raises InputError naming the field and code when a code does not translate."""
        payload: dict[str, Any] = {}
        for name, mapping in self.target.fields.items():
            if mapping.value is not None:
                payload[name] = mapping.value
                continue
            assert mapping.field is not None
            value = data.get(mapping.field)
            translator = self.translators.get(name)
            if translator is not None and value is not None:
                answer = translator.translate(str(value), data)
                if not answer.ok:
                    raise Untranslatable(
                        f"`{mapping.field}` = `{value}` has no single code in `{translator.to_list}` for target "
                        f"`{self.target.name}` field `{name}` ({answer.method}: {answer.detail}).",
                        f"「{mapping.field}」`{value}` 无法转换为 {translator.to_list} 代码（{answer.method}），"
                        "请在代码审核中决定。",
                        translator,
                        str(value),
                        str(answer.method),
                        data,
                    )
                value = answer.to_code
            payload[name] = value
        return payload


def renderer(session: Session, target: TargetConfig, kind: str, *, today: date | None = None) -> Renderer:
    """A renderer of `kind` records (one of the target's record types) for `target`."""
    spec = record_type(kind)
    translators = {}
    for name, mapping in target.fields.items():
        if mapping.code_list and mapping.field in spec.field_names:
            field_list = spec.field(mapping.field).code_list
            assert field_list is not None
            translators[name] = build_translator(session, field_list, mapping.code_list, as_of=today)
    return Renderer(target, translators)
