"""The server-rendered UI: one router per area, each page built on the same query as its JSON twin."""

from fastapi import APIRouter

from zhizhi.web.pages import (
    admin,
    audit,
    auth,
    codes,
    deliveries,
    home,
    hotline,
    hotline_public,
    ingest,
    privacy,
    register,
    reports,
    seals,
    tokens,
)

router = APIRouter(include_in_schema=False)
# ingest before home: its /quarantine page takes the place of home's placeholder for that section.
for module in (auth, ingest, deliveries, register, hotline_public, hotline, home, admin, tokens, audit, codes, privacy):
    router.include_router(module.router)
router.include_router(seals.router)  # the public check of a sealed report
router.include_router(reports.router)  # the catalogue, beside home's placeholder /reports

__all__ = ["router"]
