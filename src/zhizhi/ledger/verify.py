"""Check the whole ledger: the chain from the first entry, and every checkpoint against it and its signature."""

from __future__ import annotations

from dataclasses import dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.config.keys import PUBLIC_KEY
from zhizhi.ledger.chain import check_chain, entries
from zhizhi.ledger.checkpoints import checkpoints, signature_ok
from zhizhi.store.tables import LedgerEntry


@dataclass(frozen=True)
class LedgerCheck:
    ok: bool
    entries: int
    head_hash: str
    checkpoints: int
    first_bad_seq: int | None = None
    problem: str | None = None

    def as_dict(self) -> dict[str, Any]:
        return {
            "ok": self.ok,
            "entries": self.entries,
            "head_hash": self.head_hash,
            "checkpoints": self.checkpoints,
            "first_bad_seq": self.first_bad_seq,
            "problem": self.problem,
        }


def verify_ledger(session: Session, keys_dir: Path) -> LedgerCheck:
    """Name the first edited, deleted, inserted or reordered entry, or the first checkpoint that does not hold."""
    chain = check_chain(entries(session))
    signed = checkpoints(session)
    if not chain.ok:
        return LedgerCheck(False, chain.entries, chain.head_hash, len(signed), chain.first_bad_seq, chain.problem)
    public = serialization.load_pem_public_key((keys_dir / PUBLIC_KEY).read_bytes())
    assert isinstance(public, Ed25519PublicKey)
    for checkpoint in signed:
        stored = session.scalar(select(LedgerEntry.hash).where(LedgerEntry.seq == checkpoint.seq))
        if checkpoint.seq > chain.entries:
            problem = f"a checkpoint signed entries up to {checkpoint.seq}: entries after it were lost"
            return LedgerCheck(False, chain.entries, chain.head_hash, len(signed), chain.entries + 1, problem)
        if stored != checkpoint.head_hash:
            problem = f"the checkpoint of entry {checkpoint.seq} does not match the chain"
            return LedgerCheck(False, chain.entries, chain.head_hash, len(signed), checkpoint.seq, problem)
        if not signature_ok(checkpoint, public):
            problem = f"the checkpoint of entry {checkpoint.seq} is not signed by this workspace's key"
            return LedgerCheck(False, chain.entries, chain.head_hash, len(signed), checkpoint.seq, problem)
    return LedgerCheck(True, chain.entries, chain.head_hash, len(signed))
