"""YAML read with dates left as text: a day that cannot be is named by its key by the model that reads it, in every
file zhizhi takes (a task, a visit's results, a calendar, the workspace's files)."""

from __future__ import annotations

import pytest

from zhizhi.config import load_yaml
from zhizhi.errors import ZhizhiError
from zhizhi.inspections.results import parse_entry
from zhizhi.tasks.spec import read_task_bytes


def test_dates_stay_text_for_the_model_to_read() -> None:
    assert load_yaml("day: 2026-12-06\nat: 2026-12-06 09:30:00\nn: 3\n") == {
        "day": "2026-12-06", "at": "2026-12-06 09:30:00", "n": 3}  # fmt: skip


@pytest.mark.parametrize(
    ("read", "text", "key"),
    [
        (lambda data: read_task_bytes(data, "t.yaml"), "title: 核查\nstart: 2026-12-32\n", "start"),
        (lambda data: parse_entry(load_yaml(data.decode()), "`r.yaml`"), "inspected_on: 2026-13-06\n", "inspected_on"),
    ],
)
def test_a_day_that_cannot_be_is_named_by_its_key_not_a_crash(read: object, text: str, key: str) -> None:
    """`inspected_on: 2026-13-06` crashed with `unexpected ValueError: month must be in 1..12` (YAML made the date)."""
    with pytest.raises(ZhizhiError) as raised:
        read(text.encode())  # type: ignore[operator]
    assert key in str(raised.value.message)
