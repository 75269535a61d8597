"""pyHanko's synchronous calls run their own event loop (`asyncio.run`), which fails in a thread where one is
running already (an async web handler, a test session with a browser driver): such calls go to a worker thread."""

from __future__ import annotations

import asyncio
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor
from typing import ParamSpec, TypeVar

P = ParamSpec("P")
T = TypeVar("T")


def off_the_loop(function: Callable[P, T], *args: P.args, **kwargs: P.kwargs) -> T:
    """`function(*args, **kwargs)`, in this thread when no event loop runs in it, else in a worker thread."""
    try:
        asyncio.get_running_loop()
    except RuntimeError:
        return function(*args, **kwargs)
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="zhizhi-seal") as pool:
        return pool.submit(function, *args, **kwargs).result()
