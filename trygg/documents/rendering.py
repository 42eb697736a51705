"""PDF rendering with Typst (the ``typst`` package: no browser, no LaTeX).

A document is a Typst template (``templates_typst/NAME.typ``) that reads its content from
``data.json`` — so no text ever has to be escaped into Typst markup — plus any image files
(SVG charts and maps) it names.
"""

from __future__ import annotations

import json
import shutil
import tempfile
from pathlib import Path

import typst

TEMPLATES = Path(__file__).resolve().parent / "templates_typst"


def render_pdf(template: str, data: dict, files: dict[str, bytes | str] | None = None) -> bytes:
    """The PDF of ``template`` with ``data`` (JSON-serialisable) and extra ``files``."""
    with tempfile.TemporaryDirectory(prefix="trygg-typst-") as folder:
        root = Path(folder)
        shutil.copy(TEMPLATES / f"{template}.typ", root / "main.typ")
        for shared in TEMPLATES.glob("_*.typ"):  # what the templates import
            shutil.copy(shared, root / shared.name)
        (root / "data.json").write_text(
            json.dumps(data, ensure_ascii=False, default=str), encoding="utf-8"
        )
        for name, content in (files or {}).items():
            target = root / name
            if isinstance(content, str):
                target.write_text(content, encoding="utf-8")
            else:
                target.write_bytes(content)
        return typst.compile(str(root / "main.typ"), root=str(root))
