"""`zhizhi targets`: the platforms records are delivered to, and what each is owed."""

from __future__ import annotations

from typing import Any

import typer

from zhizhi.cli.common import JsonOption, console, emit, id_argument, id_option, operator, store, transaction
from zhizhi.cli.table import Table
from zhizhi.delivery import load_target, load_targets
from zhizhi.delivery.outbox import STATUSES, delivery_counts, release_stranded
from zhizhi.delivery.period import parse_period
from zhizhi.delivery.platforms import (
    create_platform_token,
    list_platform_tokens,
    platform_token_as_dict,
    revoke_platform_token,
)
from zhizhi.delivery.send import send_once
from zhizhi.delivery.steward import give_up, resend, retry
from zhizhi.errors import ZhizhiError
from zhizhi.i18n import cli_locale
from zhizhi.ledger import sign_if_due

app = typer.Typer(help="Targets: the platforms records are delivered to.", no_args_is_help=True)


@app.command("list")
def list_command(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """The workspace's target files, with their deliveries by status."""
    with transaction(ctx) as (workspace, session):
        targets = load_targets(workspace.root)
        counts = delivery_counts(session, operator())
    rows: list[dict[str, Any]] = [
        {
            "name": t.name,
            "title": t.title,
            "owner": t.owner,
            "record_types": t.record_types,
            "transport": t.transport.kind,
            "deliveries": counts.get(t.name, dict.fromkeys(STATUSES, 0)),
            "file_missing": False,
        }
        for t in targets
    ]
    # Deliveries owed to a target whose file is gone (removed or renamed) are listed too: put the file back to send
    # them; they are not dropped unseen.
    named = {t.name for t in targets}
    rows += [
        {"name": name, "title": "目标文件缺失 file missing", "owner": "", "record_types": [], "transport": "",
         "deliveries": found, "file_missing": True}
        for name, found in sorted(counts.items())
        if name not in named and any(found.values())
    ]  # fmt: skip

    def show() -> None:
        table = Table("name", "title", "owner", "record types", "transport", *STATUSES)
        for row in rows:
            table.add_row(
                row["name"],
                row["title"] or "",
                row["owner"],
                ", ".join(row["record_types"]),
                row["transport"],
                *(f"{row['deliveries'][s]:,}" for s in STATUSES),
            )
        console.print(table)

    emit(rows, as_json, show)


@app.command("send")
def send(
    ctx: typer.Context,
    names: list[str] = typer.Argument(None, help="Targets to send to; none for every target."),  # noqa: B008
    batches: int = typer.Option(100, "--batches", min=1, max=100_000, help="At most this many batches per target."),
    as_json: bool = JsonOption,
) -> None:
    """Send what is due to each target, batch after batch, until nothing is due (each batch its own transaction)."""
    totals: dict[str, dict[str, int]] = {}
    unsigned: ZhizhiError | None = None
    with store(ctx) as (workspace, sessions):
        chosen = [load_target(workspace.root, name) for name in names] if names else load_targets(workspace.root)
        release_stranded(sessions)  # holds that wait for nothing (a settle that could not see them): due now
        for target in chosen:
            done: dict[str, int] = {}
            for _ in range(batches):
                report = send_once(sessions, target)
                for state, count in report.states.items():
                    done[state] = done.get(state, 0) + count
                if report.claimed == 0:
                    break
            totals[target.name] = done
        if any(totals.values()):  # what was recorded, signed before the command ends: no forgery can join it unseen
            try:
                with sessions() as session, session.begin():
                    sign_if_due(session, workspace.keys_dir, every_entries=1, every_minutes=0)
            except ZhizhiError as exc:  # sent and recorded all the same: say so, then why nothing was signed
                unsigned = exc

    def show() -> None:
        for name, done in totals.items():
            figures = ", ".join(f"{state} {count:,}" for state, count in sorted(done.items())) or "nothing due"
            console.print(f"{name}: {figures}")

    emit(totals, as_json, show)
    if unsigned is not None:
        said = unsigned.localized(cli_locale())
        typer.echo(f"警告：已发送并记录，但账本未签名：{said}" if cli_locale() == "zh-CN" else
                   f"warning: sent and recorded, but the ledger was not signed: {said}", err=True)  # fmt: skip


@app.command("retry")
def retry_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The target."),
    ids: list[int] = id_option("--id", help="Only these deliveries (repeat the option); none for all."),
    rejected: bool = typer.Option(False, "--rejected", help="Retry rejected deliveries instead of dead ones."),
    unknown: bool = typer.Option(
        False, "--unknown", help="Retry deliveries whose arrival is unknown (timed out): the key makes it safe."
    ),
    withheld: bool = typer.Option(
        False, "--withheld", help="Retry deliveries not sent for want of a code (a crosswalk now gives it)."
    ),
    as_json: bool = JsonOption,
) -> None:
    """Send dead (or rejected, unknown, withheld) deliveries again, from the first attempt, once their cause is
    fixed. A decision in the code review queue sends the deliveries it held by itself."""
    chosen = [state for state, flag in (("rejected", rejected), ("unknown", unknown), ("withheld", withheld)) if flag]
    if len(chosen) > 1:
        raise typer.BadParameter("give at most one of --rejected, --unknown, --withheld")
    with transaction(ctx) as (workspace, session):
        moved = retry(
            session, operator(), load_target(workspace.root, name), ids=ids or None, status=(chosen or ["dead"])[0]
        )
    said = f"{moved.queued:,} deliveries to {name} are pending again." + (
        f" {moved.superseded:,} are not sent: a newer version of their record reached the target (superseded)."
        if moved.superseded
        else ""
    )
    emit({"requeued": moved.queued, "superseded": moved.superseded}, as_json, lambda: console.print(said))


@app.command("give-up")
def give_up_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The target whose file was removed (`zhizhi targets list`: file missing)."),
    reason: str = typer.Option(..., "--reason", help="Why (the platform retired, replaced by ...): in the ledger."),
    as_json: bool = JsonOption,
) -> None:
    """Close the deliveries still owed to a target whose file was removed (a retired platform) as dead letters, each a
    ledger entry with the reason; a target whose file is there is refused."""
    with transaction(ctx) as (workspace, session):
        closed = give_up(session, operator(), name, {t.name for t in load_targets(workspace.root)}, reason=reason)
    said = f"{closed:,} deliveries owed to {name} were given up (dead). 已放弃 {closed:,} 条。"
    emit({"target": name, "given_up": closed}, as_json, lambda: console.print(said))


@app.command("resend")
def resend_command(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The target."),
    keys: list[str] = typer.Option(None, "--record", help="A record's key (repeat the option)."),  # noqa: B008
    period: str | None = typer.Option(
        None, "--period", help="Every record changed in YYYY, YYYY-MM, YYYY-MM-DD or FROM..TO."
    ),
    source: str | None = typer.Option(None, "--source", help="Only records of this source."),
    as_json: bool = JsonOption,
) -> None:
    """Owe the target the current version of these records again (a platform says it lacks them)."""
    with transaction(ctx) as (workspace, session):
        done = resend(
            session,
            operator(),
            load_target(workspace.root, name),
            record_keys=keys or None,
            source=source,
            period=parse_period(period) if period else None,
        )
    emit(
        {"requeued": done.requeued, "created": done.created},
        as_json,
        lambda: console.print(
            f"{done.requeued + done.created:,} deliveries to {name} are pending "
            f"({done.requeued:,} again, {done.created:,} new)."
        ),
    )


token_app = typer.Typer(help="Platform tokens: each platform's own credential for posting its receipts.")
app.add_typer(token_app, name="token")


@token_app.command("create")
def token_create(
    ctx: typer.Context,
    name: str = typer.Argument(..., help="The target whose platform gets the token."),
    label: str = typer.Option(..., "--name", help="Which platform system uses it, e.g. 省平台回执接口."),
    as_json: bool = JsonOption,
) -> None:
    """Issue a token with which the target's platform posts receipts to `POST /api/receipts` (shown once)."""
    with transaction(ctx) as (workspace, session):
        token, secret = create_platform_token(session, operator(), workspace.root, name, name=label)
        made = {**platform_token_as_dict(token), "secret": secret}
    emit(
        made,
        as_json,
        lambda: console.print(
            f"Token {made['id']} for target {name}: {secret}\n"
            "Give it to the platform now; it is not shown again. It settles deliveries of this target only."
        ),
    )


@token_app.command("list")
def token_list(
    ctx: typer.Context,
    name: str | None = typer.Argument(None, help="Only this target's tokens."),
    as_json: bool = JsonOption,
) -> None:
    """The platform tokens, live and revoked (never their secrets)."""
    with transaction(ctx) as (workspace, session):
        rows = [platform_token_as_dict(t) for t in list_platform_tokens(session, operator(), workspace.root, name)]

    def show() -> None:
        table = Table("id", "target", "name", "prefix", "created by", "last used", "revoked")
        for row in rows:
            table.add_row(
                str(row["id"]),
                row["target"],
                row["name"],
                row["prefix"],
                row["created_by"],
                row["last_used_at"] or "",
                "yes" if row["revoked"] else "",
            )
        console.print(table)

    emit(rows, as_json, show)


@token_app.command("revoke")
def token_revoke(
    ctx: typer.Context,
    token_id: int = id_argument(help="The token's id (see `zhizhi targets token list`)."),
    as_json: bool = JsonOption,
) -> None:
    """Revoke a platform token: its receipts are refused from now on."""
    with transaction(ctx) as (workspace, session):
        token = platform_token_as_dict(revoke_platform_token(session, operator(), workspace.root, token_id))
    emit(token, as_json, lambda: console.print(f"Token {token_id} of target {token['target']} is revoked."))
