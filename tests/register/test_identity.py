"""Stable identity: ids survive new data, merges keep the oldest and redirect, splits keep the id with the larger
part, new clusters get new ids in a fixed order."""

from __future__ import annotations

import polars as pl

from zhizhi.resolve.identity import assign

LINKS = {"record_id": pl.Int64, "entity_id": pl.Int64}


def _clusters(mapping: dict[int, int]) -> pl.DataFrame:
    return pl.DataFrame(
        {"record_id": list(mapping), "cluster": list(mapping.values())},
        schema={"record_id": pl.Int64, "cluster": pl.Int64},
    )


def _links(mapping: dict[int, int]) -> pl.DataFrame:
    return pl.DataFrame({"record_id": list(mapping), "entity_id": list(mapping.values())}, schema=LINKS)


def _as_dict(frame: pl.DataFrame) -> dict[int, int]:
    return dict(zip(frame["record_id"].to_list(), frame["entity_id"].to_list(), strict=True))


def test_the_first_run_numbers_clusters_in_order() -> None:
    result = assign(_clusters({1: 1, 2: 1, 3: 3, 4: 4}), _links({}), 1)
    assert _as_dict(result.links) == {1: 1, 2: 1, 3: 2, 4: 3} and result.new == [1, 2, 3] and result.merged == {}


def test_new_records_join_existing_entities_without_changing_their_ids() -> None:
    existing = _links({1: 7, 2: 7, 3: 9})
    result = assign(_clusters({1: 1, 2: 1, 3: 3, 4: 1, 5: 5}), existing, 10)
    assert _as_dict(result.links) == {1: 7, 2: 7, 3: 9, 4: 7, 5: 10} and result.new == [10]


def test_a_merge_keeps_the_oldest_id_and_redirects_the_other() -> None:
    result = assign(_clusters({1: 1, 2: 1, 3: 1}), _links({1: 9, 2: 9, 3: 4}), 10)
    assert set(_as_dict(result.links).values()) == {4} and result.merged == {9: 4} and result.new == []


def test_a_split_keeps_the_id_with_the_larger_part() -> None:
    result = assign(_clusters({1: 1, 2: 1, 3: 3}), _links({1: 5, 2: 5, 3: 5}), 6)
    assert _as_dict(result.links) == {1: 5, 2: 5, 3: 6} and result.new == [6]


def test_the_same_input_in_another_order_gives_the_same_ids() -> None:
    clusters = _clusters({4: 4, 1: 1, 3: 3, 2: 1})
    shuffled = clusters.sample(fraction=1.0, shuffle=True, seed=3)
    first, second = assign(clusters, _links({}), 1), assign(shuffled, _links({}), 1)
    assert _as_dict(first.links) == _as_dict(second.links) and first.new == second.new


def test_an_undone_merge_brings_the_merged_id_back() -> None:
    existing = pl.DataFrame(
        {"record_id": [1, 2, 3], "entity_id": [4, 4, 4], "first_entity_id": [4, 4, 9]},
        schema={"record_id": pl.Int64, "entity_id": pl.Int64, "first_entity_id": pl.Int64},
    )
    result = assign(_clusters({1: 1, 2: 1, 3: 3}), existing, 10, merged_away={9})
    assert _as_dict(result.links) == {1: 4, 2: 4, 3: 9} and result.new == []
    again = assign(_clusters({1: 1, 2: 1, 3: 3}), existing, 10, merged_away=set())
    assert _as_dict(again.links)[3] == 10 and again.new == [10]
