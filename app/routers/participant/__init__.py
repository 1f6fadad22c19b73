"""Participant (tablet) pages and their JSON endpoints."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
