"""Joint visits entered once at the site and delivered to every department's platform (real HTTP servers), the
changes after a draw (a drawn replacement, a merge), photos with their location taken out, and the publication
clock on the working-day calendar with its holidays."""

from __future__ import annotations

import io
import json
from datetime import UTC, date, datetime

import pytest
from openpyxl import load_workbook
from PIL import Image
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.delivery.platform import platform
from tests.inspections.register import actor_of, build, platform_target
from tests.inspections.test_draws import TODAY, plan
from zhizhi.config import Workspace
from zhizhi.delivery import load_target
from zhizhi.delivery.send import send_once
from zhizhi.errors import ConflictError, InputError, PermissionDeniedError
from zhizhi.hotline import load_calendar
from zhizhi.inspections import (
    Finding,
    PlanRules,
    add_photo,
    assign,
    clock,
    deadline,
    photo_file,
    publication_view,
    publish,
    record_results,
    run_draw,
    verify_draw,
    visit_view,
)
from zhizhi.inspections.algorithm import replacement
from zhizhi.inspections.photos import content_type, without_location
from zhizhi.inspections.publication import PUBLICATIONS_FOLDER, published_file
from zhizhi.inspections.snapshot import read
from zhizhi.store.tables import (
    AuditEvent,
    Delivery,
    InspectionDraw,
    InspectionItem,
    InspectionTarget,
    InspectionVisit,
    Inspector,
    LedgerEntry,
    User,
    VisitItem,
)

FINDINGS = {
    "SP-01": Finding("rectify", "进货查验记录不全，责令7日内改正"),
    "TS-01": Finding("pass"),
}


def drawn(city: sessionmaker[Session], workspace: Workspace) -> str:
    with city() as session, session.begin():
        build(session)
        number = plan(session, workspace)
    with city() as session, session.begin():
        run_draw(session, OPERATOR, workspace, number)
    return number


def inspected(city: sessionmaker[Session], workspace: Workspace) -> str:
    """A draw whose first joint visit has its results entered by its team: one visit waits for publication."""
    drawn(city, workspace)
    with city() as session, session.begin():
        visit = joint_visit(session)
        member = visit_view(session, OPERATOR, visit)["team"][0]["username"]
        record_results(session, actor_of(session, member), workspace, visit.number, findings=FINDINGS,
                       inspected_on=TODAY, acknowledgement="signed", acknowledged_by="店主", today=TODAY)  # fmt: skip
        return visit.number


def joint_visit(session: Session) -> InspectionVisit:
    return next(
        v for v in session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank)) if v.entity_id % 2 == 0
    )


def test_a_joint_visit_is_entered_once_and_each_department_receives_its_record(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    with platform() as food, platform() as equipment:
        platform_target(workspace.root, "food-platform", "LZ-SP", food.url)
        platform_target(workspace.root, "equipment-platform", "LZ-TS", equipment.url)
        drawn(city, workspace)
        with city() as session:
            visit = joint_visit(session)
            view = visit_view(session, OPERATOR, visit)
            member = view["team"][0]["username"]
            number = visit.number
        assert view["joint"] and view["departments"] == ["特种设备安全监察科", "食品经营安全监督管理科"]
        with city() as session, session.begin(), pytest.raises(PermissionDeniedError):
            record_results(
                session,
                _stranger(session, visit),
                workspace,
                number,
                findings=FINDINGS,
                inspected_on=TODAY,
                acknowledgement="signed",
                acknowledged_by="张老板",
            )
        with city() as session, session.begin(), pytest.raises(InputError) as refused:
            record_results(
                session,
                actor_of(session, member),
                workspace,
                number,
                findings={"SP-01": Finding("ok")},
                inspected_on=date(2030, 1, 1),
                acknowledgement="signed",
                today=TODAY,
            )
        assert len(refused.value.details) == 4  # TS-01 missing, `ok`, the future day, no signer
        with city() as session, session.begin():
            made = record_results(
                session,
                actor_of(session, member),
                workspace,
                number,
                findings=FINDINGS,
                inspected_on=TODAY,
                acknowledgement="signed",
                acknowledged_by="张老板",
                today=TODAY,
            )
        assert made["result"] == "rectify" and {r["department"] for r in made["records"]} == {"LZ-SP", "LZ-TS"}
        with city() as session:  # inspected that day: the next plan's recent months exclude it, with no refresh
            assert session.get_one(InspectionTarget, visit.entity_id).last_inspected_on == TODAY
        assert {tuple(r["owed_to"]) for r in made["records"]} == {("food-platform",), ("equipment-platform",)}
        for name in ("food-platform", "equipment-platform"):
            send_once(city, load_target(workspace.root, name))
        (to_food,) = food.applied.values()
        (to_equipment,) = equipment.applied.values()
        assert to_food["JCBH"] == f"{number}-LZ-SP" and to_food["JCJG"] == "rectify"
        assert to_food["JCSX"] == ["食品经营者落实进货查验记录制度情况"]
        assert to_equipment["JCSX"] == ["特种设备使用登记及定期检验情况"]
        assert "责令7日内改正" in to_food["CLYJ"]
        assert to_equipment["JCBH"] == f"{number}-LZ-TS" and to_equipment["JCJG"] == "pass"
        assert to_food["JCRY"] == to_equipment["JCRY"] == [m["display_name"] for m in view["team"]]  # one team
        with city() as session:
            assert set(session.scalars(select(Delivery.status))) == {"acknowledged"}
            assert all(v.record_id for v in session.scalars(select(VisitItem).where(VisitItem.visit_id == visit.id)))
            assert visit_view(session, OPERATOR, session.get_one(InspectionVisit, visit.id))["status"] == "done"
            # the firm's signer is a person: the team reads the name, anyone else who sees the visit does not
            stored = session.get_one(InspectionVisit, visit.id)
            assert visit_view(session, actor_of(session, member), stored)["acknowledged_by"] == "张老板"
            assert visit_view(session, _stranger(session, stored), stored)["acknowledged_by"] == "张**"
            stored.remark = "店主电话13812345678，次日复查"  # free text: its numbers masked outside the team
            assert visit_view(session, _stranger(session, stored), stored)["remark"] == "店主电话138****5678，次日复查"
            assert visit_view(session, actor_of(session, member), stored)["remark"] == stored.remark


def _stranger(session: Session, visit: InspectionVisit) -> object:
    """A handler of a department whose items the visit carries, not on the team: sees the visit, may not enter its
    results."""
    from zhizhi.access.roles import Actor, Role
    from zhizhi.store.tables import Department

    food = session.scalars(select(Department).where(Department.code == "LZ-SP")).one()
    return Actor("food-handler", 999_999, food.id, food.path, frozenset({Role.HANDLER}))


def test_a_replacement_is_drawn_from_the_seed_and_two_visits_to_one_target_merge(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    number = drawn(city, workspace)
    with city() as session, session.begin():
        visit = session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank)).first()
        assert visit is not None
        view = visit_view(session, OPERATOR, visit)
        leaving = view["team"][0]["username"]
        with pytest.raises(InputError, match="reason"):
            assign(session, OPERATOR, workspace, visit.number, replace=leaving)
        done = assign(session, OPERATOR, workspace, visit.number, replace=leaving, reason="病假")
        draw = session.scalar(select(InspectionDraw).where(InspectionDraw.number == number))
        assert draw is not None and draw.seed is not None and draw.snapshot_file is not None
        population, _ = read(workspace.data_dir / draw.snapshot_file)
        team = {m["user_id"] for m in view["team"]}
        expected, _ = replacement(population, bytes.fromhex(draw.seed), visit.entity_id, team)
        added = session.scalar(select(User.username).where(User.id == expected))
        assert done["replaced"]["added"] == added and done["replaced"]["removed"] == leaving
        now = visit_view(session, OPERATOR, visit)["team"]
        assert [m["username"] for m in now if not m["removed"]] == [view["team"][1]["username"], added]
        # why a member left is the recorders' and that member's to read, not every reader's of the visit
        assert [m["removed_reason"] for m in now if m["removed"]] == ["病假"]
        seen = visit_view(session, _stranger(session, visit), visit)["team"]
        assert [m["removed_reason"] for m in seen if m["removed"]] == [None]
        assert [m["removed_reason"] for m in visit_view(session, actor_of(session, leaving), visit)["team"]
                if m["removed"]] == ["病假"]  # fmt: skip
        assert session.scalar(select(LedgerEntry.kind).where(LedgerEntry.kind == "draw.replace")) == "draw.replace"
    with city() as session:
        assert verify_draw(session, OPERATOR, workspace, number).ok  # the draw stands; the change is on record
    # A second plan of the food items only draws some of the same entities: merged, one team, both plans' items.
    with city() as session, session.begin():
        second = plan(session, workspace, "2026Q4-SP", PlanRules(items=["SP-01"], proportions={"high": 100}))
        to_merge = run_draw(session, OPERATOR, workspace, second)["summary"]["to_merge"]
    with city() as session, session.begin():
        visits = session.scalars(select(InspectionVisit)).all()
        first_draw = {v.entity_id: v for v in visits if v.number.startswith(f"{number}-")}
        other = next(v for v in visits if v.number.startswith(f"{second}-") and v.entity_id in first_draw)
        keep = first_draw[other.entity_id]
        # the draw names every firm that another draw's visit still waits for: one visit a firm (Art 54)
        twice = sorted([v.number, first_draw[v.entity_id].number] for v in visits
                       if v.number.startswith(f"{second}-") and v.entity_id in first_draw)  # fmt: skip
        assert to_merge == twice
        with pytest.raises(ConflictError):
            assign(session, OPERATOR, workspace, keep.number, merge=keep.number)
        wanted = {i["code"] for v in (keep, other) for i in visit_view(session, OPERATOR, v)["items"]}
        # A team that lacks a qualification the merged items require refuses the merge, naming the member (the
        # draw staffs a target only with those holding every one): here the food item asks one since the draw.
        food = session.scalars(select(InspectionItem).where(InspectionItem.code == "SP-01")).one()
        food.qualification = "食品安全"
        member = session.get_one(Inspector, visit_view(session, OPERATOR, other)["team"][0]["user_id"])
        member.qualifications = ""
        session.flush()
        with pytest.raises(ConflictError, match="lacks") as refused:
            assign(session, OPERATOR, workspace, other.number, merge=keep.number)
        assert "食品安全" in refused.value.message and session.get_one(User, member.user_id).username in (
            refused.value.message
        )
        food.qualification = None
        session.flush()
        assign(session, OPERATOR, workspace, keep.number, merge=other.number, planned_on=date(2099, 1, 5))
        assert other.status == "merged" and other.merged_into == keep.id and keep.planned_on == date(2099, 1, 5)
        assert {i["code"] for i in visit_view(session, OPERATOR, keep)["items"]} == wanted
        assert visit_view(session, OPERATOR, other)["merged_into"] == keep.number
        # A replacement on the merged visit holds every qualification its items need now, not only the frozen
        # target's: one without is passed over as `unqualified`.
        from zhizhi.inspections.visits import _unavailable, team_of

        food.qualification = "食品安全"
        outsider = next(i for i in session.scalars(select(Inspector).order_by(Inspector.user_id))
                        if i.user_id not in team_of(session, keep, current=False))  # fmt: skip
        outsider.qualifications = ""
        session.flush()
        assert _unavailable(session, keep, False)(outsider.user_id) == "unqualified"
        outsider.qualifications = "食品安全,特种设备"
        session.flush()
        assert _unavailable(session, keep, False)(outsider.user_id) != "unqualified"


def _jpeg_with_location(**options: bool) -> bytes:
    image = Image.new("RGB", (64, 48), (200, 30, 30))
    image.putdata([(x * 7 % 256, y * 3, (x + y) * 5 % 256) for y in range(48) for x in range(64)])  # detail to lose
    exif = image.getexif()
    exif[0x010F] = "ZhizhiCam"  # Make: stays
    gps = exif.get_ifd(0x8825)
    gps.update({1: "N", 2: (24.0, 19.0, 30.0), 3: "E", 4: (109.0, 24.0, 0.0)})
    buffer = io.BytesIO()
    image.save(buffer, format="JPEG", exif=exif, quality=90, **options)
    return buffer.getvalue()


XMP = b'http://ns.adobe.com/xap/1.0/\x00<x:xmpmeta xmlns:x="adobe:ns:meta/" exif:GPSLatitude="24,19.5N"/>'


@pytest.mark.parametrize("progressive", [False, True])
def test_a_jpeg_loses_its_location_byte_by_byte_and_its_image_data_is_not_compressed_again(progressive: bool) -> None:
    """Decoding and encoding again changed the pixels (by up to 47 levels) and lost a progressive JPEG's form: only
    the GPS directory and the XMP go; the tables, the frame and the image data stay byte for byte."""
    photo = _jpeg_with_location(progressive=progressive)
    original = photo[:2] + b"\xff\xe1" + (len(XMP) + 2).to_bytes(2, "big") + XMP + photo[2:]
    kept, kind = without_location(original)
    tables = original.index(b"\xff\xdb")  # the first quantization table: what follows is the image as encoded
    assert kind == "image/jpeg" and kept[kept.index(b"\xff\xdb") :] == original[tables:]
    image = Image.open(io.BytesIO(kept))
    assert not image.getexif().get_ifd(0x8825) and image.getexif()[0x010F] == "ZhizhiCam"
    assert b"GPSLatitude" not in kept and bool(image.info.get("progressive")) is progressive
    with pytest.raises(InputError, match="damaged"):
        without_location(original[: len(original) - 200])  # cut inside the image data
    with pytest.raises(InputError, match="JPEG"):
        without_location(original[:tables] + b"\xff\xdb\xff\xf0" + original[tables + 4 :])  # a table too long


def test_photos_lose_their_location_unless_kept_on_purpose_and_are_bounded(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    drawn(city, workspace)
    original = _jpeg_with_location()
    assert Image.open(io.BytesIO(original)).getexif().get_ifd(0x8825)
    with city() as session, session.begin():
        visit = joint_visit(session)
        member = actor_of(session, visit_view(session, OPERATOR, visit)["team"][0]["username"])
        stripped = add_photo(session, member, workspace, visit.number, original, item_code="SP-01")
        kept = add_photo(session, member, workspace, visit.number, original, keep_location=True)
        with pytest.raises(InputError, match="not a JPEG or PNG"):
            add_photo(session, member, workspace, visit.number, b"%PDF-1.7 not a photo")
        with pytest.raises(InputError, match="at most"):
            add_photo(session, member, workspace, visit.number, original + b"\0" * (8 * 1024 * 1024))
        folder = workspace.data_dir / "inspections" / "photos" / visit.number
    files = {p.name: p.read_bytes() for p in folder.iterdir()}
    without = Image.open(io.BytesIO(files[f"{stripped['sha256'][:24]}.jpg"]))
    assert not without.getexif().get_ifd(0x8825) and without.getexif()[0x010F] == "ZhizhiCam"
    assert files[f"{kept['sha256'][:24]}.jpg"] == original


def test_a_visit_merged_into_another_takes_its_photos_along(workspace: Workspace, city: sessionmaker[Session]) -> None:
    """The photos stayed on the visit merged away (pointing at an item that had moved): they go with its items, their
    files into the folder of the visit that stays, once the merge commits; a merge rolled back moves nothing."""
    drawn(city, workspace)
    with city() as session, session.begin():
        second = plan(session, workspace, "2026Q4-SP", PlanRules(items=["SP-01"], proportions={"high": 100}))
        (old, kept), *_ = run_draw(session, OPERATOR, workspace, second)["summary"]["to_merge"]
        photo = add_photo(session, OPERATOR, workspace, old, _jpeg_with_location(), item_code="SP-01")
    folder = workspace.data_dir / "inspections" / "photos"
    name = f"{photo['sha256'][:24]}.jpg"
    with pytest.raises(RuntimeError), city() as session, session.begin():
        assign(session, OPERATOR, workspace, kept, merge=old)
        raise RuntimeError("the transaction fails after the merge")
    assert (folder / old / name).is_file() and not (folder / kept / name).exists()
    with city() as session, session.begin():
        assign(session, OPERATOR, workspace, kept, merge=old)
    with city() as session:
        on_kept = visit_view(session, OPERATOR, session.scalars(select(InspectionVisit).filter_by(number=kept)).one())
        on_old = visit_view(session, OPERATOR, session.scalars(select(InspectionVisit).filter_by(number=old)).one())
        food = session.scalars(select(InspectionItem.id).filter_by(code="SP-01")).one()
        assert [(p["id"], p["item"]) for p in on_kept["photos"]] == [(photo["id"], food)] and not on_old["photos"]
        assert photo_file(session, OPERATOR, workspace, kept, photo["id"])[0] == (folder / kept / name).read_bytes()
        moved = session.scalars(select(AuditEvent).where(AuditEvent.action == "inspection_visit.photos_moved")).one()
        assert moved.object_id == kept and json.loads(moved.detail or "{}")["photos"] == [photo["id"]]
    assert not (folder / old).exists()


def test_the_publication_clock_counts_working_days_over_holidays_and_lists_breaches(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    # The workspace's own schedule of 2027 (supplied as `calendar/2027.yaml`): National Day 1-7 October off, the
    # Saturday 9 October worked. 20 working days after Thursday 23 September: 24, 27-30 Sep (5), 8, 9 Oct (7),
    # 11-15 (12), 18-22 (17), 25-27 (20): Wednesday 27 October (21 October without the holidays).
    (workspace.root / "calendar").mkdir(exist_ok=True)
    (workspace.root / "calendar" / "2027.yaml").write_text(
        "year: 2027\nholidays:\n  - {from: 2027-10-01, to: 2027-10-07, name: 国庆节}\nworkdays:\n  - 2027-10-09\n",
        encoding="utf-8",
    )
    calendar = load_calendar(workspace.root)
    assert deadline(calendar, date(2027, 9, 23)) == date(2027, 10, 27)
    # 2026 from the package: 1-7 October off (25-27 September too for the Mid-Autumn Festival), 20 September and
    # 10 October worked. After Wednesday 16 September: 17, 18, 20 (Sun, worked), 21-24 (7), 28-30 (10), 8, 9, 10
    # (Sat, worked) (13), 12-16 (18), 19, 20 October (20).
    assert deadline(calendar, date(2026, 9, 16)) == date(2026, 10, 20)
    drawn(city, workspace)
    entered = 0
    with city() as session, session.begin():
        visits = session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank)).all()[:3]
        for visit in visits:
            team = visit_view(session, OPERATOR, visit)["team"]
            findings = {i["code"]: Finding("pass") for i in visit_view(session, OPERATOR, visit)["items"]}
            entered += len(findings)
            record_results(
                session,
                actor_of(session, team[0]["username"]),
                workspace,
                visit.number,
                findings=findings,
                inspected_on=TODAY,
                acknowledgement="signed",
                acknowledged_by="店主",
                today=TODAY,
            )
        by = visits[0].publish_by
        # After Friday 9 October: 10 (Sat, worked), 12-16 (6), 19-23 (11), 26-30 (16), 2-5 November (20).
        assert by == deadline(calendar, TODAY) == date(2026, 11, 5)
        assert clock(calendar, visits[0], date(2026, 11, 4))["status"] == "warning"
        assert clock(calendar, visits[0], date(2026, 10, 12))["working_days_left"] == 18
        assert clock(calendar, visits[0], date(2026, 11, 10))["status"] == "breached"
        view = publication_view(session, OPERATOR, workspace, date(2026, 11, 10))
        assert [b["number"] for b in view["breaches"]] == [v.number for v in visits]
        assert all(b["working_days_left"] == -3 for b in view["breaches"])  # 6, 9 and 10 November
        made, body = publish(session, OPERATOR, workspace)
        assert made["visits"] == [v.number for v in visits]
        with pytest.raises(InputError, match="Nothing to publish"):
            publish(session, OPERATOR, workspace)
        # Published today (December 2026): late; the first as if published on 4 November, in time.
        visits[0].published_at = datetime(2026, 11, 4, 2, tzinfo=UTC)
    with city() as session:
        view = publication_view(session, OPERATOR, workspace, date(2026, 11, 10))
        assert [(b["number"], b["status"]) for b in view["breaches"]] == [(v.number, "late") for v in visits[1:]]
        assert view["published_on_time"] == 1 and not view["waiting"]
        entry = session.scalar(select(LedgerEntry).where(LedgerEntry.kind == "inspection.publish"))
        assert entry is not None and json.loads(entry.payload)["sha256"] == made["sha256"]
    book = load_workbook(io.BytesIO(body), read_only=True)
    rows = list(book["抽查检查结果"].iter_rows(values_only=True))
    assert rows[0][:4] == ("统一社会信用代码", "企业名称", "抽查计划编号", "抽查任务编号")
    assert [r[3] for r in rows[1:]] == [v.number for v in visits] and {r[2] for r in rows[1:]} == {"2026Q4"}
    assert {r[9] for r in rows[1:]} == {"未发现问题"}
    items = list(book["抽查事项结果"].iter_rows(values_only=True))
    assert items[0] == ("抽查任务编号", "统一社会信用代码", "企业名称", "抽查事项", "实施部门", "检查结果", "检查说明")
    assert len(items) == 1 + entered


def test_a_publication_rolled_back_keeps_no_export_and_one_committed_is_kept(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    """The export was written before the transaction ended: one rolled back (a copy that failed, a commit refused)
    left a file under data/inspections/publications with no publication or ledger entry naming it."""
    number = inspected(city, workspace)
    folder = workspace.data_dir / PUBLICATIONS_FOLDER
    with pytest.raises(RuntimeError), city() as session, session.begin():
        made, _ = publish(session, OPERATOR, workspace)
        assert (folder / made["file"]).is_file()  # there to download once committed
        raise RuntimeError("the transaction fails after the export")
    assert not folder.is_dir() or not list(folder.iterdir())
    with city() as session:
        assert session.scalar(select(InspectionVisit.published_at).where(InspectionVisit.number == number)) is None
    with city() as session, session.begin():
        made, body = publish(session, OPERATOR, workspace)
    assert made["visits"] == [number] and list(folder.iterdir()) == [folder / made["file"]]
    with city() as session:
        assert published_file(session, OPERATOR, workspace, made["number"]) == (made["file"], body)


def test_why_a_member_left_stays_out_of_the_ledger_and_is_masked_in_the_audit_trail(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    """A proof of the ledger goes to third parties: a replacement's entry proves the draw's order was kept, and does
    not carry why the member left (a recusal may name a relative, a leave a health matter); the audit trail, which is
    never erased, has the reason as the team's lists show it, its numbers masked. The team's record keeps it as typed
    for those who may read it, until retention."""
    drawn(city, workspace)
    reason = "回避：与当事人系亲属，联系电话13812345678"
    with city() as session, session.begin():
        visit = session.scalars(select(InspectionVisit).order_by(InspectionVisit.rank)).first()
        assert visit is not None
        leaving = visit_view(session, OPERATOR, visit)["team"][0]["username"]
        done = assign(session, OPERATOR, workspace, visit.number, replace=leaving, reason=f"  {reason} ")
        assert done["replaced"]["reason"] == reason
        team = visit_view(session, OPERATOR, visit)["team"]
        assert [m["removed_reason"] for m in team if m["removed"]] == [reason]
    with city() as session:
        entry = json.loads(session.scalars(select(LedgerEntry.payload).where(LedgerEntry.kind == "draw.replace")).one())
        assert set(entry) == {"visit", "removed", "added", "passed_over"} and "13812345678" not in json.dumps(entry)
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "inspection_visit.assign")).one()
        said = json.loads(event.detail)["replaced"]["reason"]
        assert "13812345678" not in said and said.startswith("回避：与当事人系亲属") and "138" in said


def test_a_photo_whose_entry_rolls_back_leaves_no_file_and_a_photo_sent_again_keeps_the_first(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    """A file written before the row that names it was committed stayed when the transaction failed (a phone's upload
    over a poor network): a photo with its location on disk that no row names and no retention erases."""
    drawn(city, workspace)
    photo = _jpeg_with_location()
    with city() as session, session.begin():
        number = joint_visit(session).number
    folder = workspace.data_dir / "inspections" / "photos" / number
    with pytest.raises(RuntimeError), city() as session, session.begin():
        add_photo(session, OPERATOR, workspace, number, photo, keep_location=True)
        raise RuntimeError("the transaction fails after the photo")
    assert not folder.exists() or not any(folder.iterdir())
    with city() as session, session.begin():
        first = add_photo(session, OPERATOR, workspace, number, photo, keep_location=True)
    with pytest.raises(RuntimeError), city() as session, session.begin():
        add_photo(session, OPERATOR, workspace, number, photo, keep_location=True)  # sent again, then rolled back
        raise RuntimeError("the transaction fails after the photo")
    with city() as session:
        assert photo_file(session, OPERATOR, workspace, number, first["id"])[0] == photo


@pytest.mark.parametrize(
    ("data", "said", "said_zh"),
    [
        (b"\x00\x00\x00\x18ftypheic\x00\x00\x00\x00mif1heic" + b"\x00" * 64, "is a HEIC image", "兼容性最佳"),
        (b"%PDF-1.7 a scan", "is not an image", "不是图片"),
    ],
    ids=["heic", "pdf"],
)
def test_a_file_that_is_not_a_jpeg_or_png_is_named_with_what_to_send(data: bytes, said: str, said_zh: str) -> None:
    """An iPhone takes HEIC by default: "send the camera's photo as it is" told its user to do what was refused."""
    webp = io.BytesIO()
    Image.new("RGB", (8, 8)).save(webp, "WEBP")
    for check in (without_location, content_type):  # the location taken out, or kept on purpose
        with pytest.raises(InputError) as refused:
            check(data)
        assert said in refused.value.message and said_zh in (refused.value.message_zh or "")
        with pytest.raises(InputError, match="is a WEBP image, not a JPEG or PNG photo"):
            check(webp.getvalue())
