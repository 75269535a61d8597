"""The review queue: codes seen in real data with no single translation, decided once by a steward, reused after."""

from __future__ import annotations

import csv
import json
import re
from collections import Counter
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from zhizhi.access import Actor, audit, require
from zhizhi.cells import csv_cell
from zhizhi.codes.lists import all_codes, get_code_list, load_hierarchy
from zhizhi.codes.translate import Translation, Translator, context_key
from zhizhi.errors import ConflictError, InputError, NotFoundError
from zhizhi.store.tables import CodeDecision, CodeReviewItem
from zhizhi.store.types import iso_utc, local_today, utcnow

if TYPE_CHECKING:
    import polars as pl


def note_for_review(
    session: Session, translator: Translator, results: pl.DataFrame, *, seen_in: str, origin: str | None = None
) -> int:
    """Queue every unmapped or ambiguous code of `results` (from `translate_column`) with the rows it affects.

    Returns how many distinct codes are waiting. A code's rows are counted per `origin` (the data they are in: a
    source, a target, a file; `seen_in` by default) and summed: the rows of each origin are replaced, not added, so
    noting the same data twice (a source's next file) does not double them, and a code in two sources counts both.
    """
    import polars as pl

    fields = [f for f in translator.rule_fields if f in results.columns]
    failed = results.filter(pl.col("method").is_in(["unmapped", "ambiguous"]))
    groups = failed.group_by(["code", *fields]).agg(pl.len().alias("rows"))
    waiting: dict[tuple[str, str], tuple[str, tuple[str, ...], int]] = {}
    for row in groups.iter_rows(named=True):
        answer, key = _review_key(translator, row["code"], row)
        if answer.decided:
            continue  # a steward already said there is no equivalent
        rows = row["rows"] + (waiting[key][2] if key in waiting else 0)
        waiting[key] = (str(answer.method), answer.candidates, rows)
    now = utcnow()
    for (code, context), (kind, candidates, rows) in waiting.items():
        item = session.scalar(
            select(CodeReviewItem).where(
                CodeReviewItem.from_list == translator.from_list,
                CodeReviewItem.to_list == translator.to_list,
                CodeReviewItem.from_code == code,
                CodeReviewItem.context == context,
            )
        )
        if item is None:
            item = CodeReviewItem(
                from_list=translator.from_list,
                to_list=translator.to_list,
                from_code=code,
                context=context,
                first_seen=now,
            )
            session.add(item)
        counts = origins(item) | {origin or seen_in: rows}
        item.kind, item.candidates = kind, json.dumps(list(candidates), ensure_ascii=False)
        item.origins = json.dumps(counts, ensure_ascii=False)
        item.rows_affected, item.seen_in, item.last_seen, item.status = sum(counts.values()), seen_in[:260], now, "open"
    session.flush()
    return len(waiting)


def origins(item: CodeReviewItem) -> dict[str, int]:
    """The rows of a review item's code in each origin it was seen in (an item noted before they were kept: its one
    count, under its source when it names one)."""
    if item.origins:
        return dict(json.loads(item.origins))
    legacy = re.sub(r"（批次 \d+）$", "", item.seen_in or "")
    return {legacy: item.rows_affected} if item.rows_affected else {}


def review_items_for(
    session: Session, translator: Translator, failed: Sequence[tuple[str, Mapping[str, Any]]]
) -> list[CodeReviewItem | None]:
    """The review item of each code that did not translate in a record with these fields, in the order given: the
    one `note_for_review` queued for it, or the one whose decision (no equivalent) it met; None for one never queued.
    """
    keys = [_review_key(translator, code, fields) for code, fields in failed]
    query = select(CodeReviewItem).where(
        CodeReviewItem.from_list == translator.from_list,
        CodeReviewItem.to_list == translator.to_list,
        CodeReviewItem.from_code.in_(sorted({key[0] for _, key in keys})),  # one claim's codes: a batch at most
    )
    by_code: dict[str, list[CodeReviewItem]] = {}
    for item in session.scalars(query):
        by_code.setdefault(item.from_code, []).append(item)
    found: list[CodeReviewItem | None] = []
    for (_, fields), (answer, key) in zip(failed, keys, strict=True):
        items = by_code.get(key[0], [])
        if answer.decided:  # the decision's own fields, as the translator matched them: the most specific first
            matching = [i for i in items if _matches(json.loads(i.context), fields)]
            found.append(max(matching, key=lambda i: len(json.loads(i.context)), default=None))
        else:
            found.append(next((i for i in items if (i.from_code, i.context) == key), None))
    return found


def _matches(context: Mapping[str, str], fields: Mapping[str, Any]) -> bool:
    return all(str(fields.get(k) or "").strip() == v for k, v in context.items())


def _review_key(translator: Translator, code: str, fields: Mapping[str, Any]) -> tuple[Translation, tuple[str, str]]:
    """The translator's answer for a code in a record, and the key of its review item: the code as cleaned for
    translation and the record fields the answer depended on."""
    texts = {f: None if fields.get(f) is None else str(fields[f]) for f in translator.rule_fields}
    answer = translator.translate(code, texts)
    # The code as the translator read it (full-width `６２１０` and `6210 ` are `6210`): one item for every spelling,
    # and the decision made on it is the one the translator looks up.
    return answer, (answer.code or code, context_key({f: texts[f] for f in answer.context_fields}))


def list_review_items(
    session: Session, *, status: str | None = "open", from_list: str | None = None, to_list: str | None = None
) -> list[CodeReviewItem]:
    """Items waiting (or all, with `status=None`), the ones affecting most rows first."""
    stmt = select(CodeReviewItem)
    if status:
        stmt = stmt.where(CodeReviewItem.status == status)
    if from_list:
        stmt = stmt.where(CodeReviewItem.from_list == from_list)
    if to_list:
        stmt = stmt.where(CodeReviewItem.to_list == to_list)
    return list(session.scalars(stmt.order_by(CodeReviewItem.rows_affected.desc(), CodeReviewItem.id)))


def decide(
    session: Session, actor: Actor, item_id: int, *, to_code: str | None, reason: str, replaces: int | None = None
) -> CodeDecision:
    """Record a steward's answer for a queued code (`to_code=None`: there is no equivalent); audited. `replaces`, the
    decision in force the steward saw (0: none), when a form says it: another steward's decision made since is not
    replaced unseen."""
    require(actor, "data.write")
    item = session.get(CodeReviewItem, item_id)
    if item is None:
        raise NotFoundError(f"No review item `{item_id}`. See `zhizhi codes review list`.", zh="没有该待审项。")
    same_code = (
        CodeDecision.from_list == item.from_list,
        CodeDecision.to_list == item.to_list,
        CodeDecision.from_code == item.from_code,
        CodeDecision.context == item.context,
    )
    current = session.scalar(select(CodeDecision).where(*same_code, CodeDecision.active))
    if replaces is not None and current is not None and current.id != replaces:
        said = current.to_code or "no equivalent"
        raise ConflictError(
            f"`{item.from_code}` was decided by {current.decided_by} since you opened it ({said}): your decision was "
            "not kept. Reload the item and decide again if it should change.",
            zh=f"代码 {item.from_code} 在您打开之后已由 {current.decided_by} 作出决定"
            f"（{current.to_code or '无对应代码'}）：您的决定未保存。如需改变，请重新打开后再作决定。",
        )
    if len(reason.strip()) < 2:
        raise InputError(
            "Say why, in a few words (two characters at least): the reason is kept with the decision.",
            zh="请用几个字说明决定的理由（至少两个字）：理由与决定一并保存。",
        )
    if to_code is not None:
        _in_force(session, item.to_list, to_code)
    session.execute(update(CodeDecision).where(*same_code).values(active=False))
    decision = CodeDecision(
        from_list=item.from_list,
        to_list=item.to_list,
        from_code=item.from_code,
        context=item.context,
        to_code=to_code,
        reason=reason.strip(),
        decided_by=actor.name,
        decided_at=utcnow(),
        active=True,
    )
    session.add(decision)
    item.status = "decided"
    session.flush()
    audit.record(
        session,
        actor,
        "codes.decide",
        object_type="code_decision",
        object_id=decision.id,
        detail={
            "from_list": item.from_list,
            "to_list": item.to_list,
            "code": item.from_code,
            "context": json.loads(item.context),
            "to_code": to_code,
            "reason": decision.reason,
        },
    )
    return decision


def _in_force(session: Session, to_list: str, code: str) -> None:
    """Refuse a code that is not in force today in the list's version in force: a decision is applied to records of
    today, and a code retired (or not yet valid) would be delivered as if it were."""
    today = local_today()
    title = get_code_list(session, to_list).title
    info = load_hierarchy(session, to_list, as_of=today).codes.get(code)
    if info is None and code not in all_codes(session, to_list):
        raise InputError(
            f"`{code}` is not a code of `{to_list}`. Pick one of the candidates or another code of that list.",
            zh=f"{code} 不是「{title}」中的代码：请选择候选代码，或填写该表中的其他代码。",
        )
    if info is None or not info.valid_on(today):
        until = f" (valid {info.valid_from or '…'} to {info.valid_to or '…'})" if info is not None else ""
        until_zh = f"（有效期 {info.valid_from or '…'} 至 {info.valid_to or '…'}）" if info is not None else ""
        raise InputError(
            f"`{code}` of `{to_list}` is not in force on {today}{until}: records decided with it would be delivered "
            "with a code the list no longer has. Pick a code in force (the candidates are).",
            zh=f"「{title}」的代码 {code} 在 {today} 不在有效期内{until_zh}：按此决定送出的数据将带有已失效的代码。"
            "请选择现行有效的代码（候选代码均为现行代码）。",
        )


def list_decisions(session: Session, from_list: str, to_list: str) -> list[CodeDecision]:
    """The decisions in force between two lists."""
    stmt = (
        select(CodeDecision)
        .where(CodeDecision.from_list == from_list, CodeDecision.to_list == to_list, CodeDecision.active.is_(True))
        .order_by(CodeDecision.from_code)
    )
    return list(session.scalars(stmt))


@dataclass(frozen=True)
class Exported:
    """What an export of decisions wrote, and what it left out and why."""

    pairs: int  # crosswalk rows written
    no_equivalent: int  # decisions that there is none: no crosswalk row says that
    not_codes: int  # decisions on a value that is no code of the from-list (a typo decided away)
    not_rules: int  # decisions for records with an empty field, or with several fields: no rule says that

    def as_dict(self) -> dict[str, int]:
        return dict(self.__dict__)


def export_decisions(session: Session, from_list: str, to_list: str, path: Path) -> Exported:
    """Write the decisions as a crosswalk file that `zhizhi codes import --crosswalk` takes back: each exactly as
    decided, so a decision a crosswalk row cannot say (no equivalent, a value that is no code, records whose field is
    empty or several fields) is left out and counted, never widened into a row for every record."""
    rows = []
    known = all_codes(session, from_list)
    left: Counter[str] = Counter()
    for decision in list_decisions(session, from_list, to_list):
        context = json.loads(decision.context)
        if decision.to_code is None:
            left["no_equivalent"] += 1
            continue
        if decision.from_code not in known:
            left["not_codes"] += 1
            continue
        if len(context) > 1 or any(not str(value).strip() for value in context.values()):
            left["not_rules"] += 1
            continue
        field, value = next(iter(context.items())) if context else ("", "")
        rows.append(
            [
                decision.from_code,
                decision.to_code,
                field,
                value,
                # What a person typed may start like a formula; the columns read back on import are codes.
                csv_cell(decision.reason),
                csv_cell(decision.decided_by),
                iso_utc(decision.decided_at),
            ]
        )
    with path.open("w", encoding="utf-8-sig", newline="") as handle:  # the BOM lets Excel read the Chinese
        writer = csv.writer(handle)
        writer.writerow(["from_code", "to_code", "rule_field", "rule_value", "reason", "decided_by", "decided_at"])
        writer.writerows(rows)
    return Exported(len(rows), left["no_equivalent"], left["not_codes"], left["not_rules"])


def item_as_dict(item: CodeReviewItem) -> dict[str, Any]:
    """The JSON form of a review item."""
    return {
        "id": item.id,
        "from_list": item.from_list,
        "to_list": item.to_list,
        "code": item.from_code,
        "context": json.loads(item.context),
        "kind": item.kind,
        "candidates": json.loads(item.candidates),
        "rows_affected": item.rows_affected,
        "seen_in": item.seen_in,
        "origins": origins(item),
        "status": item.status,
        "last_seen": iso_utc(item.last_seen),
    }


def decision_as_dict(decision: CodeDecision) -> dict[str, Any]:
    """The JSON form of a decision."""
    return {
        "id": decision.id,
        "from_list": decision.from_list,
        "to_list": decision.to_list,
        "code": decision.from_code,
        "context": json.loads(decision.context),
        "to_code": decision.to_code,
        "reason": decision.reason,
        "decided_by": decision.decided_by,
        "decided_at": iso_utc(decision.decided_at),
    }
