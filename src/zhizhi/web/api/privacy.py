"""`GET /api/privacy/catalogue`: the personal-data catalogue, the JSON twin of /privacy."""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request

from zhizhi.privacy.catalogue import catalogue
from zhizhi.web.deps import ApiWorkspaceReader, app_context

router = APIRouter(tags=["privacy"])


@router.get("/privacy/catalogue")
def read_catalogue(request: Request, actor: ApiWorkspaceReader) -> list[dict[str, Any]]:
    """Every field of every record type: personal or not, its category, how it is masked, its retention in days."""
    return catalogue(app_context(request).workspace.config.privacy.retention)
