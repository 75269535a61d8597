"""`zhizhi demo`: build the demo city, deliver its records, print a login, and serve it.

Each stage shows a progress bar in a terminal (the exports' rows, the register's steps, the reports' runs, each
target's deliveries); a rerun reuses the city and says what still waits for a steward.
"""

from __future__ import annotations

from pathlib import Path

import typer
from sqlalchemy import func, select
from sqlalchemy.orm import Session, sessionmaker

from zhizhi.cli.common import console, open_engine, operator
from zhizhi.cli.workspace import INSECURE_HELP, check_network, check_port_free, serve_workspace
from zhizhi.codes import install_builtin, list_review_items
from zhizhi.config import Workspace, init_workspace
from zhizhi.delivery import load_targets
from zhizhi.delivery.outbox import STATUSES, delivery_counts
from zhizhi.delivery.send import SendReport
from zhizhi.demo import DEMO_PASSWORD, load_demo
from zhizhi.demo.delivery import province_store, send_due, write_demo_targets
from zhizhi.demo.desk import run_demo_desk
from zhizhi.demo.draws import run_demo_draws
from zhizhi.demo.ingest import demo_today
from zhizhi.demo.province import ProvincePlatform
from zhizhi.demo.reports import run_demo_reports
from zhizhi.demo.tasks import run_demo_tasks
from zhizhi.errors import ConfigError
from zhizhi.progress import Progress, by_steps
from zhizhi.progress.terminal import TerminalProgress
from zhizhi.resolve.cache import features_cache
from zhizhi.resolve.run import STEPS, RunReport, resolve
from zhizhi.store import make_sessionmaker, upgrade
from zhizhi.store.tables import Delivery, ReviewPair


def demo(
    directory: Path = typer.Argument(Path("zhizhi-demo"), help="Where to create the demo workspace."),
    host: str = typer.Option("127.0.0.1", "--host", help="Address to listen on."),
    port: int = typer.Option(8000, "--port", min=1, max=65535, help="TCP port."),
    serve_it: bool = typer.Option(True, "--serve/--no-serve", help="Serve the dashboard after loading."),
    insecure_network: bool = typer.Option(False, "--insecure-network", help=INSECURE_HELP),
) -> None:
    """Build the demo city in DIRECTORY (SQLite), deliver its records to its two platforms, print a login, and serve
    the dashboard (with the province's platform listening)."""
    workspace = init_workspace(directory, name="柳州市市场监督管理局")
    if not workspace.has_own_database:
        raise ConfigError(
            "`zhizhi demo` runs on its own SQLite file and never on a configured database (its users have a "
            "published password). Unset ZHIZHI_DATABASE_URL and `database.url`, or use `zhizhi init`.",
            zh="`zhizhi demo` 只在自己的 SQLite 文件上运行，从不使用已配置的数据库（演示用户的密码是公开的）。"
            "请取消 ZHIZHI_DATABASE_URL 和 `database.url`，或改用 `zhizhi init`。",
        )
    if serve_it:
        check_network(host, workspace, insecure_network)
        check_port_free(host, port)
    engine = open_engine(workspace, check=False)
    upgrade(engine)
    sessions = make_sessionmaker(engine)
    province = ProvincePlatform(province_store(workspace.root)).start()
    try:
        write_demo_targets(workspace.root, province.url)
        with TerminalProgress(console) as progress:
            created = _load(sessions, workspace, progress)
            first = _resolve_demo(sessions, workspace, progress)
            _desk_demo(sessions, workspace, progress)
            run_demo_tasks(sessions, workspace, demo_today())
            run_demo_reports(sessions, workspace, demo_today(), progress=progress)
            run_demo_draws(sessions, workspace, demo_today())
            register = _resolve_demo(sessions, workspace, progress)  # the visits' inspection records filed too
            console.print(
                f"The register: {register.entities:,} entities from {register.records_read:,} records, "
                f"{first.review_new + register.review_new:,} pairs for review."
            )
            _send_demo(sessions, workspace.root, progress)
        _show_deliveries(sessions, workspace.root)
        if not created:
            _still_open(sessions)
        engine.dispose()
        console.print(
            f"Sign in as [bold]leader[/] (or steward, admin, auditor, zhongnan) with password [bold]{DEMO_PASSWORD}[/]"
        )
        if serve_it:
            console.print(f"The province's platform (a stand-in) listens at {province.url} while zhizhi serves.")
            serve_workspace(workspace, host, port)
        else:
            # one line whatever its length: a command to copy
            console.print(
                f"To serve it (with the province's stand-in): [bold]zhizhi demo {directory}[/]", soft_wrap=True
            )
    finally:
        province.stop()


def _load(sessions: sessionmaker[Session], workspace: Workspace, progress: Progress) -> bool:
    """The city's departments, people, code lists and exports; False when they were there already."""
    with sessions() as session, session.begin():
        install_builtin(session, operator())
        created = load_demo(session, operator(), workspace.root, progress=progress)
    console.print(("Loaded" if created else "Reusing") + f" the demo city in [bold]{workspace.root}[/].")
    return created


def _resolve_demo(sessions: sessionmaker[Session], workspace: Workspace, progress: Progress) -> RunReport:
    """File the demo's records into the register (主体库), so its entity pages have something to show."""
    with progress.task("progress.resolve", total=STEPS, unit="steps") as task:
        with sessions() as session, session.begin():
            report = resolve(
                session,
                operator(),
                workspace.config.resolve,
                progress=by_steps(task),
                cache=features_cache(workspace.root),
            )
    return report


def _desk_demo(sessions: sessionmaker[Session], workspace: Workspace, progress: Progress) -> None:
    """Put the demo's hotline tickets into cases and handle the older ones (the register must be filed first)."""
    with progress.task("progress.desk"), sessions() as session, session.begin():
        desk = run_demo_desk(session, operator(), workspace.root, demo_today())
    if desk.tickets:
        console.print(
            f"The hotline desk: {desk.tickets:,} tickets in {desk.cases:,} cases ({desk.merged:,} merged on their "
            f"own, {desk.suggested:,} suggestions for a handler), {desk.decisions:,} decisions, "
            f"{desk.answers:,} answers owed."
        )


def _send_demo(sessions: sessionmaker[Session], root: Path, progress: Progress) -> None:
    """Send the demo's targets everything due, a bar per target counting its pending deliveries."""
    with sessions() as session:
        query = select(Delivery.target, func.count()).where(Delivery.status == "pending").group_by(Delivery.target)
        pending = {target: int(count) for target, count in session.execute(query)}
    tasks = {
        name: progress.task("progress.send", total=count, unit="deliveries", target=name)
        for name, count in sorted(pending.items())
        if count
    }

    def sent(name: str, report: SendReport) -> None:
        if name in tasks:
            tasks[name].advance(report.claimed)

    try:
        send_due(sessions, root, sent)
    finally:
        for task in tasks.values():
            task.close()


def _show_deliveries(sessions: sessionmaker[Session], root: Path) -> None:
    """Each target's deliveries by state."""
    with sessions() as session:
        counts = delivery_counts(session, operator())
    for target in load_targets(root):
        figures = counts.get(target.name, dict.fromkeys(STATUSES, 0))
        shown = " · ".join(f"{figures[state]:,} {state}" for state in STATUSES if figures.get(state))
        console.print(f"[bold]{target.name}[/] ({target.title}): {sum(figures.values()):,} owed · {shown or 'none'}")


def _still_open(sessions: sessionmaker[Session]) -> None:
    """On a rerun: what still waits for a steward's decision, and where to decide it."""
    with sessions() as session:
        pairs = session.scalar(select(func.count()).where(ReviewPair.status == "open")) or 0
        codes = len(list_review_items(session, status="open"))
    console.print(
        f"Still open for review: {pairs:,} pairs of records (zhizhi review list) and {codes:,} codes "
        "(zhizhi codes review list)."
    )
