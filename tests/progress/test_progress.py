"""The progress front door: a job's line on the board (counts, share, time left at the pace so far, in both
languages, read only by its owner), the terminal's bars (none outside a terminal), and steps named as they start."""

from __future__ import annotations

import io
import time

from rich.console import Console

from zhizhi.errors import InputError
from zhizhi.progress import SILENT, Board, by_steps
from zhizhi.progress.board import clock_text
from zhizhi.progress.terminal import TerminalProgress


class Clock:
    def __init__(self) -> None:
        self.now = 100.0

    def __call__(self) -> float:
        return self.now


def test_a_jobs_line_counts_and_says_the_time_left_at_the_pace_so_far() -> None:
    clock = Clock()
    board = Board(clock=clock)
    job = board.start("steward")
    task = job.task("progress.ingest", total=10_000, unit="rows", file="dengji.csv")
    clock.now += 4
    task.update(2_000)
    shown = job.snapshot("en")
    assert (shown["done"], shown["total"], shown["percent"], shown["seconds_left"]) == (2_000, 10_000, 20, 16.0)
    assert shown["line"] == "Ingesting dengji.csv · 2,000 of 10,000 rows (20 %) · about 0:16 left"
    assert job.snapshot("zh-CN")["line"] == "导入 dengji.csv · 2,000 / 10,000 行 (20 %) · 约剩 0:16"
    task.close()
    job.finish("/batches/7")
    done = job.snapshot("zh-CN")
    assert done["state"] == "done" and done["link"] == "/batches/7" and done["line"].endswith("已完成")


def test_a_job_is_read_only_by_whoever_started_it_and_the_board_keeps_the_newest() -> None:
    board = Board(keep=2)
    first, second, third = (board.start(name) for name in ("steward", "leader", "steward"))
    assert board.find(third.id, "steward") is third and board.find(third.id, "leader") is None
    assert board.find(first.id, "steward") is None and board.find(second.id, "leader") is second


def test_a_failed_job_says_why_in_the_readers_language() -> None:
    board = Board()
    job = board.start("steward")

    def work(job: object) -> str:
        raise InputError("File `a.csv` has no header row.", zh="文件 `a.csv` 没有表头行。")

    board.run(job, work).join(5)
    assert job.snapshot("en")["line"] == "failed: File `a.csv` has no header row."
    assert job.snapshot("zh-CN")["error"] == "文件 `a.csv` 没有表头行。"


def test_steps_named_as_they_start_count_the_ones_finished() -> None:
    clock = Clock()
    job = Board(clock=clock).start("steward")
    task = job.task("progress.resolve", total=5, unit="steps")
    step = by_steps(task)
    for name in ("reading records", "preparing", "scoring 6,150 records"):
        step(name)
    shown = job.snapshot("en")
    assert shown["done"] == 2 and shown["what"] == "Resolving the register: scoring 6,150 records"


def test_no_bars_outside_a_terminal_and_silence_costs_nothing() -> None:
    out = io.StringIO()
    with TerminalProgress(Console(file=out, force_terminal=False)) as progress:
        with progress.task("progress.send", total=3, unit="deliveries", target="province") as task:
            task.advance(3)
    assert out.getvalue() == ""
    with SILENT.task("progress.send", total=3) as task:
        task.advance(3)
    shown = io.StringIO()
    with TerminalProgress(Console(file=shown, force_terminal=True, width=80), locale="en") as progress:
        with progress.task("progress.send", total=3, unit="deliveries", target="province") as task:
            task.advance(3)
        time.sleep(0.05)
    assert "Sending to province" in shown.getvalue() and "3 / 3 deliveries" in shown.getvalue()


def test_clock_text() -> None:
    assert [clock_text(s) for s in (0, 16, 61.4, 3725)] == ["0:00", "0:16", "1:01", "1:02:05"]
