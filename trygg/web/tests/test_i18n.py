"""Swedish by default, English complete.

Source strings (msgids) are English, so English is complete by construction; these
tests make sure the Swedish catalogue covers every string in the code and templates,
has nothing fuzzy or empty, and that the committed .mo files are compiled from it.
"""

import shutil
import subprocess
import sys
from pathlib import Path

import polib
import pytest

LOCALE = Path(__file__).resolve().parents[2] / "locale"
PO = LOCALE / "sv" / "LC_MESSAGES" / "django.po"


def test_swedish_catalogue_is_complete():
    po = polib.pofile(str(PO))
    assert po.untranslated_entries() == []
    assert po.fuzzy_entries() == []
    assert po.percent_translated() == 100


def test_compiled_catalogue_matches_the_po_file():
    po = polib.pofile(str(PO))
    mo = polib.mofile(str(PO.with_suffix(".mo")))
    compiled = {(e.msgctxt, e.msgid): e for e in mo}
    for entry in po.translated_entries():
        mo_entry = compiled.get((entry.msgctxt, entry.msgid))
        assert mo_entry is not None, f"not compiled: {entry.msgid!r} (run make messages)"
        if entry.msgid_plural:
            plural = {int(k): v for k, v in mo_entry.msgstr_plural.items()}
            assert plural == {int(k): v for k, v in entry.msgstr_plural.items()}, entry.msgid
        else:
            assert mo_entry.msgstr == entry.msgstr, entry.msgid


@pytest.mark.skipif(
    shutil.which("xgettext") is None, reason="needs GNU gettext (make test installs it)"
)
def test_every_translatable_string_is_in_the_swedish_catalogue(tmp_path):
    """Run makemessages on a copy of the package and compare the extracted msgids."""
    package = Path(__file__).resolve().parents[2]
    copy = tmp_path / "trygg"
    shutil.copytree(package, copy, ignore=shutil.ignore_patterns("__pycache__", "static"))
    subprocess.run(
        [sys.executable, "-m", "django", "makemessages", "-l", "sv", "--no-obsolete"],
        cwd=copy,
        check=True,
        capture_output=True,
        env={"PATH": "/usr/local/bin:/usr/bin:/bin"},
    )
    extracted = polib.pofile(str(copy / "locale" / "sv" / "LC_MESSAGES" / "django.po"))
    missing = [e.msgid for e in extracted if not (e.msgstr or any(e.msgstr_plural.values()))]
    assert missing == [], "run `make messages` and translate: " + "; ".join(missing)
