"""Checkpoints: the ledger's head signed with the workspace's Ed25519 key, so a third party can check it later.

The signed message is the canonical JSON `["zhizhi-ledger-checkpoint", 1, seq, head_hash, at]`: which entries it
covers (1 to `seq`), the hash they end in, and when it was signed.
"""

from __future__ import annotations

import base64
import hashlib
import json
import logging
import os
from dataclasses import dataclass
from datetime import datetime, timedelta
from pathlib import Path
from typing import Any

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from zhizhi.config.keys import PRIVATE_KEY, PUBLIC_KEY
from zhizhi.errors import ConfigError, ConflictError, InputError
from zhizhi.ledger.against import last_signed, unsigned_entries
from zhizhi.ledger.chain import GENESIS, _head, canonical
from zhizhi.store import when_settled
from zhizhi.store.tables import LedgerCheckpoint, LedgerEntry
from zhizhi.store.types import iso_utc, utcnow

log = logging.getLogger(__name__)
MESSAGE_KIND = "zhizhi-ledger-checkpoint"
_PG_CHECKPOINT_LOCK = 7_241_003  # advisory lock id: one worker at a time decides whether a checkpoint is due


@dataclass(frozen=True)
class Signed:
    """A checkpoint as plain values, as stored and as a proof carries it."""

    seq: int
    head_hash: str
    at: str
    key_fingerprint: str
    signature: str

    def message(self) -> bytes:
        return canonical([MESSAGE_KIND, 1, self.seq, self.head_hash, self.at]).encode()

    def as_dict(self) -> dict[str, Any]:
        return {
            "seq": self.seq,
            "head_hash": self.head_hash,
            "at": self.at,
            "key_fingerprint": self.key_fingerprint,
            "signature": self.signature,
        }


def fingerprint(public: Ed25519PublicKey) -> str:
    """`SHA256:...` of the raw public key, as `zhizhi status` shows the workspace's."""
    raw = public.public_bytes(serialization.Encoding.Raw, serialization.PublicFormat.Raw)
    return "SHA256:" + base64.b64encode(hashlib.sha256(raw).digest()).decode().rstrip("=")


def load_private_key(keys_dir: Path) -> Ed25519PrivateKey:
    path = keys_dir / PRIVATE_KEY
    if not path.is_file():
        raise ConfigError(
            f"No signing key at `{path}`: run `zhizhi init` on the workspace to make one.",
            zh=f"`{path}` 处没有签名密钥：请对该工作区运行 `zhizhi init` 生成一个。",
        )
    key = serialization.load_pem_private_key(path.read_bytes(), password=None)
    if not isinstance(key, Ed25519PrivateKey):
        raise ConfigError(
            f"`{path}` is not an Ed25519 private key.",
            zh=f"`{path}` 不是 Ed25519 私钥：请换回工作区原有的签名密钥。",
        )
    return key


def public_key_pem(keys_dir: Path) -> str:
    return (keys_dir / PUBLIC_KEY).read_text(encoding="ascii")


WITNESS = "ledger-witness.json"
RESTORED = "`zhizhi ledger restored --reason ...` sets the copy aside, kept as the old ledger's proof"
"""The last checkpoint signed, kept beside the keys, outside the database: deleting the newest entries together with
their checkpoints from the database does not delete it."""


@dataclass(frozen=True)
class Witnessed:
    """What the copy kept beside the keys says of this database's ledger: the entries it covers (0: none kept) or why
    it does not hold."""

    covers: int
    problem: str | None = None


def witnessed(session: Session, keys_dir: Path, entries: int, public: Ed25519PublicKey | None = None) -> Witnessed:
    """Hold the kept copy of the last checkpoint against the chain of `entries` entries (and, with `public`, its
    signature): the entry it signed must still be there, with the hash it signed."""
    path = keys_dir / WITNESS
    if not path.is_file():
        return Witnessed(0)
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        signed = Signed(int(kept["seq"]), kept["head_hash"], kept["at"], kept["key_fingerprint"], kept["signature"])
        first = str(kept["first_hash"])
    except (ValueError, KeyError, TypeError):
        return Witnessed(0, f"`{path}` is not a checkpoint zhizhi kept: put back the file, or remove it if it is not")
    where = f"the checkpoint of entry {signed.seq} kept at `{path}`"
    if session.scalar(select(LedgerEntry.hash).where(LedgerEntry.seq == 1)) != first:
        # Another database, or this one with its first entry changed and every hash after it computed again: the
        # database alone cannot tell them apart, so the operator who gave the workspace a new database says so.
        return Witnessed(
            0,
            f"{where} was signed for a ledger whose first entry differs from this database's: the first entry was "
            f"changed, or the workspace was given another database on purpose (then {RESTORED})",
        )
    if public is not None and not signature_ok(signed, public):
        return Witnessed(0, f"{where} is not signed by this workspace's key")
    if signed.seq > entries:
        return Witnessed(
            0,
            f"{where} signed entries up to {signed.seq}: entries after {entries} were lost (if a backup was restored "
            f"on purpose, {RESTORED})",
        )
    if session.scalar(select(LedgerEntry.hash).where(LedgerEntry.seq == signed.seq)) != signed.head_hash:
        return Witnessed(0, f"{where} does not match the chain (if a backup was restored on purpose, {RESTORED})")
    return Witnessed(signed.seq)


def _keep(keys_dir: Path, session: Session, signed: Signed) -> None:
    """Keep the checkpoint just signed beside the keys once its transaction commits (written whole, then moved into
    place); a transaction rolled back keeps nothing: the copy never names an entry the database does not hold."""
    first = session.scalar(select(LedgerEntry.hash).where(LedgerEntry.seq == 1))
    path = keys_dir / WITNESS

    def write() -> None:
        part = path.with_suffix(".part")
        try:
            part.write_text(json.dumps({"first_hash": first, **signed.as_dict()}), encoding="utf-8")
            os.replace(part, path)
        except OSError as exc:  # the checkpoint stands in the database; only its copy outside it is missing
            log.warning("the checkpoint of entry %d is not kept at %s (%s): make the folder writable by the service",
                        signed.seq, path, exc)  # fmt: skip

    when_settled(session, committed=write)


def sign_head(session: Session, keys_dir: Path) -> Signed:
    """Sign the ledger's current head (in the caller's transaction); an empty ledger cannot be signed, nor one whose
    entries the checkpoint kept beside the keys signed are gone (signing anew would cover their loss)."""
    seq, head_hash = _head(session)
    if seq == 0 or head_hash == GENESIS:
        raise InputError("The ledger is empty: there is nothing to sign yet.", zh="账本为空，尚无可签名的内容。")
    kept = witnessed(session, keys_dir, seq)
    if kept.problem is not None:
        raise ConflictError(
            f"Not signed: {kept.problem}. Run `zhizhi ledger verify` and find out what happened to the ledger.",
            zh=f"未签名：保存在密钥旁的最近签名检查点与账本不符（{kept.problem}）。"
            "请运行 `zhizhi ledger verify` 查明原因；如果是有意恢复了备份或换了数据库，"
            "请运行 `zhizhi ledger restored --reason ...` 移开旧的检查点（保留为旧账本的证明）。",
        )
    tail = unsigned_entries(session, after=max(last_signed(session), kept.covers), head=seq)
    if tail.bad_seq is not None:
        raise ConflictError(
            f"Not signed: {tail.problem}. An entry the outbox does not bear out may have been written into the "
            "database by hand; run `zhizhi ledger verify` and find out who wrote it before signing.",
            zh=f"未签名：第 {tail.bad_seq} 条账本记录与交付队列不符，可能有人直接写入了数据库；"
            "请先运行 `zhizhi ledger verify` 并查明来源，再签名。",
        )
    key = load_private_key(keys_dir)
    moment = utcnow()
    at = iso_utc(moment)
    assert at is not None
    unsigned = Signed(seq, head_hash, at, fingerprint(key.public_key()), "")
    signature = base64.b64encode(key.sign(unsigned.message())).decode()
    signed = Signed(seq, head_hash, at, unsigned.key_fingerprint, signature)
    session.add(
        LedgerCheckpoint(
            seq=seq,
            head_hash=head_hash,
            at=moment,
            key_fingerprint=signed.key_fingerprint,
            signature=signature,
        )
    )
    session.flush()
    _keep(keys_dir, session, signed)
    return signed


def sign_if_due(
    session: Session, keys_dir: Path, *, every_entries: int, every_minutes: float, now: datetime | None = None
) -> Signed | None:
    """Sign the head when `every_entries` entries came since the last checkpoint, or any came and `every_minutes`
    passed: so a proof never carries more than about `every_entries` entries of chain. Several workers may ask at
    once: on PostgreSQL they take turns (an advisory lock), and the second finds nothing due."""
    if session.get_bind().dialect.name == "postgresql":
        session.execute(text("SELECT pg_advisory_xact_lock(:k)"), {"k": _PG_CHECKPOINT_LOCK})
    seq, _ = _head(session)
    last = session.execute(
        select(LedgerCheckpoint.seq, LedgerCheckpoint.at).order_by(LedgerCheckpoint.seq.desc()).limit(1)
    ).first()
    signed_seq, signed_at = (last.seq, last.at) if last else (0, None)
    waited = signed_at is None or (now or utcnow()) - signed_at >= timedelta(minutes=every_minutes)
    if seq == 0 or seq == signed_seq or (seq - signed_seq < every_entries and not waited):
        return None
    return sign_head(session, keys_dir)


def checkpoints(session: Session) -> list[Signed]:
    rows = session.scalars(select(LedgerCheckpoint).order_by(LedgerCheckpoint.seq, LedgerCheckpoint.id))
    return [Signed(c.seq, c.head_hash, _iso(c), c.key_fingerprint, c.signature) for c in rows]


def covering(session: Session, seq: int) -> Signed | None:
    """The first checkpoint that covers entry `seq`."""
    row = session.scalars(
        select(LedgerCheckpoint).where(LedgerCheckpoint.seq >= seq).order_by(LedgerCheckpoint.seq).limit(1)
    ).first()
    return None if row is None else Signed(row.seq, row.head_hash, _iso(row), row.key_fingerprint, row.signature)


def signature_ok(signed: Signed, public: Ed25519PublicKey) -> bool:
    try:
        raw = base64.b64decode(signed.signature, validate=True)
        if base64.b64encode(raw).decode() != signed.signature:
            return False  # the same bytes written another way (spare bits set): not the signature as made
        public.verify(raw, signed.message())
    except (InvalidSignature, ValueError):
        return False
    return fingerprint(public) == signed.key_fingerprint


def _iso(row: LedgerCheckpoint) -> str:
    text = iso_utc(row.at)
    assert text is not None
    return text
