"""A hand-counted city for reports: six market entities from two departments' files, ingested as JSON lines.

| row | name | county | type | founded | status | industry | department |
|---|---|---|---|---|---|---|---|
| A | 甲 | 城中区 450202 | 个体工商户 | 2026-11-03 | active | 6210 (H) | LZ-CZ |
| B | 乙 | 城中区 450202 | 个体工商户 | 2026-11-20 | cancelled | 5211 (F) | LZ-CZ |
| C | 丙 | 城中区 450202 | 有限责任公司 | 2026-10-15 | active | 5211 (F) | LZ-CZ |
| D | 丁 | 鱼峰区 450203 | 有限责任公司 | 2026-11-30 | active | 6210 (H) | LZ-CZ |
| E | 戊 | 鱼峰区 450203 | 个体工商户 | 2026-11-01 | active | 6210 (H) | LZ-YF |
| F | 己 | 柳南区 450204 | 个体工商户 | 2025-01-01 | cancelled | none | LZ-YF |
"""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path
from typing import Any

import pytest
import yaml
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from zhizhi.config import Workspace
from zhizhi.delivery import Outbox
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.sources import load_source

COUNTIES = {"城中区": "450202", "鱼峰区": "450203", "柳南区": "450204"}
ROWS = {
    "LZ-CZ": [
        ("甲", "城中区", "个体工商户", "2026-11-03", "active", "6210"),
        ("乙", "城中区", "个体工商户", "2026-11-20", "cancelled", "5211"),
        ("丙", "城中区", "有限责任公司", "2026-10-15", "active", "5211"),
        ("丁", "鱼峰区", "有限责任公司", "2026-11-30", "active", "6210"),
    ],
    "LZ-YF": [
        ("戊", "鱼峰区", "个体工商户", "2026-11-01", "active", "6210"),
        ("己", "柳南区", "个体工商户", "2025-01-01", "cancelled", ""),
    ],
}
FIELDS = ("name", "entity_type", "address", "founded_on", "status", "industry_code")

ENTITIES = """\
name: entities
title: 市场主体发展情况
requester: 市政府办公室
department: LZ
frequency: monthly
minutes: 90
query:
  from: records
  record_type: entity
  period: founded_on
  group_by: [county]
measures:
  - {name: new, label: 本期新设, kind: count}
  - {name: in_business, label: 在业, kind: count, where: {status: active}, period: false}
  - {name: cancelled, label: 注销, kind: count, where: {status: cancelled}, period: false}
  - {name: new_change, label: 新设增减, kind: change, of: new}
  - {name: person_share, label: 个体户占比, kind: share, of: new, where: {entity_type: 个体工商户}}
"""


def entity_line(name: str, county: str, kind: str, founded: str, status: str, industry: str) -> dict[str, Any]:
    return {
        "name": f"柳州市{name}商贸有限公司" if kind != "个体工商户" else f"柳州市{county}{name}便利店",
        "entity_type": kind,
        "address": f"广西壮族自治区柳州市{county}{name}路1号",
        "founded_on": founded,
        "status": status,
        "industry_code": industry,
    }


def ingest_rows(workspace: Workspace, sessions: sessionmaker[Session], department: str, rows: list[Any]) -> None:
    """Ingest `rows` as the entity source of `department` (its file written on first use)."""
    name = f"ents-{department.lower()}"
    path = workspace.root / "sources" / f"{name}.yaml"
    if not path.exists():
        body = {"name": name, "department": department, "record_type": "entity", "reader": "jsonl",
                "fields": {f: f for f in FIELDS}}  # fmt: skip
        path.write_text(yaml.safe_dump(body, allow_unicode=True), encoding="utf-8")
    data = workspace.root / "data" / f"{name}-{len(list((workspace.root / 'data').glob(name + '*')))}.jsonl"
    data.write_text("".join(json.dumps(entity_line(*r), ensure_ascii=False) + "\n" for r in rows), encoding="utf-8")
    with sessions() as session, session.begin():
        source = load_source(workspace.root, name)
        ingest_file(session, OPERATOR, source, data, today=date(2026, 12, 5), outbox=Outbox.of(workspace.root))


@pytest.fixture
def town(workspace: Workspace, city: sessionmaker[Session]) -> tuple[Workspace, sessionmaker[Session]]:
    """The workspace with the six entities in, and the report `entities` defined."""
    for department, rows in ROWS.items():
        ingest_rows(workspace, city, department, rows)
    write_report(workspace.root, ENTITIES)
    return workspace, city


def write_report(root: Path, text: str) -> None:
    name = yaml.safe_load(text)["name"]
    (root / "reports").mkdir(exist_ok=True)
    (root / "reports" / f"{name}.yaml").write_text(text, encoding="utf-8")
