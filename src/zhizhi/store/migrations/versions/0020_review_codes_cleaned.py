"""review items and decisions keyed by the code as the translator reads it

A code written otherwise than its list writes it (full-width `６２１０`, a trailing space `629104 `) was queued under
that spelling, one item per spelling, and decided under it, while the translator looks the cleaned code up: the
decision never applied. Items and decisions now hold the cleaned code. Existing ones are cleaned here; items of one
code under several spellings become one (rows added up, held deliveries pointed at it), and of several decisions in
force for one cleaned code the latest stays in force.

Revision ID: 0020
Revises: 0019
Create Date: 2026-12-07

The cleaning is the app's own (`clean_identifier_value`), so that the stored keys are exactly what translation reads
at this revision; a store created later has no items to clean.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

import sqlalchemy as sa
from alembic import op

from zhizhi.ingest.normalize.text import clean_identifier_value

revision = "0020"
down_revision = "0019"
branch_labels = None
depends_on = None


def _clean(code: str) -> str:
    return clean_identifier_value(code) or code


def upgrade() -> None:
    bind = op.get_bind()
    _clean_decisions(bind)
    _clean_items(bind)


def _clean_decisions(bind: sa.Connection) -> None:
    rows = bind.execute(
        sa.text("SELECT id, from_list, to_list, from_code, context, active FROM code_decisions ORDER BY id")
    ).all()
    latest: dict[tuple[str, str, str, str], int] = {}
    for row in rows:
        code = _clean(row.from_code)
        if code != row.from_code:
            bind.execute(sa.text("UPDATE code_decisions SET from_code = :c WHERE id = :id"), {"c": code, "id": row.id})
        if row.active:
            key = (row.from_list, row.to_list, code, row.context)
            if key in latest:  # two spellings decided: the later decision is the one in force
                retired = {"no": False, "id": latest[key]}
                bind.execute(sa.text("UPDATE code_decisions SET active = :no WHERE id = :id"), retired)
            latest[key] = row.id


def _clean_items(bind: sa.Connection) -> None:
    rows = bind.execute(
        sa.text(
            "SELECT id, from_list, to_list, from_code, context, rows_affected, seen_in, first_seen, last_seen, status "
            "FROM code_review_items ORDER BY id"
        )
    ).all()
    groups: dict[tuple[str, str, str, str], list[Any]] = defaultdict(list)
    for row in rows:
        groups[(row.from_list, row.to_list, _clean(row.from_code), row.context)].append(row)
    for (from_list, to_list, code, context), group in groups.items():
        if len(group) == 1 and group[0].from_code == code:
            continue
        kept = next((r for r in group if r.from_code == code), group[0])
        for other in group:
            if other is not kept:
                bind.execute(
                    sa.text("UPDATE deliveries SET review_item_id = :kept WHERE review_item_id = :other"),
                    {"kept": kept.id, "other": other.id},
                )
                bind.execute(sa.text("DELETE FROM code_review_items WHERE id = :id"), {"id": other.id})
        decided = bind.execute(
            sa.text(
                "SELECT COUNT(*) FROM code_decisions WHERE from_list = :f AND to_list = :t AND from_code = :c "
                "AND context = :x AND active = :yes"
            ),
            {"f": from_list, "t": to_list, "c": code, "x": context, "yes": True},
        ).scalar()
        newest = max(group, key=lambda r: r.last_seen)
        bind.execute(
            sa.text(
                "UPDATE code_review_items SET from_code = :code, rows_affected = :rows, seen_in = :seen_in, "
                "first_seen = :first, last_seen = :last, status = :status WHERE id = :id"
            ),
            {
                "code": code,
                "rows": sum(r.rows_affected or 0 for r in group),
                "seen_in": newest.seen_in,
                "first": min(r.first_seen for r in group),
                "last": newest.last_seen,
                "status": "decided" if decided else "open",
                "id": kept.id,
            },
        )


def downgrade() -> None:
    pass  # the spellings merged are not kept: the cleaned codes stay
