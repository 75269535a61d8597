"""A steward's merge never puts two credit codes in one entity (see docs/register.md): two valid codes are two
registered firms, and the register finds a firm by its code, so the entity that took the other's records would hide it.

A merge ties its two records together and, through the merges in force, every record already tied to either of them;
it is refused when those records hold two valid codes. Clustering refuses such a must-link as well (cluster.py), so a
merge recorded before this check never joins two codes either.
"""

from __future__ import annotations

import polars as pl
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.errors import ConflictError
from zhizhi.resolve.cluster import components
from zhizhi.resolve.features import normalize_code_expr, uscc_valid_expr
from zhizhi.resolve.scope import PAIR_SCHEMA
from zhizhi.resolve.subjects import load_subjects
from zhizhi.store.frames import frame
from zhizhi.store.tables import ResolveDecision


def check_merge_codes(session: Session, pairs: list[tuple[int, int]]) -> None:
    """Refuse merging these record pairs when the records they would tie (with those merges in force tie to them)
    hold two valid credit codes; the message names the codes and a record holding each."""
    asked = pl.DataFrame(pairs, schema=PAIR_SCHEMA, orient="row")
    links = pl.concat([asked, _merges_in_force(session)])
    groups = components(pl.concat([links["record_id_l"], links["record_id_r"]]).unique().sort(), links)
    clusters = groups.join(asked.select(pl.col("record_id_l").alias("record_id")), on="record_id")["cluster"]
    tied = groups.filter(pl.col("cluster").is_in(clusters.implode()))
    codes = _valid_codes(session, tied["record_id"].to_list()).join(tied, on="record_id")
    clash = codes.filter(pl.col("uscc").n_unique().over("cluster") > 1)
    if clash.is_empty():
        return
    first = clash.filter(pl.col("cluster") == clash["cluster"].min()).sort("record_id")
    held = first.unique("uscc", keep="first", maintain_order=True).select("record_id", "uscc").rows()
    raise ConflictError(
        "A merge never puts two credit codes in one entity: the records it would tie hold "
        + ", ".join(f"`{code}` (record {record})" for record, code in held)
        + ". Two codes are two registered firms: keep the records apart, or, if a code is wrong, correct it in its "
        "source and ingest the file again.",
        zh="一个主体内不能有两个统一社会信用代码，不能合并：所涉记录含有 "
        + "、".join(f"{code}（记录 {record}）" for record, code in held)
        + "。两个代码即两家登记的企业：请标明不是同一主体；如有代码错误，请在来源数据中更正后重新导入。",
    )


def _merges_in_force(session: Session) -> pl.DataFrame:
    query = select(ResolveDecision.record_id_l, ResolveDecision.record_id_r).where(
        ResolveDecision.kind == "merge", ResolveDecision.undone_at.is_(None)
    )
    return frame(session, query, PAIR_SCHEMA)


def _valid_codes(session: Session, record_ids: list[int]) -> pl.DataFrame:
    """(record_id, uscc) of the records whose subject has a valid credit code, normalised as clustering reads it."""
    subjects = load_subjects(session, record_ids)
    codes = subjects.select("record_id", normalize_code_expr(pl.col("uscc")).alias("uscc"))
    return codes.filter(uscc_valid_expr(pl.col("uscc")))
