"""The review queue round trip: seen in data, decided once, reused, exported, imported back."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.codes.helpers import PROVINCE, load_city_codes, write
from tests.conftest import OPERATOR
from zhizhi.access import audit
from zhizhi.codes import (
    ListSpec,
    Method,
    build_translator,
    coverage_report,
    decide,
    export_decisions,
    get_coverage,
    import_code_list,
    import_crosswalk,
    item_as_dict,
    list_coverage,
    list_review_items,
    note_for_review,
    save_coverage,
)
from zhizhi.errors import InputError, NotFoundError

AS_OF = date(2025, 6, 1)
DATA = pl.DataFrame(
    {
        "code": ["522101", "522101", "522102", "621001", "621001", "621002", "999999", None, "522201"],
        "business_format": ["522101", "522199", "522102", "621001", "621001", "621002", None, None, None],
    }
)


@pytest.fixture
def codes(sessions: sessionmaker[Session], tmp_path: Path) -> sessionmaker[Session]:
    with sessions() as session, session.begin():
        load_city_codes(session, tmp_path)
    return sessions


def _run(codes: sessionmaker[Session]) -> dict[str, object]:
    with codes() as session, session.begin():
        translator = build_translator(session, "local-6", "province-8", as_of=AS_OF)
        results = translator.translate_column(DATA["code"], DATA)
        note_for_review(session, translator, results, seen_in="登记导出.csv")
        return coverage_report(translator, results)


def test_untranslated_codes_are_queued_with_the_rows_they_affect(codes: sessionmaker[Session]) -> None:
    _run(codes)
    _run(codes)  # noting the same data again does not double the counts
    with codes() as session, session.begin():
        items = [item_as_dict(i) for i in list_review_items(session)]
    summary = {(i["code"], i["kind"], tuple(i["context"].items())): i["rows_affected"] for i in items}
    assert summary == {
        ("621001", "ambiguous", ()): 2,  # 6210 splits from 2025 with no rule
        ("621002", "ambiguous", ()): 1,
        ("522101", "ambiguous", (("business_format", "522199"),)): 1,  # no rule for that format
        ("999999", "unmapped", ()): 1,
    }
    ambiguous = next(i for i in items if i["code"] == "621001")
    assert ambiguous["candidates"] == ["62100002", "62100003"] and ambiguous["seen_in"] == "登记导出.csv"


def test_a_decision_is_reused_and_audited(codes: sessionmaker[Session]) -> None:
    _run(codes)
    with codes() as session, session.begin():
        item = next(i for i in list_review_items(session) if i.from_code == "621001")
        decide(session, OPERATOR, item.id, to_code="62100002", reason="中餐馆归入中餐")
        unmapped = next(i for i in list_review_items(session) if i.from_code == "999999")
        decide(session, OPERATOR, unmapped.id, to_code=None, reason="已注销的业态，无对应")
    with codes() as session, session.begin():
        translator = build_translator(session, "local-6", "province-8", as_of=AS_OF)
        decided = translator.translate("621001")
        assert (decided.to_code, decided.method) == ("62100002", Method.DECISION)
        assert translator.translate("999999").detail == "a steward decided there is no equivalent"
        assert translator.translate("621002").method == Method.AMBIGUOUS  # only the decided code changes
        assert {i.from_code for i in list_review_items(session)} == {"621002", "522101"}
        events = audit.list_events(session, OPERATOR, audit.AuditFilter(action="codes.decide"))
    assert len(events) == 2 and "中餐馆归入中餐" in events[-1].detail


def test_a_new_decision_replaces_the_old_one(codes: sessionmaker[Session]) -> None:
    _run(codes)
    with codes() as session, session.begin():
        item = next(i for i in list_review_items(session) if i.from_code == "621001")
        decide(session, OPERATOR, item.id, to_code="62100002", reason="first")
        decide(session, OPERATOR, item.id, to_code="62100003", reason="second thoughts")
        assert build_translator(session, "local-6", "province-8", as_of=AS_OF).translate("621001").to_code == "62100003"


def test_decisions_are_checked(codes: sessionmaker[Session]) -> None:
    _run(codes)
    with codes() as session, session.begin():
        item = list_review_items(session)[0]
        with pytest.raises(InputError, match="not a code of `province-8`"):
            decide(session, OPERATOR, item.id, to_code="5221", reason="wrong list")
        with pytest.raises(InputError, match="Say why"):
            decide(session, OPERATOR, item.id, to_code="62100002", reason=" ")
        with pytest.raises(NotFoundError):
            decide(session, OPERATOR, 99999, to_code=None, reason="none")


def test_a_decision_names_a_code_in_force_and_one_retired_since_is_no_longer_applied(
    codes: sessionmaker[Session], tmp_path: Path
) -> None:
    """A decision accepted any code the list ever had: a retired one was then delivered as if in force."""
    _run(codes)
    with codes() as session, session.begin():
        item = next(i for i in list_review_items(session) if i.from_code == "621001")
        decide(session, OPERATOR, item.id, to_code="62100003", reason="其他正餐")  # in force in the 2024 edition
        # The 2026 edition: 62100001 retired at the end of 2024, 62100003 at the end of June 2026.
        dated = {"62100001": ",,2024-12-31", "62100003": ",,2026-06-30"}
        rows = [line + (dated.get(line.split(",")[0], ",,") if n else ",valid_from,valid_to")
                for n, line in enumerate(PROVINCE.strip().splitlines())]  # fmt: skip
        import_code_list(session, OPERATOR, write(tmp_path / "p26.csv", "\n".join(rows) + "\n"),
                         ListSpec("province-8", "省平台行业代码"), version="2026")  # fmt: skip
        for retired, until in (("62100001", "2024-12-31"), ("62100003", "2026-06-30")):
            with pytest.raises(InputError, match=f"`{retired}` of `province-8` is not in force") as refused:
                decide(session, OPERATOR, item.id, to_code=retired, reason="旧码")
            assert until in str(refused.value) and "已失效" in (refused.value.message_zh or "")
        before = build_translator(session, "local-6", "province-8", as_of=date(2026, 3, 1)).translate("621001")
        after = build_translator(session, "local-6", "province-8", as_of=date(2026, 12, 1)).translate("621001")
    assert (before.to_code, before.method) == ("62100003", Method.DECISION)
    assert (after.to_code, after.method) == (None, Method.AMBIGUOUS)  # back to the crosswalk: queued again


def test_decisions_export_as_a_crosswalk_that_imports_back(codes: sessionmaker[Session], tmp_path: Path) -> None:
    _run(codes)
    with codes() as session, session.begin():
        for item in list_review_items(session):
            if item.kind == "ambiguous":
                target = "52210001" if item.from_code == "522101" else "62100002"
                decide(session, OPERATOR, item.id, to_code=target, reason="按业态归类")
        assert export_decisions(session, "local-6", "province-8", tmp_path / "decided.csv").pairs == 3
        import_crosswalk(
            session,
            OPERATOR,
            tmp_path / "decided.csv",
            name="local-to-province-decided",
            from_list="local-6",
            to_list="province-8",
            version="1",
        )
    with codes() as session, session.begin():
        direct = build_translator(session, "local-6", "province-8", as_of=AS_OF)
        assert direct.route == ["local-6", "province-8"]
        assert direct.translate("621002").to_code == "62100002"


def test_a_decision_a_crosswalk_row_cannot_say_is_left_out_of_the_export_and_counted(
    codes: sessionmaker[Session], tmp_path: Path
) -> None:
    """A decision for records whose field is empty was written with an empty rule value (the import refused the whole
    file); one for several fields was written with no rule at all, wider than what was decided."""
    _run(codes)
    more = pl.DataFrame({"code": ["522102"], "business_format": ["522199"]})
    with codes() as session, session.begin():
        translator = build_translator(session, "local-6", "province-8", as_of=AS_OF)
        note_for_review(session, translator, translator.translate_column(more["code"], more), seen_in="x.csv")
        items = {i.from_code: i for i in list_review_items(session)}
        items["522101"].context = '{"business_format": ""}'  # records whose format is empty
        items["621001"].context = '{"business_format": "621001", "scale": "大"}'  # two fields
        answers = {"522101": "52210001", "621001": "62100002", "621002": None, "999999": "52210001",
                   "522102": "52210002"}  # fmt: skip
        for code, answer in answers.items():
            decide(session, OPERATOR, items[code].id, to_code=answer, reason="按业态归类")
        done = export_decisions(session, "local-6", "province-8", tmp_path / "decided.csv")
        assert (done.pairs, done.no_equivalent, done.not_codes, done.not_rules) == (1, 1, 1, 2)
        import_crosswalk(session, OPERATOR, tmp_path / "decided.csv", name="decided", from_list="local-6",
                         to_list="province-8", version="1")  # fmt: skip
    rows = (tmp_path / "decided.csv").read_text(encoding="utf-8-sig").splitlines()
    assert [r.split(",")[:4] for r in rows[1:]] == [["522102", "52210002", "business_format", "522199"]]


def test_coverage_adds_up_and_is_kept(codes: sessionmaker[Session]) -> None:
    report = _run(codes)
    methods = {m["method"]: m["rows"] for m in report["methods"]}  # type: ignore[attr-defined]
    assert report["rows"] == 9 == sum(methods.values())
    assert methods == {"chained": 3, "ambiguous": 4, "unmapped": 1, "blank": 1}
    assert report["translated_rows"] == 3 and report["distinct_codes"] == 7
    assert report["untranslated"][0] == {
        "code": "621001",
        "method": "ambiguous",
        "rows": 2,  # type: ignore[index]
        "detail": report["untranslated"][0]["detail"],
    }  # type: ignore[index]
    with codes() as session, session.begin():
        run = save_coverage(session, OPERATOR, "登记导出.csv", report)  # type: ignore[arg-type]
        save_coverage(session, OPERATOR, "登记导出.csv", report)  # type: ignore[arg-type]
        assert len(list_coverage(session)) == 1
        assert get_coverage(session, run.id)["rows"] == 9


def test_spellings_of_one_code_are_one_item_and_its_decision_applies(codes: sessionmaker[Session]) -> None:
    spelled = pl.Series(["999999", "９９９９９９", "999999 ", " 999999", "621002"])
    with codes() as session, session.begin():
        translator = build_translator(session, "local-6", "province-8", as_of=AS_OF)
        results = translator.translate_column(spelled)
        assert note_for_review(session, translator, results, seen_in="全角.csv") == 2
        report = coverage_report(translator, results)
        items = {i.from_code: i for i in list_review_items(session)}
        assert {code: i.rows_affected for code, i in items.items()} == {"999999": 4, "621002": 1}
        decide(session, OPERATOR, items["999999"].id, to_code="52230001", reason="全角写法即此码")
    assert (report["distinct_codes"], report["untranslated_codes"]) == (2, 2)
    assert [(u["code"], u["rows"]) for u in report["untranslated"]] == [("999999", 4), ("621002", 1)]
    with codes() as session:
        translator = build_translator(session, "local-6", "province-8", as_of=AS_OF)
        for code in ("９９９９９９", "999999 ", "999999"):
            assert (translator.translate(code).to_code, translator.translate(code).method) == ("52230001", "decision")


def test_items_queued_under_a_raw_spelling_are_merged_and_can_be_decided(
    empty_database_url: str, tmp_path: Path
) -> None:
    from sqlalchemy import text

    from zhizhi.store import make_engine, make_sessionmaker, upgrade

    engine = make_engine(empty_database_url)
    upgrade(engine, "0018")
    item = (
        "INSERT INTO code_review_items (from_list, to_list, from_code, context, kind, candidates, rows_affected, "
        "seen_in, first_seen, last_seen, status) VALUES ('local-6', 'province-8', :code, '{}', 'unmapped', '[]', "
        ":rows, :seen_in, :seen, :seen, :status)"
    )
    decision = (
        "INSERT INTO code_decisions (from_list, to_list, from_code, context, to_code, reason, decided_by, decided_at, "
        "active) VALUES ('local-6', 'province-8', :code, '{}', '52230001', '全角', 'operator', :seen, :yes)"
    )
    with engine.begin() as connection:
        for code, rows, seen, status in [
            ("９９９９９９", 3, "2026-01-01 00:00:00", "decided"),
            ("999999 ", 2, "2026-02-01 00:00:00", "open"),
            ("621002 ", 1, "2026-02-01 00:00:00", "open"),
        ]:
            connection.execute(
                text(item), {"code": code, "rows": rows, "seen_in": f"{code}.csv", "seen": seen, "status": status}
            )
        connection.execute(text(decision), {"code": "９９９９９９", "seen": "2026-01-01 00:00:00", "yes": True})
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    with sessions() as session, session.begin():
        load_city_codes(session, tmp_path)
        items = {i.from_code: i for i in list_review_items(session, status=None)}
        assert {c: (i.rows_affected, i.status) for c, i in items.items()} == {
            "999999": (5, "decided"),
            "621002": (1, "open"),
        }
        assert build_translator(session, "local-6", "province-8", as_of=AS_OF).translate("999999 ").method == "decision"
        decide(session, OPERATOR, items["621002"].id, to_code="62100002", reason="中餐馆归入中餐")
    with sessions() as session:
        assert build_translator(session, "local-6", "province-8", as_of=AS_OF).translate("621002").to_code == "62100002"
    engine.dispose()


def test_a_decision_on_one_step_is_used_inside_a_longer_route(codes: sessionmaker[Session]) -> None:
    with codes() as session, session.begin():
        translator = build_translator(session, "national", "province-8", as_of=AS_OF)
        note_for_review(session, translator, translator.translate_column(pl.Series(["6210"])), seen_in="国标.csv")
        item = next(i for i in list_review_items(session) if i.from_code == "6210")
        decide(session, OPERATOR, item.id, to_code="62100002", reason="按中餐计")
    with codes() as session:
        chained = build_translator(session, "local-6", "province-8", as_of=AS_OF).translate("621001")
    assert (chained.to_code, chained.method) == ("62100002", Method.CHAINED)
    assert chained.detail == "exact -> decision (decided by a data steward)"


def test_a_code_seen_in_two_sources_counts_the_rows_of_both_and_a_sources_next_file_replaces_its_own(
    codes: sessionmaker[Session],
) -> None:
    """999999 in 4 rows of one source and 2 of another was counted 2 (the last data noted): the steward ranked it
    below codes half as common."""

    def note(origin: str, rows: int) -> None:
        with codes() as session, session.begin():
            translator = build_translator(session, "local-6", "province-8", as_of=AS_OF)
            results = translator.translate_column(pl.Series(["999999"] * rows))
            note_for_review(session, translator, results, seen_in=f"数据源 {origin}（批次 {rows}）", origin=origin)

    note("dengji", 4)
    note("shipin", 2)
    with codes() as session:
        [item] = [item_as_dict(i) for i in list_review_items(session)]
    assert item["rows_affected"] == 6 and item["origins"] == {"dengji": 4, "shipin": 2}
    assert item["seen_in"] == "数据源 shipin（批次 2）"  # where it was seen last
    note("dengji", 3)  # the source's next export holds it in 3 rows: its count is replaced, not added
    with codes() as session:
        assert list_review_items(session)[0].rows_affected == 5
