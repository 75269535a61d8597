"""The register's search on the store (SQLite and PostgreSQL): names, codes, pinyin initials and addresses found by a
part; a phone only whole, so no reader rebuilds a masked phone by searching for growing prefixes of it; a search by a
phone finds the firm with its phone masked, audited without the number and counted per hour."""

from __future__ import annotations

import json
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.ingest.test_pipeline import _actor
from tests.register.test_run import _firms, _load, _run
from zhizhi.errors import InputError, RateLimitedError
from zhizhi.privacy.erase import golden_personal_fields
from zhizhi.privacy.masking import mask
from zhizhi.resolve import register
from zhizhi.resolve.golden import SEARCHED_BY_PART
from zhizhi.store import make_engine, make_sessionmaker, upgrade
from zhizhi.store.tables import AuditEvent, Entity

MOBILE, LANDLINE = "13977200000", "0772-3812345"


@pytest.fixture
def firms(city: sessionmaker[Session], tmp_path: Path) -> list[dict[str, str]]:
    """Four firms resolved into the register: the first with a mobile, the second with a landline."""
    firms = _firms(4)
    firms[1]["phone"] = LANDLINE
    _load(city, tmp_path, firms)
    _run(city)
    return firms


def _found(
    city: sessionmaker[Session], query: str, *, user: str = "leader", per_hour: int = 200
) -> list[dict[str, Any]]:
    with city() as session, session.begin():
        return register.search(session, _actor(session, user), query, per_hour=per_hour)


def _entity_of(city: sessionmaker[Session], code: str) -> int:
    with city() as session:
        return int(session.scalars(select(Entity.id).where(Entity.uscc == code)).one())


def _searches(city: sessionmaker[Session]) -> list[AuditEvent]:
    with city() as session:
        query = select(AuditEvent).where(AuditEvent.action == "personal.search").order_by(AuditEvent.seq)
        return list(session.scalars(query))


def test_a_masked_phone_cannot_be_rebuilt_by_searching_for_its_prefixes(
    city: sessionmaker[Session], firms: list[dict[str, str]]
) -> None:
    """A leader (no `personal.read`) saw 139****0000 and rebuilt 13977200000 digit by digit (a search matched any
    part of a search text that held the phone, also as digits alone)."""
    target = _entity_of(city, firms[0]["code"])
    (shown,) = [e for e in _found(city, firms[0]["code"]) if e["id"] == target]
    head, tail = shown["phone"].split("****")
    known = head
    for _ in range(4):  # the reviewer's oracle: one more digit at a time
        known += next((d for d in "0123456789" if target in {e["id"] for e in _found(city, known + d)}), "")
    assert known == head  # not one hidden digit found
    landline = _entity_of(city, firms[1]["code"])
    for phone, firm in ((MOBILE, target), (LANDLINE, landline)):
        digits = phone.replace("-", "")
        for part in {*(phone[:n] for n in range(4, len(phone))), *(digits[:n] for n in range(4, len(digits)))}:
            assert firm not in {e["id"] for e in _found(city, part)}, part
        assert firm not in {e["id"] for e in _found(city, phone[1:])}  # nor a part that is not a prefix
    assert _searches(city) == []  # no part of a number is a search by a phone


def test_a_whole_phone_in_any_writing_finds_the_firm_with_the_phone_masked(
    city: sessionmaker[Session], firms: list[dict[str, str]]
) -> None:
    mobile, landline = _entity_of(city, firms[0]["code"]), _entity_of(city, firms[1]["code"])
    writings = {
        mobile: (MOBILE, "139 7720 0000", "+86 139-7720-0000", "１３９７７２０００００"),
        landline: (LANDLINE, "07723812345", "(0772) 3812345", "+86 772 3812345"),
    }
    for firm, queries in writings.items():
        for query in queries:
            found = _found(city, query)
            assert [e["id"] for e in found] == [firm], query
            assert found[0]["phone"] in (mask("phone", MOBILE), mask("phone", LANDLINE)), query
            assert MOBILE not in json.dumps(found) and LANDLINE not in json.dumps(found)
    assert [e["id"] for e in _found(city, f"华信 {MOBILE}")] == [mobile]  # with a word of the name
    assert _found(city, f"恒达 {MOBILE}") == [] and _found(city, "13977200009") == []


def test_names_codes_pinyin_initials_and_addresses_are_still_found_by_a_part(
    city: sessionmaker[Session], firms: list[dict[str, str]]
) -> None:
    first = _entity_of(city, firms[0]["code"])
    for query in ("华信", "lzshx", "hxkj", firms[0]["code"][:12], firms[0]["code"][4:].lower(), "文昌路10号"):
        assert first in {e["id"] for e in _found(city, query)}, query
    assert _searches(city) == []


def test_a_search_by_a_phone_is_audited_without_the_number_and_counted(
    city: sessionmaker[Session], firms: list[dict[str, str]]
) -> None:
    target = _entity_of(city, firms[0]["code"])
    for query in (MOBILE, "13900000000", "华信"):
        _found(city, query, per_hour=2)
    with pytest.raises(RateLimitedError, match="limit is 2"):
        _found(city, LANDLINE, per_hour=2)
    events = _searches(city)
    assert [(e.actor, e.object_type) for e in events] == [("leader", "entity")] * 2  # the refused one left none
    assert [json.loads(e.detail) for e in events] == [
        {"fields": ["phone"], "found": [target], "searched": ["139****0000"]},
        {"fields": ["phone"], "found": [], "searched": ["139****0000"]},
    ]
    assert not any(MOBILE in (e.detail or "") or MOBILE in (e.object_id or "") for e in events)
    assert [e["id"] for e in _found(city, LANDLINE, user="steward")] == [_entity_of(city, firms[1]["code"])]


def test_the_search_text_holds_no_personal_field(city: sessionmaker[Session], firms: list[dict[str, str]]) -> None:
    assert not set(SEARCHED_BY_PART) & golden_personal_fields()
    with city() as session:
        texts = list(session.scalars(select(Entity.search)))
    assert texts and not any(MOBILE in t or "3812345" in t for t in texts)


def test_the_upgrade_takes_the_phones_out_of_the_search_texts_stored(empty_database_url: str) -> None:
    engine = make_engine(empty_database_url)
    upgrade(engine, "0030")
    now = datetime(2026, 12, 1, tzinfo=UTC)
    sessions = make_sessionmaker(engine)
    stored = {  # as a release before 0031 wrote them
        1: ("柳州市华信科技有限公司", LANDLINE, f"柳州市华信科技有限公司 lzshxkjyxgs {LANDLINE} 文昌路8号 07723812345"),
        2: ("柳州市恒达商贸有限公司", MOBILE, f"柳州市恒达商贸有限公司 {MOBILE} 文昌路8号"),
        3: ("柳州市鸿运食品有限公司", None, "柳州市鸿运食品有限公司 文昌路8号"),
    }
    with sessions() as session, session.begin():
        for entity_id, (name, phone, search) in stored.items():
            session.add(
                Entity(id=entity_id, status="active", name=name, phone=phone, address="柳州市城中区文昌路8号",
                       search=search, golden="{}", records=1, created_at=now, updated_at=now)
            )  # fmt: skip
    upgrade(engine)
    with sessions() as session, session.begin():
        texts = {i: s for i, s in session.execute(select(Entity.id, Entity.search))}
        assert texts == {
            1: "柳州市华信科技有限公司 lzshxkjyxgs 文昌路8号",
            2: "柳州市恒达商贸有限公司 文昌路8号",
            3: "柳州市鸿运食品有限公司 文昌路8号",
        }
        assert register.search(session, OPERATOR, "0772381") == register.search(session, OPERATOR, "1397720") == []
        assert [e["id"] for e in register.search(session, OPERATOR, "07723812345")] == [1]
        assert [e["id"] for e in register.search(session, OPERATOR, "文昌路")] == [1, 2, 3]
    engine.dispose()


def test_an_overlong_search_word_is_refused_with_the_reason_not_a_database_error(
    city: sessionmaker[Session], firms: list[dict[str, str]]
) -> None:
    """A 20,000-character word reached SQLite as a LIKE pattern it refuses (`pattern too complex`), said as an
    unexpected error; a word of 100 characters is the most a name, address or code needs."""
    with pytest.raises(InputError, match="A search word has 20000 characters; at most 100") as refused:
        _found(city, "柳" * 20_000)
    assert "搜索词有 20000 个字符" in (refused.value.message_zh or "")
    assert _found(city, firms[0]["code"]) and _found(city, "柳" * 100) == []
