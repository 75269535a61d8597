"""The demo city's department exports beside the registration export, and a source file for each of the four.

`write_demo_exports` writes, into the workspace, what four departments send the data hub:
| source | department | file (in `sources/exports/`) | record type |
| --- | --- | --- | --- |
| `dengji` | LZ-DJ 登记注册科 | dengji_export.csv (GBK; written by `zhizhi.demo.export`) | entity |
| `food_licences` | LZ-SP 食品经营安全监督管理科 | food_licences.xlsx (title, merged header, two sheets) | licence |
| `equipment` | LZ-TS 特种设备安全监察科 | equipment.xls (legacy Excel, no credit code) | equipment |
| `inspections` | LZ-CZ-ZN 中南市场监督管理所 | inspections.csv (UTF-8 with BOM) | inspection |

The three new exports name the registration export's entities (regenerated here from the same seed, so the
registration export need not be written first) and carry the dirt their modules describe. The source files are
written as a steward would write them, comments and all, and each is checked to load before it is written. Nothing
is ingested here.
"""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from zhizhi.access import Actor
from zhizhi.codes import load_hierarchy
from zhizhi.demo import equipment, inspections, licences
from zhizhi.demo.codes import NATIONAL, local_formats
from zhizhi.demo.export import export_records, old_codes_by_class
from zhizhi.sources import parse_source
from zhizhi.sources.config import SOURCES_FOLDER

EXPORTS_FOLDER = "exports"

SOURCE_FILES: dict[str, str] = {
    "dengji": """\
# 登记注册系统导出: sources/exports/dengji_export.csv, GBK, one row per market entity.
name: dengji
title: 登记注册系统导出
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
  founded_on: 成立日期
  registration_authority: 登记机关
  address: 住所
  # The industry code is translated from 经营业态代码, not from 行业代码. 行业代码 mixes two editions: entities
  # founded before GB/T 4754-2017 took effect (2017-10-01) kept their 2011 code, later ones have a 2017 code, and a
  # source names one code list per field. Read as 2017, the 2011 codes whose numbers 2017 gave to another class
  # would be kept as that wrong class without a word; read as 2011, every 2017-only code would be quarantined and
  # the classes 2017 split (5219, 6120 ...) would wait for review. 经营业态代码 is in one list, the city's
  # liuzhou-business-format, whose crosswalk liuzhou-format-to-gbt4754 takes every format to its 2017 class in one
  # step (formats added in 2025 roll up to their class). Formats the list dropped (529101 ...) and mistyped ones
  # are not in it: their rows are quarantined (code.unknown) for the section to correct.
  # The demo's code lists must be installed (`zhizhi demo` does it) before this source is ingested.
  industry_code:
    column: 经营业态代码
    code_list: liuzhou-business-format
  # 存续（在营、开业、在册）, 注销 and 吊销，未注销 are the record type's own label and aliases: no map needed
  status: 登记状态
""",
    "food_licences": """\
# 食品经营许可证发放台账: sources/exports/food_licences.xlsx, both sheets (市本级, 县区). The readers skip the
# title and 合计 rows and join the merged header (许可证/编号 ...).
name: food_licences
title: 食品经营许可台账
department: LZ-SP
record_type: licence
reader: excel
default_prefecture: "450200"
default_area_code: "0772"
fields:
  number: 许可证/编号
  kind:
    value: 食品经营许可证
  holder_name:
    column: 经营者/名称
    transforms:
      # a label some clerks add to an individual business's name; the register has the name without it
      - strip_suffix: [（个体工商户）, (个体工商户)]
  holder_uscc: 经营者/统一社会信用代码
  legal_representative: 经营者/法定代表人（负责人）
  address: 经营场所
  business_format:
    column: 主体业态
    transforms:
      - map: {食品销售: 食品销售经营者, 餐饮服务: 餐饮服务经营者, 食堂: 单位食堂}
  # 业态代码 holds the city's six-digit business formats: translated to the GB/T 4754-2017 class.
  industry_code:
    column: 经营项目/业态代码
    code_list: liuzhou-business-format
  valid_from: 许可证/有效期起
  valid_to: 许可证/有效期至
  issuer:
    column: 发证机关
    transforms:
      - map: {柳州市市场监管局: 柳州市市场监督管理局}
""",
    "equipment": """\
# 在用特种设备台账: sources/exports/equipment.xls (legacy Excel). The list has no credit-code column, so
# user_uscc stays unmapped: the using entity is found by its name and the equipment's address.
name: equipment
title: 在用特种设备台账
department: LZ-TS
record_type: equipment
reader: excel
default_prefecture: "450200"
default_area_code: "0772"
fields:
  equipment_code: 设备注册代码
  kind:
    column: 设备类别
    transforms:
      # some rows name the variety or an old name instead of the category
      - map: {叉车: 场（厂）内专用机动车辆, 厂内机动车辆: 场（厂）内专用机动车辆, 起重机: 起重机械}
  user_name: 使用单位名称
  # mostly written without province or city (城中区文昌路12号): default_prefecture places them in 柳州
  address: 设备使用地点
  # 待定, 停用 and / are left to quarantine: the section is asked for the date
  next_inspection_on: 下次检验日期
""",
    "inspections": """\
# 双随机检查记录（中南所）: sources/exports/inspections.csv, UTF-8 with a BOM (detected).
name: inspections
title: 双随机检查记录（中南所）
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
      # the office's words that the inspection record type's aliases do not know
      - map:
          责令限期整改: 责令整改
          发现问题，已责令整改: 责令整改
          查无此户: 查无下落
          整改到位: 合格
          复查合格: 合格
  follow_up: 处理措施
""",
}


def exports_folder(root: Path) -> Path:
    """Where the demo keeps department exports: `sources/exports` in the workspace."""
    return root / SOURCES_FOLDER / EXPORTS_FOLDER


def write_demo_exports(session: Session, actor: Actor, root: Path) -> list[Path]:
    """Write the three new exports into `root/sources/exports/` and the four source files into `root/sources/`.

    Returns the paths written: food_licences.xlsx, equipment.xls, inspections.csv, then dengji.yaml,
    food_licences.yaml, equipment.yaml, inspections.yaml. Seeded: the same files on every run. The built-in code
    lists must be installed (the entities are regenerated from GB/T 4754 and its 2011 correspondence). `actor` is
    taken so the demo calls each step alike; writing files records nothing.
    """
    formats = local_formats(load_hierarchy(session, NATIONAL))
    records = export_records(formats, old_codes_by_class(session))
    folder = exports_folder(root)
    paths = [
        folder / licences.FILE_NAME,
        folder / equipment.FILE_NAME,
        folder / inspections.FILE_NAME,
    ]
    licences.write_licences(paths[0], records, formats)
    equipment.write_equipment(paths[1], records)
    inspections.write_inspections(paths[2], records)
    return paths + write_source_files(root)


def write_source_files(root: Path) -> list[Path]:
    """Write the four source files into `root/sources/` (each checked to load first); returns their paths."""
    folder = root / SOURCES_FOLDER
    folder.mkdir(parents=True, exist_ok=True)
    paths = []
    for name, text in SOURCE_FILES.items():
        parse_source(text, f"{SOURCES_FOLDER}/{name}.yaml")
        path = folder / f"{name}.yaml"
        path.write_text(text, encoding="utf-8")
        paths.append(path)
    return paths
