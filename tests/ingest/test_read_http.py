"""The http reader against a real HTTP server on 127.0.0.1: three ways of paging, a bearer token, since/watermark,
records that are not objects, errors that name the page, and a stop for APIs that never end."""

from __future__ import annotations

import json
import threading
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from pathlib import Path
from typing import Any
from urllib.parse import parse_qs, urlsplit

import polars as pl
import pytest

from zhizhi.errors import ConfigError, InputError
from zhizhi.ingest.read import ERROR, ROW, Reading, ReadOptions, reader_for
from zhizhi.ingest.read import http_reader as http_module
from zhizhi.ingest.read.http_reader import HttpReader
from zhizhi.sources.config import parse_source

from .test_read_sql import docs_example

SOURCE = Path("sources/licence-api.yaml")  # the source file a fetching reader is given; never opened
TOKEN = "s3cret-token.eyJhbGciOi"
TOKEN_ENV = "LICENCE_API_TOKEN"


def _licence(number: int) -> dict[str, Any]:
    return {
        "id": number,
        "名称": f"柳州市第{number}螺蛳粉店",
        "updated": f"2024-01-{number:02d}T08:00:00",
        "score": 2.0 if number % 2 else 2.5,
        "tags": ["食品", "小餐饮"],
        "addr": {"区": "城中区"},
        "note": None,
    }


Reply = tuple[int, str, bytes]  # status, content type, body
Route = Callable[[dict[str, str], dict[str, str]], Reply]


@dataclass
class Api:
    """A JSON API on 127.0.0.1: routes by path, and every request it was sent."""

    base: str
    records: list[Any] = field(default_factory=lambda: [_licence(n) for n in range(1, 8)])
    routes: dict[str, Route] = field(default_factory=dict)
    requests: list[tuple[str, dict[str, str], dict[str, str]]] = field(default_factory=list)

    def url(self, path: str) -> str:
        return self.base + path

    def since(self, query: dict[str, str]) -> list[Any]:
        since = query.get("since")
        return [r for r in self.records if since is None or not isinstance(r, dict) or r["updated"] > since]

    def calls(self, path: str) -> list[dict[str, str]]:
        return [query for p, query, _ in self.requests if p == path]


def _json(value: Any, status: int = 200) -> Reply:
    return status, "application/json; charset=utf-8", json.dumps(value, ensure_ascii=False).encode("utf-8")


def _routes(api: Api) -> dict[str, Route]:
    def paged(query: dict[str, str], headers: dict[str, str]) -> Reply:
        page, size = int(query["page"]), int(query["size"])
        rows = api.since(query)[(page - 1) * size : page * size]
        return _json({"data": {"items": rows}, "total": len(api.records)})

    def linked(query: dict[str, str], headers: dict[str, str]) -> Reply:
        offset = int(query.get("offset", "0"))
        rows = api.since(query)
        following = f"/next?offset={offset + 3}" if offset + 3 < len(rows) else None
        return _json({"items": rows[offset : offset + 3], "links": {"next": following}})

    def cursored(query: dict[str, str], headers: dict[str, str]) -> Reply:
        offset = int(query.get("after", "c0")[1:])
        rows = api.since(query)
        cursor = f"c{offset + 3}" if offset + 3 < len(rows) else None
        return _json({"records": rows[offset : offset + 3], "meta": {"cursor": cursor}})

    def secure(query: dict[str, str], headers: dict[str, str]) -> Reply:
        if headers.get("authorization") != f"Bearer {TOKEN}":
            return _json({"error": "invalid token"}, 401)
        return _json(api.since(query))

    def forever(query: dict[str, str], headers: dict[str, str]) -> Reply:
        return _json({"items": api.records[:2]})  # ignores paging: always a full page

    return {
        "/paged": paged,
        "/next": linked,
        "/cursor": cursored,
        "/secure": secure,
        "/array": lambda q, h: _json(api.records),
        "/forever": forever,
        "/boom": lambda q, h: (500, "text/plain", "数据库连接池耗尽 internal error".encode()),
        "/html": lambda q, h: (200, "text/html", b"<html><body>login</body></html>"),
        "/forbidden": lambda q, h: _json({"error": "forbidden"}, 403),
        "/elsewhere": lambda q, h: _json({"items": [], "next": "http://127.0.0.2:9/steal"}),
        "/same-cursor": lambda q, h: _json({"items": [{"a": 1}], "cursor": "x"}),
    }


@pytest.fixture
def api() -> Iterator[Api]:
    """A ThreadingHTTPServer on a free port of 127.0.0.1, serving the routes of `_routes` (tests may add more)."""
    holder: dict[str, Api] = {}

    class Handler(BaseHTTPRequestHandler):
        def do_GET(self) -> None:
            parts = urlsplit(self.path)
            query = {k: v[-1] for k, v in parse_qs(parts.query).items()}
            headers = {k.lower(): v for k, v in self.headers.items()}
            served = holder["api"]
            served.requests.append((parts.path, query, headers))
            route = served.routes.get(parts.path)
            status, kind, body = route(query, headers) if route else _json({"error": "no such path"}, 404)
            self.send_response(status)
            self.send_header("Content-Type", kind)
            self.send_header("Content-Length", str(len(body)))
            self.end_headers()
            self.wfile.write(body)

        def log_message(self, format: str, *args: Any) -> None:  # keep test output quiet
            pass

    server = ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    thread = threading.Thread(target=server.serve_forever, kwargs={"poll_interval": 0.01}, daemon=True)
    thread.start()
    served = Api(base=f"http://127.0.0.1:{server.server_address[1]}")
    served.routes.update(_routes(served))
    holder["api"] = served
    yield served
    server.shutdown()
    server.server_close()
    thread.join()


def _read(settings: dict[str, Any], watermark: str | None = None) -> tuple[Reading, pl.DataFrame]:
    reading = HttpReader().open(SOURCE, ReadOptions(settings=settings, watermark=watermark))
    frames = [chunk.frame for chunk in reading.chunks]
    return reading, (pl.concat(frames, how="diagonal") if frames else pl.DataFrame())


PAGED = {"records": "data.items", "page_param": "page", "size_param": "size", "page_size": 3}


def test_the_http_reader_is_registered_and_fetches_instead_of_reading_a_file() -> None:
    reader = reader_for(SOURCE, "http")
    assert isinstance(reader, HttpReader)
    assert reader.needs_file is False
    assert reader.suffixes == ()


def test_pages_by_number_until_a_short_page(api: Api) -> None:
    reading, frame = _read({"url": api.url("/paged"), **PAGED})
    assert [(q["page"], q["size"]) for q in api.calls("/paged")] == [("1", "3"), ("2", "3"), ("3", "3")]
    assert reading.headers[None] == ["id", "名称", "updated", "score", "tags", "addr", "note"]
    assert frame.columns == [ROW, ERROR, *reading.headers[None]]
    assert frame[ROW].to_list() == list(range(1, 8))
    assert frame[ERROR].to_list() == [None] * 7
    assert frame.row(0) == (
        1,
        None,
        "1",
        "柳州市第1螺蛳粉店",
        "2024-01-01T08:00:00",
        "2",
        '["食品","小餐饮"]',
        '{"区":"城中区"}',
        "",
    )
    assert frame["score"].to_list()[:2] == ["2", "2.5"]
    assert frame["名称"].to_list()[-1] == "柳州市第7螺蛳粉店"
    assert reading.label == api.url("/paged")
    assert reading.watermark is None
    assert reading.encoding is None


def test_a_last_full_page_is_followed_by_an_empty_one_and_first_page_counts_from_zero(api: Api) -> None:
    api.records = api.records[:6]
    api.routes["/zero"] = lambda q, h: _json(api.records[int(q["p"]) * 3 : int(q["p"]) * 3 + 3])
    reading, frame = _read(
        {"url": api.url("/zero"), "page_param": "p", "size_param": "n", "page_size": 3, "first_page": 0}
    )
    assert [q["p"] for q in api.calls("/zero")] == ["0", "1", "2"]
    assert frame["id"].to_list() == ["1", "2", "3", "4", "5", "6"]


def test_pages_by_next_links(api: Api) -> None:
    reading, frame = _read({"url": api.url("/next"), "records": "items", "next": "links.next"})
    assert [q.get("offset") for q in api.calls("/next")] == [None, "3", "6"]
    assert frame["id"].to_list() == [str(n) for n in range(1, 8)]
    assert frame[ROW].to_list() == list(range(1, 8))


def test_pages_by_cursor(api: Api) -> None:
    _reading, frame = _read(
        {"url": api.url("/cursor"), "records": "records", "cursor": "meta.cursor", "cursor_param": "after"}
    )
    assert [q.get("after") for q in api.calls("/cursor")] == [None, "c3", "c6"]
    assert frame["id"].to_list() == [str(n) for n in range(1, 8)]


def test_the_bearer_token_is_sent_and_a_refusal_never_shows_it(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    _reading, frame = _read({"url": api.url("/secure"), "token_env": TOKEN_ENV})
    assert frame.height == 7
    assert api.requests[-1][2]["authorization"] == f"Bearer {TOKEN}"

    monkeypatch.setenv(TOKEN_ENV, "expired-token")
    with pytest.raises(InputError) as caught:
        _read({"url": api.url("/secure"), "token_env": TOKEN_ENV})
    message = caught.value.message
    assert f"refused the token in environment variable `{TOKEN_ENV}`" in message
    assert "HTTP 401 on page 1" in message and api.url("/secure") in message
    assert "expired-token" not in message and "expired-token" not in str(caught.value.message_zh)

    with pytest.raises(InputError, match="wants a token .*setting `token_env`"):
        _read({"url": api.url("/secure")})
    assert "authorization" not in api.requests[-1][2]

    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    with pytest.raises(InputError, match="HTTP 403") as caught:
        _read({"url": api.url("/forbidden"), "token_env": TOKEN_ENV})
    assert TOKEN not in caught.value.message

    monkeypatch.setenv(TOKEN_ENV, "令牌 abc")
    with pytest.raises(ConfigError, match="other than ASCII") as config:
        _read({"url": api.url("/secure"), "token_env": TOKEN_ENV})
    assert "令牌" not in config.value.message

    monkeypatch.delenv(TOKEN_ENV)
    with pytest.raises(ConfigError, match=f"`{TOKEN_ENV}` \\(setting `token_env`\\) is not set"):
        _read({"url": api.url("/secure"), "token_env": TOKEN_ENV})


def test_since_and_watermark_read_only_what_is_new(api: Api) -> None:
    settings = {"url": api.url("/paged"), **PAGED, "since_param": "since", "watermark": "updated"}
    first, frame = _read(settings)
    assert "since" not in api.calls("/paged")[0]
    assert frame.height == 7
    assert first.watermark == "2024-01-07T08:00:00"

    api.records += [_licence(9), _licence(8)]
    api.requests.clear()
    second, frame = _read(settings, first.watermark)
    assert {q["since"] for q in api.calls("/paged")} == {"2024-01-07T08:00:00"}
    assert frame["id"].to_list() == ["9", "8"]
    assert frame[ROW].to_list() == [1, 2]
    assert second.watermark == "2024-01-09T08:00:00"  # the highest, not the last

    third, frame = _read(settings, second.watermark)
    assert frame.height == 0
    assert third.headers[None] == []
    assert third.watermark == "2024-01-09T08:00:00"


def test_a_numeric_watermark_is_the_highest_number(api: Api) -> None:
    api.records = [{"seq": 9}, {"seq": 10}, {"seq": 2}, {"seq": None}]
    reading, _frame = _read({"url": api.url("/array"), "since_param": "since", "watermark": "seq"})
    assert reading.watermark == "10"


def test_records_that_are_not_objects_become_error_rows(api: Api) -> None:
    api.records = [{"a": 1}, 42, ["x"], "text", {"b": None, "a": 1.5}, {"_row": "7"}]
    reading, frame = _read({"url": api.url("/array")})
    assert frame[ROW].to_list() == [1, 2, 3, 4, 5, 6]
    assert frame[ERROR].to_list() == [
        None,
        "a JSON int, not an object",
        "a JSON list, not an object",
        "a JSON str, not an object",
        None,
        None,
    ]
    assert reading.headers[None] == ["a", "b", "_row_"]
    assert frame["a"].to_list() == ["1", "", "", "", "1.5", ""]
    assert frame["_row_"].to_list()[-1] == "7"


def test_chunks_are_cut_while_pages_are_fetched_and_share_the_columns_seen_so_far(
    api: Api, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(http_module, "CHUNK_ROWS", 2)
    api.records = [{"a": 1}, {"a": 2}, {"a": 3}, {"a": 4, "b": "新"}, {"a": 5}]
    reading = HttpReader().open(SOURCE, ReadOptions(settings={"url": api.url("/paged"), **PAGED}))
    assert api.requests == []  # nothing is fetched until the chunks are read
    first = next(reading.chunks)
    assert len(api.requests) == 1  # one page is enough for the first chunk
    assert first.frame.columns == [ROW, ERROR, "a"]
    rest = list(reading.chunks)
    assert [c.frame.height for c in [first, *rest]] == [2, 2, 1]
    assert [c.frame[ROW].to_list() for c in rest] == [[3, 4], [5]]
    assert rest[0].frame.columns == [ROW, ERROR, "a", "b"]
    assert rest[1].frame.columns == [ROW, ERROR, "a", "b"]  # columns seen so far, though this row has no `b`
    assert rest[1].frame["b"].to_list() == [""]
    assert reading.headers[None] == ["a", "b"]
    assert all(c.sheet is None for c in rest)


def test_a_server_error_and_a_body_that_is_not_json_name_the_page(api: Api) -> None:
    with pytest.raises(InputError) as caught:
        _read({"url": api.url("/boom") + "?key=1"})
    message = caught.value.message
    assert f"the API at `{api.url('/boom')}` answered HTTP 500 on page 1: 数据库连接池耗尽 internal error" in message
    assert "key=1" not in message

    with pytest.raises(InputError, match=r"page 1 of `.*/html` is not JSON \(HTTP 200, text/html\): <html>"):
        _read({"url": api.url("/html")})

    def second_page_breaks(query: dict[str, str], headers: dict[str, str]) -> Reply:
        if query["page"] == "2":
            return 502, "text/plain", b"bad gateway"
        return _json({"data": {"items": api.records[:3]}})

    api.routes["/flaky"] = second_page_breaks
    with pytest.raises(InputError, match="HTTP 502 on page 2: bad gateway"):
        _read({"url": api.url("/flaky"), **PAGED})


def test_an_api_that_never_ends_stops_at_max_pages(api: Api) -> None:
    settings = {"url": api.url("/forever"), "records": "items", "page_param": "page", "size_param": "size"}
    with pytest.raises(InputError, match=r"stopped after 3 pages .*setting `max_pages`") as caught:
        _read({**settings, "page_size": 2, "max_pages": 3})
    assert caught.value.message_zh
    assert len(api.calls("/forever")) == 3

    with pytest.raises(InputError, match="same cursor again"):
        _read({"url": api.url("/same-cursor"), "records": "items", "cursor": "cursor", "cursor_param": "c"})
    assert len(api.calls("/same-cursor")) == 2


def test_a_next_link_to_another_site_is_not_followed(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv(TOKEN_ENV, TOKEN)
    with pytest.raises(InputError, match="points at another site") as caught:
        _read({"url": api.url("/elsewhere"), "token_env": TOKEN_ENV, "records": "items", "next": "next"})
    assert TOKEN not in caught.value.message
    assert len(api.requests) == 1


def test_where_the_records_are_must_be_said(api: Api) -> None:
    with pytest.raises(InputError, match=r"set `records` to the key of its records \(its keys: `data`, `total`\)"):
        _read({"url": api.url("/paged"), "page_param": "page", "size_param": "size", "page_size": 3})
    with pytest.raises(InputError, match=r"it has no `data.rows` \(setting `records`\); its keys: `data`, `total`"):
        _read({"url": api.url("/paged"), **PAGED, "records": "data.rows"})
    with pytest.raises(InputError, match="its `data` is a JSON dict, not an array"):
        _read({"url": api.url("/paged"), **PAGED, "records": "data"})


def test_the_urls_own_query_is_kept_beside_the_paging_parameters(api: Api) -> None:
    _reading, frame = _read({"url": api.url("/paged") + "?region=450200&page=9", **PAGED})
    assert [(q["region"], q["page"]) for q in api.calls("/paged")] == [
        ("450200", "1"),
        ("450200", "2"),
        ("450200", "3"),
    ]
    assert frame.height == 7


def test_the_label_has_no_credentials_and_no_query_string(api: Api) -> None:
    url = api.url("/array").replace("http://", "http://user:pa55@") + "?api_key=abc"
    reading, frame = _read({"url": url})
    assert reading.label == api.url("/array")
    assert frame.height == 7


def test_an_unreachable_api_is_named(api: Api) -> None:
    with pytest.raises(InputError, match=r"could not fetch page 1 of `http://127.0.0.1:1/x`"):
        _read({"url": "http://127.0.0.1:1/x?token=abc", "timeout": 5})


def test_settings_are_checked_again_when_the_reader_is_given_them_unchecked() -> None:
    # A source file's settings were checked when it loaded; a caller passing its own gets the same checks.
    with pytest.raises(ConfigError) as caught:
        HttpReader().open(SOURCE, ReadOptions(settings={"url": "ftp://h/x", "timeout": 0, "token": "abc"}))
    message = caught.value.message
    assert message.startswith("Source `licence-api.yaml`: the http reader's settings have 3 problem(s): ")
    assert "`settings.url`: must be an http:// or https:// address" in message
    assert "`settings.timeout`: input should be greater than 0" in message
    assert "`settings.token` is not a setting of the http reader (did you mean `settings.token_env`?)" in message
    assert caught.value.message_zh


def test_the_docs_example_is_a_source_the_reader_accepts(api: Api, monkeypatch: pytest.MonkeyPatch) -> None:
    source = parse_source(docs_example("http"), "tezhong-api.yaml")
    assert source.reader == "http"
    monkeypatch.setenv("TZSB_API_TOKEN", TOKEN)
    reading = HttpReader().open(SOURCE, ReadOptions(settings=source.settings, watermark="2024-01-05T00:00:00"))
    assert reading.label == "https://api.example.gov.cn/v1/equipment"
    # The same settings against the test API: page by page, since the watermark, records at data.items.
    settings = {
        **source.settings,
        "url": api.url("/paged") + "?city=450200",
        "page_size": 2,
        "since_param": "since",
        "watermark": "updated",
    }
    settings.pop("token_env")
    reading, frame = _read(settings, "2024-01-05T00:00:00")
    assert frame["id"].to_list() == ["5", "6", "7"]
    assert [(q["page"], q["city"]) for q in api.calls("/paged")] == [("1", "450200"), ("2", "450200")]
    assert reading.watermark == "2024-01-07T08:00:00"
