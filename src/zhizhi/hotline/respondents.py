"""A case's respondent in the register (一企一档): by credit code, else by name within the respondent's county."""

from __future__ import annotations

import json
from collections.abc import Iterable
from typing import Any

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from zhizhi.resolve.names import name_parts
from zhizhi.store.tables import Entity

CHUNK = 200
PARSED_MOST = 200_000
_PARSED: dict[str, tuple[str, str, str]] = {}


class Register:
    """The register's entities of tickets' respondents, looked up for many tickets at once: by credit code, else by
    name (its trade name, industry word and branch, as the register parses names: a branch is never its parent)
    when exactly one active entity within the area of the respondent's address has them. Names are parsed in one
    pass (the parser works on columns)."""

    def __init__(self, session: Session, tickets: Iterable[dict[str, Any]]) -> None:
        tickets = list(tickets)
        codes = sorted({str(t["respondent_uscc"]) for t in tickets if t.get("respondent_uscc")})
        self.by_code: dict[str, Entity] = {}
        for chunk in range(0, len(codes), 500):
            for entity in session.scalars(select(Entity).where(Entity.uscc.in_(codes[chunk : chunk + 500]))):
                while entity.status == "merged" and entity.merged_into is not None:
                    entity = session.get_one(Entity, entity.merged_into)
                self.by_code.setdefault(entity.uscc or "", entity)
        names = sorted({str(t["respondent_name"]) for t in tickets if t.get("respondent_name")})
        self.parts = _parts(names)
        trades = sorted({p[0] for p in self.parts.values() if len(p[0]) >= 2})
        self.by_trade = _by_trade(session, trades)
        found = {e.name or "" for rows in self.by_trade.values() for e in rows}
        self.parts |= _parts(sorted(found - set(self.parts)))

    def entity(self, data: dict[str, Any]) -> Entity | None:
        found = self.by_code.get(str(data.get("respondent_uscc") or ""))
        if found is not None or not data.get("respondent_name"):
            return found
        parts = self.parts.get(str(data["respondent_name"]), ("", "", ""))
        division = data.get("respondent_address_division_code")
        same = [
            e for e in self.by_trade.get(parts[0], [])
            if self.parts.get(e.name or "") == parts and _same_area(division, division_of(e))
        ]  # fmt: skip
        return same[0] if len(same) == 1 else None


def _by_trade(session: Session, trades: list[str], most: int = 50) -> dict[str, list[Entity]]:
    """The first `most` active entities (by id) whose name holds each trade name, for all trades in a few queries
    (one scan of the register for many trades)."""
    held: dict[str, list[int]] = {trade: [] for trade in trades}
    for start in range(0, len(trades), CHUNK):
        part = trades[start : start + CHUNK]
        named = or_(*(Entity.name.contains(trade, autoescape=True) for trade in part))
        asked, lengths = set(part), sorted({len(trade) for trade in part})
        for entity_id, name in session.execute(
            select(Entity.id, Entity.name).where(Entity.status == "active", named).order_by(Entity.id)
        ):
            # the trades a name holds, found by its pieces of each trade's length (not each trade tried in it)
            name = name or ""
            inside = {name[at : at + size] for size in lengths for at in range(len(name) - size + 1)} & asked
            for trade in inside:
                if len(held[trade]) < most:
                    held[trade].append(int(entity_id))
    wanted = sorted({i for ids in held.values() for i in ids})
    entities: dict[int, Entity] = {}
    for start in range(0, len(wanted), CHUNK):
        entities |= {
            e.id: e for e in session.scalars(select(Entity).where(Entity.id.in_(wanted[start : start + CHUNK])))
        }
    return {trade: [entities[i] for i in ids] for trade, ids in held.items()}


def _same_area(one: str | None, other: str | None) -> bool:
    """Whether two division codes can name the same place: either unknown, or one within the other (an address
    read to its city only, 450200, holds each of the city's districts)."""
    if not one or not other:
        return True
    one, other = _area(one), _area(other)
    return one.startswith(other) or other.startswith(one)


def _area(code: str) -> str:
    while code.endswith("00") and len(code) > 2:
        code = code[:-2]
    return code


def _parts(names: list[str]) -> dict[str, tuple[str, str, str]]:
    """Each name's trade name, industry word and branch (a name parsed once in the process: the parse depends on the
    name alone, and the same shops and register entities come back batch after batch)."""
    found = {name: _PARSED[name] for name in names if name in _PARSED}
    new = [name for name in names if name not in found]
    if new:
        import polars as pl

        frame = name_parts(pl.Series(new, dtype=pl.String))
        parsed = {name: (str(trade or ""), str(industry or ""), str(branch or ""))
                  for name, trade, industry, branch
                  in zip(new, frame["trade"], frame["industry"], frame["branch"], strict=True)}  # fmt: skip
        if len(_PARSED) + len(parsed) > PARSED_MOST:
            _PARSED.clear()
        _PARSED.update(parsed)
        found |= parsed
    return found


def golden_value(entity: Entity, name: str) -> str | None:
    value = json.loads(entity.golden or "{}").get(name)
    return (value.get("value") if isinstance(value, dict) else value) or None


def division_of(entity: Entity) -> str | None:
    return golden_value(entity, "address_division_code")
