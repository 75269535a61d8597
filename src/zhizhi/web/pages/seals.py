"""The public page that checks a sealed report (验章): upload a PDF, see who sealed it, when, and what changed since.

Public like the hotline's citizen pages: no account; the form's CSRF token is bound to a cookie, and an address makes a
bounded number of checks (`zhizhi.web.api.seals.CHECKS`).
"""

from __future__ import annotations

import secrets
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from starlette.concurrency import run_in_threadpool

from zhizhi.errors import NotFoundError, ZhizhiError
from zhizhi.seals import MAX_PDF_BYTES
from zhizhi.web.api.seals import count_check, read_pdf, verify_upload
from zhizhi.web.deps import PRELOGIN_CSRF_COOKIE, app_context, check_csrf, locale_of
from zhizhi.web.templating import render

router = APIRouter()


def _page(request: Request, context: dict[str, Any], status_code: int = 200) -> Response:
    token = request.cookies.get(PRELOGIN_CSRF_COOKIE) or secrets.token_urlsafe(32)
    context = {"report": None, "error": None, "filename": "", "max_mb": MAX_PDF_BYTES // (1024 * 1024), **context}
    response = render(request, "seals_verify.html", context, status_code=status_code, csrf_token=token)
    response.set_cookie(PRELOGIN_CSRF_COOKIE, token, httponly=True, samesite="strict", path="/")
    return response


@router.get("/seals/verify", response_class=HTMLResponse)
def show_seal_check(request: Request) -> Response:
    """The upload form."""
    return _page(request, {})


@router.post("/seals/verify", response_class=HTMLResponse)
async def check_sealed_pdf(
    request: Request, file: UploadFile | None = None, csrf_token: Annotated[str, Form(max_length=100)] = ""
) -> Response:
    """The verdict on the uploaded PDF, on the same page."""
    check_csrf(request.cookies.get(PRELOGIN_CSRF_COOKIE), csrf_token)
    if file is None:
        return _page(request, {"error": "请选择一个 PDF 文件。Choose a PDF file."}, 422)
    name = (file.filename or "")[:200]
    try:
        await run_in_threadpool(count_check, request)
        data = await read_pdf(file)
        report = await run_in_threadpool(verify_upload, request, data, name)
    except ZhizhiError as exc:
        return _page(request, {"error": exc.localized(locale_of(request)), "filename": name}, exc.status)
    return _page(request, {"report": report, "filename": name})


def _published(request: Request, name: str, media_type: str) -> Response:
    """A file the seal authority publishes (its root certificate, its CRL), or 404 before it has one."""
    from zhizhi.seals.authority import Authority

    path = Authority.of(app_context(request).workspace.keys_dir).folder / name
    if not path.is_file():
        raise NotFoundError(
            "This workspace has issued no seal yet (`zhizhi seal issue DEPT`).", zh="本单位尚未签发电子印章。"
        )
    headers = {"Content-Disposition": f'attachment; filename="{name}"', "Cache-Control": "no-cache"}
    return Response(path.read_bytes(), media_type=media_type, headers=headers)


@router.get("/seals/root.pem")
def seal_root(request: Request) -> Response:
    """The root certificate a recipient trusts to check the workspace's seals (compare its fingerprint with the one
    the bureau hands over: docs/seals.md)."""
    from zhizhi.seals.authority import ROOT_CERT

    return _published(request, ROOT_CERT, "application/x-pem-file")


@router.get("/seals/crl.pem")
def seal_crl(request: Request) -> Response:
    """The revocation list the workspace publishes: the seals revoked, signed by the root."""
    from zhizhi.seals.certificates import CRL_FILE

    return _published(request, CRL_FILE, "application/x-pem-file")
