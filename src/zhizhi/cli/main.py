"""The `zhizhi` command: global options, the command groups, and one-line errors."""

from __future__ import annotations

import importlib
from pathlib import Path
from typing import Any

import typer
from typer.core import TyperGroup

from zhizhi import __version__
from zhizhi.cli.common import CliState, state
from zhizhi.errors import ZhizhiError
from zhizhi.i18n import cli_locale
from zhizhi.store import busy, is_busy, is_read_only, read_only

# Every command and group, by name: the module that defines it and the attribute there (a Typer app is a group, a
# function a command). A call imports only the module of the command it runs: `zhizhi ingest` does not load the
# seals' PDF signing, the reports' workbooks or the web pages, which more than halves a small ingest's start.
COMMANDS: dict[str, tuple[str, str]] = {
    "init": ("workspace", "init"),
    "demo": ("demo", "demo"),
    "serve": ("workspace", "serve"),
    "status": ("workspace", "status"),
    "ingest": ("ingest", "ingest"),
    "batches": ("ingest", "batches_app"),
    "quarantine": ("quarantine", "app"),
    "cases": ("cases", "app"),
    "hotline": ("hotline", "hotline_app"),
    "records": ("records", "app"),
    "ledger": ("ledger", "app"),
    "targets": ("targets", "app"),
    "reconcile": ("reconcile", "app"),
    "worker": ("worker", "worker"),
    "resolve": ("register", "resolve"),
    "entities": ("register", "entities_app"),
    "review": ("register", "review_app"),
    "db": ("db", "app"),
    "dept": ("dept", "app"),
    "user": ("user", "app"),
    "token": ("token", "app"),
    "audit": ("audit", "app"),
    "codes": ("codes", "app"),
    "sources": ("sources", "app"),
    "privacy": ("privacy", "app"),
    "seal": ("seal", "app"),
    "reports": ("reports", "app"),
    "tasks": ("tasks", "app"),
    "inspections": ("inspections", "app"),
}


def load_command(name: str) -> Any:
    """The click command or group `name`, its module imported now."""
    module, attribute = COMMANDS[name]
    found = getattr(importlib.import_module(f"zhizhi.cli.{module}"), attribute)
    command: Any
    if isinstance(found, typer.Typer):
        command = typer.main.get_group(found)
    else:
        single = typer.Typer(add_completion=False)
        single.command(name)(found)
        command = typer.main.get_command(single)
    command.name = name
    return command


class _OneLineErrors(TyperGroup):
    """The commands, each loaded when it is called (`COMMANDS`); zhizhi's errors as one line on stderr and exit code
    1 (`--debug` shows the traceback)."""

    def list_commands(self, ctx: Any) -> list[str]:
        return list(COMMANDS)

    def get_command(self, ctx: Any, cmd_name: str) -> Any:
        if cmd_name not in COMMANDS:
            return None
        if cmd_name not in self.commands:
            self.commands[cmd_name] = load_command(cmd_name)
        return self.commands[cmd_name]

    def invoke(self, ctx: Any) -> Any:
        try:
            return super().invoke(ctx)
        except ZhizhiError as exc:
            if ctx.params.get("debug"):
                raise
            _say(exc)
            ctx.exit(1)
        except KeyboardInterrupt:
            _interrupted(ctx)
        except Exception as exc:
            # Usage errors, Exit and Abort are the CLI's own flow (they carry an exit code): let them through.
            if ctx.params.get("debug") or hasattr(exc, "exit_code") or isinstance(exc, typer.Abort):
                raise
            if an_interrupt(exc):  # Ctrl+C inside DuckDB or Splink comes back as their own error
                _interrupted(ctx)
            if is_busy(exc):  # a lock held too long is not a fault of zhizhi's: say so, and what to do
                _say(busy())
                ctx.exit(1)
            if is_read_only(exc):  # a write to a read-only copy, where no command said which database it was
                _say(read_only())
                ctx.exit(1)
            first_line = (str(exc).strip().splitlines() or [""])[0]
            typer.echo(
                f"error: unexpected {type(exc).__name__}: {first_line} (rerun with --debug for details)", err=True
            )
            ctx.exit(1)


def an_interrupt(exc: BaseException) -> bool:
    """Whether an error is Ctrl+C come back through a library (DuckDB's "Interrupted!", Splink's error around it)."""
    seen: set[int] = set()
    current: BaseException | None = exc
    while current is not None and id(current) not in seen:
        seen.add(id(current))
        if isinstance(current, KeyboardInterrupt) or "interrupted" in str(current).lower():
            return True
        current = current.__cause__ or current.__context__
    return False


def _interrupted(ctx: Any) -> None:
    """Ctrl+C: said plainly, exit 130 (the transaction under way was rolled back)."""
    if cli_locale() == "zh-CN":
        typer.echo("已中断（Ctrl+C）：进行中的事务已回滚，未写入。", err=True)
    else:
        typer.echo("interrupted (Ctrl+C): the transaction under way was rolled back, nothing of it written.", err=True)
    ctx.exit(130)


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


def run() -> None:
    """Entry point of the `zhizhi` script."""
    app()
