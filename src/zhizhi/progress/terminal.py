"""The terminal's side of progress: a rich bar per task, with the count, the time spent and the time left.

Off when the output is not a terminal (a pipe, a CI log, `--json`): such output stays free of bars and control
codes. Task names come from the catalogue in the terminal's language (`zhizhi.i18n.cli_locale`).
"""

from __future__ import annotations

from rich.console import Console
from rich.progress import (
    BarColumn,
    ProgressColumn,
    SpinnerColumn,
    TaskID,
    TextColumn,
    TimeElapsedColumn,
    TimeRemainingColumn,
)
from rich.progress import Progress as RichProgress
from rich.progress import Task as RichTask
from rich.table import Column
from rich.text import Text

from zhizhi.i18n import cli_locale, translate
from zhizhi.progress.board import noted


class _Count(ProgressColumn):
    """`1,234 / 5,000 rows`, or `1,234 rows` while the total is unknown."""

    def render(self, task: RichTask) -> Text:
        unit = task.fields.get("unit", "")
        if not task.total and not task.completed:  # nothing counted (a stage without a count)
            return Text("")
        done = f"{int(task.completed):,}"
        count = done if task.total is None else f"{done} / {int(task.total):,}"
        return Text(f"{count} {unit}".strip())


class TerminalTask:
    """One bar."""

    def __init__(self, bars: RichProgress, task: TaskID, what: str, locale: str) -> None:
        self.bars, self.id, self.what, self.locale = bars, task, what, locale

    def advance(self, count: int = 1, *, note: str | None = None) -> None:
        self.bars.update(self.id, advance=count, description=self._describe(note))

    def update(self, done: int, *, total: int | None = None, note: str | None = None) -> None:
        self.bars.update(self.id, completed=done, total=total or self.bars.tasks[self.id].total,
                         description=self._describe(note))  # fmt: skip

    def close(self) -> None:
        task = self.bars.tasks[self.id]
        if task.total is None or task.completed < task.total:  # done: the bar shows full, with the count reached
            self.bars.update(self.id, total=task.completed, completed=task.completed)
        self.bars.stop_task(self.id)

    def _describe(self, note: str | None) -> str | None:
        return None if note is None else noted(self.locale, self.what, note)

    def __enter__(self) -> TerminalTask:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class TerminalProgress:
    """Bars on `console` while the block runs: `with TerminalProgress(console) as progress: ...`; `transient` bars
    go when it ends, and `quiet` shows none (for `--json`)."""

    def __init__(
        self, console: Console, *, transient: bool = False, quiet: bool = False, locale: str | None = None
    ) -> None:
        self.locale = locale or cli_locale()
        whole = Column(no_wrap=True)  # counts and times are never cut; the description gives way (…)
        self.bars = RichProgress(
            SpinnerColumn(),
            TextColumn("{task.description}", table_column=Column(ratio=1, no_wrap=True, overflow="ellipsis")),
            BarColumn(bar_width=12),
            _Count(table_column=whole),
            TimeElapsedColumn(table_column=whole),
            TimeRemainingColumn(table_column=whole),
            console=console,
            transient=transient,
            expand=True,
            disable=quiet or not console.is_terminal,
        )

    def task(self, key: str, *, total: int | None = None, unit: str = "", **params: object) -> TerminalTask:
        what = translate(self.locale, key, **params)
        shown_unit = translate(self.locale, f"progress.unit.{unit}") if unit else ""
        return TerminalTask(self.bars, self.bars.add_task(what, total=total, unit=shown_unit), what, self.locale)

    def __enter__(self) -> TerminalProgress:
        self.bars.start()
        return self

    def __exit__(self, *exc: object) -> None:
        self.bars.stop()
