"""Enterprise names split into region, trade name, industry word, organisation form and branch."""

from __future__ import annotations

import pytest

from zhizhi.resolve.names import parse_name

CASES = [
    # name, region, trade, industry, form, branch
    ("柳州市华信科技有限公司", "柳州市", "华信", "科技", "有限公司", None),
    ("华信科技有限责任公司", None, "华信", "科技", "有限公司", None),
    ("广西华信科技有限公司", "广西", "华信", "科技", "有限公司", None),
    ("广西壮族自治区柳州市城中区华信科技有限公司", "广西壮族自治区柳州市城中区", "华信", "科技", "有限公司", None),
    ("（柳州）华信科技有限公司", "柳州", "华信", "科技", "有限公司", None),
    ("华信科技（柳州）有限公司", "柳州", "华信", "科技", "有限公司", None),
    ("华信科技股份有限公司", None, "华信", "科技", "股份有限公司", None),
    ("华信科技有限公司柳州分公司", None, "华信", "科技", "有限公司", "柳州"),
    ("华信科技有限公司（柳州市分公司）", None, "华信", "科技", "有限公司", "柳州"),
    ("华联超市有限公司潭中店", None, "华联", "超市", "有限公司", "潭中"),
    # a form word inside the name is not where the branch starts
    ("广西人鑫酒店管理有限责任公司基隆分店", "广西", "人鑫", "酒店管理", "有限公司", "基隆"),
    ("华信健康管理中心有限公司柳州分公司", None, "华信健康管理中心", None, "有限公司", "柳州"),
    # a branch by its place: 城中店, 城中分店 and 城中区分店 are one
    ("桂味餐饮管理有限公司城中区分店", None, "桂味", "餐饮管理", "有限公司", "城中"),
    ("桂味餐饮管理有限公司城中店", None, "桂味", "餐饮管理", "有限公司", "城中"),
    ("华信科技有限公司营业部", None, "华信", "科技", "有限公司", "营业部"),
    ("柳州市城中区老王螺蛳粉店", "柳州市城中区", "老王", "螺蛳粉", "店", None),
    ("老王螺蛳粉店（个体工商户）", None, "老王", "螺蛳粉", "店", None),
    ("柳州市鱼峰区桂龙经营部", "柳州市鱼峰区", "桂龙", "经营", "部", None),
    ("某某投资合伙企业（有限合伙）", None, "某某", "投资", "合伙企业", None),
    ("柳江区恒达农民专业合作社", "柳江区", "恒达", None, "合作社", None),
    ("华信公司", None, "华信", None, "公司", None),
    ("华信 科技", None, "华信", "科技", None, None),
    # nothing but an industry word after the region: the region word was the trade name
    ("金华科技有限公司", None, "金华", "科技", "有限公司", None),
    ("柳州螺蛳粉店", None, "柳州", "螺蛳粉", "店", None),
]


@pytest.mark.parametrize(("name", "region", "trade", "industry", "form", "branch"), CASES)
def test_name_parts(
    name: str, region: str | None, trade: str, industry: str | None, form: str | None, branch: str | None
) -> None:
    parts = parse_name(name)
    assert (parts["region"], parts["trade"], parts["industry"], parts["form"], parts["branch"]) == (
        region,
        trade,
        industry,
        form,
        branch,
    )


def test_individual_businesses_are_marked() -> None:
    assert parse_name("老王螺蛳粉店（个体工商户）")["individual"] is True
    assert parse_name("柳州市鱼峰区桂龙经营部")["individual"] is True
    assert parse_name("华信科技有限公司")["individual"] is False


@pytest.mark.parametrize(
    ("written", "registered"),
    [("柳州市魚峰區龍記螺螄粉店", "柳州市鱼峰区龙记螺蛳粉店"), ("新鋭食品有限公司", "新锐食品有限公司"),
     ("柳州市城中區後街餐館", "柳州市城中区后街餐馆")],
)  # fmt: skip
def test_a_name_in_traditional_characters_is_read_as_the_register_writes_it(written: str, registered: str) -> None:
    assert parse_name(written) == parse_name(registered)


def test_full_width_and_spaces_are_cleaned() -> None:
    parts = parse_name("ＡＢＣ　trading 有限公司")
    assert parts["name"] == "ABCTRADING有限公司"
    assert parts["trade"] == "ABCTRADING"


REGISTERED = [
    # name, registered key (registration area | trade name and industry word | form | branch)
    ("梧州市华信科技有限公司", "450400|华信科技|有限公司|"),
    ("梧州华信科技有限责任公司", "450400|华信科技|有限公司|"),
    ("华信科技（梧州）有限公司", "450400|华信科技|有限公司|"),
    ("华信科技(梧州)有限责任公司", "450400|华信科技|有限公司|"),
    ("广西梧州市华信科技有限公司", "450400|华信科技|有限公司|"),
    ("广西华信科技有限公司", "450000|华信科技|有限公司|"),
    ("柳州市鱼峰区华信科技有限公司", "450203|华信科技|有限公司|"),
    ("柳州市华信科技有限公司柳南分公司", "450200|华信科技|有限公司|柳南"),
    # no region, or no form: not the registered name
    ("华信科技有限公司", None),
    ("梧州华信科技", None),
]


@pytest.mark.parametrize(("name", "key"), REGISTERED)
def test_registered_name_key(name: str, key: str | None) -> None:

    from tests.resolve.conftest import subjects
    from zhizhi.resolve.engine import prepare

    features = prepare(subjects({"name": name}))
    assert features["registered_key"][0] == key


def test_a_county_two_prefectures_share_is_read_in_the_address_prefecture() -> None:
    import polars as pl

    from zhizhi.resolve.names import region_codes

    codes = region_codes(pl.Series(["城中区", "城中区", "城中区"]), pl.Series(["4502", "6301", None]))
    assert codes.to_list() == ["450202", "630103", None]
