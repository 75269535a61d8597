"""A record version as a target wants it: the target's field names, constants, and codes in the target's lists.

A code that has no single equivalent in the target's list cannot be delivered as it is: the payload is not made
(`Untranslatable`, with the code, the lists and what the translator said), and the delivery waits for a steward's
decision in the code review queue (`zhizhi.delivery.send`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import date
from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.codes import get_code_list
from zhizhi.codes.translate import Method, Translation, Translator, build_translator
from zhizhi.delivery.targets import TargetConfig
from zhizhi.errors import InputError
from zhizhi.ingest.normalize.text import clean_identifier_value
from zhizhi.records import record_type
from zhizhi.records.fields import Field
from zhizhi.store.tables import CodeReviewItem

WHY_ZH = {Method.AMBIGUOUS: "对应多个代码", Method.UNMAPPED: "没有对应代码"}


class Untranslatable(InputError):
    """A code with no single equivalent in the target's list: what the review queue needs to ask a steward, and
    whether a steward already decided that there is none (`decided`)."""

    def __init__(
        self, message: str, *, zh: str, translator: Translator, answer: Translation, data: dict[str, Any]
    ) -> None:
        super().__init__(message, zh=zh)
        self.translator, self.data = translator, data
        self.code, self.method, self.decided = str(answer.code), str(answer.method), answer.decided


@dataclass(frozen=True)
class Translated:
    """One code field of the target: the record field it reads, its translator, and the lists' titles."""

    field: Field
    translator: Translator
    to_title: str


@dataclass
class Renderer:
    """Renders records of one record type for one target; translators are built once."""

    target: TargetConfig
    translators: dict[str, Translated]  # target field -> the record field and the translator from its list
    session: Session | None = None
    today: date | None = None
    _given: dict[str, Translator | None] = field(default_factory=dict)  # the department's list -> its translator

    def render(self, data: dict[str, Any]) -> dict[str, Any]:
        """The payload; raises Untranslatable naming the field and code when a code does not translate."""
        payload: dict[str, Any] = {}
        for name, mapping in self.target.fields.items():
            if mapping.value is not None:
                payload[name] = mapping.value
                continue
            assert mapping.field is not None
            value = data.get(mapping.field)
            coded = self.translators.get(name)
            given = data.get(f"{mapping.field}_source")
            if coded is not None and value is None and given not in (None, ""):
                value = self._as_given(name, coded, str(given), data)
            if coded is not None and value is not None:
                answer = coded.translator.translate(str(value), data)
                if not answer.ok:
                    raise self._untranslatable(name, coded, str(value), answer, data)
                value = answer.to_code
            payload[name] = value
        return payload

    def _as_given(self, name: str, coded: Translated, given: str, data: dict[str, Any]) -> str:
        """The field's code from the department's own code `given`, which had no single code in the field's list when
        the record came in (kept empty, the code as given beside it): with a steward's decision since, that code;
        until then the delivery waits on the same review item as the ingest (it is not sent with the code empty)."""
        translator = self._translator_from(coded, given)
        answer = translator.translate(given, data) if translator is not None else None
        if answer is not None and answer.ok and answer.to_code is not None:
            return str(answer.to_code)
        if translator is None or answer is None:  # no review item says which list the code came from
            translator, answer = coded.translator, coded.translator.translate(given, data)
        raise self._untranslatable(name, Translated(coded.field, translator, coded.to_title), given, answer, data)

    def _translator_from(self, coded: Translated, given: str) -> Translator | None:
        """The translator from the department's list the code `given` came from (the list its review item names)
        into the field's list."""
        if self.session is None:
            return None
        into = coded.translator.from_list
        code = clean_identifier_value(given) or given  # review items hold the code as the translator reads it
        from_list = self.session.scalar(
            select(CodeReviewItem.from_list)
            .where(CodeReviewItem.to_list == into, CodeReviewItem.from_code == code)
            .order_by(CodeReviewItem.last_seen.desc())
            .limit(1)
        )
        if from_list is None or from_list == into:
            return None
        if from_list not in self._given:
            self._given[from_list] = build_translator(self.session, from_list, into, as_of=self.today)
        return self._given[from_list]

    def _untranslatable(
        self, name: str, coded: Translated, value: str, answer: Translation, data: dict[str, Any]
    ) -> Untranslatable:
        label, title = coded.field.label_zh, coded.to_title
        message = (
            f"{coded.field.label} `{value}` has no single code in `{coded.translator.to_list}` for target "
            f"`{self.target.name}` field `{name}` ({answer.method}: {answer.detail})."
        )
        if answer.decided:
            zh = f"{label} {value}：数据管理员已决定它在「{title}」中没有对应代码，此记录不发出。"
            message += " A steward decided there is none."
            return Untranslatable(message, zh=zh, translator=coded.translator, answer=answer, data=data)
        why = WHY_ZH.get(answer.method, "无法转换")
        zh = f"{label} {value} 在「{title}」中{why}，请在代码审核中决定。"
        message += " Decide it in the code review queue."
        return Untranslatable(message, zh=zh, translator=coded.translator, answer=answer, data=data)


def renderer(session: Session, target: TargetConfig, kind: str, *, today: date | None = None) -> Renderer:
    """A renderer of `kind` records (one of the target's record types) for `target`."""
    spec = record_type(kind)
    translators = {}
    for name, mapping in target.fields.items():
        if mapping.code_list and mapping.field in spec.field_names:
            field = spec.field(mapping.field)
            assert field.code_list is not None
            translator = build_translator(session, field.code_list, mapping.code_list, as_of=today)
            translators[name] = Translated(field, translator, get_code_list(session, mapping.code_list).title)
    return Renderer(target, translators, session, today)
