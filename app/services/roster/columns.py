"""Roster columns: the fields we import, the header names HR systems use for them, mappings."""

from __future__ import annotations

import re
import unicodedata
from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass, field

from app.core.errors import InvalidInput, Problem
from app.core.i18n import N_, gettext

FIELDS: dict[str, str] = {
    # Translators: what each roster field means, beside its name on the column-mapping page.
    "name": N_("Full name as colleagues use it (or map first_name and last_name instead)"),
    "first_name": N_("Given name; joined with last_name when there is no full-name column"),
    "preferred_name": N_("Preferred first name; used instead of first_name when filled in"),
    "last_name": N_("Family name"),
    "email": N_("Work e-mail address (required, unique): it identifies the person"),
    "title": N_("Job title"),
    "level": N_("Job level, grade or management level"),
    "function": N_("Department, function or organisation"),
    "region": N_("Country, region or location"),
    "hire_date": N_("Hire date (tenure is computed from it); a number of years also works"),
    "tenure": N_("Years of service such as 3.5 (a hire date also works)"),
    "manager": N_("Manager's e-mail, or the manager's full name when the manager is in the file"),
    "languages": N_("Languages spoken, separated by , ; / or | (used for matching)"),
    "language": N_(
        "The language the participant reads Tandem in: en, de, fr, es or the name "
        "(Deutsch, French ...); blank: the cohort's"
    ),
    "tags": N_("Background and experience tags, separated by , ; / or |"),
    "avoid": N_("E-mails of people never to pair with, separated by , ; / or |"),
    "conflict_group": N_(
        "Succession pool or slate: people sharing it may compete for one role, so they are "
        "never buddies"
    ),
    "ignore": N_("Leave this column out of the import"),
}
"""Every target of a column mapping, with the one line a mapping page shows beside it."""

IGNORE = "ignore"
LIST_FIELDS = frozenset({"languages", "tags", "avoid"})
"""Fields that may draw on several columns (e.g. "Language 1", "Language 2")."""

# Order matters: when several columns match one field, the earliest alias wins, so a
# Workday export with both "Country" and "Location" yields countries, not office names.
# fmt: off
ALIASES: dict[str, tuple[str, ...]] = {
    "name": (
        "name", "full name", "employee name", "employee full name", "worker", "worker name",
        "legal name", "display name", "participant", "participant name",
        "preferred full name", "formatted name",
        "vollständiger name", "name des mitarbeiters", "mitarbeitername",
        "nom complet", "prénom et nom", "nom et prénom", "nom prénom", "prénom nom",
        "nombre completo", "nombre y apellidos", "nombre y apellido", "apellidos y nombre",
    ),
    "first_name": (
        "first name", "given name", "legal first name", "forename", "firstname", "vorname",
        "prenom", "nombre", "nombre de pila",
    ),
    "preferred_name": (
        "preferred name", "preferred first name", "nickname", "known as", "rufname",
        "bevorzugter vorname", "prénom usuel", "nombre preferido",
    ),
    "last_name": (
        "last name", "surname", "family name", "legal last name", "lastname", "nachname",
        "nom de famille", "familienname", "nom", "apellidos", "apellido", "primer apellido",
    ),
    "email": (
        "email", "work email", "email address", "work email address", "email work",
        "primary work email", "business email", "company email", "corporate email",
        "email address work", "mail", "email adresse", "courriel",
        "e-mail-adresse", "geschäftliche e-mail", "dienstliche e-mail", "e-mail geschäftlich",
        "adresse e-mail", "adresse électronique", "adresse mail", "e-mail professionnel",
        "courriel professionnel", "adresse courriel", "correo", "correo electrónico",
        "correo electrónico corporativo", "correo corporativo", "email corporativo",
        "correo del trabajo", "correo electrónico del trabajo", "dirección de correo",
        "dirección de correo electrónico",
    ),
    "title": (
        "title", "job title", "business title", "position title", "position", "job",
        "role", "job name", "stellenbezeichnung",
        "funktion", "berufsbezeichnung", "jobtitel", "stelle", "tätigkeit",
        "fonction", "intitulé du poste", "poste", "titre du poste", "emploi",
        "función", "puesto", "cargo", "título del puesto", "posición", "nombre del puesto",
    ),
    "level": (
        "level", "job level", "management level", "grade", "job grade", "pay grade",
        "career level", "band", "job band", "pay scale group", "seniority", "employee level",
        "führungsebene", "ebene", "hierarchieebene", "karrierestufe", "entgeltgruppe",
        "gehaltsgruppe", "tarifgruppe", "niveau", "niveau hiérarchique", "échelon",
        "classification", "nivel", "nivel jerárquico", "categoría", "grado", "banda",
    ),
    "function": (
        "function", "department", "job function", "supervisory organization",
        "supervisory organisation", "organization", "organisation", "org unit",
        "organizational unit", "organisational unit", "business unit", "division", "team",
        "abteilung", "org", "org einheit",
        "bereich", "organisationseinheit", "geschäftsbereich", "fachbereich",
        "service", "département", "direction", "unité", "entité",
        "departamento", "área", "unidad", "unidad organizativa", "división", "equipo",
    ),
    "region": (
        "country", "country region", "work country", "region", "location", "work location",
        "office", "office location", "site", "geography", "land", "pays",
        "standort", "arbeitsort", "niederlassung", "lieu de travail", "localisation", "lieu",
        "ubicación", "país", "sede", "centro de trabajo", "oficina", "región",
    ),
    "hire_date": (
        "hire date", "original hire date", "start date", "date of hire", "entry date",
        "date joined", "joining date", "continuous service date", "service date",
        "seniority date", "eintrittsdatum",
        "eintritt", "einstellungsdatum", "beschäftigungsbeginn", "date d'entrée",
        "date d'embauche", "date d'arrivée", "fecha de ingreso", "fecha de alta",
        "fecha de incorporación", "fecha de contratación",
    ),
    "tenure": (
        "tenure", "tenure years", "years of service", "length of service", "service years",
        "years in company", "years", "dienstjahre",
        "betriebszugehörigkeit", "jahre im unternehmen", "ancienneté", "années d'ancienneté",
        "antigüedad", "años de servicio", "años en la empresa",
    ),
    "manager": (
        "manager email", "manager", "supervisor email", "manager work email",
        "line manager email", "managers email", "supervisor", "line manager", "reports to",
        "manager name", "direct manager", "supervisor name", "vorgesetzter",
        "vorgesetzter email",
        "vorgesetzte", "e-mail vorgesetzter", "e-mail des vorgesetzten", "führungskraft",
        "e-mail führungskraft", "responsable", "courriel du responsable",
        "responsable hiérarchique", "supérieur hiérarchique", "manager direct", "n+1",
        "jefe", "jefe directo", "responsable directo", "correo del responsable",
        "correo del jefe",
    ),
    "languages": (
        "languages", "spoken languages", "language skills", "sprachen",
        "sprachkenntnisse", "arbeitssprachen", "gesprochene sprachen", "langues",
        "langues parlées", "compétences linguistiques", "idiomas", "lenguas",
        "idiomas hablados",
    ),
    # One reading language for Tandem, not the languages spoken (above); a bare "Language"
    # column that lists several languages is read as those instead (see csv_file).
    "language": (
        "language", "preferred language", "reading language", "display language",
        "communication language", "correspondence language", "language preference",
        "tandem language", "sprache", "bevorzugte sprache", "korrespondenzsprache",
        "kommunikationssprache", "langue", "langue préférée", "langue de préférence",
        "langue de communication", "idioma", "idioma preferido", "idioma de preferencia",
        "idioma de comunicación",
    ),
    "tags": (
        "background", "experience", "tags", "experience tags", "background tags", "skills",
        "profile",
        "hintergrund", "erfahrung", "kompetenzen", "schlagwörter", "parcours", "compétences",
        "mots-clés", "trayectoria", "experiencia", "competencias", "etiquetas",
    ),
    "avoid": (
        "avoid", "do not pair with", "avoid pairing with", "not with", "avoid emails",
        "vermeiden", "nicht paaren mit", "éviter", "ne pas associer avec", "evitar",
        "no emparejar con",
    ),
    # People on one succession slate may compete for the same role: never buddies.
    "conflict_group": (
        "conflict group", "competing for", "succession group", "conflict", "succession pool",
        "talent pool", "succession slate", "successor for", "successor to", "succession for",
        "succession", "successor pool", "succession candidate for", "candidate for",
        "succession plan", "succession role", "rival group", "rivals",
        "konfliktgruppe", "nachfolgepool", "nachfolge", "groupe de conflit",
        "vivier de succession", "grupo de conflicto", "sucesión", "cantera de sucesión",
    ),
}
# fmt: on
"""Header names as HR exports spell them; matching ignores case, accents and punctuation."""

_BRACKETED_RE = re.compile(r"\([^()]*\)|\[[^\[\]]*\]")
# "Sprache(n)", "Langue(s)", "Vorgesetzte(r)": an ending in brackets right after a word is part
# of it (the plural or the other gender), not a remark like "E-Mail (work)".
_ENDING_RE = re.compile(r"(?<=[^\W\d_])\(([^\W\d_]{1,2})\)")


def header_key(header: str) -> str:
    """Reduce a header to lowercase letters and digits: "E-Mail (work)" -> "email",
    "Sprache(n)" -> "sprachen"."""
    text = _ENDING_RE.sub(r"\1", header)
    text = _BRACKETED_RE.sub(" ", unicodedata.normalize("NFKD", text))
    return "".join(ch for ch in text.casefold() if ch.isalnum())


def _build_alias_index() -> dict[str, tuple[str, int]]:
    index: dict[str, tuple[str, int]] = {}
    for target, aliases in ALIASES.items():
        for rank, alias in enumerate((target, *aliases)):
            index.setdefault(header_key(alias), (target, rank))
    return index


_ALIAS_INDEX = _build_alias_index()


def suggest_field(header: str) -> str | None:
    """Return the field a header names by a known alias, or None."""
    hit = _ALIAS_INDEX.get(header_key(header))
    return hit[0] if hit else None


def normalise_field_name(text: str) -> str | None:
    """Return the FIELDS key ``text`` names ("Conflict-Group" -> "conflict_group"), or None."""
    candidate = re.sub(r"[\s-]+", "_", text.strip().casefold())
    return candidate if candidate in FIELDS else None


def parse_mapping_args(args: Iterable[str]) -> dict[str, str]:
    """Turn CLI ``--map "Header=field"`` options into a header -> field mapping."""
    mapping: dict[str, str] = {}
    problems: list[Problem] = []
    for arg in args:
        where = f"--map {arg}"
        header, sep, target = arg.rpartition("=")
        if not sep or not header.strip() or not target.strip():
            problems.append(
                Problem(where, gettext('expected "Header=field", e.g. "Work Mail=email"'))
            )
            continue
        name = normalise_field_name(target)
        if name is None:
            known = ", ".join(FIELDS)
            message = gettext(
                "unknown field '%(field)s'; use one of %(known)s", field=target.strip(), known=known
            )
            problems.append(Problem(where, message))
            continue
        mapping[header.strip()] = name
    if problems:
        raise InvalidInput(gettext("invalid column mapping"), problems)
    return mapping


def _row(row: int) -> str:
    return gettext("row %(row)s", row=row)


def _cell(row: int, header: str) -> str:
    # Translators: where a problem is in a roster file; %(column)s is the file's own header.
    return gettext("row %(row)s, column %(column)s", row=row, column=header)


@dataclass(slots=True)
class ColumnPlan:
    """Which column feeds which field, decided once per file from its header."""

    headers: list[str]
    columns: dict[str, list[int]] = field(default_factory=dict)
    mapping: dict[str, str] = field(default_factory=dict)
    ignored: list[str] = field(default_factory=list)
    problems: list[tuple[int, Problem]] = field(default_factory=list)

    def first(self, target: str) -> int | None:
        """Return the column index feeding a single-valued field, or None."""
        found = self.columns.get(target)
        return found[0] if found else None


def plan_columns(
    headers: Sequence[str], *, mapping: Mapping[str, str] | None = None, header_row: int = 1
) -> ColumnPlan:
    """Decide the column of every field from the header, explicit mapping first."""
    plan = ColumnPlan(headers=list(headers))
    explicit = _explicit_targets(plan, mapping or {}, header_row)
    candidates: dict[str, list[tuple[int, int]]] = {}
    for index, header in enumerate(headers):
        if not header:
            continue
        if index in explicit:
            target: str | None = explicit[index]
            rank = -1
        else:
            hit = _ALIAS_INDEX.get(header_key(header))
            target, rank = hit if hit else (None, 0)
        if target is None or target == IGNORE:
            continue
        candidates.setdefault(target, []).append((rank, index))
    used: set[int] = set()
    for target, found in candidates.items():
        chosen = sorted(found) if target in LIST_FIELDS else [min(found)]
        if target not in LIST_FIELDS:
            _check_explicit_clash(plan, target, found, header_row)
        plan.columns[target] = sorted(index for _, index in chosen)
        used.update(index for _, index in chosen)
    _check_duplicate_headers(plan, used, header_row)
    _check_required(plan, header_row)
    for index, header in enumerate(headers):
        if index in used:
            plan.mapping[header] = next(t for t, cols in plan.columns.items() if index in cols)
        elif header:
            plan.ignored.append(header)
    return plan


def _explicit_targets(plan: ColumnPlan, mapping: Mapping[str, str], row: int) -> dict[int, str]:
    by_key: dict[str, int] = {}
    for index, header in enumerate(plan.headers):
        by_key.setdefault(header_key(header), index)
    targets: dict[int, str] = {}
    for header, target in mapping.items():
        name = normalise_field_name(target)
        found = by_key.get(header_key(header))
        if name is None:
            known = ", ".join(FIELDS)
            message = gettext(
                "unknown field '%(field)s' in the mapping; use one of %(known)s",
                field=target,
                known=known,
            )
            column = -1 if found is None else found
            plan.problems.append((column, Problem(_cell(row, header), message)))
        elif found is None or not header_key(header):
            message = gettext(
                "the mapping names column '%(column)s', which is not in the header", column=header
            )
            plan.problems.append((-1, Problem(_row(row), message)))
        else:
            targets[found] = name
    return targets


def _check_explicit_clash(
    plan: ColumnPlan, target: str, found: list[tuple[int, int]], row: int
) -> None:
    explicit = sorted(index for rank, index in found if rank < 0)
    if len(explicit) > 1:
        first, second = (plan.headers[i] for i in explicit[:2])
        message = gettext(
            "columns %(first)s and %(second)s are both mapped to %(field)s; map only one",
            first=first,
            second=second,
            field=target,
        )
        plan.problems.append((explicit[1], Problem(_row(row), message, target)))


def _check_duplicate_headers(plan: ColumnPlan, used: set[int], row: int) -> None:
    seen: dict[str, int] = {}
    for index, header in enumerate(plan.headers):
        key = header_key(header)
        if not key:
            continue
        if key in seen and (index in used or seen[key] in used):
            message = gettext("this header appears more than once; rename one of the columns")
            plan.problems.append((index, Problem(_cell(row, header), message)))
        seen.setdefault(key, index)


def _check_required(plan: ColumnPlan, row: int) -> None:
    listed = ", ".join(h for h in plan.headers if h)
    if "email" not in plan.columns:
        message = gettext(
            "no e-mail column found (columns: %(columns)s); map one to email", columns=listed
        )
        plan.problems.append((-1, Problem(_row(row), message, "email")))
    name_parts = ("name", "first_name", "preferred_name", "last_name")
    if not any(part in plan.columns for part in name_parts):
        message = gettext(
            "no name column found (columns: %(columns)s); map one to name, "
            "or map first_name and last_name",
            columns=listed,
        )
        plan.problems.append((-1, Problem(_row(row), message, "name")))


def merge_mappings(
    headers: Sequence[str], *, explicit: Mapping[str, str], remembered: Mapping[str, str]
) -> dict[str, str]:
    """The mapping for a file: this upload's choices over the cohort's remembered ones.

    A remembered choice counts only for a header this file has, and not when this upload maps
    another column to the same single-valued field (that would be two e-mail columns).
    """
    present = {header_key(h) for h in headers if h}
    chosen_keys = {header_key(h) for h in explicit}
    chosen_targets = {normalise_field_name(t) for t in explicit.values()}
    merged: dict[str, str] = {}
    for header, target in remembered.items():
        name = normalise_field_name(target)
        key = header_key(header)
        if name is None or key not in present or key in chosen_keys:
            continue
        if name in chosen_targets and name not in LIST_FIELDS and name != IGNORE:
            continue
        merged[header] = name
    merged.update(explicit)
    return merged
