"""Configuration kept as one YAML file per thing in a workspace folder (sources/, targets/): parse, find, load."""

from __future__ import annotations

import re
from dataclasses import dataclass
from pathlib import Path
from typing import Generic, TypeVar

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError

from zhizhi.config.workspace import problems_error, validation_problems, yaml_error
from zhizhi.config.yamlfile import load_yaml
from zhizhi.errors import ConfigError, InputError, NotFoundError

M = TypeVar("M", bound=BaseModel)
NAME_PATTERN = r"^[a-z0-9][a-z0-9_-]{0,62}$"


def parse_yaml(text: str, origin: str, model: type[M]) -> M:
    """A model from YAML text; `origin` names the file in errors, which list every problem at once."""
    try:
        raw = load_yaml(text) or {}
    except yaml.YAMLError as exc:
        raise yaml_error(origin, exc) from exc
    if not isinstance(raw, dict):
        raise ConfigError(
            f"`{origin}` must be a mapping of keys to values.", zh=f"`{origin}` 应是“键: 值”的映射。"
        )
    try:
        return model.model_validate(raw)
    except PydanticValidationError as exc:
        raise problems_error(origin, validation_problems(exc, model)) from exc


@dataclass(frozen=True)
class NamedFiles(Generic[M]):
    """The files of one folder: `folder/NAME.yaml`, each a `model` whose `name` is its file name."""

    folder: str
    model: type[M]
    noun: str  # "source", "target"
    noun_zh: str  # 数据源, 交付目标
    hint: str  # how to make one, for the not-found message

    def path(self, root: Path, name: str) -> Path:
        if not re.match(NAME_PATTERN, name):
            raise InputError(
                f"{self.noun.capitalize()} name `{name}` is not valid: use lower-case letters, digits, `-` and `_`.",
                zh=f"{self.noun_zh}名称 `{name}` 无效：只能使用小写字母、数字、- 和 _。",
            )
        return root / self.folder / f"{name}.yaml"

    def names(self, root: Path) -> list[str]:
        folder = root / self.folder
        return sorted(p.stem for p in folder.glob("*.yaml")) if folder.is_dir() else []

    def load(self, root: Path, name: str) -> M:
        path = self.path(root, name)
        origin = f"{self.folder}/{name}.yaml"
        if not path.is_file():
            known = self.names(root)
            raise NotFoundError(
                f"No {self.noun} `{name}`: `{origin}` does not exist. Known {self.noun}s: "
                + (", ".join(known) or "none")
                + f". {self.hint}",
                zh=f"没有{self.noun_zh} `{name}`。",
            )
        try:
            text = path.read_text(encoding="utf-8")
        except UnicodeDecodeError as exc:
            raise ConfigError(
                f"`{origin}` is not UTF-8 (byte {exc.start}; saved as GBK?). Save the file as UTF-8.",
                zh=f"`{origin}` 不是 UTF-8 编码（第 {exc.start} 字节；可能存成了 GBK）。请另存为 UTF-8。",
            ) from exc
        except OSError as exc:
            raise ConfigError(
                f"`{origin}` cannot be read ({exc.strerror or exc}): give the service's user read access to it.",
                zh=f"无法读取 `{origin}`（{exc.strerror or exc}）：请让运行 zhizhi 的用户可以读取该文件。",
            ) from exc
        loaded = parse_yaml(text, origin, self.model)
        if getattr(loaded, "name", name) != name:
            said = getattr(loaded, "name", "")
            raise ConfigError(
                f"`{origin}` says `name: {said}`; make them the same.",
                zh=f"`{origin}` 中写的是 `name: {said}`，与文件名不一致：请改成相同的名称。",
            )
        return loaded
