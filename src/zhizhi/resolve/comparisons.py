"""What two records are compared on, level by level, as Splink comparisons on the features `prepare` makes.

Each level is a SQL condition on the pair (columns suffixed `_l` / `_r`), a label a steward reads, and how its
m-probability is found: learned from pairs sharing a valid credit code, fixed (the credit-code levels, which
those pairs cannot teach), or fixed near zero (a cannot-link: evidence that two records are different entities
whatever else they share). docs/resolve.md explains why each comparison and level is there.
"""

from __future__ import annotations

from dataclasses import dataclass

CANNOT_LINK_M = 1e-20
# two different firms sharing a registered name with its region: a misreading of the region, or a deregistered
# firm's name taken again. Fixed, because random pairs cannot measure something this rare.
REGISTERED_NAME_U = 2e-9
# A record without a code writing the name core (trade name + industry word, and branch) that exactly one credit
# code in the register holds, with no region word naming another area (_one_holder), is another firm only when
# that firm is missing from the register (or a typo gave it another firm's core). Random pairs cannot measure
# something this rare, so the odds of such a pair on this evidence alone are fixed (u is the prior times m / odds),
# whatever the register's size. They differ by where the record comes from: a list that carries no credit codes at
# all (special-equipment users, market stalls, hotline respondents) does not choose its rows by whether a firm is
# registered, while a record without a code in a source that carries codes often lacks it because its firm is not
# in the register. Measured in bench/RESULTS.md (200,000 firms, rows with a name and nothing else): 1.2 % of such
# list rows and 3.3 % of the other records are another firm than the one holder.
ONE_HOLDER_LIST_ODDS = 80.0
ONE_HOLDER_ODDS = 30.0


def _one_holder(*, listed: bool) -> str:
    """The same name core and branch, held by one credit code in the area the other side's region words name
    (`core_codes`: 柳州市柳南区阿明食府 names the 柳南区 holder even when a 城中区 firm holds 阿明食府 too), which one
    side carries; the other side's region
    words (if both sides have any) name the holder's area or one containing it (a district's namesake registers
    under its district's name because the city's is taken: 柳州市柳北区华信 is not 柳州市华信); with `listed`, the
    other side comes from a list without codes."""
    sides = []
    for coded, other in (("l", "r"), ("r", "l")):
        area = (
            f"region_area_{coded} IS NULL OR region_area_{other} IS NULL "
            f"OR starts_with(region_area_{coded}, region_area_{other})"
        )
        source = f" AND codeless_source_{other}" if listed else ""
        sides.append(f"(uscc_valid_{coded}{source} AND core_codes_{other} = 1 AND ({area}))")
    return f"holder_key_l = holder_key_r AND ({' OR '.join(sides)})"


@dataclass(frozen=True)
class Level:
    """One comparison level: `key` names it in the model, `prior_m`/`prior_u` seed small data sets; `fixed_m` and
    `fixed_u` are not learned; `fixed_odds` fixes the odds of a match given this level alone (u = prior * m / odds)."""

    key: str
    sql: str
    label: str
    prior_m: float = 0.0
    prior_u: float = 0.0
    fixed_m: float | None = None
    fixed_u: float | None = None
    fixed_odds: float | None = None
    null: bool = False

    @property
    def cannot_link(self) -> bool:
        """Whether this level says the two records are different entities."""
        return self.fixed_m == CANNOT_LINK_M


@dataclass(frozen=True)
class Comparison:
    """A comparison: its output column name, what it means, and its levels from most to least alike."""

    name: str
    description: str
    levels: tuple[Level, ...]

    def scored_levels(self) -> tuple[Level, ...]:
        """The levels that carry a weight (all but the null level)."""
        return tuple(level for level in self.levels if not level.null)

    def gamma(self, key: str) -> int:
        """The gamma value Splink gives a level: -1 for the null level, then counting down to 0 for the last."""
        scored = [level.key for level in self.scored_levels()]
        return -1 if key not in scored else len(scored) - 1 - scored.index(key)


def _null(columns: tuple[str, ...], label: str, *, both: bool = False) -> Level:
    joiner = " AND " if both else " OR "
    sql = joiner.join(f"{c}_l IS NULL OR {c}_r IS NULL" if not both else f"{c}_l IS NULL AND {c}_r IS NULL"
                      for c in columns)  # fmt: skip
    return Level("null", sql, label, null=True)


# a county on both sides that agrees, or one side without a county inside the same prefecture
_COUNTY_AGREES = (
    "(county_l = county_r OR ((county_l IS NULL OR county_r IS NULL) "
    "AND (prefecture_l IS NULL OR prefecture_r IS NULL OR prefecture_l = prefecture_r)))"
)

CREDIT_CODE = Comparison(
    "credit_code",
    "统一社会信用代码：相同的有效代码在打分前已确定关联；两个不同的有效代码表示不同主体",
    (
        _null(("uscc",), "信用代码缺失"),
        Level("same", "uscc_l = uscc_r", "信用代码相同", fixed_m=0.9, prior_u=1e-7),
        Level("typo", "damerau_levenshtein(uscc_l, uscc_r) <= 1", "信用代码一字之差", fixed_m=0.05, prior_u=1e-7),
        Level("differ", "uscc_valid_l AND uscc_valid_r", "信用代码不同", fixed_m=CANNOT_LINK_M, prior_u=0.9),
        Level("else", "ELSE", "信用代码不同（至少一方无效）", fixed_m=0.05, prior_u=0.1),
    ),
)
REG_NO = Comparison(
    "reg_no",
    "注册号（15位）：相同在打分前已确定关联；不同表示不同主体",
    (
        _null(("reg_no",), "注册号缺失"),
        Level("same", "reg_no_l = reg_no_r", "注册号相同", fixed_m=0.95, prior_u=1e-7),
        Level("differ", "ELSE", "注册号不同", fixed_m=CANNOT_LINK_M, prior_u=1.0),
    ),
)
NAME = Comparison(
    "name",
    "名称去掉行政区划和组织形式后，比较字号与行业表述",
    (
        _null(("core",), "名称缺失"),
        # a name is unique within its registration area: two different firms never share it, wherever they are
        Level(
            "registered",
            "registered_key_l = registered_key_r",
            "登记名称相同（含行政区划）",
            0.4,
            REGISTERED_NAME_U,
            fixed_u=REGISTERED_NAME_U,
        ),
        # the same name core registered in two areas neither of which holds the other (柳州市鱼峰区华泰商贸 and
        # 柳州市柳南区华泰商贸): two registrations, two firms, whatever else they share
        Level(
            "other_region",
            "core_l = core_r AND region_area_l IS NOT NULL AND region_area_r IS NOT NULL "
            "AND NOT starts_with(region_area_l, region_area_r) AND NOT starts_with(region_area_r, region_area_l)",
            "字号与行业相同而名称中的行政区划不同（不同登记辖区）",
            prior_u=1e-5,
            fixed_m=CANNOT_LINK_M,
        ),
        # the register's one holder of the name core: the pair's coded side holds it, the other side writes it; from a
        # list without codes, it links on its own (80 to 1, with the same form about 170 to 1) unless an address, a
        # person or a phone says otherwise
        Level(
            "one_holder_list",
            _one_holder(listed=True),
            "字号与行业相同，库中仅此一家持有（无代码名单）",
            0.01,
            fixed_odds=ONE_HOLDER_LIST_ODDS,
        ),
        # from a source that carries codes, on its own it waits for a steward (30 to 1)
        Level(
            "one_holder",
            _one_holder(listed=False),
            "字号与行业相同，库中仅此一家持有",
            0.3,
            fixed_odds=ONE_HOLDER_ODDS,
        ),
        Level("same", "core_l = core_r", "字号与行业相同", 0.45, 2e-5),
        Level(
            "industry_near",
            "trade_l = trade_r AND (industry_l IS NULL OR industry_r IS NULL "
            "OR starts_with(industry_l, industry_r) OR starts_with(industry_r, industry_l))",
            "字号相同，行业表述缺失或相近",
            0.03,
            2e-5,
        ),
        Level("industry_differs", "trade_l = trade_r", "字号相同而行业不同", prior_u=1e-4, fixed_m=CANNOT_LINK_M),
        # two characters swapped (华信 / 信华) is a slip of typing; a character changed may be another firm (华新)
        Level("swapped", "core_sorted_l = core_sorted_r", "名称用字相同而顺序颠倒", 0.05, 2e-6),
        # typed with a pinyin input method, a slip picks a character of the same sound (华信 / 化信): far rarer
        # between two firms than any one character changed
        Level("homophone", "trade_pinyin_l = trade_pinyin_r", "字号读音相同（同音错字）", 0.03, 2e-5),
        Level("typo", "damerau_levenshtein(core_l, core_r) <= 1", "名称一字之差（错字）", 0.02, 2e-4),
        Level("similar", "jaccard(core_l, core_r) >= 0.75", "名称大部分用字相同", 0.01, 1e-3),
        # groups of firms share address, phone and boss: contact evidence alone never joins different names
        Level("else", "ELSE", "名称不同", prior_u=0.998, fixed_m=CANNOT_LINK_M),
    ),
)
BRANCH = Comparison(
    "branch",
    "分支机构：总公司与分公司、不同分公司是不同主体",
    (
        _null(("branch",), "均非分支机构", both=True),
        Level("same", "branch_l = branch_r", "同一分支机构", 1.0, 0.01),
        Level("differ", "ELSE", "分支机构不同（或一方为总机构）", prior_u=0.99, fixed_m=CANNOT_LINK_M),
    ),
)
FORM = Comparison(
    "form",
    "组织形式：有限责任公司与有限公司视为相同",
    (
        _null(("form",), "组织形式缺失"),
        Level("same", "form_l = form_r", "组织形式相同", 0.9, 0.5),
        Level("near", "form_kind_l = form_kind_r", "组织形式相近", 0.08, 0.2),
        Level("else", "ELSE", "组织形式不同（如企业与个体户）", 0.02, 0.3),
    ),
)
ADDRESS = Comparison(
    "address",
    "地址：区划代码加道路门牌；一方未写区县时以地市为准",
    (
        _null(("address_key",), "地址缺失"),
        Level("same", f"{_COUNTY_AGREES} AND address_key_l = address_key_r", "同一区县，地址相同", 0.6, 1e-5),
        Level("road_no", "county_l = county_r AND road_no_l = road_no_r", "同一区县且路号相同", 0.2, 1e-5),
        Level("road_no_near", f"{_COUNTY_AGREES} AND road_no_l = road_no_r", "路号相同（一方未写区县）", 0.1, 1e-5),
        Level("same_road", "county_l = county_r AND road_l = road_r", "同一区县同一道路，门牌不同", 0.03, 1e-3),
        Level("same_county", "county_l = county_r", "同一区县，道路不同", 0.03, 0.15),
        Level("other_county", "county_l <> county_r", "不同区县", 0.01, 0.8),
        # One side without a county: random pairs of the register (whose counties are all filled) cannot teach how
        # often two different businesses fall here, so u is fixed, as for the levels with both counties.
        Level("near_same_road", f"{_COUNTY_AGREES} AND road_l = road_r", "同一道路，门牌不同（一方未写区县）", 0.03,
              fixed_u=2e-3),
        Level("near_other_road", f"{_COUNTY_AGREES} AND road_l <> road_r", "道路不同（一方未写区县）", 0.02,
              fixed_u=0.8),
        Level("else", "ELSE", "地址不同", 0.03, fixed_u=0.05),
    ),
)
PHONE = Comparison(
    "phone",
    "电话：完全相同；多家主体共用的号码（代账会计等）权重低",
    (
        _null(("phone",), "电话缺失"),
        Level("same", "phone_l = phone_r AND phone_firms_l <= 2", "电话相同", 0.8, 1e-6),
        Level("same_shared", "phone_l = phone_r", "电话相同（多家共用）", 0.05, 1e-4),
        Level("else", "ELSE", "电话不同", 0.15, 0.9999),
    ),
)
LEGAL_REP = Comparison(
    "legal_rep",
    "法定代表人（负责人、经营者）姓名",
    (
        _null(("legal_rep",), "法定代表人缺失"),
        Level("same", "legal_rep_l = legal_rep_r", "法定代表人相同", 0.9, 1e-4),
        Level("typo", "damerau_levenshtein(legal_rep_l, legal_rep_r) <= 1", "法定代表人一字之差", 0.05, 1e-3),
        Level("else", "ELSE", "法定代表人不同", 0.05, 0.999),
    ),
)
COMPARISONS = (CREDIT_CODE, REG_NO, NAME, BRANCH, FORM, ADDRESS, PHONE, LEGAL_REP)
# the columns the comparisons read, besides record_id
COMPARED_COLUMNS = (
    "uscc", "uscc_valid", "reg_no", "core", "registered_key", "trade", "industry", "branch", "form", "form_kind",
    "core_sorted", "trade_pinyin", "holder_key", "core_codes", "region_area", "codeless_source", "address_key",
    "county", "prefecture", "road", "road_no", "phone", "phone_firms", "legal_rep",
)  # fmt: skip
