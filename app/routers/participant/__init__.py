"""Participant (tablet) pages and their JSON endpoints."""

from __future__ import annotations

from fastapi import APIRouter

from app.routers.participant import api, join, language, links, mail, now, pages, workbook
from app.routers.participant import partnership as partnership_pages
from app.routers.participant import plan as plan_pages

router = APIRouter(include_in_schema=False)
router.include_router(join.router)
router.include_router(links.router)
router.include_router(pages.router)
router.include_router(api.router)
router.include_router(now.router)
router.include_router(workbook.router)
router.include_router(plan_pages.router)
router.include_router(partnership_pages.router)
router.include_router(language.router)
router.include_router(mail.router)
