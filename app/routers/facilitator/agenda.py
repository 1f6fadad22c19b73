"""Facilitator pages: the cohort calendar, agenda editing and the run of show."""

from __future__ import annotations

from fastapi import APIRouter

router = APIRouter(include_in_schema=False)
