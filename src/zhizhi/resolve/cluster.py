"""Records into clusters: connected components over strong links, kept apart where they must be.

Plain connected components chain two credit codes through records that have none (A-x-B), and a steward's
"keep apart" must hold however strong the path between two records. So components are first found plainly; a
component that holds two distinct valid credit codes or a cannot-link pair is rebuilt greedily: its links are
taken strongest first (steward's must-links, then by probability, then weight, then record ids, so the result
does not depend on row order) and a link is refused when it would join different codes or a cannot-link pair.
Each code so anchors its own sub-cluster, and a record without a code joins the anchor of its strongest link.
A must-link is refused the same way: an entity never holds two credit codes, whoever links them (a steward's merge
that would is refused when it is made, see credit_codes.py), nor a cannot-link pair.
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
    links = _links(edges, must_link, match, ids)
    apart = _pairs(cannot_link, ids)
    codes = _codes(uscc, ids)
    labels = components(ids, links)
    conflicted = _conflicted(labels, codes, apart)
    if conflicted.is_empty():
        return labels
    members = labels.join(conflicted, on="cluster", how="semi")["record_id"]
    inside = links.filter(pl.col("record_id_l").is_in(members.implode()))
    anchors = codes.filter(pl.col("record_id").is_in(members.implode()), uscc_valid_expr(pl.col("uscc")))
    rebuilt = _rebuild(members, inside, anchors, apart)
    return labels.update(rebuilt, on="record_id").sort("record_id")


def components(ids: pl.Series, links: pl.DataFrame) -> pl.DataFrame:
    """Connected components as (record_id, cluster = smallest record_id of the component).

    Union-find over the records that have a link, by position in their sorted ids (the others are their own
    cluster). A node only ever points to a smaller position (a root is the smallest of its tree), so one pass in
    position order gives every node its root, and the root's record_id is the component's smallest.
    """
    nodes = pl.concat([links["record_id_l"], links["record_id_r"]]).unique().sort()
    parent = list(range(nodes.len()))
    left = nodes.search_sorted(links["record_id_l"]).to_list()
    right = nodes.search_sorted(links["record_id_r"]).to_list()
    for a, b in zip(left, right, strict=True):
        # find with path halving, inlined: this loop runs once per link
        while parent[a] != a:
            parent[a] = a = parent[parent[a]]
        while parent[b] != b:
            parent[b] = b = parent[parent[b]]
        if a != b:
            parent[max(a, b)] = min(a, b)
    roots: list[int] = []
    for node, up in enumerate(parent):
        roots.append(node if up == node else roots[up])
    linked = pl.DataFrame({"record_id": nodes, "cluster": nodes.gather(pl.Series(roots, dtype=pl.Int64))})
    labels = ids.to_frame("record_id").join(linked, on="record_id", how="left", maintain_order="left")
    return labels.with_columns(pl.coalesce("cluster", "record_id").alias("cluster"))


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


def _codes(uscc: pl.DataFrame, ids: pl.Series) -> pl.DataFrame:
    """(record_id, uscc) of credit codes as `prepare` normalises them; validity is checked later, where needed."""
    code = normalize_code_expr(pl.col("uscc"))
    frame = uscc.select(pl.col("record_id").cast(pl.Int64), code.alias("uscc")).drop_nulls()
    return frame.filter(pl.col("record_id").is_in(ids.implode())).unique("record_id", keep="first")


def _conflicted(labels: pl.DataFrame, codes: pl.DataFrame, apart: pl.DataFrame) -> pl.DataFrame:
    """The clusters holding two distinct codes or a cannot-link pair."""
    coded = codes.join(labels, on="record_id")
    # checking a code's check character is costly: only where a cluster shows two different codes at all
    several = coded.filter(pl.col("uscc").n_unique().over("cluster") > 1)
    valid = several.filter(uscc_valid_expr(pl.col("uscc")))
    by_code = valid.group_by("cluster").agg(pl.col("uscc").n_unique().alias("_n"))
    left = labels.rename({"record_id": "record_id_l"})
    right = labels.rename({"record_id": "record_id_r", "cluster": "cluster_r"})
    kept_apart = apart.join(left, on="record_id_l").join(right, on="record_id_r")
    return pl.concat(
        [
            by_code.filter(pl.col("_n") > 1).select("cluster"),
            kept_apart.filter(pl.col("cluster") == pl.col("cluster_r")).select("cluster"),
        ]
    ).unique()


def _rebuild(members: pl.Series, links: pl.DataFrame, codes: pl.DataFrame, apart: pl.DataFrame) -> pl.DataFrame:
    """Greedy clusters of `members`: links strongest first, refusing joins across codes or a cannot-link pair."""
    id_list = members.sort().to_list()
    position = {record_id: index for index, record_id in enumerate(id_list)}
    forest = _Forest(len(id_list))
    code_sets = {position[r]: {c} for r, c in codes.iter_rows() if r in position}
    forbidden: dict[int, set[int]] = {}
    for a, b in apart.iter_rows():
        if a in position and b in position:
            forbidden.setdefault(position[a], set()).add(position[b])
            forbidden.setdefault(position[b], set()).add(position[a])
    groups: dict[int, list[int]] = {node: [node] for node in range(len(id_list))}
    for record_l, record_r in links.select(*PAIR_COLUMNS).iter_rows():
        ra, rb = forest.find(position[record_l]), forest.find(position[record_r])
        if ra == rb or _refused(ra, rb, code_sets, forbidden, groups):
            continue
        keep, gone = min(ra, rb), max(ra, rb)
        forest.parent[gone] = keep
        groups[keep].extend(groups.pop(gone))
        code_sets[keep] = code_sets.get(keep, set()) | code_sets.pop(gone, set())
        forbidden[keep] = forbidden.get(keep, set()) | forbidden.pop(gone, set())
    # positions follow record ids, and the root is the smallest position of its tree: its id names the cluster
    clusters = [id_list[forest.find(node)] for node in range(len(id_list))]
    return pl.DataFrame(
        {"record_id": id_list, "cluster": clusters}, schema={"record_id": pl.Int64, "cluster": pl.Int64}
    )


def _refused(
    ra: int, rb: int, code_sets: dict[int, set[str]], forbidden: dict[int, set[int]], groups: dict[int, list[int]]
) -> bool:
    codes_a, codes_b = code_sets.get(ra, set()), code_sets.get(rb, set())
    if codes_a and codes_b and not codes_a & codes_b:
        return True
    apart_a = forbidden.get(ra, set())
    return bool(apart_a) and any(node in apart_a for node in groups[rb])
