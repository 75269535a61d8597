"""Readers are found through the `zhizhi.readers` entry-point group: the built-in ones and any installed plugin.

A reader that takes `settings:` (the sql and http readers) declares them as a pydantic model, `Settings` on its class;
a source file's settings are checked against it when the file loads, every problem named at once. A plugin reader
without a model is given its settings as they are; zhizhi's own readers without one take none.
"""

from __future__ import annotations

import difflib
import re
from collections.abc import Mapping
from functools import cache
from importlib.metadata import entry_points
from pathlib import Path
from typing import Annotated, Any, Self, TypeVar

from pydantic import (
    AfterValidator,
    BaseModel,
    ConfigDict,
    ModelWrapValidatorHandler,
    StringConstraints,
    ValidationError,
    model_validator,
)
from pydantic_core import InitErrorDetails, PydanticCustomError

from zhizhi.errors import ConfigError, InputError
from zhizhi.ingest.read.base import Reader, Reading, ReadOptions

GROUP = "zhizhi.readers"
BUILT_IN = "zhizhi."  # the module prefix of zhizhi's own readers

# Setting types readers share: text with its surrounding spaces removed, never empty; an environment variable's name.
Text = Annotated[str, StringConstraints(strip_whitespace=True, min_length=1)]


def _env_name(value: str) -> str:
    if not re.fullmatch(r"[A-Za-z_][A-Za-z0-9_]*", value):
        raise ValueError("must be the name of an environment variable (letters, digits and `_`), not its value")
    return value


EnvName = Annotated[str, StringConstraints(strip_whitespace=True), AfterValidator(_env_name)]
S = TypeVar("S", bound=BaseModel)


class ReaderSettings(BaseModel):
    """Base of a reader's typed settings: unknown keys are refused, and the rules between keys (`rules`) are checked
    beside each key's own, so that one look names every problem."""

    model_config = ConfigDict(extra="forbid", frozen=True)

    @classmethod
    def rules(cls, given: set[str]) -> list[str]:
        """Problems between keys, from the keys given (a key set to null is not given)."""
        return []

    @model_validator(mode="wrap")
    @classmethod
    def _every_problem(cls, data: Any, handler: ModelWrapValidatorHandler[Self]) -> Self:
        given = {str(k) for k, v in data.items() if v is not None} if isinstance(data, dict) else set()
        problems: list[InitErrorDetails] = [
            InitErrorDetails(type=PydanticCustomError("settings_rule", "{rule}", {"rule": rule}), loc=(), input=data)
            for rule in cls.rules(given & set(cls.model_fields))
        ]
        try:
            settings = handler(data)
        except ValidationError as exc:
            # The keys' own errors, kept as they are, then the rules between keys.
            problems[:0] = [
                InitErrorDetails(
                    type=PydanticCustomError(e["type"], "{message}", {"message": e["msg"]}),
                    loc=e["loc"],
                    input=e["input"],
                )
                for e in exc.errors()
            ]
        if problems:
            raise ValidationError.from_exception_data(cls.__name__, problems)
        return settings


@cache
def readers() -> dict[str, Reader]:
    """Every registered reader by name."""
    found: dict[str, Reader] = {}
    for entry in entry_points(group=GROUP):
        found[entry.name] = entry.load()()
    return found


def reader_for(path: Path, name: str | None = None) -> Reader:
    """The reader a source names, else the one for the file's suffix."""
    available = readers()
    if name is not None:
        if name not in available:
            installed = ", ".join(f"`{n}`" for n in sorted(available))
            raise InputError(
                f"No reader `{name}`; installed: {installed}.", zh=f"没有名为 `{name}` 的读取器；已安装：{installed}。"
            )
        return available[name]
    suffix = path.suffix.lower()
    for reader in available.values():
        if suffix in reader.suffixes:
            return reader
    known = sorted(s for r in available.values() for s in r.suffixes)
    raise InputError(
        f"File `{path.name}`: no reader for `{suffix or 'no suffix'}` files; zhizhi reads "
        + ", ".join(known)
        + ". Export the data in one of these, or name a reader in the source.",
        zh=f"文件 `{path.name}` 的格式无法读取，请导出为 CSV 或 Excel。",
    )


def open_file(path: Path, options: ReadOptions | None = None, *, reader: str | None = None) -> Reading:
    """Open `path` with the right reader."""
    if not path.is_file():
        raise InputError(f"File `{path}` does not exist.", zh=f"文件 `{path}` 不存在。")
    return reader_for(path, reader).open(path, options or ReadOptions())


@cache
def _reader_class(name: str) -> tuple[type | None, bool]:
    """The class registered as reader `name` (not instantiated), and whether it is one of zhizhi's own."""
    for entry in entry_points(group=GROUP):
        if entry.name == name:
            loaded = entry.load()
            return (loaded if isinstance(loaded, type) else None), entry.value.startswith(BUILT_IN)
    return None, False


def settings_model(name: str) -> type[BaseModel] | None:
    """The typed model of a reader's settings (`Settings` on its class), if it declares one."""
    model = getattr(_reader_class(name)[0], "Settings", None)
    return model if isinstance(model, type) and issubclass(model, BaseModel) else None


def settings_problems(reader: str | None, settings: Mapping[str, Any]) -> list[str]:
    """Every problem of a source's `settings:` for the reader it names, each naming its key; none when they are right.

    A reader that is not installed is not judged here: reading the source names it.
    """
    if reader is None:
        if not settings:
            return []
        return [
            "`settings` are for a reader that fetches (`reader: sql`, `reader: http`); a file read by its suffix "
            "takes none: remove them, or name the reader"
        ]
    model = settings_model(reader)
    if model is None:
        cls, built_in = _reader_class(reader)
        if settings and cls is not None and built_in:
            return [
                f"the {reader} reader takes no `settings`; remove them (`encoding`, `delimiter` and `sheets` are "
                "keys of the source itself)"
            ]
        return []
    try:
        model.model_validate(dict(settings))
    except ValidationError as exc:
        return [_problem(reader, model, error) for error in exc.errors()]
    return []


def checked_settings(model: type[S], reader: str, settings: Mapping[str, Any], path: Path) -> S:
    """A source's settings as the reader's model; a ConfigError naming every problem when they are wrong."""
    try:
        return model.model_validate(dict(settings))
    except ValidationError as exc:
        problems = [_problem(reader, model, error) for error in exc.errors()]
    raise ConfigError(
        f"Source `{path.name}`: the {reader} reader's settings have {len(problems)} problem(s): "
        + "; ".join(problems)
        + ". See docs/readers.md.",
        zh=f"数据源 `{path.name}` 的读取设置（settings）有 {len(problems)} 处问题，请按 docs/readers.md 修改。",
        details=problems,
    )


def _problem(reader: str, model: type[BaseModel], error: Any) -> str:
    """One problem in words, naming its key; never the value given, which may hold a password."""
    if not error["loc"]:
        return str(error["msg"]).removeprefix("Value error, ")
    key = ".".join(str(part) for part in error["loc"])
    field = model.model_fields.get(str(error["loc"][0]))
    about = f" ({field.description})" if field is not None and field.description else ""
    kind = error["type"]
    if kind == "missing":
        return f"`settings.{key}` is missing{about}"
    if kind == "string_too_short" and isinstance(error["input"], str) and not error["input"].strip():
        return f"`settings.{key}` is empty{about}"
    if kind == "extra_forbidden":
        close = difflib.get_close_matches(key, list(model.model_fields), n=1)
        hint = (
            f"did you mean `settings.{close[0]}`?"
            if close
            else "its settings: " + ", ".join(f"`{name}`" for name in model.model_fields)
        )
        return f"`settings.{key}` is not a setting of the {reader} reader ({hint})"
    message = str(error["msg"]).removeprefix("Value error, ")
    if message[:1].isupper() and message[1:2].islower():
        message = message[0].lower() + message[1:]
    return f"`settings.{key}`: {message}"
