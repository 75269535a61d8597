"""Names for a report's group keys: departments by their code and name, divisions and counties from GB/T 2260,
industry sections from GB/T 4754-2017, targets by their titles, and codes (an enum's values, a delivery's status,
a quarantine reason, an audit action) in the catalogue's Chinese words; and the Chinese labels of the fields grouped
by, for a sealed report's headers."""

from __future__ import annotations

from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from zhizhi.errors import ZhizhiError
from zhizhi.i18n import MESSAGES, translate
from zhizhi.records import record_types
from zhizhi.store.tables import Code, CodeList, CodeListVersion, Department

GROUP_LABELS = {"department": "部门", "county": "县区", "division": "行政区划", "section": "行业门类"}
UNKNOWN = "（未知）"


@dataclass
class Labels:
    """What the store knows to name group keys with."""

    departments: dict[int, tuple[str, str]]
    divisions: dict[str, str]
    sections: dict[str, str]  # two-digit industry division -> section letter
    section_names: dict[str, str]
    enums: dict[str, dict[str, str]] = field(default_factory=dict)
    targets: dict[str, str] = field(default_factory=dict)  # name -> title

    @classmethod
    def of(cls, session: Session, root: Path | None = None) -> Labels:
        departments = {
            i: (c, n) for i, c, n in session.execute(select(Department.id, Department.code, Department.name))
        }
        divisions = dict(_codes(session, "gbt2260", None))
        sections: dict[str, str] = {}
        names: dict[str, str] = {}
        for code, name, parent in _codes_with_parent(session, "gbt4754-2017"):
            if len(code) == 1:
                names[code] = name
            elif len(code) == 2 and parent:
                sections[code] = parent
        enums = {f.name: f.values for kind in record_types().values() for f in kind.fields if f.values}
        return cls(departments, divisions, sections, names, enums, _target_titles(root))

    def describe(
        self, groups: list[str], key: tuple[Any, ...], origin: str = "records", record_type: str | None = None
    ) -> dict[str, Any]:
        """The group keys of one row and their names: `{county: 450202, county_name: 城中区}`."""
        row: dict[str, Any] = {}
        for group, value in zip(groups, key, strict=True):
            if group == "department":
                code, name = self.departments.get(value, (None, UNKNOWN)) if value is not None else (None, UNKNOWN)
                row[group], row[f"{group}_name"] = code, name
                continue
            row[group] = value
            if value is None or value == "":
                row[f"{group}_name"] = UNKNOWN
            elif group in ("county", "division"):
                row[f"{group}_name"] = self.divisions.get(str(value), str(value))
            elif group == "section":
                row[f"{group}_name"] = self.section_names.get(str(value), str(value))
            else:
                row[f"{group}_name"] = self.word(origin, record_type, group, str(value))
        return row

    def word(self, origin: str, record_type: str | None, name: str, value: str) -> str:
        """A field's value in words: a target's title, a code's Chinese wording; any other value as it is."""
        if (origin, name) == ("deliveries", "target"):
            return self.targets.get(value, value)
        if (origin, name) == ("quarantine", "reasons"):  # one or more codes
            return "；".join(_catalogued(f"reason.{code}", code) for code in value.split())
        if (origin, name) in _WORDS:
            return _catalogued(_WORDS[origin, name].format(value), value)
        if name == "record_type":
            return _catalogued(f"record_type.{value}", value)
        kind = _record_type(origin, record_type)
        if kind is not None:
            return _catalogued(f"value.{kind}.{name}.{value}", value)
        return self.enums.get(name, {}).get(value, value)


# Fields whose codes the catalogue puts in words, by origin: the key of a value's words.
_WORDS = {
    ("deliveries", "status"): "delivery.status.{}",
    ("quarantine", "status"): "quarantine.status.{}",
    ("audit", "action"): "audit.action.{}",
    ("cases", "kind"): "hotline.kind.{}",
    ("cases", "stage"): "hotline.stage.{}",
    ("cases", "decision"): "hotline.decision.{}",
}


def field_label(origin: str, record_type: str | None, name: str) -> str:
    """The Chinese label of a field a report groups by: 县区, 主体类型 (`entity_type`), 交付平台 (`target`)."""
    if name in GROUP_LABELS:
        return GROUP_LABELS[name]
    key = f"reports.field.{origin}.{name}"
    if key in MESSAGES["zh-CN"]:
        return translate("zh-CN", key)
    kind = _record_type(origin, record_type)
    return _catalogued(f"field.{kind}.{name}", name) if kind else name


def _record_type(origin: str, record_type: str | None) -> str | None:
    """The record type whose fields and values a row of ORIGIN has (the register's are market entities)."""
    if origin == "records":
        return record_type
    return "entity" if origin == "entities" else None


def _catalogued(key: str, default: str) -> str:
    return translate("zh-CN", key) if key in MESSAGES["zh-CN"] else default


def _target_titles(root: Path | None) -> dict[str, str]:
    """Each target's title by its name; none when the workspace is not known or its targets cannot be read (the
    names then stand for themselves)."""
    if root is None:
        return {}
    from zhizhi.delivery import load_targets

    try:
        return {target.name: target.title for target in load_targets(root) if target.title}
    except ZhizhiError:
        return {}


def _latest(session: Session, list_name: str) -> Any:
    return (
        select(func.max(CodeListVersion.id))
        .join(CodeList, CodeList.id == CodeListVersion.list_id)
        .where(CodeList.name == list_name)
        .scalar_subquery()
    )


def _codes(session: Session, list_name: str, level: int | None) -> list[tuple[str, str]]:
    query = select(Code.code, Code.name).where(Code.version_id == _latest(session, list_name))
    return [(c, n) for c, n in session.execute(query)]


def _codes_with_parent(session: Session, list_name: str) -> list[tuple[str, str, str | None]]:
    query = select(Code.code, Code.name, Code.parent).where(
        Code.version_id == _latest(session, list_name), func.length(Code.code) <= 2
    )
    return [(c, n, p) for c, n, p in session.execute(query)]
