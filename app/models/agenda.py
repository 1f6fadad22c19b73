"""The cohort's calendar, agenda items and live run-of-show state."""
