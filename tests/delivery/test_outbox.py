"""Targets as files, and the outbox: every new record version owed to each target that takes it, enqueued in the
same transaction as the version (SQLite and PostgreSQL)."""

from __future__ import annotations

from datetime import date
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, outbox
from tests.ingest.test_pipeline import SOURCE, _codes, _row, _source, _write
from zhizhi.config import Workspace
from zhizhi.delivery import Outbox, load_target, subscribed
from zhizhi.delivery.targets import TargetConfig
from zhizhi.errors import ConfigError, InputError, NotFoundError
from zhizhi.ingest.pipeline import ingest_file
from zhizhi.ingest.quarantine import fix_item, list_items, replay
from zhizhi.store.tables import Delivery

PROVINCE = """\
name: province
title: 广西市场监管一体化平台
owner: LZ-XY
record_types: [entity]
fields:
  TYSHXYDM: uscc
  QYMC: name
  XZQH: address_division_code
  HYDM: {field: industry_code, code_list: guangxi-industry-8}
  SJLY: {value: 柳州市市场监督管理局}
transport:
  kind: http
  url: http://127.0.0.1:9/entities
  batch_size: 500
"""
CITY = PROVINCE.replace("name: province", "name: city").replace(
    "kind: http\n  url: http://127.0.0.1:9/entities", "kind: sql\n  url_env: CITY_DB\n  table: entities"
) + "filter:\n  sources: [other]\n"


def _workspace_files(tmp_path: Path, *texts: str) -> Path:
    (tmp_path / "targets").mkdir(exist_ok=True)
    for text in texts:
        name = text.split("\n", 1)[0].split(": ")[1]
        (tmp_path / "targets" / f"{name}.yaml").write_text(text, encoding="utf-8")
    return tmp_path


def _deliveries(city: sessionmaker[Session]) -> list[tuple[str, int, str, str]]:
    with city() as session:
        rows = session.scalars(select(Delivery).order_by(Delivery.id))
        return [(d.target, d.record_version_id, d.status, d.idempotency_key) for d in rows]


def test_a_target_file_is_checked_against_the_record_types(tmp_path: Path) -> None:
    root = _workspace_files(tmp_path, PROVINCE)
    target = load_target(root, "province")
    assert target.transport.kind == "http" and target.transport.settings["batch_size"] == 500
    assert target.fields["SJLY"].value == "柳州市市场监督管理局" and target.takes(_source())
    for bad, message in [
        (PROVINCE.replace("QYMC: name", "QYMC: nom"), "`nom` is not a field of entity"),
        (PROVINCE.replace("TYSHXYDM: uscc", "TYSHXYDM: {field: uscc, code_list: x}"), "not a code field"),
        (PROVINCE.replace("[entity]", "[vehicle]"), "record type(s) vehicle are unknown"),
        (PROVINCE.replace("kind: http", "kind: ftp"), "transport.kind"),
    ]:
        (root / "targets" / "province.yaml").write_text(bad, encoding="utf-8")
        with pytest.raises(ConfigError, match=message.replace("(", r"\(").replace(")", r"\)")):
            load_target(root, "province")
    with pytest.raises(NotFoundError, match="No target `nowhere`"):
        load_target(root, "nowhere")


def test_subscriptions_follow_record_type_and_filter(tmp_path: Path) -> None:
    root = _workspace_files(tmp_path, PROVINCE, CITY)
    assert Outbox.of(root).owed_to(_source()) == ["province"]  # city takes only the source `other`
    other = _source(SOURCE.replace("name: dengji", "name: other"))
    assert Outbox.of(root).owed_to(other) == ["city", "province"]
    licence = TargetConfig.model_validate(
        {
            "name": "x",
            "owner": "LZ",
            "record_types": ["licence"],
            "fields": {"A": "number"},
            "transport": {"kind": "file", "folder": "out"},
        }
    )
    assert subscribed([licence], _source()) == []


def test_new_and_changed_versions_are_owed_once_to_each_target(city: sessionmaker[Session], tmp_path: Path) -> None:
    codes = _codes(3)
    rows = [_row(code, f"企业{i}有限公司") for i, code in enumerate(codes)]
    targets = ["city", "province"]

    def ingest(path: Path) -> None:
        with city() as session, session.begin():
            ingest_file(
                session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox(*targets), force=True
            )

    ingest(_write(tmp_path / "a.csv", rows))
    first = _deliveries(city)
    assert len(first) == 6 and {d[2] for d in first} == {"pending"}
    assert len({d[3] for d in first}) == 6  # a key of its own each, not made of the version and target
    ingest(_write(tmp_path / "b.csv", rows))  # the same content: no new version, nothing owed
    assert _deliveries(city) == first
    rows[1] = _row(codes[1], "企业1有限公司", 住所="柳州市鱼峰区驾鹤路9号")
    ingest(_write(tmp_path / "c.csv", rows))
    later = _deliveries(city)[6:]
    assert len(later) == 2 and len({d[1] for d in later}) == 1 and {d[0] for d in later} == set(targets)


def test_a_replayed_row_is_owed_too(city: sessionmaker[Session], tmp_path: Path) -> None:
    codes = _codes(1)
    path = _write(tmp_path / "a.csv", [_row(codes[0], "")])
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox("province"))
    assert _deliveries(city) == []
    with city() as session, session.begin():
        (item,) = list_items(session, OPERATOR)
        fix_item(session, OPERATOR, item["id"], "name", "柳州市甲有限公司", source=_source())
        replay(session, OPERATOR, lambda _: _source(), item_ids=[item["id"]], outbox=outbox("province"))
    ((target, _, status, _),) = _deliveries(city)
    assert (target, status) == ("province", "pending")


def test_the_cli_lists_targets_with_what_each_is_owed(city: sessionmaker[Session], workspace: Workspace) -> None:
    import json

    from typer.testing import CliRunner

    from zhizhi.cli.main import app

    _workspace_files(workspace.root, PROVINCE)
    path = _write(workspace.root / "a.csv", [_row(code, f"企业{i}有限公司") for i, code in enumerate(_codes(2))])
    with city() as session, session.begin():
        ingest_file(session, OPERATOR, _source(), path, today=date(2026, 11, 28), outbox=outbox("province"))
    result = CliRunner().invoke(app, ["-w", str(workspace.root), "targets", "list", "--json"])
    assert result.exit_code == 0, result.output
    (row,) = json.loads(result.output)
    assert (row["name"], row["transport"], row["deliveries"]["pending"]) == ("province", "http", 2)


def test_a_version_is_rendered_in_the_targets_fields_and_codes(city: sessionmaker[Session]) -> None:
    from zhizhi.delivery.render import renderer

    target = TargetConfig.model_validate(
        {
            "name": "province",
            "owner": "LZ-XY",
            "record_types": ["entity"],
            "fields": {
                "TYSHXYDM": "uscc",
                "XZQH": "address_division_code",
                "HYDM": {"field": "industry_code", "code_list": "gbt4754-2017"},
                "SJLY": {"value": "柳州市市场监督管理局"},
            },
            "transport": {"kind": "http", "url": "http://127.0.0.1:9/"},
        }
    )
    with city() as session:
        render = renderer(session, target, "entity", today=date(2026, 11, 28))
        data = {"uscc": "91450202MA5K3C1Q21", "address_division_code": "450202", "industry_code": "5221"}
        assert render.render(data) == {
            "TYSHXYDM": "91450202MA5K3C1Q21",
            "XZQH": "450202",
            "HYDM": "5221",
            "SJLY": "柳州市市场监督管理局",
        }
        assert render.render({"uscc": None})["TYSHXYDM"] is None
        with pytest.raises(InputError, match="no single code in `gbt4754-2017`"):
            render.render({"industry_code": "9999"})
