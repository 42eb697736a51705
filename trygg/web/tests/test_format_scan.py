"""Swedish formats everywhere: every page of the demo a coordinator and the public reach,
and every PDF the demo makes, scanned for a decimal point between digits, an English
month name, a count that disagrees with its noun ("1 händelser") and Django's "---------"
for an empty choice."""

from __future__ import annotations

import html
import re
from collections import deque
from urllib.parse import urlsplit

import pypdfium2 as pdfium
import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.utils import translation

from trygg.web.tests.test_role_crawl import links

MAX_PAGES = 120
MAX_PER_PATH = 2

# What a Swedish reader should never see.
# (not section numbers: "2.1 Över tid")
DECIMAL_POINT = re.compile(r"(?<![\d.:/-])\d+\.\d+(?![\d.:/-])(?! [A-ZÅÄÖ])")
ENGLISH_MONTH = re.compile(
    r"\b(January|February|March|May|June|July|August|October|December)\b"
    r"|\b\d{1,2} (Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)\b"
    r"|\b(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec) \d{2,4}\b"
)
PLURAL_NOUNS = (
    "händelser|foton|rapporter|ärenden|åtgärder|aktiviteter|observationer|rundor|veckor|"
    "dagar|månader|timmar|områden|ungdomar|platser|möten|beslut|vandringar|synpunkter|"
    "frågor|organisationer|svarande|brister"
)
# A hyphen for a minus sign: " -18 %" (Swedish typesetting uses "−").
HYPHEN_MINUS = re.compile(r"(?<![\w\-–/])-\d")
ONE_PLURAL = re.compile(rf"(?<![\d,\u202f])\b1 ({PLURAL_NOUNS})\b")
# Django's blank choice: a select says "Välj …" instead.
DASH_PLACEHOLDER = re.compile(r"-{5,}")
TAGS = re.compile(r"<(script|style)\b.*?</\1>|<textarea[^>]*\bhidden\b.*?</textarea>|<[^>]+>", re.S)


def visible_text(page: str) -> str:
    return html.unescape(TAGS.sub(" ", page))


def problems_in(text: str) -> list[str]:
    found = []
    for pattern, what in (
        (DECIMAL_POINT, "decimal point"),
        (ENGLISH_MONTH, "English month"),
        (ONE_PLURAL, "1 + plural"),
        (HYPHEN_MINUS, "hyphen as minus"),
        (DASH_PLACEHOLDER, "'---------' placeholder"),
    ):
        for m in pattern.finditer(text):
            context = text[max(0, m.start() - 40) : m.end() + 40].replace("\n", " ")
            found.append(f"{what}: …{context.strip()}…")
    return found


def crawl(client, start: list[str]) -> dict[str, str]:
    """url → visible text of every HTML page reached from ``start``."""
    seen: dict[str, str] = {}
    per_path: dict[str, int] = {}
    queue = deque(start)
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or per_path.get(path, 0) >= MAX_PER_PATH or "export" in path:
            continue
        per_path[path] = per_path.get(path, 0) + 1
        response = client.get(url)
        if response.status_code != 200 or not response.get("Content-Type", "").startswith(
            "text/html"
        ):
            continue
        page = response.content.decode()
        seen[url] = visible_text(page)
        queue.extend(u for u in links(page) if u not in seen)
    return seen


def pdf_text(data: bytes) -> str:
    pdf = pdfium.PdfDocument(data)
    return "\n".join(pdf[i].get_textpage().get_text_range() for i in range(len(pdf)))


@pytest.fixture
def whole_demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def demo_pdfs() -> dict[str, bytes]:
    """The lägesbild (partners' and public), last week's weekly picture and the action
    plan as the demo makes them."""
    from trygg.assessment import document
    from trygg.assessment.filters import IncidentFilter
    from trygg.core.models import Municipality
    from trygg.core.permissions import Principal
    from trygg.est import report as weekly
    from trygg.est.weeks import Week
    from trygg.plan import exports as plan_exports
    from trygg.plan.models import ActionPlan

    m = Municipality.objects.get(code="0139")
    default = IncidentFilter.default(m)
    out = {}
    for public in (False, True):
        out[f"lagesbild public={public}"] = document.generate(
            document.LagesbildRequest(m, default.date_from, default.date_to, public=public)
        )
    coordinator = Principal.for_user(get_user_model().objects.get(username="samordnare"))
    out["weekly"] = weekly.render(coordinator, Week.of(default.date_to))
    out["plan"] = plan_exports.plan_pdf(ActionPlan.objects.get(municipality=m), coordinator)
    return out


def test_the_demo_reads_swedish_on_every_page_and_pdf(whole_demo, client):
    problems: dict[str, list[str]] = {}
    with translation.override("sv"):
        pages = crawl(client, ["/", "/rapportera/", "/atgardsplan/", "/lagesbild/publik/"])
        client.force_login(get_user_model().objects.get(username="samordnare"))
        pages |= crawl(
            client,
            [
                "/",
                "/lagesbild/",
                "/lagesbild/analys/",
                "/lagesbild/?from=2026-08-01&to=2026-10-31",
            ],
        )
        assert len(pages) > 40
        for url, text in pages.items():
            if found := problems_in(text):
                problems[url] = found
        for name, data in demo_pdfs().items():
            if found := problems_in(pdf_text(data)):
                problems[name] = found
    assert not problems, "\n".join(
        f"{where}:\n  " + "\n  ".join(found[:8]) for where, found in problems.items()
    )


def test_the_scan_finds_what_it_looks_for():
    assert problems_in("p = 0.002 och +2.6 per månad")[0].startswith("decimal point")
    assert len(problems_in("p = 0.002 och +2.6 per månad")) == 2
    assert problems_in("30 Nov") and problems_in("May 26") and problems_in("i October")
    assert problems_in("Det finns 1 händelser här")
    assert problems_in("intervall -18 till 80 %")
    assert problems_in("Område --------- Bro")
    assert not problems_in(
        "2026-11-30 kl. 21:40, 1 händelse, 11 händelser, 0,41, 30 nov, −18 %, 2025-W48"
    )


def test_one_thing_has_a_singular_state():
    """A case, a report or an action is "Ny"/"Öppen" alone; "Nya"/"Öppna" only heads lists."""
    from trygg.cases.models import State
    from trygg.est.models import ActionStatus, Status

    with translation.override("sv"):
        assert str(State.NEW.label) == "Ny" and str(Status.NEW.label) == "Ny"
        assert str(ActionStatus.OPEN.label) == "Öppen"
