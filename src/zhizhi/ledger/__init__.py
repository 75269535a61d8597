"""The ledger: a hash-chained record of what zhizhi took in and delivered, signed at checkpoints, with proofs a
third party checks without zhizhi's database."""

from zhizhi.ledger.chain import append, append_many, entries
from zhizhi.ledger.checkpoints import sign_head, sign_if_due
from zhizhi.ledger.proofs import check_proof, make_proof
from zhizhi.ledger.verify import verify_ledger

__all__ = ["append", "append_many", "check_proof", "entries", "make_proof", "sign_head", "sign_if_due", "verify_ledger"]
