"""Ids, offsets and counts given on the command line are bounded by what the store holds (its INTEGER columns):
a larger number is a usage error naming the bound, never the database's "integer out of range" or Python's
"int too large to convert", on SQLite and PostgreSQL."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import typer
from typer.testing import CliRunner

from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.store import MAX_ID

runner = CliRunner()

# Each command with `{n}` where it takes an id, offset or count, and its exit code for an n the store can hold.
COMMANDS: list[tuple[str, int]] = [
    ("batches show {n}", 1),
    ("batches rows {n}", 1),
    ("quarantine list --batch {n}", 0),
    ("quarantine list --offset {n}", 0),
    ("quarantine show {n}", 1),
    ("quarantine replay {n}", 1),
    ("cases list --offset {n}", 0),
    ("cases confirm {n}", 1),
    ("cases split {n} --reason 理由", 1),
    ("records list --offset {n}", 0),
    ("records history {n}", 1),
    ("ledger proof {n}", 1),
    ("ledger proof --delivery {n}", 1),
    ("entities show {n}", 1),
    ("review merge --record 1 --record {n} --reason 理由", 1),
    ("review undo {n} --reason 理由", 1),
    ("token revoke {n}", 1),
    ("targets token revoke {n}", 1),
    ("codes review list --offset {n}", 0),
    ("codes review release {n}", 1),
    ("tasks list --offset {n}", 0),
    ("tasks overdue --offset {n}", 0),
    ("tasks accept {n}", 1),
    ("inspections targets show {n}", 1),
    ("reconcile deliveries --offset {n}", 0),
]


def _run(workspace: Workspace, command: str, n: int) -> Any:
    args = ["-w", str(workspace.root), *command.format(n=n).split()]
    return runner.invoke(app, args, env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8", "COLUMNS": "200"})


def test_an_id_or_offset_beyond_the_store_is_a_usage_error_and_the_largest_it_holds_is_answered(
    workspace: Workspace,
) -> None:
    wrong = []
    for command, code in COMMANDS:
        beyond = _run(workspace, command, MAX_ID + 1)
        if beyond.exit_code != 2 or str(MAX_ID) not in beyond.stderr:
            wrong.append(f"{command} with {MAX_ID + 1}: exit {beyond.exit_code}: {beyond.stderr.strip()[:200]}")
        largest = _run(workspace, command, MAX_ID)
        if largest.exit_code != code or "unexpected" in largest.stderr:
            wrong.append(f"{command} with {MAX_ID}: exit {largest.exit_code}: {largest.stderr.strip()[:200]}")
    assert not wrong, "\n".join(wrong)


def _commands() -> Iterator[tuple[str, Any]]:
    group = typer.main.get_command(app)
    context = group.make_context("zhizhi", ["status"], resilient_parsing=True)

    def walk(command: Any, path: str) -> Iterator[tuple[str, Any]]:
        names = command.list_commands(context) if hasattr(command, "list_commands") else []
        for name in names:
            yield from walk(command.get_command(context, name), f"{path} {name}".strip())
        if not names:
            yield path, command

    yield from walk(group, "")


def test_every_integer_a_command_takes_is_bounded_by_what_the_store_holds() -> None:
    integers, unbounded = 0, []
    for path, command in _commands():
        for param in command.params:
            annotation = param.type_descriptor.annotation
            if annotation not in (int, list[int], int | None):
                continue
            integers += 1
            if param.min is None or param.max is None or param.max > MAX_ID:
                unbounded.append(f"zhizhi {path} {param.opts[0]}: {param.min} .. {param.max}")
    assert integers > 40  # the walk saw the commands' integers
    assert not unbounded, "bound these (`id_argument`, `id_option`, `OffsetOption`, or min/max):\n" + "\n".join(
        unbounded
    )
