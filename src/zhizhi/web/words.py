"""What the pages call things: the workspace's titles for its targets, sources, code lists and crosswalks, the
catalogue's words for record types, fields, values, reasons and what a code translation says, a record's key in
words, and the values a message names in backticks shown as values.

A page never shows an identifier where a word exists: `province` is shown as its title 广西市场监管一体化平台,
`industry_code` as 行业代码, `liuzhou-business-format` as 柳州市市场主体经营业态代码. Every name shown is marked
`translate="no"` by the templates where it is data (a title that exists only in Chinese, a file's name), so the
English pages may show it as it is.
"""

from __future__ import annotations

import re
from collections.abc import Iterator
from contextlib import contextmanager
from functools import cached_property
from pathlib import Path

from markupsafe import Markup, escape
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.dashboard.deliveries import target_titles
from zhizhi.errors import ZhizhiError
from zhizhi.i18n import MESSAGES, translate
from zhizhi.records import record_types
from zhizhi.sources.config import FILES as SOURCE_FILES
from zhizhi.store.tables import CodeList, Crosswalk, Department

TICKED = re.compile(r"`([^`\n]*)`")
# What a code translation says (zhizhi.codes.translate), in the catalogue's words: pattern -> `codes.detail.KEY`.
_V = r"`(?P<{}>[^`]*)`"
DETAILS = [
    (re.compile(_V.format("code") + " is not in " + _V.format("list")), "not_in"),
    (re.compile("rolled up to " + _V.format("code") + r", then (?P<method>[a-z-]+)"), "rolled_up"),
    (
        re.compile(_V.format("code") + " is not a code of " + _V.format("list") + r" \(version (?P<version>[^)]+)\)"),
        "not_a_code",
    ),
    (
        re.compile(
            "neither "
            + _V.format("code")
            + " nor its parents have a row in "
            + _V.format("from_list")
            + " -> "
            + _V.format("to_list")
        ),
        "no_row",
    ),
    (re.compile(_V.format("code") + r" splits into (?P<n>\d+) codes"), "splits"),
    (re.compile("no rule for " + _V.format("field") + " = " + _V.format("value")), "no_rule"),
    (re.compile(_V.format("field") + " = " + _V.format("value")), "rule"),
    (re.compile("no code given"), "blank"),
]
AT = re.compile(r" \(at " + _V.format("from_list") + " -> " + _V.format("to_list") + r"\)$")
STEP = re.compile(r"(?P<method>[a-z-]+)(?: \((?P<detail>.*)\))?")
DATA = '<span translate="no">{}</span>'


def ticks(text: object) -> Markup:
    """A message as HTML: each value it names in backticks (`611099`) shown as a value, without the backticks."""
    parts = TICKED.split(str(text if text is not None else ""))
    value = Markup('<code translate="no">{}</code>')
    return Markup("").join(escape(part) if n % 2 == 0 else value.format(part) for n, part in enumerate(parts))


def data(value: object) -> Markup:
    """A value of the data (a name, an address, a plan's title), marked so no reader takes it for a label."""
    if value is None or value == "":
        return Markup("")
    if isinstance(value, (list, tuple)):
        value = "、".join(str(v) for v in value)
    return Markup(DATA).format(value)


class Words:
    """The words of one page in one language; the workspace's titles are read once, when first asked for."""

    def __init__(self, locale: str, root: Path, sessions: sessionmaker[Session], session: Session | None) -> None:
        self.locale = locale
        self.root = root
        self.sessions = sessions
        self.session = session  # the request's own, when it has one: a second transaction would wait for its lock

    @contextmanager
    def _reading(self) -> Iterator[Session]:
        if self.session is not None:
            yield self.session
        else:
            with self.sessions() as session:
                yield session

    def say(self, key: str, **params: object) -> Markup:
        """The catalogue's message for `key` with each parameter marked as data (a department's name, a title that
        exists only in Chinese), so that the English page may show it as it is."""
        data = Markup(DATA)
        return Markup(escape(translate(self.locale, key))).format(**{k: data.format(v) for k, v in params.items()})

    def word(self, key: str, default: str = "") -> str:
        """The catalogue's word for `key`, or `default` when it has none (a new audit action, say)."""
        return translate(self.locale, key) if key in MESSAGES["zh-CN"] else default

    def record_type(self, name: str) -> str:
        """A record type's label (市场主体 for `entity`)."""
        return self.word(f"record_type.{name}", name)

    def field(self, record_type: str, name: str) -> str:
        """A field's label in its record type (行业代码 for `entity`'s `industry_code`)."""
        return self.word(f"field.{record_type}.{name}", name)

    def value(self, record_type: str, field: str, value: object) -> str:
        """An enum field's value in words (存续 for `active`); any other value as it is."""
        return self.word(f"value.{record_type}.{field}.{value}", "" if value is None else str(value))

    def reason(self, code: str) -> str:
        """A quarantine reason's title (日期无效 for `date.invalid`)."""
        return self.word(f"reason.{code}", code)

    def detail(self, text: str | None) -> Markup:
        """What a code translation says about a code, in the catalogue's words with the lists by their titles and
        fields by their labels (a chained one step by step); a text it does not know, as it is."""
        text = text or ""
        at = AT.search(text)
        core = text[: at.start()] if at else text
        said = self._detail(core)
        if said is None:
            steps = [STEP.fullmatch(step) for step in core.split(" -> ")]
            if all(steps) and core:
                said = Markup(" → ").join(self._step(m) for m in steps if m)
        if said is None:
            return ticks(text)
        return said + (self._params("codes.detail.at", at.groupdict()) if at else Markup(""))

    def _detail(self, text: str) -> Markup | None:
        for pattern, key in DETAILS:
            found = pattern.fullmatch(text)
            if found:
                return self._params(f"codes.detail.{key}", found.groupdict())
        return None

    def _step(self, step: re.Match[str]) -> Markup:
        method = self.word(f"codes.method.{step['method']}", step["method"])
        inner = self._detail(step["detail"]) if step["detail"] else None
        if inner is None:
            return Markup(escape(method))
        return self.say("codes.detail.step", method=method, detail=inner)

    def _params(self, key: str, found: dict[str, str]) -> Markup:
        shown: dict[str, object] = dict(found)
        for name in ("list", "from_list", "to_list"):
            if name in shown:
                shown[name] = self.code_list(found[name])
        if "field" in shown:
            shown["field"] = self.any_field(found["field"])
        if "method" in shown:
            shown["method"] = self.word(f"codes.method.{found['method']}", found["method"])
        return self.say(key, **shown)

    def any_field(self, name: str) -> str:
        """A field's label in the first record type that has it (a crosswalk's rule names a field, not a type)."""
        return next(
            (self.field(kind, name) for kind in record_types() if f"field.{kind}.{name}" in MESSAGES["zh-CN"]), name
        )

    def key(self, record_type: str, key: str) -> Markup:
        """A record's key in words: `uscc=9145...|name=...` as 统一社会信用代码 9145... · 名称 ..., values as data."""
        value = Markup('{} <span translate="no">{}</span>')
        parts = []
        for part in (key or "").split("|"):
            field, sep, given = part.partition("=")
            parts.append(value.format(self.field(record_type, field), given) if sep else Markup(DATA).format(part))
        return Markup(" · ").join(parts)

    def target(self, name: str) -> str:
        """A target's title (广西市场监管一体化平台 for `province`), or its name when it has none."""
        return self._targets.get(name) or name

    def source(self, name: str) -> str:
        """A source's title (登记注册系统导出 for `dengji`), or its name when it has none."""
        return self._sources.get(name) or name

    def code_list(self, name: str) -> str:
        """A code list's or a crosswalk's title, or its name."""
        return self._lists.get(name) or name

    def department(self, code: str) -> str:
        """A department's name (登记注册科 for `LZ-DJ`), or its code when there is none."""
        return self._departments.get(code) or code

    def reader(self, name: str) -> str:
        """A reader's name in words (Excel for `excel`)."""
        return self.word(f"reader.{name}", name)

    @cached_property
    def _targets(self) -> dict[str, str | None]:
        return target_titles(self.root)

    @cached_property
    def _sources(self) -> dict[str, str | None]:
        titles: dict[str, str | None] = {}
        for name in SOURCE_FILES.names(self.root):
            try:
                titles[name] = SOURCE_FILES.load(self.root, name).title
            except ZhizhiError:
                titles[name] = None
        return titles

    @cached_property
    def _departments(self) -> dict[str, str]:
        with self._reading() as session:
            return {code: name for code, name in session.execute(select(Department.code, Department.name))}

    @cached_property
    def _lists(self) -> dict[str, str]:
        with self._reading() as session:
            lists = session.execute(select(CodeList.name, CodeList.title)).all()
            crosswalks = session.execute(select(Crosswalk.name, Crosswalk.title)).all()
        return {name: title for name, title in [*lists, *crosswalks]}
