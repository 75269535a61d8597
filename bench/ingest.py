"""How fast zhizhi ingests 1,000,000 rows from three department exports, beside a floor and a pandera peer.

Steps (`--steps`, comma-separated; all by default):

- `generate`: three seeded CSV exports whose rows add up to `--rows` (40 % / 35 % / 25 %) and their source files,
  written to `--out` (a temporary folder by default): a registration export (`entity`, GBK), a food-licence ledger
  (`licence`, UTF-8 with BOM) and an inspection log (`inspection`, UTF-8). About 2 % of the data rows carry one
  kind of dirt each (a wrong check character, an impossible or future date, a blank required field, an unknown
  status or result word, an over-long value, full-width characters, a bad phone); which rows and how many of each
  kind is recorded in `manifest.json`, with the outcome each kind should have (quarantined or accepted). Each file
  also holds a few blank rows and a 合计 row, which the reader skips.
- `zhizhi`: in a fresh process, the three files in sequence in one `IngestRun`, each in its own transaction and each
  read while the one before is written, as `zhizhi ingest` does with several files, into a fresh, migrated SQLite
  file holding the built-in code lists and the demo city's departments (prepared in another process before the timer).
- `floor`: in a fresh process, polars reads the same files (decoded in Python first where they are not plain
  UTF-8) as text columns and writes them, unchecked, to a fresh SQLite file with zhizhi's settings (WAL,
  synchronous=NORMAL, 16 KiB pages): one table per file, one executemany of the rows in one transaction.
- `duckdb`: the same floor with DuckDB reading the CSV files (GBK re-encoded to a UTF-8 file first).
- `peer`: in a fresh process, the same checks written as pandera schemas (polars backend), run with `lazy=True`
  over the same files read with polars: read + validate, nothing stored.

    python bench/ingest.py                                  # 1,000,000 rows, every step, files in a temp folder
    python bench/ingest.py --rows 100000 --out /tmp/ingest-bench
    python bench/ingest.py --out /tmp/ingest-bench --steps zhizhi   # again, on the files generated before

pandera is a bench extra, never needed by zhizhi itself: `pip install -e '.[bench]'`.

Peak memory is `ru_maxrss` of each measuring process after it reset its high-water mark (`/proc/self/clear_refs`)
just before the timed part, so imports and preparation do not hide it.
"""

from __future__ import annotations

import argparse
import csv
import importlib.util
import io
import json
import multiprocessing
import os
import platform
import random
import resource
import sqlite3
import sys
import tempfile
import time
from collections import Counter
from collections.abc import Callable, Iterator
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import Any, TypeVar

# polars, zhizhi, pandera and duckdb are imported inside the steps: each measuring process loads only its own.

T = TypeVar("T")

TODAY = date(2026, 11, 28)  # checks run as on this day (founding dates not after it, licences up to 10 years on)
SEED = 20261128
DIRT_SHARE = 0.02
STEPS = ("generate", "zhizhi", "floor", "duckdb", "peer")
INSTALL_HINT = "pip install -e '.[bench]'  (from the repository root; the bench extra is pandera)"

# ---------------------------------------------------------------------------------------------------- the sources


@dataclass(frozen=True)
class Source:
    """One export: its source name, file, encoding as written, share of the rows, header and source file."""

    name: str
    file: str
    encoding: str  # Python codec the file is written (and, for the floor, decoded) with
    share: float
    header: tuple[str, ...]
    yaml: str


REGISTRATION = Source(
    name="bench_dengji",
    file="dengji_export.csv",
    encoding="gbk",
    share=0.40,
    header=(
        "统一社会信用代码",
        "企业名称",
        "市场主体类型",
        "法定代表人",
        "住所",
        "联系电话",
        "行业代码",
        "成立日期",
        "登记机关",
        "登记状态",
    ),
    yaml="""\
# 登记注册系统导出 (bench): GBK, one row per market entity; 行业代码 still in GB/T 4754-2011.
name: bench_dengji
title: 登记注册系统导出（基准）
department: LZ-DJ
record_type: entity
reader: csv
encoding: gbk
default_prefecture: "450200"
default_area_code: "0772"
fields:
  uscc: 统一社会信用代码
  name: 企业名称
  entity_type: 市场主体类型
  legal_representative: 法定代表人
  address: 住所
  phone: 联系电话
  industry_code:
    column: 行业代码
    code_list: gbt4754-2011
  founded_on: 成立日期
  registration_authority: 登记机关
  status: 登记状态
""",
)
LICENCES = Source(
    name="bench_xuke",
    file="food_licences.csv",
    encoding="utf-8-sig",
    share=0.35,
    header=(
        "许可证编号",
        "许可证种类",
        "经营者名称",
        "统一社会信用代码",
        "法定代表人（负责人）",
        "经营场所",
        "主体业态",
        "有效期起",
        "有效期至",
        "发证机关",
    ),
    yaml="""\
# 食品经营许可证发放台账 (bench): UTF-8 with a BOM (detected).
name: bench_xuke
title: 食品经营许可台账（基准）
department: LZ-SP
record_type: licence
reader: csv
default_prefecture: "450200"
default_area_code: "0772"
fields:
  number: 许可证编号
  kind: 许可证种类
  holder_name: 经营者名称
  holder_uscc: 统一社会信用代码
  legal_representative: 法定代表人（负责人）
  address: 经营场所
  business_format: 主体业态
  valid_from: 有效期起
  valid_to: 有效期至
  issuer: 发证机关
""",
)
INSPECTIONS = Source(
    name="bench_jiancha",
    file="inspections.csv",
    encoding="utf-8",
    share=0.25,
    header=(
        "检查编号",
        "被检查对象",
        "统一社会信用代码",
        "检查地点",
        "检查日期",
        "执法人员",
        "检查事项",
        "检查结论",
        "处理措施",
    ),
    yaml="""\
# 双随机检查记录 (bench): UTF-8 without a BOM (detected).
name: bench_jiancha
title: 双随机检查记录（基准）
department: LZ-CZ-ZN
record_type: inspection
reader: csv
default_prefecture: "450200"
default_area_code: "0772"
fields:
  number: 检查编号
  entity_name: 被检查对象
  entity_uscc: 统一社会信用代码
  address: 检查地点
  inspected_on: 检查日期
  inspectors: 执法人员
  items: 检查事项
  result:
    column: 检查结论
    transforms:
      - map: {责令限期整改: 责令整改, 整改到位: 合格, 复查合格: 合格, 查无此户: 查无下落}
  follow_up: 处理措施
""",
)
SOURCES = (REGISTRATION, LICENCES, INSPECTIONS)
MAPPED_RESULTS = {"责令限期整改": "责令整改", "整改到位": "合格", "复查合格": "合格", "查无此户": "查无下落"}

# Dirt kinds per source, each with the outcome zhizhi should give the row: "quarantined" (a hard finding) or
# "accepted" (cleaned, or kept with a soft warning). Each dirty row gets exactly one kind.
DIRT: dict[str, dict[str, str]] = {
    REGISTRATION.name: {
        "uscc_check_char": "quarantined",
        "founded_impossible": "quarantined",
        "founded_future": "quarantined",
        "name_blank": "quarantined",
        "status_unknown": "quarantined",
        "industry_unknown": "quarantined",
        "uscc_full_width": "accepted",
        "name_full_width": "accepted",
        "phone_bad": "accepted",
    },
    LICENCES.name: {
        "uscc_check_char": "quarantined",
        "number_blank": "quarantined",
        "number_too_long": "quarantined",
        "holder_blank": "quarantined",
        "valid_to_impossible": "quarantined",
        "valid_to_far": "quarantined",
        "number_full_width": "accepted",
        "valid_from_full_width": "accepted",
    },
    INSPECTIONS.name: {
        "uscc_check_char": "quarantined",
        "date_impossible": "quarantined",
        "date_two_digit_year": "quarantined",
        "date_blank": "quarantined",
        "result_blank": "quarantined",
        "result_unknown": "quarantined",
        "entity_blank": "quarantined",
        "items_too_long": "quarantined",
        "uscc_full_width": "accepted",
        "inspectors_comma": "accepted",
    },
}

# ------------------------------------------------------------------------------------------------------ the city

DISTRICTS = (
    ("城中区", "450202"),
    ("鱼峰区", "450203"),
    ("柳南区", "450204"),
    ("柳北区", "450205"),
    ("柳江区", "450206"),
    ("柳城县", "450222"),
)
ROADS = (
    "文昌路 五一路 弯塘路 东环大道 桂中大道 飞鹅路 柳石路 屏山大道 "
    "驾鹤路 潭中西路 解放北路 龙城路 三中路 革新路 航生路 跃进路"
).split()
SURNAMES = "黄韦覃莫陆蓝梁李陈张王刘周吴廖潘谭蒙罗何"
GIVEN = "芳丽华强军伟敏静秀英明志勇玲海燕红霞斌杰婷平桂兰福生"
BRAND = "桂龙柳壶鑫顺福旺嘉宏盛恒金华祥丰润源鸿荣聚百万新"
TRADES = ("商贸", "餐饮管理", "食品", "科技", "建材", "物业服务", "酒店管理", "汽车服务", "文化传媒", "农业开发")
SHOPS = ("螺蛳粉店", "粉店", "小吃店", "餐馆", "商行", "便利店", "食品店", "经营部", "水果店", "理发店")
ENTITY_TYPES = (
    ("有限责任公司（自然人投资或控股）", "91", 30),
    ("有限责任公司（自然人独资）", "91", 10),
    ("股份有限公司（非上市）", "91", 2),
    ("个体工商户", "92", 55),
    ("农民专业合作社", "93", 3),
)
STATUS_WORDS = (
    ("存续", 45),
    ("在业", 15),
    ("存续（在营、开业、在册）", 10),
    ("开业", 5),
    ("注销", 13),
    ("已注销", 2),
    ("吊销，未注销", 4),
    ("停业", 4),
    ("迁出", 2),
)
UNKNOWN_STATUS = ("经营异常", "待核实", "正常经营", "异常名录")
DATE_FORMS = (("iso", 35), ("slash", 15), ("cn", 25), ("compact", 10), ("dot", 5), ("datetime", 5), ("serial", 5))
FORMATS = (("食品销售经营者", "1", 50), ("餐饮服务经营者", "2", 45), ("单位食堂", "3", 5))
CANTEENS = ("第{}中学食堂", "第{}小学食堂", "人民医院第{}食堂", "第{}建筑工地食堂", "机关第{}食堂")
INSPECTORS = [s + g for s in "黄韦覃莫陆蓝梁李陈张" for g in ("建华", "小梅", "国强", "丽娟", "志勇", "海燕")]
ITEMS = (
    "营业执照公示情况",
    "从业人员健康证明",
    "食品贮存条件",
    "进货查验记录",
    "餐饮具清洗消毒",
    "计量器具检定",
    "价格公示",
    "广告发布情况",
    "特种设备使用登记",
    "产品质量标识",
    "消防通道",
    "过期食品清理",
)
RESULT_WORDS = (
    ("合格", 40),
    ("未发现问题", 15),
    ("符合", 5),
    ("责令整改", 15),
    ("责令限期整改", 8),
    ("基本符合", 3),
    ("不合格", 5),
    ("复查合格", 4),
    ("整改到位", 2),
    ("查无下落", 1),
    ("通过登记的住所无法联系", 1),
    ("查无此户", 1),
)
UNKNOWN_RESULTS = ("待复查", "基本合格", "另行处理", "待定")
FOLLOW_UPS = ("", "", "", "责令7日内整改", "已下达责令改正通知书", "移交稽查", "列入重点监管", "约谈负责人")
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})


def package_data(relative: str) -> Path:
    """A data file shipped inside the zhizhi package, found without importing zhizhi."""
    spec = importlib.util.find_spec("zhizhi")
    if spec is None or not spec.submodule_search_locations:
        sys.exit("zhizhi is not installed: pip install -e '.[test,bench]' from the repository root")
    return Path(next(iter(spec.submodule_search_locations))) / relative


def industry_codes_2011() -> tuple[list[str], set[str]]:
    """The class codes of GB/T 4754-2011 (what the export holds) and every code of that list."""
    with package_data("codes/data/gbt4754_2011.csv").open(encoding="utf-8") as handle:
        rows = list(csv.DictReader(handle))
    return [r["code"] for r in rows if r["level"] == "class"], {r["code"] for r in rows}


# ----------------------------------------------------------------------------------------------------- generate


@dataclass
class Manifest:
    """What `generate` wrote: rows per file (data, skipped), dirt per kind, and the rows each should quarantine."""

    rows: int
    seed: int
    files: dict[str, dict[str, Any]] = field(default_factory=dict)


class Writer:
    """Generates the rows of one source; `dirt` counts the kinds given."""

    def __init__(self, rng: random.Random, source: Source) -> None:
        self.rng = rng
        self.source = source
        self.kinds = list(DIRT[source.name])
        self.dirt: Counter[str] = Counter()

    def pick_dirt(self) -> str | None:
        if self.rng.random() >= DIRT_SHARE:
            return None
        kind = self.rng.choice(self.kinds)
        self.dirt[kind] += 1
        return kind


def credit_code(rng: random.Random, prefix: str, division: str) -> str:
    """A credit code with valid check characters (GB 11714 inside, GB 32100 outside)."""
    body = "".join(rng.choices(USCC_ALPHABET, k=8))
    org_total = sum(int(c, 36) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    org_check = {10: "X", 11: "0"}.get(11 - org_total % 11, str(11 - org_total % 11))
    code = prefix + division + body + org_check
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code, USCC_WEIGHTS, strict=True))
    return code + USCC_ALPHABET[(31 - total % 31) % 31]


def broken_check_char(code: str) -> str:
    return code[:17] + USCC_ALPHABET[(USCC_ALPHABET.index(code[17]) + 1) % 31]


def person(rng: random.Random) -> str:
    return rng.choice(SURNAMES) + "".join(rng.choices(GIVEN, k=rng.choice((1, 2))))


def day_between(rng: random.Random, first: date, last: date) -> date:
    return first + timedelta(days=rng.randrange((last - first).days + 1))


def written(day: date, form: str) -> str:
    """A date as a clerk types it."""
    y, m, d = day.year, day.month, day.day
    if form == "iso":
        return f"{y}-{m:02d}-{d:02d}"
    if form == "slash":
        return f"{y}/{m}/{d}"
    if form == "cn":
        return f"{y}年{m}月{d}日"
    if form == "compact":
        return f"{y}{m:02d}{d:02d}"
    if form == "dot":
        return f"{y}.{m}.{d}"
    if form == "datetime":
        return f"{y}-{m:02d}-{d:02d} 00:00:00"
    return str((day - date(1899, 12, 30)).days)  # an Excel serial


def impossible(day: date, rng: random.Random) -> str:
    """A date that does not exist, in the year of `day`: 30 February or the 31st of a 30-day month."""
    month, dd = rng.choice(((2, 30), (4, 31), (6, 31), (9, 31), (11, 31)))
    return rng.choice((f"{day.year}-{month:02d}-{dd:02d}", f"{day.year}年{month}月{dd}日", f"{day.year}/{month}/{dd}"))


def weighted(rng: random.Random, table: tuple[tuple[Any, ...], ...]) -> tuple[Any, ...]:
    return rng.choices(table, weights=[row[-1] for row in table])[0]


def phone(rng: random.Random) -> str:
    roll = rng.random()
    mobile = f"1{rng.choice('35789')}{rng.randrange(10**9):09d}"
    if roll < 0.45:
        return mobile
    if roll < 0.55:
        return f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}"
    landline = str(rng.randrange(2_000_000, 9_000_000))
    if roll < 0.80:
        return f"0772-{landline}"
    if roll < 0.90:
        return landline  # the area code is the source's default
    return ""


@dataclass
class Entity:
    """An entity of the registration export, as licences and inspections refer to it."""

    name: str
    code: str
    district: str
    street: str


def generate(out: Path, rows: int) -> Manifest:
    """Write the three exports, their source files and manifest.json into `out`."""
    out.mkdir(parents=True, exist_ok=True)
    rng = random.Random(SEED)
    counts = [round(rows * s.share) for s in SOURCES[:-1]]
    counts.append(rows - sum(counts))
    manifest = Manifest(rows=rows, seed=SEED)
    classes, every_code = industry_codes_2011()
    unknown_codes = [c for c in ("9999", "0000", "5300", "1234", "8888", "A123", "05399") if c not in every_code]
    entities: list[Entity] = []
    makers: tuple[Callable[[Writer], Iterator[list[str]]], ...] = (
        lambda w: _registration(w, entities, classes, unknown_codes),
        lambda w: _licences(w, entities),
        lambda w: _inspections(w, entities),
    )
    for source, count, make in zip(SOURCES, counts, makers, strict=True):
        writer = Writer(rng, source)
        blanks = count // 100_000 + 1
        data_rows = count - blanks - 1  # and one 合计 row at the end
        blank_at = {int(data_rows * (i + 1) / (blanks + 1)) for i in range(blanks)}
        path = out / source.file
        started = time.perf_counter()
        with path.open("w", encoding=source.encoding, newline="") as handle:
            out_csv = csv.writer(handle)
            out_csv.writerow(source.header)
            rows_made = make(writer)
            block: list[list[str]] = []
            for n in range(data_rows):
                if n in blank_at:
                    block.append([""] * len(source.header))
                block.append(next(rows_made))
                if len(block) >= 20_000:
                    out_csv.writerows(block)
                    block.clear()
            block.append(["合计", f"{data_rows}条"] + [""] * (len(source.header) - 2))
            out_csv.writerows(block)
        quarantined = sum(n for kind, n in writer.dirt.items() if DIRT[source.name][kind] == "quarantined")
        manifest.files[source.name] = {
            "file": source.file,
            "encoding": source.encoding,
            "rows": count,
            "data_rows": data_rows,
            "skipped": blanks + 1,
            "dirt": dict(sorted(writer.dirt.items())),
            "dirty_rows": sum(writer.dirt.values()),
            "expected_quarantined": quarantined,
            "bytes": path.stat().st_size,
        }
        (out / f"{source.name}.yaml").write_text(source.yaml, encoding="utf-8")
        print(
            f"generated {source.file}: {count:,} rows ({data_rows:,} data, {sum(writer.dirt.values()):,} dirty, "
            f"{quarantined:,} to quarantine) in {time.perf_counter() - started:.1f} s",
            file=sys.stderr,
        )
    (out / "manifest.json").write_text(json.dumps(asdict(manifest), ensure_ascii=False, indent=2), encoding="utf-8")
    return manifest


def _registration(w: Writer, pool: list[Entity], classes: list[str], unknown: list[str]) -> Iterator[list[str]]:
    rng = w.rng
    first, last = date(1992, 1, 1), date(2026, 11, 20)
    while True:
        district, division = rng.choice(DISTRICTS)
        kind, prefix, _ = weighted(rng, ENTITY_TYPES)
        rep = person(rng)
        if prefix == "92":
            brand = rng.choice((f"{rep[0]}记", f"阿{rep[-1]}", "".join(rng.sample(BRAND, 2))))
            name = f"柳州市{district}{brand}{rng.choice(SHOPS)}"
        elif prefix == "93":
            name = f"柳州市{district}{''.join(rng.sample(BRAND, 2))}种养专业合作社"
        else:
            name = f"柳州市{''.join(rng.sample(BRAND, rng.choice((2, 3))))}{rng.choice(TRADES)}有限公司"
        street = f"{rng.choice(ROADS)}{rng.randint(1, 399)}号"
        if rng.random() < 0.3:
            street += f"{rng.randint(1, 30)}栋{rng.randint(1, 20):02d}号门面"
        code = credit_code(rng, prefix, division)
        pool.append(Entity(name, code, district, street))
        roll = rng.random()
        if roll < 0.5:
            address = f"广西壮族自治区柳州市{district}{street}"
        elif roll < 0.75:
            address = f"柳州市{district}{street}"
        else:
            address = f"{district}{street}"  # the source's default prefecture places it
        founded = day_between(rng, first, last)
        row = [
            code,
            name,
            kind,
            rep,
            address,
            phone(rng),
            rng.choice(classes),
            written(founded, weighted(rng, DATE_FORMS)[0]),
            f"柳州市{district}市场监督管理局",
            weighted(rng, STATUS_WORDS)[0],
        ]
        dirt = w.pick_dirt()
        if dirt == "uscc_check_char":
            row[0] = broken_check_char(code)
        elif dirt == "uscc_full_width":
            row[0] = code.translate(FULL_WIDTH)
        elif dirt == "founded_impossible":
            row[7] = impossible(founded, rng)
        elif dirt == "founded_future":
            row[7] = written(day_between(rng, date(2027, 1, 1), date(2029, 12, 31)), "iso")
        elif dirt == "name_blank":
            row[1] = rng.choice(("", " ", "　"))
        elif dirt == "name_full_width":
            row[1] = name.replace("柳州市", "柳州市ＬＺ", 1) + rng.choice(("（１号店）", "（Ａ区）"))
        elif dirt == "status_unknown":
            row[9] = rng.choice(UNKNOWN_STATUS)
        elif dirt == "industry_unknown":
            row[6] = rng.choice(unknown)
        elif dirt == "phone_bad":
            row[5] = rng.choice(("0772-123", "1380013800", "不详", "+1 415 555 2671"))
        yield row


def _licences(w: Writer, pool: list[Entity]) -> Iterator[list[str]]:
    rng = w.rng
    first, last = date(2020, 7, 1), date(2026, 11, 13)
    sequence = 0
    while True:
        sequence += 1
        fmt, digit, _ = weighted(rng, FORMATS)
        if rng.random() < 0.9 and pool:
            holder = rng.choice(pool)
            name = holder.name if rng.random() < 0.8 else holder.name.removeprefix("柳州市")
            code = holder.code if rng.random() < 0.95 else ""
            district, street = holder.district, holder.street
        else:  # canteens and branches the registration export does not hold
            district, division = rng.choice(DISTRICTS)
            name = f"柳州市{district}" + rng.choice(CANTEENS).format(rng.randint(1, 60))
            code = credit_code(rng, "12", division)
            street = f"{rng.choice(ROADS)}{rng.randint(1, 399)}号"
        division = next(c for n, c in DISTRICTS if n == district)
        number = f"JY{digit}{division}{sequence % 1_000_000:06d}{rng.randrange(10)}"
        valid_from = day_between(rng, first, last)
        valid_to = date(valid_from.year + 5, valid_from.month, min(valid_from.day, 28)) - timedelta(days=1)
        form = rng.choice(("iso", "iso", "cn", "slash"))
        row = [
            number,
            "食品经营许可证",
            name,
            code,
            person(rng),
            f"柳州市{district}{street}" if rng.random() < 0.7 else f"{district}{street}",
            fmt,
            written(valid_from, form),
            written(valid_to, form),
            f"柳州市{district}市场监督管理局",
        ]
        dirt = w.pick_dirt()
        if dirt == "uscc_check_char":
            row[3] = broken_check_char(code or credit_code(rng, "91", division))
        elif dirt == "number_blank":
            row[0] = ""
        elif dirt == "number_too_long":
            old = f"JY{digit}{division}{rng.randrange(10**7):07d}"
            row[0] = (
                f"{number}（原证号{old}，2021年换发新证，旧证已收回并登记销毁，见换证台账第{rng.randint(1, 300)}页）"
            )
        elif dirt == "number_full_width":
            row[0] = number.translate(FULL_WIDTH)
        elif dirt == "holder_blank":
            row[2] = ""
        elif dirt == "valid_to_impossible":
            row[8] = impossible(valid_to, rng)
        elif dirt == "valid_to_far":
            row[8] = written(day_between(rng, date(2040, 1, 1), date(2099, 12, 31)), form)
        elif dirt == "valid_from_full_width":
            row[7] = written(valid_from, "iso").translate(FULL_WIDTH)
        yield row


def _inspections(w: Writer, pool: list[Entity]) -> Iterator[list[str]]:
    rng = w.rng
    first, last = date(2025, 1, 6), date(2026, 11, 20)
    sequence = 0
    while True:
        sequence += 1
        holder = rng.choice(pool)
        day = day_between(rng, first, last)
        code = holder.code if rng.random() < 0.4 else ""  # the credit code is often left out
        items = "、".join(rng.sample(ITEMS, rng.randint(1, 4)))
        result = weighted(rng, RESULT_WORDS)[0]
        row = [
            f"JC{day.year}{sequence:07d}",
            holder.name if rng.random() < 0.7 else holder.name.removeprefix("柳州市"),
            code,
            f"{holder.district}{holder.street}",
            written(day, rng.choice(("iso", "iso", "cn", "slash", "datetime"))),
            "、".join(rng.sample(INSPECTORS, 2)),
            items,
            result,
            rng.choice(FOLLOW_UPS) if result not in ("合格", "未发现问题", "符合") else "",
        ]
        dirt = w.pick_dirt()
        if dirt == "uscc_check_char":
            row[2] = broken_check_char(holder.code)
        elif dirt == "uscc_full_width":
            row[2] = holder.code.translate(FULL_WIDTH)
        elif dirt == "date_impossible":
            row[4] = impossible(day, rng)
        elif dirt == "date_two_digit_year":
            row[4] = f"{day.year % 100}-{day.month}-{day.day}"
        elif dirt == "date_blank":
            row[4] = ""
        elif dirt == "result_blank":
            row[7] = ""
        elif dirt == "result_unknown":
            row[7] = rng.choice(UNKNOWN_RESULTS)
        elif dirt == "entity_blank":
            row[1] = ""
        elif dirt == "items_too_long":
            row[6] = "、".join(rng.choice(ITEMS) for _ in range(90))  # 90 items: over 500 characters
        elif dirt == "inspectors_comma":
            row[5] = "，".join(rng.sample(INSPECTORS, 2))
        yield row


def read_manifest(out: Path) -> Manifest:
    path = out / "manifest.json"
    if not path.is_file():
        sys.exit(f"{path} is missing: run the `generate` step first (or give --steps generate,...)")
    data = json.loads(path.read_text(encoding="utf-8"))
    return Manifest(rows=data["rows"], seed=data["seed"], files=data["files"])


# ------------------------------------------------------------------------------------------------------- memory


def reset_peak() -> int | None:
    """Reset this process's high-water mark of resident memory (Linux); returns the resident size now, in KiB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        return proc_status_kib("VmRSS")
    except OSError:
        return None


def peak_kib() -> int:
    return resource.getrusage(resource.RUSAGE_SELF).ru_maxrss


def proc_status_kib(name: str) -> int:
    for line in Path("/proc/self/status").read_text().splitlines():
        if line.startswith(f"{name}:"):
            return int(line.split()[1])
    raise OSError(f"no `{name}` in /proc/self/status")


def isolated(step: Callable[..., T], *args: object) -> T:
    """Run one step in a new interpreter and return its result."""
    with ProcessPoolExecutor(max_workers=1, mp_context=multiprocessing.get_context("spawn")) as pool:
        return pool.submit(step, *args).result()


# ------------------------------------------------------------------------------------------------------- zhizhi


@dataclass
class BatchRun:
    source: str
    batch_id: int
    seconds: float
    read: int
    accepted: int
    quarantined: int
    skipped: int
    new: int
    changed: int
    unchanged: int
    peak_kib: int
    start_kib: int | None
    reasons: dict[str, int]
    stored: dict[str, int]


@dataclass
class ZhizhiRun:
    batches: list[BatchRun]
    seconds: float
    peak_kib: int
    start_kib: int | None
    database_bytes: int
    problems: list[str]
    cpu_seconds: float = 0.0  # the process's CPU for the three files, every thread
    writer_cpu_seconds: float = 0.0  # of which the writing thread's (the caller's: the critical path)


def prepare_store(url: str) -> None:
    """Migrate, install the built-in code lists and the demo city's departments (done before any timer)."""
    from sqlalchemy import inspect

    from zhizhi.access import Actor
    from zhizhi.codes import install_builtin
    from zhizhi.demo import load_demo
    from zhizhi.store import display_url, make_engine, make_sessionmaker, upgrade

    actor = Actor.operator("bench")
    engine = make_engine(url)
    if inspect(engine).get_table_names():
        engine.dispose()
        sys.exit(f"the database `{display_url(url)}` is not empty: give a new, empty one (the bench fills it)")
    upgrade(engine)
    with make_sessionmaker(engine)() as session, session.begin():
        install_builtin(session, actor)
        load_demo(session, actor)
    engine.dispose()


def run_zhizhi(url: str, out: str, manifest: dict[str, dict[str, Any]]) -> ZhizhiRun:
    from sqlalchemy import func, select

    from zhizhi.access import Actor
    from zhizhi.delivery import Outbox
    from zhizhi.ingest.pipeline import FileToIngest, IngestRun
    from zhizhi.sources.config import parse_source
    from zhizhi.store import make_engine, make_sessionmaker
    from zhizhi.store.tables import QuarantineItem, RawRow, RecordVersion

    actor = Actor.operator("bench")
    folder = Path(out)
    sources = {s.name: parse_source((folder / f"{s.name}.yaml").read_text("utf-8"), f"{s.name}.yaml") for s in SOURCES}
    engine = make_engine(url)
    sessions = make_sessionmaker(engine)
    with engine.connect():
        pass  # connect before the timer
    batches: list[BatchRun] = []
    problems: list[str] = []
    started_all = time.perf_counter()
    cpu_all, writer_all = time.process_time(), time.thread_time()
    files = [FileToIngest(sources[s.name], folder / s.file, TODAY) for s in SOURCES]
    run = IngestRun(actor, outbox=Outbox())  # each file read while the one before is written, as `zhizhi ingest`
    for n, source in enumerate(SOURCES):
        start = reset_peak()
        started = time.perf_counter()
        with sessions() as session, session.begin():
            result = run.ingest(session, files[n], then=files[n + 1] if n + 1 < len(files) else None)
        seconds = time.perf_counter() - started
        b = result.batch
        report: dict[str, Any] = result.report
        batches.append(
            BatchRun(
                source=source.name,
                batch_id=b.id,
                seconds=seconds,
                read=b.rows_read,
                accepted=b.rows_accepted,
                quarantined=b.rows_quarantined,
                skipped=b.rows_skipped,
                new=b.records_new,
                changed=b.records_changed,
                unchanged=b.records_unchanged,
                peak_kib=peak_kib(),
                start_kib=start,
                reasons={r["code"]: r["rows"] for r in report["reasons"]},
                stored={},
            )
        )
        if result.already:
            problems.append(f"{source.name}: the file was ingested before, nothing was written")
    total_seconds = time.perf_counter() - started_all
    cpu, writer_cpu = time.process_time() - cpu_all, time.thread_time() - writer_all
    total_peak = max(b.peak_kib for b in batches)
    # after the timer: what the store holds for each batch must add up to the batch's counts
    with sessions() as session:
        for run in batches:
            batch_id = run.batch_id
            by_status = dict(
                session.execute(
                    select(RawRow.status, func.count()).where(RawRow.batch_id == batch_id).group_by(RawRow.status)
                ).all()
            )
            run.stored = {
                "raw_accepted": by_status.get("accepted", 0),
                "raw_quarantined": by_status.get("quarantined", 0),
                "raw_skipped": by_status.get("skipped", 0),
                "quarantine_items": session.scalar(
                    select(func.count()).select_from(QuarantineItem).where(QuarantineItem.batch_id == batch_id)
                )
                or 0,
                "versions": session.scalar(
                    select(func.count()).select_from(RecordVersion).where(RecordVersion.batch_id == batch_id)
                )
                or 0,
            }
            problems.extend(_invariants(run, manifest[run.source]))
        size = database_bytes(session, url)
    engine.dispose()
    return ZhizhiRun(batches, total_seconds, total_peak, batches[0].start_kib, size, problems, cpu, writer_cpu)


def database_bytes(session: Any, url: str) -> int:
    """The store's size after the run: the SQLite file with its WAL, or PostgreSQL's database size."""
    from sqlalchemy import text

    if session.get_bind().dialect.name == "postgresql":
        return int(session.scalar(text("SELECT pg_database_size(current_database())")))
    database = Path(url.removeprefix("sqlite:///"))
    return sum(p.stat().st_size for p in database.parent.glob(database.name + "*"))


def _invariants(run: BatchRun, expected: dict[str, Any]) -> list[str]:
    problems = []
    s = run.stored
    if run.read != run.accepted + run.quarantined + run.skipped:
        problems.append(f"{run.source}: read {run.read:,} != accepted + quarantined + skipped")
    if run.read != expected["rows"]:
        problems.append(f"{run.source}: read {run.read:,} rows, {expected['rows']:,} were generated")
    if run.skipped != expected["skipped"]:
        problems.append(f"{run.source}: skipped {run.skipped:,}, {expected['skipped']:,} blank and 合计 rows written")
    if (s["raw_accepted"], s["raw_quarantined"], s["raw_skipped"]) != (run.accepted, run.quarantined, run.skipped):
        problems.append(f"{run.source}: stored raw rows by status {s} differ from the batch's counts")
    if s["quarantine_items"] != run.quarantined:
        problems.append(f"{run.source}: {s['quarantine_items']:,} quarantine items for {run.quarantined:,} rows")
    if s["versions"] != run.new + run.changed:
        problems.append(f"{run.source}: {s['versions']:,} versions stored for {run.new + run.changed:,} new + changed")
    if run.new + run.changed + run.unchanged != run.accepted:
        problems.append(f"{run.source}: new + changed + unchanged != accepted ({run.accepted:,})")
    return problems


# -------------------------------------------------------------------------------------------------------- floor


@dataclass
class FileRun:
    source: str
    rows: int
    seconds: float
    read_seconds: float | None  # reading (and decoding) alone, where the step can tell it apart
    detail: dict[str, Any] = field(default_factory=dict)


@dataclass
class StepRun:
    name: str
    files: list[FileRun]
    seconds: float
    peak_kib: int
    start_kib: int | None
    version: str


def sqlite_floor_connection(path: Path) -> sqlite3.Connection:
    """A connection with zhizhi's SQLite settings (see zhizhi.store.engine), in autocommit so BEGIN is ours."""
    connection = sqlite3.connect(path, isolation_level=None)
    for pragma in (
        "page_size=16384",
        "journal_mode=WAL",
        "foreign_keys=ON",
        "synchronous=NORMAL",
        "cache_size=-65536",
    ):
        connection.execute(f"PRAGMA {pragma}")
    return connection


def store_rows(connection: sqlite3.Connection, table: str, columns: list[str], rows: Any) -> None:
    quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
    connection.execute(f'CREATE TABLE "{table}" ({quoted})')
    connection.executemany(f'INSERT INTO "{table}" VALUES ({", ".join("?" * len(columns))})', rows)


def read_text_frame(path: Path, encoding: str) -> Any:
    """The file as a polars frame of text columns; a file that is not plain UTF-8 is decoded in Python first."""
    import polars as pl

    raw = path.read_bytes()
    data = raw if encoding == "utf-8" else raw.decode(encoding).encode("utf-8")
    return pl.read_csv(io.BytesIO(data), infer_schema=False)


def run_floor(out: str, database: str) -> StepRun:
    import polars as pl

    folder = Path(out)
    connection = sqlite_floor_connection(Path(database))
    files = []
    start = reset_peak()
    started_all = time.perf_counter()
    for source in SOURCES:
        started = time.perf_counter()
        frame = read_text_frame(folder / source.file, source.encoding)
        read_seconds = time.perf_counter() - started
        connection.execute("BEGIN IMMEDIATE")
        store_rows(connection, source.name, frame.columns, frame.rows())
        connection.execute("COMMIT")
        files.append(FileRun(source.name, frame.height, time.perf_counter() - started, read_seconds))
    seconds = time.perf_counter() - started_all
    peak = peak_kib()
    connection.close()
    return StepRun("floor (polars)", files, seconds, peak, start, f"polars {pl.__version__}")


def run_duckdb(out: str, database: str, scratch: str) -> StepRun:
    import duckdb

    folder = Path(out)
    connection = sqlite_floor_connection(Path(database))
    duck = duckdb.connect()
    files = []
    start = reset_peak()
    started_all = time.perf_counter()
    for source in SOURCES:
        started = time.perf_counter()
        path = folder / source.file
        if source.encoding == "gbk":  # DuckDB reads UTF-8 (and UTF-16, Latin-1) without an extension
            path = Path(scratch) / f"{source.name}.utf8.csv"
            path.write_bytes((folder / source.file).read_bytes().decode("gbk").encode("utf-8"))
        cursor = duck.execute("SELECT * FROM read_csv(?, all_varchar = true, header = true)", [str(path)])
        columns = [d[0] for d in cursor.description]
        connection.execute("BEGIN IMMEDIATE")
        quoted = ", ".join('"' + c.replace('"', '""') + '"' for c in columns)
        connection.execute(f'CREATE TABLE "{source.name}" ({quoted})')
        insert = f'INSERT INTO "{source.name}" VALUES ({", ".join("?" * len(columns))})'
        rows = 0
        while block := cursor.fetchmany(50_000):
            connection.executemany(insert, block)
            rows += len(block)
        connection.execute("COMMIT")
        files.append(FileRun(source.name, rows, time.perf_counter() - started, None))
    seconds = time.perf_counter() - started_all
    peak = peak_kib()
    connection.close()
    return StepRun("floor (duckdb)", files, seconds, peak, start, f"duckdb {duckdb.__version__}")


# --------------------------------------------------------------------------------------------------------- peer


def peer_schemas() -> dict[str, Any]:
    """The checks zhizhi makes on these three sources, as pandera schemas for polars frames.

    Each check is named `hard:...` (zhizhi quarantines the row) or `soft:...` (zhizhi keeps it with a warning).
    Values are compared after the light cleaning zhizhi does first: full-width ASCII to half-width, spaces trimmed.
    """
    import pandera.polars as pa
    import polars as pl

    from zhizhi.records.entity import ENTITY, STATUS, STATUS_ALIASES
    from zhizhi.records.inspection import INSPECTION, RESULT_ALIASES, RESULTS
    from zhizhi.records.licence import LICENCE

    full = [chr(c) for c in range(0xFF01, 0xFF5F)] + ["\u3000"]
    half = [chr(c - 0xFEE0) for c in range(0xFF01, 0xFF5F)] + [" "]
    values = {c: i for i, c in enumerate(USCC_ALPHABET)}
    org_values = {c: int(c, 36) for c in USCC_ALPHABET}
    with package_data("ingest/validate/data/uscc_registration_codes.csv").open(encoding="utf-8") as handle:
        pairs = [r["authority_code"] + r["type_code"] for r in csv.DictReader(handle)]
    _, industry = industry_codes_2011()

    def clean(c: pl.Expr) -> pl.Expr:
        return c.str.replace_many(full, half).str.strip_chars()

    def given(c: pl.Expr) -> pl.Expr:
        return clean(c).replace("", None)

    def compact(c: pl.Expr) -> pl.Expr:
        return given(c).str.replace_all(r"\s", "").str.to_uppercase()

    def char(c: pl.Expr, i: int, table: dict[str, int]) -> pl.Expr:
        return c.str.slice(i, 1).replace_strict(table, default=0, return_dtype=pl.Int64)

    def uscc_ok(c: pl.Expr) -> pl.Expr:
        code = compact(c)
        total = pl.sum_horizontal([char(code, i, values) * w for i, w in enumerate(USCC_WEIGHTS)])
        check = ((31 - total % 31) % 31).replace_strict(dict(enumerate(USCC_ALPHABET)), return_dtype=pl.String)
        return (
            code.str.contains(f"^[{USCC_ALPHABET}]{{18}}$")
            & code.str.slice(0, 2).is_in(pairs)
            & code.str.slice(2, 6).str.contains("^[0-9]{6}$")
            & (code.str.slice(17, 1) == check)
        )

    def org_ok(c: pl.Expr) -> pl.Expr:
        code = compact(c)
        total = pl.sum_horizontal([char(code, 8 + i, org_values) * w for i, w in enumerate(ORG_WEIGHTS)])
        check = (11 - total % 11).replace_strict(
            {**{n: str(n) for n in range(1, 10)}, 10: "X", 11: "0"}, return_dtype=pl.String
        )
        return (code.str.len_chars() != 18) | (code.str.slice(16, 1) == check)

    def parsed(c: pl.Expr) -> pl.Expr:
        text = given(c)
        parts = text.str.extract_groups(
            r"^(?:([0-9]{4})(?:([-/.])([0-9]{1,2})([-/.])([0-9]{1,2})|年([0-9]{1,2})月([0-9]{1,2})日?|([0-9]{2})([0-9]{2}))"
            r"(?:[ T][0-9]{1,2}:[0-9]{2}(?::[0-9]{2})?)?|([0-9]{5}))$"
        )
        f = parts.struct.field
        month = pl.coalesce(f("3"), f("6"), f("8"))
        day = pl.coalesce(f("5"), f("7"), f("9"))
        iso = pl.concat_str(f("1"), pl.lit("-"), month.str.zfill(2), pl.lit("-"), day.str.zfill(2))
        same = f("2").is_null() | (f("2") == f("4"))
        written_date = pl.when(same).then(iso.str.strptime(pl.Date, "%Y-%m-%d", strict=False))
        serial = pl.lit(date(1899, 12, 30)) + pl.duration(days=f("10").cast(pl.Int64))
        serial = pl.when(serial.is_between(date(1950, 1, 1), date(2100, 12, 31))).then(serial)
        return pl.coalesce(written_date, serial.cast(pl.Date))

    def date_parses(c: pl.Expr) -> pl.Expr:
        return given(c).is_null() | parsed(c).is_not_null()

    def date_within(latest_days: int | None) -> Callable[[pl.Expr], pl.Expr]:
        latest = date(2100, 12, 31) if latest_days is None else TODAY + timedelta(days=latest_days)
        return lambda c: parsed(c).is_null() | parsed(c).is_between(date(1949, 10, 1), latest)

    def not_blank(c: pl.Expr) -> pl.Expr:
        return c.is_null() | given(c).is_not_null()  # a null is the `not_nullable` check's

    def shorter(limit: int) -> Callable[[pl.Expr], pl.Expr]:
        return lambda c: clean(c).str.replace_all(r"\s+", " ").str.len_chars() <= limit

    def one_of(words: set[str]) -> Callable[[pl.Expr], pl.Expr]:
        cleaned = sorted({w.translate({ord(a): b for a, b in zip(full, half, strict=True)}) for w in words})
        return lambda c: given(c).is_null() | given(c).is_in(cleaned)

    def phone_ok(c: pl.Expr) -> pl.Expr:
        number = given(c).str.replace_all(r"[\s\-()（）]", "").str.replace(r"^\+?86(1[0-9]{10})$", "$1")
        return number.is_null() | number.str.contains(r"^(1[3-9][0-9]{9}|0[0-9]{2,3}[2-9][0-9]{6,7}|[2-9][0-9]{6,7})$")

    def code_known(c: pl.Expr) -> pl.Expr:
        code = given(c).str.replace_all(r"\s", "")
        return code.is_null() | code.is_in(sorted(industry))

    def check(name: str, expression: Callable[[pl.Expr], pl.Expr]) -> Any:
        return pa.Check(lambda data: data.lazyframe.select(expression(pl.col(data.key))), name=name)

    def column(*checks: Any, required: bool = False) -> Any:
        listed = list(checks)
        if required:
            listed.insert(0, check("hard:field.missing", not_blank))
        return pa.Column(pl.String, listed, nullable=not required)

    def text(spec_max: int, required: bool = False) -> Any:
        return column(check("hard:field.too_long", shorter(spec_max)), required=required)

    def uscc() -> Any:
        return column(check("hard:uscc", uscc_ok), check("soft:uscc.org_check", org_ok))

    def a_date(latest_days: int | None, required: bool = False) -> Any:
        parses, within = check("hard:date.invalid", date_parses), check("hard:date.range", date_within(latest_days))
        return column(parses, within, required=required)

    status_words = set(STATUS) | set(STATUS.values()) | set(STATUS_ALIASES)
    result_words = set(RESULTS) | set(RESULTS.values()) | set(RESULT_ALIASES) | set(MAPPED_RESULTS)
    e, li, ins = ENTITY.field, LICENCE.field, INSPECTION.field
    return {
        REGISTRATION.name: pa.DataFrameSchema(
            {
                "统一社会信用代码": uscc(),
                "企业名称": text(e("name").max_length, required=True),
                "市场主体类型": text(e("entity_type").max_length),
                "法定代表人": text(e("legal_representative").max_length),
                "住所": text(e("address").max_length),
                "联系电话": column(check("soft:phone.format", phone_ok)),
                "行业代码": column(check("hard:code.unknown", code_known)),
                "成立日期": a_date(e("founded_on").max_future_days),
                "登记机关": text(e("registration_authority").max_length),
                "登记状态": column(check("hard:value.not_allowed", one_of(status_words))),
            }
        ),
        LICENCES.name: pa.DataFrameSchema(
            {
                "许可证编号": text(li("number").max_length, required=True),
                "许可证种类": text(li("kind").max_length, required=True),
                "经营者名称": text(li("holder_name").max_length, required=True),
                "统一社会信用代码": uscc(),
                "法定代表人（负责人）": text(li("legal_representative").max_length),
                "经营场所": text(li("address").max_length),
                "主体业态": text(li("business_format").max_length),
                "有效期起": a_date(li("valid_from").max_future_days),
                "有效期至": a_date(li("valid_to").max_future_days),
                "发证机关": text(li("issuer").max_length),
            }
        ),
        INSPECTIONS.name: pa.DataFrameSchema(
            {
                "检查编号": text(ins("number").max_length),
                "被检查对象": text(ins("entity_name").max_length, required=True),
                "统一社会信用代码": uscc(),
                "检查地点": text(ins("address").max_length),
                "检查日期": a_date(ins("inspected_on").max_future_days, required=True),
                "执法人员": text(ins("inspectors").max_length),
                "检查事项": text(ins("items").max_length),
                "检查结论": column(check("hard:value.not_allowed", one_of(result_words)), required=True),
                "处理措施": text(ins("follow_up").max_length),
            }
        ),
    }


def run_peer(out: str) -> StepRun:
    import pandera
    import pandera.polars as pa
    import polars as pl

    folder = Path(out)
    schemas = peer_schemas()
    files = []
    start = reset_peak()
    started_all = time.perf_counter()
    for source in SOURCES:
        started = time.perf_counter()
        frame = read_text_frame(folder / source.file, source.encoding)
        # the rows zhizhi's reader skips: blank rows and the 合计 row
        first = pl.col(source.header[0]).str.strip_chars()
        blank = pl.all_horizontal([pl.col(c).is_null() | (pl.col(c).str.strip_chars() == "") for c in frame.columns])
        frame = frame.filter(~(blank | first.str.starts_with("合计").fill_null(False)))
        read_seconds = time.perf_counter() - started
        failures = pl.DataFrame(schema={"check": pl.String, "index": pl.Int64, "column": pl.String})
        try:
            schemas[source.name].validate(frame, lazy=True)
        except pa.errors.SchemaErrors as errors:
            failures = errors.failure_cases.select(
                pl.col("check").cast(pl.String), pl.col("index").cast(pl.Int64), pl.col("column").cast(pl.String)
            )
        seconds = time.perf_counter() - started
        checks = failures.with_columns(
            pl.when(pl.col("check") == "not_nullable")
            .then(pl.lit("hard:field.missing"))
            .otherwise(pl.col("check"))
            .alias("check")
        )
        hard = checks.filter(pl.col("check").str.starts_with("hard:"))
        soft = checks.filter(pl.col("check").str.starts_with("soft:"))
        by_check = {
            f"{c} ({col})": n
            for c, col, n in checks.group_by("check", "column").len().sort("len", descending=True).iter_rows()
        }
        files.append(
            FileRun(
                source.name,
                frame.height,
                seconds,
                read_seconds,
                {
                    "failing_rows_hard": hard["index"].n_unique(),
                    "failing_rows_soft_only": soft.filter(~pl.col("index").is_in(hard["index"].implode()))[
                        "index"
                    ].n_unique(),
                    "failure_cases": failures.height,
                    "by_check": by_check,
                },
            )
        )
    seconds = time.perf_counter() - started_all
    return StepRun("peer (pandera)", files, seconds, peak_kib(), start, f"pandera {pandera.__version__}")


# --------------------------------------------------------------------------------------------------- the report


def machine() -> dict[str, str]:
    import polars as pl

    cpuinfo = Path("/proc/cpuinfo").read_text().splitlines()
    cpu = next(
        (line.split(":", 1)[1].strip() for line in cpuinfo if line.startswith("model name")),
        platform.processor() or "unknown",
    )
    memory = proc_meminfo_gib()
    return {
        "cores": str(os.cpu_count()),
        "cpu": cpu,
        "memory": f"{memory:.0f} GiB",
        "python": platform.python_version(),
        "polars": pl.__version__,
        "sqlite": sqlite3.sqlite_version,
        "load average": load_average(),
        "zhizhi commit": zhizhi_commit(),
    }


def zhizhi_commit() -> str:
    """The commit the measured source tree is at, `+changes` when src/ differs from it."""
    import subprocess

    root = Path(__file__).resolve().parent.parent
    try:
        head = subprocess.run(["git", "rev-parse", "--short", "HEAD"], cwd=root, capture_output=True, text=True)
        dirty = subprocess.run(["git", "status", "--porcelain", "src"], cwd=root, capture_output=True, text=True)
    except OSError:
        return "unknown"
    return (
        head.stdout.strip() + (" +changes in src" if dirty.stdout.strip() else "")
        if head.returncode == 0
        else "unknown"
    )


def load_average() -> str:
    return " ".join(f"{x:.2f}" for x in os.getloadavg())


def proc_meminfo_gib() -> float:
    for line in Path("/proc/meminfo").read_text().splitlines():
        if line.startswith("MemTotal:"):
            return int(line.split()[1]) / 1024 / 1024
    return 0.0


def mib(kib: int | None) -> str:
    return "n/a" if kib is None else f"{kib / 1024:,.0f} MiB"


def report(manifest: Manifest, results: dict[str, Any], store: str) -> None:
    print(f"\nrows: {manifest.rows:,}   " + "   ".join(f"{k}: {v}" for k, v in machine().items()))
    zhizhi: ZhizhiRun | None = results.get("zhizhi")
    if zhizhi is not None:
        print(f"\n## zhizhi: one IngestRun, one transaction per file, into {store}\n")
        print(
            "| source | rows read | seconds | rows/s | accepted | quarantined | expected quarantined | skipped |"
            " peak RSS (start) |"
        )
        print("| --- | ---: | ---: | ---: | ---: | ---: | ---: | ---: | ---: |")
        for b in zhizhi.batches:
            expected = manifest.files[b.source]["expected_quarantined"]
            print(
                f"| {b.source} | {b.read:,} | {b.seconds:.1f} | {b.read / b.seconds:,.0f} | {b.accepted:,} | "
                f"{b.quarantined:,} | {expected:,} | {b.skipped:,} | {mib(b.peak_kib)} ({mib(b.start_kib)}) |"
            )
        read = sum(b.read for b in zhizhi.batches)
        print(
            f"| all three | {read:,} | {zhizhi.seconds:.1f} | {read / zhizhi.seconds:,.0f} | "
            f"{sum(b.accepted for b in zhizhi.batches):,} | {sum(b.quarantined for b in zhizhi.batches):,} | "
            f"{sum(f['expected_quarantined'] for f in manifest.files.values()):,} | "
            f"{sum(b.skipped for b in zhizhi.batches):,} | {mib(zhizhi.peak_kib)} |"
        )
        print(
            f"\nCPU {zhizhi.cpu_seconds:.1f} s, of which the writing thread {zhizhi.writer_cpu_seconds:.1f} s; "
            f"database after: {zhizhi.database_bytes / 2**20:,.0f} MiB"
        )
        for b in zhizhi.batches:
            records = f"records new {b.new:,} changed {b.changed:,} unchanged {b.unchanged:,}"
            print(f"{b.source}: {records}; reasons {b.reasons}")
            print(f"    dirt written: {manifest.files[b.source]['dirt']}")
        print("invariants: " + ("all hold" if not zhizhi.problems else "; ".join(zhizhi.problems)))
    for key in ("floor", "duckdb", "peer"):
        step: StepRun | None = results.get(key)
        if step is None:
            continue
        print(f"\n## {step.name} ({step.version})\n")
        print("| source | rows | seconds | rows/s | of which reading | detail |")
        print("| --- | ---: | ---: | ---: | ---: | --- |")
        for f in step.files:
            detail = {k: v for k, v in f.detail.items() if k != "by_check"}
            reading = "—" if f.read_seconds is None else f"{f.read_seconds:.2f}"
            print(
                f"| {f.source} | {f.rows:,} | {f.seconds:.2f} | {f.rows / f.seconds:,.0f} | {reading} | "
                f"{detail or ''} |"
            )
        rows = sum(f.rows for f in step.files)
        print(f"| all three | {rows:,} | {step.seconds:.2f} | {rows / step.seconds:,.0f} | | |")
        print(f"peak RSS {mib(step.peak_kib)} (start {mib(step.start_kib)})")
        for f in step.files:
            if "by_check" in f.detail:
                print(f"{f.source}: {f.detail['by_check']}")
        if zhizhi is not None and key != "peer":
            print(f"zhizhi / {step.name}: {zhizhi.seconds / step.seconds:.2f}x")


# --------------------------------------------------------------------------------------------------------- main


def main() -> None:
    args = parse_args()
    steps = [s.strip() for s in args.steps.split(",") if s.strip()]
    unknown = [s for s in steps if s not in STEPS]
    if unknown:
        sys.exit(f"unknown step(s) {unknown}; the steps are {', '.join(STEPS)}")
    for step, module in (("peer", "pandera"), ("duckdb", "duckdb")):
        if step in steps and importlib.util.find_spec(module) is None:
            sys.exit(
                f"step `{step}` needs {module}, which is not installed. Install the bench extras:\n    {INSTALL_HINT}\n"
                f"or leave the step out: --steps {','.join(s for s in steps if s not in ('peer', 'duckdb'))}"
            )
    with tempfile.TemporaryDirectory(prefix="zhizhi-bench-ingest-") as scratch:
        out = Path(args.out) if args.out else Path(scratch) / "exports"
        if "generate" in steps:
            manifest = generate(out, args.rows)
        else:
            manifest = read_manifest(out)
        results: dict[str, Any] = {}
        loads: dict[str, str] = {}
        if "zhizhi" in steps:
            url = args.database_url or f"sqlite:///{Path(scratch) / 'zhizhi.db'}"
            started = time.perf_counter()
            isolated(prepare_store, url)
            print(f"store prepared in {time.perf_counter() - started:.1f} s; ingesting", file=sys.stderr)
            loads["zhizhi"] = load_average()
            results["zhizhi"] = isolated(run_zhizhi, url, str(out), manifest.files)
        if "floor" in steps:
            loads["floor"] = load_average()
            results["floor"] = isolated(run_floor, str(out), str(Path(scratch) / "floor.db"))
        if "duckdb" in steps:
            loads["duckdb"] = load_average()
            results["duckdb"] = isolated(run_duckdb, str(out), str(Path(scratch) / "duckdb.db"), scratch)
        if "peer" in steps:
            loads["peer"] = load_average()
            results["peer"] = isolated(run_peer, str(out))
        loads["end"] = load_average()
        print("\nload average (1, 5, 15 min) before each step: " + ", ".join(f"{k} {v}" for k, v in loads.items()))
        store = "a temporary SQLite file"
        if args.database_url:
            from zhizhi.store import display_url

            store = display_url(args.database_url)
        report(manifest, results, store)
        if args.json:
            data = {"manifest": asdict(manifest), "machine": machine(), "load": loads, "store": store}
            data |= {k: asdict(v) for k, v in results.items()}
            Path(args.json).write_text(json.dumps(data, ensure_ascii=False, indent=2), encoding="utf-8")
        zhizhi = results.get("zhizhi")
        if zhizhi is not None and zhizhi.problems:
            sys.exit("invariants failed: " + "; ".join(zhizhi.problems))


def parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(
        description="Ingest three generated exports; print the rates beside a floor and a peer."
    )
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows across the three files (default 1,000,000)")
    parser.add_argument("--out", help="folder for the generated files, kept (default: a temporary folder)")
    parser.add_argument("--steps", default=",".join(STEPS), help=f"comma-separated steps (default: {','.join(STEPS)})")
    parser.add_argument("--json", help="also write every figure to this JSON file")
    parser.add_argument(
        "--database-url",
        help="the store zhizhi ingests into, a new and empty database (e.g. a throwaway PostgreSQL one; default: a "
        "temporary SQLite file); the floor, DuckDB and peer steps are unchanged",
    )
    args = parser.parse_args()
    if args.rows < 100:
        parser.error("--rows must be at least 100")
    if args.out is None and "generate" not in args.steps:
        parser.error("without `generate`, give --out: the folder a previous run generated the files into")
    return args


if __name__ == "__main__":
    main()
