"""The delivery funnel on the home page and the deliveries page: per target owed -> delivered -> acknowledged with
rejected, pending and dead beside them, from real ingests and real sends, each figure opening the deliveries behind
it, and only of the viewer's departments."""

from __future__ import annotations

import html
import re
import sqlite3
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path

import pytest
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, Web, outbox
from tests.ingest.test_pipeline import TODAY, _codes, _row, _source, _write
from zhizhi.delivery import load_target, subscribed
from zhizhi.delivery.send import send_once
from zhizhi.demo.province import ProvincePlatform, refusal
from zhizhi.ingest.pipeline import ingest_file

TARGETS = {
    "province": """\
title: 省平台
owner: LZ-XY
record_types: [entity]
fields: {TYSHXYDM: uscc, QYMC: name, CLRQ: founded_on}
transport: {kind: http, url: "URL", timeout: 5}
reasons: {E2003: 缺少联系电话}
""",
    "city": """\
title: 市共享平台
owner: LZ-BGS
record_types: [entity]
fields: {TYSHXYDM: uscc, QYMC: name}
transport: {kind: sql, url: "URL", table: market_entity, key: [TYSHXYDM]}
""",
    "archive": """\
owner: LZ-BGS
record_types: [entity]
fields: {QYMC: name}
transport: {kind: http, url: "URL", timeout: 2}
max_attempts: 1
""",
}
LATE = "柳州市新开张食品有限公司"  # founded after the province wants a phone: refused with E2003


@dataclass
class Built:
    """The names sent to each target, and the province's platform."""

    names: list[str]
    province: ProvincePlatform


def _ingest(sessions: sessionmaker[Session], root: Path, path: Path) -> None:
    source = _source()
    with sessions() as session, session.begin():
        targets = subscribed([load_target(root, name) for name in TARGETS], source)
        ingest_file(session, OPERATOR, source, path, today=TODAY, outbox=outbox(*targets))


@pytest.fixture
def built(web: Web, tmp_path: Path) -> Iterator[Built]:
    """Three entities sent: province takes two and refuses one, city takes three, archive (down) loses three; a
    fourth entity ingested since waits, pending, for each."""
    root = web.workspace.root
    province = ProvincePlatform(tmp_path / "province.db").start()
    share = tmp_path / "share.db"
    with sqlite3.connect(share) as db:
        db.execute("CREATE TABLE market_entity (TYSHXYDM TEXT PRIMARY KEY, QYMC TEXT, zhizhi_key TEXT)")
    db.close()
    urls = {"province": province.url, "city": f"sqlite:///{share}", "archive": "http://127.0.0.1:9/records"}
    for name, text in TARGETS.items():
        (root / "targets" / f"{name}.yaml").write_text(
            f"name: {name}\n" + text.replace("URL", urls[name]), encoding="utf-8"
        )
    a, b, c, d = _codes(4, seed=29)
    names = ["柳州市甲食品有限公司", "柳州市乙食品有限公司", LATE, "柳州市丁食品有限公司"]
    assert [refusal({"TYSHXYDM": code, "QYMC": name}) for code, name in zip((a, b, c, d), names, strict=True)] == [
        None
    ] * 4  # only the founding date decides
    first = [_row(a, names[0]), _row(b, names[1]), _row(c, LATE, 成立日期="2026年8月1日")]
    _ingest(web.sessions, root, _write(tmp_path / "first.csv", first))
    for name in TARGETS:
        assert send_once(web.sessions, load_target(root, name)).claimed == 3, name
    _ingest(web.sessions, root, _write(tmp_path / "second.csv", [_row(d, names[3])]))
    yield Built(names, province)
    province.stop()


def _funnel(page: str, target: str) -> dict[str, tuple[int, str]]:
    """A target's figures on a page: figure -> (number, link)."""
    card = page.split(f'id="funnel-{target}"', 1)[1].split('<div class="card funnel"', 1)[0]
    return {
        figure: (int(number), html.unescape(link))
        for figure, link, number in re.findall(r'<a class="figure-(\w+)" href="([^"]+)">(\d+)</a>', card)
    }


def _numbers(figures: dict[str, tuple[int, str]]) -> dict[str, int]:
    return {figure: number for figure, (number, _) in figures.items()}


def test_the_dashboard_shows_each_targets_funnel(web: Web, built: Built) -> None:
    web.login_form("steward")
    page = web.client.get("/").text
    assert _numbers(_funnel(page, "province")) == {
        "owed": 4, "delivered": 3, "acknowledged": 2, "rejected": 1, "sent": 0, "pending": 1, "withheld": 0,
        "dead": 0, "unknown": 0, "superseded": 0,
    }  # fmt: skip
    assert _numbers(_funnel(page, "city")) == {
        "owed": 4, "delivered": 3, "acknowledged": 3, "rejected": 0, "sent": 0, "pending": 1, "withheld": 0,
        "dead": 0, "unknown": 0, "superseded": 0,
    }  # fmt: skip
    assert _numbers(_funnel(page, "archive")) == {
        "owed": 4, "delivered": 0, "acknowledged": 0, "rejected": 0, "sent": 0, "pending": 1, "withheld": 0,
        "dead": 3, "unknown": 0, "superseded": 0,
    }  # fmt: skip
    assert "省平台" in page and "市共享平台" in page
    assert 'min="0" max="4" value="2"' in page  # the province's acknowledged bar: a share of what is owed
    assert built.province.counts()["accepted"] == 2


def test_each_figure_opens_the_deliveries_behind_it(web: Web, built: Built) -> None:
    web.login_form("steward")
    figures = _funnel(web.client.get("/").text, "province")
    assert figures["rejected"][1] == "/reconcile/deliveries?target=province&status=rejected"
    rejected = web.client.get(figures["rejected"][1])
    assert rejected.status_code == 200 and LATE in rejected.text and "缺少联系电话（E2003）" in rejected.text
    pending = web.client.get(figures["pending"][1])
    assert pending.status_code == 200 and built.names[3] in pending.text and LATE not in pending.text


def test_the_funnel_counts_only_the_viewers_departments(web: Web, built: Built) -> None:
    web.login_form("zhongnan")  # 中南所: brought in none of the registration records
    page = web.client.get("/").text
    for target in TARGETS:
        assert set(_numbers(_funnel(page, target)).values()) == {0}, target


def test_the_deliveries_page_lists_what_went_wrong(web: Web, built: Built) -> None:
    web.login_form("steward")
    page = web.client.get("/deliveries").text
    assert _numbers(_funnel(page, "province"))["rejected"] == 1
    rows = re.findall(r'<tr id="problem-(\d+)" class="status-(\w+)">(.*?)</tr>', page, re.S)
    assert sorted(status for _, status, _ in rows) == ["dead", "dead", "dead", "rejected"]
    rejected = next((delivery, row) for delivery, status, row in rows if status == "rejected")
    assert LATE in rejected[1] and "缺少联系电话（E2003）" in rejected[1] and "省平台" in rejected[1]
    assert f'href="/deliveries/{rejected[0]}"' in rejected[1]
    assert web.client.get(f"/deliveries/{rejected[0]}").status_code == 200
    assert all("ConnectError" in row for _, status, row in rows if status == "dead")


def test_the_funnel_speaks_english_and_is_not_shown_without_the_right_to_read_data(web: Web, built: Built) -> None:
    web.login_form("steward")
    web.client.get("/lang/en")
    page = web.client.get("/").text
    assert "Deliveries" in page and "awaiting receipt" in page and "acknowledged" in page
    web.client.post("/logout", data={"csrf_token": web.page_csrf()})
    web.login_form("admin")  # manages people, reads no data
    home = web.client.get("/").text
    assert 'id="funnel-province"' not in home and 'href="/deliveries"' not in home
    assert web.client.get("/deliveries").status_code == 403
