"""Regenerate the screenshots in docs/images from the demo city, as its users see it.

    python tools/screenshots.py [--workspace DIR] [--out docs/images] [--english]

Builds the demo city in a temporary folder (`zhizhi demo DIR --no-serve`: SQLite, the same run a user makes; about
a minute and a half), sets its `web.public_url` to where `zhizhi demo` serves (http://127.0.0.1:8000, so the entity's
QR code does not change with the port), serves it with `zhizhi serve` on a free port of 127.0.0.1, and drives
Debian's Chromium (/usr/bin/chromium, through Playwright from the `test` extra; no browser is ever downloaded) at
1280x800, device scale 1, in Chinese. Each page is opened as the demo user who reads it and written as a PNG:

    dashboard.png          the home page's first screen (leader): the month's figures, the platforms' funnels
    province-funnel.png    the province's funnel on the home page (leader): 已送达 apart from 未能发出
    withheld-delivery.png  a delivery zhizhi did not send (steward): 未能发出：待决定, linked to its review item;
                           found from the province's funnel, through the deliveries behind its 未能发出 figure
    review-queue.png       the code review queue /codes/review (steward), the items releasing most first
    entity.png             the whole entity page (一企一档, leader) of an entity with records of the most departments

`--english` writes the same pages in English beside them (`dashboard-en.png` ...). `--workspace DIR` uses the demo
already built in DIR as it is (or builds it there when DIR holds no workspace), to spare the build on a rerun. The
PNGs are reduced to 256 colours with Pillow (the pages are flat colours and text). A page that is missing, answers
an error, sends the user to sign in or lacks what it should show stops the run with a message naming the page, and
no PNG is written.

Times and "today" on the pages follow the day the script runs, so a rerun changes the PNGs a little; everything
else (the data, the viewport, the fonts, waiting for the network to be idle) is fixed.
"""

from __future__ import annotations

import argparse
import os
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time
import urllib.request
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass
from io import BytesIO
from pathlib import Path

from PIL import Image
from playwright.sync_api import Browser, Page, Response, ViewportSize, sync_playwright
from sqlalchemy import case, distinct, func, select

from zhizhi.config import load_workspace
from zhizhi.demo import DEMO_PASSWORD
from zhizhi.store import make_engine, make_sessionmaker
from zhizhi.store.tables import Case, Entity, EntityLink, InspectionVisit, Record

ZHIZHI = [sys.executable, "-m", "zhizhi"]
CHROMIUM = Path("/usr/bin/chromium")
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"]
VIEWPORT: ViewportSize = {"width": 1280, "height": 800}
OUT = Path(__file__).resolve().parent.parent / "docs" / "images"
PUBLIC_URL = "http://127.0.0.1:8000"  # where `zhizhi demo` serves by default
LOCALES = {"zh-CN": "", "en": "-en"}  # the page's language -> the suffix of its file


class ShotError(Exception):
    """A page could not be shot: the message names it and says what to look at."""


@dataclass(frozen=True)
class Shot:
    """One screenshot: its file, the demo user who reads the page, and how to find the page's path."""

    file: str
    title: str
    user: str
    find: Callable[[Browsing], str]
    full_page: bool = False  # the whole page, not only the viewport's first screen
    element: str | None = None  # CSS of the one element to show, instead of the screen


@dataclass
class Browsing:
    """A signed-in tab on the served demo, and the workspace behind it (to choose what to show)."""

    page: Page
    base: str
    workspace: Path
    shot: Shot

    @property
    def name(self) -> str:
        """The page as the failure messages name it."""
        return f"page `{self.shot.title}` (as {self.shot.user})"

    def open(self, path: str) -> None:
        """Go to `path`; fail naming the page when it is missing, answers an error, or sends the reader to sign in."""
        response: Response | None = self.page.goto(self.base + path)
        if response is None or response.status >= 400:
            status = response.status if response is not None else "nothing"
            raise ShotError(f"{self.name}: {path} answered HTTP {status}; open it in `zhizhi demo` to see why")
        if self.page.url.split("?")[0].endswith("/login") and not path.startswith("/login"):
            raise ShotError(f"{self.name}: {path} sent the reader to sign in; is the user's role allowed?")
        self.page.wait_for_load_state("networkidle")

    def first(self, selector: str, what: str) -> str:
        """The `href` (else the `id`) of the first element matching `selector`; fail saying what was looked for."""
        found = self.page.locator(selector).first
        if found.count() == 0:
            raise ShotError(f"{self.name}: no {what} (`{selector}`) on {self.page.url}")
        return found.get_attribute("href") or found.get_attribute("id") or ""


def dashboard(browsing: Browsing) -> str:
    """The home page."""
    return "/"


def withheld_delivery(browsing: Browsing) -> str:
    """A withheld delivery of the province, found as a reader would: its funnel's "not sent" figure, then a row."""
    browsing.open("/")
    drill = browsing.first("#funnel-province a.figure-withheld", "withheld figure in the province's funnel")
    browsing.open(drill)
    row = browsing.first("#deliveries tr.status-withheld", "withheld delivery in the drill-down")
    path = "/deliveries/" + row.removeprefix("delivery-")
    browsing.open(path)
    browsing.first("#review-item-link", "link to the review item the delivery waits for")
    return path


def review_queue(browsing: Browsing) -> str:
    """The code review queue."""
    return "/codes/review"


def entity(browsing: Browsing) -> str:
    """The register's entity with records of the most departments, then with a hotline case or a finished
    inspection, then with the fewest records (the shortest page showing them all); the lowest id breaks a tie."""
    workspace = load_workspace(browsing.workspace)
    engine = make_engine(workspace.database_url)
    try:
        with make_sessionmaker(engine)() as session:
            sources = func.count(distinct(Record.source))
            cases = select(func.count()).where(Case.entity_id == Entity.id, Case.stage != "merged").scalar_subquery()
            visits = (
                select(func.count())
                .where(InspectionVisit.entity_id == Entity.id, InspectionVisit.status == "done")
                .scalar_subquery()
            )
            more = case((cases > 0, 1), else_=0) + case((visits > 0, 1), else_=0)
            chosen = session.scalar(
                select(Entity.id)
                .join(EntityLink, EntityLink.entity_id == Entity.id)
                .join(Record, Record.id == EntityLink.record_id)
                .where(Entity.status == "active")
                .group_by(Entity.id)
                .order_by(sources.desc(), more.desc(), func.count(), Entity.id)
                .limit(1)
            )
    finally:
        engine.dispose()
    if chosen is None:
        raise ShotError(f"{browsing.name}: the register has no entity; did the demo's resolution run?")
    return f"/entities/{chosen}"


SHOTS = [
    Shot("dashboard", "dashboard", "leader", dashboard),
    Shot("province-funnel", "province's funnel", "leader", dashboard, element="#funnel-province"),
    Shot("withheld-delivery", "withheld delivery", "steward", withheld_delivery),
    Shot("review-queue", "code review queue", "steward", review_queue),
    Shot("entity", "entity page", "leader", entity, full_page=True),
]


def build_demo(workspace: Path) -> None:
    """`zhizhi demo DIR --no-serve` unless DIR holds a workspace already; its output only when it fails."""
    if (workspace / "zhizhi.yaml").is_file():
        print(f"Using the demo in {workspace}.")
        return
    print(f"Building the demo city in {workspace} (about a minute and a half) ...")
    built = subprocess.run(
        [*ZHIZHI, "demo", str(workspace), "--no-serve"], env=_env(), capture_output=True, text=True, check=False
    )
    if built.returncode != 0:
        raise ShotError(f"`zhizhi demo {workspace} --no-serve` failed ({built.returncode}):\n{built.stderr[-3000:]}")
    pin_public_url(workspace)


def pin_public_url(workspace: Path) -> None:
    """Set `web.public_url` to where `zhizhi demo` serves, so the entity's QR code does not change with the free
    port each run serves on (and the page shows a configured workspace, without the warning an unset one gets)."""
    config = workspace / "zhizhi.yaml"
    text = re.sub(r"^(  public_url:)[ \t]*$", rf"\1 {PUBLIC_URL}", config.read_text(encoding="utf-8"), flags=re.M)
    config.write_text(text, encoding="utf-8")
    if load_workspace(workspace).config.web.public_url != PUBLIC_URL:
        print(f"Note: could not set web.public_url in {config}; the entity's QR code shows the served port.")


@contextmanager
def serving(workspace: Path) -> Iterator[str]:
    """`zhizhi serve` on a free port of 127.0.0.1; yields its base URL and stops it afterwards."""
    port = _free_port()
    base = f"http://127.0.0.1:{port}"
    env = {**_env(), "ZHIZHI_WORKSPACE": str(workspace)}
    server = subprocess.Popen(
        [*ZHIZHI, "serve", "--port", str(port)], env=env, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True
    )
    try:
        _wait_up(server, base + "/login", seconds=60)
        yield base
    finally:
        server.send_signal(signal.SIGINT)
        try:
            server.wait(timeout=30)
        except subprocess.TimeoutExpired:
            server.kill()


def _env() -> dict[str, str]:
    """The environment without a configured database: the demo always runs on its own SQLite file."""
    return {k: v for k, v in os.environ.items() if k != "ZHIZHI_DATABASE_URL"}


def _free_port() -> int:
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        port: int = probe.getsockname()[1]
        return port


def _wait_up(server: subprocess.Popen[str], url: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if server.poll() is not None:
            errors = server.stderr.read() if server.stderr else ""
            raise ShotError(f"`zhizhi serve` ended ({server.returncode}) before answering:\n{errors[-3000:]}")
        try:
            with urllib.request.urlopen(url, timeout=2):
                return
        except OSError:
            time.sleep(0.2)
    raise ShotError(f"`zhizhi serve` did not answer at {url} within {seconds:.0f} s")


def take(browser: Browser, base: str, workspace: Path, shot: Shot, locale: str) -> Image.Image:
    """Sign in as the shot's user in a fresh context, switch to `locale`, find the page and shoot it."""
    context = browser.new_context(viewport=VIEWPORT, device_scale_factor=1, locale=locale)
    try:
        page = context.new_page()
        page.set_default_timeout(30_000)
        browsing = Browsing(page=page, base=base, workspace=workspace, shot=shot)
        sign_in(browsing, shot.user)
        browsing.open(f"/lang/{locale}")
        path = shot.find(browsing)
        browsing.open(path)
        if shot.element:
            browsing.first(shot.element, "element to show")
            png = page.locator(shot.element).first.screenshot(animations="disabled", caret="hide")
        else:
            png = page.screenshot(full_page=shot.full_page, animations="disabled", caret="hide")
        image = Image.open(BytesIO(png))
        image.load()
        return image
    finally:
        context.close()


def sign_in(browsing: Browsing, username: str) -> None:
    """Fill in the sign-in form as a person would; fail naming the user when it does not let them in."""
    browsing.open("/login")
    form = browsing.page.locator("#login-form")
    form.locator('input[name="username"]').fill(username)
    form.locator('input[name="password"]').fill(DEMO_PASSWORD)
    with browsing.page.expect_navigation():
        form.locator('button[type="submit"]').click()
    if browsing.page.url.split("?")[0].endswith("/login"):
        raise ShotError(f"{browsing.name}: the demo user `{username}` could not sign in")


def save(image: Image.Image, path: Path) -> None:
    """Write `image` as a PNG of at most 256 colours (flat pages lose nothing a reader sees)."""
    small = image.convert("RGB").quantize(colors=256, method=Image.Quantize.FASTOCTREE, dither=Image.Dither.NONE)
    small.save(path, optimize=True)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--workspace", type=Path, help="a demo built there already (else built there, or in a temp)")
    parser.add_argument("--out", type=Path, default=OUT, help="where the PNGs go (default: docs/images)")
    parser.add_argument("--english", action="store_true", help="also the pages in English (NAME-en.png)")
    args = parser.parse_args()
    if not CHROMIUM.exists():
        raise SystemExit(f"No browser at {CHROMIUM}: install Debian's `chromium` package (never a downloaded one).")
    locales = list(LOCALES) if args.english else ["zh-CN"]
    try:
        with tempfile.TemporaryDirectory(prefix="zhizhi-shots-") as scratch:
            workspace = (args.workspace or Path(scratch) / "demo").resolve()
            build_demo(workspace)
            images = shoot_all(workspace, locales)
    except ShotError as exc:
        raise SystemExit(f"screenshots: {exc}") from None
    args.out.mkdir(parents=True, exist_ok=True)
    for name, image in images.items():
        save(image, args.out / name)
        print(f"{args.out / name}: {(args.out / name).stat().st_size // 1024} KiB")


def shoot_all(workspace: Path, locales: list[str]) -> dict[str, Image.Image]:
    """Every shot in every locale, by file name; all of them or none (a failure raises before any is written)."""
    images: dict[str, Image.Image] = {}
    with serving(workspace) as base, sync_playwright() as playwright:
        browser = playwright.chromium.launch(executable_path=str(CHROMIUM), args=CHROMIUM_ARGS)
        try:
            for locale in locales:
                for shot in SHOTS:
                    images[f"{shot.file}{LOCALES[locale]}.png"] = take(browser, base, workspace, shot, locale)
        finally:
            browser.close()
    return images


if __name__ == "__main__":
    main()
