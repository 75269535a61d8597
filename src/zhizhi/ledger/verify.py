"""Check the whole ledger: the chain from the first entry, every checkpoint against it and its signature, and the
entries no checkpoint signs yet against the outbox (`zhizhi.ledger.against`)."""

from __future__ import annotations

from dataclasses import asdict, dataclass
from pathlib import Path
from typing import Any

from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy import select
from sqlalchemy.orm import Session

from zhizhi.config.keys import PUBLIC_KEY
from zhizhi.errors import ConfigError
from zhizhi.ledger.against import unsigned_entries
from zhizhi.ledger.chain import check_chain, entries
from zhizhi.ledger.checkpoints import checkpoints, signature_ok, witnessed
from zhizhi.store.tables import LedgerEntry


@dataclass(frozen=True)
class LedgerCheck:
    ok: bool
    entries: int
    head_hash: str
    checkpoints: int
    first_bad_seq: int | None = None
    problem: str | None = None
    unsigned: int = 0  # entries after the last checkpoint: held against the outbox, covered by no signature yet
    unsigned_from: int | None = None

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


def verify_ledger(session: Session, keys_dir: Path, *, witness: bool = True) -> LedgerCheck:
    """Name the first edited, deleted, inserted or reordered entry, the first checkpoint that does not hold, or the
    first entry after the last checkpoint that the outbox does not bear out; count the entries no checkpoint signs.
    `witness`: hold the checkpoint kept beside the keys against the chain too (`zhizhi.ledger.restore` asks without)."""
    public = _public_key(keys_dir)
    # The checkpoints first: one a worker signs while the chain is walked then covers entries the walk sees.
    signed = checkpoints(session)
    chain = check_chain(entries(session))
    if not chain.ok:
        return LedgerCheck(False, chain.entries, chain.head_hash, len(signed), chain.first_bad_seq, chain.problem)
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
    kept = witnessed(session, keys_dir, chain.entries, public) if witness else None
    if kept is not None and kept.problem is not None:
        return LedgerCheck(False, chain.entries, chain.head_hash, len(signed), chain.entries + 1, kept.problem)
    after = max(max((c.seq for c in signed), default=0), kept.covers if kept is not None else 0)
    tail = unsigned_entries(session, after=after, head=chain.entries)
    start = tail.first if tail.count else None
    if tail.bad_seq is not None:
        return LedgerCheck(False, chain.entries, chain.head_hash, len(signed), tail.bad_seq, tail.problem, tail.count,
                           start)  # fmt: skip
    return LedgerCheck(True, chain.entries, chain.head_hash, len(signed), unsigned=tail.count, unsigned_from=start)


def _public_key(keys_dir: Path) -> Ed25519PublicKey:
    """The workspace's public key, or an error naming the file and what to do."""
    path = keys_dir / PUBLIC_KEY
    if not path.is_file():
        raise ConfigError(
            f"No public key at `{path}`: the ledger's checkpoints cannot be checked without it. Put back the key "
            "the workspace signs with (`zhizhi init` makes one for a new workspace).",
            zh=f"找不到公钥 `{path}`：没有它无法核验账本的签名检查点。请放回本工作区签名所用的公钥。",
        )
    try:
        public = serialization.load_pem_public_key(path.read_bytes())
    except ValueError as exc:
        raise ConfigError(
            f"`{path}` is not a PEM public key ({exc}): put back the workspace's Ed25519 public key.",
            zh=f"`{path}` 不是 PEM 格式的公钥：请放回本工作区的 Ed25519 公钥。",
        ) from exc
    if not isinstance(public, Ed25519PublicKey):
        raise ConfigError(
            f"`{path}` is a {type(public).__name__.removesuffix('PublicKey') or 'other'} key, not the Ed25519 key "
            "zhizhi signs checkpoints with: put back the workspace's own public key.",
            zh=f"`{path}` 不是 zhizhi 签名检查点所用的 Ed25519 公钥：请放回本工作区自己的公钥。",
        )
    return public
