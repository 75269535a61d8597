"""A seeded synthetic city for the entity-resolution bench: entities, three departments' records, and the truth.

Entities (companies and 个体工商户) get names built from parts: region + trade name (字号, 2-3 characters drawn
with a long-tailed frequency, so the same trade name recurs across districts and industries) + industry word +
legal form. Realistic traps: namesakes (same trade name and industry in another district), branches (分公司 and
chain shops with their own codes), sister companies (same trade name, another industry, same address, phone and
legal representative), groups under one boss with different trade names, office buildings holding many firms, and
accountants' phones shared by many firms.

Namesakes are as registration rules make them: a name (region + trade name + industry word) is unique within its
registration area (企业名称登记管理规定), so a firm whose trade name and industry word another firm of the city
already registers under its region takes its own district's region word (柳州市鱼峰区华信科技有限公司). Movers:
some firms moved (the same registered name at another address); registration shows the new address, the other
sources often the old one. Some firms changed their legal representative: registration shows the new one, the
other sources and the lists often the former one.

Three sources: registration (credit code on every record), licences (code on ~70 %; 10 % of entities hold two
licences) and inspections (code on ~30 %). With `codeless`, a fourth kind: hand-typed lists without codes
(`CODELESS_LISTS`: special-equipment users, market stalls, hotline respondents), each with a person column of
its own role (安全管理员, 经营者, 联系人), names with swapped characters, 有限公司 for 有限责任公司 and the city
dropped or bracketed, addresses with traditional characters (號), a floor or room added (首层, 1楼, 3楼301室) and
no province, phones on some rows. Dirt: region prefixes dropped or bracketed (（柳州）), 有限责任公司 vs
有限公司, forms dropped, homophone and random typos in the trade name (华信 -> 化信), swapped characters,
full-width and lower-case codes with spaces, broken codes, addresses with or without province, city or district,
a street office before the road, rooms dropped, missing phones, a second phone, typos in the legal representative.

The subjects frame is what ingest would store: names through ingest's name normaliser, addresses split into
division code and rest by ingest's address splitter (default prefecture 柳州市).
"""

from __future__ import annotations

import random
from dataclasses import dataclass, field

import polars as pl
from pypinyin import lazy_pinyin

SEED = 20261128
USCC_ALPHABET = "0123456789ABCDEFGHJKLMNPQRTUWXY"
USCC_WEIGHTS = tuple(pow(3, i, 31) for i in range(17))
ORG_WEIGHTS = (3, 7, 9, 10, 5, 8, 4, 2)
FULL_WIDTH = str.maketrans({chr(c): chr(c + 0xFEE0) for c in range(0x21, 0x7F)})
PROVINCE = "广西壮族自治区"
CITY = "柳州市"
DISTRICTS = (
    ("450202", "城中区", 18), ("450203", "鱼峰区", 18), ("450204", "柳南区", 18), ("450205", "柳北区", 16),
    ("450206", "柳江区", 8), ("450222", "柳城县", 5), ("450223", "鹿寨县", 6), ("450224", "融安县", 4),
    ("450225", "融水苗族自治县", 4), ("450226", "三江侗族自治县", 3),
)  # fmt: skip
ROAD_STEMS = (
    "潭中", "文昌", "东环", "航银", "屏山", "五一", "解放", "龙城", "友谊", "飞鹅", "柳石", "西环", "革新", "跃进",
    "胜利", "雅儒", "三中", "八一", "桂中", "映山", "红光", "弯塘", "静兰", "白沙", "东堤", "城站", "鹧鸪江", "河西",
    "柳长", "燎原", "北雀", "长风", "磨滩", "驾鹤", "荣军", "学院", "桂柳", "银山", "基隆", "柳太", "新柳",
    "鸡喇", "窑埠", "华丰湾", "壶西", "壶东", "南站", "古亭山", "杨柳", "官塘", "阳和", "双仁", "拉堡", "柳邕",
)  # fmt: skip
ROAD_SUFFIXES = ("路", "路", "路", "大道", "街", "东路", "西路", "南路", "北路", "巷")
TRADE_CHARS = (
    "华信鑫盛恒达桂龙柳壶顺福旺嘉宏金祥丰润源鸿荣聚百万新佳泰安康宁利昌隆兴发广远鼎诚和美佳汇通联创益德"
    "永瑞君乐天地明光辉宇东方南北中正大成志同合众力凯峰海洋星辰月阳晨晟昊博睿智雅锦绣豪英杰俊腾飞跃"
    "腾龙凤麒麟虎豹鹏程启航铭轩品尚优越卓尔非凡精致匠心邦家人居好运来喜洋乐购惠民富贵吉祥如意万象"
    "蓝天白云青山绿水红叶金秋春晓夏韵冬雪梅兰竹菊松柏桃李杏橙柚壮瑶苗侗侬鑫淼森焱垚磊晶品众"
)
GIVEN = "芳丽华强军伟敏静秀英明志勇玲海燕红霞斌杰婷平桂兰福生建国小梅国强丽娟文斌春秀玉凤德才永红"
SURNAMES = "黄韦覃莫陆蓝梁李陈张王刘周吴廖潘谭蒙罗何杨赵孙朱胡林郭马唐卢韩冯邓曹彭曾肖田董袁潘蒋蔡余杜叶程"
COMPANY_INDUSTRIES = (
    "科技", "商贸", "贸易", "餐饮管理", "食品", "建材", "物业服务", "酒店管理", "汽车服务", "文化传媒", "农业开发",
    "建筑工程", "装饰工程", "信息技术", "网络科技", "电子商务", "医药", "机械设备", "五金交电", "物流", "运输",
    "房地产开发", "投资", "实业", "广告", "教育咨询", "健康管理", "家具", "服饰", "电器", "环保科技", "园林绿化",
    "劳务", "人力资源", "印刷", "石材", "包装", "化工", "农业科技", "生物科技",
    # industry words the name parser does not know: they stay inside the trade name, in every record alike
    "钢结构", "汽车零部件制造", "跨境电商", "螺蛳粉产业",
)  # fmt: skip
SHOP_WORDS = (
    "螺蛳粉店", "粉店", "小吃店", "餐馆", "商行", "便利店", "食品店", "经营部", "水果店", "理发店", "五金店",
    "烟酒店", "服装店", "手机店", "烧烤店", "奶茶店", "干洗店", "茶叶店", "修理部", "百货店",
)  # fmt: skip
BUILDINGS = ("大厦", "商务中心", "广场", "国际", "财富中心", "写字楼")
SOURCES = ("registration", "licences", "inspections")
# registration area of a company's region word: a name is unique within its area
AREAS = {CITY: "4502", "柳州": "4502", "广西": "45", "": ""}
# hand-typed lists without codes: source, the header of its person column, the share of rows whose person is the
# legal representative (a market stall's operator is; a safety manager or contact person mostly is not)
CODELESS_LISTS = (("equipment_users", "安全管理员", 0.3), ("market_stalls", "经营者", 0.95), ("hotline", "联系人", 0.4))
CODELESS_SHARE = 0.2
MOVER_SHARE = 0.04
# firms whose legal representative changed (变更登记): registration shows the new one, a licence issued or an
# inspection made before the change the former one
REP_CHANGE_SHARE = 0.08
FLOORS = ("首层", "1楼", "一楼", "2楼", "二层", "3楼301室", "5楼502室", "负一层", "2层205室", "门面")
# simplified -> traditional for the characters of this city's addresses (what a hand-typed list may hold)
TRADITIONAL = str.maketrans(
    "号东区县广龙门楼层华鱼园环银长阳湾岭乡镇场厦国际财丰兴胜进红桥荣军学庄鸡鹧鸪壮族自治西柳邕环",
    "號東區縣廣龍門樓層華魚園環銀長陽灣嶺鄉鎮場廈國際財豐興勝進紅橋榮軍學莊雞鷓鴣壯族自治西柳邕環",
)


@dataclass
class Entity:
    """One true entity and everything sources may write about it."""

    entity_id: int
    individual: bool
    district: int
    trade: str
    industry: str
    form: str
    region: str
    branch: str | None
    uscc: str
    reg_no: str | None
    road: str
    number: int
    room: str | None
    phones: list[str] = field(default_factory=list)
    legal_rep: str = ""
    former_rep: str | None = None
    moved_from: tuple[int, str, int, str | None] | None = None


class City:
    """Draws entities and records with one seeded generator."""

    def __init__(self, seed: int) -> None:
        self.rng = random.Random(seed)
        weights = [1 / (rank + 8) for rank in range(len(TRADE_CHARS))]
        self.chars, self.char_weights = list(TRADE_CHARS), weights
        self.homophones = _homophones(TRADE_CHARS)
        self.roads = [
            sorted({self.rng.choice(ROAD_STEMS) + self.rng.choice(ROAD_SUFFIXES) for _ in range(60)}) for _ in DISTRICTS
        ]
        self.accountants = [self.mobile() for _ in range(150)]
        self.buildings = [(self.district(), self.rng.randrange(1, 400)) for _ in range(1500)]
        self.used: set[tuple[str, str, int]] = set()
        self.names: set[tuple[str, str, str]] = set()

    def district(self) -> int:
        return self.rng.choices(range(len(DISTRICTS)), weights=[d[2] for d in DISTRICTS])[0]

    def mobile(self) -> str:
        return "1" + self.rng.choice("3456789") + "".join(self.rng.choices("0123456789", k=9))

    def phone(self) -> str:
        if self.rng.random() < 0.75:
            return self.mobile()
        return "0772-" + self.rng.choice("2345678") + "".join(self.rng.choices("0123456789", k=6))

    def person(self) -> str:
        surname = self.rng.choices(SURNAMES, weights=[1 / (i + 3) for i in range(len(SURNAMES))])[0]
        return surname + "".join(self.rng.choices(GIVEN, k=self.rng.choice((1, 2, 2))))

    def trade(self) -> str:
        return "".join(self.rng.choices(self.chars, weights=self.char_weights, k=self.rng.choice((2, 2, 2, 3))))

    def entity(self, entity_id: int) -> Entity:
        rng = self.rng
        individual = rng.random() < 0.3
        district = self.district()
        while True:
            trade = self.trade()
            industry = rng.choice(SHOP_WORDS if individual else COMPANY_INDUSTRIES)
            if (trade, industry, district) not in self.used:
                break
        self.used.add((trade, industry, district))
        if individual:
            form, region = "", CITY + DISTRICTS[district][1]
        else:
            form = rng.choices(("有限公司", "有限责任公司", "股份有限公司", "个人独资企业"), weights=(62, 28, 5, 5))[0]
            region = self.region(rng.choices((CITY, "广西", "", "柳州"), weights=(70, 12, 12, 6))[0], trade,
                                 industry, district)  # fmt: skip
        entity = Entity(entity_id, individual, district, trade, industry, form, region, None, "", None, "", 0, None)
        self.place(entity)
        if rng.random() < MOVER_SHARE:
            entity.moved_from = (entity.district, entity.road, entity.number, entity.room)
            if rng.random() < 0.5:
                entity.district = self.district()
            self.place(entity)
        entity.uscc = credit_code(rng, "92" if individual else "91", DISTRICTS[district][0])
        entity.reg_no = "4502" + "".join(rng.choices("0123456789", k=11)) if rng.random() < 0.2 else None
        entity.phones = [self.phone()] + ([self.phone()] if rng.random() < 0.3 else [])
        if not individual and rng.random() < 0.06:
            entity.phones[0] = rng.choice(self.accountants)
        entity.legal_rep = self.person()
        return entity

    def region(self, region: str, trade: str, industry: str, district: int) -> str:
        """The region word a company registers under: its own district's when the name is taken in that area."""
        area = AREAS.get(region, region)
        if (area, trade, industry) in self.names:
            region, area = CITY + DISTRICTS[district][1], DISTRICTS[district][0]
        self.names.add((area, trade, industry))
        return region

    def place(self, entity: Entity) -> None:
        rng = self.rng
        if not entity.individual and rng.random() < 0.08:
            entity.district, entity.number = rng.choice(self.buildings)
            entity.road = self.roads[entity.district][entity.number % len(self.roads[entity.district])]
            building = rng.choice(("华信", "金桂", "龙城", "东方")) + rng.choice(BUILDINGS)
            entity.room = f"{building}{rng.randrange(2, 30)}0{rng.randrange(1, 9)}室"
        else:
            entity.road = rng.choice(self.roads[entity.district])
            entity.number = rng.randrange(1, 400)
            entity.room = rng.choice((None, None, f"{rng.randrange(1, 20)}栋{rng.randrange(1, 30)}号", "一楼门面"))

    def relative(self, base: Entity, entity_id: int, kind: str) -> Entity:
        """A branch, a sister company (same trade name, other industry) or a group company (other trade name)."""
        rng = self.rng
        other = Entity(**{**base.__dict__, "phones": list(base.phones)})
        other.entity_id = entity_id
        other.uscc = credit_code(rng, "91", DISTRICTS[base.district][0])
        other.reg_no = None
        if kind == "branch":
            other.branch = rng.choice((f"{CITY[:2]}分公司", f"{DISTRICTS[base.district][1][:2]}分公司", "第一分公司",
                                       f"{rng.choice(ROAD_STEMS)}分店", f"{rng.choice(ROAD_STEMS)}店"))  # fmt: skip
            self.place(other)
            other.legal_rep = self.person() if rng.random() < 0.7 else base.legal_rep
            other.phones = [self.phone()] if rng.random() < 0.5 else list(base.phones)
            return other
        other.moved_from = None
        if kind == "sister":
            other.industry = rng.choice([w for w in COMPANY_INDUSTRIES if w != base.industry])
        else:
            other.trade = self.trade()
        other.region = self.region(base.region, other.trade, other.industry, base.district)
        if rng.random() < 0.3:
            other.phones = [self.phone()]
        if rng.random() < 0.2:
            other.legal_rep = self.person()
        return other


def credit_code(rng: random.Random, prefix: str, division: str) -> str:
    """A credit code with valid check characters (GB 11714 inside, GB 32100 outside)."""
    body = "".join(rng.choices(USCC_ALPHABET, k=8))
    org_total = sum(int(c, 36) * w for c, w in zip(body, ORG_WEIGHTS, strict=True))
    org_check = {10: "X", 11: "0"}.get(11 - org_total % 11, str(11 - org_total % 11))
    code = prefix + division + body + org_check
    total = sum(USCC_ALPHABET.index(c) * w for c, w in zip(code, USCC_WEIGHTS, strict=True))
    return code + USCC_ALPHABET[(31 - total % 31) % 31]


def _homophones(chars: str) -> dict[str, list[str]]:
    """Characters with the same toneless reading as another in the pool, plus a few common ones outside it."""
    extra = "化欣兴心新辛信星型行鑫馨盛胜圣升生声恒衡横达答大打桂贵龙隆笼顺舜福富付旺望王嘉佳家加宏红洪鸿"
    by_reading: dict[str, set[str]] = {}
    for char in set(chars + extra):
        by_reading.setdefault(lazy_pinyin(char)[0], set()).add(char)
    return {c: sorted(by_reading[lazy_pinyin(c)[0]] - {c}) for c in set(chars)}


def generate(entities: int, seed: int = SEED, *, codeless: bool = False) -> pl.DataFrame:
    """Records of `entities` true entities over three sources (and the code-less lists with `codeless`): raw text
    columns plus `entity_id` (the truth) and, for the code-less lists, the header of their person column."""
    city = City(seed)
    pool: list[Entity] = []
    while len(pool) < entities:
        entity = city.entity(len(pool))
        pool.append(entity)
        roll = city.rng.random()
        if not entity.individual and len(pool) < entities and roll < 0.11:
            kind = "branch" if roll < 0.04 else "sister" if roll < 0.09 else "group"
            pool.append(city.relative(entity, len(pool), kind))
    # drawn with a generator of its own, so the rest of the city stays what it was without it
    history = City(seed + 2)
    for entity in pool:
        if history.rng.random() < REP_CHANGE_SHARE:
            entity.former_rep = history.person()
    rows: list[tuple[object, ...]] = []
    for entity in pool:
        sources = [s for s, share in zip(SOURCES, (0.85, 0.45, 0.45), strict=True) if city.rng.random() < share]
        if "licences" in sources and city.rng.random() < 0.1:
            sources.append("licences")
        for source in sources or ["registration"]:
            rows.append((*_record(city, entity, source, history.rng), None))
    if codeless:
        # drawn after the three sources with a generator of its own, so they stay what they are without it
        listed = City(seed + 1)
        for entity in pool:
            if listed.rng.random() < CODELESS_SHARE:
                rows.append(_codeless(listed, city, entity, history.rng))
    order = list(range(len(rows)))
    city.rng.shuffle(order)
    columns = ("entity_id", "source", "uscc", "reg_no", "name", "address", "legal_representative", "phone",
               "person_header")  # fmt: skip
    frame = pl.DataFrame([rows[i] for i in order], schema=list(columns), orient="row")
    return frame.with_row_index("record_id", offset=1).with_columns(pl.col("record_id").cast(pl.Int64))


def _record(city: City, entity: Entity, source: str, history: random.Random) -> tuple[object, ...]:
    rng = city.rng
    code_share, phone_share, rep_share = {"registration": (1.0, 0.9, 1.0), "licences": (0.7, 0.7, 0.9),
                                          "inspections": (0.3, 0.45, 0.5)}[source]  # fmt: skip
    uscc = reg_no = None
    if entity.reg_no and source != "registration" and rng.random() < 0.3:
        reg_no = entity.reg_no
    elif rng.random() < code_share:
        uscc = _dirty_code(rng, entity.uscc)
        reg_no = entity.reg_no if source == "registration" else None
    phone = None
    if rng.random() < phone_share:
        phone = entity.phones[0] if len(entity.phones) == 1 or rng.random() < 0.7 else entity.phones[1]
    rep = entity.legal_rep if rng.random() < rep_share else None
    if rep and entity.former_rep and source != "registration" and history.random() < 0.5:
        rep = entity.former_rep
    if rep and source != "registration" and rng.random() < 0.01:
        rep = rep[0] + rng.choice(GIVEN) + rep[2:]
    return (entity.entity_id, source, uscc, reg_no, _name(city, entity, source), _address(rng, entity, source),
            rep, phone)  # fmt: skip


def _codeless(listed: City, city: City, entity: Entity, history: random.Random) -> tuple[object, ...]:
    """A row of a hand-typed list without codes: the name and address varied, a person of the list's role."""
    rng = listed.rng
    source, header, boss = rng.choice(CODELESS_LISTS)
    trade, region, form = entity.trade, entity.region, entity.form
    roll = rng.random()
    if roll < 0.06 and len(trade) >= 2:
        trade = trade[1] + trade[0] + trade[2:]
    elif roll < 0.09:
        position = rng.randrange(len(trade))
        choices = city.homophones.get(trade[position]) or []
        trade = trade[:position] + (rng.choice(choices) if choices else trade[position]) + trade[position + 1 :]
    if form in ("有限公司", "有限责任公司") and rng.random() < 0.3:
        form = "有限责任公司" if form == "有限公司" else "有限公司"
    name = region + trade + entity.industry + form
    roll = rng.random()
    if not entity.individual and roll < 0.45:
        name = trade + entity.industry + form
    elif not entity.individual and roll < 0.6 and region in AREAS and region:
        # the region word put in brackets, as registered names may have it: 华信科技（柳州）有限公司
        name = trade + entity.industry + f"（{region.removesuffix('市')}）" + form
    elif entity.individual and roll < 0.3:
        name = trade + entity.industry
    if entity.branch:
        name += entity.branch
    person = entity.legal_rep if rng.random() < boss else listed.person()
    if person == entity.legal_rep and entity.former_rep and history.random() < 0.5:
        person = entity.former_rep
    phone = rng.choice(entity.phones) if rng.random() < 0.5 else None
    return (entity.entity_id, source, None, None, name, _codeless_address(rng, entity), person if rng.random() < 0.85
            else None, phone, header)  # fmt: skip


def _codeless_address(rng: random.Random, entity: Entity) -> str | None:
    if rng.random() < 0.05:
        return None
    district_index, road, number, room = entity.district, entity.road, entity.number, entity.room
    if entity.moved_from and rng.random() < 0.5:
        district_index, road, number, room = entity.moved_from
    district = DISTRICTS[district_index][1]
    street = f"{road}{number}号"
    if room and rng.random() < 0.4:
        street += room
    elif rng.random() < 0.35:
        street += rng.choice(FLOORS)
    head = rng.choices((PROVINCE + CITY + district, CITY + district, district, "柳州" + district),
                       weights=(10, 50, 25, 15))[0]  # fmt: skip
    address = head + street
    return address.translate(TRADITIONAL) if rng.random() < 0.3 else address


def _dirty_code(rng: random.Random, code: str) -> str:
    roll = rng.random()
    if roll < 0.01:
        return code.translate(FULL_WIDTH)
    if roll < 0.02:
        return code.lower()
    if roll < 0.03:
        return f"{code[:6]} {code[6:12]} {code[12:]}"
    if roll < 0.035:
        position = rng.randrange(18)
        return code[:position] + rng.choice(USCC_ALPHABET.replace(code[position], "")) + code[position + 1 :]
    return code


def _name(city: City, entity: Entity, source: str) -> str:
    rng = city.rng
    trade, region, form = entity.trade, entity.region, entity.form
    if source != "registration":
        dirt = 2.0 if source == "inspections" else 1.0
        if rng.random() < 0.35 * dirt:
            if entity.individual or rng.random() < 0.7:
                region = ""
            elif region.startswith(CITY) and len(region) > len(CITY):
                # a district-level name is written without the city, never without its district
                region = rng.choice((region[len(CITY) :], "柳州" + region[len(CITY) :]))
            else:
                region = rng.choice(("广西", CITY, "柳州"))
        if form in ("有限公司", "有限责任公司") and rng.random() < 0.15:
            form = "有限责任公司" if form == "有限公司" else "有限公司"
        if rng.random() < 0.08 * (dirt - 1) and not entity.individual:
            form = "" if rng.random() < 0.7 else "公司"
        roll = rng.random()
        if roll < 0.025 * dirt:
            position = rng.randrange(len(trade))
            choices = city.homophones.get(trade[position]) or []
            typo = rng.choice(choices) if choices and rng.random() < 0.7 else rng.choice(city.chars)
            trade = trade[:position] + typo + trade[position + 1 :]
        elif roll < 0.035 * dirt and len(trade) >= 2:
            trade = trade[1] + trade[0] + trade[2:]
    name = region + trade + entity.industry + form
    if entity.branch:
        name += entity.branch if rng.random() < 0.85 else f"（{entity.branch}）"
    if (
        source != "registration"
        and not entity.individual
        and not entity.branch
        and region == ""
        and entity.region in (CITY, "柳州")
        and rng.random() < 0.04
    ):
        name = trade + entity.industry + "（柳州）" + form
    if rng.random() < 0.02:
        name = " ".join(name) if rng.random() < 0.5 else name.translate(FULL_WIDTH)
    return name


def _address(rng: random.Random, entity: Entity, source: str) -> str | None:
    if source == "inspections" and rng.random() < 0.1:
        return None
    district_index, road, number, room = entity.district, entity.road, entity.number, entity.room
    if entity.moved_from and source != "registration" and rng.random() < 0.5:
        district_index, road, number, room = entity.moved_from
    code, district, _ = DISTRICTS[district_index]
    if source != "registration" and rng.random() < 0.01:
        number += rng.choice((-1, 1, 10))
    street = f"{road}{number}号"
    if room and (source == "registration" or rng.random() < 0.7):
        street += room
    if rng.random() < 0.05:
        street = f"{district[:2]}街道{street}"
    head = rng.choices(
        (PROVINCE + CITY + district, CITY + district, district, "广西" + CITY + district, CITY, ""),
        weights=(30, 40, 12, 5, 9, 4) if source == "registration" else (15, 40, 20, 5, 12, 8),
    )[0]
    return head + street


def subjects(records: pl.DataFrame) -> pl.DataFrame:
    """The subjects frame resolution reads, normalised the way ingest stores records; `entity_id` kept."""
    from zhizhi.ingest.normalize.addresses import split_addresses
    from zhizhi.ingest.normalize.names import normalize_names

    parts = split_addresses(records["address"], default_prefecture="450200")
    return records.with_columns(
        normalize_names(records["name"]).alias("name"),
        parts.struct.field("division_code").alias("address_division_code"),
        parts.struct.field("rest").alias("address_rest"),
    )
