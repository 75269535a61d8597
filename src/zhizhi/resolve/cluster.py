"""Records into clusters: connected components over strong links, kept apart where they must be.

Plain connected components chain two credit codes through records that have none (A-x-B), and a steward's
"keep apart" must hold however strong the path between two records. So components are first found plainly; a
component that holds two distinct valid credit codes or a cannot-link pair is rebuilt greedily: its links are
taken strongest first (steward's must-links, then by probability, then weight, then record ids, so the result
does not depend on row order) and a link is refused when it would join different codes or a cannot-link pair.
Each code so anchors its own sub-cluster, and a record without a code joins the anchor of its strongest link.
A must-link may join two codes (the steward knows better) but never a cannot-link pair.
"""

from __future__ import annotations

import polars as pl

from zhizhi.resolve.features import normalize_code_expr, uscc_valid_expr

PAIR_COLUMNS = ["record_id_l", "record_id_r"]


class _Forest:
    """Union-find over positions 0..n-1 with path halving."""

    def __init__(self, size: int) -> None:
        self.parent = list(range(size))

    def find(self, node: int) -> int:
        parent = self.parent
        while parent[node] != node:
            parent[node] = parent[parent[node]]
            node = parent[node]
        return node


def cluster_records(
    record_ids: pl.Series,
    edges: pl.DataFrame,
    *,
    uscc: pl.DataFrame,
    match: float,
    must_link: pl.DataFrame | None = None,
    cannot_link: pl.DataFrame | None = None,
) -> pl.DataFrame:
    """(record_id, cluster) with cluster the smallest record_id of its cluster; see the module docstring."""
    ids = record_ids.cast(pl.Int64).unique().sort()
    position = {record_id: index for index, record_id in enumerate(ids.to_list())}
    links = _links(edges, must_link, match, ids)
    apart = _pairs(cannot_link, ids)
    codes = _codes(uscc, ids)
    left = [position[i] for i in links["record_id_l"].to_list()]
    right = [position[i] for i in links["record_id_r"].to_list()]
    forest = _Forest(len(position))
    for a, b in zip(left, right, strict=True):
        ra, rb = forest.find(a), forest.find(b)
        if ra != rb:
            forest.parent[max(ra, rb)] = min(ra, rb)
    roots = [forest.find(node) for node in range(len(position))]
    conflicted = _conflicted(roots, codes, apart, position)
    if conflicted:
        _rebuild(forest, roots, conflicted, links, codes, apart, position)
        roots = [forest.find(node) for node in range(len(position))]
    id_list = ids.to_list()
    first: dict[int, int] = {}
    for node, root in enumerate(roots):
        first.setdefault(root, id_list[node])
    return pl.DataFrame(
        {"record_id": ids, "cluster": [first[root] for root in roots]},
        schema={"record_id": pl.Int64, "cluster": pl.Int64},
    )


def _links(edges: pl.DataFrame, must_link: pl.DataFrame | None, match: float, ids: pl.Series) -> pl.DataFrame:
    """Links strongest first: must-links (rank 0), then edges at or above `match` (rank 1)."""
    strong = edges.filter(pl.col("probability") >= match)
    weight = pl.col("weight") if "weight" in edges.columns else pl.lit(None, pl.Float64)
    strong = _ordered(strong).select(
        *PAIR_COLUMNS,
        pl.lit(1).alias("rank"),
        pl.col("probability").cast(pl.Float64),
        weight.cast(pl.Float64).fill_null(float("inf")).alias("weight"),
    )
    forced = _pairs(must_link, ids).select(
        *PAIR_COLUMNS, pl.lit(0).alias("rank"), pl.lit(1.0).alias("probability"), pl.lit(float("inf")).alias("weight")
    )
    links = pl.concat([forced, strong]).filter(
        pl.col("record_id_l").is_in(ids.implode()) & pl.col("record_id_r").is_in(ids.implode())
    )
    links = links.sort(["rank", "probability", "weight", *PAIR_COLUMNS], descending=[False, True, True, False, False])
    return links.unique(PAIR_COLUMNS, keep="first", maintain_order=True)


def _ordered(pairs: pl.DataFrame) -> pl.DataFrame:
    a, b = pl.col("record_id_l").cast(pl.Int64), pl.col("record_id_r").cast(pl.Int64)
    return pairs.with_columns(
        pl.min_horizontal(a, b).alias("record_id_l"), pl.max_horizontal(a, b).alias("record_id_r")
    )


def _pairs(pairs: pl.DataFrame | None, ids: pl.Series) -> pl.DataFrame:
    if pairs is None or pairs.is_empty():
        return pl.DataFrame(schema={"record_id_l": pl.Int64, "record_id_r": pl.Int64})
    ordered = _ordered(pairs).select(PAIR_COLUMNS).filter(pl.col("record_id_l") != pl.col("record_id_r"))
    return ordered.filter(pl.col("record_id_l").is_in(ids.implode()) & pl.col("record_id_r").is_in(ids.implode()))


def _codes(uscc: pl.DataFrame, ids: pl.Series) -> dict[int, str]:
    """Valid credit codes by record_id (normalised as `prepare` does; invalid codes anchor nothing)."""
    code = normalize_code_expr(pl.col("uscc"))
    frame = uscc.select(pl.col("record_id").cast(pl.Int64), code.alias("uscc")).filter(uscc_valid_expr(pl.col("uscc")))
    frame = frame.filter(pl.col("record_id").is_in(ids.implode()))
    return dict(frame.iter_rows())


def _conflicted(roots: list[int], codes: dict[int, str], apart: pl.DataFrame, position: dict[int, int]) -> set[int]:
    """Roots of components holding two distinct codes or a cannot-link pair."""
    seen: dict[int, str] = {}
    conflicted: set[int] = set()
    for record_id, code in codes.items():
        root = roots[position[record_id]]
        if seen.setdefault(root, code) != code:
            conflicted.add(root)
    for a, b in apart.iter_rows():
        if roots[position[a]] == roots[position[b]]:
            conflicted.add(roots[position[a]])
    return conflicted


def _rebuild(
    forest: _Forest,
    roots: list[int],
    conflicted: set[int],
    links: pl.DataFrame,
    codes: dict[int, str],
    apart: pl.DataFrame,
    position: dict[int, int],
) -> None:
    """Rebuild the conflicted components greedily, strongest link first, refusing joins across codes or apart."""
    members = [node for node, root in enumerate(roots) if root in conflicted]
    for node in members:
        forest.parent[node] = node
    code_sets: dict[int, set[str]] = {}
    for record_id, code in codes.items():
        node = position[record_id]
        if roots[node] in conflicted:
            code_sets[node] = {code}
    forbidden: dict[int, set[int]] = {}
    for a, b in apart.iter_rows():
        pa, pb = position[a], position[b]
        if roots[pa] in conflicted:
            forbidden.setdefault(pa, set()).add(pb)
            forbidden.setdefault(pb, set()).add(pa)
    groups: dict[int, list[int]] = {node: [node] for node in members}
    for record_l, record_r, rank in links.select(*PAIR_COLUMNS, "rank").iter_rows():
        a, b = position[record_l], position[record_r]
        if roots[a] not in conflicted:
            continue
        ra, rb = forest.find(a), forest.find(b)
        if ra == rb or _refused(ra, rb, rank, code_sets, forbidden, groups):
            continue
        keep, gone = min(ra, rb), max(ra, rb)
        forest.parent[gone] = keep
        groups[keep].extend(groups.pop(gone))
        code_sets[keep] = code_sets.get(keep, set()) | code_sets.pop(gone, set())
        forbidden[keep] = forbidden.get(keep, set()) | forbidden.pop(gone, set())


def _refused(
    ra: int,
    rb: int,
    rank: int,
    code_sets: dict[int, set[str]],
    forbidden: dict[int, set[int]],
    groups: dict[int, list[int]],
) -> bool:
    codes_a, codes_b = code_sets.get(ra, set()), code_sets.get(rb, set())
    if rank > 0 and codes_a and codes_b and not codes_a & codes_b:
        return True
    apart_a = forbidden.get(ra, set())
    return bool(apart_a) and any(node in apart_a for node in groups[rb])
