"""The shared pager: bounded page numbers, one row more than a page to know of a next one, the query kept."""

from __future__ import annotations

import re
from pathlib import Path

from starlette.datastructures import QueryParams

import zhizhi.web
from tests.conftest import Web
from zhizhi.access import Actor, audit
from zhizhi.web.deps import MAX_PAGE, PAGE_SIZE, Pager


def test_a_pager_asks_one_row_more_and_knows_of_a_next_page() -> None:
    pager = Pager(page=3, size=10)
    assert (pager.limit, pager.offset) == (11, 20)
    assert pager.rows(list(range(11))) == list(range(10)) and pager.has_next
    assert pager.rows(list(range(10))) == list(range(10)) and not pager.has_next
    assert pager.rows([]) == [] and not pager.has_next


def test_a_pager_of_a_counted_list_knows_its_pages() -> None:
    assert Pager(page=2, size=10).counted(21).has_next
    assert Pager(page=3, size=10).counted(21).pages == 3
    last = Pager(page=3, size=10).counted(30)
    assert (last.has_next, last.pages) == (False, 3)
    assert Pager(page=1, size=10).counted(0).pages == 1


def test_a_pagers_links_keep_the_query_but_the_page() -> None:
    kept = tuple(QueryParams("target=a&target=b&page=7&q=市场").multi_items())
    pager = Pager(page=2, query=tuple((k, v) for k, v in kept if k != "page"))
    assert pager.href(3) == "?target=a&target=b&q=%E5%B8%82%E5%9C%BA&page=3"


def test_page_numbers_out_of_bounds_are_refused(web: Web) -> None:
    web.login_form("auditor")
    for page in ("0", "-1", str(MAX_PAGE + 1), "x"):
        assert web.client.get("/audit", params={"page": page}).status_code == 422, page
    assert web.client.get("/audit", params={"page": str(MAX_PAGE)}).status_code == 200


def test_the_audit_page_pages_with_its_filter_kept(web: Web) -> None:
    web.login_form("auditor")
    operator = Actor.operator("pager-test")
    with web.sessions() as session, session.begin():
        audit.record_many(session, operator, [{"action": "test.pager", "object_id": n} for n in range(PAGE_SIZE + 5)])

    first = web.client.get("/audit", params={"action": "test.pager"}).text
    assert first.count("<tr><td>") == PAGE_SIZE and 'id="prev-page"' not in first
    link = re.search(r'href="([^"]+)" id="next-page"', first)
    assert link and "action=test.pager&amp;" in link.group(1) and link.group(1).endswith("&amp;page=2")

    second = web.client.get("/audit", params={"action": "test.pager", "page": "2"}).text
    assert second.count("<tr><td>") == 5 and 'id="next-page"' not in second
    assert re.search(r'href="\?[^"]*action=test.pager&amp;[^"]*page=1" id="prev-page"', second)
    assert "verify" not in re.findall(r'href="(\?[^"]+)" id="prev-page"', second)[0]
    assert "第 2 页" in second


def test_templates_page_through_the_shared_pager_only() -> None:
    templates = Path(zhizhi.web.__file__).parent / "templates"
    own = {p.name for p in templates.glob("*.html") if 'class="pager"' in p.read_text() and p.name != "_pager.html"}
    assert not own
