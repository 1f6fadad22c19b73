"""Who wrote each exercise and its licence, as a reader reads it: under the exercise on the
library page and in the workbook, and gathered on the workbook's credits page."""

from __future__ import annotations

from collections import Counter
from collections.abc import Iterable
from dataclasses import dataclass

from app.core.i18n import gettext as _
from app.services.library.loader import LICENSES, Credit, ExerciseSpec


def credit_line(credit: Credit) -> str:
    """The credit in one line, in the current language; the names, the source and the
    licence id stay as the file gives them (a credit is never translated)."""
    if credit.adapted_from:
        # Translators: %(license)s is an SPDX licence id such as CC-BY-4.0, left as it is.
        return _(
            "Adapted by %(author)s from %(source)s · licence %(license)s",
            author=credit.author,
            source=credit.adapted_from,
            license=credit.license,
        )
    # Translators: %(license)s is an SPDX licence id such as CC-BY-4.0, left as it is.
    return _("By %(author)s · licence %(license)s", author=credit.author, license=credit.license)


@dataclass(frozen=True, slots=True)
class LicenceUse:
    """One licence the exercises of a program are shared under, and where to read it."""

    license: str
    url: str | None
    count: int


def licences_of(specs: Iterable[ExerciseSpec]) -> list[LicenceUse]:
    """The licences of these exercises, each once, the most used first."""
    counts = Counter(spec.credit.license for spec in specs if spec.credit is not None)
    return [
        LicenceUse(key, LICENSES.get(key), count)
        for key, count in sorted(counts.items(), key=lambda item: (-item[1], item[0]))
    ]
