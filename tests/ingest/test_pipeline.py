"""The ingest pipeline on a real store (SQLite and PostgreSQL): counts, atomicity, versions, quarantine."""

from __future__ import annotations

import csv
import io
import json
import random
import zipfile
from datetime import date
from pathlib import Path
from typing import Any

import openpyxl
import pytest
from sqlalchemy import func, select, text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, Outbox
from zhizhi import ledger
from zhizhi.access import Actor
from zhizhi.access.audit import AuditFilter, list_events
from zhizhi.access.sessions import actor_for
from zhizhi.codes import list_coverage, list_review_items
from zhizhi.demo.records import credit_code
from zhizhi.errors import InputError, NotFoundError, PermissionDeniedError, ZhizhiError
from zhizhi.ingest import produce, read
from zhizhi.ingest.batches import batch_rows, list_batches
from zhizhi.ingest.pipeline import IngestResult, ingest_file
from zhizhi.ingest.quarantine import count_items, fix_item, get_item, list_items, replay
from zhizhi.records.history import find_records, record_history
from zhizhi.sources import SourceConfig, parse_source
from zhizhi.store.tables import AuditEvent, Batch, QuarantineItem, RawRow, Record, RecordVersion, User

TODAY = date(2026, 11, 28)
HEADER = ["统一社会信用代码", "企业名称", "住所", "联系电话", "成立日期", "登记状态", "行业代码"]
SOURCE = """\
name: dengji
department: LZ-DJ
record_type: entity
default_prefecture: "450200"
default_area_code: "0772"
fields:
  uscc: 统一社会信用代码
  name: 企业名称
  address: 住所
  phone: 联系电话
  founded_on: 成立日期
  status: {column: 登记状态, transforms: [{map: {在业: 存续}}]}
  industry_code: {column: 行业代码, code_list: gbt4754-2011}
"""


def _source(text: str = SOURCE) -> SourceConfig:
    return parse_source(text, "sources/dengji.yaml")


def _codes(count: int, seed: int = 7) -> list[str]:
    rng = random.Random(seed)
    return [credit_code(rng, "91", "450202") for _ in range(count)]


def _row(code: str, name: str, **over: str) -> list[str]:
    row = {
        "统一社会信用代码": code,
        "企业名称": name,
        "住所": "柳州市城中区文昌路12号",
        "联系电话": "0772-2812345",
        "成立日期": "2019年3月8日",
        "登记状态": "存续",
        "行业代码": "5221",
    } | over
    return [row[h] for h in HEADER]


def _write(path: Path, rows: list[list[str]], *, encoding: str = "utf-8", header: list[str] = HEADER) -> Path:
    buffer = io.StringIO()
    writer = csv.writer(buffer, lineterminator="\r\n")
    writer.writerow(header)
    writer.writerows(rows)
    path.write_bytes(buffer.getvalue().encode(encoding))
    return path


def _ingest(
    city: sessionmaker[Session], path: Path, source: SourceConfig | None = None, **options: Any
) -> IngestResult:
    options.setdefault("outbox", Outbox())
    with city() as session, session.begin():
        result = ingest_file(session, OPERATOR, source or _source(), path, today=TODAY, **options)
        session.expunge(result.batch)
    return result


def _actor(session: Session, username: str) -> Actor:
    user = session.scalar(select(User).where(User.username == username))
    assert user is not None
    return actor_for(user, "127.0.0.1")


def _count(city: sessionmaker[Session], table: Any) -> int:
    with city() as session:
        return int(session.scalar(select(func.count()).select_from(table)) or 0)


def _totals(city: sessionmaker[Session]) -> tuple[int, ...]:
    return tuple(_count(city, t) for t in (Batch, RawRow, Record, RecordVersion, QuarantineItem))


def _dirty_file(tmp_path: Path) -> tuple[Path, list[str]]:
    codes = _codes(8)
    broken = codes[1][:-1] + ("0" if codes[1][-1] != "0" else "1")
    rows = [
        _row(codes[0], "柳州市甲有限公司"),
        _row(broken, "柳州市乙有限公司"),  # wrong check character: quarantined
        _row(codes[2], "柳州市丙有限公司", 成立日期="2021-02-30"),  # no such day: quarantined
        _row(codes[3], "", 住所="鱼峰区驾鹤路1号"),  # name missing: quarantined
        ["", "", "", "", "", "", ""],  # blank line: skipped
        HEADER,  # the header again, as paged exports repeat it: skipped
        _row(codes[4], "柳州市戊有限公司", 登记状态="在业", 联系电话="12345"),  # mapped status; odd phone: warning
        _row(codes[5], "柳州市己有限公司", 登记状态="歇业中"),  # not an allowed status: quarantined
        _row(codes[6], "<script>alert(1)</script>'; DROP TABLE records; --", 行业代码="9999"),  # unknown code
        _row(codes[7], "=cmd|' /C calc'!A0"),  # a formula-like name is plain text with a warning
        ["合计", "8", "", "", "", "", ""],  # footer total: skipped
    ]
    return _write(tmp_path / "登记导出.csv", rows, encoding="gbk"), codes


def test_every_row_ends_accepted_quarantined_or_skipped_and_the_counts_add_up(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    path, codes = _dirty_file(tmp_path)
    batch = _ingest(city, path).batch
    assert (batch.rows_read, batch.rows_accepted, batch.rows_quarantined, batch.rows_skipped) == (11, 3, 5, 3)
    assert batch.encoding == "gb18030" or batch.encoding == "gbk"
    report = json.loads(batch.report)
    assert report["skipped_by_reason"] == {"blank": 1, "repeated_header": 1, "total_row": 1}
    reasons = {r["code"]: r["rows"] for r in report["reasons"]}
    assert reasons["uscc.check_char"] == 1 and reasons["date.invalid"] == 1 and reasons["field.missing"] == 1
    assert reasons["value.not_allowed"] == 1 and reasons["code.unknown"] == 1
    assert reasons["phone.format"] == 1 and reasons["text.formula"] == 1
    name = next(f for f in report["fields"] if f["field"] == "name")
    assert name["filled"] == 7 and name["completeness"] == round(7 / 8, 4)
    with city() as session:
        statuses = dict(
            session.execute(
                select(RawRow.status, func.count()).where(RawRow.batch_id == batch.id).group_by(RawRow.status)
            ).all()
        )
        assert statuses == {"accepted": 3, "quarantined": 5, "skipped": 3}
        # The hostile name is stored as the text it is: the records table is still there and holds it.
        names = [r["data"]["name"] for r in find_records(session, OPERATOR, source="dengji")]
        assert "=cmd|' /C calc'!A0" in names
        items = list_items(session, OPERATOR, source="dengji")
        assert {(i["file"], i["sheet"], i["row"]) for i in items} == {
            ("登记导出.csv", None, 3),
            ("登记导出.csv", None, 4),
            ("登记导出.csv", None, 5),
            ("登记导出.csv", None, 9),
            ("登记导出.csv", None, 10),
        }
        assert any("<script>" in i["cells"]["企业名称"] for i in items)
        assert count_items(session, OPERATOR)["uscc.check_char"] == 1
        (entry,) = ledger.entries(session)
        assert (entry.kind, entry.subject_id) == ("batch.ingested", str(batch.id))
        assert json.loads(entry.payload)["rows"] == {"read": 11, "accepted": 3, "quarantined": 5, "skipped": 3}
        # The code column's coverage is kept under the source's name, and the code that failed waits for review.
        (run,) = [r for r in list_coverage(session) if r.subject.startswith("数据源 dengji")]
        assert "登记导出.csv" in run.subject and json.loads(run.report)["rows"] == 8
        waiting = list_review_items(session, from_list="gbt4754-2011", to_list="gbt4754-2017")
        assert [(i.from_code, i.rows_affected) for i in waiting] == [("9999", 1)]


def test_the_store_refuses_a_batch_whose_counts_do_not_add_up(city: sessionmaker[Session], tmp_path: Path) -> None:
    path, _ = _dirty_file(tmp_path)
    batch_id = _ingest(city, path).batch.id
    with pytest.raises(DBAPIError), city() as session, session.begin():
        session.execute(text("UPDATE batches SET rows_skipped = rows_skipped + 1 WHERE id = :id"), {"id": batch_id})


def test_raw_rows_are_kept_exactly_as_read(city: sessionmaker[Session], tmp_path: Path) -> None:
    path, codes = _dirty_file(tmp_path)
    batch_id = _ingest(city, path).batch.id
    with city() as session:
        rows = batch_rows(session, OPERATOR, batch_id, status="accepted", purpose="核对原始行")
        assert rows[0]["cells"] == dict(zip(HEADER, _row(codes[0], "柳州市甲有限公司"), strict=True))
        assert rows[0]["row"] == 2 and rows[0]["file"] == "登记导出.csv"
    with pytest.raises(DBAPIError), city() as session, session.begin():
        session.execute(text("UPDATE raw_rows SET data = '{}' WHERE batch_id = :id"), {"id": batch_id})
    with pytest.raises(DBAPIError), city() as session, session.begin():
        session.execute(text("DELETE FROM raw_rows WHERE batch_id = :id"), {"id": batch_id})


def test_clean_values_sit_beside_the_originals(city: sessionmaker[Session], tmp_path: Path) -> None:
    code = _codes(1)[0]
    full_width = code.translate({ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHJKLMNPQRTUWXY"})
    row = _row(full_width, "柳州市 甲(有限)公司", 联系电话="+86 772 281 2345", 成立日期="44000", 行业代码="5221")
    _ingest(city, _write(tmp_path / "a.csv", [row]))
    with city() as session:
        (record,) = find_records(session, OPERATOR)
        assert record["data"]["phone"] == "0772-****345"  # masked for everyone who declares no purpose
        data = record_history(session, OPERATOR, record["id"], purpose="核对清洗结果")["versions"][0]["data"]
        assert record["key"] == f"uscc={code}"
        assert data["uscc"] == code and data["name"] == "柳州市甲（有限）公司"
        assert data["phone"] == "0772-2812345" and data["founded_on"] == "2020-06-18"
        assert data["address_division_code"] == "450202" and data["address_rest"] == "文昌路12号"
        assert data["industry_code_source"] == "5221" and data["industry_code"] == "5221"
        history = record_history(session, OPERATOR, record["id"])
        (version,) = history["versions"]
        raw = batch_rows(session, OPERATOR, version["batch_id"])[0]
        assert raw["cells"]["统一社会信用代码"] == full_width and raw["row"] == version["row"] == 2


def test_an_identical_file_changes_nothing_and_a_changed_one_makes_versions(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    codes = _codes(3)
    rows = [_row(codes[0], "甲有限公司"), _row(codes[1], "乙有限公司"), _row(codes[2], "丙有限公司")]
    first = _ingest(city, _write(tmp_path / "export.csv", rows))
    before = _totals(city)
    again = _ingest(city, _write(tmp_path / "copy.csv", rows))
    assert again.already and again.batch.id == first.batch.id
    assert _totals(city) == before
    rows[1] = _row(codes[1], "乙有限公司", 住所="柳州市鱼峰区驾鹤路9号")
    changed = _ingest(city, _write(tmp_path / "export.csv", rows)).batch
    assert (changed.records_new, changed.records_changed, changed.records_unchanged) == (0, 1, 2)
    assert _count(city, Record) == 3 and _count(city, RecordVersion) == 4
    with city() as session:
        (record,) = find_records(session, OPERATOR, key=codes[1])
        history = record_history(session, OPERATOR, record["id"])
        assert [v["version"] for v in history["versions"]] == [1, 2]
        assert [v["data"]["address_county"] for v in history["versions"]] == ["城中区", "鱼峰区"]
        assert [v["batch_id"] for v in history["versions"]] == [first.batch.id, changed.id]
    forced = _ingest(city, tmp_path / "export.csv", force=True).batch
    assert forced.id != changed.id and forced.records_unchanged == 3 and _count(city, RecordVersion) == 4


def test_a_file_that_fails_half_way_leaves_nothing_behind(
    city: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read.base, "CHUNK_ROWS", 5)
    codes = _codes(30)
    good = "\r\n".join(",".join(_row(c, f"企业{i}有限公司")) for i, c in enumerate(codes)).encode("utf-8")
    path = tmp_path / "half.csv"
    path.write_bytes(",".join(HEADER).encode() + b"\r\n" + good + b"\r\n" + b"\xff\xfe\xfa broken bytes\r\n")
    before = _totals(city)
    with pytest.raises(InputError, match="half.csv"):
        _ingest(city, path, _source(SOURCE.replace("record_type: entity", "record_type: entity\nencoding: utf-8")))
    assert _totals(city) == before


@pytest.mark.parametrize(
    ("name", "content", "message"),
    [
        ("truncated.xlsx", None, "not a readable .xlsx workbook"),
        ("bomb.xlsx", "bomb", "zip bomb"),
        ("junk.csv", b"\x00\x01\x02\xff" * 4000, "binary"),
        ("junk.xlsx", b"PK\x03\x04 this is not a workbook", "not a readable .xlsx workbook"),
    ],
)
def test_broken_files_give_a_clear_error_and_keep_nothing(
    city: sessionmaker[Session], tmp_path: Path, name: str, content: bytes | str | None, message: str
) -> None:
    path = tmp_path / name
    if content is None:
        book = openpyxl.Workbook()
        book.active.append(HEADER)  # type: ignore[union-attr]
        book.save(path)
        path.write_bytes(path.read_bytes()[:1500])
    elif content == "bomb":
        with zipfile.ZipFile(path, "w", compression=zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("xl/worksheets/sheet1.xml", b"0" * (300 * 1024 * 1024))
    else:
        assert isinstance(content, bytes)
        path.write_bytes(content)
    before = _totals(city)
    with pytest.raises(ZhizhiError, match=message):
        _ingest(city, path)
    assert _totals(city) == before


def test_a_forced_wrong_encoding_is_refused_with_the_row(city: sessionmaker[Session], tmp_path: Path) -> None:
    path = _write(tmp_path / "gbk.csv", [_row(_codes(1)[0], "柳州市甲有限公司")], encoding="gbk")
    utf8 = _source(SOURCE.replace("record_type: entity", "record_type: entity\nencoding: utf-8"))
    with pytest.raises(InputError, match=r"`gbk.csv` row 1: bytes are not `utf-8`"):
        _ingest(city, path, utf8)
    assert _count(city, Batch) == 0


def test_a_ten_megabyte_cell_is_quarantined_not_a_crash(city: sessionmaker[Session], tmp_path: Path) -> None:
    codes = _codes(2)
    rows = [_row(codes[0], "甲" * (10 * 1024 * 1024)), _row(codes[1], "柳州市乙有限公司")]
    batch = _ingest(city, _write(tmp_path / "huge.csv", rows)).batch
    assert (batch.rows_accepted, batch.rows_quarantined) == (1, 1)
    with city() as session:
        (item,) = list_items(session, OPERATOR)
        assert item["reasons"] == ["field.too_long"] and item["row"] == 2
        assert len(item["findings"][0]["value"]) <= 200


def test_a_folder_given_as_a_file_is_named_a_folder(city: sessionmaker[Session], tmp_path: Path) -> None:
    """`zhizhi ingest dengji exports` (the folder, not its files) was refused as a file of no known suffix."""
    folder = tmp_path / "exports"
    folder.mkdir()
    with pytest.raises(InputError, match="`.*exports` is a folder, not a file") as refused:
        _ingest(city, folder)
    assert "是文件夹" in str(refused.value.message_zh)
    assert _count(city, Batch) == 0


def test_a_column_the_source_maps_but_the_file_lacks_is_named(city: sessionmaker[Session], tmp_path: Path) -> None:
    header = [h for h in HEADER if h != "住所"]
    path = _write(tmp_path / "short.csv", [["9145", "甲", "0772-1", "2020-01-01", "存续", "5221"]], header=header)
    with pytest.raises(InputError, match=r"`short.csv` has no column\(s\) `住所` that source `dengji` maps"):
        _ingest(city, path)
    assert _count(city, Batch) == 0


def test_an_unknown_department_or_code_list_is_refused(city: sessionmaker[Session], tmp_path: Path) -> None:
    path = _write(tmp_path / "a.csv", [_row(_codes(1)[0], "甲有限公司")])
    with pytest.raises(NotFoundError, match="department with code `NOPE`"):
        _ingest(city, path, _source(SOURCE.replace("LZ-DJ", "NOPE")))
    with pytest.raises(NotFoundError, match="No code list `gbt9999`"):
        _ingest(city, path, _source(SOURCE.replace("gbt4754-2011", "gbt9999")))


def test_the_quarantine_round_trip_fix_replay_and_a_corrected_file(city: sessionmaker[Session], tmp_path: Path) -> None:
    path, codes = _dirty_file(tmp_path)
    batch = _ingest(city, path).batch
    with city() as session, session.begin():
        (bad_code,) = list_items(session, OPERATOR, reason="uscc.check_char")
        fixed = fix_item(session, OPERATOR, bad_code["id"], "uscc", codes[1], source=_source())
        assert fixed["fixes"] == {"统一社会信用代码": codes[1]}
        (bad_status,) = list_items(session, OPERATOR, reason="value.not_allowed")
        outcome = replay(
            session, OPERATOR, lambda _: _source(), item_ids=[bad_code["id"], bad_status["id"]], outbox=Outbox()
        )
        assert outcome["replayed"] == 1 and outcome["still_quarantined"] == 1
        # A steward teaches the source the local word instead: the row passes on replay.
        taught = _source(SOURCE.replace("{map: {在业: 存续}}", "{map: {在业: 存续, 歇业中: 停业}}"))
        assert (
            replay(session, OPERATOR, lambda _: taught, reason="value.not_allowed", today=TODAY, outbox=Outbox())[
                "replayed"
            ]
            == 1
        )
    with city() as session:
        item = get_item(session, OPERATOR, bad_code["id"])
        assert item["status"] == "replayed" and item["cells"]["统一社会信用代码"] != codes[1]  # raw row unchanged
        history = record_history(session, OPERATOR, find_records(session, OPERATOR, key=codes[1])[0]["id"])
        assert history["versions"][0]["row"] == 3 and history["versions"][0]["file"] == "登记导出.csv"
        actions = [e.action for e in list_events(session, OPERATOR, AuditFilter())]
        assert "quarantine.fix" in actions and "quarantine.replay" in actions and "ingest.batch" in actions
        assert len(list_items(session, OPERATOR, batch_id=batch.id)) == 3
    # The department sends a corrected export under the same name: the rows it now accepts leave quarantine; the
    # rows still wrong in it wait once, under the new batch (the steward's fixes were not made in their system).
    rows = list(csv.reader(io.StringIO(path.read_bytes().decode("gbk"))))
    rows[3][4] = "2021-02-28"
    rows[4][1] = "柳州市丁有限公司"
    corrected = _write(path, rows[1:], encoding="gbk")
    second = _ingest(city, corrected).batch
    with city() as session:
        open_items = list_items(session, OPERATOR)
        assert {(i["batch_id"], i["row"]) for i in open_items} == {(second.id, 3), (second.id, 9), (second.id, 10)}
        superseded = list_items(session, OPERATOR, status="superseded")
        assert {(i["batch_id"], i["row"]) for i in superseded} == {(batch.id, 4), (batch.id, 5), (batch.id, 10)}
        assert all(i["record_version_id"] for i in superseded if i["row"] != 10)


def _firm(code: str, n: int, **over: str) -> list[str]:
    """A firm's row with values of its own (rows alike but for code and name would be one row corrected)."""
    own = {"住所": f"柳州市城中区文昌路{n}号", "联系电话": f"1387720{n:04d}"}
    own["成立日期"] = f"2019年{n % 12 + 1}月{n % 28 + 1}日"
    return _row(code, f"柳州市{'甲乙丙丁戊己庚辛'[n % 8]}{n}有限公司", **(own | over))


def test_a_file_sharing_only_the_name_closes_no_quarantine_item(city: sessionmaker[Session], tmp_path: Path) -> None:
    """Next month's export comes as 导出数据.csv again, other firms at the same places: the row waiting at row 3 is
    not closed by another firm's row 3 (it was, as `superseded`, and its firm never came in)."""
    codes = _codes(6)
    path = tmp_path / "导出数据.csv"
    _ingest(city, _write(path, [_firm(codes[0], 1), _firm(codes[1], 2, 成立日期="2021-02-30"), _firm(codes[2], 3)]))
    second = _ingest(city, _write(path, [_firm(codes[3], 4), _firm(codes[4], 5), _firm(codes[5], 6)])).batch
    assert second.rows_accepted == 3
    with city() as session:
        (waiting,) = list_items(session, OPERATOR)
        assert waiting["row"] == 3 and waiting["cells"]["成立日期"] == "2021-02-30"
        assert list_items(session, OPERATOR, status="superseded") == []


def test_a_blank_line_closes_an_item_only_where_the_row_was_emptied_in_the_same_file(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A department that empties the wrong row in its corrected export (the firms around it as they were) has taken
    it out: the item closes. Next month's 导出数据.csv with other firms and a blank line at that place says nothing
    about the waiting row: the item stays open (it was closed as skipped)."""
    codes = _codes(8)
    blank = [""] * len(_firm(codes[0], 1))
    first_path, next_path = tmp_path / "a" / "导出数据.csv", tmp_path / "b" / "导出数据.csv"
    first_path.parent.mkdir()
    next_path.parent.mkdir()
    rows = [_firm(codes[0], 1), _firm(codes[1], 2, 成立日期="2021-02-30"), _firm(codes[2], 3)]
    _ingest(city, _write(first_path, rows))
    _ingest(city, _write(next_path, [_firm(codes[3], 4), blank, _firm(codes[4], 5)]))  # another month
    with city() as session:
        (waiting,) = list_items(session, OPERATOR)
        assert waiting["row"] == 3 and list_items(session, OPERATOR, status="superseded") == []
    _ingest(city, _write(first_path, [rows[0], blank, rows[2]]))  # the same file, the wrong row emptied
    with city() as session:
        assert list_items(session, OPERATOR) == []
        (closed,) = list_items(session, OPERATOR, status="superseded")
        assert closed["id"] == waiting["id"] and closed["record_version_id"] is None


def test_a_corrected_file_with_a_row_taken_out_settles_the_item_by_its_own_row(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    """The corrected export leaves out a row above the quarantined one, so its row is one up: the item is closed by
    the version its own firm's row made, not by the firm now standing at its old place."""
    codes = _codes(4)
    path = tmp_path / "导出数据.csv"
    rows = [_firm(codes[0], 1), _firm(codes[1], 2, 成立日期="2021-02-30"), _firm(codes[2], 3), _firm(codes[3], 4)]
    _ingest(city, _write(path, rows))
    rows[1] = _firm(codes[1], 2, 成立日期="2021-02-28")
    second = _ingest(city, _write(path, rows[1:])).batch
    assert (second.rows_accepted, second.rows_quarantined) == (3, 0)
    with city() as session:
        assert list_items(session, OPERATOR) == []
        (closed,) = list_items(session, OPERATOR, status="superseded")
        (record,) = find_records(session, OPERATOR, key=codes[1])
        versions = record_history(session, OPERATOR, record["id"])["versions"]
        assert closed["row"] == 3 and closed["record_version_id"] == versions[0]["id"]
        assert versions[0]["row"] == 2


def test_an_old_row_replayed_never_overwrites_what_a_later_file_brought(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A row quarantined in Monday's export, the record brought by Tuesday's (another file name, its status moved on),
    then Monday's row fixed and replayed: the replay would make Monday's data the latest version. It is closed as
    superseded instead, pointing at the version Tuesday's file made, and nothing is written."""
    code = _codes(1)[0]
    monday = _write(tmp_path / "登记导出_1201.csv", [_row(code, "柳州市甲有限公司", 成立日期="2021-02-30")])
    _ingest(city, monday)
    moved_on = _row(code, "柳州市甲有限公司", 成立日期="2021-02-28", 登记状态="注销")
    tuesday = _write(tmp_path / "登记导出_1202.csv", [moved_on])
    assert _ingest(city, tuesday).batch.rows_accepted == 1
    with city() as session, session.begin():
        (item,) = list_items(session, OPERATOR)
        fix_item(session, OPERATOR, item["id"], "founded_on", "2021-02-28", source=_source())
        outcome = replay(session, OPERATOR, lambda _: _source(), item_ids=[item["id"]], outbox=Outbox())
        assert (outcome["replayed"], outcome["superseded"], outcome["still_quarantined"]) == (0, 1, 0)
    with city() as session:
        (record,) = find_records(session, OPERATOR, key=code)
        history = record_history(session, OPERATOR, record["id"])
        assert len(history["versions"]) == 1 and history["versions"][0]["file"] == "登记导出_1202.csv"
        closed = get_item(session, OPERATOR, item["id"])
        assert closed["status"] == "superseded" and closed["record_version_id"] == history["versions"][0]["id"]


def test_an_older_row_of_the_same_file_replayed_never_overwrites_the_newer(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    """One file holds a firm twice: row 2 (quarantined) and row 3 (accepted, 注销), the later the newer. Row 2 fixed
    and replayed would bring a cancelled firm back to life: it is superseded by row 3's version."""
    code = _codes(1)[0]
    older = _row(code, "柳州市甲有限公司", 成立日期="2021-02-30")
    newer = _row(code, "柳州市甲有限公司", 成立日期="2021-02-28", 登记状态="注销")
    assert _ingest(city, _write(tmp_path / "登记导出.csv", [older, newer])).batch.rows_accepted == 1
    with city() as session, session.begin():
        (item,) = list_items(session, OPERATOR)
        fix_item(session, OPERATOR, item["id"], "founded_on", "2021-02-28", source=_source())
        outcome = replay(session, OPERATOR, lambda _: _source(), item_ids=[item["id"]], outbox=Outbox())
        assert (outcome["replayed"], outcome["superseded"]) == (0, 1)
    with city() as session:
        (record,) = find_records(session, OPERATOR, key=code)
        history = record_history(session, OPERATOR, record["id"])
        assert len(history["versions"]) == 1 and history["versions"][0]["row"] == 3
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "quarantine.replay")).one()
        assert event.object_id == str(item["id"]) and json.loads(event.detail or "{}")["outcome"] == "superseded"


def test_fixes_name_a_field_or_a_column_and_are_refused_otherwise(city: sessionmaker[Session], tmp_path: Path) -> None:
    path, _ = _dirty_file(tmp_path)
    _ingest(city, path)
    with city() as session, session.begin():
        item = list_items(session, OPERATOR, reason="field.missing")[0]
        assert fix_item(session, OPERATOR, item["id"], "企业名称", "柳州市丁有限公司", source=_source())["fixes"]
        with pytest.raises(InputError, match="neither a field of source `dengji` nor a column"):
            fix_item(session, OPERATOR, item["id"], "nonsense", "x", source=_source())


def test_a_fix_names_a_column_as_people_write_it(city: sessionmaker[Session], tmp_path: Path) -> None:
    """The export heads its columns under a group (登记信息/成立日期, as a merged header reads): a fix naming the column
    as the source does and as people say it, 成立日期, was refused as neither a field nor a column."""
    code = _codes(1)[0]
    header = [f"登记信息/{h}" if h in ("成立日期", "登记状态") else h for h in HEADER]
    path = _write(tmp_path / "分组表头.csv", [_row(code, "柳州市甲有限公司", 成立日期="2021-02-30")], header=header)
    assert _ingest(city, path).batch.rows_quarantined == 1
    with city() as session, session.begin():
        (item,) = list_items(session, OPERATOR)
        fixed = fix_item(session, OPERATOR, item["id"], "成立日期", "2021-02-28", source=_source())
        assert fixed["fixes"] == {"登记信息/成立日期": "2021-02-28"}
        with pytest.raises(InputError, match="neither a field of source `dengji` nor a column") as refused:
            fix_item(session, OPERATOR, item["id"], "开业日期", "x", source=_source())
        assert refused.value.message_zh is not None and "登记信息/成立日期" in refused.value.message_zh
        assert replay(session, OPERATOR, lambda _: _source(), item_ids=[item["id"]], outbox=Outbox())["replayed"] == 1


def test_stewards_see_and_change_only_their_departments_batches(city: sessionmaker[Session], tmp_path: Path) -> None:
    path, _ = _dirty_file(tmp_path)
    _ingest(city, path)
    with city() as session:
        outsider = _actor(session, "yufeng")
        assert list_batches(session, outsider) == []
        assert list_items(session, outsider) == []
        assert len(list_batches(session, _actor(session, "steward"))) == 1


def test_a_source_that_fetches_ingests_with_no_file_and_only_new_rows(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    from sqlalchemy import create_engine

    other = tmp_path / "other.db"
    remote = create_engine(f"sqlite:///{other}")
    codes = _codes(3)
    with remote.begin() as connection:
        connection.execute(text("CREATE TABLE firms (code TEXT, name TEXT, changed TEXT)"))
        for i, code in enumerate(codes[:2]):
            connection.execute(
                text("INSERT INTO firms VALUES (:c, :n, :t)"),
                {"c": code, "n": f"企业{i}有限公司", "t": f"2026-01-0{i + 1}"},
            )
    source_file = tmp_path / "sources" / "firms.yaml"
    source_file.parent.mkdir()
    source_file.write_text("name: firms\n", encoding="utf-8")
    config = _source(
        f"""\
name: firms
department: LZ-DJ
record_type: entity
reader: sql
settings:
  url: sqlite:///{other}
  query: SELECT code, name, changed FROM firms ORDER BY changed
  watermark: changed
fields:
  uscc: code
  name: name
"""
    )
    first = _ingest(city, source_file, config).batch
    assert first.rows_accepted == 2 and first.watermark == "2026-01-02"
    with remote.begin() as connection:
        connection.execute(text("INSERT INTO firms VALUES (:c, '企业2有限公司', '2026-02-01')"), {"c": codes[2]})
    second = _ingest(city, source_file, config).batch
    assert second.rows_read == 1 and second.records_new == 1 and second.watermark == "2026-02-01"
    remote.dispose()


def test_personal_fields_are_masked_for_those_who_may_not_read_them(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    source = _source(SOURCE + "  legal_representative_id: 身份证号\n")
    header = [*HEADER, "身份证号"]
    path = _write(
        tmp_path / "ids.csv", [[*_row(_codes(1)[0], "柳州市甲有限公司"), "11010519491231002X"]], header=header
    )
    _ingest(city, path, source)
    with city() as session, session.begin():
        (mine,) = find_records(session, OPERATOR)
        assert mine["data"]["legal_representative_id"] == "110105********002X"  # masked for everyone by default
        steward = _actor(session, "steward")
        (theirs,) = find_records(session, steward)
        assert theirs["data"]["legal_representative_id"] == "110105********002X"
        history = record_history(session, steward, theirs["id"])
        assert history["versions"][0]["data"]["legal_representative_id"] == "110105********002X"
        with pytest.raises(PermissionDeniedError):  # a leader's role does not grant personal.read
            record_history(session, _actor(session, "leader"), theirs["id"], purpose="核对身份证号")
        with pytest.raises(InputError):  # the permission alone is not enough: a purpose is declared
            record_history(session, OPERATOR, mine["id"], purpose=" ")
        shown = record_history(session, OPERATOR, mine["id"], purpose="执法办案：核对法定代表人")
        assert shown["versions"][0]["data"]["legal_representative_id"] == "11010519491231002X"
        reads = session.scalars(select(AuditEvent).where(AuditEvent.action == "personal.read")).all()
    assert [(e.object_type, e.object_id, e.purpose) for e in reads] == [
        ("record", str(mine["id"]), "执法办案：核对法定代表人")
    ]


def test_a_key_seen_again_in_a_later_chunk_of_the_same_file_makes_a_version(
    city: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(read.base, "CHUNK_ROWS", 4)
    codes = _codes(10)
    rows = [_row(code, f"企业{i}有限公司") for i, code in enumerate(codes)]
    rows += [_row(codes[0], "企业0有限公司", 住所="柳州市柳南区航生路8号"), _row(codes[1], "企业1有限公司")]
    batch = _ingest(city, _write(tmp_path / "twice.csv", rows)).batch
    assert (batch.records_new, batch.records_changed, batch.records_unchanged) == (10, 1, 1)
    assert _count(city, Record) == 10 and _count(city, RecordVersion) == 11
    with city() as session:
        (record,) = find_records(session, OPERATOR, key=codes[0])
        versions = record_history(session, OPERATOR, record["id"])["versions"]
        assert [(v["version"], v["row"], v["data"]["address_county"]) for v in versions] == [
            (1, 2, "城中区"),
            (2, 12, "柳南区"),
        ]
        raw = batch_rows(session, OPERATOR, batch.id, limit=20)
        assert raw[-1]["row"] == 13 and raw[-1]["record_version_id"] == raw[1]["record_version_id"]  # unchanged
    # Said in the report: one row gave a record an earlier row of the file gave, with other values (the same values
    # again, codes[1], are no news); the same within one chunk.
    assert json.loads(batch.report)["records"]["repeated_in_file"] == 1
    within = [_row(codes[0], "企业0有限公司", 住所="柳州市鱼峰区驾鹤路1号"),
              _row(codes[0], "企业0有限公司", 住所="柳州市鱼峰区驾鹤路1号", 登记状态="注销")]  # fmt: skip
    assert json.loads(_ingest(city, _write(tmp_path / "again.csv", within)).batch.report)["records"] == {
        "new": 0, "changed": 2, "unchanged": 0, "repeated_in_file": 1}  # fmt: skip


def test_json_records_may_leave_out_keys_a_csv_header_may_not(city: sessionmaker[Session], tmp_path: Path) -> None:
    codes = _codes(2)
    lines = [
        {"code": codes[0], "name": "甲有限公司"},
        {"code": codes[1], "name": "乙有限公司", "phone": "0772-2812345"},
    ]
    path = tmp_path / "api.jsonl"
    path.write_text("\n".join(json.dumps(line, ensure_ascii=False) for line in lines) + "\n", encoding="utf-8")
    config = _source(
        "name: api\ndepartment: LZ-DJ\nrecord_type: entity\nfields:\n  uscc: code\n  name: name\n  phone: phone\n"
    )
    batch = _ingest(city, path, config).batch
    assert (batch.rows_read, batch.rows_accepted) == (2, 2)
    with city() as session:
        phones = {r["data"]["uscc"]: r["data"].get("phone") for r in find_records(session, OPERATOR)}
        assert phones == {codes[0]: None, codes[1]: "0772-****345"}


@pytest.mark.parametrize("first_rows", [5_000, 2])
def test_a_code_a_workbook_held_as_a_number_that_may_have_lost_its_zeros_waits(
    city: sessionmaker[Session], tmp_path: Path, monkeypatch: pytest.MonkeyPatch, first_rows: int
) -> None:
    """行业代码 typed as numbers: 111 may be 0111 (稻谷种植) that lost its zero, or group 111 (煤炭开采和洗选辅助
    活动), so the row waits in quarantine saying so, once; 5221 has no shorter twin, 0111 typed as text and 169 under
    the format 0000 (shown as 0169) are what they say. The same when the file's first chunk is cut short (the
    number cells after the cut keep their rows)."""
    monkeypatch.setattr(produce, "FIRST_ROWS", first_rows)
    codes = _codes(5, seed=11)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    for code, name, industry in zip(codes, ["稻香合作社", "粮油店", "禾丰农场", "茶园", "油气公司"],
                                    [111, 5221, "0111", 169, 7], strict=True):  # fmt: skip
        sheet.append(_row(code, name, 行业代码="")[:-1] + [industry])  # type: ignore[list-item]
    sheet.cell(row=5, column=len(HEADER)).number_format = "0000"
    workbook.save(tmp_path / "主体.xlsx")
    batch = _ingest(city, tmp_path / "主体.xlsx").batch
    assert (batch.rows_accepted, batch.rows_quarantined) == (3, 2)
    with city() as session:
        items = [json.loads(i.findings) for i in session.scalars(select(QuarantineItem))]
        assert sorted(f["value"] for findings in items for f in findings) == ["111", "7"]
        assert {f["code"] for findings in items for f in findings} == {"code.leading_zero"}
        assert "前导零可能已丢失" in items[0][0]["message_zh"] and "format the column as text" in items[0][0]["message"]
        kept = {json.loads(v.data)["name"]: json.loads(v.data)["industry_code_source"]
                for v in session.scalars(select(RecordVersion))}  # fmt: skip
    assert kept == {"粮油店": "5221", "禾丰农场": "0111", "茶园": "0169"}
    # replayed as they were, they are as doubtful as when read; the code typed again as text goes in
    with city() as session, session.begin():
        again = replay(session, OPERATOR, lambda name: _source(), today=TODAY, outbox=Outbox())
        assert (again["replayed"], again["still_quarantined"]) == (0, 2)
        item = next(i for i in session.scalars(select(QuarantineItem)) if json.loads(i.findings)[0]["value"] == "111")
        fix_item(session, OPERATOR, item.id, "industry_code", "0111", source=_source())
        assert replay(session, OPERATOR, lambda name: _source(), today=TODAY, outbox=Outbox())["replayed"] == 1


def test_a_code_written_as_a_spreadsheet_number_in_a_csv_waits_as_a_workbooks_does(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    """A CSV saved from a spreadsheet writes a number cell as 111.0 or 1.11E+02: the same doubt as a workbook's
    number (0111 or 111?), not a soft note on a code taken as 111; 5221.0 has no shorter twin and is 5221."""
    codes = _codes(4, seed=12)
    names, industries = ["稻香合作社", "粮仓", "粮油店", "禾丰农场"], ["111.0", "1.11E+02", "5221.0", "0111"]
    named = zip(codes, names, industries, strict=True)
    rows = [_row(code, name, 行业代码=industry) for code, name, industry in named]
    batch = _ingest(city, _write(tmp_path / "主体.csv", rows)).batch
    assert (batch.rows_accepted, batch.rows_quarantined) == (2, 2)
    with city() as session:
        items = [json.loads(i.findings) for i in session.scalars(select(QuarantineItem))]
        assert sorted(f["value"] for findings in items for f in findings) == ["1.11E+02", "111.0"]
        assert {f["code"] for findings in items for f in findings} == {"code.leading_zero"}
        kept = {json.loads(v.data)["name"]: json.loads(v.data)["industry_code_source"]
                for v in session.scalars(select(RecordVersion))}  # fmt: skip
    assert kept == {"粮油店": "5221", "禾丰农场": "0111"}


def test_a_replay_holds_only_the_cells_that_were_numbers_to_their_doubt(
    city: sessionmaker[Session], tmp_path: Path
) -> None:
    """Row 2 of a workbook (行业代码 111, a number) and row 2 of a CSV export (111 as text, a wrong credit code) are
    replayed together: only the workbook's stays doubtful; the CSV's, its credit code fixed, goes in."""
    codes = _codes(2, seed=5)
    workbook = openpyxl.Workbook()
    sheet = workbook.active
    assert sheet is not None
    sheet.append(HEADER)
    sheet.append(_row(codes[0], "稻香合作社", 行业代码="")[:-1] + [111])  # type: ignore[list-item]
    workbook.save(tmp_path / "a.xlsx")
    _ingest(city, tmp_path / "a.xlsx")
    wrong = codes[1][:-1] + ("0" if codes[1][-1] != "0" else "1")
    _ingest(city, _write(tmp_path / "b.csv", [_row(wrong, "乙公司", 行业代码="111")]))
    with city() as session, session.begin():
        first, second = session.scalars(select(QuarantineItem).order_by(QuarantineItem.id))
        fix_item(session, OPERATOR, second.id, "uscc", codes[1], source=_source())
        done = replay(session, OPERATOR, lambda name: _source(), today=TODAY, outbox=Outbox())
        assert (done["replayed"], done["still_quarantined"]) == (1, 1)
        assert (first.status, second.status) == ("open", "replayed")
