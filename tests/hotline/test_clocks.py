"""Legal clocks on the official calendar: holidays, make-up working days, pauses, and years not known."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest

from zhizhi.errors import ConfigError, InputError
from zhizhi.hotline import (
    RULES,
    Pause,
    UnknownYearError,
    WorkCalendar,
    clock,
    deadline,
    elapsed,
    load_calendar,
    parse_year,
    remaining,
)

D = date.fromisoformat
CALENDAR = WorkCalendar()

# An illustration of a supplied year, not the State Council's schedule of 2027.
YEAR_2027 = """\
year: 2027
notice: 测试用示例（非官方安排）
holidays:
  - 2027-01-01
  - {from: 2027-02-06, to: 2027-02-13, name: 春节}
workdays:
  - 2027-02-14
"""


@pytest.mark.parametrize(
    ("received", "days", "pauses", "due", "why"),
    [
        ("2026-03-02", 7, [], "2026-03-11", "a plain week: Monday's ticket is due the Wednesday after next"),
        ("2026-02-12", 7, [], "2026-02-28", "Spring Festival: Sat 14 Feb worked, 15-23 off, due on make-up Sat 28"),
        ("2026-09-28", 7, [], "2026-10-13", "National Day: 1-7 Oct off, Sat 10 Oct worked"),
        ("2026-09-18", 7, [], "2026-09-29", "Mid-Autumn: Sun 20 Sep worked, 25-27 off"),
        ("2026-10-03", 7, [], "2026-10-15", "received on a holiday: counting starts on the first working day after"),
        ("2026-02-14", 1, [], "2026-02-24", "received on a make-up Saturday: that day is not counted either"),
        ("2026-09-21", 7, [], "2026-10-08", "without a pause"),
        (
            "2026-09-21",
            7,
            [("2026-09-24", "2026-10-09")],
            "2026-10-15",
            "testing from 24 Sep to 9 Oct, over Mid-Autumn and National Day: those days not counted",
        ),
        ("2026-03-02", 7, [("2026-03-07", "2026-03-08")], "2026-03-11", "a pause over a weekend changes nothing"),
        ("2026-04-30", 45, [], "2026-07-07", "mediation over Labour Day (make-up Sat 9 May) and Dragon Boat"),
    ],
)
def test_deadline(received: str, days: int, pauses: list[tuple[str, str]], due: str, why: str) -> None:
    kept = [Pause(D(a), D(b)) for a, b in pauses]
    assert deadline(CALENDAR, D(received), days, kept) == D(due), why
    assert elapsed(CALENDAR, D(received), D(due), kept) == days
    assert remaining(CALENDAR, D(received), days, D(due), kept) == 0


def test_make_up_days_and_holidays() -> None:
    assert CALENDAR.is_working_day(D("2026-02-14")) and CALENDAR.is_working_day(D("2026-10-10"))
    assert not CALENDAR.is_working_day(D("2026-02-16")) and not CALENDAR.is_working_day(D("2026-10-05"))
    assert not CALENDAR.is_working_day(D("2026-03-07"))  # an ordinary Saturday


def test_a_year_the_package_does_not_know_is_refused_not_guessed() -> None:
    with pytest.raises(UnknownYearError) as raised:
        deadline(CALENDAR, D("2026-12-28"), 7)  # 29-31 Dec count, then 2027
    error = raised.value
    assert "2027" in error.message and "`calendar/2027.yaml`" in error.message and "not guessed" in error.message
    assert error.message_zh and "2027" in error.message_zh and "calendar/2027.yaml" in error.message_zh
    assert error.code == "calendar_year_unknown"


def test_a_year_supplied_by_the_workspace_counts(tmp_path: Path) -> None:
    (tmp_path / "calendar").mkdir()
    (tmp_path / "calendar" / "2027.yaml").write_text(YEAR_2027, encoding="utf-8")
    calendar = load_calendar(tmp_path)
    assert deadline(calendar, D("2026-12-28"), 7) == D("2027-01-07")  # 1 Jan off, then the weekend
    assert deadline(calendar, D("2027-02-04"), 7) == D("2027-02-19")  # 6-13 Feb off, Sun 14 worked
    assert deadline(calendar, D("2026-02-12"), 7) == D("2026-02-28")  # the package's years still count
    assert load_calendar(None).supplied == {} and load_calendar(tmp_path / "nothing").supplied == {}


def test_a_supplied_year_overrides_the_package(tmp_path: Path) -> None:
    calendar = WorkCalendar({2026: parse_year("year: 2026\nholidays: [2026-03-03]\n", "calendar/2026.yaml")})
    assert deadline(calendar, D("2026-03-02"), 7) == D("2026-03-12")
    assert calendar.is_working_day(D("2026-02-16"))  # the supplied year is the whole truth for 2026


def test_a_bad_calendar_file_names_every_problem() -> None:
    text = (
        "year: 2027\nholiday: []\nholidays:\n  - 2026-12-31\n  - {from: 2027-05-05, to: 2027-05-01}\n"
        "  - 2027-10-01\nworkdays: [2027-10-01, 2027-03-03]\n"
    )
    with pytest.raises(ConfigError) as raised:
        parse_year(text, "calendar/2027.yaml")
    message = raised.value.message
    assert "`holiday`" in message and "before `from`" in message
    with pytest.raises(ConfigError) as raised:
        parse_year("year: 2027\nholidays: [2026-12-31, 2027-10-01]\nworkdays: [2027-10-01, 2027-03-03]\n", "c.yaml")
    message = raised.value.message
    assert "2026-12-31 is not in 2027" in message
    assert "2027-10-01 is listed both as a holiday and as a make-up working day" in message
    assert "make-up working day 2027-03-03 is a weekday" in message
    with pytest.raises(ConfigError, match="name the file `2027.yaml`"):
        parse_year("year: 2027\n", "calendar/2028.yaml")
    with pytest.raises(ConfigError, match="not valid YAML"):
        parse_year("year: [2027\n", "calendar/2027.yaml")


def test_a_bad_holiday_is_told_once_in_the_form_it_was_written_and_in_chinese_too() -> None:
    """A holiday is a date or a run: each bad one was told twice, once as each form (`holidays.1.date: Input should
    be a valid date` beside `holidays.1.function-after[_ordered(), DayRange]: ...`), and the Chinese message named
    none of them."""
    text = "year: 2027\nholidays:\n  - 2027-01-01\n  - {from: 2027-02-13, to: 2027-02-06, name: 春节}\n  - 2027-13-01\n"
    with pytest.raises(ConfigError) as raised:
        parse_year(text, "calendar/2027.yaml")
    assert raised.value.details == [
        "`holidays.1`: `to` 2027-02-06 is before `from` 2027-02-13",
        "`holidays.2`: Input should be a valid date or datetime, month value is outside expected range of 1-12",
    ]
    assert "function-after" not in raised.value.message and "2 problem(s)" in raised.value.message
    assert "`to` 2027-02-06 is before `from` 2027-02-13" in (raised.value.message_zh or "")


@pytest.mark.parametrize(
    ("at", "status", "spent", "left"),
    [
        ("2026-03-02", "running", 0, 7),
        ("2026-03-03", "running", 1, 6),
        ("2026-03-06", "running", 4, 3),
        ("2026-03-09", "warning", 5, 2),
        ("2026-03-11", "warning", 7, 0),
        ("2026-03-12", "breached", 8, -1),
    ],
)
def test_the_acceptance_clock_day_by_day(at: str, status: str, spent: int, left: int) -> None:
    state = clock("acceptance", D("2026-03-02")).state(CALENDAR, D(at), warn_before=2)
    assert (state.status, state.elapsed, state.remaining, state.deadline) == (status, spent, left, D("2026-03-11"))


def test_a_step_done_in_time_is_met_and_late_is_breached() -> None:
    assert clock("acceptance", D("2026-03-02"), done_on=D("2026-03-10")).state(CALENDAR, D("2026-04-01")).status == (
        "met"
    )
    late = clock("acceptance", D("2026-03-02"), done_on=D("2026-03-12")).state(CALENDAR, D("2026-04-01"))
    assert (late.status, late.remaining) == ("breached", -1)


def test_a_paused_clock_waits_and_shows_the_earliest_deadline() -> None:
    mediation = clock("mediation", D("2026-03-02"), pauses=[Pause(D("2026-03-05"), None, "质量检测")])
    state = mediation.state(CALENDAR, D("2026-03-20"))
    assert (state.status, state.elapsed) == ("paused", 2)  # 3 and 4 March counted
    assert state.deadline == deadline(CALENDAR, D("2026-03-20"), 43)  # resumes tomorrow at the earliest
    with pytest.raises(InputError, match="paused with no end"):
        deadline(CALENDAR, D("2026-03-02"), 45, mediation.pauses)


def test_extensions_and_rules_that_cannot_pause() -> None:
    verification = clock("report_verification", D("2026-03-02"), extended=True)
    assert verification.working_days == 30
    assert verification.state(CALENDAR, D("2026-03-02")).deadline == deadline(CALENDAR, D("2026-03-02"), 30)
    with pytest.raises(InputError, match="cannot be paused"):
        clock("acceptance", D("2026-03-02"), pauses=[Pause(D("2026-03-03"), D("2026-03-04"))]).state(
            CALENDAR, D("2026-03-05")
        )
    with pytest.raises(InputError, match="No legal deadline `appeal`"):
        clock("appeal", D("2026-03-02"))
    assert {r.working_days for r in RULES.values()} == {5, 7, 15, 45}
