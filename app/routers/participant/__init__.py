"""Participant (tablet) pages and their JSON endpoints."""

from __future__ import annotations

from fastapi import APIRouter

from app.routers.participant import api, join, now, pages, workbook

router = APIRouter(include_in_schema=False)
router.include_router(join.router)
router.include_router(pages.router)
router.include_router(api.router)
router.include_router(now.router)
router.include_router(workbook.router)
