"""A platform receives the answer in the words the handler and the desk wrote, byte for byte: full-width
punctuation, brackets and line breaks as written (SQLite and PostgreSQL). Before, the answer went through the ingest's
text cleaning: 经调解，…\\n双方满意。 arrived as 经调解,… 双方满意。, the Art 15 ground as …(第十五条第二项) and
the status as 已答复(办结)."""

from __future__ import annotations

from pathlib import Path

import yaml
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR
from tests.delivery.platform import platform
from tests.hotline.desk import ingest_all
from tests.hotline.test_cases import _actor, _case_of
from zhizhi.config import Workspace
from zhizhi.delivery import load_target
from zhizhi.delivery.send import send_once
from zhizhi.hotline import decide, take_in

REFUSED = "同一争议已在首次投诉中受理，正在调解；\n请等候调解结果（约十个工作日）。"
ANSWERED = "三包期限：自开具发票之日起计算（见《部分商品修理更换退货责任规定》）。\n如有疑问，请再来电。"


def _platform_target(workspace: Workspace, channel: str, url: str) -> None:
    body = {
        "name": channel, "owner": "LZ-TSJB", "record_types": ["ticket_answer"],
        "filter": {"sources": [f"answers-{channel}-lz-tsjb"]},
        "fields": {"GDBH": "number", "CLZT": "status_code", "ZTMC": "status_text", "BSLY": "reason", "CLJG": "result"},
        "transport": {"kind": "http", "url": url},
    }  # fmt: skip
    (workspace.root / "targets").mkdir(exist_ok=True)
    (workspace.root / "targets" / f"{channel}.yaml").write_text(yaml.safe_dump(body, allow_unicode=True), "utf-8")


def test_a_platform_receives_the_handlers_words_byte_for_byte(
    workspace: Workspace, city: sessionmaker[Session], tmp_path: Path
) -> None:
    with platform() as p15, platform() as p45:
        _platform_target(workspace, "12315", p15.url)
        _platform_target(workspace, "12345", p45.url)
        ingest_all(workspace, tmp_path)
        with city() as session, session.begin():
            take_in(session, OPERATOR, workspace)
            handler = _actor(session, "hotline")
            decide(session, handler, workspace, _case_of(session, "T001"), "not_accepted", reason_code="2",
                   result=REFUSED)  # fmt: skip
            decide(session, handler, workspace, _case_of(session, "T003"), "answered", result=ANSWERED)
        for channel in ("12315", "12345"):
            send_once(city, load_target(workspace.root, channel))
    got = {r["GDBH"]: r for r in (*p15.applied.values(), *p45.applied.values())}
    assert sorted(got) == ["G001", "G002", "T001", "T003"]
    refused = _bytes("不予受理", "同一消费者权益争议已经受理或者处理过（第十五条第二项）", REFUSED)
    for number in ("T001", "G001", "G002"):
        assert _words(got[number]) == refused
    assert _words(got["T003"]) == _bytes("已答复（办结）", "", ANSWERED)


def _words(record: dict[str, str]) -> tuple[bytes, ...]:
    """What the platform shows the caller (status, ground, result), in UTF-8."""
    return _bytes(*(record.get(name) or "" for name in ("ZTMC", "BSLY", "CLJG")))


def _bytes(*words: str) -> tuple[bytes, ...]:
    return tuple(word.encode("utf-8") for word in words)
