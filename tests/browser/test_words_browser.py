"""Chinese throughout, one catalogue: a real Chromium crawls every page of the demo city reachable from its
navigation, signed in as the roles that see most, in both languages, and fails on any word that is not the
catalogue's.

How data is told from words. A page's words (headings, labels, buttons, states, messages) come from the catalogue;
its data (a firm's name, an address, a file's name, a code and its title, a department's name, a complaint's text)
comes from the records and the workspace's files and is shown as it is. The templates mark data: an element with
`translate="no"` (a name or a code, not to be translated) or with a `lang` attribute (text in a language of its
own), and every value a message names in backticks is shown so marked. Every other text is a word, and:

- no text, word or data, holds a Markdown backtick, and no word is a catalogue key (`nav.records`);
- no word is a raw identifier: a snake_case name (`industry_code`), one of the workspace's names that have a title
  (a target `province`, a source `dengji`, a code list `guangxi-industry-8`, a report), a record type or field
  name, a role or an internal state (`active`, `ambiguous`, `entity`); on the Chinese pages no word is made of
  lower-case Latin letters at all;
- on the English pages no word holds a Chinese character.

The page's title, and the `title`, `placeholder` and `aria-label` a person reads, count as words too. Every link
followed must open (200): a page never links a reader to another department's page it may not open.

The demo is built once for the module, as `zhizhi demo --no-serve` builds it (on SQLite only, as the demo is), and
served for the crawl. A crawl follows the links within the app from the home page, breadth first, at most
`PER_PATTERN` pages of one shape (the same path with other numbers) and `MAX_PAGES` in all; it does not submit forms
and leaves out downloads (a link marked `download`, or a page that answers with a file), the API and signing out.
"""

from __future__ import annotations

import re
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from urllib.parse import urljoin, urlsplit

import pytest
from playwright.sync_api import Browser, Page
from playwright.sync_api import Error as PlaywrightError
from sqlalchemy import select
from typer.testing import CliRunner

from tests.browser.conftest import VIEWPORT, serving
from zhizhi.access.roles import ROLE_PERMISSIONS
from zhizhi.cli.main import app as cli
from zhizhi.config import Workspace, load_workspace
from zhizhi.demo import DEMO_PASSWORD
from zhizhi.i18n import MESSAGES
from zhizhi.records import record_types
from zhizhi.store import make_engine, make_sessionmaker
from zhizhi.store.tables import CodeList, Crosswalk
from zhizhi.web.app import create_app

pytestmark = pytest.mark.browser
PER_PATTERN = 2
MAX_PAGES = 90
SKIPPED = re.compile(
    r"^/(logout|lang/|api/|static/|docs|openapi)|\.(svg|pdf|xlsx|csv|json|pem|zip)$|/export|/proof|/download"
)
# The bureau's steward (reads and writes every department's data), its administrator and auditor, and the desk's
# handler (one department's, so the links it follows cross into others').
ROLES_SEEN = ["registrar", "admin", "auditor", "hotline"]
# Pages whose findings are printed, not failed, while their owners take them in (each entry: a pattern of the path,
# and whose it is). Empty: every page of the demo is held to the rule.
KNOWN: dict[str, str] = {}

# Every text of the page (its title, its text nodes, the attributes a person reads) with whether it is data.
PAGE_TEXT = """() => {
  const data = el => !!el.closest('[translate="no"],[lang]:not(html)');
  const found = [[document.title, false]];
  const walker = document.createTreeWalker(document.body, NodeFilter.SHOW_TEXT);
  while (walker.nextNode()) {
    const el = walker.currentNode.parentElement;
    const text = walker.currentNode.nodeValue.trim();
    if (!text || !el || el.closest('script,style,svg')) continue;
    found.push([text, data(el)]);
  }
  for (const el of document.body.querySelectorAll('[title],[placeholder],[aria-label]')) {
    if (el.closest('svg')) continue;
    for (const name of ['title', 'placeholder', 'aria-label']) {
      const text = (el.getAttribute(name) || '').trim();
      if (text) found.push([text, data(el)]);
    }
  }
  return found;
}"""
LINKS = "links => links.map(a => a.getAttribute('href'))"
CJK = re.compile(r"[\u3400-\u9fff\uf900-\ufaff]")
FILE_NAME = re.compile(r"\S+\.(csv|xlsx|xls|jsonl|json|txt|pdf|yaml|yml|svg|pem|zip|db)\b", re.I)
SNAKE = re.compile(r"\b[a-z][a-z0-9]*_[a-z0-9_]+\b")
KEY_LIKE = re.compile(r"\b[a-z][a-z0-9_]*(\.[a-z0-9_]+)+\b")
LATIN_WORD = re.compile(r"\b[a-z][a-z0-9]*\b")


@dataclass
class Words:
    """What no page may show as a word: the catalogue's keys and the workspace's identifiers."""

    keys: set[str]
    identifiers: set[str]
    phrases: dict[str, set[str]]  # per locale, the catalogue's words: a state shown as its English word is a word

    def problems(self, text: str, *, data: bool, locale: str, title: bool = False) -> list[str]:
        """What is wrong with one text of a page (see the module's docstring)."""
        found = ["backtick"] if "`" in text else []
        if data:
            return found
        bare = FILE_NAME.sub("", text)
        if text in self.keys or any(m.group(0) in self.keys for m in KEY_LIKE.finditer(bare)):
            found.append("catalogue key")
        slugs = re.findall(r"\b[a-z0-9]+(?:-[a-z0-9]+)+\b", bare)
        whole = text.strip(" ：:·,.()（）")
        named = whole in self.identifiers and whole not in self.phrases[locale]
        if SNAKE.search(bare) or named or self.identifiers & set(slugs):
            found.append("identifier")
        if title:  # the page's title names its subject: a firm, a source, a code list, as they are called
            return found
        if locale == "zh-CN" and LATIN_WORD.search(bare):
            found.append("latin word")
        if locale == "en" and CJK.search(text):
            found.append("chinese")
        return found


def identifiers(workspace: Workspace) -> set[str]:
    """The names the workspace and the code use where a page should show a word: targets, sources, code lists,
    crosswalks, reports, record types, fields, roles, and the states the catalogue has words for."""
    names = {p.stem for folder in ("targets", "sources", "reports") for p in (workspace.root / folder).glob("*.yaml")}
    engine = make_engine(workspace.database_url)
    with make_sessionmaker(engine)() as session:
        names |= set(session.scalars(select(CodeList.name))) | set(session.scalars(select(Crosswalk.name)))
    engine.dispose()
    for kind in record_types().values():
        names.add(kind.name)
        names |= {f.name for f in kind.fields} | {v for f in kind.fields for v in f.values}
    names |= set(ROLE_PERMISSIONS)
    names |= {key.rsplit(".", 1)[1] for key in MESSAGES["en"] if re.search(r"\.(status|state|kind|how)\.", key)}
    return {n for n in names if not n.isdigit()}  # a number is never a name


@dataclass
class Crawl:
    """One role's crawl in one language: the pages seen, what each showed wrongly, the links that did not open."""

    role: str
    locale: str
    pages: list[str] = field(default_factory=list)
    found: dict[str, list[str]] = field(default_factory=dict)
    broken: list[str] = field(default_factory=list)

    def only(self, keep: Callable[[str], bool]) -> Crawl:
        """This crawl's findings on the pages `keep` chooses."""
        broken = [line for line in self.broken if keep(line.split(" ", 1)[0])]
        return Crawl(self.role, self.locale, self.pages, {p: f for p, f in self.found.items() if keep(p)}, broken)

    def report(self) -> str:
        lines = [f"{self.role} ({self.locale}): {len(self.pages)} pages"]
        lines += [f"  link {link}" for link in self.broken]
        for path, problems in self.found.items():
            lines += [f"  {path}: {p}" for p in problems[:8]] + ([f"  {path}: ..."] if len(problems) > 8 else [])
        return "\n".join(lines)


def crawl(page: Page, base: str, words: Words, role: str, locale: str, checked: set[str]) -> Crawl:
    """Follow the app's links from the home page (see the module's docstring) and check every page's words; a page
    in `checked` (another role's crawl saw it) is followed for its links but not counted again."""
    result = Crawl(role, locale)
    queue, seen, shapes = ["/"], {"/"}, dict[str, int]()
    while queue and len(result.pages) < MAX_PAGES:
        path = queue.pop(0)
        try:
            response = page.goto(base + path)
        except PlaywrightError as exc:
            if "Download is starting" in str(exc):  # a file to save (evidence, an export), not a page
                continue
            raise
        status = response.status if response is not None else 0
        if status != 200:
            result.broken.append(f"{path} answered {status}")
            continue
        result.pages.append(path)
        fresh = path not in checked
        checked.add(path)
        problems = fresh and [
            f"{', '.join(kinds)}: {text[:90]!r}"
            for n, (text, data) in enumerate(page.evaluate(PAGE_TEXT))
            if (kinds := words.problems(text, data=data, locale=locale, title=n == 0))
        ]
        if problems:
            result.found[path] = sorted(set(problems))
        for href in page.eval_on_selector_all("a[href]:not([download])", LINKS):
            target = urlsplit(urljoin(base + path, href))
            link = target.path + (f"?{target.query}" if target.query else "")
            if target.netloc != urlsplit(base).netloc or SKIPPED.search(target.path) or link in seen:
                continue
            shape = re.sub(r"\d+", "N", target.path)
            if shapes.get(shape, 0) >= PER_PATTERN:
                continue
            shapes[shape] = shapes.get(shape, 0) + 1
            seen.add(link)
            queue.append(link)
    return result


@pytest.fixture(scope="module")
def demo_city(tmp_path_factory: pytest.TempPathFactory) -> Workspace:
    """The demo city as `zhizhi demo --no-serve` builds it."""
    root = tmp_path_factory.mktemp("words") / "demo"
    result = CliRunner().invoke(cli, ["demo", str(root), "--no-serve"])
    assert result.exit_code == 0, result.output
    return load_workspace(root)


@pytest.fixture(scope="module")
def demo_server(demo_city: Workspace) -> Iterator[str]:
    """The demo city served by uvicorn in a background thread; yields its base URL."""
    with serving(create_app(demo_city)) as base:
        yield base


@pytest.mark.parametrize("locale", ["zh-CN", "en"])
def test_every_page_speaks_the_catalogues_words(
    browser: Browser, demo_server: str, demo_city: Workspace, locale: str
) -> None:
    words = Words(set(MESSAGES["zh-CN"]), identifiers(demo_city), {k: set(v.values()) for k, v in MESSAGES.items()})
    checked: set[str] = set()
    crawls = [crawl_as(browser, demo_server, words, role, locale, checked) for role in ROLES_SEEN]
    known = [c.only(_known) for c in crawls]
    print("\n".join(f"known, left to their owners: {k.report()}" for k in known if k.found or k.broken))
    failed = [c.only(lambda path: not _known(path)) for c in crawls]
    assert all(len(c.pages) > 5 for c in crawls), "\n".join(c.report() for c in crawls)
    assert not any(c.found or c.broken for c in failed), "\n".join(c.report() for c in failed if c.found or c.broken)


def _known(path: str) -> bool:
    return any(re.match(pattern, path) for pattern in KNOWN)


def crawl_as(browser: Browser, base: str, words: Words, role: str, locale: str, checked: set[str]) -> Crawl:
    """One role's crawl in a browser context of its own."""
    context = browser.new_context(viewport=VIEWPORT)
    page = context.new_page()
    page.set_default_timeout(30_000)
    try:
        sign_in(page, base, role, locale)
        return crawl(page, base, words, role, locale, checked)
    finally:
        context.close()


def sign_in(page: Page, base: str, username: str, locale: str) -> None:
    """Sign in through the form, then choose the language as the switch in the header does."""
    page.goto(f"{base}/login")
    form = page.locator("#login-form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(DEMO_PASSWORD)
    with page.expect_navigation():
        form.locator('button[type="submit"]').click()
    page.goto(f"{base}/lang/{locale}")


RULES = Words(
    {"nav.records"}, {"province", "guangxi-industry-8", "industry_code", "active"}, {"zh-CN": set(), "en": {"Active"}}
)


@pytest.mark.parametrize(
    ("text", "data", "locale", "found"),
    [
        ("「行业代码」`611099` 不在代码表中", False, "zh-CN", ["backtick"]),
        ("`611099`", True, "zh-CN", ["backtick"]),  # not even in data
        ("nav.records", False, "en", ["catalogue key"]),
        ("industry_code", False, "en", ["identifier"]),
        ("province", False, "en", ["identifier"]),
        ("不在代码表 guangxi-industry-8 的现行版本中", False, "zh-CN", ["identifier", "latin word"]),
        ("active", False, "zh-CN", ["identifier", "latin word"]),
        ("Active", False, "en", []),  # the catalogue's English word for the state
        ("市场主体 records", False, "en", ["chinese"]),
        ("柳州市华信食品有限公司", True, "en", []),  # a firm's name, marked as data
        ("dengji_export.csv", False, "zh-CN", []),  # a file's name
        ("Market entity: Founded", False, "en", []),
    ],
)
def test_the_rules_tell_words_from_names(text: str, data: bool, locale: str, found: list[str]) -> None:
    assert RULES.problems(text, data=data, locale=locale) == found
