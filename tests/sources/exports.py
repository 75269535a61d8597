"""Department exports zhizhi has never seen, made up for the suggest tests, each with the mapping a steward would write.

Every export is generated from a seeded random source, so the values are plausible and varied (valid credit codes
with both check characters, dates in the forms clerks type, phones with and without area codes, addresses with and
without the province) but the same in every run. `truth` maps each field of the record type that the export
carries to its column; a field absent from `truth` has no column in the export.
"""

from __future__ import annotations

import csv
import io
import random
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from pathlib import Path

from zhizhi.ingest.validate.identifiers import ALPHABET, org_check_char, uscc_check_char

TODAY = date(2026, 3, 2)
ROWS = 120

SURNAMES = "王李张刘陈杨黄赵吴周徐孙马朱胡郭何林罗郑梁谢宋唐韦覃蒙莫廖蓝"
GIVEN = "伟芳娜敏静丽强磊军洋勇艳杰娟涛明超秀霞平刚桂英华玉兰红建国志"
BRANDS = "螺蛳老友龙城桂中紫荆金山荣华兴隆宏达鑫源恒通顺发百家佳美江滨柳侯窑埠"
COMPANY_WORDS = ("餐饮管理", "商贸", "食品", "农业科技", "机械制造", "医药连锁", "物业服务", "建材")
SHOP_WORDS = ("粉店", "便利店", "小吃店", "超市", "水产经营部", "药房", "烧烤店", "五金商行", "餐馆")
DISTRICTS = (
    ("城中区", "450202"),
    ("鱼峰区", "450203"),
    ("柳南区", "450204"),
    ("柳北区", "450205"),
    ("柳江区", "450206"),
    ("柳城县", "450222"),
    ("鹿寨县", "450223"),
)
ROADS = ("文昌路", "五一路", "飞鹅路", "柳石路", "胜利路", "三中路", "跃进路", "河西路", "航生路", "屏山大道")
STATUSES = ("存续", "存续", "存续", "在业", "注销", "吊销，未注销", "停业", "迁出")
ENTITY_TYPES = ("有限责任公司（自然人投资或控股）", "个体工商户", "农民专业合作社", "有限责任公司（自然人独资）")
INDUSTRY = ("5221", "6210", "5212", "1391", "5171", "6220", "5251", "8011")
AUTHORITIES = tuple(f"柳州市{d}市场监督管理局" for d, _ in DISTRICTS[:4])


@dataclass(frozen=True)
class Export:
    """A written export file, the record type it holds, and the column each field is in."""

    path: Path
    record_type: str
    truth: dict[str, str]


class Faker:
    """Plausible values of one city, from a seeded random source."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)

    def person(self) -> str:
        return self.rng.choice(SURNAMES) + "".join(self.rng.choices(GIVEN, k=self.rng.choice((1, 2, 2))))

    def district(self) -> tuple[str, str]:
        return self.rng.choice(DISTRICTS)

    def company(self, district: str | None = None) -> str:
        district = district or self.district()[0]
        brand = "".join(self.rng.sample(BRANDS, 2))
        if self.rng.random() < 0.5:
            return f"柳州市{brand}{self.rng.choice(COMPANY_WORDS)}有限公司"
        return f"柳州市{district}{brand}{self.rng.choice(SHOP_WORDS)}"

    def uscc(self, division: str, individual: bool = False) -> str:
        body = "".join(self.rng.choices(ALPHABET, k=8))
        code = ("92" if individual else "91") + division + body + org_check_char(body)
        return code + uscc_check_char(code)

    def address(self, district: str, *, province: bool | None = None) -> str:
        road = f"{self.rng.choice(ROADS)}{self.rng.randint(1, 399)}号"
        if self.rng.random() < 0.3:
            road += f"{self.rng.randint(1, 20)}栋{self.rng.randint(1, 30):02d}号门面"
        province = self.rng.random() < 0.4 if province is None else province
        return ("广西壮族自治区" if province else "") + f"柳州市{district}{road}"

    def phone(self) -> str:
        number = f"1{self.rng.choice('3578')}{self.rng.randint(0, 9)}{self.rng.randint(10_000_000, 99_999_999)}"
        landline = f"0772-{self.rng.randint(2_000_000, 3_999_999)}"
        return self.rng.choice((number, number, f"{number[:3]} {number[3:7]} {number[7:]}", landline))

    def day(self, start: date, end: date) -> date:
        return start + timedelta(days=self.rng.randint(0, (end - start).days))

    def written(self, day: date) -> str:
        """A date the ways clerks type them."""
        forms = (
            day.isoformat(),
            f"{day.year}/{day.month}/{day.day}",
            f"{day.year}年{day.month}月{day.day}日",
            day.strftime("%Y%m%d"),
            day.strftime("%Y.%m.%d"),
        )
        return self.rng.choice(forms)


def write_csv(path: Path, rows: list[list[str]], encoding: str) -> Path:
    buffer = io.StringIO()
    csv.writer(buffer, lineterminator="\r\n").writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def registration(folder: Path) -> Export:
    """登记注册系统 export, GBK: the standard headers, one with a remark, one with a full-width space."""
    fake = Faker(1)
    header = [
        "统一社会信用代码（必填）",
        "企业名称",
        "市场主体类型",
        "法定代表人",
        "成立日期",
        "登记机关",
        "住\u3000所",
        "联系电话",
        "行业代码",
        "登记状态",
    ]
    rows = [header]
    for _ in range(ROWS):
        district, division = fake.district()
        kind = fake.rng.choice(ENTITY_TYPES)
        rows.append(
            [
                fake.uscc(division, kind == "个体工商户"),
                fake.company(district),
                kind,
                fake.person(),
                fake.written(fake.day(date(1995, 1, 1), TODAY)),
                fake.rng.choice(AUTHORITIES),
                fake.address(district),
                fake.phone(),
                fake.rng.choice(INDUSTRY),
                fake.rng.choice(STATUSES),
            ]
        )
    truth = dict(
        zip(
            [
                "uscc",
                "name",
                "entity_type",
                "legal_representative",
                "founded_on",
                "registration_authority",
                "address",
                "phone",
                "industry_code",
                "status",
            ],
            header,
            strict=True,
        )
    )
    return Export(write_csv(folder / "登记注册导出.csv", rows, "gbk"), "entity", truth)


def station_list(folder: Path) -> Export:
    """A market-supervision station's own list of the entities on its beat: UTF-8 with BOM, its own headers."""
    fake = Faker(2)
    header = ["序号", "主体名称", "信用代码", "经营场所", "负责人", "联系方式", "所属网格", "备注"]
    rows = [header]
    for number in range(1, ROWS + 1):
        district, division = DISTRICTS[number % 2]
        individual = fake.rng.random() < 0.6
        remark = fake.rng.choice(("", "", "", "已告知年报", "门店装修中", "新开业"))
        rows.append(
            [
                str(number),
                fake.company(district),
                fake.uscc(division, individual) if fake.rng.random() < 0.9 else "",
                fake.address(district, province=False).removeprefix("柳州市") if number % 3 else fake.address(district),
                fake.person(),
                fake.phone(),
                f"第{fake.rng.randint(1, 12)}网格",
                remark,
            ]
        )
    truth = {"name": "主体名称", "uscc": "信用代码", "address": "经营场所", "legal_representative": "负责人"}
    truth["phone"] = "联系方式"
    return Export(write_csv(folder / "监管所主体名录.csv", rows, "utf-8-sig"), "entity", truth)


def food_licences(folder: Path) -> Export:
    """A food-licence ledger, xlsx: a title row, a merged 许可证 header over 编号 and 有效期至, real date cells."""
    from openpyxl import Workbook

    fake = Faker(3)
    workbook = Workbook()
    sheet = workbook.active
    sheet.title = "发证台账"
    top = ["序号", "经营者名称", "社会信用代码", "法定代表人（负责人）", "经营场所", "主体业态", "许可证", None]
    top += ["发证日期", "发证机关"]
    sheet.append(["柳州市城中区食品经营许可证发放台账（2025年度）"])
    sheet.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(top))
    sheet.append(top)
    sheet.append([None] * 6 + ["编号", "有效期至", None, None])
    sheet.merge_cells(start_row=2, start_column=7, end_row=2, end_column=8)
    formats = ("食品销售经营者（食品贸易商）", "餐饮服务经营者（小型餐饮）", "单位食堂（学校食堂）", "食品销售经营者")
    for number in range(1, ROWS + 1):
        district, division = fake.district()
        issued = fake.day(date(2021, 1, 1), TODAY - timedelta(days=10))
        valid_to = issued + timedelta(days=5 * 365 - 1)
        sheet.append(
            [
                number,
                fake.company(district),
                fake.uscc(division, fake.rng.random() < 0.5),
                fake.person(),
                fake.address(district),
                fake.rng.choice(formats),
                f"JY{fake.rng.choice('123')}45020{fake.rng.randint(10_000_000, 99_999_999)}",
                datetime.combine(valid_to, datetime.min.time()) if number % 2 else fake.written(valid_to),
                datetime.combine(issued, datetime.min.time()),
                "柳州市城中区市场监督管理局",
            ]
        )
    path = folder / "食品经营许可台账.xlsx"
    workbook.save(path)
    truth = {
        "holder_name": "经营者名称",
        "holder_uscc": "社会信用代码",
        "legal_representative": "法定代表人（负责人）",
        "address": "经营场所",
        "business_format": "主体业态",
        "number": "许可证/编号",
        "valid_to": "许可证/有效期至",
        "valid_from": "发证日期",
        "issuer": "发证机关",
    }
    return Export(path, "licence", truth)


def equipment_list(folder: Path) -> Export:
    """特种设备 list from the equipment section: no credit code column; contact person and phone it keeps too."""
    fake = Faker(4)
    header = ["设备注册代码", "设备类别", "设备品种", "使用单位名称", "使用地点", "联系人", "联系电话", "下次检验日期"]
    kinds = {
        "电梯": ("曳引驱动乘客电梯", "自动扶梯", "杂物电梯"),
        "锅炉": ("承压蒸汽锅炉", "承压热水锅炉"),
        "压力容器": ("储气罐", "快开门式压力容器"),
        "起重机械": ("桥式起重机", "门式起重机"),
    }
    users = [(fake.company(d), d) for d, _ in (fake.district() for _ in range(40))]
    rows = [header]
    for _ in range(ROWS):
        kind = fake.rng.choice(list(kinds))
        user, district = fake.rng.choice(users)
        code = f"{fake.rng.choice(('3110', '1000', '2110', '4110'))}4502{fake.rng.randint(10**11, 10**12 - 1)}"
        rows.append(
            [
                code,
                kind,
                fake.rng.choice(kinds[kind]),
                user,
                fake.address(district, province=False) + f"{fake.rng.randint(1, 9)}号楼",
                fake.person(),
                fake.phone(),
                fake.written(fake.day(TODAY, TODAY + timedelta(days=700))),
            ]
        )
    truth = {
        "equipment_code": "设备注册代码",
        "kind": "设备类别",
        "user_name": "使用单位名称",
        "address": "使用地点",
        "next_inspection_on": "下次检验日期",
    }
    return Export(write_csv(folder / "特种设备台账.csv", rows, "utf-8"), "equipment", truth)


def inspection_log(folder: Path) -> Export:
    """An inspection log, GBK: who was inspected, when (with the time of day), by whom, what was found."""
    fake = Faker(5)
    header = ["被检查对象", "统一社会信用代码", "检查地点", "检查时间", "执法人员", "检查内容", "检查结论", "处理意见"]
    results = ("合格", "合格", "未发现问题", "责令整改", "限期整改", "不合格", "通过登记的住所无法联系")
    items = ("食品安全", "证照公示", "价格公示", "进货查验", "从业人员健康证", "消防通道")
    follow = ("", "", "无", "责令限期整改，复查合格", "立案调查", "已现场整改", "下达责令改正通知书")
    inspectors = [fake.person() for _ in range(8)]
    rows = [header]
    for _ in range(ROWS):
        district, division = fake.district()
        day = fake.day(date(2024, 1, 1), TODAY - timedelta(days=1))
        when = f"{day.isoformat()} {fake.rng.randint(8, 17):02d}:{fake.rng.choice(('00', '15', '30', '45'))}"
        team = fake.rng.sample(inspectors, fake.rng.choice((1, 2, 2, 2, 3)))
        rows.append(
            [
                fake.company(district),
                fake.uscc(division, fake.rng.random() < 0.6),
                fake.address(district),
                when if fake.rng.random() < 0.7 else fake.written(day),
                "、".join(team),
                "、".join(fake.rng.sample(items, fake.rng.randint(1, 3))),
                fake.rng.choice(results),
                fake.rng.choice(follow),
            ]
        )
    fields = ["entity_name", "entity_uscc", "address", "inspected_on", "inspectors", "items", "result", "follow_up"]
    path = write_csv(folder / "日常检查记录.csv", rows, "gbk")
    return Export(path, "inspection", dict(zip(fields, header, strict=True)))


def cryptic_columns(folder: Path) -> Export:
    """A county system's export whose headers say nothing (字段1, 字段2 ...), columns in an unusual order."""
    fake = Faker(6)
    order = [
        ("legal_representative", fake.person),
        ("status", lambda: fake.rng.choice(STATUSES)),
        ("uscc", None),
        ("name", None),
        ("phone", fake.phone),
        ("entity_type", lambda: fake.rng.choice(ENTITY_TYPES)),
        ("founded_on", lambda: fake.written(fake.day(date(2000, 1, 1), TODAY))),
        ("address", None),
    ]
    header = [f"字段{i}" for i in range(1, len(order) + 1)]
    rows = [header]
    for _ in range(ROWS):
        district, division = fake.district()
        row = []
        for field, make in order:
            if field == "uscc":
                row.append(fake.uscc(division, fake.rng.random() < 0.5))
            elif field == "name":
                row.append(fake.company(district))
            elif field == "address":
                row.append(fake.address(district))
            else:
                assert make is not None
                row.append(make())
        rows.append(row)
    truth = {field: column for (field, _), column in zip(order, header, strict=True)}
    return Export(write_csv(folder / "导出数据.csv", rows, "utf-8"), "entity", truth)


def english_headers(folder: Path) -> Export:
    """An xlsx from an outsourced system: English and pinyin-initial headers (xydm = 信用代码, fr = 法人)."""
    from openpyxl import Workbook

    fake = Faker(7)
    workbook = Workbook()
    sheet = workbook.active
    header = ["id", "corp_name", "xydm", "fr", "tel", "addr", "setup_dt", "remark"]
    sheet.append(header)
    for number in range(1, ROWS + 1):
        district, division = fake.district()
        founded = fake.day(date(2010, 1, 1), TODAY)
        sheet.append(
            [
                number,
                fake.company(district),
                fake.uscc(division, fake.rng.random() < 0.5),
                fake.person(),
                fake.phone(),
                fake.address(district),
                datetime.combine(founded, datetime.min.time()) if number % 3 else fake.written(founded),
                fake.rng.choice(("", "", "重点监管", "已迁址")),
            ]
        )
    path = folder / "corp_export.xlsx"
    workbook.save(path)
    truth = {
        "name": "corp_name",
        "uscc": "xydm",
        "legal_representative": "fr",
        "phone": "tel",
        "address": "addr",
        "founded_on": "setup_dt",
    }
    return Export(path, "entity", truth)


EXPORTS: dict[str, Callable[[Path], Export]] = {
    "registration": registration,
    "station_list": station_list,
    "food_licences": food_licences,
    "equipment_list": equipment_list,
    "inspection_log": inspection_log,
    "cryptic_columns": cryptic_columns,
    "english_headers": english_headers,
}
