"""Rosters in German, French and Spanish read without a mapping step, and the language column
that says which language each participant reads Tandem in."""

from __future__ import annotations

from datetime import date

import pytest
from sqlmodel import Session

from app.core.errors import InvalidInput
from app.models import Cohort
from app.services.cohorts import service as cohorts
from app.services.roster import service as roster
from app.services.roster.columns import header_key, suggest_field
from app.services.roster.csv_file import detect_columns, export_roster_csv
from app.services.roster.preview import describe_preview
from app.services.roster.reading_language import parse_reading_language
from tests.services.roster.corpus import TODAY, corpus, messages, parse

# --- headers in four languages ---------------------------------------------------------------


def test_german_export_reads_without_mapping() -> None:
    parsed = parse(corpus("personio_de_semicolon.csv"))

    assert messages(parsed) == []
    assert (parsed.delimiter, parsed.day_first) == (";", True)
    assert parsed.mapping == {
        "Vorname": "first_name",
        "Nachname": "last_name",
        "E-Mail-Adresse": "email",
        "Funktion": "title",
        "Abteilung": "function",
        "Führungsebene": "level",
        "Standort": "region",
        "Eintrittsdatum": "hire_date",
        "Vorgesetzte(r)": "manager",
        "Sprache(n)": "languages",
        "Sprache": "language",
    }
    katrin, juergen, aylin, lars = parsed.rows
    assert (katrin.name, katrin.title, katrin.level, katrin.region) == (
        "Katrin Schneider", "Leiterin Controlling", "E1", "München",
    )  # fmt: skip
    assert katrin.hire_date == date(2012, 4, 15)
    assert katrin.languages == ("Deutsch", "Englisch")
    assert aylin.manager_email == "katrin.schneider@fabrikam-example.de"  # found by name
    assert [r.language for r in parsed.rows] == ["de", "de", "en", None]
    assert juergen.languages == ("Deutsch",)
    assert lars.language is None  # blank: the cohort's language


def test_french_export_reads_without_mapping() -> None:
    parsed = parse(corpus("lucca_fr_bom.csv"))

    assert messages(parsed) == []
    assert parsed.mapping == {
        "Prénom": "first_name",
        "Nom": "last_name",
        "Courriel": "email",
        "Fonction": "title",
        "Service": "function",
        "Niveau": "level",
        "Site": "region",
        "Date d'entrée": "hire_date",
        "Responsable": "manager",
        "Langue(s)": "languages",
        "Langue": "language",
    }
    elodie, luc, ines = parsed.rows
    assert (elodie.name, elodie.hire_date) == ("Élodie Marchand", date(2014, 9, 3))
    assert luc.title == "Responsable d'usine"
    assert ines.languages == ("Français", "Arabe", "Anglais")
    assert [r.language for r in parsed.rows] == ["fr", "fr", "en"]


def test_spanish_export_reads_without_mapping() -> None:
    parsed = parse(corpus("a3_es.csv"))

    assert messages(parsed) == []
    assert parsed.mapping == {
        "Nombre": "first_name",
        "Apellido(s)": "last_name",
        "Correo electrónico": "email",
        "Función": "title",
        "Departamento": "function",
        "Nivel": "level",
        "Ubicación": "region",
        "Fecha de ingreso": "hire_date",
        "Jefe": "manager",
        "Idioma(s)": "languages",
        "Idioma": "language",
    }
    lucia, javier, nuria = parsed.rows
    assert lucia.name == "Lucía García Pérez"
    assert javier.manager_email == "lucia.garcia@ejemplo-sl.es"
    assert nuria.languages == ("Catalán", "Español", "Francés")
    assert [r.language for r in parsed.rows] == ["es", "es", "es"]


@pytest.mark.parametrize(
    ("header", "field"),
    [
        ("E-Mail", "email"),
        ("Vorgesetzter", "manager"),
        ("Adresse e-mail", "email"),
        ("Manager", "manager"),
        ("Correo", "email"),
        ("Responsable", "manager"),
        ("Apellidos", "last_name"),
        ("Date d’entrée", "hire_date"),  # a typographic apostrophe
        ("DATE D'ENTREE", "hire_date"),
        ("Führungs-Ebene", "level"),
        ("Fecha de Ingreso:", "hire_date"),
        ("Preferred Language", "language"),
        ("Langue préférée", "language"),
        ("Languages", "languages"),
        ("Language(s)", "languages"),
        ("Idiomas", "languages"),
        ("E-Mail (work)", "email"),
    ],
)
def test_header_aliases_ignore_case_accents_and_punctuation(header: str, field: str) -> None:
    assert suggest_field(header) == field


def test_a_bracketed_ending_belongs_to_the_word_a_bracketed_remark_does_not() -> None:
    assert header_key("Sprache(n)") == "sprachen"
    assert header_key("Vorgesetzte(r)") == "vorgesetzter"
    assert header_key("Sprache (Tandem)") == "sprache"


def test_detect_columns_suggests_the_foreign_headers() -> None:
    headers, mapping = detect_columns(corpus("lucca_fr_bom.csv"))
    assert headers[0] == "Prénom"
    assert mapping["Courriel"] == "email"
    assert mapping["Langue"] == "language"


def test_errors_name_the_column_as_the_file_spells_it() -> None:
    data = "Vorname;Nachname;E-Mail-Adresse;Eintrittsdatum\nKatrin;Schneider;katrin@;31.02.2019\n"
    assert messages(parse(data)) == [
        "row 2, column E-Mail-Adresse: 'katrin@' is not a valid e-mail address",
        "row 2, column Eintrittsdatum: '31.02.2019' is not a valid date (read as day/month/year)",
    ]


# --- the reading language --------------------------------------------------------------------


@pytest.mark.parametrize(
    ("cell", "code"),
    [
        ("en", "en"), ("EN", "en"), ("en-GB", "en"), ("English", "en"), ("Englisch", "en"),
        ("anglais", "en"), ("Inglés", "en"),
        ("de", "de"), ("de-DE", "de"), ("de_CH", "de"), ("Deutsch", "de"), ("German", "de"),
        ("allemand", "de"), ("Alemán", "de"), ("ger", "de"),
        ("fr", "fr"), ("fr-CA", "fr"), ("français", "fr"), ("FRANCAIS", "fr"), ("French", "fr"),
        ("Französisch", "fr"), ("francés", "fr"),
        ("es", "es"), ("es-419", "es"), ("Español", "es"), ("espanol", "es"), ("Spanish", "es"),
        ("Spanisch", "es"), ("espagnol", "es"), ("castellano", "es"), ("  Deutsch ", "de"),
    ],
)  # fmt: skip
def test_reading_language_accepts_codes_and_names(cell: str, code: str) -> None:
    assert parse_reading_language(cell) == code


@pytest.mark.parametrize("cell", ["Italiano", "Klingon", "pt-BR", "Deutsch, English", "d"])
def test_reading_language_refuses_what_tandem_does_not_speak(cell: str) -> None:
    with pytest.raises(ValueError, match="unknown language"):
        parse_reading_language(cell)


def test_an_unknown_language_names_the_row_and_the_column() -> None:
    parsed = parse(corpus("a3_es_bad_language.csv"))
    assert messages(parsed) == [
        "row 4, column Idioma: unknown language 'Català': Tandem is available in English, "
        "Deutsch, Français, Español (codes en, de, fr, es)"
    ]
    assert parsed.problems[0].field == "language"


def test_a_language_column_listing_several_languages_is_the_languages_spoken() -> None:
    data = (
        "Name,Email,Language\n"
        'Ana Silva,ana@example.com,"Portuguese, English"\n'
        "Ben Okoro,ben@example.com,English\n"
    )
    parsed = parse(data)
    assert messages(parsed) == []
    assert parsed.mapping["Language"] == "languages"
    assert [(r.languages, r.language) for r in parsed.rows] == [
        (("Portuguese", "English"), None),
        (("English",), None),
    ]


def test_a_language_column_of_single_languages_is_the_reading_language() -> None:
    parsed = parse("Name,Email,Language\nAna Silva,ana@example.com,Deutsch\n")
    assert parsed.mapping["Language"] == "language"
    assert (parsed.rows[0].language, parsed.rows[0].languages) == ("de", ())


def test_mapping_a_column_to_language_on_purpose_checks_every_cell() -> None:
    data = 'Name,Email,Lang\nAna Silva,ana@example.com,"Portuguese, English"\n'
    parsed = parse(data, mapping={"Lang": "language"})
    assert messages(parsed) == [
        "row 2, column Lang: unknown language 'Portuguese, English': Tandem is available in "
        "English, Deutsch, Français, Español (codes en, de, fr, es)"
    ]


def test_preview_shows_the_reading_language_by_name() -> None:
    view = describe_preview(parse(corpus("personio_de_semicolon.csv")))
    assert ("language", "Reads Tandem in") in view.columns
    column = [key for key, _ in view.columns].index("language")
    assert [row.cells[column].text for row in view.rows] == [
        "Deutsch", "Deutsch", "English", "\u2014",
    ]  # fmt: skip


def test_export_carries_the_reading_language() -> None:
    parsed = parse(corpus("personio_de_semicolon.csv"))
    exported = export_roster_csv(parsed.rows)
    lines = exported.splitlines()
    assert lines[0].endswith(",conflict_group,language")
    assert lines[1].endswith(",de")
    again = parse(exported)
    assert messages(again) == []
    assert [r.language for r in again.rows] == ["de", "de", "en", None]


# --- applying it -----------------------------------------------------------------------------


@pytest.fixture
def cohort(session: Session) -> Cohort:
    c = cohorts.create_cohort(session, name="Herbst", start_date=date(2027, 3, 1))
    session.commit()
    return c


def _languages(session: Session, cohort: Cohort) -> dict[str, str]:
    return {p.email: p.language for p in roster.list_participants(session, cohort=cohort)}


def test_import_sets_each_participants_language(session: Session, cohort: Cohort) -> None:
    roster.import_roster(session, cohort=cohort, data=corpus("lucca_fr_bom.csv"), today=TODAY)
    session.commit()
    assert _languages(session, cohort) == {
        "elodie.marchand@exemple-sa.fr": "fr",
        "luc.dubois@exemple-sa.fr": "fr",
        "ines.haddad@exemple-sa.fr": "en",
    }
    people = roster.list_participants(session, cohort=cohort)
    assert {p.email: p.languages for p in people}["ines.haddad@exemple-sa.fr"] == [
        "Français", "Arabe", "Anglais",
    ]  # fmt: skip


def test_an_unknown_language_writes_nothing(session: Session, cohort: Cohort) -> None:
    with pytest.raises(InvalidInput) as caught:
        roster.import_roster(
            session, cohort=cohort, data=corpus("a3_es_bad_language.csv"), today=TODAY
        )
    assert [p.where for p in caught.value.problems] == ["row 4, column Idioma"]
    session.rollback()
    assert roster.list_participants(session, cohort=cohort) == []


def test_a_file_without_the_language_keeps_the_chosen_one(session: Session, cohort: Cohort) -> None:
    header = "Name,Email,Sprache\n"
    roster.import_roster(
        session, cohort=cohort, data=(header + "Ana Silva,ana@example.com,de\n").encode(),
        today=TODAY,
    )  # fmt: skip
    session.commit()
    ana = roster.list_participants(session, cohort=cohort)[0]
    ana.language = "es"  # changed on the tablet
    session.add(ana)
    session.commit()

    for data in (
        "Name,Email\nAna Silva,ana@example.com\n",
        header + "Ana Silva,ana@example.com,\n",
    ):
        preview = roster.import_roster(session, cohort=cohort, data=data.encode(), today=TODAY)
        session.commit()
        assert preview.summary()["unchanged"] == 1
        assert _languages(session, cohort) == {"ana@example.com": "es"}

    preview = roster.import_roster(
        session, cohort=cohort, data=(header + "Ana Silva,ana@example.com,Français\n").encode(),
        today=TODAY,
    )  # fmt: skip
    session.commit()
    assert preview.updated[0].changes == {"language": ("es", "fr")}
    assert _languages(session, cohort) == {"ana@example.com": "fr"}


def test_a_facilitator_sets_or_clears_a_participants_language(
    session: Session, cohort: Cohort
) -> None:
    roster.import_roster(
        session, cohort=cohort, data=b"Name,Email\nAna Silva,ana@example.com\n", today=TODAY
    )
    session.commit()
    ana = roster.list_participants(session, cohort=cohort)[0]
    values = {"name": "Ana Silva"}
    roster.update_participant(session, cohort=cohort, participant=ana, values=values)
    assert ana.language == ""  # a form without the field leaves it alone
    for given, stored in (("Deutsch", "de"), ("fr-CA", "fr"), ("", "")):
        roster.update_participant(
            session, cohort=cohort, participant=ana, values={**values, "language": given}
        )
        assert ana.language == stored
    with pytest.raises(InvalidInput) as caught:
        roster.update_participant(
            session, cohort=cohort, participant=ana, values={**values, "language": "Latin"}
        )
    assert [(p.field, p.message.split(":")[0]) for p in caught.value.problems] == [
        ("language", "unknown language 'Latin'")
    ]


# --- the roster's own messages in the reader's language ---------------------------------------


def test_problems_and_preview_speak_the_readers_language(monkeypatch: pytest.MonkeyPatch) -> None:
    from io import BytesIO

    from babel.messages.catalog import Catalog
    from babel.messages.mofile import write_mo
    from babel.support import Translations

    from app.core import i18n

    catalog = Catalog(locale="de")
    catalog.add("row %(row)s, column %(column)s", "Zeile %(row)s, Spalte %(column)s")
    catalog.add(
        "'%(value)s' is not a valid e-mail address", "„%(value)s“ ist keine gültige E-Mail-Adresse"
    )
    catalog.add("Reads Tandem in", "Liest Tandem auf")
    compiled = BytesIO()
    write_mo(compiled, catalog)
    compiled.seek(0)
    german = Translations(compiled)
    monkeypatch.setattr(
        i18n, "translations", lambda lang: german if lang == "de" else Translations()
    )

    data = "Vorname;Nachname;E-Mail-Adresse;Sprache\nKatrin;Schneider;katrin@;de\n"
    with i18n.use_locale("de"):
        assert messages(parse(data)) == [
            "Zeile 2, Spalte E-Mail-Adresse: „katrin@“ ist keine gültige E-Mail-Adresse"
        ]
        view = describe_preview(parse(corpus("personio_de_semicolon.csv")))
        assert ("language", "Liest Tandem auf") in view.columns
        from app.services.roster.dates import spell_date

        assert spell_date(date(2016, 3, 11)) == "11. März 2016"
    assert messages(parse(data)) == [
        "row 2, column E-Mail-Adresse: 'katrin@' is not a valid e-mail address"
    ]
