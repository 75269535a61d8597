"""The docs keep up with the code: every CLI command and config key has its entry, and the index links resolve."""

from __future__ import annotations

import re
from collections.abc import Iterator
from pathlib import Path

import typer
from pydantic import BaseModel

from zhizhi.cli.main import app
from zhizhi.config.models import WorkspaceConfig

DOCS = Path(__file__).resolve().parent.parent / "docs"
COMMAND_HEADING = re.compile(r"^### `(zhizhi(?: [a-z][a-z-]*)*)`\s*$", re.MULTILINE)
MD_LINK = re.compile(r"\]\(([^)#\s]+\.md)(?:#[^)\s]*)?\)")


def command_paths(command: object, prefix: str = "zhizhi") -> Iterator[str]:
    """The full path of every runnable command under `command`, e.g. `zhizhi user add`."""
    # Duck-typed: recent Typer ships its own copy of click, so its groups are not `click.Group`s. A group's commands
    # are asked for by name, as click does (the top level loads each when asked).
    if hasattr(command, "list_commands"):
        if getattr(command, "invoke_without_command", False) and prefix != "zhizhi":
            yield prefix  # a group that also runs on its own, like `zhizhi batches`
        for name in command.list_commands(None):
            yield from command_paths(command.get_command(None, name), f"{prefix} {name}")
    else:
        yield prefix


def config_keys(model: type[BaseModel], prefix: str = "") -> Iterator[str]:
    """Every dotted key of a config model, sections included, e.g. `server` and `server.port`."""
    for name, field in model.model_fields.items():
        key = f"{prefix}{name}"
        yield key
        annotation = field.annotation
        if isinstance(annotation, type) and issubclass(annotation, BaseModel):
            yield from config_keys(annotation, f"{key}.")


def test_every_command_has_a_section_in_cli_md() -> None:
    commands = set(command_paths(typer.main.get_command(app)))
    headings = COMMAND_HEADING.findall((DOCS / "cli.md").read_text(encoding="utf-8"))
    problems = [f"no heading for `{path}`" for path in sorted(commands - set(headings))]
    problems += [f"heading for `{path}`, which no longer exists" for path in sorted(set(headings) - commands)]
    problems += [f"several headings for `{path}`" for path in sorted(set(headings)) if headings.count(path) > 1]
    assert not problems, "docs/cli.md needs one '### `zhizhi ...`' heading per command: " + "; ".join(problems)


def test_every_config_key_is_in_config_md() -> None:
    text = (DOCS / "config.md").read_text(encoding="utf-8")
    missing = [key for key in config_keys(WorkspaceConfig) if f"`{key}`" not in text]
    assert not missing, f"docs/config.md does not mention these zhizhi.yaml keys in backticks: {', '.join(missing)}"


def test_docs_links_point_at_existing_pages() -> None:
    broken = [
        f"{page.name} -> {target}"
        for page in sorted(DOCS.glob("*.md"))
        for target in MD_LINK.findall(page.read_text(encoding="utf-8"))
        if not (page.parent / target).is_file()
    ]
    assert not broken, f"links to missing pages: {', '.join(broken)}"


def test_readme_indexes_every_docs_page() -> None:
    listed = set(MD_LINK.findall((DOCS / "README.md").read_text(encoding="utf-8")))
    unlisted = sorted(page.name for page in DOCS.glob("*.md") if page.name != "README.md" and page.name not in listed)
    assert not unlisted, f"docs/README.md does not link to: {', '.join(unlisted)}"


def test_every_reader_has_a_section_in_readers_md() -> None:
    from zhizhi.ingest.read import readers

    text = (DOCS / "readers.md").read_text(encoding="utf-8")
    documented = set(re.findall(r"^## `([a-z0-9_-]+)`\s*$", text, re.MULTILINE))
    assert sorted(set(readers()) - documented) == [], "readers without a section in docs/readers.md"
    assert sorted(documented - set(readers())) == [], "sections in docs/readers.md for readers that do not exist"


def test_every_reader_setting_is_in_its_section_of_readers_md() -> None:
    from zhizhi.ingest.read import readers
    from zhizhi.ingest.read.registry import settings_model

    text = (DOCS / "readers.md").read_text(encoding="utf-8")
    missing = []
    for name in sorted(readers()):
        model = settings_model(name)
        section = text.split(f"## `{name}`\n", 1)[-1].split("\n## ", 1)[0]
        missing += [f"{name}.{key}" for key in (model.model_fields if model else {}) if f"`{key}`" not in section]
    assert not missing, f"docs/readers.md does not describe these reader settings: {', '.join(missing)}"


def test_every_reason_code_is_documented() -> None:
    from zhizhi.ingest.validate.results import REASONS

    text = (DOCS / "reasons.md").read_text(encoding="utf-8")
    documented = dict(re.findall(r"^\| `([a-z_.]+)` \| (hard|soft) \|", text, re.MULTILINE))
    assert documented == {code: str(severity) for code, (severity, _) in REASONS.items()}


def test_every_record_type_and_field_is_in_model_md() -> None:
    from zhizhi.records import record_types

    text = (DOCS / "model.md").read_text(encoding="utf-8")
    missing = [
        f"{kind.name}.{spec.name}"
        for kind in record_types().values()
        for spec in kind.fields
        if f"## `{kind.name}`" not in text or f"| `{spec.name}` | {spec.kind} |" not in text
    ]
    assert not missing, f"docs/model.md does not describe: {', '.join(missing)}"
