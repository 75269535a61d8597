"""The CLI contract: commands, --json, exit codes, and one-line errors."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from sqlalchemy import text
from typer.testing import CliRunner

from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.store import make_engine

runner = CliRunner()


def zz(workspace: Workspace | Path, *args: str, input: str | None = None) -> tuple[int, str, str]:
    root = workspace.root if isinstance(workspace, Workspace) else workspace
    result = runner.invoke(app, ["-w", str(root), *args], input=input)
    return result.exit_code, result.stdout, result.stderr


def test_help_lists_every_command_with_a_description() -> None:
    result = runner.invoke(app, ["--help"])
    assert result.exit_code == 0
    for command in ("init", "demo", "serve", "status", "db", "dept", "user", "token", "audit"):
        assert command in result.stdout


def test_init_creates_a_migrated_workspace(tmp_path: Path) -> None:
    result = runner.invoke(app, ["init", str(tmp_path / "ws"), "--name", "某市市场监督管理局"])
    assert result.exit_code == 0, result.output
    code, out, _ = zz(tmp_path / "ws", "db", "current", "--json")
    assert code == 0 and json.loads(out)["up_to_date"] is True
    code, out, _ = zz(tmp_path / "ws", "status", "--json")
    assert json.loads(out)["workspace"]["name"] == "某市市场监督管理局"


def test_people_from_the_command_line(workspace: Workspace) -> None:
    assert zz(workspace, "dept", "add", "SZ", "某市市场监督管理局", "--kind", "bureau", "--division", "450200")[0] == 0
    assert zz(workspace, "dept", "add", "SZ-A", "甲区局", "--kind", "county", "--parent", "SZ")[0] == 0
    code, _, err = zz(
        workspace,
        "user",
        "add",
        "wang",
        "-d",
        "SZ-A",
        "-r",
        "handler",
        "-r",
        "leader",
        "--name",
        "王五",
        "--phone",
        "13800138000",
        "--password-stdin",
        input="a-long-password\n",
    )
    assert code == 0, err
    code, out, _ = zz(workspace, "user", "list", "--json")
    (user,) = json.loads(out)
    assert (user["username"], user["roles"], user["phone"]) == ("wang", ["handler", "leader"], "138****8000")
    assert zz(workspace, "user", "disable", "wang")[0] == 0
    code, out, _ = zz(workspace, "user", "list", "--json")
    assert json.loads(out)[0]["is_active"] is False
    code, out, _ = zz(workspace, "dept", "list", "--json")
    assert [(d["code"], d["depth"]) for d in json.loads(out)] == [("SZ", 0), ("SZ-A", 1)]


def test_tokens_from_the_command_line(workspace: Workspace) -> None:
    zz(workspace, "dept", "add", "SZ", "某局", "--kind", "bureau")
    zz(workspace, "user", "add", "bot", "-d", "SZ", "-r", "steward", "--password-stdin", input="a-long-password\n")
    code, out, _ = zz(workspace, "token", "create", "--user", "bot", "--name", "province-sync", "--json")
    created = json.loads(out)
    assert code == 0 and created["secret"].startswith("zz_")
    assert zz(workspace, "token", "revoke", str(created["id"]))[0] == 0
    code, out, _ = zz(workspace, "token", "list", "--json")
    assert json.loads(out)[0]["revoked"] is True and "secret" not in json.loads(out)[0]


def test_a_password_reset_says_how_many_tokens_it_revoked(workspace: Workspace) -> None:
    zz(workspace, "dept", "add", "SZ", "某局", "--kind", "bureau")
    zz(workspace, "user", "add", "bot", "-d", "SZ", "-r", "steward", "--password-stdin", input="a-long-password\n")
    for name in ("one", "two"):
        zz(workspace, "token", "create", "--user", "bot", "--name", name)
    code, out, _ = zz(workspace, "user", "password", "bot", "--password-stdin", input="another-long-password\n")
    assert code == 0 and "0 session(s) ended, 2 API token(s) revoked" in out
    code, out, _ = zz(workspace, "token", "list", "--json")
    assert [t["revoked"] for t in json.loads(out)] == [True, True]
    code, _, err = zz(workspace, "user", "password", "bot", "--password-stdin", input="Password1234\n")
    assert code != 0 and "most common" in err


def test_audit_verify_finds_a_tampered_row(workspace: Workspace) -> None:
    zz(workspace, "dept", "add", "SZ", "某局", "--kind", "bureau")
    for name in ("a1", "a2", "a3"):
        zz(workspace, "user", "add", name, "-d", "SZ", "-r", "handler", "--password-stdin", input="a-long-password\n")
    code, out, _ = zz(workspace, "audit", "verify", "--json")
    assert code == 0 and json.loads(out)["events"] == 4
    engine = make_engine(workspace.database_url)
    with engine.begin() as connection:
        if engine.dialect.name == "postgresql":
            connection.execute(text("ALTER TABLE audit_events DISABLE TRIGGER audit_events_append_only"))
        else:
            connection.execute(text("DROP TRIGGER audit_events_no_update"))
        connection.execute(text("UPDATE audit_events SET object_id = 'mallory' WHERE seq = 3"))
    engine.dispose()
    code, out, _ = zz(workspace, "audit", "verify")
    assert code == 1 and "broken at event 3" in out
    code, out, _ = zz(workspace, "audit", "verify", "--json")
    assert code == 1 and json.loads(out)["first_bad_seq"] == 3


def test_audit_list_filters(workspace: Workspace) -> None:
    zz(workspace, "dept", "add", "SZ", "某局", "--kind", "bureau")
    code, out, _ = zz(workspace, "audit", "list", "--action", "department.create", "--json")
    events = json.loads(out)
    assert code == 0 and [e["object_id"] for e in events] == ["SZ"] and events[0]["actor"].startswith("cli:")


def test_a_user_error_is_one_line_with_exit_code_1(workspace: Workspace) -> None:
    code, out, err = zz(workspace, "user", "disable", "nobody")
    assert code == 1 and out == ""
    assert err.count("\n") == 1 and err.startswith("error: No user `nobody`")


@pytest.mark.parametrize(
    ("args", "named"),
    [(("targets", "send", "nosuch"), "No target `nosuch`"), (("worker", "nosuch"), "No target `nosuch`"),
     (("quarantine", "replay", "--source", "nosuch"), "No source `nosuch`")],
)  # fmt: skip
def test_a_mistyped_target_or_source_is_said_not_done_for_nothing(
    workspace: Workspace, args: tuple[str, ...], named: str
) -> None:
    """`targets send nosuch` printed `{}` with exit 0, `worker nosuch` ran for ever sending nothing, `quarantine
    replay --source nosuch` replayed 0: each now says the name is unknown and lists the known ones."""
    code, _, err = zz(workspace, *args)
    assert code == 1 and err.startswith(f"error: {named}") and "Known" in err


def test_debug_shows_the_traceback(workspace: Workspace) -> None:
    result = runner.invoke(app, ["-w", str(workspace.root), "--debug", "user", "disable", "nobody"])
    assert result.exit_code == 1 and result.exception is not None and type(result.exception).__name__ == "NotFoundError"


def test_a_wrong_config_key_is_one_clear_line(tmp_path: Path) -> None:
    runner.invoke(app, ["init", str(tmp_path)])
    (tmp_path / "zhizhi.yaml").write_text("servr:\n  port: 1\n", encoding="utf-8")
    code, _, err = zz(tmp_path, "status")
    assert code == 1 and err.count("\n") == 1
    assert "unknown key `servr` (did you mean `server`?)" in err and "zhizhi.yaml" in err


def test_an_unreachable_database_is_one_clear_line(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    runner.invoke(app, ["init", str(tmp_path)])
    monkeypatch.setenv("ZHIZHI_DATABASE_URL", "postgresql://zhizhi@127.0.0.1:1/none")
    code, _, err = zz(tmp_path, "status")
    assert code == 1 and err.count("\n") == 1 and "Cannot connect to database" in err


def test_foreseeable_mistakes_are_said_not_reported_as_unexpected(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A port that is no number in the database URL, `init` on a file, a port out of range: each was an `unexpected
    ValueError / FileExistsError / OverflowError` to report."""
    runner.invoke(app, ["init", str(tmp_path / "ws")])
    monkeypatch.setenv("ZHIZHI_DATABASE_URL", "postgresql://x@127.0.0.1:notaport/x")
    code, _, err = zz(tmp_path / "ws", "status")
    assert code == 1 and "is not a database URL" in err and "unexpected" not in err
    monkeypatch.delenv("ZHIZHI_DATABASE_URL")
    result = runner.invoke(app, ["init", str(tmp_path / "ws" / "zhizhi.yaml")])
    assert result.exit_code == 1 and "is a file, not a folder" in result.stderr
    code, _, _ = zz(tmp_path / "ws", "serve", "--port", "70000")
    assert code == 2


def test_an_unmigrated_database_is_one_clear_line(
    tmp_path: Path, empty_database_url: str, monkeypatch: pytest.MonkeyPatch
) -> None:
    runner.invoke(app, ["init", str(tmp_path / "ws")])
    monkeypatch.setenv("ZHIZHI_DATABASE_URL", empty_database_url)
    code, _, err = zz(tmp_path / "ws", "user", "list")
    assert code == 1 and err.count("\n") == 1 and "Run `zhizhi db upgrade`" in err
    code, out, _ = zz(tmp_path / "ws", "db", "upgrade", "--json")
    assert code == 0 and json.loads(out)["from"] is None
    assert zz(tmp_path / "ws", "user", "list")[0] == 0


def test_usage_errors_exit_2(tmp_path: Path) -> None:
    assert runner.invoke(app, ["user", "add"]).exit_code == 2
    assert runner.invoke(app, ["no-such-command"]).exit_code == 2


def test_demo_never_touches_a_configured_database(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIZHI_DATABASE_URL", "postgresql://prod@127.0.0.1:1/zhizhi")
    result = runner.invoke(app, ["demo", str(tmp_path / "demo"), "--no-serve"])
    assert result.exit_code == 1 and "runs on its own SQLite file" in result.stderr


def test_serving_on_a_taken_port_is_one_clear_line(tmp_path: Path) -> None:
    import socket

    runner.invoke(app, ["init", str(tmp_path)])
    with socket.socket() as taken:
        taken.bind(("127.0.0.1", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, _, err = zz(tmp_path, "serve", "--port", str(port))
    assert code == 1 and err.count("\n") == 1 and f"Cannot listen on 127.0.0.1:{port}" in err


def test_serving_plain_http_to_the_network_needs_a_flag(tmp_path: Path) -> None:
    import socket

    runner.invoke(app, ["init", str(tmp_path)])
    code, _, err = zz(tmp_path, "serve", "--host", "0.0.0.0")
    assert code == 1 and "`0.0.0.0` is reachable from the network" in err and "server.secure_cookies" in err
    with socket.socket() as taken:  # with the flag it goes on, to the port check, so the test does not serve
        taken.bind(("0.0.0.0", 0))
        taken.listen()
        port = taken.getsockname()[1]
        code, out, err = zz(tmp_path, "serve", "--host", "0.0.0.0", "--port", str(port), "--insecure-network")
    assert "Warning:" in out and "--insecure-network" in out and f"Cannot listen on 0.0.0.0:{port}" in err


@pytest.mark.parametrize(
    ("host", "loopback"),
    [
        ("127.0.0.1", True),
        ("localhost", True),
        ("::1", True),
        ("[::1]", True),
        ("0.0.0.0", False),
        ("::", False),
        ("10.1.2.3", False),
        ("zhizhi.example", False),
    ],
)
def test_which_addresses_are_loopback(host: str, loopback: bool) -> None:
    from zhizhi.cli.workspace import _is_loopback

    assert _is_loopback(host) is loopback


def test_a_command_loads_only_its_own_module() -> None:
    """Every CLI call pays for what it imports: `zhizhi ingest` must not load the seals' PDF signing, the reports'
    workbooks, the web pages or the other commands' modules (a department's small ingest a second beside a worker
    depends on a light start)."""
    import subprocess
    import sys

    script = (
        "import sys\n"
        "from typer.testing import CliRunner\n"
        "from zhizhi.cli.main import app\n"
        "result = CliRunner().invoke(app, ['ingest', '--help'])\n"
        "assert result.exit_code == 0, result.output\n"
        "print(' '.join(sorted(m for m in sys.modules if m.startswith(('zhizhi.cli.', 'pyhanko', 'openpyxl',"
        " 'fastapi', 'zhizhi.web', 'zhizhi.seals')))))\n"
    )
    done = subprocess.run([sys.executable, "-c", script], capture_output=True, text=True, timeout=120, check=True)
    loaded = set(done.stdout.split())
    assert "zhizhi.cli.ingest" in loaded
    heavy = {m for m in loaded if m.startswith(("pyhanko", "openpyxl", "fastapi", "zhizhi.web", "zhizhi.seals"))}
    assert not heavy, sorted(heavy)
    others = {"zhizhi.cli.seal", "zhizhi.cli.reports", "zhizhi.cli.inspections", "zhizhi.cli.cases"} & loaded
    assert not others, sorted(others)


@pytest.mark.parametrize(
    "raised",
    [KeyboardInterrupt(), RuntimeError("Query interrupted"), ValueError("Error executing the following sql")],
    ids=["ctrl-c", "duckdb", "splink-around-it"],
)
def test_ctrl_c_inside_a_library_is_an_interruption_not_a_bug(
    workspace: Workspace, monkeypatch: pytest.MonkeyPatch, raised: BaseException
) -> None:
    """Ctrl+C during `zhizhi resolve` came back as `unexpected SplinkException ... (rerun with --debug)`: DuckDB turns
    the signal into its own error, and Splink wraps that. Said as an interruption, exit 130."""
    import zhizhi.cli.register as register_cli

    if isinstance(raised, ValueError):
        raised.__cause__ = RuntimeError("INTERRUPT Error: Interrupted!")

    def interrupted(*args: object, **kwargs: object) -> None:
        raise raised

    monkeypatch.setattr(register_cli, "run_resolution", interrupted)
    code, _, err = zz(workspace, "resolve")
    assert code == 130 and err.startswith("interrupted (Ctrl+C)") and "unexpected" not in err
