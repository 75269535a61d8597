"""Read ahead: run a generator in a background thread, a bounded number of items ahead of its consumer.

Ingest reads and maps the next chunk while the caller's thread writes the current one to the database (the
database driver and polars release the interpreter lock while they work). The queue bound keeps memory flat;
an error in the generator is raised in the consumer, and a consumer that stops early stops the generator.
A reading may be made before it starts (`start=False`): a run of several files starts the next file's reading when
the current one's is done (`then`), while the current file's last chunks are still written.
"""

from __future__ import annotations

import queue
import threading
from collections.abc import Callable, Iterator
from typing import Generic, TypeVar

T = TypeVar("T")
_DONE = object()


class _Failure:
    def __init__(self, error: BaseException) -> None:
        self.error = error


class ReadAhead(Generic[T]):
    """Iterate over `produce()` run in a background thread, at most `ahead` items in advance."""

    def __init__(
        self,
        produce: Callable[[], Iterator[T]],
        ahead: int = 2,
        *,
        start: bool = True,
    ) -> None:
        self._queue: queue.Queue[object] = queue.Queue(maxsize=ahead)
        self._stop = threading.Event()
        self._then: Callable[[], None] | None = None  # see `then`
        self._finished = False
        self._thread = threading.Thread(target=self._run, args=(produce,), name="zhizhi-read-ahead", daemon=True)
        self._lock = threading.Lock()
        if start:
            self.start()

    def start(self) -> None:
        """Start the background thread (once; later calls, and calls after `close`, do nothing)."""
        with self._lock:
            if self._thread.ident is None and not self._stop.is_set():
                self._thread.start()

    def _put(self, item: object) -> bool:
        while not self._stop.is_set():
            try:
                self._queue.put(item, timeout=0.1)
                return True
            except queue.Full:
                continue
        return False

    def _run(self, produce: Callable[[], Iterator[T]]) -> None:
        try:
            for item in produce():
                if not self._put(item):
                    return
        except BaseException as error:  # noqa: BLE001 - handed to the consumer, who raises it
            self._done()
            self._put(_Failure(error))
            return
        self._done()
        self._put(_DONE)

    def then(self, callback: Callable[[], None]) -> None:
        """Call `callback` once `produce` is exhausted or failed (in the background thread), or now if it is."""
        with self._lock:
            finished, self._then = self._finished, callback
        if finished:
            callback()

    def _done(self) -> None:
        with self._lock:
            self._finished, callback = True, self._then
        if callback is not None:
            callback()

    def __iter__(self) -> Iterator[T]:
        self.start()
        try:
            while True:
                item = self._queue.get()
                if item is _DONE:
                    return
                if isinstance(item, _Failure):
                    raise item.error
                yield item  # type: ignore[misc]
        finally:
            self.close()

    def close(self) -> None:
        """Stop the producer (if still running) and wait for its thread (if it was started)."""
        with self._lock:
            self._stop.set()
            started = self._thread.ident is not None
        if started:
            self._thread.join()
