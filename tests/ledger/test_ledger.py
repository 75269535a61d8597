"""The ledger on a real store (SQLite and PostgreSQL): appends, tampering of each kind caught, proofs that a
third party checks without a database and that fail on any changed byte."""

from __future__ import annotations

import json
from datetime import date
from pathlib import Path

import pytest
from cryptography.hazmat.primitives.asymmetric import ec
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from sqlalchemy import Engine, func, select, text
from sqlalchemy.orm import Session, sessionmaker
from typer.testing import CliRunner

from tests.conftest import OPERATOR, outbox
from tests.ingest.test_pipeline import _codes, _row, _source, _write
from tests.ledger.facts import erasures
from zhizhi.access import Actor, Role
from zhizhi.cli.main import app
from zhizhi.config import Workspace
from zhizhi.config.keys import PUBLIC_KEY, ensure_signing_key
from zhizhi.errors import ConfigError, ConflictError, InputError, PermissionDeniedError
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.ledger import append, check_proof, make_proof, sign_head, verify_ledger
from zhizhi.ledger.restore import set_aside_witness
from zhizhi.store.tables import AuditEvent, Delivery, LedgerEntry

runner = CliRunner()


@pytest.fixture
def keys(tmp_path: Path) -> Path:
    folder = tmp_path / "keys"
    folder.mkdir()
    ensure_signing_key(folder)
    return folder


def _append(sessions: sessionmaker[Session], count: int, start: int = 1) -> None:
    with sessions() as session, session.begin():
        for n in range(start, start + count):
            erasures(session, 1, {"types": {"entity": {"read": n * 10}}, "文件": "导出.csv"})


def _verify(sessions: sessionmaker[Session], keys: Path) -> dict[str, object]:
    with sessions() as session:
        return verify_ledger(session, keys).as_dict()


def _tamper(engine: Engine, *statements: str) -> None:
    # Someone with DDL rights lifts the append-only triggers; the chain and the checkpoints must still catch it.
    with engine.begin() as connection:
        for table in ("ledger_entries", "ledger_checkpoints"):
            if engine.dialect.name == "postgresql":
                connection.execute(text(f"DROP TRIGGER {table}_append_only ON {table}"))
            else:
                connection.execute(text(f"DROP TRIGGER {table}_no_update"))
                connection.execute(text(f"DROP TRIGGER {table}_no_delete"))
        for statement in statements:
            connection.execute(text(statement))


def test_an_untouched_ledger_with_checkpoints_verifies(sessions: sessionmaker[Session], keys: Path) -> None:
    _append(sessions, 3)
    with sessions() as session, session.begin():
        signed = sign_head(session, keys)
    _append(sessions, 2, start=4)
    report = _verify(sessions, keys)
    assert report["ok"] and report["entries"] == 5 and report["checkpoints"] == 1 and signed.seq == 3


def test_the_tables_refuse_changes(sessions: sessionmaker[Session], engine: Engine) -> None:
    _append(sessions, 2)
    for statement in ("UPDATE ledger_entries SET kind = 'x'", "DELETE FROM ledger_entries WHERE seq = 1"):
        with pytest.raises(Exception, match="append-only"), engine.begin() as connection:
            connection.execute(text(statement))


@pytest.mark.parametrize(
    ("statements", "bad_seq", "problem"),
    [
        (["UPDATE ledger_entries SET payload = replace(payload, '30', '31') WHERE seq = 3"], 3, "edited"),
        (["DELETE FROM ledger_entries WHERE seq = 2"], 2, "missing"),
        (
            [
                "UPDATE ledger_entries SET seq = 100 WHERE seq = 2",
                "UPDATE ledger_entries SET seq = 2 WHERE seq = 3",
                "UPDATE ledger_entries SET seq = 3 WHERE seq = 100",
            ],
            2,
            "reordered",
        ),
        (["DELETE FROM ledger_entries WHERE seq >= 4"], 4, "entries after it were lost"),
        (["UPDATE ledger_checkpoints SET seq = 3"], 3, "does not match the chain"),
    ],
    ids=["edited", "deleted", "reordered", "newest-deleted", "checkpoint-moved"],
)
def test_tampering_of_each_kind_is_named(
    sessions: sessionmaker[Session], engine: Engine, keys: Path, statements: list[str], bad_seq: int, problem: str
) -> None:
    _append(sessions, 5)
    with sessions() as session, session.begin():
        sign_head(session, keys)
    _tamper(engine, *statements)
    report = _verify(sessions, keys)
    assert not report["ok"] and report["first_bad_seq"] == bad_seq and problem in str(report["problem"])


@pytest.mark.parametrize(
    "statements",
    [
        ["DELETE FROM ledger_entries WHERE seq >= 4", "DELETE FROM ledger_checkpoints WHERE seq = 5"],
        ["DELETE FROM ledger_entries WHERE seq >= 4", "DELETE FROM ledger_checkpoints"],
    ],
    ids=["newest-and-their-checkpoint", "newest-and-every-checkpoint"],
)
def test_the_newest_entries_deleted_with_their_checkpoints_are_caught_by_the_copy_kept_beside_the_keys(
    sessions: sessionmaker[Session], engine: Engine, keys: Path, statements: list[str]
) -> None:
    """The database alone read as intact (and invited a new signature over the shorter chain)."""
    _append(sessions, 3)
    with sessions() as session, session.begin():
        sign_head(session, keys)
    _append(sessions, 2, start=4)
    with sessions() as session, session.begin():
        sign_head(session, keys)
    _tamper(engine, *statements)
    report = _verify(sessions, keys)
    assert not report["ok"] and "signed entries up to 5: entries after 3 were lost" in str(report["problem"])
    with sessions() as session, session.begin(), pytest.raises(ConflictError, match="were lost"):
        sign_head(session, keys)


def test_a_first_entry_other_than_the_kept_copys_is_refused_until_the_copy_is_moved_aside(
    sessions: sessionmaker[Session], engine: Engine, keys: Path
) -> None:
    """Whoever can write to the database could change the first entry, compute every hash after it again and delete
    the checkpoints: the kept copy was then taken for another database's and set aside, the forged chain verified
    and was signed. A first entry other than the copy's is refused (the database alone cannot tell a forged first
    entry from a new database); a workspace given a new database on purpose moves the copy aside."""
    _append(sessions, 3)
    with sessions() as session, session.begin():
        sign_head(session, keys)
    _tamper(engine, "DELETE FROM ledger_checkpoints", "DELETE FROM ledger_entries")  # every entry written anew
    _append(sessions, 2)
    report = _verify(sessions, keys)
    assert not report["ok"] and "first entry differs from this database's" in str(report["problem"])
    with sessions() as session, session.begin(), pytest.raises(ConflictError, match="first entry differs"):
        sign_head(session, keys)
    (keys / "ledger-witness.json").rename(keys / "ledger-witness.old.json")  # a new database, said so
    assert _verify(sessions, keys)["ok"]
    with sessions() as session, session.begin():
        assert sign_head(session, keys).seq == 2


def test_a_backup_restored_on_purpose_is_said_so_the_copy_set_aside_and_the_restored_head_signed(
    sessions: sessionmaker[Session], engine: Engine, keys: Path
) -> None:
    """A restore takes the database back before the last checkpoint the copy beside the keys kept: verify and sign
    refused it for good, and their message said only to find out what happened. The error names the step; the
    operator says why, the copy is kept under another name, audited, and the restored head is signed."""
    _append(sessions, 3)
    with sessions() as session, session.begin():
        sign_head(session, keys)
    _append(sessions, 2, start=4)
    with sessions() as session, session.begin():
        sign_head(session, keys)
    _tamper(engine, "DELETE FROM ledger_entries WHERE seq >= 4", "DELETE FROM ledger_checkpoints WHERE seq = 5")
    with sessions() as session, session.begin(), pytest.raises(ConflictError, match="zhizhi ledger restored"):
        sign_head(session, keys)
    with sessions() as session, session.begin(), pytest.raises(InputError, match="reason"):
        set_aside_witness(session, OPERATOR, keys, "  ")
    with sessions() as session, session.begin(), pytest.raises(PermissionDeniedError):
        set_aside_witness(session, Actor("steward", 1, 1, "/1/", frozenset({Role.ADMIN})), keys, "x")
    with sessions() as session, session.begin():
        found = set_aside_witness(session, OPERATOR, keys, "恢复 12月6日 23:00 的备份（磁盘故障）")
    assert (found["kept_seq"], found["entries"]) == (5, 3) and "were lost" in found["problem"]
    assert not (keys / "ledger-witness.json").exists() and Path(found["set_aside_as"]).is_file()
    with sessions() as session:
        event = session.scalars(select(AuditEvent).where(AuditEvent.action == "ledger.witness_set_aside")).one()
        assert "磁盘故障" in (event.detail or "")
    assert _verify(sessions, keys)["ok"]
    with sessions() as session, session.begin():
        assert sign_head(session, keys).seq == 3
    with sessions() as session, session.begin(), pytest.raises(ConflictError, match="nothing to set aside"):
        set_aside_witness(session, OPERATOR, keys, "again")


def test_a_ledger_itself_broken_is_not_mended_by_setting_the_copy_aside(
    sessions: sessionmaker[Session], engine: Engine, keys: Path
) -> None:
    _append(sessions, 3)
    with sessions() as session, session.begin():
        sign_head(session, keys)
    _tamper(engine, "UPDATE ledger_entries SET payload = '{\"n\": 9}' WHERE seq = 2")
    with sessions() as session, session.begin(), pytest.raises(ConflictError, match="broken at entry 2"):
        set_aside_witness(session, OPERATOR, keys, "恢复备份")
    assert (keys / "ledger-witness.json").is_file()


def test_a_checkpoint_whose_copy_cannot_be_kept_is_signed_all_the_same_and_said(
    sessions: sessionmaker[Session], keys: Path, caplog: pytest.LogCaptureFixture
) -> None:
    """The copy beside the keys is a second line: a folder the service cannot write stops no checkpoint."""
    (keys / "ledger-witness.json").mkdir()  # in the way of the file
    _append(sessions, 2)
    with sessions() as session, session.begin():
        assert sign_head(session, keys).seq == 2
    assert any("is not kept at" in r.getMessage() for r in caplog.records)
    assert _verify(sessions, keys)["ok"]


def test_a_checkpoint_rolled_back_with_its_transaction_leaves_no_copy_beside_the_keys(
    sessions: sessionmaker[Session], keys: Path
) -> None:
    """A draw signs in its own transaction: kept before the commit, the copy of a checkpoint rolled back named an
    entry that never was, and every later verify said entries were lost (and nothing could be signed again)."""
    _append(sessions, 2)
    with pytest.raises(RuntimeError), sessions() as session, session.begin():
        sign_head(session, keys)
        raise RuntimeError("the draw failed after signing")
    assert not (keys / "ledger-witness.json").exists()
    with sessions() as session:
        with session.begin():
            _ = session.scalar(select(func.count()).select_from(LedgerEntry))  # the same session commits again
    _append(sessions, 1)
    assert _verify(sessions, keys)["ok"]
    with sessions() as session, session.begin():
        assert sign_head(session, keys).seq == 3
    assert json.loads((keys / "ledger-witness.json").read_text(encoding="utf-8"))["seq"] == 3


def test_a_checkpoint_signed_by_another_key_is_refused(
    sessions: sessionmaker[Session], keys: Path, tmp_path: Path
) -> None:
    _append(sessions, 2)
    other = tmp_path / "other"
    other.mkdir()
    ensure_signing_key(other)
    with sessions() as session, session.begin():
        sign_head(session, other)
    report = _verify(sessions, keys)
    assert not report["ok"] and "not signed by this workspace's key" in str(report["problem"])


def test_an_empty_ledger_cannot_be_signed(sessions: sessionmaker[Session], keys: Path) -> None:
    with pytest.raises(InputError, match="empty"), sessions() as session, session.begin():
        sign_head(session, keys)


def test_a_proof_holds_without_the_database_and_fails_on_any_changed_byte(
    sessions: sessionmaker[Session], keys: Path, tmp_path: Path
) -> None:
    _append(sessions, 4)
    with sessions() as session, session.begin():
        proof = make_proof(session, keys, 2).encode()  # no checkpoint yet: one is signed for it
    result = check_proof(proof)
    assert result.ok and result.entry is not None and result.entry["payload"]["types"] == {"entity": {"read": 20}}
    assert result.checkpoint is not None and result.checkpoint["seq"] == 4
    assert len(json.loads(proof)["segment"]) == 2
    for position in range(len(proof)):
        changed = bytearray(proof)
        changed[position] = (changed[position] + 1) % 256
        assert not check_proof(bytes(changed)).ok, f"a proof with byte {position} changed still holds"
    fingerprint = str(result.checkpoint["key_fingerprint"])
    assert check_proof(proof, expected_fingerprint=fingerprint).ok
    assert "not by the expected" in str(check_proof(proof, expected_fingerprint="SHA256:someoneelse").problem)


def test_a_proof_with_fields_of_the_wrong_kind_fails_and_names_the_field(
    sessions: sessionmaker[Session], keys: Path
) -> None:
    """Whoever writes a proof may put anything in it, in zhizhi's canonical form: the check says it fails, not crash."""
    from zhizhi.ledger.chain import canonical

    _append(sessions, 3)
    with sessions() as session, session.begin():
        proof = json.loads(make_proof(session, keys, 1))
    changes = {
        "`seq` is '1'": lambda p: p["entry"].update(seq="1"),  # hashes as 1, yet no position
        "`at` is 5": lambda p: p["entry"].update(at=5),
        "`seq` is True": lambda p: p["segment"][0].update(seq=True),
        "`signature` is None": lambda p: p["checkpoint"].update(signature=None),
        "`public_key` is 5": lambda p: p.update(public_key=5),
    }
    for named, change in changes.items():
        changed = json.loads(json.dumps(proof))
        change(changed)
        result = check_proof((canonical(changed) + "\n").encode())
        assert not result.ok and "incomplete or malformed" in str(result.problem) and named in str(result.problem)


def test_the_cli_exports_a_proof_a_stranger_checks(
    sessions: sessionmaker[Session], tmp_path: Path, workspace: Workspace
) -> None:
    root = workspace.root
    _append(sessions, 4)
    listed = runner.invoke(app, ["-w", str(root), "ledger", "list", "--json"])
    assert listed.exit_code == 0, listed.output
    entries = json.loads(listed.output)
    assert [e["kind"] for e in entries] == ["privacy.erased"] * 4
    exported = runner.invoke(app, ["-w", str(root), "ledger", "proof", "2", "-o", str(tmp_path / "proof.json")])
    assert exported.exit_code == 0, exported.output
    # The third party has the file and nothing else: no workspace, no database.
    proof = str(tmp_path / "proof.json")
    checked = runner.invoke(app, ["-w", str(tmp_path / "nowhere"), "ledger", "verify-proof", proof, "--json"])
    assert checked.exit_code == 0, checked.output
    assert json.loads(checked.output)["ok"] is True
    (tmp_path / "proof.json").write_text((tmp_path / "proof.json").read_text(encoding="utf-8") + " ", encoding="utf-8")
    refused = runner.invoke(app, ["ledger", "verify-proof", str(tmp_path / "proof.json")])
    assert refused.exit_code == 1 and "Proof fails" in refused.output
    verified = runner.invoke(app, ["-w", str(root), "ledger", "verify", "--json"])
    assert verified.exit_code == 0 and json.loads(verified.output)["entries"] == 4


ZH = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "zh_CN.UTF-8"}
EN = {"LC_ALL": "", "LC_MESSAGES": "", "LANG": "C.UTF-8"}


def test_a_proof_file_too_large_or_a_folder_is_refused_before_it_is_read(tmp_path: Path) -> None:
    huge = tmp_path / "huge.json"
    with huge.open("wb") as sparse:  # 65 MiB on no disk: it would be read whole, then found not to be a proof
        sparse.truncate(65 * 1024 * 1024)
    refused = runner.invoke(app, ["ledger", "verify-proof", str(huge)], env=EN)
    assert refused.exit_code == 1 and refused.stdout == ""
    assert refused.stderr == "error: `huge.json` is 68,157,440 bytes; at most 67,108,864.\n"
    refused = runner.invoke(app, ["ledger", "verify-proof", str(huge)], env=ZH)
    assert refused.stderr == "错误：`huge.json` 有 68,157,440 字节，最多 67,108,864 字节。\n"
    folder = runner.invoke(app, ["ledger", "verify-proof", str(tmp_path)], env=ZH)
    assert folder.exit_code == 1 and folder.stderr == f"错误：`{tmp_path}` 是文件夹，请给出文件。\n"


@pytest.mark.parametrize("value", ['引号"和\\反斜杠', "tab\tnew\nline\x00", "𠮷 emoji 😀", "", "plain"])
def test_the_hash_body_is_the_canonical_json(value: str) -> None:
    import hashlib

    from zhizhi.ledger.chain import canonical, entry_hash

    expected = canonical([7, "2026-11-28T00:00:00.000000Z", value, "batch", value, value])
    digest = hashlib.sha256(f"{'a' * 64}\n{expected}".encode()).hexdigest()
    assert entry_hash("a" * 64, 7, "2026-11-28T00:00:00.000000Z", value, "batch", value, value) == digest


def _owed(city: sessionmaker[Session], tmp_path: Path) -> Delivery:
    """One delivery owed to `province` (a registration record ingested)."""
    path = _write(tmp_path / "a.csv", [_row(_codes(1)[0], "甲有限公司")])
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox("province"))
    with city() as session:
        delivery = session.scalars(select(Delivery)).one()
        session.expunge(delivery)
    return delivery


def test_a_file_named_after_a_person_enters_the_ledger_masked_and_still_verifies(
    city: sessionmaker[Session], keys: Path, tmp_path: Path
) -> None:
    """Departments name files after whom they concern (`投诉人13812345678.csv`); the ledger is never erased and its
    proofs go to third parties, so a file's name enters it with ID and phone numbers masked, as the audit trail's."""
    path = _write(tmp_path / "投诉人13812345678身份证450202199001011237.csv", [_row(_codes(1)[0], "甲有限公司")])
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox())
    with city() as session:
        payload = session.scalars(select(LedgerEntry.payload).where(LedgerEntry.kind == "batch.ingested")).one()
    assert json.loads(payload)["file"] == "投诉人138****5678身份证450202********1237.csv"
    assert "13812345678" not in payload and "450202199001011237" not in payload
    report = _verify(city, keys)
    assert report["ok"], report


def test_an_entry_appended_by_hand_after_the_last_checkpoint_is_named_and_never_signed(
    city: sessionmaker[Session], keys: Path, tmp_path: Path
) -> None:
    """The chain needs no secret: whoever can write to the database can append an entry that chains. What no
    checkpoint signs yet is held against the outbox: a delivery it does not hold, or one under another target or key,
    is named by `verify`, and `sign_head` refuses to sign over it (a proof would have carried it)."""
    delivery = _owed(city, tmp_path)
    with city() as session, session.begin():
        sign_head(session, keys)
        signed = session.scalar(select(func.max(LedgerEntry.seq)))
    true = {"target": delivery.target, "idempotency_key": delivery.idempotency_key,
            "record_version_id": delivery.record_version_id, "attempt": 0, "reason": None}  # fmt: skip
    with city() as session, session.begin():  # what a requeue writes: the delivery is pending, as the outbox holds it
        append(session, "delivery.requeued", "delivery", delivery.id, {**true, "was": "pending", "why": "resend"})
    report = _verify(city, keys)
    assert report["ok"] and (report["unsigned"], report["unsigned_from"]) == (1, signed + 1)
    with city() as session, session.begin():
        seq = append(session, "delivery.requeued", "delivery", delivery.id, {**true, "idempotency_key": "FORGED"})
    report = _verify(city, keys)
    assert not report["ok"] and report["first_bad_seq"] == seq and "`FORGED`" in str(report["problem"])
    with city() as session, session.begin(), pytest.raises(ConflictError, match=f"entry {seq}"):
        sign_head(session, keys)


@pytest.mark.parametrize(
    ("kind", "subject", "subject_id", "payload", "said"),
    [
        # each passed verify and was signed, and the first made a proof that held
        ("delivery.acknowledged", "delivery", None, {}, "leaves delivery 1 acknowledged; the outbox holds it pending"),
        ("delivery.acknowledged", "delivery", None, {"attempt": 1}, "does not name delivery 1's target"),
        ("delivery.acknowledged", "Delivery", None, None, "entries of its kind are about a `delivery`"),
        ("delivery.receipts", "delivery", 999_999, None, "of a kind zhizhi never writes"),
        ("batch.ingested", "batch", 77, {"source": "dengji", "file_hash": "0" * 64}, "names batch 77"),
    ],
)
def test_an_entry_the_store_does_not_bear_out_is_named_whatever_it_is_about(
    city: sessionmaker[Session], keys: Path, tmp_path: Path, kind: str, subject: str, subject_id: int | None,
    payload: dict[str, object] | None, said: str,
) -> None:  # fmt: skip
    """A field was compared only when the payload named it, only entries about a `delivery` were held against the
    store, an entry's outcome never against the delivery's state, and other kinds not at all."""
    delivery = _owed(city, tmp_path)
    true = {"target": delivery.target, "idempotency_key": delivery.idempotency_key,
            "record_version_id": delivery.record_version_id, "attempt": 1, "reason": None}  # fmt: skip
    with city() as session, session.begin():
        body = payload if payload is not None and "attempt" in payload else {**true, **(payload or {})}
        seq = append(session, kind, subject, subject_id or delivery.id, body)
    report = _verify(city, keys)
    assert not report["ok"] and report["first_bad_seq"] == seq and said in str(report["problem"])
    with city() as session, session.begin(), pytest.raises(ConflictError, match=f"entry {seq}"):
        sign_head(session, keys)


def test_a_delivery_the_outbox_lacks_is_named(city: sessionmaker[Session], keys: Path, tmp_path: Path) -> None:
    _owed(city, tmp_path)
    with city() as session, session.begin():
        seq = append(session, "delivery.acknowledged", "delivery", 99_999, {"target": "province"})
    report = _verify(city, keys)
    assert not report["ok"] and report["first_bad_seq"] == seq and "delivery 99999" in str(report["problem"])


def test_a_missing_or_foreign_public_key_is_named(sessions: sessionmaker[Session], keys: Path) -> None:
    _append(sessions, 1)
    other = ec.generate_private_key(ec.SECP256R1()).public_key()
    (keys / PUBLIC_KEY).write_bytes(other.public_bytes(Encoding.PEM, PublicFormat.SubjectPublicKeyInfo))
    with pytest.raises(ConfigError, match="not the Ed25519 key"):
        _verify(sessions, keys)
    (keys / PUBLIC_KEY).unlink()
    with pytest.raises(ConfigError, match="No public key at"):
        _verify(sessions, keys)
