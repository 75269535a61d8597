"""Commands for the workspace as a whole: init, serve, status (and `zhizhi demo`, from `zhizhi.cli.demo`)."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path
from typing import Any

import typer
from rich.markup import escape

from zhizhi.cli.common import JsonOption, Table, console, emit, open_engine, operator, reading, workspace_of
from zhizhi.codes import install_builtin
from zhizhi.config import Workspace, init_workspace
from zhizhi.dashboard import overview
from zhizhi.errors import ConfigError, InputError
from zhizhi.i18n import cli_locale, translate
from zhizhi.store import make_sessionmaker, upgrade
from zhizhi.store.types import local_text_of

INSECURE_HELP = "Serve plain HTTP on a network address although cookies are not marked Secure (prints a warning)."


def init(
    directory: Path = typer.Argument(..., help="Folder to create (or complete) as a workspace."),
    name: str = typer.Option("市场监督管理局", "--name", help="The bureau's name, shown in the UI."),
) -> None:
    """Create a workspace: zhizhi.yaml, its folders and a migrated database."""
    workspace = init_workspace(directory, name=name)
    engine = open_engine(workspace, check=False)
    revision = upgrade(engine)
    with make_sessionmaker(engine)() as session, session.begin():
        install_builtin(session, operator())
    engine.dispose()
    console.print(f"Workspace ready at [bold]{workspace.root}[/] (schema {revision}).")
    console.print(
        f"Next: [bold]zhizhi -w {directory} dept add CODE NAME --kind bureau[/], then "
        f"[bold]zhizhi -w {directory} user add NAME --department CODE --role admin[/]"
    )


def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address to listen on (default: server.host)."),
    port: int | None = typer.Option(None, "--port", min=1, max=65535, help="TCP port (default: server.port)."),
    insecure_network: bool = typer.Option(False, "--insecure-network", help=INSECURE_HELP),
) -> None:
    """Migrate the database if needed and serve the web UI and the API."""
    workspace = workspace_of(ctx)
    host, port = host or workspace.config.server.host, port or workspace.config.server.port
    check_network(host, workspace, insecure_network)
    check_port_free(host, port)
    engine = open_engine(workspace, check=False)
    upgrade(engine)
    engine.dispose()
    serve_workspace(workspace, host, port)


def status(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Show the workspace's state: database, schema, counts, configuration files."""
    with reading(ctx) as (workspace, session):
        state = overview(session, workspace, operator())
    public_url = workspace.config.web.public_url
    state["workspace"]["public_url"] = public_url
    emit(state, as_json, lambda: _show_status(state, public_url))


def serve_workspace(workspace: Workspace, host: str, port: int) -> None:
    """Serve the web UI and the API (with the sending workers, unless `delivery.workers_in_serve` is off) until
    stopped; says where, and warns while `web.public_url` is unset."""
    import uvicorn

    from zhizhi.cli.worker import make_worker
    from zhizhi.web.app import create_app

    app = create_app(workspace)
    console.print(
        f"zhizhi is serving [bold]{workspace.config.name}[/] at [bold]http://{host}:{port}/[/] (Ctrl+C to stop)"
    )
    public_url = workspace.config.web.public_url
    if public_url:
        console.print(f"People on other machines open it at [bold]{public_url}/[/] (web.public_url).")
    _warn_without_public_url(public_url)
    sending = None
    if workspace.config.delivery.workers_in_serve:
        sending = make_worker(workspace, app.state.context.sessions)
        sending.start()
    try:
        uvicorn.run(app, host=host, port=port, log_level="warning")
    finally:
        if sending is not None:
            sending.stop.set()


def check_network(host: str, workspace: Workspace, insecure_network: bool) -> None:
    """Refuse to serve passwords and session cookies as plain HTTP to a network, unless told to."""
    if _is_loopback(host) or workspace.config.server.secure_cookies:
        return
    why = (
        f"`{host}` is reachable from the network, and `server.secure_cookies` is off: passwords and session cookies "
        "would cross it in clear text."
    )
    why_zh = f"`{host}` 可从网络访问，而 `server.secure_cookies` 未开启：密码和会话 Cookie 将以明文在网络上传输。"
    if not insecure_network:
        raise ConfigError(
            f"{why} Put zhizhi behind an HTTPS proxy and set `server.secure_cookies: true` in zhizhi.yaml, or listen "
            "on 127.0.0.1; pass `--insecure-network` only on a network you trust.",
            zh=f"{why_zh} 请把 zhizhi 放在 HTTPS 代理之后并在 zhizhi.yaml 中设置 `server.secure_cookies: true`，"
            "或只监听 127.0.0.1；仅在可信的网络中使用 `--insecure-network`。",
        )
    console.print(f"[bold yellow]Warning:[/] {why} Serving anyway (--insecure-network).")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any address


def check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError(
                f"Cannot listen on {host}:{port} ({exc.strerror}). Stop what uses it or pass `--port N`.",
                zh=f"无法监听 {host}:{port}（{exc.strerror}）。请停止占用它的程序，或用 `--port 端口` 换一个端口。",
            ) from None


def _show_status(state: dict[str, Any], public_url: str | None) -> None:
    """The workspace as three tables: the workspace itself, what came in, and per target what became of it."""
    workspace, database, counts, files = state["workspace"], state["database"], state["counts"], state["files"]
    revision, head = database["schema_revision"], database["schema_head"]
    facts = Table("", "", show_header=False, box=None, title="workspace", title_justify="left")
    for name, value in (
        ("name", workspace["name"]),
        ("folder", workspace["root"]),
        ("web address", public_url or "(web.public_url not set)"),
        ("signing key", workspace["signing_key"] or "(none yet)"),
        ("database", f"{database['backend']} {database['url']}"),
        ("schema", revision + (" (up to date)" if revision == head else f" (latest {head}: zhizhi db upgrade)")),
        (
            "people",
            f"{counts['departments']:,} departments, {counts['active_users']:,} active users, "
            f"{counts['active_tokens']:,} active API tokens",
        ),  # fmt: skip
        ("audit trail", f"{counts['audit_events']:,} events, the last at "
                        f"{local_text_of(state['last_audit_event_at']) or '-'}"),  # fmt: skip
        ("files", ", ".join(f"{count:,} {folder}" for folder, count in files.items())),
    ):
        facts.add_row(name, value)
    if behind := state["builtin_reports_behind"]:
        facts.add_row("reports", f"[yellow]{len(behind)} built-in definition(s) behind this version "
                                 f"({', '.join(behind)}): zhizhi reports install[/]")  # fmt: skip
    console.print(facts)
    data = state.get("data")
    if data:
        rows = data["rows"]
        intake = Table("", "", show_header=False, box=None, title="data", title_justify="left")
        intake.add_row(
            "rows",
            f"{data['batches']:,} batches: read {rows['read']:,} = accepted {rows['accepted']:,} + quarantined "
            f"{rows['quarantined']:,} + skipped {rows['skipped']:,}; {data['quarantine_open']:,} in quarantine",
        )
        intake.add_row("records", ", ".join(f"{kind} {count:,}" for kind, count in data["records"].items()))
        console.print(intake)
        _show_deliveries(data["deliveries"])
    _warn_without_public_url(public_url)


def _show_deliveries(funnels: list[dict[str, Any]]) -> None:
    """One row per figure, one column per target (a bureau has a handful of targets and many figures)."""
    if not funnels:
        return
    table = Table("deliveries", *(f["target"] for f in funnels), title="deliveries by target", title_justify="left")
    figures = [key for key, value in funnels[0].items() if isinstance(value, int) and not isinstance(value, bool)]
    for figure in figures:
        table.add_row(figure, *(f"{f.get(figure, 0):,}" for f in funnels))
    console.print(table)
    console.print("  " + "; ".join(f"{f['target']}: {f['title']}" for f in funnels if f.get("title")), style="dim")
    for f in funnels:
        if f.get("retrying"):
            console.print(
                f"[bold yellow]{escape(f['target'])}[/]: {f['retrying']:,} pending are tried again after failing; "
                f"the latest error ({local_text_of(f['retry_error_at'])}): {escape((f['retry_error'] or '')[:300])}"
            )


def _warn_without_public_url(public_url: str | None) -> None:
    """While `web.public_url` is unset, say that the QR codes lead nowhere off this machine."""
    if public_url is None:
        console.print(f"[yellow]{escape(translate(cli_locale(), 'cli.public_url_unset'))}[/]")
