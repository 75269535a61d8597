"""Enterprise names split into the parts registration rules build them from, as polars expressions.

A registered name is region + trade name (字号) + industry word + organisation form, optionally followed by a
branch: 广西柳州市 + 华信 + 科技 + 有限公司 + 柳州分公司. Whole-string similarity is dominated by the shared
region, industry word and form, so matching compares the parts (see docs/resolve.md).

Decisions:
- Cleaning for matching: full-width ASCII to half-width, every bracket style to ASCII (), all whitespace removed
  (Chinese has no word separators), Latin letters upper-cased.
- Organisation forms are read from the end: 有限责任公司 is written as 有限公司 (the same form); 股份有限公司,
  合伙企业, 个人独资企业, 合作社 are their own; 公司 alone (an informal short name) is a company of unknown form;
  individual businesses end in a shop word (店, 馆, 行, 部, 厂, 中心 ...).
- A branch is what follows a form: 分公司/分店/分厂/营业部/办事处... after any form, 店/部/厂 after 公司
  (华联超市有限公司潭中店), with or without brackets. Its key drops 市 and brackets.
- Region: up to three division names at the start (province full or short name, prefecture with or without 市,
  county full name; county short names are too often ordinary words), and any other bracketed text (（柳州）).
  When nothing but an industry word would remain, the last region word was the trade name (金华科技有限公司).
- Industry word: the longest word of `INDUSTRY_WORDS` that ends the rest; the trade name is what precedes it.
  A name whose industry word is not in the list keeps it inside the trade name, the same way in every record.
- Registration area (`region_codes`): the division the region words name, bracketed or not (柳州市, 柳州,
  （柳州） and 广西柳州市 are all 450200; 柳州市鱼峰区 is 450203). A name is unique within its registration area
  (企业名称登记管理规定), so the area with the trade name, industry word, form and branch (`registered_key`)
  identifies a firm wherever its address: a firm that moved keeps it, while a namesake in another district
  registers under another region word. A county name two prefectures share (城中区) is read inside the
  prefecture of the record's address.
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from functools import cache
from typing import Any

import opencc
import polars as pl

from zhizhi.ingest.normalize.divisions import PSEUDO_PREFECTURES, SHORT_PROVINCES, division_index
from zhizhi.ingest.normalize.text import FULL_WIDTH, INVISIBLE, WHITESPACE

BRACKETS = {"（": "(", "）": ")", "[": "(", "]": ")", "【": "(", "】": ")", "〔": "(", "〕": ")", "［": "(", "］": ")"}
INDIVIDUAL_MARKS = r"\((?:个体工商户|个体户|个体)\)"
# canonical form -> (kind, written forms); the longest written form that ends a name wins
FORMS: dict[str, tuple[str, tuple[str, ...]]] = {
    "股份有限公司": ("company", ("股份有限公司",)),
    "有限公司": ("company", ("有限责任公司", "有限公司")),
    "公司": ("company", ("公司",)),
    "合伙企业": ("partnership", ("合伙企业有限合伙", "合伙企业普通合伙", "有限合伙", "普通合伙", "合伙企业")),
    "个人独资企业": ("sole", ("个人独资企业", "独资企业")),
    "合作社": ("cooperative", ("农民专业合作社", "专业合作社", "股份经济合作社", "合作社")),
    "工作室": ("shop", ("工作室",)),
    "中心": ("shop", ("中心",)),
    **{word: ("shop", (word,)) for word in "店馆行部厂社坊场所室吧铺站"},
}
BRANCH_WORDS = ("分公司", "分店", "分厂", "分部", "分行", "分社", "分中心", "营业部", "办事处", "分理处", "门店")
WEAK_BRANCH_WORDS = ("店", "部", "厂")
# industry words (行业表述) common in registered names; longer words win over their own endings
INDUSTRY_WORDS = (
    "信息技术", "信息科技", "网络科技", "电子科技", "生物科技", "智能科技", "环保科技", "新能源科技", "科技发展",
    "科技", "技术", "电子商务", "电子", "网络", "软件", "信息咨询", "信息服务", "商务咨询", "企业管理",
    "管理咨询", "咨询", "商贸", "贸易", "经贸", "实业", "投资", "投资管理", "资产管理", "发展", "集团",
    "餐饮管理", "餐饮服务", "餐饮", "酒店管理", "酒店", "宾馆", "饭店", "食品", "食品贸易", "农产品", "农业开发",
    "农业科技", "农业", "养殖", "种植", "林业", "牧业", "渔业", "茶业", "果业", "水果", "蔬菜", "粮油", "米业",
    "建材", "建筑工程", "建筑劳务", "建筑", "建设", "工程", "装饰工程", "装饰设计", "装饰", "装修", "园林绿化",
    "园林", "市政工程", "劳务", "物业服务", "物业管理", "物业", "房地产开发", "房地产", "置业", "地产",
    "汽车服务", "汽车销售", "汽车维修", "汽车租赁", "汽车", "汽配", "汽车配件", "机动车检测", "运输", "物流",
    "货运", "快递", "客运", "仓储", "文化传媒", "文化传播", "广告", "传媒", "文化", "印刷", "设计", "教育咨询",
    "教育科技", "培训", "教育", "体育", "健身", "旅游", "旅行社", "医药", "药业", "大药房", "药房", "医疗器械",
    "医疗", "诊所", "健康管理", "健康", "养生", "美容美发", "美容", "美发", "理发", "服饰", "服装", "鞋业", "纺织",
    "家具", "家居", "五金交电", "五金", "电器", "家电", "机电", "机械设备", "机械", "设备", "电力", "能源",
    "化工", "塑料", "钢铁", "金属制品", "金属", "材料", "新材料", "石材", "陶瓷", "玻璃", "包装", "纸业",
    "环保", "环境", "再生资源", "废旧物资回收", "人力资源", "保洁", "家政服务", "家政", "安防", "消防",
    "通信", "电讯", "数码", "照明", "灯饰", "珠宝", "眼镜", "烟酒", "酒业", "酒类", "超市", "便利", "百货",
    "日用品", "副食", "批发", "零售", "经营", "门市", "商", "服务", "小吃", "螺蛳粉", "米粉", "粉面", "烧烤",
    "火锅", "面馆", "奶茶", "茶饮", "烘焙", "糕点", "蛋糕", "水产", "肉类", "冷冻食品", "熟食", "卤味",
    "糖业", "乳业", "饮料", "饮品", "粮食", "种业", "饲料", "兽药", "农资", "化肥", "农机", "水利", "电梯",
    "起重设备", "锅炉", "压力容器", "燃气", "加油站", "石油", "二手车", "摩托车", "电动车", "自行车",
    "手机", "电脑", "打印", "复印", "图文", "摄影", "婚庆", "礼品", "玩具", "文具", "书店", "乐器", "艺术",
    "洗涤", "洗车", "维修", "修理", "开锁", "搬家", "租赁", "典当", "拍卖", "担保", "小额贷款", "保险代理",
    "会计", "财务咨询", "税务", "法律咨询", "知识产权", "检测", "认证", "测绘", "勘察", "监理", "造价咨询",
)  # fmt: skip
# Chunk of the region regex: Rust's regex keeps one alternation of a few thousand words well within its limits.
MAX_REGION_CHUNKS = 3


def region_codes(regions: pl.Series, prefectures: pl.Series) -> pl.Series:
    """The registration area (a division code) the region words of each name name, or null; `prefectures` (the
    4-digit prefix of the record's address division) chooses among counties of one name."""
    frame = pl.DataFrame({"region": regions, "prefecture": prefectures}, schema={"region": pl.String,
                                                                                 "prefecture": pl.String})  # fmt: skip
    key = pl.concat_str([pl.col("region"), pl.col("prefecture").fill_null("")], separator="|")
    distinct = frame.drop_nulls("region").unique()
    lookup = {f"{region}|{prefecture or ''}": _region_code(region, prefecture)
              for region, prefecture in distinct.iter_rows()}  # fmt: skip
    return frame.select(key.replace_strict(lookup, default=None, return_dtype=pl.String).alias("region_code"))[
        "region_code"
    ]


def registered_key_expr() -> pl.Expr:
    """The name as registered: area | trade name and industry word | form | branch; null without area or form."""
    parts = [pl.col("region_code"), pl.col("core"), pl.col("form"), pl.col("branch").fill_null("")]
    return pl.concat_str(parts, separator="|")


def _region_code(region: str, prefecture: str | None) -> str | None:
    text = region.removeprefix("中国")
    codes = _region_lookup().get(text) or _region_lookup().get(text + "市") or ()
    if len(codes) > 1 and prefecture:
        codes = tuple(code for code in codes if code.startswith(prefecture))
    return codes[0] if len(codes) == 1 else None


@cache
def _region_lookup() -> dict[str, tuple[str, ...]]:
    """Division codes by every writing of a region: the address chains, and a province by its short name alone."""
    index = division_index()
    lookup = dict(index.chains)
    for division in index.divisions.values():
        if division.level == "province":
            short = SHORT_PROVINCES.get(division.province) or division.province.rstrip("省市")
            lookup.setdefault(short, (division.code,))
    return lookup


def clean_name_expr(expr: pl.Expr) -> pl.Expr:
    """A name cleaned for matching: half-width ASCII, ASCII brackets, no whitespace, upper-case Latin, traditional
    characters simplified (a hand-typed list writes 龍記螺螄粉店 for the register's 龙记螺蛳粉店)."""
    text = (
        expr.cast(pl.String)
        .str.replace_all(INVISIBLE, "")
        .str.replace_many(FULL_WIDTH)
        .str.replace_many(BRACKETS)
        .str.replace_all(WHITESPACE, "")
        .str.to_uppercase()
        .map_batches(simplified, return_dtype=pl.String)
    )
    return text.replace("", None)


@cache
def _to_simplified() -> Any:
    return opencc.OpenCC("t2s")


@cache
def _traditional() -> str:
    """A pattern of the characters OpenCC writes otherwise in simplified text (each alone): the texts worth
    converting."""
    convert = _to_simplified().convert
    changed = [chr(c) for c in range(0x3400, 0xA000) if convert(chr(c)) != chr(c)]
    return "[" + "".join(changed) + "]"


def simplified(texts: pl.Series) -> pl.Series:
    """Texts in simplified characters (OpenCC's t2s, phrases included), converting only those holding a character it
    changes."""
    marked = texts.str.contains(_traditional()).fill_null(False)
    if not marked.any():
        return texts
    at = marked.arg_true()
    convert = _to_simplified().convert
    return texts.scatter(at, [convert(text) for text in texts.gather(at).to_list()])


def name_parts(names: pl.Series) -> pl.DataFrame:
    """Split a column of names into name, region, trade, industry, form, form_kind, branch and individual."""
    frame = pl.DataFrame({"name": names}).lazy()
    frame = frame.with_columns(clean_name_expr(pl.col("name")).alias("name"))
    frame = frame.with_columns(
        pl.col("name").str.contains(INDIVIDUAL_MARKS).fill_null(False).alias("individual"),
        pl.col("name")
        .str.replace_all(INDIVIDUAL_MARKS, "")
        .str.replace_all(r"\((有限合伙|普通合伙)\)", "$1")
        .alias("_s"),
    )
    frame = _split_branch(frame)
    frame = frame.with_columns(
        pl.col("_s").str.extract(r"\(([^()]*)\)", 1).alias("_bracket"),
        pl.col("_s").str.replace_all(r"\([^()]*\)", "").alias("_s"),
    )
    frame = _split_form(frame)
    frame = _split_region(frame)
    frame = _split_industry(frame)
    individual = pl.col("individual") | (pl.col("form_kind") == "shop").fill_null(False)
    return (
        frame.with_columns(individual.alias("individual"))
        .select("name", "region", "trade", "industry", "form", "form_kind", "branch", "individual")
        .collect()
    )


def parse_name(name: str) -> dict[str, object]:
    """The parts of one name (as `name_parts` gives them), for tests and the steward's view."""
    return name_parts(pl.Series([name], dtype=pl.String)).row(0, named=True)


def _split_branch(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Take a branch (分公司 ...) off the end of `_s` into `branch`."""
    strong = _alternation(BRANCH_WORDS)
    forms = _alternation(["公司", "合作社", "企业", "厂", "店", "中心", "社"])
    # the head is greedy: a form word inside the name (酒店管理有限公司基隆分店) is not where the branch starts
    after_form = rf"^(.*(?:{forms}))\(?([^()]{{0,15}}?(?:{strong}))\)?$"
    after_company = rf"^(.*公司)\(?([^()]{{1,15}}?(?:{_alternation(WEAK_BRANCH_WORDS)}))\)?$"
    bracketed = rf"^(.*?)\(([^()]*(?:{strong}))\)$"
    patterns = (after_form, after_company, bracketed)
    # a pattern that does not match gives nulls in both groups, so the first match wins field by field
    head = pl.coalesce([pl.col("_s").str.extract(pattern, 1) for pattern in patterns])
    branch = pl.coalesce([pl.col("_s").str.extract(pattern, 2) for pattern in patterns])
    branch = branch.str.replace_all(r"[()市]", "")
    # The branch by its place: 城中店, 城中分店 and 城中区分店 are one branch written three ways.
    place = branch.str.replace(rf"(?:区|县)?(?:{strong}|{_alternation(WEAK_BRANCH_WORDS)})$", "")
    branch = pl.when(place.str.len_chars() > 0).then(place).otherwise(branch)
    return frame.with_columns(pl.coalesce(head, pl.col("_s")).alias("_s"), branch.alias("branch"))


def _split_form(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Take the organisation form off the end of `_s` into `form` (canonical) and `form_kind`."""
    written = {text: canonical for canonical, (_, texts) in FORMS.items() for text in texts}
    kinds = {canonical: kind for canonical, (kind, _) in FORMS.items()}
    pattern = rf"^(.*?)({_alternation(written)})$"
    frame = frame.with_columns(pl.col("_s").str.extract_groups(pattern).alias("_f"))
    form = pl.col("_f").struct.field("2").replace_strict(written, default=None)
    rest = pl.coalesce(pl.col("_f").struct.field("1"), pl.col("_s"))
    frame = frame.with_columns(form.alias("form"), rest.alias("_s")).drop("_f")
    return frame.with_columns(pl.col("form").replace_strict(kinds, default=None).alias("form_kind"))


def _split_region(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Take up to three division names off the start of `_s`; the bracketed text counts as region too."""
    pattern = f"^(?:{region_alternation()})"
    chunks = []
    for index in range(MAX_REGION_CHUNKS):
        chunk = f"_r{index}"
        frame = frame.with_columns(pl.col("_s").str.extract(f"({pattern})", 1).alias(chunk))
        frame = frame.with_columns(pl.col("_s").str.slice(pl.col(chunk).str.len_chars().fill_null(0)).alias("_s"))
        chunks.append(chunk)
    return frame.with_columns(pl.concat_str([pl.col(c) for c in chunks], ignore_nulls=True).alias("_region"))


def _split_industry(frame: pl.LazyFrame) -> pl.LazyFrame:
    """Split the rest into trade name and industry word; an empty trade name takes back the last region word."""
    pattern = rf"^(.*?)({_alternation(INDUSTRY_WORDS)})$"
    frame = frame.with_columns(pl.col("_s").str.extract_groups(pattern).alias("_i"))
    industry = pl.col("_i").struct.field("2")
    trade = pl.when(industry.is_null()).then(pl.col("_s")).otherwise(pl.col("_i").struct.field("1"))
    frame = frame.with_columns(industry.alias("industry"), trade.replace("", None).alias("trade"))
    last = pl.coalesce(pl.col("_r2"), pl.col("_r1"), pl.col("_r0"))
    borrow = pl.col("trade").is_null() & last.is_not_null()
    region_words = pl.concat_str([pl.col("_r0"), pl.col("_r1"), pl.col("_r2")], ignore_nulls=True)
    kept = region_words.str.slice(0, region_words.str.len_chars() - last.str.len_chars())
    region = pl.when(borrow).then(kept).otherwise(pl.col("_region"))
    region = pl.concat_str([region.replace("", None), pl.col("_bracket")], ignore_nulls=True).replace("", None)
    return frame.with_columns(
        pl.when(borrow).then(last).otherwise(pl.col("trade")).alias("trade"),
        region.alias("region"),
    )


@cache
def region_alternation() -> str:
    """Every division name a firm's name may start with, longest first, as one regex alternation."""
    words: set[str] = {"中国"}
    for division in division_index().divisions.values():
        if division.level == "province":
            words.add(division.province)
            words.add(SHORT_PROVINCES.get(division.province) or division.province.rstrip("省市"))
        elif division.level == "prefecture" and division.city and division.city not in PSEUDO_PREFECTURES:
            words.add(division.city)
            if division.city.endswith("市") and len(division.city) > 2:
                words.add(division.city[:-1])
        elif division.level == "county" and division.county:
            words.add(division.county)
    return _alternation(word for word in words if len(word) >= 2)


def _alternation(words: Iterable[str]) -> str:
    """A regex alternation of literal words, longest first (ties in code-point order, so it is stable)."""
    unique = sorted(set(words), key=lambda word: (-len(word), word))
    return "|".join(re.escape(word) for word in unique)
