"""Code-list pages and their JSON twins: browse and search lists, read crosswalks, decide queued codes, coverage."""

from __future__ import annotations

import re
from datetime import date
from pathlib import Path

from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import OPERATOR, Web
from zhizhi.codes import (
    ListSpec,
    build_translator,
    coverage_report,
    import_code_list,
    import_crosswalk,
    list_review_items,
    note_for_review,
    save_coverage,
)

SEEN_IN = "企业登记导出-2024.csv"
# 0169 and 0390 split in GB/T 4754-2017 (ambiguous), 9999 is in no list (unmapped), 0111 and 0112 map 1:1.
CODES_2011 = ["0169", "0169", "0169", "0390", "0390", "9999", "0111", "0111", "0112"]
TRANSLATE = "/api/codes/translate?from=gbt4754-2011&to=gbt4754-2017&code="


def queue_codes(sessions: sessionmaker[Session]) -> dict[str, int]:
    """Translate 2011 codes as a real file would, queue the failures and keep a coverage report.

    Returns the review item id of each queued code, and the coverage report's id under `coverage`.
    """
    with sessions() as s, s.begin():
        translator = build_translator(s, "gbt4754-2011", "gbt4754-2017")
        results = translator.translate_column(CODES_2011)
        note_for_review(s, translator, results, seen_in=SEEN_IN)
        run = save_coverage(s, OPERATOR, SEEN_IN, coverage_report(translator, results))
        return {**{item.from_code: item.id for item in list_review_items(s)}, "coverage": run.id}


def import_local_formats(sessions: sessionmaker[Session], folder: Path) -> None:
    """A local list in two versions, and a crosswalk to GB/T 4754-2017 whose split of `F2` follows a rule."""
    old, new = folder / "formats-2020.csv", folder / "formats-2024.csv"
    old.write_text("代码,名称,上级代码\nF,餐饮业态,\nF1,小吃店,F\nF2,饭馆,F\n", encoding="utf-8")
    new.write_text("代码,名称,上级代码\nF,餐饮业态,\nF1,小吃店,F\nF2,中餐馆,F\n", encoding="utf-8")
    walk = folder / "formats-to-2017.csv"
    walk.write_text(
        "from_code,to_code,rule_field,rule_value\nF1,6291,,\nF2,6210,规模,大\nF2,6220,规模,小\n", encoding="utf-8"
    )
    spec = ListSpec("local-formats", "本地餐饮业态")
    with sessions() as s, s.begin():
        import_code_list(s, OPERATOR, old, spec, version="2020", valid_from=date(2020, 1, 1))
        import_code_list(s, OPERATOR, new, spec, version="2024", valid_from=date(2024, 1, 1))
        import_crosswalk(
            s,
            OPERATOR,
            walk,
            name="local-formats-to-2017",
            from_list="local-formats",
            to_list="gbt4754-2017",
            version="1",
        )


def test_the_overview_shows_every_list_and_crosswalk(web: Web) -> None:
    queue_codes(web.sessions)
    web.login_form("steward")
    page = web.client.get("/codes").text
    assert 'href="/codes"' in page and "代码表" in page
    assert "国民经济行业分类 GB/T 4754-2017" in page and "行政区划代码 GB/T 2260" in page
    assert 'href="/codes/crosswalks/gbt4754-2011-to-2017"' in page and "<td>1401</td>" in page
    assert re.search(r'id="open-review"><b>3</b>', page) and re.search(r'id="coverage-reports"><b>1</b>', page)
    body = web.client.get("/api/codes/lists").json()
    lists = {entry["name"]: entry for entry in body["lists"]}
    assert set(lists) == {"gbt4754-2017", "gbt4754-2011", "gbt2260"}
    assert lists["gbt4754-2017"]["in_force"] == "2017" and lists["gbt4754-2017"]["codes"] == 1971
    assert body["crosswalks"][0]["pairs"] == 1401 and body["crosswalks"][0]["from_list"] == "gbt4754-2011"
    assert (body["open_review_items"], body["coverage_reports"]) == (3, 1)


def test_a_list_is_browsed_as_a_tree(web: Web) -> None:
    web.login_form("zhongnan")
    roots = web.client.get("/codes/lists/gbt4754-2017").text
    assert "顶级代码" in roots and 'href="?code=A"' in roots and "农、林、牧、渔业" in roots
    page = web.client.get("/codes/lists/gbt4754-2017?code=011").text
    crumbs = page.split('id="breadcrumb"')[1].split("</nav>")[0]
    assert 'href="?code=A"' in crumbs and 'href="?code=01"' in crumbs and "011 谷物种植" in crumbs
    assert 'id="code-level">第 3 级<' in page and "指以收获籽实为主" in page
    assert 'href="?code=0111"' in page and "稻谷种植" in page
    body = web.client.get("/api/codes/lists/gbt4754-2017", params={"code": "0111"}).json()
    assert [a["code"] for a in body["ancestors"]] == ["A", "01", "011"]
    assert body["code"]["level"] == 4 and body["code"]["parent"] == "011" and body["children"] == []
    assert len(web.client.get("/api/codes/lists/gbt4754-2017").json()["children"]) == 20


def test_a_code_not_in_the_list_is_not_found(web: Web) -> None:
    web.login_form("steward")
    response = web.client.get("/codes/lists/gbt4754-2017?code=ZZZ")
    assert response.status_code == 404 and "中没有代码 ZZZ" in _plain(response.text)
    assert web.client.get("/api/codes/lists/no-such-list").json()["error"]["code"] == "not_found"


def test_search_finds_codes_by_pinyin_initials_name_and_code(web: Web) -> None:
    web.login_form("steward")
    page = web.client.get("/codes/lists/gbt4754-2017?q=gwzz").text
    results = page.split('id="search-results"')[1].split("</section>")[0]
    assert 'href="?code=011"' in results and "谷物种植" in results
    for query, expected in (("gwzz", "011"), ("稻谷", "0111"), ("0111", "0111"), ("DGZZ", "0111")):
        matches = web.client.get("/api/codes/lists/gbt4754-2017", params={"q": query}).json()["matches"]
        assert expected in [m["code"] for m in matches], query
    none = web.client.get("/codes/lists/gbt4754-2017?q=zzzzzz").text
    assert "没有匹配的代码" in none


def test_an_older_version_is_shown_on_request(web: Web, tmp_path: Path) -> None:
    import_local_formats(web.sessions, tmp_path)
    web.login_form("steward")
    assert "中餐馆" in web.client.get("/codes/lists/local-formats?code=F").text
    older = web.client.get("/codes/lists/local-formats?code=F&version=2020").text
    assert "饭馆" in older and "中餐馆" not in older and 'id="older-version"' in older
    assert 'href="?code=F2&amp;version=2020"' in older
    body = web.client.get("/api/codes/lists/local-formats", params={"version": "2020"}).json()
    assert (body["version"], body["in_force"], body["versions"]) == ("2020", "2024", ["2020", "2024"])
    searched = web.client.get("/api/codes/lists/local-formats", params={"version": "2020", "q": "fg"}).json()
    assert [m["name"] for m in searched["matches"]] == ["饭馆"]  # pinyin initials in the older version


def test_the_crosswalk_is_shown_side_by_side_a_page_at_a_time(web: Web) -> None:
    web.login_form("steward")
    page = web.client.get("/codes/crosswalks/gbt4754-2011-to-2017?code=0169").text
    rows = page.split('id="crosswalk-pairs"')[1].split("</table>")[0]
    assert rows.count("<tr>") == 3  # the header and 0169 -> 0164, 0169
    assert "茶叶种植" in rows and "其他饮料作物种植" in rows and "一对多（拆分）" in rows
    first = web.client.get("/api/codes/crosswalks/gbt4754-2011-to-2017").json()
    assert (first["total"], first["pages"], len(first["pairs"])) == (1401, 8, 200)
    last = web.client.get("/api/codes/crosswalks/gbt4754-2011-to-2017", params={"page": 8}).json()
    assert len(last["pairs"]) == 1
    pair = first["pairs"][0]
    assert set(pair) == {
        "from_code",
        "from_name",
        "relation",
        "rule_field",
        "rule_value",
        "to_code",
        "to_name",
        "valid_from",
        "valid_to",
    }
    assert "第 1 / 8 页" in web.client.get("/codes/crosswalks/gbt4754-2011-to-2017").text


def test_rules_read_the_context_given_as_query_parameters(web: Web, tmp_path: Path) -> None:
    import_local_formats(web.sessions, tmp_path)
    web.login_form("zhongnan")
    page = web.client.get("/codes/crosswalks/local-formats-to-2017").text
    assert '<span translate="no">规模</span> = <span translate="no">大</span>' in page  # a rule, its field named
    base = {"from": "local-formats", "to": "gbt4754-2017", "code": "F2"}
    ruled = web.client.get("/api/codes/translate", params={**base, "规模": "大", "other": "x"}).json()
    assert (ruled["to_code"], ruled["to_name"], ruled["method"]) == ("6210", "正餐服务", "rule")
    assert ruled["context"] == {"规模": "大"} and ruled["rule_fields"] == ["规模"]
    open_ended = web.client.get("/api/codes/translate", params=base).json()
    assert open_ended["method"] == "ambiguous" and [c["code"] for c in open_ended["candidates"]] == ["6210", "6220"]
    shown = web.client.get("/codes/translate", params={**base, "规模": "小"}).text
    assert 'id="to-code">6220<' in shown and "按条件对应" in shown and 'name="规模" value="小"' in shown


def test_a_steward_decides_through_the_form_and_translation_follows(web: Web) -> None:
    ids = queue_codes(web.sessions)
    web.login_form("steward")
    assert web.client.get(TRANSLATE + "0169").json()["method"] == "ambiguous"
    page = web.client.get("/codes/review").text
    item = page.split(f'id="item-{ids["0169"]}"')[1].split("</tr>")[0]
    assert "一对多待定" in item and '0164</a> <span translate="no">茶叶种植</span>' in item and SEEN_IN in item
    shown = re.sub(r"<[^>]+>", "", item.split("<form")[0])  # what the reader sees: the lists' titles, not names
    assert '<td class="rows">3</td>' in item and "GB/T 4754-2011 → 国民经济行业分类 GB/T 4754-2017" in shown
    assert "gbt4754" not in shown
    assert f'action="/codes/review/{ids["0169"]}/decide"' in item
    response = web.client.post(
        f"/codes/review/{ids['0169']}/decide",
        data={"to_code": "0164", "reason": "本地该类企业均为茶园", "csrf_token": web.page_csrf("/codes/review")},
        follow_redirects=False,
    )
    location = response.headers["location"]
    assert response.status_code == 303 and location == "/codes/review?decided=0169&released=0&superseded=0"
    after = web.client.get(location).text
    assert "因它未能发出的 0 条交付已重新排队" in re.sub(r"<[^>]+>", "", after) and "不再发送" not in after
    superseded = web.client.get("/codes/review?decided=0169&released=1&superseded=2").text
    assert "另有 2 条不再发送：其记录已有更新的版本送达平台" in superseded  # a newer version reached the platform
    assert f'id="item-{ids["0169"]}"' not in after
    decisions = after.split('id="decisions"')[1].split("</table>")[0]
    assert "0164 茶叶种植" in decisions and "本地该类企业均为茶园" in decisions and "steward" in decisions
    answer = web.client.get(TRANSLATE + "0169").json()
    assert (answer["to_code"], answer["method"]) == ("0164", "decision")


def test_no_equivalent_is_a_decision_too(web: Web) -> None:
    ids = queue_codes(web.sessions)
    web.login_form("steward")
    web.client.post(
        f"/codes/review/{ids['9999']}/decide",
        data={"no_equivalent": "true", "reason": "录入错误", "csrf_token": web.page_csrf("/codes/review")},
    )
    answer = web.client.get(TRANSLATE + "9999").json()
    assert answer["method"] == "unmapped" and "no equivalent" in answer["detail"]
    assert "无对应代码" in web.client.get("/codes/review").text.split('id="decisions"')[1]


def test_a_wrong_decision_shows_the_chinese_error_and_changes_nothing(web: Web) -> None:
    ids = queue_codes(web.sessions)
    web.login_form("steward")
    csrf = web.page_csrf("/codes/review")
    url = f"/codes/review/{ids['0390']}/decide"
    cases = [
        ({"to_code": "XXXX", "reason": "试试"}, "XXXX 不是「国民经济行业分类 GB/T 4754-2017」中的代码"),
        ({"to_code": "0391", "reason": ""}, "请用几个字说明决定的理由（至少两个字）"),
        ({"to_code": "0391", "reason": "对"}, "至少两个字"),
        ({"to_code": "", "reason": "没选"}, "请选择或填写目标代码，或勾选“无对应代码”。"),
        ({"to_code": "0391", "no_equivalent": "true", "reason": "两个都选"}, "请只选其一"),
    ]
    for data, message in cases:
        response = web.client.post(url, data={**data, "csrf_token": csrf})
        assert response.status_code == 422 and message in _plain(response.text), data
    assert ids["0390"] in [item["id"] for item in web.client.get("/api/codes/review").json()["items"]]
    assert web.client.get(TRANSLATE + "0390").json()["method"] == "ambiguous"


def test_a_handler_may_read_but_not_decide(web: Web) -> None:
    ids = queue_codes(web.sessions)
    web.login_form("zhongnan")
    page = web.client.get("/codes/review")
    assert page.status_code == 200 and 'href="/codes"' in page.text
    assert f'id="item-{ids["0169"]}"' in page.text and '<form method="post" action="/codes/review' not in page.text
    response = web.client.post(
        f"/codes/review/{ids['0169']}/decide", data={"to_code": "0164", "reason": "越权", "csrf_token": web.page_csrf()}
    )
    assert response.status_code == 403 and "您的角色无权执行此操作" in response.text
    web.client.cookies.clear()
    csrf = web.login("zhongnan")
    refused = web.client.post(
        f"/api/codes/review/{ids['0169']}/decide",
        json={"to_code": "0164", "reason": "越权"},
        headers={"X-CSRF-Token": csrf},
    )
    assert refused.status_code == 403 and refused.json()["error"]["code"] == "forbidden"


def test_roles_without_data_read_see_no_code_lists(web: Web) -> None:
    for username in ("admin", "auditor"):
        web.client.cookies.clear()
        web.login_form(username)
        assert 'href="/codes"' not in web.client.get("/").text
        for path in ("/codes", "/codes/review", "/codes/lists/gbt2260", "/api/codes/lists", "/api/codes/coverage"):
            assert web.client.get(path).status_code == 403, (username, path)


def test_the_review_queue_and_decisions_as_json(web: Web) -> None:
    ids = queue_codes(web.sessions)
    csrf = web.login("steward")
    queue = web.client.get("/api/codes/review").json()
    assert [item["code"] for item in queue["items"]] == ["0169", "0390", "9999"]  # most rows first
    first = queue["items"][0]
    assert first["candidates"] == [{"code": "0164", "name": "茶叶种植"}, {"code": "0169", "name": "其他饮料作物种植"}]
    assert (first["kind"], first["rows_affected"], first["seen_in"], first["name"]) == (
        "ambiguous",
        3,
        SEEN_IN,
        "茶及其他饮料作物种植",
    )
    url = f"/api/codes/review/{ids['0390']}/decide"
    body = {"to_code": "0399", "reason": "未列明畜牧业"}
    assert web.client.post(url, json=body).json()["error"]["code"] == "csrf_failed"
    wrong = web.client.post(url, json={**body, "to_code": "XXXX"}, headers={"X-CSRF-Token": csrf})
    assert wrong.status_code == 422 and "is not a code of `gbt4754-2017`" in wrong.json()["error"]["message"]
    missing = web.client.post("/api/codes/review/99999/decide", json=body, headers={"X-CSRF-Token": csrf})
    assert missing.status_code == 404
    decided = web.client.post(url, json=body, headers={"X-CSRF-Token": csrf})
    assert decided.status_code == 200 and decided.json()["to_code"] == "0399"
    assert decided.json()["decided_by"] == "steward"
    after = web.client.get("/api/codes/review").json()
    assert [item["code"] for item in after["items"]] == ["0169", "9999"]
    assert [(d["code"], d["to_code"], d["to_name"]) for d in after["decisions"]] == [
        ("0390", "0399", "其他未列明畜牧业")
    ]
    assert [i["code"] for i in web.client.get("/api/codes/review", params={"status": "decided"}).json()["items"]] == [
        "0390"
    ]
    assert web.client.get(TRANSLATE + "0390").json()["method"] == "decision"


def test_coverage_reports_show_shares_and_untranslated_codes(web: Web) -> None:
    ids = queue_codes(web.sessions)
    web.login_form("leader")
    runs = web.client.get("/api/codes/coverage").json()
    assert [(r["id"], r["subject"], r["rows"], r["translated_rows"]) for r in runs] == [
        (ids["coverage"], SEEN_IN, 9, 3)
    ]
    assert runs[0]["share"] == 0.3333
    listing = web.client.get("/codes/coverage").text
    assert f'href="/codes/coverage/{ids["coverage"]}"' in listing and "33.3%" in listing
    report = web.client.get(f"/api/codes/coverage/{ids['coverage']}").json()
    assert [(m["method"], m["rows"], m["ok"]) for m in report["methods"]] == [
        ("ambiguous", 5, False),
        ("exact", 3, True),
        ("unmapped", 1, False),
    ]
    assert report["untranslated"][0] == {
        "code": "0169",
        "method": "ambiguous",
        "rows": 3,
        "detail": "`0169` splits into 2 codes",
        "name": "茶及其他饮料作物种植",
    }
    page = web.client.get(f"/codes/coverage/{ids['coverage']}").text
    assert '<meter class="share fail" min="0" max="1" value="0.5556">' in page and "55.6%" in page
    route = "国民经济行业分类 GB/T 4754-2011 → 国民经济行业分类 GB/T 4754-2017"  # the lists by their titles
    assert f'id="coverage-route" translate="no">{route}<' in page and "一对多待定" in page
    assert '对应 <span translate="no">2</span> 个代码' in page and "splits into" not in page  # said in words
    untranslated = page.split('id="coverage-untranslated"')[1].split("</table>")[0]
    assert untranslated.index("0169") < untranslated.index("0390") < untranslated.index("9999")
    assert web.client.get("/codes/coverage/99999").status_code == 404


def test_the_pages_speak_english_on_request(web: Web) -> None:
    queue_codes(web.sessions)
    web.login_form("steward")
    web.client.get("/lang/en")
    assert "Code lists" in web.client.get("/codes").text
    review = web.client.get("/codes/review").text
    assert "Review queue" in review and "no equivalent" in review and "ambiguous" in review


def _plain(html: str) -> str:
    """The text a reader sees: no tags, and no backticks (a message's values are shown as values)."""
    return re.sub(r"<[^>]+>", "", html).replace("`", "")


def test_a_decision_made_meanwhile_is_not_replaced_unseen(web: Web) -> None:
    """Two stewards open one code; the first decides 0164, the second (whose form still shows no decision) 0169's
    other candidate: the second is refused, naming the first; a form opened after it changes the decision."""
    ids = queue_codes(web.sessions)
    web.login_form("steward")
    page = web.client.get(f"/codes/review/{ids['0169']}").text
    assert 'name="replaces" value="0"' in page
    csrf = web.page_csrf(f"/codes/review/{ids['0169']}")
    url = f"/codes/review/{ids['0169']}/decide"
    decided = {"to_code": "0164", "reason": "本地均为茶园", "replaces": "0", "csrf_token": csrf}
    first = web.client.post(url, data=decided, follow_redirects=False)
    assert first.status_code == 303
    stale = web.client.post(url, data={"to_code": "0169", "reason": "另一种看法", "replaces": "0", "csrf_token": csrf})
    assert stale.status_code == 409 and "已由 steward 作出决定" in _plain(stale.text)
    assert web.client.get(TRANSLATE + "0169").json()["to_code"] == "0164"
    seen = re.search(r'name="replaces" value="(\d+)"', web.client.get(f"/codes/review/{ids['0169']}").text)
    assert seen is not None and seen.group(1) != "0"
    changed = web.client.post(url, data={"to_code": "0169", "reason": "复核后更正", "replaces": seen.group(1),
                                         "csrf_token": csrf}, follow_redirects=False)  # fmt: skip
    assert changed.status_code == 303 and web.client.get(TRANSLATE + "0169").json()["to_code"] == "0169"


def test_an_items_page_counts_the_rows_of_every_source_it_was_seen_in(web: Web) -> None:
    ids = queue_codes(web.sessions)
    with web.sessions() as s, s.begin():
        translator = build_translator(s, "gbt4754-2011", "gbt4754-2017")
        note_for_review(s, translator, translator.translate_column(["0169"] * 2), seen_in="食品许可台账.xlsx")
    web.login_form("steward")
    page = web.client.get(f"/codes/review/{ids['0169']}").text
    rows = re.sub(r"<[^>]+>", " ", page.split('id="item-rows">')[1].split("</td>")[0])
    assert rows.split() == ["5", SEEN_IN, "3", "食品许可台账.xlsx", "2"]
