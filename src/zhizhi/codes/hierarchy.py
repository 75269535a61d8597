"""A version of a code list in memory: parent, ancestors, descendants, level, roll-up."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date

from zhizhi.errors import InputError


@dataclass(frozen=True)
class CodeInfo:
    """What the hierarchy needs to know of one code."""

    code: str
    name: str
    parent: str | None
    level: int
    valid_from: date | None = None
    valid_to: date | None = None

    def valid_on(self, day: date | None) -> bool:
        if day is None:
            return True
        return (self.valid_from is None or self.valid_from <= day) and (self.valid_to is None or day <= self.valid_to)


@dataclass
class Hierarchy:
    """The codes of one list version, with their tree."""

    list_name: str
    version: str
    codes: dict[str, CodeInfo]
    _children: dict[str | None, list[str]] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        children: dict[str | None, list[str]] = defaultdict(list)
        for info in self.codes.values():
            children[info.parent].append(info.code)
        self._children = {k: sorted(v) for k, v in children.items()}

    def __contains__(self, code: str) -> bool:
        return code in self.codes

    def get(self, code: str) -> CodeInfo:
        """One code, or InputError naming the list and version."""
        try:
            return self.codes[code]
        except KeyError:
            raise InputError(
                f"Code `{code}` is not in `{self.list_name}` version `{self.version}`.",
                zh=f"代码 `{code}` 不在代码表 `{self.list_name}`（版本 {self.version}）中。",
            ) from None

    def parent(self, code: str) -> str | None:
        return self.get(code).parent

    def ancestors(self, code: str) -> list[str]:
        """From the parent up to the root."""
        chain, current = [], self.get(code).parent
        while current is not None:
            chain.append(current)
            current = self.codes[current].parent if current in self.codes else None
        return chain

    def children(self, code: str | None) -> list[str]:
        """Direct children; `None` gives the roots."""
        return self._children.get(code, [])

    def descendants(self, code: str) -> list[str]:
        """Every code below, depth first."""
        found: list[str] = []
        stack = list(reversed(self.children(code)))
        while stack:
            current = stack.pop()
            found.append(current)
            stack.extend(reversed(self.children(current)))
        return found

    def level(self, code: str) -> int:
        return self.get(code).level

    def roll_up(self, code: str, level: int) -> str:
        """The code's ancestor (or itself) at `level`; refuses a finer level than the code's own."""
        info = self.get(code)
        if level > info.level:
            raise InputError(
                f"Cannot roll `{code}` (level {info.level}) down to level {level}: roll-up goes coarser.",
                zh=f"不能把 `{code}`（第 {info.level} 级）上卷到更细的第 {level} 级。",
            )
        current = info
        while current.level > level and current.parent is not None:
            current = self.codes[current.parent]
        return current.code
