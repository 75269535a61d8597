"""Links that work off this machine: an entity's QR code leads under `web.public_url`; while it is unset, the code
carries the address the page was opened at, and the page says that other machines cannot open it (both languages)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import yaml
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session, sessionmaker

from tests.conftest import Web
from tests.web.test_register_pages import build
from zhizhi.config import Workspace, load_workspace
from zhizhi.web.app import create_app


def _with_public_url(workspace: Workspace, url: str) -> Workspace:
    path = workspace.root / "zhizhi.yaml"
    config = yaml.safe_load(path.read_text(encoding="utf-8"))
    config["web"] = {"public_url": url}
    path.write_text(yaml.safe_dump(config, allow_unicode=True), encoding="utf-8")
    return load_workspace(workspace.root)


@pytest.fixture
def public(workspace: Workspace, city: sessionmaker[Session]) -> Iterator[Web]:
    configured = _with_public_url(workspace, "https://zhizhi.example.gov.cn/market/")
    app = create_app(configured)
    with TestClient(app, base_url="http://127.0.0.1:8000") as client:
        yield Web(client=client, workspace=configured, sessions=app.state.context.sessions)
    app.state.context.engine.dispose()


def test_the_qr_code_leads_under_the_public_url(public: Web) -> None:
    entity = build(public.sessions, public.workspace)
    public.login_form("steward")
    page = public.client.get(f"/entities/{entity}").text
    url = f"https://zhizhi.example.gov.cn/market/entities/{entity}"
    assert f"<title>{url}</title>" in page and f'id="entity-url">{url}<' in page
    assert "127.0.0.1" not in page and 'id="qr-local"' not in page
    assert f"<title>{url}</title>" in public.client.get(f"/entities/{entity}/qr.svg").text


def test_while_unset_the_qr_page_warns_in_both_languages(web: Web) -> None:
    entity = build(web.sessions, web.workspace)
    web.login_form("steward")
    page = web.client.get(f"/entities/{entity}").text
    warning = page.split('id="qr-local">')[1].split("</p>")[0]
    assert f"http://testserver/entities/{entity}" in warning and "web.public_url" in warning and "扫码打不开" in warning
    web.client.get("/lang/en")
    english = web.client.get(f"/entities/{entity}").text.split('id="qr-local">')[1].split("</p>")[0]
    assert "other PCs and phones cannot open" in english and "web.public_url" in english


@pytest.mark.parametrize("bad", ["zhizhi.example.gov.cn", "ftp://zhizhi.example", "https://", "https://a b"])
def test_a_public_url_that_is_not_an_absolute_web_address_is_refused(workspace: Workspace, bad: str) -> None:
    from zhizhi.errors import ConfigError

    with pytest.raises(ConfigError, match="public_url"):
        _with_public_url(workspace, bad)
