"""The command speaks TANDEM_LANGUAGE, else the POSIX locale, else English; help stays fast."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import pytest
from typer.testing import CliRunner

from app.cli import app
from app.cli._i18n import language_from
from app.core.i18n import current_language
from tests.i18n_catalogs import install

ROOT = Path(__file__).resolve().parents[2]


@pytest.mark.parametrize(
    ("environ", "language"),
    [
        ({}, "en"),
        ({"LANG": "de_DE.UTF-8"}, "de"),
        ({"LANG": "fr_CA.UTF-8@euro"}, "fr"),
        ({"LC_MESSAGES": "es_ES", "LANG": "de_DE.UTF-8"}, "es"),
        ({"LC_ALL": "C", "LANG": "de_DE.UTF-8"}, "en"),  # LC_ALL decides, and C is English
        ({"LC_ALL": "fr_FR.UTF-8", "LC_MESSAGES": "de_DE"}, "fr"),
        ({"LANG": "ja_JP.UTF-8"}, "en"),
        ({"TANDEM_LANGUAGE": "de-AT", "LC_ALL": "fr_FR.UTF-8"}, "de"),
        ({"TANDEM_LANGUAGE": "xx", "LANG": "fr_FR.UTF-8"}, "en"),
    ],
)
def test_the_command_language_follows_the_environment(
    environ: dict[str, str], language: str
) -> None:
    assert language_from(environ) == language


def test_a_command_fails_in_the_language_of_the_environment(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    install(
        monkeypatch,
        tmp_path,
        {
            "de": {
                "--start: '%(value)s' is not a date like 2026-03-02": (
                    "--start: '%(value)s' ist kein Datum wie 2026-03-02"
                ),
                "error: %(error)s": "Fehler: %(error)s",
            }
        },
    )
    for name in ("TANDEM_LANGUAGE", "LC_ALL", "LC_MESSAGES"):
        monkeypatch.delenv(name, raising=False)

    german = CliRunner().invoke(
        app, ["cohort", "create", "Spring", "--start", "2026-13-01"], env={"LANG": "de_DE.UTF-8"}
    )
    english = CliRunner().invoke(
        app, ["cohort", "create", "Spring", "--start", "2026-13-01"], env={"LANG": "C.UTF-8"}
    )

    assert german.exit_code == 1
    assert german.stderr == "Fehler: --start: '2026-13-01' ist kein Datum wie 2026-03-02\n"
    assert english.stderr == "error: --start: '2026-13-01' is not a date like 2026-03-02\n"
    assert current_language() == "en"  # the command's language ends with the command


@pytest.mark.parametrize("args", [["--help"], ["match", "--help"]])
def test_help_does_not_load_the_language_core(args: list[str]) -> None:
    env = {**os.environ, "LANG": "de_DE.UTF-8", "TANDEM_LANGUAGE": "de"}
    out = subprocess.run(
        [sys.executable, "-X", "importtime", "-m", "app.cli", *args],
        capture_output=True,
        text=True,
        check=True,
        cwd=ROOT,
        env=env,
    )

    assert out.stdout.startswith("Usage:")
    loaded = {line.rsplit("|", 1)[-1].strip() for line in out.stderr.splitlines()}
    assert {"app.core.i18n", "babel"} & loaded == set()
