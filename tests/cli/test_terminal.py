"""A terminal that reads well at 80 columns: tables wrap text or leave columns out but never cut a number; cells
print as text, never as Python reprs; `zhizhi status` is tables; flags show no `<bool>`; an empty search says so."""

from __future__ import annotations

import json
import re
from pathlib import Path
from typing import Any

import pytest
import typer.main
import yaml
from rich.cells import cell_len
from rich.console import Console
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from zhizhi.cli.main import app
from zhizhi.cli.table import Table, as_text
from zhizhi.config import Workspace

runner = CliRunner()
COLUMNS = {"COLUMNS": "80", "LC_ALL": "C"}


def zz(workspace: Workspace, *args: str, env: dict[str, str] | None = None) -> tuple[int, str]:
    result = runner.invoke(app, ["-w", str(workspace.root), *args], env=COLUMNS | (env or {}))
    return result.exit_code, result.stdout


def _fits(text: str, width: int = 80) -> None:
    wide = [line for line in text.splitlines() if cell_len(line) > width]
    assert not wide, f"{len(wide)} lines wider than {width} columns, e.g. {wide[0]!r}"


def _printed(table: Table, width: int = 80) -> str:
    console = Console(width=width, record=True, force_terminal=False, color_system=None)
    console.print(table)
    return console.export_text()


@pytest.mark.parametrize(
    ("value", "text"),
    [
        (None, ""),
        (True, "yes"),
        (2925, "2925"),
        (0.98323, "0.9832"),
        ({"name": "字号相同（+14.1）", "phone": "相同（+9.2）"}, "name: 字号相同（+14.1）; phone: 相同（+9.2）"),
        (["dengji", "food"], "dengji, food"),
        ({"reasons": ["a", "b"], "rows": {"read": 3}}, "reasons: a, b; rows: read: 3"),
        ("已送达", "已送达"),
    ],
)
def test_a_cell_reads_as_text(value: object, text: str) -> None:
    assert as_text(value) == text


def test_a_wide_table_fits_80_columns_and_never_cuts_a_number() -> None:
    headers = ("target", "title", "owed", "delivered", "acknowledged", "rejected", "withheld", "pending", "dead")
    table = Table(*headers)
    figures = [(29_250_000, 24_740_000, 23_600_000, 114_000, 451_000, 0, 12)]
    for n, row in enumerate(figures * 3):
        table.add_row(f"province{n}", "广西市场监管一体化平台（省级数据共享交换）", *(f"{v:,}" for v in row))
    printed = _printed(table)
    _fits(printed)
    for value in figures[0]:
        if f"{value:,}" in printed or value < 1000:
            continue
        raise AssertionError(f"{value:,} was cut or left out silently:\n{printed}")
    assert "left out to fit 80 columns: title" in printed  # what went, said


def test_long_text_wraps_and_the_first_column_stays() -> None:
    table = Table("id", "problem", "row")
    table.add_row(7, "「行业代码」611099 不在代码表 liuzhou-business-format 的现行版本中，" * 4, 1204)
    printed = _printed(table, 40)
    _fits(printed, 40)
    assert "1204" in printed and re.search(r"\b7\b", printed) and "611099" in printed


def test_a_structured_cell_prints_as_text_not_a_repr() -> None:
    table = Table("pair", "why")
    table.add_row(1, {"name": "字号与行业相同（+14.1）", "phone": "相同（+9.2）"})
    printed = _printed(table)
    assert "name: 字号与行业相同（+14.1）" in printed and "{" not in printed and "'" not in printed


def test_status_is_tables_that_fit_and_warn_while_public_url_is_unset(
    workspace: Workspace, city: sessionmaker[Session]
) -> None:
    code, out = zz(workspace, "status")
    assert code == 0
    _fits(out)
    assert "{" not in out and "}" not in out and "[" not in out, out
    assert re.search(r"schema\s+\d{4} \(up to date\)", out) and "people" in out and "departments" in out
    assert "web.public_url is not set" in out
    flat = " ".join(out.split())  # Beijing time, as every time shown to a person, not the UTC of the JSON form
    assert re.search(r"the last at \d{4}-\d\d-\d\d \d\d:\d\d:\d\d", flat) and "Z " not in flat, flat
    code, out = zz(workspace, "status", env={"LC_ALL": "zh_CN.UTF-8"})
    assert "未设置web.public_url" in "".join(out.split())
    path = workspace.root / "zhizhi.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8")) | {"web": {"public_url": "https://zz.example.gov.cn"}}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    code, out = zz(workspace, "status")
    assert code == 0 and "public_url is not set" not in out and "https://zz.example.gov.cn" in out
    code, out = zz(workspace, "status", "--json")
    assert code == 0 and '"public_url": "https://zz.example.gov.cn"' in out


def _commands(group: Any, path: tuple[str, ...] = ()) -> list[tuple[str, ...]]:
    found = [path]
    for name in group.list_commands(None):
        command = group.get_command(None, name)
        if hasattr(command, "list_commands"):  # a group
            found += _commands(command, (*path, name))
        else:
            found.append((*path, name))
    return found


def test_no_help_shows_bool_for_a_flag() -> None:
    commands = _commands(typer.main.get_command(app))
    assert len(commands) > 40
    for path in commands:
        result = runner.invoke(app, [*path, "--help"], env=COLUMNS)
        assert result.exit_code == 0, (path, result.output)
        assert "<bool>" not in result.stdout, " ".join(path)
        _fits(result.stdout)
    assert "--json" in runner.invoke(app, ["status", "--help"], env=COLUMNS).stdout


def test_the_targets_table_fits_80_columns_and_says_what_it_left_out(workspace: Workspace) -> None:
    """`targets list` printed every cell cut short (`pr…`, `广…`) at 80 columns, saying nothing: now text wraps,
    codes and figures stay whole, and the columns that cannot fit are named."""
    (workspace.root / "targets" / "province.yaml").write_text(
        "name: province\ntitle: 广西市场监管一体化平台\nowner: LZ-XY\nrecord_types: [entity]\nfields:\n  QYMC: name\n"
        "transport:\n  kind: http\n  url: http://127.0.0.1:9/records\n",
        encoding="utf-8",
    )
    code, out = zz(workspace, "targets", "list")
    assert code == 0 and "…" not in out and "left out to fit 80 columns" in out  # wrapped, never cut
    assert "acknowledged" in out and "LZ-XY" in out
    _fits(out)


def test_an_empty_search_says_no_match(workspace: Workspace, city: sessionmaker[Session]) -> None:
    code, out = zz(workspace, "entities", "search", "没有这家企业")
    assert code == 0 and out.strip() == "No match for `没有这家企业`."
    code, out = zz(workspace, "entities", "search", "没有这家企业", env={"LC_ALL": "zh_CN.UTF-8"})
    assert code == 0 and out.strip() == "没有匹配「没有这家企业」的结果。"


def test_demo_loads_the_city_once_ends_with_the_command_to_serve_and_a_rerun_says_what_is_open(
    tmp_path: Path,
) -> None:
    where = str(tmp_path / "demo")
    first = runner.invoke(app, ["demo", where, "--no-serve"], env=COLUMNS)
    assert first.exit_code == 0, first.output
    assert "Loaded the demo city" in first.stdout and "zhizhi-demo-2026" in first.stdout
    assert first.stdout.strip().splitlines()[-1] == f"To serve it (with the province's stand-in): zhizhi demo {where}"
    assert "\x1b[" not in first.stdout and "━" not in first.stdout  # no bars outside a terminal
    people = runner.invoke(app, ["-w", where, "user", "list", "--json"]).stdout
    again = runner.invoke(app, ["demo", where, "--no-serve"], env=COLUMNS)
    assert again.exit_code == 0 and "Reusing the demo city" in again.stdout
    still = re.search(r"Still open for review: ([\d,]+) pairs of records .* and ([\d,]+) codes", again.stdout, re.S)
    assert still is not None, again.stdout
    assert int(still[2].replace(",", "")) > 0
    users = runner.invoke(app, ["-w", where, "user", "list", "--json"])
    assert users.exit_code == 0 and len(json.loads(users.stdout)) == len(json.loads(people)) > 5  # loaded once


def _serve_says(root: Path) -> str:
    """What `zhizhi serve` prints as it starts (a real process on a free port, stopped once it has said it)."""
    import os
    import signal
    import socket
    import subprocess
    import sys
    import time

    for _ in range(3):  # a free port may be taken by another process before the server binds it: another port
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            port = probe.getsockname()[1]
        env = os.environ | COLUMNS | {"ZHIZHI_WORKSPACE": str(root)}
        serve = subprocess.Popen(
            [sys.executable, "-m", "zhizhi", "serve", "--port", str(port)],
            env=env,
            stdout=subprocess.PIPE,
            text=True,
        )
        try:
            deadline, said = time.monotonic() + 120, ""  # a loaded machine starts a process slowly
            while "(Ctrl+C to stop)" not in said and time.monotonic() < deadline:
                line = serve.stdout.readline() if serve.stdout else ""
                if not line and serve.poll() is not None:
                    break  # it ended before saying so (the port was taken)
                said += line
            if "(Ctrl+C to stop)" in said:
                return said + (serve.stdout.readline() if serve.stdout else "")  # the public address or the warning
        finally:
            serve.send_signal(signal.SIGINT)
            try:
                serve.wait(timeout=60)
            except subprocess.TimeoutExpired:
                serve.kill()
                serve.wait()
    return said


def test_serve_says_where_people_open_it_or_warns(tmp_path: Path) -> None:
    root = tmp_path / "ws"
    assert runner.invoke(app, ["init", str(root)]).exit_code == 0
    said = _serve_says(root)
    assert "is serving" in said and "web.public_url is not set" in said
    path = root / "zhizhi.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8")) | {"web": {"public_url": "https://zz.example.gov.cn"}}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    said = _serve_says(root)
    assert "open it at https://zz.example.gov.cn/" in said and "not set" not in said
