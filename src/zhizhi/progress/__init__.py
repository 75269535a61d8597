"""Progress of long work: one small front door for the operations that take a while (building the demo, resolving
the register, ingesting a large file, sending a backlog, running reports).

Such an operation takes a `Progress` (`SILENT` when nobody watches) and opens a task on it for each stretch of work:

    with progress.task("progress.ingest", total=rows, unit="rows", file="a.csv") as task:
        task.advance(chunk)           # or task.update(done, total=..., note=...)

A task is named by a catalogue key (`zhizhi.i18n`, section `progress`) and its parameters, so that each watcher
says it in its own language. The terminal shows a rich bar with counts and the time left
(`zhizhi.progress.terminal.TerminalProgress`, off when the output is not a terminal); the web keeps each job's
line in memory (`Board`), and the page that started the job polls it as JSON. Reporting never changes what the
operation does: a watcher that fails is the watcher's problem, not the work's.
"""

from __future__ import annotations

from collections.abc import Callable
from pathlib import Path
from types import TracebackType
from typing import Protocol

from zhizhi.progress.board import Board, Job


class Task(Protocol):
    """One stretch of work with a count: rows, steps, deliveries, runs."""

    def advance(self, count: int = 1, *, note: str | None = None) -> None:
        """`count` more done."""

    def update(self, done: int, *, total: int | None = None, note: str | None = None) -> None:
        """`done` so far (and the total, when it becomes known or changes)."""

    def close(self) -> None:
        """The stretch is over."""

    def __enter__(self) -> Task: ...

    def __exit__(
        self, kind: type[BaseException] | None, error: BaseException | None, trace: TracebackType | None
    ) -> None: ...


class Progress(Protocol):
    """Whoever watches long work: opens a task for each stretch of it."""

    def task(self, key: str, *, total: int | None = None, unit: str = "", **params: object) -> Task:
        """A new task named by catalogue `key` (with `params`), counting `unit` up to `total` (None: unknown)."""


class SilentTask:
    """A task nobody watches."""

    def advance(self, count: int = 1, *, note: str | None = None) -> None:
        pass

    def update(self, done: int, *, total: int | None = None, note: str | None = None) -> None:
        pass

    def close(self) -> None:
        pass

    def __enter__(self) -> SilentTask:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


class Silent:
    """Progress that goes nowhere: the default of every operation."""

    def task(self, key: str, *, total: int | None = None, unit: str = "", **params: object) -> Task:
        return SilentTask()


SILENT: Progress = Silent()


def by_steps(task: Task) -> Callable[[str], None]:
    """A callback for an operation that names its steps as it starts each (`zhizhi.resolve.run.resolve`): each name
    after the first finishes the step before it."""
    started = False

    def step(name: str) -> None:
        nonlocal started
        task.advance(1 if started else 0, note=name)
        started = True

    return step


TEXT_FILES = (".csv", ".tsv", ".txt", ".jsonl")


def text_rows(path: Path) -> int | None:
    """About how many rows a text file holds (its lines, less a header), for a bar's total; None for other files
    (a workbook's rows are known only once read) or when it cannot be read."""
    if path.suffix.lower() not in TEXT_FILES:
        return None
    try:
        with path.open("rb") as handle:
            lines = sum(block.count(b"\n") for block in iter(lambda: handle.read(1 << 20), b""))
    except OSError:
        return None
    return max(lines - 1, 0) or None


__all__ = ["SILENT", "Board", "Job", "Progress", "Silent", "SilentTask", "Task", "by_steps", "text_rows"]
