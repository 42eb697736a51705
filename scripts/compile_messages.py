"""Compile trygg/locale/*/LC_MESSAGES/django.po into .mo with polib (no gettext needed).

The compiled .mo files are committed, so `make demo` needs no gettext tools; the test
suite checks that they are up to date with the .po files.
"""

from pathlib import Path

import polib

ROOT = Path(__file__).resolve().parent.parent / "trygg" / "locale"

for po_path in sorted(ROOT.glob("*/LC_MESSAGES/*.po")):
    po = polib.pofile(str(po_path))
    po.save_as_mofile(str(po_path.with_suffix(".mo")))
    print(f"{po_path.relative_to(ROOT.parent.parent)}: {po.percent_translated()}% translated")
