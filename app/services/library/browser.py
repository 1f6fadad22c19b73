"""Filtering the library for the facilitator's browser (pure: a Library in, a list out)."""

from __future__ import annotations

from dataclasses import dataclass

from app.services.library.loader import KINDS, PHASES, ExerciseSpec, Library


@dataclass(frozen=True, slots=True)
class LibraryFilter:
    day: int | None = None
    phase: str | None = None
    kind: str | None = None
    max_minutes: int | None = None
    text: str = ""

    def matches(self, spec: ExerciseSpec) -> bool:
        """True when ``spec`` passes every filter that is set."""
        if self.day is not None and spec.day != self.day:
            return False
        if self.phase and spec.phase != self.phase:
            return False
        if self.kind and spec.kind != self.kind:
            return False
        if self.max_minutes is not None and spec.minutes > self.max_minutes:
            return False
        if self.text:
            words = [spec.title, spec.summary, *spec.tags]
            for translation in spec.translations.values():  # a German title finds it too
                words += [translation.title or "", translation.summary or ""]
            haystack = " ".join(words).lower()
            if self.text.lower() not in haystack:
                return False
        return True


def _small_number(value: str) -> int | None:
    # str.isdigit() also says yes to "²" and "٣", which int() refuses.
    return int(value) if value.isascii() and value.isdigit() and len(value) <= 6 else None


def parse_filter(
    *, day: str = "", phase: str = "", kind: str = "", max_minutes: str = "", text: str = ""
) -> LibraryFilter:
    """A filter from query-string values; unknown or malformed values are simply not applied."""
    return LibraryFilter(
        day=_small_number(day),
        phase=phase if phase in PHASES else None,
        kind=kind if kind in KINDS else None,
        max_minutes=_small_number(max_minutes),
        text=text.strip()[:100],
    )


def filter_library(library: Library, flt: LibraryFilter) -> list[ExerciseSpec]:
    """The exercises that pass ``flt``, in arc order."""
    return [spec for spec in library.ordered() if flt.matches(spec)]
