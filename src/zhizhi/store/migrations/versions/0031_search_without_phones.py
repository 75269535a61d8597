"""entities' search text without their phones

The register's search matches any part of an entity's search text, which held its phone (as written and as digits
alone): a reader who sees `138****1234` rebuilt the number by searching for growing prefixes of it. A phone is now
found whole, on its own column, and the search text holds no personal value; the phones are taken out of the texts
stored here, at once, rather than at the next run that writes the entity.

Revision ID: 0031
Revises: 0030
Create Date: 2026-12-08
"""

from __future__ import annotations

import re

import sqlalchemy as sa
from alembic import op

revision = "0031"
down_revision = "0030"
branch_labels = None
depends_on = None

BATCH = 10_000


def without_phone(search: str, phone: str) -> str:
    """The search text without the words that are the phone, as written (lower case) or as digits alone."""
    phone_words = {phone.lower(), re.sub(r"\D", "", phone)} - {""}
    return " ".join(word for word in search.split(" ") if word not in phone_words)


def upgrade() -> None:
    bind = op.get_bind()
    read = sa.text(
        "SELECT id, phone, search FROM entities WHERE id > :after AND phone IS NOT NULL AND search IS NOT NULL "
        "ORDER BY id LIMIT :n"
    )
    write = sa.text("UPDATE entities SET search = :search WHERE id = :id")
    after = -1
    while rows := bind.execute(read, {"after": after, "n": BATCH}).all():
        changed = [{"id": r.id, "search": without_phone(r.search, r.phone)} for r in rows]
        changed = [c for c, r in zip(changed, rows, strict=True) if c["search"] != r.search]
        if changed:
            bind.execute(write, changed)
        after = rows[-1].id


def downgrade() -> None:
    pass  # a search text without the phone is still a search text; the phones are not put back
