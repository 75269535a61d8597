"""The special-equipment list (特种设备台账) of the demo city's 特种设备安全监察科 (LZ-TS), as a legacy .xls.

The list comes out of an old inspection system: one sheet, a title row, one header row, a 合计 row, and no credit
code at all: the using entity (使用单位) is known only by its name and the equipment's address, so matching it to
the registration export has to go by name and address. Names are written as the unit was registered for the
equipment, often not as in the register (without 柳州市, without 有限公司, a short name); addresses mostly without
province or city (城中区文昌路12号).

Most users are companies of the registration export, picked by what they do (property managers run lifts, food
factories boilers and forklifts, gas suppliers pressure vessels); some are hospitals, schools and offices the
register does not hold. A 设备注册代码 is the kind's four-digit code, the division, the year and month of
registration and a four-digit sequence (31104502022019060001); a 使用登记证编号 follows TSG 08-2017 (梯10桂B00123(19)).

Dirt, in the exact numbers `DIRT` gives: next-inspection dates stored as bare Excel serial numbers, typed as
text, or not dates at all (待定, 停用, /) or blank; kinds written as their variety (叉车, 起重机) or by an old name
(厂内机动车辆); codes with a stray space; rows listed twice. Besides, `OVERDUE` devices are past their next
inspection. What was done is tallied by `write_equipment`.
"""

from __future__ import annotations

import random
from collections import Counter
from dataclasses import dataclass, replace
from datetime import date, timedelta
from pathlib import Path
from typing import Any

from zhizhi.demo.records import DISTRICTS, ROADS, Record, assign, district_of, street_address, written_name

SEED = 20261122
FILE_NAME = "equipment.xls"
SHEET = "在用设备"
TITLE = "柳州市在用特种设备台账（截至2026年11月20日）"
LEDGER_DATE = date(2026, 11, 20)
HEADER = [
    "序号",
    "设备注册代码",
    "设备类别",
    "设备品种",
    "使用单位名称",
    "设备使用地点",
    "使用登记证编号",
    "下次检验日期",
    "备注",
]
WIDTHS = (6, 24, 22, 20, 34, 40, 20, 14, 12)
REGISTERED = 920  # devices of registration-export entities
UNREGISTERED = 80  # devices of hospitals, schools and offices the register does not hold
ROWS = REGISTERED + UNREGISTERED

LIFT, BOILER, VESSEL, CRANE, VEHICLE = "电梯", "锅炉", "压力容器", "起重机械", "场（厂）内专用机动车辆"
# variety code -> (category, variety, the registration certificate's category sign)
VARIETIES = {
    "3110": (LIFT, "曳引驱动乘客电梯", "梯"),
    "3120": (LIFT, "曳引驱动载货电梯", "梯"),
    "3310": (LIFT, "自动扶梯", "梯"),
    "3430": (LIFT, "杂物电梯", "梯"),
    "1100": (BOILER, "承压蒸汽锅炉", "锅"),
    "1200": (BOILER, "承压热水锅炉", "锅"),
    "2150": (VESSEL, "第二类压力容器", "容"),
    "2170": (VESSEL, "第一类压力容器", "容"),
    "4110": (CRANE, "通用桥式起重机", "起"),
    "4860": (CRANE, "施工升降机", "起"),
    "5110": (VEHICLE, "叉车", "车"),
    "5210": (VEHICLE, "观光车", "车"),
}
# Who runs what: by format-code prefix (first match wins), the share of active companies that use special equipment
# and their fleet as (variety, fewest, most).
FLEETS: tuple[tuple[str, float, tuple[tuple[str, int, int], ...]], ...] = (
    ("7020", 1.0, (("3110", 6, 24), ("3120", 0, 2))),  # property managers
    ("61", 1.0, (("3110", 1, 4), ("1200", 0, 1))),  # hotels
    ("5212", 1.0, (("3110", 1, 2), ("3310", 1, 4), ("3120", 0, 1))),  # supermarkets
    ("4512", 1.0, (("2150", 2, 6), ("5110", 0, 1))),  # bottled gas
    ("526", 1.0, (("2150", 1, 3),)),  # filling stations
    ("9020", 1.0, (("5210", 1, 3),)),  # amusement parks
    ("80", 1.0, (("1200", 1, 1),)),  # baths and the like
    ("13", 0.15, (("1100", 0, 1), ("2170", 1, 2), ("5110", 1, 2), ("4110", 0, 1))),  # food factories
    ("14", 0.15, (("1100", 0, 1), ("2170", 1, 2), ("5110", 1, 2), ("4110", 0, 1))),
    ("15", 0.15, (("1100", 0, 1), ("2170", 1, 2), ("5110", 1, 2))),
    ("51", 0.25, (("5110", 1, 3), ("3120", 0, 1))),  # wholesalers' warehouses
    ("62", 0.15, (("3430", 1, 2),)),  # restaurants' dumbwaiters
    ("", 0.3, (("3110", 1, 2),)),  # an office building's lift
)
UNREGISTERED_USERS = (
    ("柳州市工人医院", (("3110", 6, 12), ("1100", 1, 2), ("2170", 2, 4))),
    ("柳州市人民医院", (("3110", 6, 12), ("1200", 1, 1), ("2170", 2, 3))),
    ("柳州市中医医院", (("3110", 4, 8), ("2170", 1, 2))),
    ("柳州市第一中学", (("3110", 2, 4), ("1200", 0, 1))),
    ("柳州市图书馆", (("3110", 2, 3), ("3310", 0, 2))),
    ("柳州市城中区机关事务服务中心", (("3110", 2, 4),)),
    ("柳州市体育中心", (("3110", 3, 6), ("3310", 2, 4))),
    ("柳州市第二职业技术学校", (("3110", 2, 4), ("4110", 1, 2))),
)
# years between periodic inspections, by category
INTERVALS = {LIFT: 1, BOILER: 1, VESSEL: 3, CRANE: 2, VEHICLE: 1}
OVERDUE = 90

DIRT = {
    # 下次检验日期
    "serial_date": 60,
    "text_date": 40,
    "pending": 8,  # 待定
    "stopped": 5,  # 停用
    "slash": 3,  # /
    "blank_date": 10,
    # 设备类别
    "forklift_kind": 6,  # 叉车
    "old_vehicle_kind": 5,  # 厂内机动车辆
    "crane_kind": 4,  # 起重机
    # 设备注册代码
    "code_space": 6,
    # rows
    "duplicate_row": 4,
}
NOT_DATES = {"pending": "待定", "stopped": "停用", "slash": "/"}
NAMES = {"registered": 45, "no_city": 20, "short_city": 10, "no_suffix": 15, "short": 10}
ADDRESSES = {"street": 55, "city": 30, "registered": 15}


@dataclass(frozen=True)
class Device:
    """One device as the system holds it, before any dirt."""

    code: str
    variety: str
    user: str
    address: str
    certificate: str
    next_inspection: date
    registered: Record | None = None
    sort_key: str = ""

    @property
    def category(self) -> str:
        return VARIETIES[self.variety][0]


def write_equipment(path: Path, records: list[Record]) -> Counter[str]:
    """Write the list (seeded) for the registration export's `records`; returns a tally of what was done.

    The tally counts data rows (`rows`), each kind of dirt, overdue devices, and the name and address forms.
    """
    import xlwt

    rng = random.Random(SEED)
    tally: Counter[str] = Counter()
    devices = _devices(rng, records, tally)
    rows = _rows(rng, devices, tally)
    tally["rows"] = len(rows)
    book = xlwt.Workbook(encoding="utf-8")
    sheet = book.add_sheet(SHEET)
    title = xlwt.easyxf("font: bold on, height 280; align: horiz centre")
    head = xlwt.easyxf("font: bold on; align: horiz centre; borders: left thin, right thin, top thin, bottom thin")
    dated = xlwt.easyxf(num_format_str="yyyy-mm-dd")
    sheet.write_merge(0, 0, 0, len(HEADER) - 1, TITLE, title)
    for column, name in enumerate(HEADER):
        sheet.write(1, column, name, head)
        sheet.col(column).width = 256 * WIDTHS[column]
    for offset, row in enumerate(rows, start=1):
        for column, value in enumerate([offset, *row]):
            if isinstance(value, date):
                sheet.write(offset + 1, column, value, dated)
            elif value != "":
                sheet.write(offset + 1, column, value)
    sheet.write(len(rows) + 2, 0, "合计")
    sheet.write(len(rows) + 2, 1, f"共{len(rows)}台")
    path.parent.mkdir(parents=True, exist_ok=True)
    book.save(str(path))
    return tally


def equipment_code(variety: str, division: str, registered: date, sequence: int) -> str:
    """The 20-digit 设备注册代码: variety, division, year and month of registration, sequence."""
    return f"{variety}{division}{registered.year}{registered.month:02d}{sequence:04d}"


def _devices(rng: random.Random, records: list[Record], tally: Counter[str]) -> list[Device]:
    companies = [r for r in records if r.credit_code.startswith("91") and r.status.startswith("存续")]
    rng.shuffle(companies)
    sequences: dict[str, int] = {}
    certificates: Counter[str] = Counter()
    devices: list[Device] = []
    for record in companies:
        if len(devices) >= REGISTERED:
            break
        share, fleet = next((s, f) for prefix, s, f in FLEETS if record.format_code.startswith(prefix))
        if rng.random() >= share:
            continue
        since = max(record.founded, date(2004, 1, 1))
        for variety in _fleet(rng, fleet):
            devices.append(_device(rng, variety, district_of(record)[1], since, sequences, certificates, record))
    devices = devices[:REGISTERED]
    others = [
        (name, fleet, rng.choice(DISTRICTS[:4]), rng.choice(ROADS), rng.randint(1, 300))
        for name, fleet in UNREGISTERED_USERS
    ]
    while len(devices) < ROWS:  # round after round: a hospital's second building, ...
        for name, fleet, (district, division), road, number in others:
            for variety in _fleet(rng, fleet):
                device = _device(rng, variety, division, date(2004, 1, 1), sequences, certificates, None)
                devices.append(replace(device, user=name, address=f"{district}{road}{number}号", sort_key=name))
    devices = devices[:ROWS]
    tally["registered_users"] = len({d.registered.credit_code for d in devices if d.registered is not None})
    tally["unregistered_users"] = len({d.user for d in devices if d.registered is None})
    return sorted(devices, key=lambda d: (d.sort_key, d.code))


def _fleet(rng: random.Random, fleet: tuple[tuple[str, int, int], ...]) -> list[str]:
    varieties = [variety for variety, fewest, most in fleet for _ in range(rng.randint(fewest, most))]
    return varieties or [fleet[0][0]]


def _device(
    rng: random.Random,
    variety: str,
    division: str,
    since: date,
    sequences: dict[str, int],
    certificates: Counter[str],
    record: Record | None,
) -> Device:
    registered = since + timedelta(days=rng.randrange(max((date(2026, 6, 30) - since).days, 1)))
    prefix = f"{variety}{division}{registered.year}{registered.month:02d}"
    sequences[prefix] = sequences.get(prefix, 0) + rng.randint(1, 4)
    category, _, sign = VARIETIES[variety]
    certificates[sign] += rng.randint(1, 3)
    certificate = f"{sign}10桂B{certificates[sign]:05d}({registered.year % 100:02d})"
    interval = INTERVALS[category]
    next_inspection = LEDGER_DATE + timedelta(days=rng.randint(1, 365 * interval))
    return Device(
        code=equipment_code(variety, division, registered, sequences[prefix]),
        variety=variety,
        user=record.name if record else "",
        address=record.address if record else "",
        certificate=certificate,
        next_inspection=next_inspection,
        registered=record,
        sort_key=record.name if record else "",
    )


def _rows(rng: random.Random, devices: list[Device], tally: Counter[str]) -> list[list[Any]]:
    size = len(devices)
    dates = assign(rng, size, {k: DIRT[k] for k in ("serial_date", "text_date", *NOT_DATES, "blank_date")})
    codes = assign(rng, size, {"code_space": DIRT["code_space"]})
    vehicles = [i for i, d in enumerate(devices) if d.category == VEHICLE]
    cranes = [i for i, d in enumerate(devices) if d.category == CRANE]
    kinds = {
        vehicles[i]: k for i, k in assign(rng, len(vehicles), _counts("forklift_kind", "old_vehicle_kind")).items()
    }
    kinds |= {cranes[i]: k for i, k in assign(rng, len(cranes), _counts("crane_kind")).items()}
    twice = set(rng.sample(range(size), DIRT["duplicate_row"]))
    dated = [i for i in range(size) if dates.get(i) not in (*NOT_DATES, "blank_date")]
    overdue = set(rng.sample(dated, OVERDUE))
    tally["overdue"] = OVERDUE
    for dirt in (dates, codes, kinds):
        tally.update(dirt.values())
    tally["duplicate_row"] = len(twice)
    rows: list[list[Any]] = []
    for index, device in enumerate(devices):
        code = device.code
        if index in codes:
            code = f"{code[:10]} {code[10:]}" if rng.random() < 0.5 else f"{code} "
        category, variety, _ = VARIETIES[device.variety]
        kind = {"forklift_kind": "叉车", "old_vehicle_kind": "厂内机动车辆", "crane_kind": "起重机"}.get(
            kinds.get(index, ""), category
        )
        row = [
            code,
            kind,
            variety,
            _user(rng, device, tally),
            _address(rng, device, tally),
            device.certificate,
            _next_inspection(rng, _late(rng) if index in overdue else device.next_inspection, dates.get(index)),
            "申请停用" if dates.get(index) == "stopped" else "",
        ]
        rows.append(row)
        if index in twice:  # listed again after a change of user details, the old row never removed
            rows.append(list(row))
    return rows


def _late(rng: random.Random) -> date:
    """A next inspection that has passed: up to a year and a half ago."""
    return LEDGER_DATE - timedelta(days=rng.randint(1, 540))


def _counts(*kinds: str) -> dict[str, int]:
    return {kind: DIRT[kind] for kind in kinds}


def _user(rng: random.Random, device: Device, tally: Counter[str]) -> str:
    if device.registered is None:
        return device.user
    style = rng.choices(list(NAMES), list(NAMES.values()))[0]
    tally[f"name:{style}"] += 1
    return written_name(device.registered, style)


def _address(rng: random.Random, device: Device, tally: Counter[str]) -> str:
    if device.registered is None:
        return device.address
    style = rng.choices(list(ADDRESSES), list(ADDRESSES.values()))[0]
    tally[f"address:{style}"] += 1
    if style == "registered":
        return device.address
    street = street_address(device.registered)
    return street if style == "street" else f"柳州市{street}"


def _next_inspection(rng: random.Random, day: date, dirt: str | None) -> Any:
    if dirt == "serial_date":
        return (day - date(1899, 12, 30)).days
    if dirt == "text_date":
        return day.isoformat() if rng.random() < 0.5 else f"{day.year}.{day.month}.{day.day}"
    if dirt in NOT_DATES:
        return NOT_DATES[dirt]
    return "" if dirt == "blank_date" else day
