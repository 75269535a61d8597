"""Every error zhizhi raises on purpose speaks both languages: a ZhizhiError made without `zh=` reaches a Chinese
terminal or page in English only."""

from __future__ import annotations

import ast
from pathlib import Path

import zhizhi

SRC = Path(zhizhi.__file__).parent

# (file under src/zhizhi, function, error class) made without `zh=` on purpose, each with its reason; keep it short.
WITHOUT_ZH: dict[tuple[str, str, str], str] = {}


def _trees() -> dict[str, ast.Module]:
    return {path.relative_to(SRC).as_posix(): ast.parse(path.read_text("utf-8")) for path in SRC.rglob("*.py")}


def _name(node: ast.expr) -> str | None:
    return node.id if isinstance(node, ast.Name) else node.attr if isinstance(node, ast.Attribute) else None


def _error_classes(trees: dict[str, ast.Module]) -> set[str]:
    """ZhizhiError and the names of every class in src that derives from it, however indirectly."""
    bases: dict[str, set[str]] = {}
    for tree in trees.values():
        for node in ast.walk(tree):
            if isinstance(node, ast.ClassDef):
                bases.setdefault(node.name, set()).update(filter(None, map(_name, node.bases)))
    found = {"ZhizhiError"}
    while grown := {name for name, of in bases.items() if of & found} - found:
        found |= grown
    return found


class _Calls(ast.NodeVisitor):
    """The calls of error classes with no `zh=` (nor `**kwargs`), each with the function around it."""

    def __init__(self, file: str, errors: set[str]) -> None:
        self.file, self.errors, self.within = file, errors, ["<module>"]
        self.found: list[tuple[str, str, str, int]] = []

    def visit_FunctionDef(self, node: ast.FunctionDef | ast.AsyncFunctionDef) -> None:
        self.within.append(node.name)
        self.generic_visit(node)
        self.within.pop()

    visit_AsyncFunctionDef = visit_FunctionDef

    def visit_Call(self, node: ast.Call) -> None:
        made = _name(node.func)
        if made in self.errors and not any(keyword.arg in ("zh", None) for keyword in node.keywords):
            self.found.append((self.file, self.within[-1], made, node.lineno))
        self.generic_visit(node)


def _made_without_zh(trees: dict[str, ast.Module], errors: set[str]) -> list[tuple[str, str, str, int]]:
    """(file, function, class, line) of each error made without a Chinese message."""
    found = []
    for file, tree in sorted(trees.items()):
        calls = _Calls(file, errors)
        calls.visit(tree)
        found += calls.found
    return found


def test_every_zhizhi_error_is_made_with_a_chinese_message() -> None:
    trees = _trees()
    errors = _error_classes(trees)
    assert {"InputError", "ConfigError", "NotFoundError", "FileRefusedError"} <= errors
    made = _made_without_zh(trees, errors)
    missing = [f"src/zhizhi/{f}:{line} {cls} in {fn}()" for f, fn, cls, line in made if (f, fn, cls) not in WITHOUT_ZH]
    assert not missing, "give these errors `zh=` (the same message in Chinese):\n" + "\n".join(missing)
    stale = set(WITHOUT_ZH) - {(f, fn, cls) for f, fn, cls, _ in made}
    assert not stale, f"these now have `zh=`: remove them from WITHOUT_ZH: {sorted(stale)}"


def test_the_check_sees_an_error_without_chinese() -> None:
    tree = ast.parse(
        "class InputError(ZhizhiError): ...\nclass LocalError(InputError): ...\n"
        "def f():\n    raise LocalError('no Chinese')\n"
        "def g():\n    raise errors.InputError('both', zh='两种')\n"
    )
    trees = {"x.py": tree}
    assert _made_without_zh(trees, _error_classes(trees)) == [("x.py", "f", "LocalError", 4)]
