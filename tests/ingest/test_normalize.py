"""Normalizers: table-driven rows (raw -> clean) through the column path and the single-value path alike."""

from __future__ import annotations

from datetime import date
from typing import Any

import polars as pl
import pytest

from zhizhi.errors import InputError
from zhizhi.ingest.normalize import (
    AddressParts,
    Normalized,
    clean_prose,
    clean_prose_value,
    clean_text,
    clean_text_value,
    excel_serial_to_date,
    normalize_name_value,
    normalize_names,
    normalize_phone_value,
    normalize_phones,
    parse_date_value,
    parse_dates,
    split_address_value,
    split_addresses,
)
from zhizhi.ingest.normalize.divisions import division_index

LIUZHOU = "450200"
HOSTILE = [
    "'; DROP TABLE entity; --",
    "Robert'); DELETE FROM record WHERE 1=1;--",
    "<script>alert('x')</script>",
    '<img src=x onerror="alert(1)">',
    "=cmd|' /C calc'!A0",
    "+SUM(1+1)*cmd|' /C calc'!A0",
    "@SUM(1+1)",
    "-2+3",
    "{{7*7}} ${7*7}",
    "../../etc/passwd",
]
BIG = "柳州" * 250_000 + "x" * 24_288  # about 1 MB of UTF-8

TEXT_CASES = [
    ("  柳州市  城中区 ", "柳州市 城中区"),
    ("ＡＢＣ１２３", "ABC123"),
    ("（柳州）分公司，电话：１２３", "(柳州)分公司,电话:123"),
    ("中文。、“引号”《书名》【注】", "中文。、“引号”《书名》【注】"),
    ("a\u200bb\u200cc\u200dd\u2060e\ufefff\u00adg", "abcdefg"),
    ("\ufeff柳州市", "柳州市"),
    ("a\u00a0b\u3000c\u2003d", "a b c d"),
    ("a\tb\r\nc\x0bd\x0ce", "a b c d e"),
    ("a\x00b\x07c\x1fd\x7fe\x9ff", "abcdef"),
    ("\u202e反转\u202c", "反转"),
    ("①㎡℃", "①㎡℃"),
    ("   ", None),
    ("\u200b\u3000", None),
    ("", None),
    (None, None),
    *[(hostile, hostile) for hostile in HOSTILE],
]

DATE_CASES = [
    ("2021-07-08", date(2021, 7, 8)),
    ("2021/7/8", date(2021, 7, 8)),
    ("2021/07/08", date(2021, 7, 8)),
    ("2021.7.8", date(2021, 7, 8)),
    ("20210708", date(2021, 7, 8)),
    ("2021年7月8日", date(2021, 7, 8)),
    ("2021年07月08日", date(2021, 7, 8)),
    ("2021年7月8", date(2021, 7, 8)),
    # the day as 号, as people type it (a stall list's 登记日期 typed by hand)
    ("2021年7月8号", date(2021, 7, 8)),
    ("2021年07月08号 14:20", date(2021, 7, 8)),
    ("二〇二三年一月五号", date(2023, 1, 5)),
    ("2021年7月8号楼", None),
    ("2021-07-08 00:00:00", date(2021, 7, 8)),
    ("2021-07-08 13:45", date(2021, 7, 8)),
    ("2021-07-08T13:45:00.123+08:00", date(2021, 7, 8)),
    ("2021年7月8日 08:30:00", date(2021, 7, 8)),
    # a time of day in the words exports write it, dropped (an inspection log's 检查时间 read as its day)
    ("2021年7月8日 14时20分", date(2021, 7, 8)),
    ("2021年7月8日14时20分05秒", date(2021, 7, 8)),
    ("2021/7/8 下午 3:20", date(2021, 7, 8)),
    ("2021/7/8 上午09:15", date(2021, 7, 8)),
    ("2021/7/8 9:15 PM", date(2021, 7, 8)),
    ("2021.7.8 14点30分", date(2021, 7, 8)),
    (" ２０２１－０７－０８ ", date(2021, 7, 8)),
    # Chinese numerals, as official documents and hand-kept ledgers write dates
    ("二〇二三年一月五日", date(2023, 1, 5)),
    ("二零二三年十二月三十一日", date(2023, 12, 31)),
    ("二○二三年十月二十日 14时20分", date(2023, 10, 20)),
    ("二〇二三年十三月一日", None),
    ("二〇二三年二月三十日", None),
    ("二〇二三年十十月一日", None),
    ("二〇二三年一月", None),
    ("\ufeff2021-07-08", date(2021, 7, 8)),
    ("44385", date(2021, 7, 8)),
    ("18264", date(1950, 1, 1)),
    ("73415", date(2100, 12, 31)),
    ("2000-02-29", date(2000, 2, 29)),
    ("1900-01-01", date(1900, 1, 1)),
    ("18263", None),  # 1949-12-31: before the serial window
    ("73416", None),  # 2101-01-01: after it
    ("60", None),  # Excel's 1900-02-29, which never was
    ("4438", None),  # four digits: not a serial
    ("443850", None),
    ("44385.0", date(2021, 7, 8)),  # a serial as text with its fraction (a date-time cell): the day
    ("44385.75", date(2021, 7, 8)),
    ("44385.", None),
    ("21-7-8", None),  # two-digit year: the century would be a guess
    ("210708", None),
    ("21/07/08", None),
    ("08/07/2021", None),  # day-first or month-first: ambiguous
    ("2021-7/8", None),  # mixed separators
    ("2021年7月", None),
    ("2021-07", None),
    ("2021-02-29", None),
    ("2021-13-01", None),
    ("2021-00-10", None),
    ("1899-12-31", None),
    ("2101-01-01", None),
    ("0202-07-08", None),
    ("2021-07-08 25", None),
    ("今天", None),
    ("", None),
    (None, None),
    *[(hostile, None) for hostile in HOSTILE],
]

NUMERIC_DATE_CASES = [
    (44385, date(2021, 7, 8)),
    (44385.75, date(2021, 7, 8)),  # the fraction is the time of day
    (20210708, date(2021, 7, 8)),
    (20210708.0, date(2021, 7, 8)),
    (60, None),
    (18263, None),
    (73416, None),
    (-5, None),
    (0, None),
    (float("nan"), None),
    (float("inf"), None),
    (1e300, None),
    (None, None),
]

PHONE_CASES = [
    ("13800138000", "13800138000", None),
    ("+86 138 0013 8000", "13800138000", None),
    ("+86-138-0013-8000", "13800138000", None),
    ("(+86)13800138000", "13800138000", None),
    ("0086 13800138000", "13800138000", None),
    ("86-13800138000", "13800138000", None),
    ("8613800138000", "13800138000", None),
    ("138-0013-8000", "13800138000", None),
    ("１３８００１３８０００", "13800138000", None),
    ("手机：13800138000", "13800138000", None),
    ("0772-1234567", "0772-1234567", None),
    ("0772 1234567", "0772-1234567", None),
    ("07721234567", "0772-1234567", None),
    ("(0772)1234567", "0772-1234567", None),
    ("（０７７２）１２３４５６７", "0772-1234567", None),
    ("0772-12345678", "0772-12345678", None),
    ("0772-1234-5678", "0772-12345678", None),
    ("010-12345678", "010-12345678", None),
    ("01012345678", "010-12345678", None),
    ("021-1234567", "021-1234567", None),
    ("+86 10 1234 5678", "010-12345678", None),
    ("+86 772 1234567", "0772-1234567", None),
    ("+86-0772-1234567", "0772-1234567", None),
    ("0086-772-1234567", "0772-1234567", None),
    ("867721234567", "0772-1234567", None),
    ("电话：0772-1234567", "0772-1234567", None),
    ("0772-1234567转123", "0772-1234567-123", None),
    ("0772-1234567 转 123", "0772-1234567-123", None),
    ("0772-1234567分机8", "0772-1234567-8", None),
    ("0772-1234567 ext 123", "0772-1234567-123", None),
    ("0772-1234567 EXT.123", "0772-1234567-123", None),
    ("0772-1234567x8", "0772-1234567-8", None),
    ("0772-1234567#8", "0772-1234567-8", None),
    ("0772-1234567-123", "0772-1234567-123", None),
    ("400-123-4567", "400-123-4567", None),
    ("4001234567", "400-123-4567", None),
    ("800 123 4567", "800-123-4567", None),
    ("13800138000/13900139000", "13800138000", "13900139000"),
    ("13800138000、0772-1234567；未知", "13800138000", "0772-1234567;未知"),
    ("13800138000, 139-0013-9000 , +86 772 7654321", "13800138000", "13900139000;0772-7654321"),
    ("13800138000\n0772-1234567", "13800138000", "0772-1234567"),
    (";;13800138000;", "13800138000", None),
    ("13800138000;;13900139000", "13800138000", "13900139000"),
    ("13800138000 / / 13900139000 、", "13800138000", "13900139000"),
    ("未知/13800138000", None, "13800138000"),
    ("13800138000转123", None, None),  # a mobile has no extension
    ("1234567", None, None),  # no area code and none given
    ("12345678", None, None),
    ("+1 415 555 2671", None, None),  # foreign
    ("0044 20 7946 0958", None, None),
    ("12345678901", None, None),
    ("1380013800", None, None),
    ("138001380001", None, None),
    ("0772-123456", None, None),
    ("0772-123456789", None, None),
    ("12315", None, None),
    ("无", None, None),
    ("", None, None),
    (None, None, None),
    ("'; DROP TABLE entity; --", None, "DROP TABLE entity;--"),
    ("<script>alert('x')</script>", None, "script>"),
    ("=cmd|' /C calc'!A0", None, "C calc'!A0"),
]

NAME_CASES = [
    ("柳州市某某有限公司(柳州分公司)", "柳州市某某有限公司（柳州分公司）"),
    ("柳州市某某有限公司（柳州分公司）", "柳州市某某有限公司（柳州分公司）"),
    ("柳州市某某有限公司（柳州分公司)", "柳州市某某有限公司（柳州分公司）"),
    ("某某公司[柳州]", "某某公司（柳州）"),
    ("某某公司［柳州］", "某某公司（柳州）"),
    ("【柳州】某某公司", "（柳州）某某公司"),
    ("〔柳州〕某某公司", "（柳州）某某公司"),
    ("某某公司 ( 柳州 )", "某某公司（柳州）"),
    (" 柳州 某某 有限 公司 ", "柳州某某有限公司"),
    ("柳州\u3000某某\u00a0公司", "柳州某某公司"),
    ("ABC Trading 有限公司", "ABC Trading有限公司"),
    ("柳州 ABC 科技有限公司", "柳州ABC科技有限公司"),
    ("ＡＢＣ科技有限公司", "ABC科技有限公司"),
    ("\u200b某某\u200d公司\ufeff", "某某公司"),
    ("，某某公司。", "某某公司"),
    ("、某某公司；", "某某公司"),
    ("-某某公司*", "某某公司"),
    ("'某某公司", "某某公司"),
    ("某某公司...", "某某公司"),
    ("“某某”公司", "“某某”公司"),
    ("《某某》编辑部", "《某某》编辑部"),
    ("（柳州）某某公司", "（柳州）某某公司"),
    ("某某·柳州公司", "某某·柳州公司"),
    ("𠮷野家 餐饮 店", "𠮷野家餐饮店"),  # a character outside the Basic Multilingual Plane
    ("A.B.C. Ltd.", "A.B.C. Ltd"),
    ("---", None),
    ("  ", None),
    ("", None),
    (None, None),
    ("'; DROP TABLE entity; --", "DROP TABLE entity"),
    ("<script>alert('x')</script>", "<script>alert（'x'）</script>"),
    ("=cmd|' /C calc'!A0", "=cmd|' /C calc'!A0"),
    ("+SUM(1+1)*cmd|' /C calc'!A0", "+SUM（1+1）*cmd|' /C calc'!A0"),
    ("@SUM(1+1)", "@SUM（1+1）"),
]

GX, LZ, BJ = "广西壮族自治区", "柳州市", "北京市"
A = AddressParts
CHENGZHONG = ("450202", GX, LZ, "城中区", "county")
NOTHING = (None, None, None, None, None)
STREET = "中山中路12号"
# (address, default prefecture, expected parts)
ADDRESS_CASES: list[tuple[str | None, str | None, AddressParts]] = [
    ("广西壮族自治区柳州市城中区中山中路12号", None, A(*CHENGZHONG, "exact", STREET)),
    ("广西柳州市城中区中山中路12号", None, A(*CHENGZHONG, "exact", STREET)),
    ("柳州市城中区中山中路12号", None, A(*CHENGZHONG, "exact", STREET)),
    ("柳州城中区中山中路12号", None, A(*CHENGZHONG, "exact", STREET)),
    ("广西城中区中山中路12号", None, A(*CHENGZHONG, "exact", STREET)),
    ("柳州市 城中区 中山中路 12 号", None, A(*CHENGZHONG, "exact", STREET)),
    ("柳州市城中区，中山中路12号", None, A(*CHENGZHONG, "exact", STREET)),
    ("城中区中山中路12号", LIUZHOU, A(*CHENGZHONG, "default_prefecture", STREET)),
    ("城中区中山中路12号", None, A(None, None, None, "城中区", "county", "ambiguous", STREET)),
    ("城中区中山中路12号", "630100", A("630103", "青海省", "西宁市", "城中区", "county", "default_prefecture", STREET)),
    ("城中区中山中路12号", "450100", A(*CHENGZHONG, "default_province", STREET)),
    ("鼓楼区中山路1号", LIUZHOU, A(None, None, None, "鼓楼区", "county", "ambiguous", "中山路1号")),
    ("兴宁区民族大道1号", LIUZHOU, A("450102", GX, "南宁市", "兴宁区", "county", "exact", "民族大道1号")),
    ("鱼峰区箭盘路3号", None, A("450203", GX, LZ, "鱼峰区", "county", "exact", "箭盘路3号")),
    (
        "广西壮族自治区柳州市融水苗族自治县融水镇",
        None,
        A("450225", GX, LZ, "融水苗族自治县", "county", "exact", "融水镇"),
    ),
    ("柳州市中山中路12号", None, A("450200", GX, LZ, None, "prefecture", "exact", STREET)),
    ("广西柳州中山中路12号", None, A("450200", GX, LZ, None, "prefecture", "exact", STREET)),
    ("广西壮族自治区南宁市", None, A("450100", GX, "南宁市", None, "prefecture", "exact", None)),
    ("广西壮族自治区某某路", None, A("450000", GX, None, None, "province", "exact", "某某路")),
    ("北京市东城区东长安街1号", None, A("110101", BJ, BJ, "东城区", "county", "exact", "东长安街1号")),
    ("北京东城区东长安街1号", None, A("110101", BJ, BJ, "东城区", "county", "exact", "东长安街1号")),
    ("北京市朝阳区建国路", LIUZHOU, A("110105", BJ, BJ, "朝阳区", "county", "exact", "建国路")),
    ("北京市海淀区", None, A("110108", BJ, BJ, "海淀区", "county", "exact", None)),
    ("重庆市巫山县某路", None, A("500237", "重庆市", "重庆市", "巫山县", "county", "exact", "某路")),
    ("湖北省仙桃市某路", None, A("429004", "湖北省", None, "仙桃市", "county", "exact", "某路")),
    ("广东省东莞市南城街道", None, A("441900", "广东省", "东莞市", None, "prefecture", "exact", "南城街道")),
    ("吉林市船营区某路", None, A("220204", "吉林省", "吉林市", "船营区", "county", "exact", "某路")),
    ("吉林省吉林市某路", None, A("220200", "吉林省", "吉林市", None, "prefecture", "exact", "某路")),
    ("广西壮族自治区玉林市容县容州镇", None, A("450921", GX, "玉林市", "容县", "county", "exact", "容州镇")),
    # a development zone numbered only by the statistics bureau resolves to its prefecture
    (
        "石家庄市高新技术产业开发区某路",
        None,
        A("130100", "河北省", "石家庄市", None, "prefecture", "exact", "高新技术产业开发区某路"),
    ),
    # a county's former name where the chain names no county: the county it is today
    ("广西壮族自治区柳州市柳江县拉堡镇1号", None, A("450206", GX, LZ, "柳江区", "county", "former_name", "拉堡镇1号")),
    ("柳州柳江县，拉堡镇1号", None, A("450206", GX, LZ, "柳江区", "county", "former_name", "拉堡镇1号")),
    ("柳江县拉堡镇1号", None, A("450206", GX, LZ, "柳江区", "county", "former_name", "拉堡镇1号")),
    ("广西平果县马头镇", None, A("451082", GX, "百色市", "平果市", "county", "former_name", "马头镇")),
    ("杭州市临安市锦城街道", None, A("330112", "浙江省", "杭州市", "临安区", "county", "former_name", "锦城街道")),
    ("南宁市邕宁县蒲庙镇", LIUZHOU, A("450109", GX, "南宁市", "邕宁区", "county", "former_name", "蒲庙镇")),
    # ... only within what the chain named (临桂县 is 桂林's), and 柳南市场 is a market, not 柳南市
    ("柳州市临桂县某路", None, A("450200", GX, LZ, None, "prefecture", "exact", "临桂县某路")),
    ("柳州市柳南市场内12号", None, A("450200", GX, LZ, None, "prefecture", "exact", "柳南市场内12号")),
    ("柳州市柳南市民服务中心", None, A("450200", GX, LZ, None, "prefecture", "exact", "柳南市民服务中心")),
    ("深圳市南山市民中心", None, A("440300", "广东省", "深圳市", None, "prefecture", "exact", "南山市民中心")),
    # ... a X市 of old only after a chain; with none, a X县 of old only where the default prefecture's province allows
    ("东城市民中心", LIUZHOU, A(*NOTHING, "none", "东城市民中心")),
    ("西城市政工程公司", None, A(*NOTHING, "none", "西城市政工程公司")),
    ("平果县马头镇", LIUZHOU, A("451082", GX, "百色市", "平果市", "county", "former_name", "马头镇")),
    ("邕宁县蒲庙镇", "630100", A(*NOTHING, "none", "邕宁县蒲庙镇")),
    ("西安市长安县路12号", None, A("610100", "陕西省", "西安市", None, "prefecture", "exact", "长安县路12号")),
    # ... unless a town, street or road follows, whatever word its first character may start
    *[(f"{city}{old}{rest}", None, A(code, province, city, county, "county", "former_name", rest))
      for city, old, rest, code, province, county in [
          ("广州市", "从化市", "街口镇新城路1号", "440117", "广东省", "从化区"),
          ("广州市", "增城市", "中新镇", "440118", "广东省", "增城区"),
          ("杭州市", "富阳市", "场口镇东山村", "330111", "浙江省", "富阳区"),
          ("杭州市", "临安市", "民主路3号", "330112", "浙江省", "临安区"),
      ]],  # fmt: skip
    # ... and never where the chain found a county, or today's name is a division's
    ("柳州市柳江区柳江县路1号", None, A("450206", GX, LZ, "柳江区", "county", "exact", "柳江县路1号")),
    # a short name alone is too often a street
    ("中山中路12号", LIUZHOU, A(*NOTHING, "none", STREET)),
    ("北京路88号", None, A(*NOTHING, "none", "北京路88号")),
    ("江西路88号", None, A(*NOTHING, "none", "江西路88号")),
    ("柳州路88号", None, A(*NOTHING, "none", "柳州路88号")),
    ("", LIUZHOU, A(*NOTHING, None, None)),
    (None, LIUZHOU, A(*NOTHING, None, None)),
    *[(hostile, LIUZHOU, A(*NOTHING, "none", clean_text_value(hostile))) for hostile in HOSTILE],
]


def _column(values: list[Any], dtype: pl.DataType | None = None) -> pl.Series:
    return pl.Series("raw", values, dtype=dtype if dtype is not None else pl.String)


# --- text ---------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), TEXT_CASES)
def test_clean_text_value(raw: str | None, expected: str | None) -> None:
    assert clean_text_value(raw) == expected


def test_clean_text_column_agrees_with_every_row() -> None:
    raws = [raw for raw, _ in TEXT_CASES]
    cleaned = clean_text(_column(raws))
    assert cleaned.name == "raw"
    assert cleaned.to_list() == [expected for _, expected in TEXT_CASES]
    assert cleaned.to_list() == [clean_text_value(raw) for raw in raws]


def test_a_column_of_mostly_clean_text_is_cleaned_as_every_row_is() -> None:
    # Few unclean values among many clean ones take the path that cleans only them: each character the cleaning
    # changes, alone in a clean value, at its start and at its end, must still be found and cleaned.
    special = [chr(c) for c in (*range(0x00, 0x20), *range(0x7F, 0xA1), 0xAD, 0x180E, 0x1680, 0x3000, 0xFEFF)]
    special += [chr(c) for c in (*range(0x2000, 0x2010), *range(0x2028, 0x2030), *range(0x205F, 0x2065))]
    special += [chr(c) for c in (*range(0x2066, 0x206A), 0xFF01, 0xFF10, 0xFF5E, 0xFF5F)]
    unclean = [f"柳州{c}市" for c in special] + [f"{c}柳州" for c in special] + [f"柳州{c}" for c in special]
    unclean += [raw for raw, _ in TEXT_CASES] + ["a  b", " a", "a ", "", " "]
    raws = [f"柳州市城中区文昌路{n}号" for n in range(4 * len(unclean) + 100)]
    for n, raw in enumerate(unclean):
        raws.insert(n * 4, raw)
    cleaned = clean_text(_column(raws))
    assert cleaned.name == "raw"
    assert cleaned.to_list() == [clean_text_value(raw) for raw in raws]


# What a person wrote: kept as written but for invisible characters, line breaks as LF and the ends trimmed.
PROSE_CASES = [
    ("经调解，经营者退还300元医药费。\n双方满意。", "经调解，经营者退还300元医药费。\n双方满意。"),
    ("（第十五条第二项）：ＡＢＣ１２３！", "（第十五条第二项）：ＡＢＣ１２３！"),
    ("中文。、“引号”《书名》【注】", "中文。、“引号”《书名》【注】"),
    ("第一段\r\n第二段\r第三段\x0b四\x0c五\x85六\u2028七\u2029八", "第一段\n第二段\n第三段\n四\n五\n六\n七\n八"),
    ("两段\r\n\r\n之间空一行", "两段\n\n之间空一行"),
    ("  \r\n\u3000前后空白\u3000 \n ", "前后空白"),
    ("首段\n\u3000\u3000次段缩进，a  b\tc", "首段\n\u3000\u3000次段缩进，a  b\tc"),
    ("a\u200bb\ufeffc\u00add\u202ee\u202c", "abcde"),
    ("a\x00b\x07c\x1fd\x7fe\x9ff", "abcdef"),
    ("\r\x00\n", None),
    ("\u200b\u3000\n", None),
    ("", None),
    (None, None),
    *[(hostile, hostile) for hostile in HOSTILE],
]


@pytest.mark.parametrize(("raw", "expected"), PROSE_CASES)
def test_clean_prose_value(raw: str | None, expected: str | None) -> None:
    assert clean_prose_value(raw) == expected


def test_clean_prose_column_agrees_with_every_row() -> None:
    raws = [raw for raw, _ in PROSE_CASES]
    cleaned = clean_prose(_column(raws))
    assert cleaned.to_list() == [expected for _, expected in PROSE_CASES]
    assert cleaned.to_list() == [clean_prose_value(raw) for raw in raws]


# --- dates --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), DATE_CASES)
def test_parse_date_value(raw: str | None, expected: date | None) -> None:
    assert parse_date_value(raw) == expected


def test_parse_dates_column_agrees_with_every_row() -> None:
    raws = [raw for raw, _ in DATE_CASES]
    parsed = parse_dates(_column(raws))
    assert parsed.dtype == pl.Date
    assert parsed.to_list() == [expected for _, expected in DATE_CASES]
    assert parsed.to_list() == [parse_date_value(raw) for raw in raws]


@pytest.mark.parametrize(("raw", "expected"), NUMERIC_DATE_CASES)
def test_parse_date_value_numbers(raw: float | None, expected: date | None) -> None:
    assert parse_date_value(raw) == expected


def test_parse_dates_numeric_columns() -> None:
    floats = [raw for raw, _ in NUMERIC_DATE_CASES]
    assert parse_dates(_column(floats, pl.Float64)).to_list() == [expected for _, expected in NUMERIC_DATE_CASES]
    integers = [44385, 20210708, 60, -1, 2**62, None]
    expected = [date(2021, 7, 8), date(2021, 7, 8), None, None, None, None]
    assert parse_dates(_column(integers, pl.Int64)).to_list() == expected
    assert [parse_date_value(raw) for raw in integers] == expected


def test_parse_dates_keeps_dates_and_drops_times() -> None:
    from datetime import datetime

    assert parse_dates(_column([date(2021, 7, 8)], pl.Date)).to_list() == [date(2021, 7, 8)]
    assert parse_dates(_column([datetime(2021, 7, 8, 23, 59)], pl.Datetime)).to_list() == [date(2021, 7, 8)]
    assert parse_date_value(datetime(2021, 7, 8, 23, 59)) == date(2021, 7, 8)


@pytest.mark.parametrize(
    ("serial", "expected"),
    [(1, date(1900, 1, 1)), (59, date(1900, 2, 28)), (60, None), (61, date(1900, 3, 1)), (44385, date(2021, 7, 8))],
)
def test_excel_serial_to_date(serial: int, expected: date | None) -> None:
    assert excel_serial_to_date(serial) == expected


def test_date_failures_list_the_originals() -> None:
    raw = _column(["2021-07-08", "21-7-8", "", None, "2021年7月8日", "2021-02-30"])
    failures = Normalized(raw, parse_dates(raw)).failures()
    assert failures.to_dicts() == [{"row": 1, "raw": "21-7-8"}, {"row": 5, "raw": "2021-02-30"}]


# --- phones -------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "phone", "others"), PHONE_CASES)
def test_normalize_phone_value(raw: str | None, phone: str | None, others: str | None) -> None:
    assert normalize_phone_value(raw) == (phone, others)


def test_normalize_phones_column_agrees_with_every_row() -> None:
    raws = [raw for raw, _, _ in PHONE_CASES]
    result = normalize_phones(_column(raws))
    expected = [{"phone": phone, "others": others} for _, phone, others in PHONE_CASES]
    assert result.to_list() == expected
    assert result.to_list() == [normalize_phone_value(raw)._asdict() for raw in raws]


@pytest.mark.parametrize(
    ("raw", "phone"),
    [("1234567", None), ("2345678", "0772-2345678"), ("23456789", "0772-23456789"), ("2345678转9", "0772-2345678-9")],
)
def test_local_numbers_take_the_default_area_code(raw: str, phone: str | None) -> None:
    assert normalize_phone_value(raw, default_area_code="0772").phone == phone
    assert normalize_phones(_column([raw]), default_area_code="0772").struct.field("phone").to_list() == [phone]


def test_phones_stored_as_numbers() -> None:
    raws = [13800138000.0, 7721234567.0, 13800138000.5, None]
    expected = ["13800138000", None, None, None]
    assert normalize_phones(_column(raws, pl.Float64)).struct.field("phone").to_list() == expected
    assert [normalize_phone_value(raw).phone for raw in raws] == expected
    assert normalize_phones(_column([13800138000], pl.Int64)).struct.field("phone").to_list() == ["13800138000"]


@pytest.mark.parametrize("area_code", ["772", "07721", "0", "abcd"])
def test_a_bad_default_area_code_is_refused(area_code: str) -> None:
    with pytest.raises(InputError, match=area_code):
        normalize_phones(_column(["1234567"]), default_area_code=area_code)


# --- names --------------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "expected"), NAME_CASES)
def test_normalize_name_value(raw: str | None, expected: str | None) -> None:
    assert normalize_name_value(raw) == expected


def test_normalize_names_column_agrees_with_every_row() -> None:
    raws = [raw for raw, _ in NAME_CASES]
    result = normalize_names(_column(raws))
    assert result.to_list() == [expected for _, expected in NAME_CASES]
    assert result.to_list() == [normalize_name_value(raw) for raw in raws]


# --- addresses ----------------------------------------------------------------------------------------------------


@pytest.mark.parametrize(("raw", "default", "expected"), ADDRESS_CASES)
def test_split_address_value(raw: str | None, default: str | None, expected: AddressParts) -> None:
    assert split_address_value(raw, default_prefecture=default) == expected


@pytest.mark.parametrize("default", [None, LIUZHOU, "630100", "450100"])
def test_split_addresses_column_agrees_with_every_row(default: str | None) -> None:
    raws = [raw for raw, _, _ in ADDRESS_CASES]
    result = split_addresses(_column(raws), default_prefecture=default).to_list()
    assert result == [split_address_value(raw, default_prefecture=default)._asdict() for raw in raws]
    for raw, case_default, expected in ADDRESS_CASES:
        if case_default == default:
            assert result[raws.index(raw)] == expected._asdict(), raw


def test_every_county_is_found_by_its_full_chain() -> None:
    index = division_index()
    counties = [d for d in index.divisions.values() if d.level == "county"]
    raws = [f"{d.province}{d.city if d.city not in (None, d.province) else ''}{d.county}某路1号" for d in counties]
    result = split_addresses(_column(raws))
    assert result.struct.field("division_code").to_list() == [d.code for d in counties]
    assert set(result.struct.field("rest").to_list()) == {"某路1号"}
    assert [split_address_value(raw).division_code for raw in raws] == [d.code for d in counties]


@pytest.mark.parametrize("default", ["450000", "450202", "999999", "4502"])
def test_a_default_that_is_not_a_prefecture_is_refused(default: str) -> None:
    with pytest.raises(InputError, match=default):
        split_addresses(_column(["城中区"]), default_prefecture=default)


# --- all normalizers ----------------------------------------------------------------------------------------------


def _everything(values: pl.Series) -> list[pl.Series]:
    return [
        clean_text(values),
        parse_dates(values),
        normalize_phones(values),
        normalize_names(values),
        split_addresses(values),
    ]


def test_a_one_megabyte_cell_does_not_explode() -> None:
    values = _column([BIG, "2021-07-08", BIG + "13800138000", "柳州市城中区" + BIG])
    text, dates, phones, names, addresses = _everything(values)
    assert len(BIG.encode()) > 1_000_000
    assert text.to_list()[0] == BIG
    assert names.to_list()[0] == BIG
    assert dates.to_list() == [None, date(2021, 7, 8), None, None]
    assert phones.struct.field("phone").to_list() == [None, None, None, None]
    assert addresses.struct.field("rest").to_list() == [BIG, "2021-07-08", BIG + "13800138000", BIG]
    assert addresses.struct.field("division_code").to_list() == [None, None, None, "450202"]
    assert parse_date_value(BIG) is None
    assert normalize_phone_value(BIG + "13800138000") == (None, None)
    assert split_address_value("柳州市城中区" + BIG)._asdict() == addresses.to_list()[3]


@pytest.mark.parametrize("values", [[], [None, None]])
def test_empty_and_all_null_columns(values: list[None]) -> None:
    for dtype in (pl.String, pl.Null):
        outputs = _everything(pl.Series("raw", values, dtype=dtype))
        assert [len(output) for output in outputs] == [len(values)] * 5
        assert all(output.name == "raw" for output in outputs)


def test_normalized_keeps_the_original_beside_the_clean_column() -> None:
    raw = _column(["13800138000", "无", None, "  ", "0772-1234567/未知"])
    normalized = Normalized(raw, normalize_phones(raw))
    assert normalized.raw.to_list() == raw.to_list()
    assert normalized.main.to_list() == ["13800138000", None, None, None, "0772-1234567"]
    assert normalized.failed.to_list() == [False, True, False, False, False]
    assert normalized.failures().to_dicts() == [{"row": 1, "raw": "无"}]
    with pytest.raises(ValueError, match="align"):
        Normalized(raw, raw.head(2))
