"""The Indonesian and Russian catalogs are complete, current and compiled.

"Current" means: a fresh ``makemessages`` over the code finds no string the catalog lacks.
The extraction runs in a temporary copy of the project, so the committed catalogs are
never touched. The catalogs themselves are made with the same command (see README.md):

    uv run python manage.py makemessages -l id -l ru --ignore=.venv --ignore=var \\
        --ignore=tests --ignore=bench --ignore=static/js/htmx.min.js
"""

from __future__ import annotations

import os
import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest
from django.conf import settings

LANGUAGES = ["id", "ru"]
# What the catalogs are extracted from: the code a user meets, not tests or benchmarks.
SOURCES = ["apps", "opsportal", "templates", "static", "manage.py"]
VENDORED = ["static/js/htmx.min.js"]
REQUIRE_TOOLS = os.environ.get("OPSPORTAL_REQUIRE_SERVICES") == "1"
LOCALE_DIR = Path(settings.BASE_DIR) / "locale"


def _need_gettext() -> None:
    missing = [tool for tool in ("xgettext", "msgfmt", "msgmerge") if shutil.which(tool) is None]
    if missing:
        reason = f"needs GNU gettext ({', '.join(missing)} missing: apt-get install gettext)"
        if REQUIRE_TOOLS:
            pytest.fail(f"OPSPORTAL_REQUIRE_SERVICES=1 but this test {reason}", pytrace=False)
        pytest.skip(reason)


def _key(entry) -> tuple[str | None, str]:
    return (entry.msgctxt, entry.msgid)


def _catalog_path(language: str, domain: str) -> Path:
    return LOCALE_DIR / language / "LC_MESSAGES" / f"{domain}.po"


def _catalog(language: str, domain: str = "django") -> polib.POFile:
    path = _catalog_path(language, domain)
    assert path.exists(), f"{path.relative_to(settings.BASE_DIR)} is missing"
    return polib.pofile(str(path))


@pytest.fixture(scope="module")
def extracted(tmp_path_factory) -> dict[str, set[tuple[str | None, str]]]:
    """Every translatable string in the code now, per domain, from a fresh makemessages."""
    _need_gettext()
    copy = tmp_path_factory.mktemp("extract")
    for name in SOURCES:
        source = Path(settings.BASE_DIR) / name
        if source.is_dir():
            shutil.copytree(source, copy / name, ignore=shutil.ignore_patterns("__pycache__"))
        elif source.exists():
            shutil.copy2(source, copy / name)
    (copy / "locale").mkdir()
    env = {**os.environ, "OPSPORTAL_VAR_DIR": str(copy / "var")}
    env.pop("DATABASE_URL", None)
    keys: dict[str, set[tuple[str | None, str]]] = {}
    for domain in ("django", "djangojs"):
        command = [sys.executable, "manage.py", "makemessages", "-d", domain, "-l", "en"]
        command += ["--keep-pot", "--no-obsolete", "--verbosity", "0"]
        command += [f"--ignore={pattern}" for pattern in VENDORED + ["var"]]
        result = subprocess.run(  # noqa: S603
            command, cwd=copy, env=env, capture_output=True, text=True, timeout=300, check=False
        )
        assert result.returncode == 0, result.stderr
        pot = copy / "locale" / f"{domain}.pot"
        keys[domain] = (
            {_key(e) for e in polib.pofile(str(pot)) if e.msgid} if pot.exists() else set()
        )
    return keys


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog__each_language__every_entry_translated_none_fuzzy(language):
    catalog = _catalog(language)

    untranslated = [e.msgid for e in catalog.untranslated_entries() if not e.obsolete]
    fuzzy = [e.msgid for e in catalog.fuzzy_entries() if not e.obsolete]

    assert not untranslated, f"{language}: {len(untranslated)} untranslated: {untranslated[:10]}"
    assert not fuzzy, f"{language}: {len(fuzzy)} fuzzy: {fuzzy[:10]}"
    assert len(catalog.translated_entries()) > 0


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog__each_language__holds_every_string_in_the_code(language, extracted):
    for domain, wanted in extracted.items():
        if not wanted:
            continue  # no string of this domain in the code (djangojs so far)
        catalog = _catalog(language, domain)
        present = {_key(e) for e in catalog if not e.obsolete}

        missing = sorted(wanted - present, key=lambda key: (key[0] or "", key[1]))

        assert not missing, (
            f"{language}/{domain}.po lacks {len(missing)} strings (run makemessages, translate): "
            f"{[msgid for _ctx, msgid in missing[:10]]}"
        )


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog__each_language__placeholders_match_the_source(language):
    _need_gettext()
    path = _catalog_path(language, "django")
    assert path.exists(), f"{path} is missing"

    result = subprocess.run(  # noqa: S603
        ["msgfmt", "--check", "-o", os.devnull, str(path)],  # noqa: S607
        capture_output=True,
        text=True,
        check=False,
    )

    assert result.returncode == 0, result.stderr


@pytest.mark.parametrize("language", LANGUAGES)
def test_catalog__each_language__committed_mo_matches_the_po(language):
    """The .mo files are committed so the portal runs without gettext; they must be current."""
    catalog = _catalog(language)
    mo_path = _catalog_path(language, "django").with_suffix(".mo")
    assert mo_path.exists(), f"{mo_path} is missing: run manage.py compilemessages"

    def translation(entry) -> tuple:
        return (entry.msgstr, tuple(sorted((entry.msgstr_plural or {}).items())))

    compiled = {_key(e): translation(e) for e in polib.mofile(str(mo_path))}
    stale = [
        e.msgid
        for e in catalog.translated_entries()
        if not e.obsolete and e.msgid and compiled.get(_key(e)) != translation(e)
    ]

    assert not stale, f"the .mo differs from the .po (run compilemessages): {stale[:10]}"
