"""`POST /api/seals/verify`: anyone may check a sealed PDF against this workspace's seal root and CRL."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request, UploadFile
from starlette.concurrency import run_in_threadpool

from zhizhi.seals import MAX_PDF_BYTES, Trust, VerifyReport, check_pdf_size, verify_pdf
from zhizhi.web.deps import app_context

router = APIRouter()


async def read_pdf(upload: UploadFile) -> bytes:
    """The uploaded file's bytes, refused (413) past MAX_PDF_BYTES without reading the rest."""
    data = await upload.read(MAX_PDF_BYTES + 1)
    check_pdf_size(len(data))
    return data


def verify_upload(request: Request, data: bytes) -> VerifyReport:
    """The verdict on DATA against the workspace's own root and CRL (offline)."""
    return verify_pdf(data, Trust.of_workspace(app_context(request).workspace.keys_dir))


@router.post("/seals/verify")
async def verify_sealed_pdf(request: Request, file: UploadFile) -> dict[str, Any]:
    """Who sealed the PDF, when, whether it is intact and trusted, and what changed since; no sign-in needed."""
    data = await read_pdf(file)
    # pyHanko's validation runs its own event loop, so it must not run on the server's.
    report = await run_in_threadpool(verify_upload, request, data)
    return report.as_dict()
