"""Translation: each mapping kind, validity periods, chains, and the explicit failures."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import polars as pl
import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.codes.helpers import LOCAL_TO_NATIONAL, load_city_codes, write
from tests.conftest import OPERATOR
from zhizhi.codes import (
    FileRefusedError,
    ListSpec,
    Method,
    Translator,
    build_translator,
    dropped_in_use,
    import_code_list,
    import_crosswalk,
)
from zhizhi.errors import ConflictError, InputError, NotFoundError


@pytest.fixture
def codes(sessions: sessionmaker[Session], tmp_path: Path) -> sessionmaker[Session]:
    with sessions() as session, session.begin():
        load_city_codes(session, tmp_path)
    return sessions


def _translator(codes: sessionmaker[Session], source: str, target: str, **kwargs: date) -> Translator:
    with codes() as session, session.begin():
        return build_translator(session, source, target, **kwargs)


# code, business_format, as_of, expected target, method
CASES = [
    ("522101", None, None, "5221", Method.EXACT),  # n:1
    ("５２２１０１", None, None, "5221", Method.EXACT),  # full-width, as a department's export writes it
    (" 522101\u200b", None, None, "5221", Method.EXACT),  # spaces and an invisible character around it
    ("\u3000", None, None, None, Method.BLANK),
    ("522201", None, None, "5222", Method.EXACT),
    ("5221", None, None, None, Method.UNMAPPED),  # a 4-digit local code has no row and no ancestor
    ("999999", None, None, None, Method.UNMAPPED),
    ("", None, None, None, Method.BLANK),
]


@pytest.mark.parametrize(("code", "fmt", "as_of", "expected", "method"), CASES)
def test_local_to_national(
    codes: sessionmaker[Session], code: str, fmt: str | None, as_of: date | None, expected: str | None, method: Method
) -> None:
    result = _translator(codes, "local-6", "national").translate(code, {"business_format": fmt})
    assert (result.to_code, result.method) == (expected, method)


def test_a_split_is_settled_by_a_rule_or_left_ambiguous(codes: sessionmaker[Session]) -> None:
    translator = _translator(codes, "national", "province-8")
    assert translator.rule_fields == ["business_format"]
    by_rule = translator.translate("5221", {"business_format": "522102"})
    assert (by_rule.to_code, by_rule.method) == ("52210002", Method.RULE)
    assert "business_format" in by_rule.detail
    unsettled = translator.translate("5221", {"business_format": "999999"})
    assert unsettled.method == Method.AMBIGUOUS and unsettled.to_code is None
    assert unsettled.candidates == ("52210001", "52210002")
    assert translator.translate("5222").method == Method.EXACT


def test_validity_periods_choose_the_pair_in_force(codes: sessionmaker[Session]) -> None:
    before = _translator(codes, "national", "province-8", as_of=date(2024, 6, 1)).translate("6210")
    after = _translator(codes, "national", "province-8", as_of=date(2025, 6, 1)).translate("6210")
    assert (before.to_code, before.method) == ("62100001", Method.EXACT)
    assert after.method == Method.AMBIGUOUS and after.candidates == ("62100002", "62100003")


def test_a_group_has_no_class_to_roll_up_to(codes: sessionmaker[Session]) -> None:
    result = _translator(codes, "national", "province-8").translate("522")
    assert result.method == Method.UNMAPPED  # the rows are for classes, below the group


def test_a_code_without_a_row_rolls_up_to_its_ancestor_in_the_from_list(
    codes: sessionmaker[Session], tmp_path: Path
) -> None:
    with codes() as session, session.begin():
        rows = "from_code,to_code\n5221,52210001\n5222,52220001\n"
        import_crosswalk(
            session,
            OPERATOR,
            write(tmp_path / "x.csv", rows),
            name="local-to-province",
            from_list="local-6",
            to_list="province-8",
            version="1",
        )
    translator = _translator(codes, "local-6", "province-8")
    assert translator.route == ["local-6", "province-8"]  # a direct crosswalk beats a chain
    rolled = translator.translate("522102")
    assert (rolled.to_code, rolled.method) == ("52210001", Method.ROLL_UP)
    assert "rolled up to `5221`" in rolled.detail
    assert translator.translate("621001").method == Method.UNMAPPED


def test_one_crosswalk_per_pair_of_lists(codes: sessionmaker[Session], tmp_path: Path) -> None:
    with pytest.raises(ConflictError, match="`local-to-national` already goes"), codes() as session, session.begin():
        import_crosswalk(
            session,
            OPERATOR,
            write(tmp_path / "x.csv", "from_code,to_code\n522101,5221\n"),
            name="another",
            from_list="local-6",
            to_list="national",
            version="1",
        )


def test_chained_translation_goes_through_the_national_list(codes: sessionmaker[Session]) -> None:
    translator = _translator(codes, "local-6", "province-8", as_of=date(2024, 6, 1))
    assert translator.route == ["local-6", "national", "province-8"]
    chained = translator.translate("522102", {"business_format": "522102"})
    assert (chained.to_code, chained.method, chained.via) == ("52210002", Method.CHAINED, ("national",))
    assert chained.detail.startswith("exact -> rule")
    failed = translator.translate("522101", {"business_format": "nonsense"})
    assert failed.method == Method.AMBIGUOUS and "at `national` -> `province-8`" in failed.detail
    assert _translator(codes, "local-6", "province-8", as_of=date(2024, 6, 1)).translate("621002").to_code == "62100001"


def test_no_route_is_an_error_not_an_empty_answer(codes: sessionmaker[Session]) -> None:
    with pytest.raises(NotFoundError, match="No crosswalk leads from `province-8` to `local-6`"):
        _translator(codes, "province-8", "local-6")


def test_the_same_list_translates_to_itself(codes: sessionmaker[Session]) -> None:
    translator = _translator(codes, "national", "national")
    assert translator.translate("5221").method == Method.EXACT
    assert translator.translate("0000").method == Method.UNMAPPED


def test_a_column_translates_like_each_code_and_keeps_its_order(codes: sessionmaker[Session]) -> None:
    translator = _translator(codes, "local-6", "province-8", as_of=date(2024, 6, 1))
    codes_in = ["522101", "522102", None, "522101", "x", "621001", "522102"]
    formats = ["522101", "522102", None, "522102", None, "621001", "522102"]
    result = translator.translate_column(codes_in, pl.DataFrame({"business_format": formats}))
    assert result["code"].to_list() == codes_in
    for row, (code, fmt) in zip(result.iter_rows(named=True), zip(codes_in, formats, strict=True), strict=True):
        one = translator.translate(code, {"business_format": fmt})
        assert (row["to_code"], row["method"]) == (one.to_code, str(one.method))
    methods = ["chained", "chained", "blank", "chained", "unmapped", "chained", "chained"]
    assert result["method"].to_list() == methods


def test_the_shipped_2011_to_2017_crosswalk(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        translator = build_translator(session, "gbt4754-2011", "gbt4754-2017")
    assert translator.translate("0111").to_code == "0111"
    splits = [code for code, pairs in translator.legs[0].pairs.items() if len({p.to_code for p in pairs}) > 1]
    assert splits and translator.translate(splits[0]).method == Method.AMBIGUOUS
    assert translator.translate("011").method == Method.UNMAPPED  # the correspondence is between classes


def _refused_crosswalk(codes: sessionmaker[Session], path: Path, **names: str) -> list[str]:
    with pytest.raises(FileRefusedError) as caught, codes() as session, session.begin():
        import_crosswalk(
            session,
            OPERATOR,
            path,
            name=names.get("name", "national-to-province"),
            from_list=names.get("from_list", "national"),
            to_list=names.get("to_list", "province-8"),
            version="9",
        )
    return caught.value.details


def test_a_bad_crosswalk_is_refused_with_every_problem(codes: sessionmaker[Session], tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.csv",
        "from_code,to_code,relation,rule_field,rule_value,valid_from\n"
        "5221,52210001,1:1,business_format,a,\n"
        "5221,52210002,1:1,business_format,a,\n"  # line 3: same rule value, other target; relation wrong
        "9999,52210001,,,,\n"  # line 4: unknown from code
        "5222,99999999,,,,\n"  # line 5: unknown to code
        "5223,52230001,,,,\n"
        "5223,52230001,,,,\n"  # line 7: repeated
        "6210,62100002,,business_format,,\n"  # line 8: half a rule
        "6210,62100003,2:3,,,13/13/2020\n",
    )  # line 9: bad relation and date
    problems = _refused_crosswalk(codes, bad)
    expected = [
        "bad.csv:3: conflicts with line 2",
        "bad.csv:4: `from_code` = `9999` is not a code of `national`",
        "bad.csv:5: `to_code` = `99999999` is not a code of `province-8`",
        "bad.csv:7: repeats line 6",
        "bad.csv:8: a rule needs both",
        "bad.csv:9: `relation` = `2:3` is not one of",
        "bad.csv:9: `valid_from` = `13/13/2020` is not a date",
        "bad.csv:2: `relation` = `1:1` but the rows",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)


def test_a_refused_crosswalk_leaves_the_one_in_force(codes: sessionmaker[Session], tmp_path: Path) -> None:
    _refused_crosswalk(
        codes, write(tmp_path / "bad.csv", "from_code,to_code\n5221,nope\n"), name="national-to-province"
    )
    assert _translator(codes, "national", "province-8").translate("5222").to_code == "52220001"


def test_declared_relations_are_checked_against_the_rows(codes: sessionmaker[Session], tmp_path: Path) -> None:
    declared = write(
        tmp_path / "ok.csv",
        "from_code,to_code,relation\n5221,52210001,n:1\n5222,52210001,n:1\n5223,52230001,1:n\n5223,52220001,n:n\n",
    )
    problems = _refused_crosswalk(codes, declared)
    assert problems == ["ok.csv:5: `relation` = `n:n` but the rows make `5223` -> `52220001` 1:n"]


def test_without_a_date_today_decides_which_rows_are_in_force(codes: sessionmaker[Session]) -> None:
    today = _translator(codes, "national", "province-8").translate("6210")
    assert today.method == Method.AMBIGUOUS and today.candidates == ("62100002", "62100003")


def test_an_unknown_code_is_named_as_such(codes: sessionmaker[Session]) -> None:
    result = _translator(codes, "local-6", "province-8").translate("611099")
    assert result.detail.startswith("`611099` is not a code of `local-6` (version 1)")


def test_a_crosswalk_from_a_list_to_itself_is_refused_as_never_used(
    codes: sessionmaker[Session], tmp_path: Path
) -> None:
    """It was imported "now in force" and never read: codes of one list translate as themselves."""
    itself = "goes from `local-6` to itself"
    with codes() as session, session.begin(), pytest.raises(InputError, match=itself) as refused:
        import_crosswalk(session, OPERATOR, write(tmp_path / "self.csv", LOCAL_TO_NATIONAL), name="local-renamed",
                         from_list="local-6", to_list="local-6", version="2")  # fmt: skip
    assert "另一个代码表" in (refused.value.message_zh or "")


def test_a_crosswalk_with_codes_typed_as_numbers_is_refused(codes: sessionmaker[Session], tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [["from_code", "to_code", "备注"], [522101, "5221", 1], ["522102", 5221, 2], ["621001", "6210", 3]]:
        sheet.append(row)
    workbook.save(tmp_path / "xw.xlsx")
    with pytest.raises(FileRefusedError) as caught, codes() as session, session.begin():
        import_crosswalk(
            session,
            OPERATOR,
            tmp_path / "xw.xlsx",
            name="local-to-national",
            from_list="local-6",
            to_list="national",
            version="2",
        )
    assert [p.split(" was a number")[0] for p in caught.value.details] == [
        "xw.xlsx:2: `from_code` = `522101`",
        "xw.xlsx:3: `to_code` = `5221`",
    ]
    assert "format the `from_code` column as text" in caught.value.details[0]
    with codes() as session:
        assert build_translator(session, "local-6", "national").translate("621001").to_code == "6210"


DIVISIONS = """code,name,valid_from,valid_to
4502,柳州市,,
450221,柳江县,,2016-01-31
450206,柳江区,2016-02-01,
450203,城中区,,
"""


def _divisions(sessions: sessionmaker[Session], folder: Path) -> None:
    with sessions() as session, session.begin():
        spec = ListSpec("dep-area", "辖区", hierarchy="prefix", prefix_lengths=(2,))
        areas = write(folder / "dep.csv", "code,name\nLJ,柳江\nCZ,城中\n")
        import_code_list(session, OPERATOR, areas, spec, version="1")
        spec = ListSpec("div", "区划", hierarchy="prefix", prefix_lengths=(4, 6))
        import_code_list(session, OPERATOR, write(folder / "div.csv", DIVISIONS), spec, version="1")
        xw = write(folder / "xw.csv", "from_code,to_code\nLJ,450221\nCZ,450203\n")
        import_crosswalk(session, OPERATOR, xw, name="dep-to-div", from_list="dep-area", to_list="div", version="1")


def test_a_target_code_retired_on_the_day_is_no_answer(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    _divisions(sessions, tmp_path)
    before, after = date(2015, 6, 1), date(2026, 1, 1)
    with sessions() as session:
        retired = build_translator(session, "dep-area", "div", as_of=after).translate("LJ")
        assert (retired.to_code, retired.method) == (None, Method.UNMAPPED)
        assert retired.detail == "`450221` (exact) of `div` is not in force on 2026-01-01 (valid … to 2016-01-31)"
        assert build_translator(session, "dep-area", "div", as_of=before).translate("LJ").to_code == "450221"
        assert build_translator(session, "dep-area", "div", as_of=after).translate("CZ").method == Method.EXACT
        # Codes of one list translate as themselves only on the days they are valid.
        itself = build_translator(session, "div", "div", as_of=before).translate("450206")
        assert (itself.to_code, itself.method) == (None, Method.UNMAPPED)
        assert "not in force on 2015-06-01 (valid 2016-02-01 to …)" in itself.detail
        assert build_translator(session, "div", "div", as_of=after).translate("450206").method == Method.EXACT


def test_a_new_version_without_a_code_still_used_says_so(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    _divisions(sessions, tmp_path)
    newer = "code,name\n4502,柳州市\n450206,柳江区\n450203,城中区\n"
    with sessions() as session, session.begin():
        spec = ListSpec("div", "区划", hierarchy="prefix", prefix_lengths=(4, 6))
        stored = import_code_list(
            session, OPERATOR, write(tmp_path / "div2.csv", newer), spec, version="2", valid_from=date(2016, 2, 1)
        )
        assert dropped_in_use(session, stored, "div") == {"450221": ["crosswalk dep-to-div"]}
    with sessions() as session:
        answer = build_translator(session, "dep-area", "div", as_of=date(2026, 1, 1)).translate("LJ")
        assert (answer.to_code, answer.method) == (None, Method.UNMAPPED)
        assert answer.detail == "`450221` (exact) is not in `div` version 2, in force on 2026-01-01"
        assert build_translator(session, "dep-area", "div", as_of=date(2016, 1, 1)).translate("LJ").ok
