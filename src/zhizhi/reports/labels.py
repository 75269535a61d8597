"""Names for a report's group keys: departments by their code and name, divisions and counties from GB/T 2260,
industry sections from GB/T 4754-2017, enum values in Chinese."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from sqlalchemy import func, select
from sqlalchemy.orm import Session

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

    @classmethod
    def of(cls, session: Session) -> Labels:
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
        return cls(departments, divisions, sections, names, enums)

    def describe(self, groups: list[str], key: tuple[Any, ...]) -> dict[str, Any]:
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
                row[f"{group}_name"] = self.enums.get(group, {}).get(str(value), str(value))
        return row


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
