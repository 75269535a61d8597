"""The `zhizhi` command: global options, the command groups, and one-line errors."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from zhizhi import __version__
from zhizhi.cli import (
    audit,
    cases,
    codes,
    db,
    dept,
    ingest,
    inspections,
    ledger,
    privacy,
    quarantine,
    reconcile,
    records,
    register,
    reports,
    seal,
    sources,
    targets,
    tasks,
    token,
    user,
    worker,
    workspace,
)
from zhizhi.cli.common import CliState, state
from zhizhi.errors import ZhizhiError
from zhizhi.i18n import cli_locale
from zhizhi.store import busy, is_busy


class _OneLineErrors(TyperGroup):
    """Turn zhizhi's errors into one line on stderr and exit code 1; `--debug` shows the traceback."""

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ZhizhiError as exc:
            if ctx.params.get("debug"):
                raise
            _say(exc)
            ctx.exit(1)
        except Exception as exc:
            # Usage errors, Exit and Abort are the CLI's own flow (they carry an exit code): let them through.
            if ctx.params.get("debug") or hasattr(exc, "exit_code") or isinstance(exc, typer.Abort):
                raise
            if is_busy(exc):  # a lock held too long is not a fault of zhizhi's: say so, and what to do
                _say(busy())
                ctx.exit(1)
            first_line = (str(exc).strip().splitlines() or [""])[0]
            typer.echo(
                f"error: unexpected {type(exc).__name__}: {first_line} (rerun with --debug for details)", err=True
            )
            ctx.exit(1)


def _say(exc: ZhizhiError) -> None:
    """The error on stderr in one line, in the terminal's language (`zhizhi.i18n.cli_locale`): Chinese where the
    error has Chinese words and the locale is Chinese, else English."""
    if cli_locale() == "zh-CN" and exc.message_zh:
        typer.echo(f"错误：{exc.message_zh}", err=True)
    else:
        typer.echo(f"error: {exc.message}", err=True)


app = typer.Typer(
    name="zhizhi",
    cls=_OneLineErrors,
    help="智治 zhizhi: the data hub of a market-regulation bureau.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)


def _version(value: bool) -> None:
    if value:
        typer.echo(f"zhizhi {__version__}")
        raise typer.Exit()


@app.callback()
def main(
    ctx: typer.Context,
    workspace: Path | None = typer.Option(
        None, "--workspace", "-w", envvar="ZHIZHI_WORKSPACE", help="Workspace folder (default: current folder)."
    ),
    debug: bool = typer.Option(False, "--debug", help="Show tracebacks on errors."),
    version: bool = typer.Option(False, "--version", callback=_version, is_eager=True, help="Print the version."),
) -> None:
    """智治 zhizhi: the data hub of a market-regulation bureau."""
    ctx.obj = CliState(workspace=workspace, debug=debug)
    state(ctx)


workspace.register(app)
ingest.register(app)
app.add_typer(quarantine.app, name="quarantine")
app.add_typer(cases.app, name="cases")
app.add_typer(cases.hotline_app, name="hotline")
app.add_typer(records.app, name="records")
app.add_typer(ledger.app, name="ledger")
app.add_typer(targets.app, name="targets")
app.add_typer(reconcile.app, name="reconcile")
app.command("worker")(worker.worker)
app.command("resolve")(register.resolve)
app.add_typer(register.entities_app, name="entities")
app.add_typer(register.review_app, name="review")
app.add_typer(db.app, name="db")
app.add_typer(dept.app, name="dept")
app.add_typer(user.app, name="user")
app.add_typer(token.app, name="token")
app.add_typer(audit.app, name="audit")
app.add_typer(codes.app, name="codes")
app.add_typer(sources.app, name="sources")
app.add_typer(privacy.app, name="privacy")
app.add_typer(seal.app, name="seal")
app.add_typer(reports.app, name="reports")
app.add_typer(tasks.app, name="tasks")
app.add_typer(inspections.app, name="inspections")


def run() -> None:
    """Entry point of the `zhizhi` script."""
    app()
