"""What every command shares: the workspace it works on, the store, the operator, and output (tables that fit the
terminal: `zhizhi.cli.table`)."""

from __future__ import annotations

import getpass
import json
import os
from collections.abc import Callable, Iterator
from contextlib import AbstractContextManager, contextmanager
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import typer
from rich.console import Console
from rich.markup import escape
from sqlalchemy import Engine
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session, sessionmaker
from typer.core import TyperOption

from zhizhi.access import Actor
from zhizhi.cli.table import Table as Table  # the commands' tables, from here as before
from zhizhi.config import Workspace, load_workspace, locate_workspace
from zhizhi.errors import InputError
from zhizhi.i18n import cli_locale, translate
from zhizhi.store import MAX_ID, check_schema, display_url, is_read_only, make_engine, make_sessionmaker, on_wait
from zhizhi.store import read_only as read_only_error
from zhizhi.store.engine import READING, SQLITE_BUSY_TIMEOUT_MS

console = Console()


def _type_shown(option: TyperOption, ctx: Any) -> str | None:
    """An option's value type in `--help`; none for a flag, which takes no value (typer would print `<bool>`)."""
    return None if option.is_flag else _TYPE_SHOWN(option, ctx)


_TYPE_SHOWN = TyperOption.display_type_rich
TyperOption.display_type_rich = _type_shown  # type: ignore[method-assign, assignment]
JsonOption = typer.Option(False, "--json", help="Print machine-readable JSON instead of a table.")


def id_argument(default: Any = ..., *, help: str) -> Any:
    """An id (or ids) as an argument: 1 .. MAX_ID, so that a larger number is a usage error (exit code 2) and not the
    database's "integer out of range"."""
    return typer.Argument(default, min=1, max=MAX_ID, help=help)


def id_option(*names: str, default: Any = None, help: str) -> Any:
    """An id (or ids, repeated) as an option, bounded as `id_argument`."""
    return typer.Option(default, *names, min=1, max=MAX_ID, help=help)


OffsetOption = typer.Option(0, "--offset", min=0, max=MAX_ID, help="Skip this many first (the next page).")


@dataclass
class CliState:
    """Options given before the command."""

    workspace: Path | None = None
    debug: bool = False


def state(ctx: typer.Context) -> CliState:
    root = ctx.find_root()
    if not isinstance(root.obj, CliState):
        root.obj = CliState()
    return root.obj


def workspace_of(ctx: typer.Context) -> Workspace:
    """The workspace chosen by `--workspace`, ZHIZHI_WORKSPACE or the current folder."""
    return load_workspace(locate_workspace(state(ctx).workspace))


def open_engine(workspace: Workspace, *, check: bool = True) -> Engine:
    """The workspace's store; checked to be reachable and migrated unless `check` is off."""
    engine = make_engine(workspace.database_url)
    on_wait(_say_waiting)
    if check:
        check_schema(engine)
    return engine


def _say_waiting() -> None:
    seconds = SQLITE_BUSY_TIMEOUT_MS // 1000
    typer.echo(
        f"Waiting for the database: another process is writing; this one waits its turn (at most {seconds} s). "
        f"等待数据库：另一进程正在写入，本命令排队等候（最多 {seconds} 秒）。",
        err=True,
    )


@contextmanager
def said_read_only(workspace: Workspace) -> Iterator[None]:
    """A write the store refuses because it only reads here (a read-only copy of the workspace, a database that only
    reads) said as such, naming the database, instead of as an unexpected error."""
    try:
        yield
    except DBAPIError as exc:
        if not is_read_only(exc):
            raise
        raise read_only_error(display_url(workspace.database_url)) from None


@contextmanager
def transaction(ctx: typer.Context, *, read_only: bool = False) -> Iterator[tuple[Workspace, Session]]:
    """One transaction on the workspace's store, committed when the block ends without error. `read_only`: on SQLite
    it takes no write lock, so a command that only reads answers beside a long ingest instead of waiting for it."""
    workspace = workspace_of(ctx)
    engine = open_engine(workspace)
    try:
        with said_read_only(workspace), make_sessionmaker(engine)() as session, session.begin():
            if read_only:
                session.connection(execution_options={READING: True})
            yield workspace, session
    finally:
        engine.dispose()


def reading(ctx: typer.Context) -> AbstractContextManager[tuple[Workspace, Session]]:
    """A read-only transaction (`transaction(ctx, read_only=True)`): the status and the lists."""
    return transaction(ctx, read_only=True)


@contextmanager
def store(ctx: typer.Context) -> Iterator[tuple[Workspace, sessionmaker[Session]]]:
    """The workspace and sessions on its store, for work of many transactions."""
    workspace = workspace_of(ctx)
    engine = open_engine(workspace)
    try:
        with said_read_only(workspace):
            yield workspace, make_sessionmaker(engine)
    finally:
        engine.dispose()


def check_output(path: Path, *, folder_ok: bool = False) -> None:
    """Refuse, before any work, an output path whose folder does not exist, or one that is a folder (unless
    `folder_ok`: the command names the file in it)."""
    if path.is_dir():
        if folder_ok:
            return
        raise InputError(f"`{path}` is a folder: name the file to write.", zh=f"`{path}` 是文件夹：请给出文件名。")
    if not path.parent.is_dir():
        raise InputError(
            f"Cannot write `{path}`: the folder `{path.parent}` does not exist. Create it or choose another.",
            zh=f"无法写入 `{path}`：文件夹 `{path.parent}` 不存在。请先创建，或换一个位置。",
        )


INPUT_BYTES = 64 * 1024 * 1024  # the largest file a command reads: a register's workbook; a photo is at most 8 MiB


def read_input(path: Path) -> bytes:
    """A file a command was given, bounded in size before it is read; a folder or an unreadable file is refused."""
    try:
        size = path.stat().st_size
        if path.is_dir():
            raise InputError(f"`{path}` is a folder: give a file.", zh=f"`{path}` 是文件夹，请给出文件。")
        if size > INPUT_BYTES:
            raise InputError(
                f"`{path.name}` is {size:,} bytes; at most {INPUT_BYTES:,}.",
                zh=f"`{path.name}` 有 {size:,} 字节，最多 {INPUT_BYTES:,} 字节。",
            )
        return path.read_bytes()
    except OSError as exc:
        raise InputError(f"Cannot read `{path}`: {exc.strerror}.", zh=f"无法读取 `{path}`：{exc.strerror}。") from None


@contextmanager
def output_file(path: Path) -> Iterator[Path]:
    """A file to write the command's output to, put at `path` only when the block ends well (after the transaction it
    holds has committed): what it audits is never recorded for a file that was not written, and a half-written file
    is never left. A folder that does not exist, or a path that is a folder, is said before any work."""
    check_output(path)
    temporary = path.with_name(f".{path.stem}.{os.getpid()}.part{path.suffix}")
    try:
        yield temporary
        temporary.replace(path)
    except OSError as exc:
        raise InputError(
            f"Cannot write `{path}` ({exc.strerror or exc}).", zh=f"无法写入 `{path}`（{exc.strerror or exc}）。"
        ) from exc
    finally:
        temporary.unlink(missing_ok=True)


def operator() -> Actor:
    """The person at the terminal: trusted with the whole tree, and named in the audit trail."""
    try:
        name = getpass.getuser()
    except (KeyError, OSError):
        name = "unknown"
    return Actor.operator(f"cli:{name}")


def no_match(query: str) -> None:
    """Say that a search found nothing, in the terminal's language (`zhizhi.i18n.cli_locale`)."""
    console.print(escape(translate(cli_locale(), "cli.no_match", query=query)))


def emit(data: Any, as_json: bool, show: Callable[[], None]) -> None:
    """Print `data` as JSON, or call `show` to print it for people."""
    if as_json:
        typer.echo(json.dumps(data, ensure_ascii=False, indent=2, default=str))
    else:
        show()

