"""How fast the normalizers clean whole columns: 1,000,000 rows each of names, phones, dates and addresses.

The columns are drawn (seeded) the way department exports write them: firm names with half-width brackets, stray
spaces and full-width letters; phones as mobiles with +86 and dashes, landlines with brackets and extensions,
several numbers in a cell; dates in every accepted form plus Excel serials; addresses with and without province
and city, in Liuzhou mostly, elsewhere sometimes. Each column holds a few per cent blanks and garbage.

    python bench/normalize.py                    # 1,000,000 rows, best of 3
    python bench/normalize.py --rows 200000 --repeat 5

Times are wall-clock seconds of each column normalizer on a polars Series (the form a column read with polars
already has), best of `--repeat`. The address index (read from the shipped GB/T 2260 list, with its regular
expressions compiled) is built once before timing and reported on its own.
"""

from __future__ import annotations

import argparse
import platform
import random
import time
from collections.abc import Callable

import polars as pl

from zhizhi.ingest.normalize import Normalized, normalize_names, normalize_phones, parse_dates, split_addresses
from zhizhi.ingest.normalize.divisions import division_index

LIUZHOU = "450200"
TRADE_NAMES = "鑫盛华宏达兴隆福康泰丰源通利民安顺德信诚和美嘉乐汇金创远新成"
INDUSTRIES = ["商贸", "餐饮", "科技", "建材", "食品", "医药", "汽车服务", "物流", "电子", "农业开发"]
FORMS = ["有限公司", "有限责任公司", "股份有限公司", "餐饮店", "便利店", "经营部"]
STREETS = ["中山中路", "文昌路", "箭盘路", "屏山大道", "五一路", "龙城路", "跃进路", "东环大道", "柳长路", "桂中大道"]
ELSEWHERE = ["南宁市兴宁区", "桂林市七星区", "广东省广州市天河区", "北京市朝阳区", "鼓楼区", "城中区"]


def main() -> None:
    args = _parse_args()
    rng = random.Random(1)
    columns = {
        "names": pl.Series("name", [_name(rng) for _ in range(args.rows)]),
        "phones": pl.Series("phone", [_phone(rng) for _ in range(args.rows)]),
        "dates": pl.Series("date", [_date(rng) for _ in range(args.rows)]),
        "addresses": pl.Series("address", [_address(rng) for _ in range(args.rows)]),
    }
    started = time.perf_counter()
    division_index()
    split_addresses(pl.Series(["柳州市城中区"]), default_prefecture=LIUZHOU)
    index_seconds = time.perf_counter() - started
    runs: dict[str, Callable[[pl.Series], pl.Series]] = {
        "names": normalize_names,
        "phones": lambda values: normalize_phones(values, default_area_code="0772"),
        "dates": parse_dates,
        "addresses": lambda values: split_addresses(values, default_prefecture=LIUZHOU),
    }
    print(f"rows per column       {args.rows:,}")
    print(f"address index build   {index_seconds:.3f} s (once per process)")
    total = 0.0
    for kind, run in runs.items():
        raw = columns[kind]
        seconds, clean = _best(args.repeat, lambda run=run, raw=raw: run(raw))
        total += seconds
        failed = int(Normalized(raw, clean).failed.sum())
        distinct = raw.n_unique()
        rate = f"{args.rows / seconds:>12,.0f} rows/s"
        print(f"{kind:<20}  {seconds:.3f} s  {rate}  {distinct:>9,} distinct  {failed:>7,} failed")
    print(f"{'all four':<20}  {total:.3f} s  {args.rows / total:>12,.0f} rows/s (a row with all four values)")
    print(f"python / polars       {platform.python_version()} / {pl.__version__}")


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Normalise columns of realistic values; print the rates.")
    parser.add_argument("--rows", type=int, default=1_000_000, help="rows per column (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best counts")
    args = parser.parse_args()
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be positive")
    return args


def _best(repeat: int, run: Callable[[], pl.Series]) -> tuple[float, pl.Series]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


def _name(rng: random.Random) -> str | None:
    roll = rng.random()
    if roll < 0.02:
        return rng.choice(["", " ", None, "无", "-"])
    trade = "".join(rng.choices(TRADE_NAMES, k=rng.choice((2, 2, 3, 4))))
    name = f"柳州市{trade}{rng.choice(INDUSTRIES)}{rng.choice(FORMS)}"
    if roll < 0.15:
        name += rng.choice(["(城中分店)", "（鱼峰分公司）", "【柳南店】"])
    if roll < 0.30:
        name = name.replace("市", "市 ", 1) + rng.choice([" ", "。", "\u200b", ""])
    if roll > 0.97:
        name = name.replace("柳州市", "ＬＺ")
    return name


def _phone(rng: random.Random) -> str | None:
    roll = rng.random()
    mobile = f"1{rng.choice('3456789')}{rng.randrange(10**9):09d}"
    landline = f"{rng.choice('2345678')}{rng.randrange(10**6):06d}"
    if roll < 0.03:
        return rng.choice(["", None, "无", "不详"])
    if roll < 0.45:
        return rng.choice([mobile, mobile, f"{mobile[:3]}-{mobile[3:7]}-{mobile[7:]}", f"+86 {mobile}"])
    if roll < 0.85:
        forms = [
            f"0772-{landline}",
            f"(0772){landline}",
            f"0772{landline}",
            landline,
            f"0772-{landline}转{rng.randrange(1, 999)}",
        ]
        return rng.choice(forms)
    if roll < 0.97:
        return f"{mobile}/0772-{landline}"
    return rng.choice(["0772-123", "1380013800", "+1 415 555 2671"])


def _date(rng: random.Random) -> str | None:
    roll = rng.random()
    serial = rng.randrange(32874, 46357)  # 1990-01-01 .. 2026-11-30
    year, month, day = 1990 + (serial - 32874) // 366, rng.randrange(1, 13), rng.randrange(1, 29)
    if roll < 0.02:
        return rng.choice(["", None, "不详", "21-7-8"])
    if roll < 0.12:
        return str(serial)
    forms = [
        f"{year}-{month:02d}-{day:02d}",
        f"{year}/{month}/{day}",
        f"{year}.{month}.{day}",
        f"{year}{month:02d}{day:02d}",
        f"{year}年{month}月{day}日",
        f"{year}-{month:02d}-{day:02d} 00:00:00",
    ]
    return rng.choice(forms)


def _address(rng: random.Random) -> str | None:
    roll = rng.random()
    counties = ["城中区", "鱼峰区", "柳南区", "柳北区", "柳江区", "柳城县", "鹿寨县", "融安县"]
    street = f"{rng.choice(STREETS)}{rng.randrange(1, 400)}号"
    if roll < 0.02:
        return rng.choice(["", None, "不详"])
    if roll < 0.08:
        return f"{rng.choice(ELSEWHERE)}{street}"
    if roll < 0.12:
        return street
    prefix = rng.choice(["广西壮族自治区柳州市", "柳州市", "", "广西柳州市", "柳州市 "])
    return f"{prefix}{rng.choice(counties)}{street}{rng.choice(['', '', f'{rng.randrange(1, 30)}栋'])}"


if __name__ == "__main__":
    main()
