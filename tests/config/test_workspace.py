"""Workspaces: what init creates, and how a broken zhizhi.yaml is reported."""

from __future__ import annotations

from pathlib import Path

import pytest

from zhizhi.config import init_workspace, load_workspace, locate_workspace, normalize_database_url
from zhizhi.config.keys import public_key_fingerprint
from zhizhi.errors import ConfigError, WorkspaceNotFoundError


def _write(root: Path, text: str | bytes) -> Path:
    root.mkdir(parents=True, exist_ok=True)
    path = root / "zhizhi.yaml"
    if isinstance(text, bytes):
        path.write_bytes(text)
    else:
        path.write_text(text, encoding="utf-8")
    return root


def test_init_creates_folders_config_and_private_keys_dir(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path / "ws", name="柳州市市场监督管理局")
    for folder in ("sources", "targets", "codes", "crosswalks", "reports", "data", "data/keys"):
        assert (workspace.root / folder).is_dir(), folder
    assert (workspace.root / "data" / "keys").stat().st_mode & 0o077 == 0
    assert workspace.config.name == "柳州市市场监督管理局"
    assert workspace.database_url == f"sqlite:///{workspace.root / 'data' / 'zhizhi.db'}"


def test_init_makes_a_signing_key_once(tmp_path: Path) -> None:
    workspace = init_workspace(tmp_path)
    private = workspace.keys_dir / "workspace.ed25519.pem"
    assert private.stat().st_mode & 0o777 == 0o600
    fingerprint = public_key_fingerprint(workspace.keys_dir)
    assert fingerprint is not None and fingerprint.startswith("SHA256:")
    init_workspace(tmp_path)
    assert public_key_fingerprint(workspace.keys_dir) == fingerprint


def test_init_keeps_an_existing_config(tmp_path: Path) -> None:
    _write(tmp_path, "name: 已有的局\n")
    assert init_workspace(tmp_path, name="新名字").config.name == "已有的局"


@pytest.mark.parametrize("name", ["", "局" * 101])
def test_init_refuses_a_name_the_config_would_refuse_and_writes_nothing(tmp_path: Path, name: str) -> None:
    """An empty name, or one over 100 characters, was written to zhizhi.yaml with the folders and the key, and then
    the workspace refused its own file: init again and every command failed. Now the option is checked first."""
    root = tmp_path / "ws"
    with pytest.raises(ConfigError) as caught:
        init_workspace(root, name=name)
    assert "`--name`" in caught.value.message and "`--name`" in (caught.value.message_zh or "")
    assert not root.exists()  # no folders, no key, no zhizhi.yaml
    assert init_workspace(root, name="柳州市市场监督管理局").config.name == "柳州市市场监督管理局"


def test_every_problem_is_reported_at_once_with_key_value_and_fix(tmp_path: Path) -> None:
    _write(tmp_path, "sever:\n  port: 80\nserver:\n  port: abc\n  session_hours: 0\nlocale: fr\n")
    with pytest.raises(ConfigError) as caught:
        load_workspace(tmp_path)
    error = caught.value
    assert len(error.details) == 4
    assert "zhizhi.yaml" in error.message
    assert any("unknown key `sever`" in d and "did you mean `server`" in d for d in error.details)
    assert any("`server.port` = `abc`" in d for d in error.details)
    assert any("`server.session_hours` = `0`" in d for d in error.details)
    assert any("`locale` = `fr`" in d and "fix the value" in d for d in error.details)


def test_a_nested_unknown_key_gets_a_suggestion(tmp_path: Path) -> None:
    _write(tmp_path, "security:\n  login_max_failure: 3\n")
    with pytest.raises(ConfigError, match=r"`security.login_max_failure`.*did you mean `login_max_failures`"):
        load_workspace(tmp_path)


def test_a_record_type_or_channel_the_product_does_not_know_is_refused_with_the_nearest(tmp_path: Path) -> None:
    """`privacy.retention: {entities: 30}` was taken without a word, and entities' personal data kept five years."""
    _write(tmp_path, "privacy:\n  retention:\n    entities: 30\n    entity: 60\nhotline:\n  status_codes:\n"
                     "    '99999': {accepted: '2'}\n")  # fmt: skip
    with pytest.raises(ConfigError) as refused:
        load_workspace(tmp_path)
    said = str(refused.value)
    assert "unknown record type `entities`: did you mean `entity`?" in said and "`entity`:" not in said
    assert "unknown channel `99999`: choose from 12315, 12345, other, web" in said
    _write(tmp_path, "privacy:\n  retention:\n    entity: 60\n    ticket: 365\n")
    assert load_workspace(tmp_path).config.privacy.retention == {"entity": 60, "ticket": 365}


@pytest.mark.parametrize(
    ("content", "expected"),
    [
        ("server: [unclosed\n", "not valid YAML"),
        ("- just\n- a list\n", "must be a mapping"),
        ("database:\n  url: mysql://x\n", "only sqlite:///PATH and postgresql://"),
        ("名字: 局\n".encode("gbk"), "not UTF-8"),
        ("security:\n  session_hours: 8\n  session_hours: 80\n", r"`session_hours` is given twice \(lines 2 and 3\)"),
    ],
)
def test_broken_files_say_what_to_fix(tmp_path: Path, content: str | bytes, expected: str) -> None:
    _write(tmp_path, content)
    with pytest.raises(ConfigError, match=expected):
        load_workspace(tmp_path)


def test_the_files_problems_are_said_in_chinese_too_and_a_missing_key_is_not_the_whole_file(tmp_path: Path) -> None:
    """A Chinese terminal read the configuration's errors in English (and `missing` quoted the whole file)."""
    _write(tmp_path, "locale: fr\nserver:\n  port: 70000\n")
    with pytest.raises(ConfigError) as caught:
        load_workspace(tmp_path)
    zh = caught.value.message_zh or ""
    assert "有 2 处问题" in zh and "`locale` = `fr`" in zh and "请改正该值" in zh
    _write(tmp_path, "servr:\n  port: 1\n")
    with pytest.raises(ConfigError) as caught:
        load_workspace(tmp_path)
    assert "未知的键 `servr`" in (caught.value.message_zh or "")
    with pytest.raises(WorkspaceNotFoundError) as missing:
        load_workspace(tmp_path / "nowhere")
    assert "zhizhi init" in (missing.value.message_zh or "")


def test_a_missing_workspace_says_how_to_create_one(tmp_path: Path) -> None:
    with pytest.raises(WorkspaceNotFoundError, match="zhizhi init"):
        load_workspace(tmp_path / "nowhere")


def test_environment_overrides_the_database_url(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = init_workspace(tmp_path)
    monkeypatch.setenv("ZHIZHI_DATABASE_URL", "postgresql://u@db.example/zz")
    assert workspace.database_url == "postgresql+psycopg://u@db.example/zz"


def test_workspace_is_located_by_option_then_environment(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ZHIZHI_WORKSPACE", str(tmp_path / "from-env"))
    assert locate_workspace(None) == tmp_path / "from-env"
    assert locate_workspace(tmp_path / "given") == tmp_path / "given"


@pytest.mark.parametrize(
    ("url", "expected"),
    [
        ("postgres://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgresql://a@h/d", "postgresql+psycopg://a@h/d"),
        ("postgresql+psycopg://a@h/d", "postgresql+psycopg://a@h/d"),
        ("sqlite:///x.db", "sqlite:///x.db"),
    ],
)
def test_postgres_urls_use_psycopg3(url: str, expected: str) -> None:
    assert normalize_database_url(url) == expected


def test_an_unsupported_url_in_the_environment_is_refused(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> None:
    workspace = init_workspace(tmp_path)
    monkeypatch.setenv("ZHIZHI_DATABASE_URL", "mysql://root:pw@localhost/x")
    with pytest.raises(ConfigError, match=r"ZHIZHI_DATABASE_URL = `mysql://root:\*\*\*@localhost/x`"):
        _ = workspace.database_url
