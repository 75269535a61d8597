"""The server-rendered UI: one router per area, each page built on the same query as its JSON twin."""

from fastapi import APIRouter

from zhizhi.web.pages import admin, audit, auth, codes, home, tokens

router = APIRouter(include_in_schema=False)
for module in (auth, home, admin, tokens, audit, codes):
    router.include_router(module.router)

__all__ = ["router"]
