"""The public check of a sealed PDF takes no account, and each check is heavy work (a PDF of up to 20 MB parsed and
its signatures validated): one address may check at most `CHECKS.most` files in `CHECKS.minutes` minutes, on the page
and the API together; past it the answer is 429 with the wait, before the file is read. Every check counts, a file
refused as no PDF too."""

from __future__ import annotations

from tests.conftest import Web
from tests.seals.test_web import sealed_pdf
from zhizhi.web.api.seals import CHECKS


def test_one_address_checks_a_bounded_number_of_files(web: Web) -> None:
    sealed_pdf(web)  # the workspace's seal authority, so that a file is checked against it
    for _ in range(CHECKS.most - 1):
        answer = web.client.post("/api/seals/verify", files={"file": ("x.pdf", b"hello", "application/pdf")})
        assert answer.status_code == 422
    token = web.page_csrf("/seals/verify")
    page = web.client.post("/seals/verify", data={"csrf_token": token},
                           files={"file": ("x.pdf", b"hello", "application/pdf")})  # fmt: skip
    assert page.status_code == 422  # the last one allowed, through the page
    refused = web.client.post("/api/seals/verify", files={"file": ("x.pdf", b"hello", "application/pdf")})
    assert refused.status_code == 429 and int(refused.headers["retry-after"]) > 0
    assert refused.json()["error"]["code"] == "rate_limited"
    page = web.client.post("/seals/verify", data={"csrf_token": token},
                           files={"file": ("x.pdf", b"hello", "application/pdf")})  # fmt: skip
    assert page.status_code == 429 and "分钟后再试" in page.text
