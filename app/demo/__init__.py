"""Demo data: a fictional 26-person leadership-intensive roster at Ardenvale Foods.

The roster is written the way an HR system exports it (Workday-style headers, quoted titles,
ISO hire dates), so the demo exercises the same import path as a real file. Everyone in it
is invented; the addresses use the reserved ``.example`` domain.
"""

from __future__ import annotations

from importlib.resources import files

DEMO_ROSTER_NAME = "roster.csv"
DEMO_ROSTER_SIZE = 26


def read_demo_roster() -> bytes:
    """Return the demo roster file's bytes, ready for the roster import."""
    return files("app.demo").joinpath(DEMO_ROSTER_NAME).read_bytes()
