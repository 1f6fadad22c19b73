"""Participant sign-in cards, answers (with versions and idempotency) and pair agreements."""
