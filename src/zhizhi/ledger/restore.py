"""A workspace given a database restored from a backup (or another database) on purpose: the checkpoint kept beside
the keys (`checkpoints.WITNESS`) names entries the restored ledger does not hold, and nothing is signed again until
the operator says so. Setting it aside keeps it (renamed, beside the keys) as the old ledger's proof and audits why;
the next checkpoint keeps a new one."""

from __future__ import annotations

import json
import os
from pathlib import Path
from typing import Any

from sqlalchemy import event
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit
from zhizhi.errors import ConflictError, InputError, PermissionDeniedError
from zhizhi.ledger.checkpoints import WITNESS, witnessed
from zhizhi.ledger.verify import verify_ledger
from zhizhi.store.types import utcnow

REASON_MAX = 500


def set_aside_witness(session: Session, actor: Actor, keys_dir: Path, reason: str) -> dict[str, Any]:
    """Set the kept checkpoint aside (in the caller's transaction; the file is renamed once it commits) when it does not
    hold for this database's ledger and the ledger itself does: its chain, its own checkpoints and their signatures."""
    if not actor.is_operator:
        raise PermissionDeniedError(
            "Only the operator on the server, who holds the keys, sets the kept checkpoint aside.",
            zh="只有持有密钥的服务器运维人员才能移开保存的检查点。",
        )
    reason = reason.strip()
    if not reason or len(reason) > REASON_MAX:
        raise InputError(
            f"Give the reason (at most {REASON_MAX} characters): which backup was restored, when, and why.",
            zh=f"请填写原因（最多 {REASON_MAX} 个字）：恢复了哪一份备份、何时、为何。",
        )
    ledger = verify_ledger(session, keys_dir, witness=False)
    if not ledger.ok:
        raise ConflictError(
            f"The ledger itself is broken at entry {ledger.first_bad_seq} ({ledger.problem}): setting the kept "
            "checkpoint aside would not mend it. Restore a backup whose ledger verifies, or find out what happened.",
            zh=f"账本本身在第 {ledger.first_bad_seq} 条处不完整（{ledger.problem}），移开保存的检查点也无法修复；"
            "请恢复一份账本校验通过的备份，或查明原因。",
        )
    path = keys_dir / WITNESS
    kept = witnessed(session, keys_dir, ledger.entries)
    if kept.problem is None:
        raise ConflictError(
            f"The checkpoint kept at `{path}` holds for this database's ledger: there is nothing to set aside.",
            zh=f"保存在 `{path}` 的检查点与本数据库的账本一致，无需移开。",
        )
    aside = path.with_name(f"ledger-witness.set-aside-{utcnow().strftime('%Y%m%dT%H%M%SZ')}.json")
    found = {"kept": str(path), "set_aside_as": str(aside), "problem": kept.problem, "entries": ledger.entries}
    found |= _signed_of(path)
    audit.record(session, actor, "ledger.witness_set_aside", object_type="ledger", detail=found | {"reason": reason})
    event.listen(session, "after_commit", lambda _: os.replace(path, aside), once=True)
    return found


def _signed_of(path: Path) -> dict[str, Any]:
    """The entry and head the kept checkpoint signed, as far as the file says."""
    try:
        kept = json.loads(path.read_text(encoding="utf-8"))
        return {"kept_seq": int(kept["seq"]), "kept_head_hash": str(kept["head_hash"])}
    except (OSError, ValueError, KeyError, TypeError):
        return {}
