"""Create, find and load a workspace: a folder holding `zhizhi.yaml`, its config folders and `data/`."""

from __future__ import annotations

import difflib
import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import yaml
from pydantic import BaseModel
from pydantic import ValidationError as PydanticValidationError
from sqlalchemy.engine import make_url
from sqlalchemy.exc import ArgumentError

from zhizhi.config.keys import ensure_signing_key
from zhizhi.config.models import (
    UNSUPPORTED_DATABASE,
    UNSUPPORTED_DATABASE_ZH,
    WorkspaceConfig,
    is_supported_database_url,
)
from zhizhi.config.yamlfile import UniqueKeys
from zhizhi.errors import ConfigError, WorkspaceNotFoundError
from zhizhi.store.engine import display_url

CONFIG_FILE = "zhizhi.yaml"
FOLDERS = ("sources", "targets", "codes", "crosswalks", "reports", "data", "data/keys")
WORKSPACE_ENV = "ZHIZHI_WORKSPACE"
DATABASE_ENV = "ZHIZHI_DATABASE_URL"

_TEMPLATE = """\
# zhizhi workspace configuration. Every key is documented in docs/config.md.
version: 1
name: {name}
locale: zh-CN
database:
  # Empty: the SQLite file data/zhizhi.db. Production: postgresql+psycopg://user@host/dbname
  # (ZHIZHI_DATABASE_URL overrides this key).
  url:
server:
  host: 127.0.0.1
  port: 8000
  secure_cookies: false
  session_hours: 8
web:
  # The address people open zhizhi at from other machines, e.g. https://zhizhi.example.gov.cn/ : the entities'
  # QR codes lead there. Empty: they lead to this machine's own address, which works on this machine only.
  public_url:
  upload_max_mb: 200             # the largest file a steward may upload on the batches page to ingest
security:
  password_min_length: 12
  login_max_failures: 5
  login_max_failures_per_ip: 30
  login_window_minutes: 15
delivery:
  workers_in_serve: true
  poll_seconds: 0.1
resolve:
  match_probability: 0.99
  review_probability: 0.8
  survivorship:
    rules: [source_priority, most_recent, most_complete]
    sources: []
    fields: {{}}
"""


@dataclass(frozen=True)
class Workspace:
    """A loaded workspace: its folder and its validated configuration."""

    root: Path
    config: WorkspaceConfig

    @property
    def data_dir(self) -> Path:
        return self.root / "data"

    @property
    def keys_dir(self) -> Path:
        return self.data_dir / "keys"

    @property
    def has_own_database(self) -> bool:
        """True when the store is the workspace's SQLite file, not a server named by config or environment."""
        return not (os.environ.get(DATABASE_ENV) or self.config.database.url)

    @property
    def database_url(self) -> str:
        """The store's URL: ZHIZHI_DATABASE_URL, else `database.url`, else the workspace SQLite file."""
        from_env = os.environ.get(DATABASE_ENV)
        if from_env and not is_supported_database_url(from_env):
            raise ConfigError(
                f"{DATABASE_ENV} = `{display_url(from_env)}`: {UNSUPPORTED_DATABASE}. Fix or unset it.",
                zh=f"{DATABASE_ENV} = `{display_url(from_env)}`：{UNSUPPORTED_DATABASE_ZH}。请改正或取消它。",
            )
        url = from_env or self.config.database.url
        if url:
            try:
                make_url(url).port  # noqa: B018 (read: a port that is no number fails here, not deep in a driver)
            except (ValueError, ArgumentError) as exc:
                where = DATABASE_ENV if from_env else "`database.url` in zhizhi.yaml"
                raise ConfigError(
                    f"{where} = `{display_url(url)}` is not a database URL ({exc}): write it as "
                    "postgresql://USER@HOST:PORT/NAME or sqlite:///PATH.",
                    zh=f"{where} = `{display_url(url)}` 不是有效的数据库地址：应写作 "
                    "postgresql://用户@主机:端口/库名 或 sqlite:///路径。",
                ) from exc
            return normalize_database_url(url)
        return f"sqlite:///{self.data_dir / 'zhizhi.db'}"


def normalize_database_url(url: str) -> str:
    """Use psycopg 3 for plain `postgresql://` URLs."""
    if url.startswith("postgresql://") or url.startswith("postgres://"):
        return "postgresql+psycopg://" + url.split("://", 1)[1]
    return url


def init_workspace(root: Path, *, name: str = "市场监督管理局") -> Workspace:
    """Create the workspace folders and a commented `zhizhi.yaml`; keep an existing config file. The options are
    checked first: nothing is written when one is refused."""
    config_text = _config_text(name)
    if root.exists() and not root.is_dir():
        raise ConfigError(
            f"`{root}` is a file, not a folder: name the folder the workspace goes in.",
            zh=f"`{root}` 是文件而不是文件夹：请给出工作区所在的文件夹。",
        )
    root.mkdir(parents=True, exist_ok=True)
    for folder in FOLDERS:
        (root / folder).mkdir(parents=True, exist_ok=True)
    (root / "data" / "keys").chmod(0o700)
    config_path = root / CONFIG_FILE
    if not config_path.exists():
        config_path.write_text(config_text, encoding="utf-8")
    ensure_signing_key(root / "data" / "keys")
    return load_workspace(root)


def _config_text(name: str) -> str:
    """A new workspace's `zhizhi.yaml` with these options, checked against `WorkspaceConfig`."""
    text = _TEMPLATE.format(name=_yaml_scalar(name))
    try:
        WorkspaceConfig.model_validate(yaml.safe_load(text))
    except PydanticValidationError as exc:
        problems = [(en.replace("`name`", "`--name`"), zh.replace("`name`", "`--name`"))
                    for en, zh in validation_problems(exc, WorkspaceConfig)]  # fmt: skip
        raise problems_error("zhizhi init", problems) from exc
    return text


def locate_workspace(explicit: Path | None) -> Path:
    """The workspace folder from `--workspace`, else ZHIZHI_WORKSPACE, else the current folder."""
    if explicit is not None:
        return explicit
    env = os.environ.get(WORKSPACE_ENV)
    return Path(env) if env else Path.cwd()


def load_workspace(root: Path) -> Workspace:
    """Read and validate `root/zhizhi.yaml`, reporting every problem at once."""
    path = root / CONFIG_FILE
    if not path.is_file():
        raise WorkspaceNotFoundError(
            f"No workspace at `{root}`: `{CONFIG_FILE}` is missing. "
            f"Run `zhizhi init {root}` or pass `--workspace DIR` (or set {WORKSPACE_ENV}).",
            zh=f"`{root}` 不是工作区：缺少 `{CONFIG_FILE}`。请运行 `zhizhi init {root}`，或用 `--workspace 目录`"
            f"（或环境变量 {WORKSPACE_ENV}）指定工作区。",
        )
    try:
        raw = yaml.load(path.read_text(encoding="utf-8"), Loader=UniqueKeys) or {}  # noqa: S506 (a SafeLoader)
    except UnicodeDecodeError as exc:
        raise ConfigError(
            f"`{path}` is not UTF-8 (byte {exc.start}). Save the file as UTF-8.",
            zh=f"`{path}` 不是 UTF-8 编码（第 {exc.start} 字节）。请另存为 UTF-8。",
        ) from exc
    except yaml.YAMLError as exc:
        raise yaml_error(str(path), exc) from exc
    if not isinstance(raw, dict):
        raise ConfigError(
            f"`{path}` must be a mapping of keys to values, not `{type(raw).__name__}`.",
            zh=f"`{path}` 应是“键: 值”的映射，而不是 `{type(raw).__name__}`。",
        )
    try:
        config = WorkspaceConfig.model_validate(raw)
    except PydanticValidationError as exc:
        raise problems_error(str(path), validation_problems(exc, WorkspaceConfig)) from exc
    return Workspace(root=root.resolve(), config=config)


def validation_problems(exc: PydanticValidationError, model: type[BaseModel]) -> list[tuple[str, str]]:
    """One problem a line, in English and in Chinese: the key, the bad value, what is wrong and how to fix it (the
    validator's own words quoted in both)."""
    lines = []
    for error in exc.errors():
        key = ".".join(str(part) for part in error["loc"])
        value = error.get("input")
        said = error["msg"].removeprefix("Value error, ")
        if not error["loc"]:  # a rule about the whole file: its input is the whole file, not worth repeating
            lines.append((f"{said}; fix the file", f"{said}；请改正该文件"))
        elif error["type"] == "extra_forbidden":
            hint = _suggest_key(model, [str(part) for part in error["loc"]])
            lines.append((f"unknown key `{key}`{hint}; remove it or correct its name",
                          f"未知的键 `{key}`{hint}；请删去或改正键名"))  # fmt: skip
        elif error["type"] == "missing":  # its input is the mapping around it: the whole file, not worth repeating
            lines.append((f"`{key}` is missing; add it (see docs/config.md)", f"缺少 `{key}`；请补上"))
        else:
            lines.append((f"`{key}` = `{value}`: {said}; fix the value (see docs/config.md)",
                          f"`{key}` = `{value}`：{said}；请改正该值（见 docs/config.md）"))  # fmt: skip
    return lines


def problems_error(origin: str, problems: list[tuple[str, str]]) -> ConfigError:
    """The error of a file with these problems, every one at once, in both languages."""
    return ConfigError(
        f"`{origin}` has {len(problems)} problem(s): " + "; ".join(en for en, _ in problems),
        zh=f"`{origin}` 有 {len(problems)} 处问题：" + "；".join(zh for _, zh in problems),
        details=[en for en, _ in problems],
    )


def _suggest_key(model: type[BaseModel], loc: list[str]) -> str:
    current: type[BaseModel] | None = model
    for part in loc[:-1]:
        field = current.model_fields.get(part) if current else None
        annotation: Any = field.annotation if field else None
        current = annotation if isinstance(annotation, type) and issubclass(annotation, BaseModel) else None
    if current is None:
        return ""
    close = difflib.get_close_matches(loc[-1], list(current.model_fields), n=1)
    return f" (did you mean `{close[0]}`?)" if close else ""


def yaml_error(origin: str, exc: yaml.YAMLError) -> ConfigError:
    """A file that is no valid YAML (its syntax, or a key given twice), in both languages."""
    where = _one_line(str(exc))
    return ConfigError(
        f"`{origin}` is not valid YAML: {where}. Fix the syntax.",
        zh=f"`{origin}` 不是有效的 YAML：{where}。请改正格式。",
    )


def _yaml_scalar(text: str) -> str:
    return yaml.safe_dump(text, allow_unicode=True, default_style=None).strip().removesuffix("...").strip()


def _one_line(text: str) -> str:
    return " ".join(text.split())
