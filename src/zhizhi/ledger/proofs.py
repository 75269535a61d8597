"""Proofs: one entry with the chain from it to a signed checkpoint and the public key, checked without a database.

A proof is written as canonical JSON (keys sorted, no spaces, one trailing newline) and only that form is
accepted, so changing any byte of the file, even a space, makes it fail.
"""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any, TypeVar

from cryptography.exceptions import UnsupportedAlgorithm
from cryptography.hazmat.primitives import serialization
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PublicKey
from sqlalchemy.orm import Session

from zhizhi.errors import NotFoundError
from zhizhi.ledger.chain import Entry, canonical, check_chain, entries
from zhizhi.ledger.checkpoints import Signed, covering, public_key_pem, sign_head, signature_ok

FORMAT = "zhizhi-ledger-proof/1"
T = TypeVar("T", Entry, Signed)


def make_proof(session: Session, keys_dir: Path, seq: int) -> str:
    """The proof of entry `seq` as text; signs the head first when no checkpoint covers the entry yet."""
    found = list(entries(session, start=seq, stop=seq))
    if not found:
        raise NotFoundError(f"No ledger entry {seq}. See `zhizhi ledger list`.", zh=f"账本中没有第 {seq} 条。")
    signed = covering(session, seq) or sign_head(session, keys_dir)
    segment = list(entries(session, start=seq + 1, stop=signed.seq))
    proof = {
        "format": FORMAT,
        "entry": found[0].as_dict(),
        "segment": [item.as_dict() for item in segment],
        "checkpoint": signed.as_dict(),
        "public_key": public_key_pem(keys_dir),
    }
    return canonical(proof) + "\n"


@dataclass(frozen=True)
class ProofCheck:
    """What checking a proof found: whether it holds, and what it proves (or why not)."""

    ok: bool
    problem: str | None = None
    entry: dict[str, Any] | None = None
    checkpoint: dict[str, Any] | None = None

    def as_dict(self) -> dict[str, Any]:
        return {"ok": self.ok, "problem": self.problem, "entry": self.entry, "checkpoint": self.checkpoint}


def check_proof(text: bytes, *, expected_fingerprint: str | None = None) -> ProofCheck:
    """Check a proof file's bytes: its form, the entry's hash, the chain to the checkpoint, the signature."""
    try:
        proof = json.loads(text.decode("utf-8"))
    except (UnicodeDecodeError, json.JSONDecodeError) as exc:
        return ProofCheck(False, f"not a proof: the file is not UTF-8 JSON ({exc})")
    if not isinstance(proof, dict) or proof.get("format") != FORMAT:
        return ProofCheck(False, f"not a proof: `format` is not `{FORMAT}`")
    if (canonical(proof) + "\n").encode() != text:
        return ProofCheck(False, "the file is not as zhizhi wrote it (changed bytes, spacing or key order)")
    try:
        entry = _typed(Entry(**proof["entry"]))
        segment = [_typed(Entry(**item)) for item in proof["segment"]]
        signed = _typed(Signed(**proof["checkpoint"]))
        public = serialization.load_pem_public_key(_text(proof["public_key"], "public_key").encode())
        payload = json.loads(entry.payload)
    except (TypeError, KeyError, ValueError, UnsupportedAlgorithm) as exc:
        return ProofCheck(False, f"the proof is incomplete or malformed ({exc})")
    if not isinstance(public, Ed25519PublicKey):
        return ProofCheck(False, "the public key is not an Ed25519 key")
    pem = public.public_bytes(serialization.Encoding.PEM, serialization.PublicFormat.SubjectPublicKeyInfo).decode()
    if pem != proof["public_key"]:
        return ProofCheck(False, "the public key is not written as zhizhi writes it")
    if entry.computed_hash() != entry.hash:
        return ProofCheck(False, f"entry {entry.seq} does not match its hash: edited")
    chain = check_chain(iter(segment), start=entry.seq + 1, prev_hash=entry.hash)
    if not chain.ok:
        return ProofCheck(False, f"the chain from the entry to the checkpoint is broken: {chain.problem}")
    if entry.seq + chain.entries != signed.seq or chain.head_hash != signed.head_hash:
        return ProofCheck(False, "the chain does not end in the checkpoint's head")
    if not signature_ok(signed, public):
        return ProofCheck(False, "the checkpoint's signature does not verify with the proof's public key")
    if expected_fingerprint and signed.key_fingerprint != expected_fingerprint:
        return ProofCheck(
            False,
            f"signed by key {signed.key_fingerprint}, not by the expected {expected_fingerprint}",
        )
    return ProofCheck(True, None, entry.as_dict() | {"payload": payload}, signed.as_dict())


def _typed(item: T) -> T:
    """`item` as zhizhi writes it: `seq` a whole number, every other field text (a proof written by someone else may
    hold anything: a `seq` of `"5"` hashes as 5 yet is no position)."""
    for name, value in vars(item).items():
        if name == "seq":
            if type(value) is not int:
                raise TypeError(f"`seq` is {value!r}, not a whole number")
        else:
            _text(value, name)
    return item


def _text(value: Any, name: str) -> str:
    if not isinstance(value, str):
        raise TypeError(f"`{name}` is {value!r}, not text")
    return value

