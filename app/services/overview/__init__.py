"""The cohort overview: one dashboard of counts and states across the domains (roster, pairs,
agenda, progress), never what anyone wrote."""

from app.services.overview.dashboard import cohort_dashboard

__all__ = [
    "cohort_dashboard",
]
