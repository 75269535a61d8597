"""The web's side of progress: each job started from a page keeps its line in memory, where the page polls it.

A `Board` lives in the serving process (`app.state.progress`); a job belongs to the user who started it, and only
that user reads it. The newest `keep` jobs are kept; the work itself (a batch, a report run) is in the store, so
nothing is lost when the process restarts but the line.
"""

from __future__ import annotations

import logging
import secrets
import threading
import time
from collections import OrderedDict
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import Any

log = logging.getLogger("zhizhi.progress")


@dataclass
class _Line:
    """One task of a job: what it counts and how far it got."""

    key: str
    params: dict[str, object]
    unit: str
    total: int | None
    started: float
    done: int = 0
    note: str | None = None
    closed: bool = False


class _BoardTask:
    def __init__(self, job: Job, line: _Line) -> None:
        self.job, self.line = job, line

    def advance(self, count: int = 1, *, note: str | None = None) -> None:
        with self.job.lock:
            self.line.done += count
            self.line.note = note if note is not None else self.line.note

    def update(self, done: int, *, total: int | None = None, note: str | None = None) -> None:
        with self.job.lock:
            self.line.done = done
            self.line.total = total if total is not None else self.line.total
            self.line.note = note if note is not None else self.line.note

    def close(self) -> None:
        with self.job.lock:
            self.line.closed = True

    def __enter__(self) -> _BoardTask:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()


@dataclass
class Job:
    """Work started from a page: its tasks as they come, then done (with a link to what it made) or failed."""

    id: str
    owner: str
    origin: str | None = None  # the page it was started from
    clock: Callable[[], float] = time.monotonic
    started: float = 0.0
    state: str = "running"
    link: str | None = None
    error: tuple[str, str] | None = None  # (English, Chinese)
    lines: list[_Line] = field(default_factory=list)
    lock: threading.Lock = field(default_factory=threading.Lock)

    def task(self, key: str, *, total: int | None = None, unit: str = "", **params: object) -> _BoardTask:
        """A new task of this job; the page shows the newest."""
        line = _Line(key, params, unit, total, self.clock())
        with self.lock:
            self.lines.append(line)
        return _BoardTask(self, line)

    def finish(self, link: str | None = None) -> None:
        with self.lock:
            self.state, self.link = "done", link

    def fail(self, message: str, message_zh: str) -> None:
        with self.lock:
            self.state, self.error = "failed", (message, message_zh)

    def snapshot(self, locale: str) -> dict[str, Any]:
        """What the page shows, in `locale`: the newest task's counts, the share done and the time left."""
        from zhizhi.i18n import translate

        with self.lock:
            line = self.lines[-1] if self.lines else None
            now = self.clock()
            shown: dict[str, Any] = {
                "id": self.id,
                "state": self.state,
                "state_text": translate(locale, f"progress.{self.state}"),
                "link": self.link,
                "origin": self.origin,
                "error": None if self.error is None else self.error[1 if locale == "zh-CN" else 0],
                "elapsed_seconds": round(now - self.started, 1),
                "what": None,
                "done": None,
                "total": None,
                "percent": None,
                "seconds_left": None,
            }
            if line is not None:
                what = translate(locale, line.key, **line.params)
                left = _seconds_left(line, now)
                shown |= {
                    "what": noted(locale, what, line.note),
                    "done": line.done,
                    "total": line.total,
                    "unit": translate(locale, f"progress.unit.{line.unit}") if line.unit else "",
                    "percent": None if not line.total else min(100, round(100 * line.done / line.total)),
                    "seconds_left": left,
                }
            shown["line"] = _line_text(shown, locale)
            return shown


def noted(locale: str, text: str, note: str | None) -> str:
    """`text: note` (`text：note` in Chinese), or the text alone."""
    return text if not note else f"{text}{'：' if locale == 'zh-CN' else ': '}{note}"


def _seconds_left(line: _Line, now: float) -> float | None:
    """At the pace so far; unknown before anything is done or without a total."""
    spent = now - line.started
    if not line.total or line.done <= 0 or spent <= 0 or line.closed:
        return None
    return round(max(line.total - line.done, 0) * spent / line.done, 1)


def _line_text(shown: dict[str, Any], locale: str) -> str:
    """The job in one line of text: what, how far, how long still."""
    from zhizhi.i18n import translate

    if shown["state"] == "failed":
        return noted(locale, shown["state_text"], shown["error"])
    parts = [shown["what"] or shown["state_text"]]
    if shown["done"] is not None:
        count = (
            translate(locale, "progress.of", done=f"{shown['done']:,}", total=f"{shown['total']:,}")
            if shown["total"]
            else f"{shown['done']:,}"
        )
        parts.append(
            f"{count} {shown['unit']}".strip() + (f" ({shown['percent']} %)" if shown["percent"] is not None else "")
        )
    if shown["state"] == "running" and shown["seconds_left"] is not None:
        parts.append(translate(locale, "progress.left", time=clock_text(shown["seconds_left"])))
    elif shown["state"] == "done":
        parts.append(shown["state_text"])
    return " · ".join(parts)


def clock_text(seconds: float) -> str:
    """Seconds as `m:ss` (or `h:mm:ss`)."""
    whole = int(round(seconds))
    hours, rest = divmod(whole, 3600)
    return f"{hours}:{rest // 60:02d}:{rest % 60:02d}" if hours else f"{rest // 60}:{rest % 60:02d}"


class Board:
    """The jobs started from pages in this process, newest `keep` kept, each read only by its owner."""

    def __init__(self, keep: int = 200, clock: Callable[[], float] = time.monotonic) -> None:
        self.keep, self.clock = keep, clock
        self._jobs: OrderedDict[str, Job] = OrderedDict()
        self._lock = threading.Lock()

    def start(self, owner: str, origin: str | None = None) -> Job:
        """A new job of `owner` (a username), started from the page `origin`."""
        job = Job(secrets.token_urlsafe(12), owner, origin, self.clock, started=self.clock())
        with self._lock:
            self._jobs[job.id] = job
            while len(self._jobs) > self.keep:
                self._jobs.popitem(last=False)
        return job

    def find(self, job_id: str, owner: str) -> Job | None:
        """The job, if `owner` started it."""
        with self._lock:
            job = self._jobs.get(job_id)
        return job if job is not None and job.owner == owner else None

    def run(self, job: Job, work: Callable[[Job], str | None]) -> threading.Thread:
        """Do `work` in a thread of its own; what it returns is the link to what it made. An error of zhizhi's ends
        the job `failed` with its message; any other is logged and reported as unexpected."""
        from zhizhi.errors import ZhizhiError

        def go() -> None:
            try:
                job.finish(work(job))
            except ZhizhiError as exc:
                job.fail(exc.message, exc.message_zh or exc.message)
            except Exception as exc:
                log.exception("job %s failed", job.id)
                job.fail(f"unexpected {type(exc).__name__}: {exc}", f"意外错误 {type(exc).__name__}：{exc}")

        thread = threading.Thread(target=go, name=f"zhizhi-job-{job.id}", daemon=True)
        thread.start()
        return thread
