"""An HTTP JSON API, read page by page with a bearer token; incremental by a `since` parameter and a field.

The source's `settings:` (`HttpSettings`, checked when the source file loads) say where and how (see
docs/readers.md for every key):

- `url`, `token_env` (the environment variable holding the bearer token), `records` (the dotted path of the
  records in each page; omitted when a page is an array), `timeout`, `max_pages`;
- one way of paging: `page_param` + `size_param` + `page_size` (+ `first_page`), or `next` (the dotted path of the
  next page's URL), or `cursor` + `cursor_param`; none reads one page;
- `since_param` + `watermark`: the last batch's mark is sent as `since_param`; the new one is the highest value of
  the record field `watermark`.

Columns are the record keys in the order they first appear. A chunk's frame has every column seen so far (a key
first seen in a later chunk is missing from earlier ones); `Reading.headers[None]` is the full list at the end.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any
from urllib.parse import urljoin, urlsplit

import httpx
import polars as pl
from pydantic import Field, field_validator

from zhizhi.errors import ConfigError, InputError
from zhizhi.ingest.read.base import CHUNK_ROWS, ERROR, ROW, Chunk, Reading, ReadOptions, unique_header
from zhizhi.ingest.read.registry import EnvName, ReaderSettings, Text, checked_settings

DEFAULT_TIMEOUT = 30.0
DEFAULT_MAX_PAGES = 10_000
BODY_CHARS = 200
# The ways of paging, and the settings that choose each.
PAGING = {
    "page": ("page_param", "size_param", "page_size", "first_page"),
    "next": ("next",),
    "cursor": ("cursor", "cursor_param"),
}
# The ways that need several settings: each in words, and the settings it needs.
NEEDED = {"page": ("page number", ("page_param", "size_param", "page_size")), "cursor": ("cursor", PAGING["cursor"])}
_MISSING = object()


class HttpSettings(ReaderSettings):
    """The http reader's settings, checked when the source file loads."""

    url: Text = Field(description="the API's address, http:// or https://")
    token_env: EnvName | None = Field(default=None, description="the environment variable holding the bearer token")
    records: Text | None = Field(default=None, description="the dotted path of the records in each page")
    page_param: Text | None = Field(default=None, description="the parameter carrying the page number")
    size_param: Text | None = Field(default=None, description="the parameter carrying the page size")
    page_size: int = Field(default=100, ge=1, strict=True, description="records asked for per page")
    first_page: int = Field(default=1, ge=0, strict=True, description="the number of the first page")
    next: Text | None = Field(default=None, description="the dotted path of the next page's URL in each page")
    cursor: Text | None = Field(default=None, description="the dotted path of the next cursor in each page")
    cursor_param: Text | None = Field(default=None, description="the parameter the cursor is sent back as")
    since_param: Text | None = Field(default=None, description="the parameter the last batch's watermark is sent as")
    watermark: Text | None = Field(default=None, description="the record field whose highest value is the new mark")
    timeout: float = Field(default=DEFAULT_TIMEOUT, gt=0, strict=True, description="seconds to wait for each page")
    max_pages: int = Field(default=DEFAULT_MAX_PAGES, ge=1, strict=True, description="a safety stop")

    @field_validator("url")
    @classmethod
    def _a_web_address(cls, value: str) -> str:
        parts = urlsplit(value)
        if parts.scheme not in ("http", "https") or not parts.hostname:
            raise ValueError("must be an http:// or https:// address")
        return value

    @classmethod
    def rules(cls, given: set[str]) -> list[str]:
        styles = _styles(given)
        problems = []
        if len(styles) > 1:
            problems.append(
                f"settings give several ways of paging ({', '.join(styles)}); keep one: `page_param` + "
                "`size_param` + `page_size`, or `next`, or `cursor` + `cursor_param`"
            )
        elif styles and styles[0] in NEEDED:
            way, needed = NEEDED[styles[0]]
            missing = [f"`settings.{k}`" for k in needed if k not in given]
            if missing:
                problems.append(f"paging by {way} needs {', '.join(missing)}")
        if ("since_param" in given) != ("watermark" in given):
            problems.append(
                "`settings.since_param` and `settings.watermark` go together: the last batch's watermark is sent "
                "as `since_param`, and the next one is the highest value of the record field `watermark`"
            )
        return problems

    @property
    def paging(self) -> str:
        """The way of paging: "page", "next", "cursor", or "none" (the URL is one page)."""
        given = {k for k in self.model_fields_set if getattr(self, k) is not None}
        return (_styles(given) or ["none"])[0]


def _styles(given: set[str]) -> list[str]:
    return [style for style, keys in PAGING.items() if given & set(keys)]


@dataclass(frozen=True)
class _Plan:
    """The settings, checked."""

    source: str
    url: str
    label: str
    token_env: str | None
    token: str | None
    records: str | None
    paging: str  # "page", "next", "cursor" or "none"
    page_param: str | None
    size_param: str | None
    page_size: int
    first_page: int
    next: str | None
    cursor: str | None
    cursor_param: str | None
    since_param: str | None
    field: str | None
    timeout: float
    max_pages: int


class HttpReader:
    """Reads the records of a JSON API, page by page; every record is a row, numbered from 1 across pages."""

    name = "http"
    Settings = HttpSettings
    needs_file = False
    fixed_header = False  # records need not all carry every key: a missing one is empty
    suffixes: tuple[str, ...] = ()

    def open(self, path: Path, options: ReadOptions) -> Reading:
        plan = _plan(path, options.settings)
        reading = Reading(
            path=path,
            encoding=None,
            chunks=iter(()),
            label=plan.label,
            watermark=options.watermark if plan.field is not None else None,
        )
        reading.chunks = self._chunks(plan, options.watermark if plan.since_param else None, reading)
        return reading

    def _chunks(self, plan: _Plan, since: str | None, reading: Reading) -> Iterator[Chunk]:
        keys: list[str] = []
        seen: set[str] = set()
        batch: list[tuple[int, str | None, dict[str, str]]] = []
        number = 0
        best: Any = None
        for records in _pages(plan, since):
            for record in records:
                number += 1
                if not isinstance(record, dict):
                    batch.append((number, f"a JSON {type(record).__name__}, not an object", {}))
                    continue
                cells = {str(k): _text(v) for k, v in record.items()}
                for key in cells:
                    if key not in seen:
                        seen.add(key)
                        keys.append(key)
                batch.append((number, None, cells))
                if plan.field is not None:
                    value = record.get(plan.field)
                    if value is not None and (best is None or _order(value) > _order(best)):
                        best = value
            while len(batch) >= CHUNK_ROWS:
                yield _chunk(batch[:CHUNK_ROWS], keys, reading)
                batch = batch[CHUNK_ROWS:]
        if batch:
            yield _chunk(batch, keys, reading)
        reading.headers[None] = unique_header(keys)
        if best is not None:
            reading.watermark = _text(best)


def _chunk(batch: list[tuple[int, str | None, dict[str, str]]], keys: list[str], reading: Reading) -> Chunk:
    names = unique_header(keys)
    reading.headers[None] = names
    columns: dict[str, list[Any]] = {ROW: [b[0] for b in batch], ERROR: [b[1] for b in batch]}
    for key, name in zip(keys, names, strict=True):
        columns[name] = [cells.get(key, "") for _, _, cells in batch]
    schema = {ROW: pl.Int64, ERROR: pl.String, **{n: pl.String for n in names}}
    return Chunk(None, pl.DataFrame(columns, schema=schema))


def _pages(plan: _Plan, since: str | None) -> Iterator[list[Any]]:
    """Each page's records, fetching the next page only when the last one has been used."""
    headers = {"Accept": "application/json"}
    if plan.token:
        headers["Authorization"] = f"Bearer {plan.token}"
    base: dict[str, str] = {plan.since_param: since} if plan.since_param and since is not None else {}
    with httpx.Client(timeout=plan.timeout, headers=headers, follow_redirects=True) as client:
        url = plan.url
        page = 1
        params = dict(base)
        if plan.paging == "page":
            params.update({str(plan.page_param): str(plan.first_page), str(plan.size_param): str(plan.page_size)})
        while True:
            body = _fetch(client, plan, url, params, page)
            records = _records(plan, body, page)
            yield records
            if plan.paging == "page":
                if len(records) < plan.page_size:
                    return
                params[str(plan.page_param)] = str(plan.first_page + page)
            elif plan.paging == "next":
                link = _at(body, str(plan.next))
                if link is _MISSING or link is None or link == "":
                    return
                if not isinstance(link, str):
                    raise _page_error(plan, page, f"its `{plan.next}` is a JSON {type(link).__name__}, not a URL")
                following = urljoin(url, link)
                if _origin(following) != _origin(plan.url):
                    raise _page_error(
                        plan,
                        page,
                        f"its `{plan.next}` points at another site ({_origin(following)}); zhizhi sends the token "
                        f"only to {_origin(plan.url)}",
                    )
                if following == url:
                    raise _page_error(plan, page, f"its `{plan.next}` points at the same page again")
                url, params = following, dict(base)
            elif plan.paging == "cursor":
                cursor = _at(body, str(plan.cursor))
                if cursor is _MISSING or cursor is None or cursor == "":
                    return
                if isinstance(cursor, dict | list):
                    raise _page_error(plan, page, f"its `{plan.cursor}` is a JSON {type(cursor).__name__}")
                value = _text(cursor)
                if params.get(str(plan.cursor_param)) == value:
                    raise _page_error(plan, page, f"its `{plan.cursor}` is the same cursor again (`{value}`)")
                params[str(plan.cursor_param)] = value
            else:
                return
            if page >= plan.max_pages:
                raise InputError(
                    f"Source `{plan.source}`: stopped after {plan.max_pages} pages of `{plan.label}` (setting "
                    "`max_pages`), and the API still offers more. If the data really is that large, raise "
                    "`max_pages`; otherwise check the paging settings, the API may be ignoring them.",
                    zh=f"接口 `{plan.label}` 超过 {plan.max_pages} 页仍未结束，请检查分页设置或调大 max_pages。",
                )
            page += 1


def _fetch(client: httpx.Client, plan: _Plan, url: str, params: dict[str, str], page: int) -> Any:
    try:
        # Merged by hand: httpx replaces a URL's own query string with `params` instead of adding to it.
        response = client.get(httpx.URL(url).copy_merge_params(params))
    except httpx.HTTPError as exc:
        raise InputError(
            f"Source `{plan.source}`: could not fetch page {page} of `{plan.label}`: {_scrub(plan, str(exc))} "
            f"({type(exc).__name__}). Check the URL (setting `url`) and that the API is reachable.",
            zh=f"无法访问接口 `{plan.label}`（第 {page} 页），请检查地址和网络。",
        ) from None
    status = response.status_code
    if status in (401, 403):
        if plan.token_env:
            raise InputError(
                f"Source `{plan.source}`: the API at `{plan.label}` refused the token in environment variable "
                f"`{plan.token_env}` (setting `token_env`) with HTTP {status} on page {page}. Put a valid, "
                "unexpired token for this API in that variable.",
                zh=f"接口 `{plan.label}` 拒绝了环境变量 `{plan.token_env}` 中的令牌（HTTP {status}），请更新令牌。",
            )
        raise InputError(
            f"Source `{plan.source}`: the API at `{plan.label}` wants a token (HTTP {status} on page {page}); put "
            "it in an environment variable and name that variable in setting `token_env`.",
            zh=f"接口 `{plan.label}` 需要访问令牌（HTTP {status}），请在 token_env 设置中指定保存令牌的环境变量。",
        )
    if status >= 400:
        raise InputError(
            f"Source `{plan.source}`: the API at `{plan.label}` answered HTTP {status} on page {page}: "
            f"{_snippet(plan, response.text)}",
            zh=f"接口 `{plan.label}` 第 {page} 页返回错误（HTTP {status}）。",
        )
    try:
        return json.loads(response.content)
    except (ValueError, UnicodeDecodeError):
        kind = response.headers.get("content-type", "no content type")
        raise InputError(
            f"Source `{plan.source}`: page {page} of `{plan.label}` is not JSON (HTTP {status}, {kind}): "
            f"{_snippet(plan, response.text)}",
            zh=f"接口 `{plan.label}` 第 {page} 页返回的不是 JSON（HTTP {status}）。",
        ) from None


def _records(plan: _Plan, body: Any, page: int) -> list[Any]:
    if plan.records is None:
        if isinstance(body, list):
            return body
        keys = ", ".join(f"`{k}`" for k in body) if isinstance(body, dict) else ""
        raise _page_error(
            plan,
            page,
            f"it is a JSON {type(body).__name__}, not an array of records; set `records` to the key of its "
            f"records" + (f" (its keys: {keys})" if keys else ""),
        )
    found = _at(body, plan.records)
    if found is None:
        return []
    if found is _MISSING:
        keys = ", ".join(f"`{k}`" for k in body) if isinstance(body, dict) else ""
        raise _page_error(
            plan, page, f"it has no `{plan.records}` (setting `records`)" + (f"; its keys: {keys}" if keys else "")
        )
    if not isinstance(found, list):
        raise _page_error(plan, page, f"its `{plan.records}` is a JSON {type(found).__name__}, not an array")
    return found


def _page_error(plan: _Plan, page: int, problem: str) -> InputError:
    return InputError(
        f"Source `{plan.source}`: page {page} of `{plan.label}` cannot be read: {problem}.",
        zh=f"接口 `{plan.label}` 第 {page} 页的内容无法读取，请检查数据源设置。",
    )


def _at(body: Any, dotted: str) -> Any:
    """The value at a dotted path (`data.items`), or _MISSING."""
    value = body
    for part in dotted.split("."):
        if not isinstance(value, dict) or part not in value:
            return _MISSING
        value = value[part]
    return value


def _snippet(plan: _Plan, body: str) -> str:
    flat = " ".join(_scrub(plan, body).split())
    if not flat:
        return "(empty body)"
    return flat if len(flat) <= BODY_CHARS else flat[:BODY_CHARS] + "…"


def _scrub(plan: _Plan, message: str) -> str:
    return message.replace(plan.token, "***") if plan.token else message


def _origin(url: str) -> str:
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}".lower()


def _label(url: str) -> str:
    """The URL without credentials and without its query string."""
    parts = urlsplit(url)
    return f"{parts.scheme}://{parts.netloc.rpartition('@')[2]}{parts.path}"


def _text(value: Any) -> str:
    """A JSON value as the text a person sees: 12 not 12.0, nested values as compact JSON, nothing for null."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value
    if isinstance(value, bool):
        return "true" if value else "false"
    if isinstance(value, float) and value.is_integer():
        return str(int(value))
    if isinstance(value, int | float):
        return repr(value)
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _order(value: Any) -> tuple[int, str, Any]:
    """Sort key for a field's values: numbers by value, text as text, other kinds never compared with those."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return (0, "", value)
    if isinstance(value, str):
        return (1, "", value)
    return (2, type(value).__name__, _text(value))


def _plan(path: Path, raw: dict[str, Any]) -> _Plan:
    source = path.name
    settings = checked_settings(HttpSettings, "http", raw, path)
    token = None
    if settings.token_env is not None:
        token = os.environ.get(settings.token_env, "").strip()
        if not token:
            raise ConfigError(
                f"Source `{source}`: environment variable `{settings.token_env}` (setting `token_env`) is not set; "
                "set it to the API's bearer token.",
                zh=f"数据源 `{source}` 的环境变量 `{settings.token_env}`（token_env 设置）未设置，请将其设为接口令牌。",
            )
        if not all(" " < c < "\x7f" for c in token):
            raise ConfigError(
                f"Source `{source}`: the token in environment variable `{settings.token_env}` (setting `token_env`) "
                "holds spaces or characters other than ASCII, which an HTTP header cannot carry; copy the token again.",
                zh=f"环境变量 `{settings.token_env}` 中的令牌含有空格或非 ASCII 字符，请重新复制令牌。",
            )
    return _Plan(
        source=source,
        url=settings.url,
        label=_label(settings.url),
        token_env=settings.token_env,
        token=token,
        records=settings.records,
        paging=settings.paging,
        page_param=settings.page_param,
        size_param=settings.size_param,
        page_size=settings.page_size,
        first_page=settings.first_page,
        next=settings.next,
        cursor=settings.cursor,
        cursor_param=settings.cursor_param,
        since_param=settings.since_param,
        field=settings.watermark,
        timeout=settings.timeout,
        max_pages=settings.max_pages,
    )
