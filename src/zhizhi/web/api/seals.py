"""`POST /api/seals/verify`: anyone may check a sealed PDF against this workspace's seal root and CRL.

Each check is heavy work done for anyone, so one address makes at most `CHECKS.most` checks in `CHECKS.minutes`
minutes, on the page and the API together (`zhizhi.web.public_limits`); past it the answer is 429 with the wait."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from zhizhi.seals import MAX_PDF_BYTES, Trust, VerifyReport, check_pdf_size, verify_pdf
from zhizhi.web.deps import app_context, client_ip
from zhizhi.web.public_limits import Limit, count_use

router = APIRouter()


CHECKS = Limit("seals.verify", most=30, minutes=10)
"""The public seal check: thirty files in ten minutes from one address (an office behind one address included)."""


def count_check(request: Request) -> None:
    """Count one check of the caller's address in a transaction of its own (kept whatever the verdict), or refuse
    it (429) once the address has used up CHECKS."""
    with app_context(request).sessions() as session, session.begin():
        count_use(session, CHECKS, ip=client_ip(request))


async def read_pdf(upload: UploadFile) -> bytes:
    """The uploaded file's bytes, refused (413) past MAX_PDF_BYTES without reading the rest."""
    data = await upload.read(MAX_PDF_BYTES + 1)
    check_pdf_size(len(data))
    return data


def verify_upload(request: Request, data: bytes, name: str = "") -> VerifyReport:
    """The verdict on DATA (the upload NAME) against the workspace's own root and CRL (offline)."""
    return verify_pdf(data, Trust.of_workspace(app_context(request).workspace.keys_dir), name=name[:200])


@router.post("/seals/verify")
async def verify_sealed_pdf(request: Request, file: UploadFile) -> dict[str, Any]:
    """Who sealed the PDF, when, whether it is intact and trusted, and what changed since; no sign-in needed."""
    await run_in_threadpool(count_check, request)
    data = await read_pdf(file)
    # pyHanko's validation runs its own event loop, so it must not run on the server's.
    report = await run_in_threadpool(verify_upload, request, data, file.filename or "")
    return report.as_dict()
