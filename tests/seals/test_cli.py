"""`zhizhi seal issue | list | revoke | verify`, through the CLI runner, on each backend."""

from __future__ import annotations

import json

from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.pdf import report_pdf
from zhizhi.seals import sign_pdf

runner = CliRunner()


def run(workspace: Workspace, *args: str, lang: str = "en_US.UTF-8") -> tuple[int, str]:
    """The CLI's exit code and output, in the terminal language `lang`."""
    result = runner.invoke(app, ["-w", str(workspace.root), *args], env={"LC_ALL": "", "LC_MESSAGES": "", "LANG": lang})
    return result.exit_code, result.output


def test_issue_list_verify_revoke(workspace: Workspace, city: sessionmaker[Session], tmp_path: object) -> None:
    code, out = run(workspace, "seal", "issue", "LZ-DJ", "--json")
    assert code == 0, out
    serial = json.loads(out)["serial"]
    code, out = run(workspace, "seal", "list")
    assert code == 0 and serial[:8] in out and "登记注册科" in out and "active" in out

    pdf = workspace.root / "report.pdf"
    pdf.write_bytes(sign_pdf(report_pdf("月报", [], [], ""), workspace.keys_dir, "LZ-DJ"))
    code, out = run(workspace, "seal", "verify", str(pdf))
    assert code == 0 and "VALID 有效" in out and "登记注册科" in out, out

    code, out = run(workspace, "seal", "revoke", serial, "--reason", "lost")
    assert code == 1 and "`lost`" in out
    code, out = run(workspace, "seal", "revoke", serial, "--reason", "key_compromise")
    assert code == 0 and "已吊销" in out and "key compromised" in out and "密钥泄露" in out, out
    code, out = run(workspace, "seal", "list")
    assert code == 0 and "密钥泄露" in out and "key_compromise" not in out, out
    code, out = run(workspace, "seal", "verify", str(pdf))
    assert code == 1 and "key compromised / 密钥泄露" in out and "吊销（密钥泄露）" in out, out
    assert "keyCompromise" not in out
    code, out = run(workspace, "seal", "verify", str(pdf), "--json")
    assert code == 1
    report = json.loads(out)
    assert report["ok"] is False and report["seals"][0]["revoked"] is True
    assert report["seals"][0]["revocation_reason"] == "key_compromise"


def test_errors_are_one_line_in_both_languages(workspace: Workspace, city: sessionmaker[Session]) -> None:
    code, out = run(workspace, "seal", "issue", "NOPE", lang="zh_CN.UTF-8")
    assert code == 1 and "NOPE" in out and "部门" in out and len(out.strip().splitlines()) == 1
    code, out = run(workspace, "seal", "issue", "NOPE")
    assert code == 1 and "No department with code `NOPE`" in out and len(out.strip().splitlines()) == 1
    code, out = run(workspace, "seal", "list", "--json")
    assert code == 0 and json.loads(out) == []
