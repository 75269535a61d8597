"""Coverage: for the codes in actual data, how many translate, by which method, and which do not."""

from __future__ import annotations

import json
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit, require
from zhizhi.codes.translate import Translator
from zhizhi.errors import NotFoundError
from zhizhi.ingest.normalize.text import clean_identifier_value
from zhizhi.store.tables import CoverageRun
from zhizhi.store.types import iso_utc

if TYPE_CHECKING:
    import polars as pl


def coverage_report(translator: Translator, results: pl.DataFrame, *, top: int = 50) -> dict[str, Any]:
    """Rows and shares by method, and the untranslated codes with the rows they affect (most first)."""
    import polars as pl

    results = _as_translated(results)
    rows = results.height
    by_method = (
        results.group_by("method").agg(pl.len().alias("rows")).sort(["rows", "method"], descending=[True, False])
    )
    failed = (
        results.filter(pl.col("method").is_in(["unmapped", "ambiguous", "blank"]))
        .group_by(["code", "method"])
        .agg(pl.len().alias("rows"), pl.first("detail"))
        .sort(["rows", "code"], descending=[True, False])
    )
    return {
        "from_list": translator.from_list,
        "to_list": translator.to_list,
        "route": translator.route,
        "rows": rows,
        "distinct_codes": results.select(pl.col("code").n_unique()).item(),
        "translated_rows": int(results.filter(~pl.col("method").is_in(["unmapped", "ambiguous", "blank"])).height),
        "methods": [
            {"method": m, "rows": n, "share": round(n / rows, 4) if rows else 0.0} for m, n in by_method.iter_rows()
        ],
        "untranslated": [
            {"code": c, "method": m, "rows": n, "detail": d} for c, m, n, d in failed.head(top).iter_rows()
        ],
        "untranslated_codes": failed.height,
    }


def _as_translated(results: pl.DataFrame) -> pl.DataFrame:
    """The codes as the translator read them (`６２１０` and `6210 ` are `6210`): one code however it was written."""
    import polars as pl

    distinct = results["code"].drop_nulls().unique().to_list()
    changed = {c: cleaned for c in distinct if (cleaned := clean_identifier_value(c)) is not None and cleaned != c}
    if not changed:
        return results
    return results.with_columns(pl.col("code").replace(list(changed), list(changed.values())))


def save_coverage(session: Session, actor: Actor, subject: str, report: dict[str, Any]) -> CoverageRun:
    """Keep a report for the UI, named by what was measured (a file, later a source or target)."""
    require(actor, "data.write")
    run = CoverageRun(
        subject=subject[:260],
        from_list=report["from_list"],
        to_list=report["to_list"],
        report=json.dumps(report, ensure_ascii=False),
        computed_by=actor.name,
    )
    session.add(run)
    session.flush()
    audit.record(
        session,
        actor,
        "codes.coverage",
        object_type="coverage_run",
        object_id=run.id,
        detail={"subject": run.subject, "rows": report["rows"]},
    )
    return run


def list_coverage(session: Session) -> list[CoverageRun]:
    """The newest report of each subject and pair of lists, newest first."""
    latest: dict[tuple[str, str, str], CoverageRun] = {}
    for run in session.scalars(select(CoverageRun).order_by(CoverageRun.id.desc())):
        latest.setdefault((run.subject, run.from_list, run.to_list), run)
    return list(latest.values())


def get_coverage(session: Session, run_id: int) -> dict[str, Any]:
    """One kept report, with when and by whom."""
    run = session.get(CoverageRun, run_id)
    if run is None:
        raise NotFoundError(f"No coverage report `{run_id}`.", zh="没有该覆盖率报告。")
    return {
        "id": run.id,
        "subject": run.subject,
        "computed_at": iso_utc(run.computed_at),
        "computed_by": run.computed_by,
        **json.loads(run.report),
    }
