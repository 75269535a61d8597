"""`zhizhi ledger`: the hash-chained ledger of what came in and went out, its checkpoints and proofs."""

from __future__ import annotations

import json
from pathlib import Path

import typer

from zhizhi.cli.common import (
    JsonOption,
    Table,
    console,
    emit,
    id_argument,
    id_option,
    operator,
    output_file,
    read_input,
    transaction,
)
from zhizhi.errors import InputError, NotFoundError
from zhizhi.ledger import check_proof, make_proof, sign_head, verify_ledger
from zhizhi.ledger.chain import latest_seq, recent
from zhizhi.ledger.restore import set_aside_witness

app = typer.Typer(help="The ledger: verify it, sign its head, export and check proofs.", no_args_is_help=True)


@app.command("verify")
def verify(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Check the chain from the first entry and every signed checkpoint; name the first entry that does not hold."""
    with transaction(ctx) as (workspace, session):
        report = verify_ledger(session, workspace.keys_dir)
    emit(
        report.as_dict(),
        as_json,
        lambda: console.print(
            f"Ledger intact: {report.entries} entries, {report.checkpoints} checkpoints, head {report.head_hash}."
            + (
                f" Entries {report.unsigned_from}-{report.entries} ({report.unsigned}) are not under a signed "
                "checkpoint yet: the store bears them out, but only a signature proves them; the worker signs "
                "them soon, or run `zhizhi ledger checkpoint`."
                if report.unsigned
                else ""
            )
            if report.ok
            else f"Ledger broken at entry {report.first_bad_seq}: {report.problem}. "
            f"The entries before it are intact."
        ),
    )
    if not report.ok:
        raise typer.Exit(1)


@app.command("checkpoint")
def checkpoint(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """Sign the ledger's head now with the workspace's key."""
    with transaction(ctx) as (workspace, session):
        signed = sign_head(session, workspace.keys_dir)
    emit(
        signed.as_dict(),
        as_json,
        lambda: console.print(f"Signed entries 1-{signed.seq}, head {signed.head_hash}, key {signed.key_fingerprint}."),
    )


@app.command("restored")
def restored(
    ctx: typer.Context,
    reason: str = typer.Option(..., "--reason", help="Which backup was restored (or which database given), when, why."),
    as_json: bool = JsonOption,
) -> None:
    """After a database restored from a backup (or another database) on purpose: set the checkpoint kept beside the
    keys aside (renamed, kept as the old ledger's proof; audited) and sign the restored ledger's head."""
    with transaction(ctx) as (workspace, session):
        found = set_aside_witness(session, operator(), workspace.keys_dir, reason)
    with transaction(ctx) as (workspace, session):
        signed = sign_head(session, workspace.keys_dir)
    found |= {"signed": signed.as_dict()}
    emit(
        found,
        as_json,
        lambda: console.print(
            f"The kept checkpoint is set aside as {found['set_aside_as']} ({found['problem']}). "
            f"Signed entries 1-{signed.seq} of the restored ledger, head {signed.head_hash}."
        ),
    )


@app.command("list")
def list_command(
    ctx: typer.Context,
    kind: str | None = typer.Option(None, "--kind", help="Only entries of this kind, e.g. batch.ingested."),
    limit: int = typer.Option(50, "--limit", min=1, max=10_000, help="The newest N entries."),
    as_json: bool = JsonOption,
) -> None:
    """The newest entries, with what each records."""
    with transaction(ctx) as (_, session):
        rows = recent(session, kind=kind, limit=limit)

    def show() -> None:
        table = Table("seq", "at", "kind", "subject", "payload")
        for row in rows:
            table.add_row(
                str(row["seq"]),
                row["at"],
                row["kind"],
                f"{row['subject_type']} {row['subject_id']}",
                json.dumps(row["payload"], ensure_ascii=False)[:100],
            )
        console.print(table)

    emit(rows, as_json, show)


@app.command("proof")
def proof(
    ctx: typer.Context,
    seq: int | None = id_argument(None, help="The entry (see `zhizhi ledger list`)."),
    delivery: int | None = id_option(
        "--delivery", help="Instead of SEQ: the latest entry of this delivery (its outcome so far)."
    ),
    output: Path | None = typer.Option(None, "--output", "-o", help="Write the proof here instead of to stdout."),
) -> None:
    """Export a self-contained proof of one entry: the entry, the chain to a signed checkpoint, the public key."""
    if (seq is None) == (delivery is None):
        raise InputError(
            "Give the entry's SEQ or `--delivery ID`, not both.",
            zh="请给出账本条目的序号 SEQ 或 `--delivery 编号` 之一，不能两者都给或都不给。",
        )
    with transaction(ctx) as (workspace, session):
        if delivery is not None:
            seq = latest_seq(session, "delivery", delivery)
            if seq is None:
                raise NotFoundError(
                    f"Delivery {delivery} has no ledger entry yet: it has not been sent.",
                    zh=f"第 {delivery} 号交付尚无账本条目：它还没有发送。",
                )
        assert seq is not None
        text = make_proof(session, workspace.keys_dir, seq)
        if output is not None:
            with output_file(output) as written:
                written.write_text(text, encoding="utf-8")
    if output is None:
        typer.echo(text, nl=False)
    else:
        console.print(f"Proof of entry {seq} written to {output}.")


@app.command("verify-proof")
def verify_proof(
    path: Path = typer.Argument(..., help="A proof file written by `zhizhi ledger proof`."),
    key: str | None = typer.Option(None, "--key", help="The signer's key fingerprint you expect (SHA256:...)."),
    as_json: bool = JsonOption,
) -> None:
    """Check a proof with no database and no workspace: any changed byte makes it fail."""
    result = check_proof(read_input(path), expected_fingerprint=key)
    emit(
        result.as_dict(),
        as_json,
        lambda: console.print(
            f"Proof holds: entry {result.entry['seq']} ({result.entry['kind']}, {result.entry['subject_type']} "
            f"{result.entry['subject_id']}) is in the ledger signed at entry {result.checkpoint['seq']} by "
            f"{result.checkpoint['key_fingerprint']}."
            if result.ok and result.entry and result.checkpoint
            else f"Proof fails: {result.problem}."
        ),
    )
    if not result.ok:
        raise typer.Exit(1)
