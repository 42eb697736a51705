"""No public output lets a count below 5 be read or worked out (#17 item 6, docs/privacy.md
§3): a scan of every page an anonymous visitor reaches from the start page (and the JSON the
public maps load), the public lägesbild PDF and every published walk's protocol, over the
whole demo. It looks for

* a number from 1 to 4 counting incidents, reports, cases, people or answers
  ("3 händelser", "2 deltagare") — shown where "<5" belongs;
* a percentage or change beside a "<5" in the same table row or line ("<5 … +300 %"):
  a figure derived from a suppressed count;
* a count of 1 to 4 in the public maps' JSON.

The municipality's own measures and targets are not counts of people or events and may be
small (#16)."""

from __future__ import annotations

import datetime as dt
import json
import re
from collections import deque
from urllib.parse import urldefrag, urlsplit

import pypdfium2
import pytest
from django.core.management import call_command
from django.test import Client
from django.utils import timezone

from trygg.assessment import document
from trygg.core.models import Municipality
from trygg.walks import protocol
from trygg.walks.models import Walk

NOUNS = (
    r"händelser?|anmälningar|anmälan|brott|ärenden?|rapporter|rapport|fynd|observationer?|"
    r"deltagare|personer|person|boende|invånare|poliser|polis|svar|respondenter|"
    r"svarande|unga|ungdomar|elever|besökare|incidents?|reports?|cases?|findings?|"
    r"participants?|people|residents?|answers?|respondents?"
)
# The number and what it counts on one line (a score ending one line is not a count of
# the word that starts the next).
SMALL_COUNT = re.compile(
    rf"(?<![\d,.:/\-–<])\b([1-4])[ \t\u00a0\u202f]+(?:{NOUNS})\b", re.IGNORECASE
)
DERIVED = re.compile(r"[+−-]?\d+(?:,\d+)?\s?%")
HREF = re.compile(r'(?:href|src|data-url|data-src)="([^"]+)"')
COUNT_KEYS = {"count", "n", "incidents", "reports", "cases", "participants", "value", "total"}


def visible_text(html: str) -> str:
    html = re.sub(r"(?s)<(script|style)\b.*?</\1>", " ", html)
    return re.sub(r"\s+", " ", re.sub(r"<[^>]+>", " ", html)).replace("&lt;", "<")


def rows(html: str) -> list[str]:
    """The table rows and list items of a page, as text — where a count and what is
    derived from it sit together."""
    found = re.findall(r"(?s)<(?:tr|li|p|dd)\b.*?</(?:tr|li|p|dd)>", html)
    return [visible_text(p) for p in found]


def problems_in_text(where: str, text: str, lines: list[str]) -> list[str]:
    found = [f"{where}: {m.group(0)!r}" for m in SMALL_COUNT.finditer(text)]
    for line in lines:
        if "<5" in line and DERIVED.search(line):
            found.append(f"{where}: derived beside <5: {line.strip()[:160]!r}")
    return found


def small_counts_in_json(where: str, value, key: str = "") -> list[str]:
    if isinstance(value, dict):
        return [p for k, v in value.items() for p in small_counts_in_json(where, v, k)]
    if isinstance(value, list):
        return [p for v in value for p in small_counts_in_json(where, v, key)]
    small = isinstance(value, int) and not isinstance(value, bool) and 1 <= value <= 4
    if key in COUNT_KEYS and small:
        return [f"{where}: {key}={value}"]
    return []


def pdf_text(data: bytes) -> list[str]:
    pdf = pypdfium2.PdfDocument(data)
    return [pdf[i].get_textpage().get_text_range() for i in range(len(pdf))]


@pytest.fixture
def whole_demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return Municipality.objects.get(code="0139")


def crawl_public() -> dict[str, tuple[str, bytes]]:
    client = Client()
    seen: dict[str, tuple[str, bytes]] = {}
    per_path: dict[str, int] = {}
    queue = deque(
        ["/", "/rapportera/", "/arenden/", "/trygghetsvandringar/", "/atgardsplan/",
         "/open311/v2/requests.json", "/omraden.geojson"]
    )  # fmt: skip
    while queue and len(seen) < 120:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or per_path.get(path, 0) >= 2 or path.startswith(("/static/", "/media/")):
            continue
        per_path[path] = per_path.get(path, 0) + 1
        response = client.get(url)
        if response.status_code != 200:
            continue
        content = response.content if not response.streaming else b"".join(response)
        kind = response.get("Content-Type", "")
        seen[url] = (kind, content)
        if kind.startswith("text/html"):
            for raw in HREF.findall(content.decode()):
                link = urldefrag(raw.replace("&amp;", "&"))[0]
                parts = urlsplit(link)
                local = not parts.scheme and not parts.netloc and link.startswith("/")
                if local and not link.startswith(("/accounts/", "/admin/", "/i18n/")):
                    queue.append(link)
    return seen


def test_no_public_output_shows_a_small_count(whole_demo):
    problems: list[str] = []
    pages = crawl_public()
    assert len(pages) > 10, sorted(pages)
    for url, (kind, content) in pages.items():
        if kind.startswith("text/html"):
            html = content.decode()
            problems += problems_in_text(url, visible_text(html), rows(html))
        elif "json" in kind:
            problems += small_counts_in_json(url, json.loads(content))
        elif kind.startswith("application/pdf"):
            for number, text in enumerate(pdf_text(content), start=1):
                problems += problems_in_text(f"{url} p{number}", text, text.splitlines())
    # The public lägesbild of last year, and every published walk's protocol.
    year = timezone.localdate().year - 1
    content = document.compose(
        document.LagesbildRequest(
            whole_demo, dt.date(year, 1, 1), dt.date(year, 12, 31), public=True, language="sv"
        )
    )
    for number, text in enumerate(pdf_text(document.render(content)), start=1):
        problems += problems_in_text(f"public lägesbild p{number}", text, text.splitlines())
    published = Walk.objects.filter(municipality=whole_demo, published_at__isnull=False)
    assert published.exists()
    for walk in published:
        for number, text in enumerate(pdf_text(protocol.render(walk)), start=1):
            problems += problems_in_text(f"walk {walk.pk} p{number}", text, text.splitlines())
    assert problems == []


def test_the_scan_finds_what_it_looks_for():
    """The rules catch the faults #17 found (the scan can fail)."""
    assert problems_in_text("x", "Under året 3 händelser vid stationen", [])
    assert problems_in_text("x", "", ["Skadegörelse <5 12 +300 %"])
    assert problems_in_text("x", "Deltagare: 2 poliser och 9 boende", [])
    assert small_counts_in_json("x", {"features": [{"properties": {"count": 3}}]})
    assert not problems_in_text("x", "Vecka 3, 12 händelser, <5 anmälningar, 2026-01-03", [])
    assert not problems_in_text("x", "3 åtgärder i planen; Storgatan 3", ["<5 –"])
    assert not problems_in_text("x", "Betyg: Gångväg 2\r\nDeltagare räknas", [])
