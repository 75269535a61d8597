"""Working days (工作日) from the official calendar: weekends and holidays off, make-up working days (调休上班) on.

The State Council publishes each year's schedule in the autumn before; the `chinese-calendar` package carries the
years it knew when it was released. A year it does not know is refused, never guessed (a guess would move every
deadline of the holidays by days): the bureau supplies that year's schedule as `calendar/YEAR.yaml` in the
workspace, which is checked when it loads and then counts (it also overrides the package for a year both know).

```yaml
year: 2027
notice: 国务院办公厅关于2027年部分节假日安排的通知       # where the dates come from
holidays:                                             # days off, weekends inside a holiday included
  - {from: 2027-02-06, to: 2027-02-13, name: 春节}
  - 2027-01-01
workdays:                                             # make-up working days: a Saturday or Sunday worked
  - 2027-02-14
```
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date, timedelta
from pathlib import Path
from typing import Any

import chinese_calendar
import yaml
from pydantic import BaseModel, ConfigDict, Field, ValidationError, model_validator

from zhizhi.config import load_yaml
from zhizhi.errors import ConfigError, InputError

CALENDAR_FOLDER = "calendar"


class UnknownYearError(InputError):
    """A date in a year whose official holiday schedule zhizhi does not have."""

    code = "calendar_year_unknown"


class DayRange(BaseModel):
    """Several days off in a row: `{from: 2027-02-06, to: 2027-02-13, name: 春节}`."""

    model_config = ConfigDict(extra="forbid", populate_by_name=True)

    start: date = Field(alias="from")
    end: date = Field(alias="to")
    name: str | None = None

    @model_validator(mode="after")
    def _ordered(self) -> DayRange:
        if self.end < self.start:
            raise ValueError(f"`to` {self.end} is before `from` {self.start}")
        return self

    def days(self) -> list[date]:
        return [self.start + timedelta(days=i) for i in range((self.end - self.start).days + 1)]


class YearCalendarConfig(BaseModel):
    """The whole of `calendar/YEAR.yaml`: one year's holidays and make-up working days."""

    model_config = ConfigDict(extra="forbid")

    year: int = Field(ge=2000, le=2100)
    notice: str | None = Field(default=None, max_length=200)
    holidays: list[date | DayRange] = Field(default_factory=list)
    workdays: list[date] = Field(default_factory=list)

    @model_validator(mode="after")
    def _consistent(self) -> YearCalendarConfig:
        problems = []
        off = self.days_off()
        for day in sorted(off | set(self.workdays)):
            if day.year != self.year:
                problems.append(f"{day} is not in {self.year}")
        for day in sorted(off & set(self.workdays)):
            problems.append(f"{day} is listed both as a holiday and as a make-up working day")
        for day in sorted(self.workdays):
            if day.weekday() < 5:
                problems.append(f"make-up working day {day} is a weekday, a working day anyway: list Saturdays/Sundays")
        if problems:
            raise ValueError("; ".join(problems))
        return self

    def days_off(self) -> set[date]:
        return {d for item in self.holidays for d in (item.days() if isinstance(item, DayRange) else [item])}


@dataclass(frozen=True)
class YearSchedule:
    """One year's days off that are not weekends' and the weekend days worked."""

    year: int
    holidays: frozenset[date]
    workdays: frozenset[date]
    origin: str


class WorkCalendar:
    """Which days are working days: the package's years, and the years a workspace supplies (which win)."""

    def __init__(self, supplied: Mapping[int, YearSchedule] | None = None) -> None:
        self.supplied = dict(supplied or {})
        self._cache: dict[date, bool] = {}

    def is_working_day(self, day: date) -> bool:
        """True for a working day; a year with no known schedule raises `UnknownYearError`."""
        known = self._cache.get(day)
        if known is not None:
            return known
        schedule = self.supplied.get(day.year)
        if schedule is not None:
            working = day in schedule.workdays or (day.weekday() < 5 and day not in schedule.holidays)
        else:
            try:
                working = bool(chinese_calendar.is_workday(day))
            except NotImplementedError:
                raise self.unknown(day.year) from None
        self._cache[day] = working
        return working

    def unknown(self, year: int) -> UnknownYearError:
        # The package's span alone: with the workspace's years in it, "known: 2004-2028" would seem to hold 2027.
        years = self.known_years() - set(self.supplied)
        span = f"{min(years)}-{max(years)}" if years else "none"
        return UnknownYearError(
            f"The official holiday schedule of {year} is not known (known: {span}; supplied by the workspace: "
            f"{', '.join(map(str, sorted(self.supplied))) or 'none'}): working days of {year} are not guessed. "
            f"Write the State Council's schedule of {year} into `{CALENDAR_FOLDER}/{year}.yaml` in the workspace "
            "(see docs/hotline.md), or upgrade the `chinese-calendar` package.",
            zh=f"尚无 {year} 年的法定节假日安排（已知：{span}），不推算该年的工作日。请将国务院办公厅公布的 "
            f"{year} 年节假日安排写入工作区的 `{CALENDAR_FOLDER}/{year}.yaml`（见 docs/hotline.md），"
            "或升级 chinese-calendar 包。",
        )

    def known_years(self) -> set[int]:
        package = {d.year for d in chinese_calendar.holidays} | {d.year for d in chinese_calendar.workdays}
        return package | set(self.supplied)

    def working_days(self, after: date, through: date) -> Iterable[date]:
        """The working days after `after` up to and including `through`, in order."""
        day = after + timedelta(days=1)
        while day <= through:
            if self.is_working_day(day):
                yield day
            day += timedelta(days=1)


def parse_year(text: str, origin: str) -> YearSchedule:
    """A year's schedule from the text of `calendar/YEAR.yaml`; every problem is named at once."""
    try:
        raw: Any = load_yaml(text) or {}
    except yaml.YAMLError as exc:
        reason = " ".join(str(exc).split())
        raise ConfigError(
            f"`{origin}` is not valid YAML: {reason}. Fix the syntax.",
            zh=f"`{origin}` 不是有效的 YAML：{reason}。请修正语法。",
        ) from exc
    try:
        config = YearCalendarConfig.model_validate(raw)
    except ValidationError as exc:
        problems = _problems(exc, raw)
        raise ConfigError(
            f"`{origin}` has {len(problems)} problem(s): " + "; ".join(problems) + ". Fix the file.",
            zh=f"`{origin}` 有 {len(problems)} 处错误：" + "；".join(problems) + "。请修改后再用。",
            details=problems,
        ) from exc
    stem = Path(origin).stem
    if stem.isdigit() and int(stem) != config.year:
        raise ConfigError(
            f"`{origin}` says `year: {config.year}`; name the file `{config.year}.yaml`.",
            zh=f"`{origin}` 中写的是 `year: {config.year}`，请把文件命名为 `{config.year}.yaml`。",
        )
    return YearSchedule(config.year, frozenset(config.days_off()), frozenset(config.workdays), origin)


def _problems(exc: ValidationError, raw: Any) -> list[str]:
    """Each problem of the file once, where it is: a holiday is a date or a run, and only the form the item was
    written in is told about (a run with `to` before `from` was also told it is no date, under a place named
    `function-after[_ordered(), DayRange]`)."""
    holidays = raw.get("holidays") if isinstance(raw, dict) else None
    found = []
    for error in exc.errors():
        loc = list(error["loc"])
        if len(loc) >= 3 and loc[0] == "holidays" and isinstance(loc[1], int) and isinstance(holidays, list):
            item = holidays[loc[1]] if loc[1] < len(holidays) else None
            if (loc[2] == "date") == isinstance(item, dict):
                continue  # the other form's complaint
            loc = loc[:2] + loc[3:]
        where = f"`{'.'.join(map(str, loc))}`: " if loc else ""
        found.append(where + error["msg"].removeprefix("Value error, "))
    return list(dict.fromkeys(found))


def load_calendar(root: Path | None) -> WorkCalendar:
    """The working-day calendar of the workspace at `root`: the package's years and `calendar/*.yaml` (checked)."""
    supplied: dict[int, YearSchedule] = {}
    folder = root / CALENDAR_FOLDER if root is not None else None
    if folder is not None and folder.is_dir():
        for path in sorted(folder.glob("*.yaml")):
            schedule = parse_year(path.read_text(encoding="utf-8"), f"{CALENDAR_FOLDER}/{path.name}")
            supplied[schedule.year] = schedule
    return WorkCalendar(supplied)
