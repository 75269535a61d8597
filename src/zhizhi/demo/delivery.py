"""Where the demo city delivers: the provincial supervision platform (HTTP), the city data-sharing platform (SQL),
and the hotline desk's answers to the 12315 and 12345 platforms (files).

`write_demo_targets` writes the target files into the workspace's `targets/` (before the exports are ingested,
so that ingest owes each new entity version to both) and the city platform's table:

- `province`, 广西市场监管一体化平台 (`zhizhi.demo.province`, started by `zhizhi demo`), over HTTP: each market
  entity in the platform's field names, its industry code in the platform's 8-digit list; some are refused with
  the platform's E-codes.
- `city`, 柳州市公共数据共享平台 (a SQLite file, `data/city-share.db`), over SQL: each market entity, one row per
  credit code in its table `market_entity`.
- `12315` (全国12315平台) and `12345` (12345政务服务便民热线): the desk's answers to each channel's tickets, in the
  platform's own field names, each batch a file in `data/platforms/CHANNEL/` (12315 GBK CSV, 12345 Excel), the way
  both take a batch of replies; a file written is acknowledged.

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

from zhizhi.config import load_workspace
from zhizhi.config.files import parse_yaml
from zhizhi.delivery import load_targets
from zhizhi.delivery.send import SendReport, send_once
from zhizhi.delivery.targets import FILES, TARGETS_FOLDER, TargetConfig
from zhizhi.demo.province import DB_FILE as PROVINCE_DB_FILE
from zhizhi.ledger import sign_if_due

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

HOTLINE_12315 = Template("""\
# 全国12315平台: the desk's answers to the tickets it exported (its 处理结果反馈), in its field names; each batch a GBK
# CSV dropped in data/platforms/12315/ for the platform's batch import (a file written is acknowledged).
name: '12315'
title: 全国12315平台
owner: LZ-TSJB
record_types: [ticket_answer]
filter:
  sources: [answers-12315-lz-tsjb]
fields:
  登记编号: number
  处理状态代码: status_code
  处理状态: status_text
  不予受理理由: reason
  处理结果: result
  承办单位: office
  反馈时间: answered_at
  案件编号: case_number
transport:
  kind: file
  folder: $folder
  format: csv
  encoding: gbk
  filename: 12315-处理结果反馈-{time}-{first_id}.{ext}
  batch_size: 200
""")

HOTLINE_12345 = Template("""\
# 12345政务服务便民热线: the desk's answers to its work orders (工单办理回复), in the work-order system's field names;
# each batch an Excel sheet dropped in data/platforms/12345/ for its batch reply import (a file written is
# acknowledged).
name: '12345'
title: 12345政务服务便民热线
owner: LZ-TSJB
record_types: [ticket_answer]
filter:
  sources: [answers-12345-lz-tsjb]
fields:
  工单编号: number
  办理状态代码: status_code
  办理状态: status_text
  办理结果: result
  不予受理理由: reason
  办理单位: office
  回复时间: answered_at
transport:
  kind: file
  folder: $folder
  format: xlsx
  filename: 12345-工单回复-{time}-{first_id}.{ext}
  batch_size: 200
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


def hotline_folder(root: Path, channel: str) -> Path:
    """Where the demo's answers to a hotline channel's platform are dropped."""
    return root / DATA_FOLDER / "platforms" / channel


def write_demo_targets(root: Path, province_url: str) -> list[Path]:
    """Write `targets/province.yaml` (sending to `province_url`), `targets/city.yaml`, `targets/12315.yaml` and
    `targets/12345.yaml`, each checked to load, and create the city platform's table when it is missing; returns the
    four paths."""
    share = share_store(root)
    share.parent.mkdir(parents=True, exist_ok=True)
    with sqlite3.connect(share) as db:
        db.execute(SHARE_SCHEMA)
    db.close()
    texts = {
        "province": PROVINCE.substitute(url=province_url),
        "city": CITY.substitute(url=f"sqlite:///{share.resolve().as_posix()}"),
        "12315": HOTLINE_12315.substitute(folder=hotline_folder(root, "12315").resolve().as_posix()),
        "12345": HOTLINE_12345.substitute(folder=hotline_folder(root, "12345").resolve().as_posix()),
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
    with sessions() as session, session.begin():  # what was recorded, signed (as `zhizhi targets send` does)
        sign_if_due(session, load_workspace(root).keys_dir, every_entries=1, every_minutes=0)
    return done
