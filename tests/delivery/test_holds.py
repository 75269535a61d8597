"""A delivery whose code has no single equivalent in the target's list is withheld, not rejected: it names the review
item whose decision releases it; the queue puts first the decisions that release the most; deciding releases the
deliveries by itself (audited, each a ledger entry) and says how many; "no equivalent" makes them dead with the
reason, and a later decision releases them again. On SQLite and PostgreSQL."""

from __future__ import annotations

import json
from collections import Counter
from collections.abc import Iterator
from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, outbox
from tests.delivery.platform import Platform, platform
from tests.ingest.test_pipeline import _actor, _codes, _row, _source, _write
from zhizhi import ledger
from zhizhi.codes import build_translator, note_for_review
from zhizhi.delivery.figures import ReconcileFilter
from zhizhi.delivery.holds import decide_code, release, review_item, review_queue
from zhizhi.delivery.outbox import delivery_counts
from zhizhi.delivery.reconcile import reconcile
from zhizhi.delivery.send import send_once
from zhizhi.delivery.targets import TargetConfig
from zhizhi.demo import install_demo_codes
from zhizhi.errors import InputError, NotFoundError, PermissionDeniedError
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.store.tables import AuditEvent, CodeReviewItem, Delivery

TODAY = date(2026, 11, 28)
SPLIT, OTHER_SPLIT, FINE = "6291", "6110", "5221"  # two classes the province's 8-digit list splits; one it keeps


@pytest.fixture
def province() -> Iterator[Platform]:
    with platform() as running:
        yield running


@pytest.fixture
def held(city: sessionmaker[Session], tmp_path: Path, province: Platform) -> TargetConfig:
    """Three records of class 6291, one of 0169, one of a class the province takes: sent once."""
    codes = _codes(5)
    rows = [_row(codes[n], f"企业{n}有限公司", 行业代码=SPLIT) for n in range(3)]
    rows += [_row(codes[3], "企业3有限公司", 行业代码=OTHER_SPLIT), _row(codes[4], "企业4有限公司", 行业代码=FINE)]
    with city() as session, session.begin():
        install_demo_codes(session, OPERATOR, tmp_path)
        ingest_file(
            session, OPERATOR, _source(), _write(tmp_path / "a.csv", rows), today=TODAY, outbox=outbox("province")
        )
    target = TargetConfig.model_validate(
        {
            "name": "province",
            "title": "广西市场监管一体化平台",
            "owner": "LZ-XY",
            "record_types": ["entity"],
            "fields": {
                "TYSHXYDM": "uscc",
                "QYMC": "name",
                "HYDM": {"field": "industry_code", "code_list": "guangxi-industry-8"},
            },
            "transport": {"kind": "http", "url": province.url, "timeout": 2, "batch_size": 2},
        }
    )
    assert _send_all(city, target) == {"withheld": 4, "acknowledged": 1}  # three claims, each noting its own rows
    return target


def _send_all(city: sessionmaker[Session], target: TargetConfig) -> Counter[str]:
    """What the worker does: batch after batch until nothing is due; the deliveries by the state they reached."""
    states: Counter[str] = Counter()
    while (report := send_once(city, target)).claimed:
        states.update(report.states)
    return states


def _items(city: sessionmaker[Session]) -> dict[str, CodeReviewItem]:
    with city() as session:
        return {i.from_code: i for i in session.scalars(select(CodeReviewItem))}


def _deliveries(city: sessionmaker[Session]) -> list[Delivery]:
    with city() as session:
        return list(session.scalars(select(Delivery).order_by(Delivery.id)))


def test_a_withheld_delivery_names_its_review_item_and_is_not_counted_as_delivered(
    city: sessionmaker[Session], held: TargetConfig, province: Platform
) -> None:
    items = _items(city)
    assert set(items) == {SPLIT, OTHER_SPLIT}
    split = items[SPLIT]
    assert (split.from_list, split.to_list, split.kind) == ("gbt4754-2017", "guangxi-industry-8", "ambiguous")
    assert split.seen_in == "交付目标「广西市场监管一体化平台」" and split.rows_affected == 3  # all it holds back
    withheld = [d for d in _deliveries(city) if d.status == "withheld"]
    assert [d.review_item_id for d in withheld] == [split.id] * 3 + [items[OTHER_SPLIT].id]
    reason = withheld[0].last_error or ""
    assert SPLIT in reason and "对应多个代码" in reason and "`" not in reason and "industry_code" not in reason
    with city() as session:
        counts = delivery_counts(session, OPERATOR)["province"]
        figures = reconcile(session, OPERATOR, ReconcileFilter(target="province")).deliveries
    assert (counts["withheld"], counts["rejected"], counts["acknowledged"]) == (4, 0, 1)
    assert (figures.owed, figures.delivered, figures.withheld) == (5, 1, 4)
    assert figures.delivered == len(province.applied)  # what reached the platform, and nothing else


def test_the_queue_puts_first_the_decisions_that_release_most_a_page_at_a_time(
    city: sessionmaker[Session], held: TargetConfig
) -> None:
    with city() as session, session.begin():  # seen in many rows of a file, holding no delivery
        translator = build_translator(session, "gbt4754-2017", "guangxi-industry-8", as_of=TODAY)
        results = translator.translate_column(pl.Series(["6210"] * 40))
        note_for_review(session, translator, results, seen_in="登记导出.csv")
    with city() as session:
        first = review_queue(session, OPERATOR, limit=2)
        rest = review_queue(session, OPERATOR, limit=2, offset=2)
    assert [(i["code"], i["held"]["deliveries"]) for i in first["items"]] == [(SPLIT, 3), (OTHER_SPLIT, 1)]
    assert [(i["code"], i["rows_affected"], i["held"]["deliveries"]) for i in rest["items"]] == [("6210", 40, 0)]
    assert first["total"] == rest["total"] == 3 and first["order"] == "released"
    item = first["items"][0]
    assert item["from_title"] and item["to_title"] and item["name"]  # titles and names, not identifiers
    assert all(c["name"] for c in item["candidates"]) and len(item["candidates"]) > 1
    with pytest.raises(InputError):
        review_queue(session, OPERATOR, status="lost")


def test_deciding_releases_the_deliveries_it_held_and_says_how_many(
    city: sessionmaker[Session], held: TargetConfig, province: Platform
) -> None:
    split = _items(city)[SPLIT]
    chosen = json.loads(split.candidates)[0]
    with city() as session, session.begin():
        done = decide_code(session, OPERATOR, split.id, to_code=chosen, reason="省平台确认按首个细类报送")
    assert done.released.queued == 3 and done.as_dict()["to_code"] == chosen
    states = {d.id: d.status for d in _deliveries(city)}
    assert sorted(states.values()) == ["acknowledged", "pending", "pending", "pending", "withheld"]
    with city() as session:
        kinds = [e.kind for e in ledger.entries(session)]
        events = list(session.scalars(select(AuditEvent.action)))
    assert kinds.count("delivery.requeued") == 3 and kinds.count("delivery.withheld") == 4
    assert {"codes.decide", "delivery.release"} <= set(events)
    assert _send_all(city, held) == {"acknowledged": 3}  # the worker's next rounds: no other command
    assert sorted(r["HYDM"] for r in province.applied.values() if r["HYDM"] != "52210100")[:3] == [chosen] * 3
    with city() as session:
        assert delivery_counts(session, OPERATOR)["province"]["withheld"] == 1


def test_no_equivalent_makes_them_dead_and_a_later_decision_releases_them_again(
    city: sessionmaker[Session], held: TargetConfig, province: Platform
) -> None:
    other = _items(city)[OTHER_SPLIT]
    with city() as session, session.begin():
        assert decide_code(session, OPERATOR, other.id, to_code=None, reason="省平台无此类").released.queued == 1
    assert _send_all(city, held) == {"dead": 1}
    (dead,) = [d for d in _deliveries(city) if d.status == "dead"]
    assert dead.review_item_id == other.id and "没有对应代码" in (dead.last_error or "")
    with city() as session:
        shown = review_item(session, OPERATOR, other.id)
    assert shown["held"] == {"deliveries": 1, "records": 1} and shown["decision"]["to_code"] is None
    assert [d["id"] for d in shown["held_here"]] == [dead.id] and shown["held_here_count"] == 1
    with city() as session, session.begin():
        again = decide_code(session, OPERATOR, other.id, to_code=json.loads(other.candidates)[0], reason="改为首个细类")
    assert again.released.queued == 1 and _send_all(city, held) == {"acknowledged": 1}


def test_release_needs_a_decision_and_a_writer_and_shows_only_the_readers_deliveries(
    city: sessionmaker[Session], held: TargetConfig
) -> None:
    split = _items(city)[SPLIT]
    with city() as session, session.begin():
        with pytest.raises(InputError, match="not decided"):
            release(session, OPERATOR, split.id)
        with pytest.raises(PermissionDeniedError):
            release(session, _actor(session, "leader"), split.id)
        with pytest.raises(NotFoundError):
            review_item(session, OPERATOR, 99_999)
        elsewhere = review_item(session, _actor(session, "yufeng"), split.id)
    assert elsewhere["held"]["deliveries"] == 3  # the hold is the hub's: its count is the same for everyone
    assert elsewhere["held_here"] == [] and elsewhere["held_here_count"] == 0  # the records are not theirs


def test_a_code_without_one_equivalent_at_ingest_waits_on_its_review_item_and_is_never_sent_empty(
    city: sessionmaker[Session], tmp_path: Path, province: Platform
) -> None:
    """0169 of GB/T 4754-2011 splits in 2017: the record came in with the code empty and the department's 0169 kept
    beside it, and went to the platform with HYDM empty (acknowledged). It now waits on the ingest's own review item;
    the steward's decision releases it with the province's code of the class decided."""
    with city() as session, session.begin():
        install_demo_codes(session, OPERATOR, tmp_path)
        path = _write(tmp_path / "tea.csv", [_row(_codes(1, seed=3)[0], "老甲茶园有限公司", 行业代码="0169")])
        ingest_file(session, OPERATOR, _source(), path, today=TODAY, outbox=outbox("province"))
    target = TargetConfig.model_validate(
        {"name": "province", "owner": "LZ-XY", "record_types": ["entity"],
         "fields": {"QYMC": "name", "HYDM": {"field": "industry_code", "code_list": "guangxi-industry-8"}},
         "transport": {"kind": "http", "url": province.url, "timeout": 2}}
    )  # fmt: skip
    assert _send_all(city, target) == {"withheld": 1} and not province.applied
    (item,) = [i for i in _items(city).values() if i.from_list == "gbt4754-2011" and i.from_code == "0169"]
    with city() as session, session.begin():
        done = decide_code(session, OPERATOR, item.id, to_code="0164", reason="茶园按茶叶种植报送")
    assert done.released.queued == 1
    assert _send_all(city, target) == {"acknowledged": 1}
    with city() as session:
        expected = build_translator(session, "gbt4754-2017", "guangxi-industry-8").translate("0164", {}).to_code
    (sent,) = province.applied.values()
    assert expected and sent["HYDM"] == expected


def test_deliveries_given_up_with_their_removed_target_stay_given_up(
    city: sessionmaker[Session], held: TargetConfig, province: Platform
) -> None:
    """The province's platform retired (its file removed): the deliveries withheld for 6291, and the dead letter of
    6110 ("no equivalent" decided), are given up; the steward's later decisions send none of them."""
    from zhizhi.delivery.steward import give_up

    other = _items(city)[OTHER_SPLIT]
    with city() as session, session.begin():
        decide_code(session, OPERATOR, other.id, to_code=None, reason="省平台无此类")
    assert _send_all(city, held) == {"dead": 1}
    with city() as session, session.begin():
        withheld = sum(1 for d in session.scalars(select(Delivery)) if d.status == "withheld")
        assert give_up(session, OPERATOR, held.name, set(), reason="省平台停用") == withheld > 0
    split = _items(city)[SPLIT]
    with city() as session, session.begin():
        done = decide_code(session, OPERATOR, split.id, to_code=json.loads(split.candidates)[0], reason="省平台确认")
        again = decide_code(session, OPERATOR, other.id, to_code=json.loads(other.candidates)[0], reason="改为首个细类")
    assert done.released.queued == again.released.queued == 0
    assert not any(d.status == "pending" for d in _deliveries(city))
