"""Commands for the workspace as a whole: init, demo, serve, status."""

from __future__ import annotations

import ipaddress
import socket
from pathlib import Path

import typer
from rich.table import Table
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.cli.common import JsonOption, console, emit, open_engine, operator, transaction, workspace_of
from zhizhi.codes import install_builtin
from zhizhi.config import Workspace, init_workspace
from zhizhi.dashboard import overview
from zhizhi.delivery import load_targets
from zhizhi.delivery.outbox import STATUSES, delivery_counts
from zhizhi.delivery.send import SendReport
from zhizhi.demo import DEMO_PASSWORD, load_demo
from zhizhi.demo.delivery import province_store, send_due, write_demo_targets
from zhizhi.demo.desk import run_demo_desk
from zhizhi.demo.ingest import demo_today
from zhizhi.demo.province import ProvincePlatform
from zhizhi.demo.reports import run_demo_reports
from zhizhi.errors import ConfigError, InputError
from zhizhi.resolve.cache import features_cache
from zhizhi.resolve.run import resolve
from zhizhi.store import make_sessionmaker, upgrade

INSECURE_HELP = "Serve plain HTTP on a network address although cookies are not marked Secure (prints a warning)."


def register(app: typer.Typer) -> None:
    """Add the workspace commands to the top level of `app`."""
    app.command("init")(init)
    app.command("demo")(demo)
    app.command("serve")(serve)
    app.command("status")(status)


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


def demo(
    directory: Path = typer.Argument(Path("zhizhi-demo"), help="Where to create the demo workspace."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", help="TCP port."),
    serve_it: bool = typer.Option(True, "--serve/--no-serve", help="Serve the dashboard after loading."),
    insecure_network: bool = typer.Option(False, "--insecure-network", help=INSECURE_HELP),
) -> None:
    """Build the demo city in DIRECTORY (SQLite), deliver its records to its two platforms, print a login, and serve
    the dashboard (with the province's platform listening)."""
    workspace = init_workspace(directory, name="柳州市市场监督管理局")
    if not workspace.has_own_database:
        raise ConfigError(
            "`zhizhi demo` runs on its own SQLite file and never on a configured database (its users have a "
            "published password). Unset ZHIZHI_DATABASE_URL and `database.url`, or use `zhizhi init`."
        )
    if serve_it:
        check_network(host, workspace, insecure_network)
        _check_port_free(host, port)
    engine = open_engine(workspace, check=False)
    upgrade(engine)
    province = ProvincePlatform(province_store(workspace.root)).start()
    try:
        write_demo_targets(workspace.root, province.url)
        with make_sessionmaker(engine)() as session, session.begin():
            install_builtin(session, operator())
            created = load_demo(session, operator(), workspace.root)
        console.print(("Loaded" if created else "Reusing") + f" the demo city in [bold]{workspace.root}[/].")
        _resolve_demo(make_sessionmaker(engine), workspace)
        _desk_demo(make_sessionmaker(engine), workspace)
        run_demo_reports(make_sessionmaker(engine), workspace, demo_today())
        _send_demo(make_sessionmaker(engine), workspace.root)
        engine.dispose()
        console.print(
            f"Sign in as [bold]leader[/] (or steward, admin, auditor, zhongnan) with password [bold]{DEMO_PASSWORD}[/]"
        )
        if serve_it:
            console.print(f"The province's platform (a stand-in) listens at {province.url} while zhizhi serves.")
            _serve(workspace, host, port)
    finally:
        province.stop()


def _resolve_demo(sessions: sessionmaker[Session], workspace: Workspace) -> None:
    """File the demo's records into the register (主体库), so its entity pages have something to show."""
    with console.status("Resolving the register…") as status, sessions() as session, session.begin():
        report = resolve(
            session,
            operator(),
            workspace.config.resolve,
            progress=lambda step: status.update(step),
            cache=features_cache(workspace.root),
        )
    console.print(
        f"The register: {report.entities:,} entities from {report.records_read:,} records, "
        f"{report.review_new:,} pairs for review."
    )


def _desk_demo(sessions: sessionmaker[Session], workspace: Workspace) -> None:
    """Put the demo's hotline tickets into cases and handle the older ones (the register must be filed first)."""
    with console.status("The hotline desk…"), sessions() as session, session.begin():
        desk = run_demo_desk(session, operator(), workspace.root, demo_today())
    if desk.tickets:
        console.print(
            f"The hotline desk: {desk.tickets:,} tickets in {desk.cases:,} cases ({desk.merged:,} merged on their "
            f"own, {desk.suggested:,} suggestions for a handler), {desk.decisions:,} decisions, "
            f"{desk.answers:,} answers owed."
        )


def _send_demo(sessions: sessionmaker[Session], root: Path) -> None:
    """Send the demo's targets everything due, then show each target's deliveries by state."""
    claimed: dict[str, int] = {}
    with console.status("Sending to the demo's platforms…") as status:

        def progress(name: str, report: SendReport) -> None:
            claimed[name] = claimed.get(name, 0) + report.claimed
            status.update(f"Sending to {name}: {claimed[name]:,} deliveries…")

        send_due(sessions, root, progress)
    with sessions() as session:
        counts = delivery_counts(session, operator())
    for target in load_targets(root):
        figures = counts.get(target.name, dict.fromkeys(STATUSES, 0))
        shown = " · ".join(f"{figures[state]:,} {state}" for state in STATUSES if figures[state])
        console.print(f"[bold]{target.name}[/] ({target.title}): {sum(figures.values()):,} owed · {shown or 'none'}")


def serve(
    ctx: typer.Context,
    host: str | None = typer.Option(None, "--host", help="Address to listen on (default: server.host)."),
    port: int | None = typer.Option(None, "--port", help="TCP port (default: server.port)."),
    insecure_network: bool = typer.Option(False, "--insecure-network", help=INSECURE_HELP),
) -> None:
    """Migrate the database if needed and serve the web UI and the API."""
    workspace = workspace_of(ctx)
    host, port = host or workspace.config.server.host, port or workspace.config.server.port
    check_network(host, workspace, insecure_network)
    _check_port_free(host, port)
    engine = open_engine(workspace, check=False)
    upgrade(engine)
    engine.dispose()
    _serve(workspace, host, port)


def status(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Show the workspace's state: database, schema, counts, configuration files."""
    with transaction(ctx) as (workspace, session):
        state = overview(session, workspace, operator())
    emit(state, as_json, lambda: _show_status(state))


def _serve(workspace: Workspace, host: str, port: int) -> None:
    import uvicorn

    from zhizhi.cli.worker import make_worker
    from zhizhi.web.app import create_app

    app = create_app(workspace)
    console.print(
        f"zhizhi is serving [bold]{workspace.config.name}[/] at [bold]http://{host}:{port}/[/] (Ctrl+C to stop)"
    )
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
    if not insecure_network:
        raise ConfigError(
            f"{why} Put zhizhi behind an HTTPS proxy and set `server.secure_cookies: true` in zhizhi.yaml, or listen "
            "on 127.0.0.1; pass `--insecure-network` only on a network you trust."
        )
    console.print(f"[bold yellow]Warning:[/] {why} Serving anyway (--insecure-network).")


def _is_loopback(host: str) -> bool:
    if host == "localhost":
        return True
    try:
        return ipaddress.ip_address(host.strip("[]")).is_loopback
    except ValueError:
        return False  # a host name: it may resolve to any address


def _check_port_free(host: str, port: int) -> None:
    with socket.socket(socket.AF_INET6 if ":" in host else socket.AF_INET) as probe:
        probe.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            probe.bind((host, port))
        except OSError as exc:
            raise InputError(
                f"Cannot listen on {host}:{port} ({exc.strerror}). Stop what uses it or pass `--port N`."
            ) from None


def _show_status(state: dict[str, object]) -> None:
    table = Table(show_header=False, box=None)
    for section, values in state.items():
        if isinstance(values, dict):
            for key, value in values.items():
                if isinstance(value, list) and value and all(isinstance(item, dict) for item in value):
                    for item in value:  # one row each, named by its first value (data.deliveries.province ...)
                        (_, name), *rest = item.items()
                        table.add_row(f"{section}.{key}.{name}", ", ".join(f"{k} {v}" for k, v in rest))
                    continue
                table.add_row(f"{section}.{key}", str(value))
        else:
            table.add_row(section, str(values))
    console.print(table)
