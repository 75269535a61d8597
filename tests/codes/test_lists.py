"""Code lists: import checked whole, versions kept, hierarchies declared, search by code, name or pinyin."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.codes.helpers import LOCAL, NATIONAL, load_city_codes, write
from tests.conftest import OPERATOR
from zhizhi.codes import (
    FileRefusedError,
    ListSpec,
    import_code_list,
    install_builtin,
    list_versions,
    load_hierarchy,
    search_codes,
    version_in_force,
)
from zhizhi.errors import ConflictError, InputError, NotFoundError


def test_a_parent_list_and_a_prefix_list_form_trees(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions() as session, session.begin():
        load_city_codes(session, tmp_path)
        national = load_hierarchy(session, "national")
        local = load_hierarchy(session, "local-6")
    assert national.ancestors("5221") == ["522", "52", "F"]
    assert national.level("F") == 1 and national.level("5221") == 4
    assert national.roll_up("5221", 2) == "52" and national.roll_up("5221", 1) == "F"
    assert national.descendants("52") == ["522", "5221", "5222", "5223"]
    assert national.children(None) == ["F", "H"]
    assert local.parent("522101") == "5221" and local.level("522101") == 2 and local.parent("5221") is None
    with pytest.raises(InputError, match="roll-up goes coarser"):
        national.roll_up("52", 4)
    with pytest.raises(InputError, match="not in `national`"):
        national.get("9999")


def test_a_new_version_keeps_the_old_one(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    spec = ListSpec("national", "国民经济行业分类")
    newer = NATIONAL.replace("5223,果品、蔬菜零售,522\n", "5223,果品、蔬菜零售,522\n5224,肉、禽、蛋零售,522\n")
    with sessions() as session, session.begin():
        import_code_list(session, OPERATOR, write(tmp_path / "a.csv", NATIONAL), spec, version="2017")
        import_code_list(
            session, OPERATOR, write(tmp_path / "b.csv", newer), spec, version="2019", valid_from=date(2019, 3, 29)
        )
    with sessions() as session, session.begin():
        assert [v.version for v in list_versions(session, "national")] == ["2017", "2019"]
        assert version_in_force(session, "national").version == "2019"
        assert version_in_force(session, "national", as_of=date(2018, 1, 1)).version == "2017"
        assert "5224" not in load_hierarchy(session, "national", version="2017")
        assert "5224" in load_hierarchy(session, "national")
        with pytest.raises(NotFoundError, match="no version `2030`"):
            version_in_force(session, "national", version="2030")


def test_the_same_file_twice_is_a_no_op_and_a_reused_version_name_is_refused(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    spec = ListSpec("national", "国民经济行业分类")
    with sessions() as session, session.begin():
        first = import_code_list(session, OPERATOR, write(tmp_path / "a.csv", NATIONAL), spec, version="2017")
        again = import_code_list(session, OPERATOR, tmp_path / "a.csv", spec, version="2017")
        assert again.id == first.id
        with pytest.raises(ConflictError, match="new version name"):
            import_code_list(session, OPERATOR, write(tmp_path / "b.csv", NATIONAL + "X,其他,\n"), spec, version="2017")


def test_search_by_code_name_or_pinyin_initials(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    with sessions() as session, session.begin():
        load_city_codes(session, tmp_path)
        assert [c.code for c in search_codes(session, "national", "522")][:2] == ["522", "5221"]
        assert [c.code for c in search_codes(session, "national", "糕点")] == ["5222"]
        assert [c.code for c in search_codes(session, "national", "lyls")] == ["5221"]  # 粮油零售
        assert [c.code for c in search_codes(session, "local-6", "hgd")] == ["621002"]  # 火锅店


def test_the_shipped_lists_match_their_provenance(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        industry = load_hierarchy(session, "gbt4754-2017")
        divisions = load_hierarchy(session, "gbt2260")
        old = load_hierarchy(session, "gbt4754-2011")
    levels = [info.level for info in industry.codes.values()]
    assert [levels.count(n) for n in (1, 2, 3, 4)] == [20, 97, 473, 1381]
    assert len(old.codes) == 1642 and len(divisions.codes) == 3351
    assert divisions.ancestors("450202") == ["450200", "450000"]
    assert industry.ancestors("0111") == ["011", "01", "A"]


def test_installing_the_shipped_lists_twice_changes_nothing(city: sessionmaker[Session]) -> None:
    with city() as session, session.begin():
        install_builtin(session, OPERATOR)
        assert len(list_versions(session, "gbt4754-2017")) == 1


def _refused(sessions: sessionmaker[Session], path: Path, spec: ListSpec, **kwargs: str) -> list[str]:
    with pytest.raises(FileRefusedError) as caught, sessions() as session, session.begin():
        import_code_list(session, OPERATOR, path, spec, version="2", **kwargs)  # type: ignore[arg-type]
    assert "nothing was imported" in caught.value.message
    return caught.value.details


def test_a_bad_list_is_refused_with_every_problem_by_line(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    bad = write(
        tmp_path / "bad.csv",
        "code,name,parent,valid_from\n"
        "A,甲,,\n"
        "A1,甲一,A,2024-13-01\n"  # line 3: not a date
        "A,甲（重复）,,\n"  # line 4: duplicate
        "B1,乙一,B,\n"  # line 5: unknown parent
        "C1,丙一,C2,\n"  # lines 6-7: a cycle
        "C2,丙二,C1,\n"
        "has space,名,A,\n"  # line 8: not a code
        "D,,A,\n",
    )  # line 9: no name
    problems = _refused(sessions, bad, ListSpec("bad", "坏表"))
    expected = [
        "bad.csv:3: `valid_from` = `2024-13-01` is not a date",
        "bad.csv:4: code `A` is already on line 2",
        "bad.csv:5: parent `B` of `B1` is not in the file",
        "bad.csv:6: code `C1` is in a cycle",
        "bad.csv:7: code `C2` is in a cycle",
        "bad.csv:8: `code` = `has space` is not a code",
        "bad.csv:9: `name` of `D` must have 1-200 characters",
    ]
    for text in expected:
        assert any(p.startswith(text) for p in problems), (text, problems)
    assert len(problems) == len(expected)


def test_a_list_whose_codes_went_through_a_spreadsheet_or_beside_a_serial_number_is_refused(
    sessions: sessionmaker[Session], tmp_path: Path
) -> None:
    """`编号,行业代码,...`: the serial number was taken for the code (1, 2, 3 stored as codes); `5221.0` was stored as
    a code that no export ever writes (ingest reads 5221), quarantining every row that used it."""
    serial = write(tmp_path / "serial.csv", "编号,行业代码,行业名称,上级代码\n1,5221,零售,\n2,6210,餐饮,\n")
    (problem,) = _refused(sessions, serial, ListSpec("serial", "带序号"))
    assert problem.startswith("serial.csv:1: 2 columns could hold the code (`编号`, `行业代码`)")
    floats = write(tmp_path / "floats.csv", "code,name,parent\n5221.0,零售,\n6210,餐饮,\n")
    (problem,) = _refused(sessions, floats, ListSpec("floats", "数字代码"))
    assert problem.startswith("floats.csv:2: `code` = `5221.0` was a number in a spreadsheet")


def test_a_prefix_list_checks_lengths_and_parents(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    bad = write(tmp_path / "local.csv", LOCAL + "52210,五位码\n999901,无上级\n")
    problems = _refused(sessions, bad, ListSpec("local-6", "本地", hierarchy="prefix", prefix_lengths=(4, 6)))
    assert any("`52210` has 5 characters; the prefix rule allows 4, 6" in p for p in problems)
    assert any("parent `9999` of `999901` (by the prefix rule) is not in the file" in p for p in problems)


def test_a_refused_version_leaves_the_one_in_force(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    spec = ListSpec("national", "国民经济行业分类")
    with sessions() as session, session.begin():
        import_code_list(session, OPERATOR, write(tmp_path / "a.csv", NATIONAL), spec, version="1")
    _refused(sessions, write(tmp_path / "b.csv", NATIONAL + "5221,重复,522\n"), spec)
    with sessions() as session, session.begin():
        assert [v.version for v in list_versions(session, "national")] == ["1"]
        assert len(load_hierarchy(session, "national").codes) == 10


@pytest.mark.parametrize(
    ("content", "kwargs", "message"),
    [
        (b"", {}, "appears to be an empty file"),
        (b"\x00\x01\x02binary\x00" * 50, {}, "appears to be binary data"),
        ("code,名称\n1,甲\n".encode("gbk"), {"encoding": "utf-8"}, "bytes are not `utf-8`"),
        (b"x,y\n1,2\n", {}, "no column for code, name, parent"),
    ],
)
def test_unreadable_files_say_what_to_do(
    sessions: sessionmaker[Session], tmp_path: Path, content: bytes, kwargs: dict[str, str], message: str
) -> None:
    path = tmp_path / "f.csv"
    path.write_bytes(content)
    with pytest.raises(InputError, match=message), sessions() as session, session.begin():
        import_code_list(session, OPERATOR, path, ListSpec("f-list", "F"), version="1", **kwargs)  # type: ignore[arg-type]


def test_gbk_csv_and_xlsx_files_are_read(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in [["代码", "名称", "上级代码"], ["A", "农、林、牧、渔业", None], ["01", "农业", "A"], ["011", 11, "01"]]:
        sheet.append(row)
    workbook.save(tmp_path / "list.xlsx")
    with sessions() as session, session.begin():
        import_code_list(session, OPERATOR, tmp_path / "list.xlsx", ListSpec("xl", "表"), version="1")
        import_code_list(
            session, OPERATOR, write(tmp_path / "g.csv", NATIONAL, "gbk"), ListSpec("gb", "表"), version="1"
        )
        assert load_hierarchy(session, "xl").parent("01") == "A"
        assert load_hierarchy(session, "xl").get("011").name == "11"  # a name may be a number
        assert load_hierarchy(session, "gb").get("5221").name == "粮油零售"


def _workbook(path: Path, rows: list[list[object]]) -> Path:
    from openpyxl import Workbook

    workbook = Workbook()
    sheet = workbook.active
    assert sheet is not None
    for row in rows:
        sheet.append(row)
    workbook.save(path)
    return path


def test_codes_typed_as_numbers_in_a_workbook_are_refused(sessions: sessionmaker[Session], tmp_path: Path) -> None:
    rows: list[list[object]] = [["代码", "名称", "上级代码"], ["A", "农业", None], [111, "稻谷种植", "A"]]
    rows += [[112.0, "小麦种植", "A"], ["0113", "玉米种植", "A"], ["01131", "玉米（鲜食）", 113]]
    problems = _refused(sessions, _workbook(tmp_path / "num.xlsx", rows), ListSpec("num", "数字"))
    assert problems == [
        f"num.xlsx:{line}: `{column}` = `{value}` was a number in the spreadsheet, not text (a code typed as a "
        f"number loses its leading zeros: `0111` becomes `111`, another code); format the `{column}` column as "
        "text, type its codes again as the list writes them, and save the file again"
        for line, column, value in [(3, "代码", "111"), (4, "代码", "112"), (6, "上级代码", "113")]
    ]
    with pytest.raises(NotFoundError), sessions() as session:
        list_versions(session, "num")  # nothing of the file was stored
