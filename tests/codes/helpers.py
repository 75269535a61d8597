"""Small code lists and crosswalks written as files, for the code tests."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy.orm import Session

from tests.conftest import OPERATOR
from zhizhi.codes import ListSpec, import_code_list, import_crosswalk


def write(path: Path, text: str, encoding: str = "utf-8") -> Path:
    path.write_bytes(text.encode(encoding))
    return path


# A national list (explicit parents), a local 6-digit list (prefix rule 4, 6) and a provincial 8-digit one.
NATIONAL = """code,name,parent
F,批发和零售业,
52,零售业,F
522,食品、饮料及烟草制品专门零售,52
5221,粮油零售,522
5222,糕点、面包零售,522
5223,果品、蔬菜零售,522
H,住宿和餐饮业,
62,餐饮业,H
621,正餐服务,62
6210,正餐服务,621
"""

LOCAL = """编码,名称
5221,粮油零售
522101,粮油零售（超市内）
522102,粮油零售（农贸市场）
5222,糕点、面包零售
522201,现制现售糕点
5223,果品、蔬菜零售
6210,正餐服务
621001,中餐馆
621002,火锅店
"""

PROVINCE = """code,name,parent
52210001,粮油零售（商超）,
52210002,粮油零售（市场摊位）,
52220001,糕点面包零售,
52230001,果蔬零售,
62100001,正餐（旧码）,
62100002,正餐服务（中餐）,
62100003,正餐服务（其他）,
"""

LOCAL_TO_NATIONAL = """from_code,to_code
522101,5221
522102,5221
522201,5222
621001,6210
621002,6210
"""

NATIONAL_TO_PROVINCE = """from_code,to_code,rule_field,rule_value,valid_from,valid_to
5221,52210001,business_format,522101,,
5221,52210002,business_format,522102,,
5222,52220001,,,,
6210,62100001,,,,2024-12-31
6210,62100002,,,2025-01-01,
6210,62100003,,,2025-01-01,
"""


def load_city_codes(session: Session, folder: Path) -> None:
    """The three lists and two crosswalks above, imported as the operator."""
    import_code_list(
        session,
        OPERATOR,
        write(folder / "national.csv", NATIONAL),
        ListSpec("national", "国民经济行业分类（节选）"),
        version="2017",
    )
    import_code_list(
        session,
        OPERATOR,
        write(folder / "local.csv", LOCAL, "gbk"),
        ListSpec("local-6", "本地经营业态", hierarchy="prefix", prefix_lengths=(4, 6)),
        version="1",
    )
    import_code_list(
        session,
        OPERATOR,
        write(folder / "province.csv", PROVINCE),
        ListSpec("province-8", "省平台行业代码"),
        version="2024",
    )
    import_crosswalk(
        session,
        OPERATOR,
        write(folder / "l2n.csv", LOCAL_TO_NATIONAL),
        name="local-to-national",
        from_list="local-6",
        to_list="national",
        version="1",
    )
    import_crosswalk(
        session,
        OPERATOR,
        write(folder / "n2p.csv", NATIONAL_TO_PROVINCE),
        name="national-to-province",
        from_list="national",
        to_list="province-8",
        version="1",
    )
