"""The engine on small frames: deterministic links, what the model links and keeps apart, clusters, repeatability."""

from __future__ import annotations

import json

import polars as pl

from tests.resolve.conftest import CODES, firm, small_city, subjects
from zhizhi.resolve.engine import Model, Thresholds, cluster, prepare, score_pairs, train


def pairs_of(scored: pl.DataFrame, *, at_least: float = 0.99) -> set[tuple[int, int]]:
    linked = scored.filter(pl.col("probability") >= at_least)
    return set(zip(linked["record_id_l"].to_list(), linked["record_id_r"].to_list(), strict=True))


def clusters_of(features: pl.DataFrame, scored: pl.DataFrame, **kwargs: object) -> list[list[int]]:
    clusters = cluster(features["record_id"], scored, uscc=features.select("record_id", "uscc"), **kwargs)  # type: ignore[arg-type]
    groups = clusters.group_by("cluster").agg(pl.col("record_id").sort()).sort("cluster")
    return groups["record_id"].to_list()


def test_same_credit_code_links_whatever_its_writing(model: Model) -> None:
    features = prepare(
        subjects(
            firm("华信科技有限公司", uscc=CODES[0]),
            firm("恒达商贸有限公司", 1, "东环路1号", uscc="９１１１００００６０００３７３４１ｌ"),
            firm("鸿运食品有限公司", 2, "五一路9号", uscc="911100 006000 37341l"),
        )
    )
    scored = score_pairs(features, model=model)
    assert scored.select("record_id_l", "record_id_r", "how", "probability").rows() == [
        (1, 2, "uscc", 1.0),
        (1, 3, "uscc", 1.0),
        (2, 3, "uscc", 1.0),
    ]
    assert scored["why"][0] == '{"credit_code":"统一社会信用代码相同"}'


def test_same_registration_number_links(model: Model) -> None:
    features = prepare(
        subjects(firm("华信科技有限公司", reg_no="450200000012345"), firm("恒达商贸", 1, reg_no="450200000012345"))
    )
    assert score_pairs(features, model=model).select("how", "probability").rows() == [("reg_no", 1.0)]


def test_typo_without_code_links_to_its_coded_twin_by_address_and_phone(model: Model) -> None:
    features = prepare(
        subjects(
            firm("柳州市华信科技有限公司", uscc=CODES[0], phone="13977200001", legal_representative="张三"),
            firm("化信科技有限公司", source="inspections", phone="13977200001"),
        )
    )
    scored = score_pairs(features, model=model)
    assert pairs_of(scored) == {(1, 2)}
    assert scored["how"].to_list() == ["model"]
    assert '"name":"字号读音相同（同音错字）' in scored["why"][0] and '"phone":"电话相同' in scored["why"][0]
    assert clusters_of(features, scored) == [[1, 2]]


def test_a_homophone_slip_weighs_more_than_another_character_changed(model: Model) -> None:
    """A pinyin input method's slip (华信 / 化信, both huaxin) is its own level; 华信 / 华新 (huaxin) too, while
    华信 / 华盛 is one character changed, which two firms' names often are."""
    features = prepare(
        subjects(
            firm("柳州市华信科技有限公司", uscc=CODES[0]),
            firm("化信科技有限公司", source="market_stalls"),
            firm("华盛科技有限公司", source="market_stalls"),
        )
    )
    why = score_pairs(features, model=model, thresholds=Thresholds(review=0.0)).filter(pl.col("record_id_l") == 1)
    assert "字号读音相同（同音错字）" in why["why"][0] and "名称一字之差（错字）" in why["why"][1]
    assert why["weight"][0] > why["weight"][1]
    assert model.weight("name", "homophone") > model.weight("name", "typo")


def test_namesakes_in_other_districts_or_industries_are_not_linked(model: Model) -> None:
    features = prepare(
        subjects(
            firm("华信科技有限公司", 0, "文昌路1号", phone="13977200001", legal_representative="张三"),
            firm("华信科技有限公司", 1, "东环路8号", phone="13977200002", legal_representative="李四"),
            firm("华信食品有限公司", 0, "文昌路1号", phone="13977200001", legal_representative="张三"),
        )
    )
    scored = score_pairs(features, model=model, thresholds=Thresholds(review=0.0))
    assert pairs_of(scored) == set()
    assert clusters_of(features, scored) == [[1], [2], [3]]
    why = dict(zip(zip(scored["record_id_l"], scored["record_id_r"], strict=True), scored["why"], strict=True))
    assert "字号相同而行业不同" in why[(1, 3)]


def test_sister_companies_and_branches_sharing_contacts_are_not_linked(model: Model) -> None:
    contacts = {"phone": "13977200001", "legal_representative": "张三"}
    features = prepare(
        subjects(
            firm("华信科技有限公司", uscc=CODES[0], **contacts),
            firm("华信商贸有限公司", uscc=CODES[3], **contacts),
            firm("华信商贸有限公司", source="inspections", **contacts),
            firm("华信科技有限公司柳州分公司", source="inspections", **contacts),
        )
    )
    scored = score_pairs(features, model=model)
    assert pairs_of(scored) == {(2, 3)}
    assert clusters_of(features, scored) == [[1], [2, 3], [4]]


def edges(*rows: tuple[int, int, float]) -> pl.DataFrame:
    return pl.DataFrame(rows, schema={"record_id_l": pl.Int64, "record_id_r": pl.Int64, "probability": pl.Float64},
                        orient="row")  # fmt: skip


def codes(**by_id: str) -> pl.DataFrame:
    return pl.DataFrame({"record_id": [int(k[1:]) for k in by_id], "uscc": list(by_id.values())})


def run_cluster(links: pl.DataFrame, uscc: pl.DataFrame, **kwargs: object) -> list[list[int]]:
    ids = pl.Series("record_id", [1, 2, 3, 4], dtype=pl.Int64)
    result = cluster(ids, links, uscc=uscc, **kwargs)  # type: ignore[arg-type]
    return result.group_by("cluster").agg(pl.col("record_id").sort()).sort("cluster")["record_id"].to_list()


def test_cluster_splits_two_credit_codes_chained_by_a_record_without_code() -> None:
    links = edges((1, 3, 0.999), (2, 3, 0.995), (3, 4, 0.5))
    assert run_cluster(links, codes(r1=CODES[0], r2=CODES[3])) == [[1, 3], [2], [4]]
    # the anchor with the stronger direct link takes the record, whatever the ids
    assert run_cluster(edges((1, 3, 0.991), (2, 3, 0.999)), codes(r1=CODES[0], r2=CODES[3])) == [[1], [2, 3], [4]]
    # an invalid code anchors nothing
    assert run_cluster(links, codes(r1=CODES[0], r2="91110000600037341X")) == [[1, 2, 3], [4]]


def test_must_link_and_cannot_link() -> None:
    pairs = pl.DataFrame({"record_id_l": [1], "record_id_r": [4]})
    none = codes()
    assert run_cluster(edges((1, 2, 0.999)), none, must_link=pairs) == [[1, 2, 4], [3]]
    chain = edges((1, 2, 0.999), (2, 3, 0.999))
    apart = pl.DataFrame({"record_id_l": [3], "record_id_r": [1]})
    assert run_cluster(chain, none, cannot_link=apart) == [[1, 2], [3], [4]]
    # a steward's must-link never joins two codes, nor a cannot-link pair; it comes before the model's links, so a
    # record without a code it ties to one code leaves the other code's anchor
    assert run_cluster(edges(), codes(r1=CODES[0], r4=CODES[3]), must_link=pairs) == [[1], [2], [3], [4]]
    held = edges((2, 4, 0.999))
    assert run_cluster(held, codes(r1=CODES[0], r2=CODES[3]), must_link=pairs) == [[1, 4], [2], [3]]
    assert run_cluster(edges(), none, must_link=pairs, cannot_link=pairs) == [[1], [2], [3], [4]]


def test_small_city_resolves_into_its_firms(model: Model, city_features: pl.DataFrame) -> None:
    scored = score_pairs(city_features, model=model)
    clusters = clusters_of(city_features, scored)
    by_code = city_features.filter(pl.col("uscc").is_not_null()).group_by("uscc").agg("record_id")
    assert len(clusters) == 30 == by_code.height


def test_repeatable_and_independent_of_row_order(model: Model) -> None:
    city = small_city()
    first = score_pairs(prepare(city), model=model)
    assert score_pairs(prepare(city), model=model).equals(first)
    shuffled = prepare(city.sample(fraction=1.0, shuffle=True, seed=7))
    assert score_pairs(shuffled, model=model).equals(first)
    assert clusters_of(shuffled, first) == clusters_of(prepare(city), first)


def test_incremental_scoring_equals_full_scoring_restricted_to_new_records(
    model: Model, city_features: pl.DataFrame
) -> None:
    full = score_pairs(city_features, model=model, thresholds=Thresholds(review=0.0))
    new_ids = pl.Series([3, 10, 11, 40, 70], dtype=pl.Int64)
    touching = full.filter(
        pl.col("record_id_l").is_in(new_ids.implode()) | pl.col("record_id_r").is_in(new_ids.implode())
    )
    incremental = score_pairs(city_features, new_ids=new_ids, model=model, thresholds=Thresholds(review=0.0))
    assert incremental.height > 0
    assert incremental.equals(touching)


def test_training_is_deterministic_and_the_model_round_trips() -> None:
    city = small_city()
    trained = train(prepare(city))
    assert train(prepare(city.sample(fraction=1.0, shuffle=True, seed=3))).to_json() == trained.to_json()
    assert Model.from_json(trained.to_json()) == trained
    assert trained.trained_on["labelled_pairs"] > 0
    assert trained.weight("name", "same") > 0 > trained.weight("name", "else")


def test_a_firm_that_moved_links_by_its_registered_name_and_a_namesake_does_not(model: Model) -> None:
    """The same registered name, region included, at another district's address is the same firm (names are
    unique within their registration area); another district's namesake registers under another region word."""
    features = prepare(
        subjects(
            firm("柳州市华信科技有限公司", 0, "文昌路1号", uscc=CODES[0], legal_representative="张三"),
            firm("华信科技（柳州）有限责任公司", 1, "东环路8号", source="equipment_users"),
            firm("柳州市柳南区华信科技有限公司", 2, "五一路9号", legal_representative="李四"),
        )
    )
    scored = score_pairs(features, model=model)
    assert pairs_of(scored) == {(1, 2)}
    assert "登记名称相同" in scored.filter(pl.col("record_id_r") == 2)["why"][0]
    assert clusters_of(features, scored) == [[1, 2], [3]]


def test_a_person_of_another_role_does_not_keep_a_pair_apart(model: Model) -> None:
    """A list's safety manager is not read as the legal representative, so it cannot contradict the register's."""
    from zhizhi.records import Field, RecordType
    from zhizhi.resolve.subjects import fields_of

    equipment = RecordType(
        "equipment_users",
        "特种设备使用单位",
        "Equipment users",
        (
            Field("user_name", "name", "使用单位", "User"),
            Field("safety_manager", "person", "安全管理员", "Safety manager", synonyms=("安全管理员",)),
            Field("address", "address", "地址", "Address"),
        ),
        keys=(("user_name",),),
    )
    assert "legal_representative" not in fields_of(equipment)
    registered = firm("柳州市信华科技有限公司", 0, "文昌路1号", uscc=CODES[0], legal_representative="张三")
    listed = firm("华信科技有限责任公司", 0, "文昌路1号首层", source="equipment_users")
    scored = score_pairs(prepare(subjects(registered, listed)), model=model)
    assert pairs_of(scored) == {(1, 2)}
    assert "legal_rep" not in scored["why"][0] and "名称用字相同而顺序颠倒" in scored["why"][0]


def test_a_list_row_with_a_name_alone_links_to_the_one_registered_firm_holding_its_name_core(model: Model) -> None:
    """A hand-typed list without codes writes a firm's trade name and industry word without its region, and nothing
    else: when exactly one credit code in the register holds that name core, the row is that firm (issue 15 §2);
    when two do (namesakes in two districts), it is neither."""
    nothing = {"address": None, "address_division_code": None, "address_rest": None}
    features = prepare(
        subjects(
            firm("柳州市华信科技有限公司", 0, "文昌路1号", uscc=CODES[0], legal_representative="张三"),
            firm("华信科技有限责任公司", source="hotline", **nothing),
            firm("恒达商贸有限公司", 1, "东环路8号", uscc=CODES[3]),
            firm("柳州市柳南区恒达商贸有限公司", 2, "五一路9号", uscc=CODES[4]),
            firm("恒达商贸有限公司", source="hotline", **nothing),
        )
    )
    scored = score_pairs(features, model=model)
    assert pairs_of(scored) == {(1, 2)}
    assert (
        '"name":"字号与行业相同，库中仅此一家持有（无代码名单）' in scored.filter(pl.col("record_id_r") == 2)["why"][0]
    )
    assert clusters_of(features, scored) == [[1, 2], [3], [4], [5]]


def test_a_record_without_code_from_a_source_with_codes_waits_for_a_steward_on_the_name_alone(model: Model) -> None:
    """An inspection without a code, where the inspections carry codes, lacks it more often because its firm is not
    in the register: the name core's one holder alone sends it to review, and links it with an address that agrees
    in part (the same road)."""
    features = prepare(
        subjects(
            firm("柳州市华信科技有限公司", 0, "文昌路1号", uscc=CODES[0]),
            firm("华信科技有限公司", source="inspections", address=None, address_division_code=None, address_rest=None),
            firm("恒达商贸有限公司", 1, "东环路8号", source="inspections", uscc=CODES[3]),
            firm("华信科技有限公司", 0, "文昌路7号", source="inspections"),
        )
    )
    scored = score_pairs(features, model=model)
    alone = scored.filter(pl.col("record_id_r") == 2)
    assert '"name":"字号与行业相同，库中仅此一家持有（+' in alone["why"][0] and "address" not in alone["why"][0]
    assert 0.8 <= alone["probability"][0] < 0.99
    assert pairs_of(scored) == {(1, 4)}


def test_the_one_holder_of_a_name_core_does_not_outweigh_an_address_or_a_region_that_says_otherwise(
    model: Model,
) -> None:
    """The name core's one holder is strong evidence, not a veto: a list row at an address in another county is not
    linked; one whose region words name another city is another registration (the same core in two areas: two firms);
    one naming a district inside the city the holder is registered under (a district's namesake: the city's name
    was taken) is not compared with the holder; a branch is another entity."""
    features = prepare(
        subjects(
            firm("柳州市华信科技有限公司", 0, "文昌路1号", uscc=CODES[0]),
            firm("华信科技有限公司", 2, "五一路9号", source="equipment_users"),
            firm(
                "南宁市华信科技有限公司", source="hotline", address=None, address_division_code=None, address_rest=None
            ),
            firm("华信科技有限公司柳南分公司", 2, "五一路9号", source="market_stalls"),
            firm(
                "柳州市柳南区华信科技有限公司",
                source="hotline",
                address=None,
                address_division_code=None,
                address_rest=None,
            ),
        )
    )
    scored = score_pairs(features, model=model, thresholds=Thresholds(review=0.0)).filter(pl.col("record_id_l") == 1)
    why = dict(zip(scored["record_id_r"].to_list(), scored["why"].to_list(), strict=True))
    probability = dict(zip(scored["record_id_r"].to_list(), scored["probability"].to_list(), strict=True))
    assert "库中仅此一家持有（无代码名单）" in why[2] and probability[2] < 0.99  # another county
    assert why[3].startswith('{"name":"字号与行业相同而名称中的行政区划不同') and probability[3] < 1e-6  # 南宁市
    assert probability[4] < 1e-6  # a branch of it
    assert why[5].startswith('{"name":"字号与行业相同（+') and probability[5] < 0.99  # a district's namesake
    assert clusters_of(features, score_pairs(features, model=model)) == [[1], [2], [3], [4], [5]]


def test_the_one_holder_levels_keep_their_odds_whatever_the_register_size(city_features: pl.DataFrame) -> None:
    """On its own, the name core's one holder gives the same odds of a match in a register of any size: its u
    follows the prior (random pairs cannot measure a level this rare)."""
    import math

    from zhizhi.resolve.comparisons import ONE_HOLDER_LIST_ODDS, ONE_HOLDER_ODDS
    from zhizhi.resolve.model import prior_model

    trained = train(city_features)
    for model in (prior_model(1e-4), prior_model(1e-7), trained):
        prior = model.probability_two_random_records_match
        for level, odds in (("one_holder_list", ONE_HOLDER_LIST_ODDS), ("one_holder", ONE_HOLDER_ODDS)):
            assert math.isclose(model.weight("name", level) + math.log2(prior / (1 - prior)), math.log2(odds))
    assert ONE_HOLDER_LIST_ODDS > 99 / 2 > ONE_HOLDER_ODDS  # with the same form, one links and the other waits
    assert 0 < trained.m_u("name", "one_holder")[0] < 1


def test_namesakes_without_codes_are_not_chained_through_a_row_that_leaves_out_its_district() -> None:
    """Three shops of one name in three places; the middle row writes no district. Random pairs of a register never
    leave a county out, so they cannot teach how often two different shops fall there: such a level's u is fixed,
    and a road that differs weighs against the pair (it weighed +8 bits for it, and chained the three into one)."""
    rows = [
        firm("莫福粉店", 0, "飞鹅路1号", source="equipment"),
        firm("莫福粉店", 0, "跃进路9号", source="equipment", address="跃进路9号", address_division_code=None),
        firm("莫福粉店", 2, "航银路50号", source="equipment"),
    ]
    trained = train(prepare(small_city()))
    assert trained.weight("address", "near_other_road") < 0 and trained.weight("address", "else") < 0
    features = prepare(subjects(*rows))
    scored = score_pairs(features, model=trained, thresholds=Thresholds(review=0.0))
    assert pairs_of(scored, at_least=0.8) == set()
    assert clusters_of(features, scored) == [[1], [2], [3]]
    # a model stored before the level's u was fixed reads with the u as the level defines it now
    stored = json.loads(trained.to_json())
    stored["parameters"]["address"]["else"]["u"] = 5e-7
    del stored["parameters"]["address"]["near_other_road"]
    assert Model.from_json(json.dumps(stored)).m_u("address", "else")[1] == 0.05
    assert Model.from_json(json.dumps(stored)).weight("address", "near_other_road") < 0


def test_a_branch_written_three_ways_is_one_branch(model: Model) -> None:
    """城中分店, 城中店 and 城中区分店 of one company at one address: one branch (a different branch was a cannot-link),
    while the company's branch elsewhere stays apart."""
    features = prepare(
        subjects(
            firm("柳州市桂味餐饮管理有限公司城中分店", 0, "中山中路20号", uscc=CODES[0]),
            firm("桂味餐饮管理有限公司城中店", 0, "中山中路20号", source="equipment"),
            firm("柳州桂味餐饮管理有限公司城中区分店", 0, "中山中路20号", source="inspections"),
            firm("柳州市桂味餐饮管理有限公司鱼峰分店", 1, "龙城路6号", uscc=CODES[1]),
        )
    )
    scored = score_pairs(features, model=model, thresholds=Thresholds(review=0.0))
    assert clusters_of(features, scored) == [[1, 2, 3], [4]]
