"""`zhizhi seal`: issue, list and revoke departments' seal certificates, and verify a sealed PDF."""

from __future__ import annotations

from pathlib import Path

import typer

from zhizhi.cli.common import JsonOption, Table, console, emit, operator, transaction, workspace_of
from zhizhi.seals import (
    REASONS,
    Trust,
    check_pdf_size,
    issue_seal,
    list_seals,
    revocation_words,
    revoke_seal,
    verify_pdf,
)

app = typer.Typer(help="Electronic seals (电子印章): seal certificates and verification.", no_args_is_help=True)


@app.command("issue")
def issue(
    ctx: typer.Context,
    department: str = typer.Argument(..., help="Department code, e.g. LZ (see `zhizhi dept list`)."),
    as_json: bool = JsonOption,
) -> None:
    """Issue DEPARTMENT a seal certificate (creating the workspace's seal root on first use)."""
    with transaction(ctx) as (workspace, session):
        record = issue_seal(session, operator(), workspace.keys_dir, department, bureau=workspace.config.name)
    emit(
        record.as_dict(),
        as_json,
        lambda: console.print(
            f"Issued seal certificate {record.serial} to {record.department_name} ({record.department_code}), "
            f"valid until {record.not_after[:10]}. 已为{record.department_name}签发印章证书 {record.serial}。"
        ),
    )


@app.command("list")
def list_command(ctx: typer.Context, as_json: bool = JsonOption) -> None:
    """List every seal certificate issued in this workspace, active or revoked."""
    rows = [record.as_dict() for record in list_seals(workspace_of(ctx).keys_dir)]

    def show() -> None:
        table = Table("serial 序列号", "department 部门", "code", "valid until 有效期至", "status 状态")
        for row in rows:
            reason = " / ".join(revocation_words(row["revocation_reason"] or "unspecified"))
            status = f"revoked 已吊销 ({reason})" if row["revoked_at"] else "active 有效"
            if not row["revoked_at"] and not row["active"]:
                status = "expired 已过期"
            table.add_row(row["serial"], row["department_name"], row["department_code"], row["not_after"][:10], status)
        console.print(table)

    emit(rows, as_json, show)


@app.command("revoke")
def revoke(
    ctx: typer.Context,
    serial: str = typer.Argument(..., help="Serial number in hex (see `zhizhi seal list`)."),
    reason: str = typer.Option(..., "--reason", help=f"Why: one of {', '.join(REASONS)}."),
    as_json: bool = JsonOption,
) -> None:
    """Revoke a seal certificate and publish a new CRL: PDFs it sealed no longer verify."""
    with transaction(ctx) as (workspace, session):
        record = revoke_seal(session, operator(), workspace.keys_dir, serial, reason=reason)
    emit(
        record.as_dict(),
        as_json,
        lambda: console.print(
            f"Revoked seal certificate {record.serial} of {record.department_name} ({revocation_words(reason)[0]}). "
            f"已吊销{record.department_name}的印章证书 {record.serial}（{revocation_words(reason)[1]}）。"
        ),
    )


@app.command("verify")
def verify(
    ctx: typer.Context,
    file: Path = typer.Argument(..., exists=True, dir_okay=False, help="The sealed PDF."),
    as_json: bool = JsonOption,
) -> None:
    """Check FILE's seals against this workspace's root and CRL, offline; exit 1 unless every seal holds."""
    check_pdf_size(file.stat().st_size)
    report = verify_pdf(file.read_bytes(), Trust.of_workspace(workspace_of(ctx).keys_dir), name=str(file))

    def show() -> None:
        if not report.sealed:
            console.print("No seal in this PDF. 该文件没有电子印章。")
        for seal in report.seals:
            verdict = "VALID 有效" if seal.ok else "NOT VALID 无效"
            console.print(f"{verdict}: sealed by {seal.department} ({seal.department_code}) at {seal.sealed_at}")
            console.print(f"  serial {seal.serial}; intact {seal.intact}; trusted {seal.trusted}")
            if seal.revoked:
                why = f": {seal.revocation_reason_en} / {seal.revocation_reason_zh}" if seal.revocation_reason else ""
                console.print(f"  revoked at {seal.revoked_at} 已吊销{why}")
            console.print(f"  changes since: {seal.change_en} / {seal.change_zh}")
            for problem, zh in zip(seal.problems, seal.problems_zh, strict=False):
                console.print(f"  problem: {problem} / {zh}")

    emit(report.as_dict(), as_json, show)
    if not report.ok:
        raise typer.Exit(1)
