"""Where the demo city delivers: the provincial supervision platform (HTTP) and the city data-sharing platform (SQL).

`write_demo_targets` writes the two target files into the workspace's `targets/` (before the exports are ingested,
so that ingest owes each new entity version to both) and the city platform's table:

- `province`, 广西市场监管一体化平台 (`zhizhi.demo.province`, started by `zhizhi demo`), over HTTP: each market
  entity in the platform's field names, its industry code in the platform's 8-digit list; some are refused with
  the platform's E-codes.
- `city`, 柳州市公共数据共享平台 (a SQLite file, `data/city-share.db`), over SQL: each market entity, one row per
  credit code in its table `market_entity`.

The province's address changes with every run (a free port), and the city's file is named by its absolute path
(a relative SQLite path would be taken from wherever zhizhi runs), so both files are written again on each run.
`send_due` then sends each target what is due, batch after batch, until nothing is.
"""

from __future__ import annotations

import sqlite3
from collections.abc import Callable
from pathlib import Path
from string import Template

from sqlalchemy.orm import Session, sessionmaker

from zhizhi.config.files import parse_yaml
from zhizhi.delivery import load_targets
from zhizhi.delivery.send import SendReport, send_once
from zhizhi.delivery.targets import FILES, TARGETS_FOLDER, TargetConfig
from zhizhi.demo.province import DB_FILE as PROVINCE_DB_FILE

SHARE_DB_FILE = "city-share.db"
SHARE_TABLE = "market_entity"
DATA_FOLDER = "data"

PROVINCE = Template("""\
# 广西市场监管一体化平台: the demo's stand-in for the province's supervision platform, a small HTTP receiver that
# `zhizhi demo` starts (zhizhi.demo.province) and whose address it writes here on every run. Each market entity of
# the registration export, in the platform's field names, with industry codes in its 8-digit list.
name: province
title: 广西市场监管一体化平台
owner: LZ-XY
record_types: [entity]
filter:
  sources: [dengji]
fields:
  TYSHXYDM: uscc
  QYMC: name
  ZTLX: entity_type
  FDDBR: legal_representative
  ZS: address
  XZQH: address_division_code
  HYDM: {field: industry_code, code_list: guangxi-industry-8}
  CLRQ: founded_on
  DJZT: status
  LXDH: phone                    # the registration export has no phone column: empty
  SJLY: {value: 柳州市市场监督管理局}
transport:
  kind: http
  url: $url
  timeout: 10
  batch_size: 200
# The platform refuses records with codes of its own; these are the words a steward reads.
reasons:
  E1021: 名称与统一社会信用代码不符
  E2003: 缺少联系电话
  E3008: 行业代码已停用
""")

CITY = Template("""\
# 柳州市公共数据共享平台: the city's data-sharing platform, here a SQLite file in the workspace (data/city-share.db)
# with one row per market entity in its table market_entity, keyed by the credit code. In production the URL would
# come from an environment variable (`url_env`), as it holds a password.
name: city
title: 柳州市公共数据共享平台
owner: LZ-BGS
record_types: [entity]
filter:
  sources: [dengji]
fields:
  TYSHXYDM: uscc
  QYMC: name
  ZTLX: entity_type
  FDDBR: legal_representative
  ZS: address
  XZQH: address_division_code
  HYDM: industry_code            # GB/T 4754-2017, as the hub keeps it
  CLRQ: founded_on
  DJZT: status
transport:
  kind: sql
  url: $url
  table: market_entity
  key: [TYSHXYDM]
""")

SHARE_SCHEMA = f"""
CREATE TABLE IF NOT EXISTS {SHARE_TABLE} (
    TYSHXYDM TEXT PRIMARY KEY,
    QYMC TEXT NOT NULL,
    ZTLX TEXT,
    FDDBR TEXT,
    ZS TEXT,
    XZQH TEXT,
    HYDM TEXT,
    CLRQ DATE,
    DJZT TEXT,
    zhizhi_key TEXT NOT NULL
)
"""


def province_store(root: Path) -> Path:
    """The province platform's own SQLite file in the workspace."""
    return root / DATA_FOLDER / PROVINCE_DB_FILE


def share_store(root: Path) -> Path:
    """The city data-sharing platform's SQLite file in the workspace."""
    return root / DATA_FOLDER / SHARE_DB_FILE


def write_demo_targets(root: Path, province_url: str) -> list[Path]:
    """Write `targets/province.yaml` (sending to `province_url`) and `targets/city.yaml`, each checked to load, and
    create the city platform's table when it is missing; returns the two paths."""
    share = share_store(root)
    share.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(share) as db:
        db.execute(SHARE_SCHEMA)
    db.close()
    texts = {
        "province": PROVINCE.substitute(url=province_url),
        "city": CITY.substitute(url=f"sqlite:///{share.resolve().as_posix()}"),
    }
    (root / TARGETS_FOLDER).mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in texts.items():
        parse_yaml(text, f"{TARGETS_FOLDER}/{name}.yaml", TargetConfig)
        path = FILES.path(root, name)
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths


def send_due(
    sessions: sessionmaker[Session], root: Path, on_batch: Callable[[str, SendReport], None] | None = None
) -> dict[str, dict[str, int]]:
    """Send each target of the workspace what is due, batch after batch, until nothing is due; per target, how
    many deliveries reached each state (`retry` for a platform that could not be reached)."""
    done: dict[str, dict[str, int]] = {}
    for target in load_targets(root):
        states = done.setdefault(target.name, {})
        while (report := send_once(sessions, target)).claimed:
            for state, count in report.states.items():
                states[state] = states.get(state, 0) + count
            if on_batch is not None:
                on_batch(target.name, report)
    return done
