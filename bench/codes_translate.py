"""How fast a column of codes translates: 1,000,000 local business-format codes to the provincial 8-digit codes.

The lists and crosswalks are the demo's (`zhizhi.demo.install_demo_codes`), built in a temporary SQLite file;
the route is local 6-digit -> GB/T 4754-2017 -> provincial 8-digit, with the record's business format as the
rule field. The column mixes what real data holds: codes that translate 1:1 at both steps, codes that roll up
to their class first, codes a rule settles, splits nobody settled, codes not in the list, and blanks.

    python bench/codes_translate.py                 # 1,000,000 codes, best of 3
    python bench/codes_translate.py --rows 200000 --repeat 5

Times are wall-clock seconds of `Translator.translate_column` on a polars Series (the form a column read with
polars already has), best of `--repeat`; "with build" adds `build_translator` (reading the lists and
crosswalks from the database). Peak memory is the process's resident high-water mark during the translation,
after resetting it (Linux `/proc/self/clear_refs`).
"""

from __future__ import annotations

import argparse
import platform
import random
import resource
import sys
import tempfile
import time
from collections.abc import Callable
from datetime import date
from pathlib import Path
from typing import TypeVar

import polars as pl
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.access import Actor
from zhizhi.codes import Translator, build_translator, install_builtin, load_hierarchy
from zhizhi.demo import install_demo_codes
from zhizhi.demo.codes import LOCAL, PROVINCIAL, RULE_FIELD, Format, local_formats
from zhizhi.demo.formats import NEW_FORMATS, OPEN_SPLITS, RETIRED_FORMATS, RULE_SPLITS
from zhizhi.store import make_engine, make_sessionmaker, upgrade

T = TypeVar("T")
AS_OF = date(2026, 11, 20)
# share of the column by kind of code
MIX = {"1:1": 0.55, "roll-up": 0.10, "rule": 0.25, "ambiguous": 0.05, "unmapped": 0.03, "blank": 0.02}


def main() -> None:
    args = _parse_args()
    with tempfile.TemporaryDirectory(prefix="zhizhi-bench-") as scratch:
        sessions = _demo_database(Path(scratch))
        with sessions() as session:
            formats = local_formats(load_hierarchy(session, "gbt4754-2017"))
            codes = _column(formats, args.rows)
            context = pl.DataFrame({RULE_FIELD: codes})
            build_seconds, translator = _best(args.repeat, lambda: _build(session))
            with_build, _ = _best(args.repeat, lambda: _build(session).translate_column(codes, context))
    start_kib = _reset_peak()
    seconds, results = _best(args.repeat, lambda: translator.translate_column(codes, context))
    peak_kib = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss if start_kib is not None else None
    list_seconds, _ = _best(args.repeat, lambda: translator.translate_column(codes.to_list(), context))
    _report(args.rows, seconds, build_seconds, with_build, list_seconds, start_kib, peak_kib, results)


def _parse_args() -> argparse.Namespace:
    parser = argparse.ArgumentParser(description="Translate a column of codes; print the timings.")
    parser.add_argument("--rows", type=int, default=1_000_000, help="codes in the column (default 1,000,000)")
    parser.add_argument("--repeat", type=int, default=3, help="runs of each measurement; the best counts")
    args = parser.parse_args()
    if args.rows < 1 or args.repeat < 1:
        parser.error("--rows and --repeat must be positive")
    return args


def _demo_database(folder: Path) -> sessionmaker[Session]:
    """A migrated SQLite file with the built-in lists and the demo's lists and crosswalks."""
    engine = make_engine(f"sqlite:///{folder / 'zhizhi.db'}")
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    actor = Actor.operator("bench")
    with sessions() as session, session.begin():
        install_builtin(session, actor)
        install_demo_codes(session, actor, folder)
    return sessions


def _build(session: Session) -> Translator:
    return build_translator(session, LOCAL.name, PROVINCIAL.name, as_of=AS_OF)


def _column(formats: list[Format], rows: int) -> pl.Series:
    """`rows` codes drawn (seeded) in the proportions of MIX."""
    pools: dict[str, list[str]] = {
        "1:1": [],
        "roll-up": sorted(NEW_FORMATS),
        "rule": [],
        "ambiguous": [],
        "unmapped": sorted(RETIRED_FORMATS) + ["52210", "6210033", "512201"],
        "blank": [""],
    }
    for fmt in formats:
        if fmt.new:
            continue
        if fmt.class_code in OPEN_SPLITS:
            pools["ambiguous"].append(fmt.code)
        elif fmt.class_code in RULE_SPLITS:
            pools["rule"].append(fmt.code)
        elif fmt.class_code != "5294":
            pools["1:1"].append(fmt.code)
    rng = random.Random(1)
    kinds = rng.choices(list(MIX), list(MIX.values()), k=rows)
    return pl.Series("code", [rng.choice(pools[kind]) or None for kind in kinds], dtype=pl.String)


def _best(repeat: int, run: Callable[[], T]) -> tuple[float, T]:
    best, result = float("inf"), None
    for _ in range(repeat):
        started = time.perf_counter()
        result = run()
        best = min(best, time.perf_counter() - started)
    assert result is not None
    return best, result


def _reset_peak() -> int | None:
    """Reset the resident high-water mark (Linux); returns the resident size now, in KiB."""
    try:
        Path("/proc/self/clear_refs").write_text("5")
        for line in Path("/proc/self/status").read_text().splitlines():
            if line.startswith("VmRSS:"):
                return int(line.split()[1])
    except OSError:
        pass
    return None


def _report(
    rows: int,
    seconds: float,
    build_seconds: float,
    with_build: float,
    list_seconds: float,
    start_kib: int | None,
    peak_kib: int | None,
    results: pl.DataFrame,
) -> None:
    memory = "n/a (no /proc/self/clear_refs)"
    if start_kib is not None and peak_kib is not None:
        start, peak = start_kib / 1024, peak_kib / 1024
        memory = f"{peak:,.0f} MiB  ({start:,.0f} MiB before, +{peak - start:,.0f})"
    methods = results.group_by("method").len().sort("len", descending=True)
    detail = results.filter(pl.col("method") == "chained")["detail"]
    lines = [
        ("rows", f"{rows:,}"),
        ("distinct codes", f"{results['code'].n_unique():,}"),
        ("translate_column", f"{seconds:.3f} s  ({rows / seconds:,.0f} codes/s)"),
        ("build_translator", f"{build_seconds:.3f} s"),
        ("with build", f"{with_build:.3f} s"),
        ("from a Python list", f"{list_seconds:.3f} s"),
        ("peak RSS while translating", memory),
        ("methods", ", ".join(f"{m} {n:,}" for m, n in methods.iter_rows())),
        (
            "chained via",
            f"roll-up {detail.str.starts_with('roll-up').sum():,}, rule {detail.str.contains('rule').sum():,}",
        ),
        ("python / polars", f"{platform.python_version()} / {pl.__version__}"),
    ]
    width = max(len(name) for name, _ in lines)
    for name, value in lines:
        print(f"{name:<{width}}  {value}")
    if seconds > 1.0:
        print("over the 1 s target", file=sys.stderr)


if __name__ == "__main__":
    main()
