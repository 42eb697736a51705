"""Every page every demo role can reach — and the public site — crawled in Chromium by
following the links each one is shown: no page, stylesheet, script, image or data request
may answer 4xx/5xx, and no link may lead where the role is not allowed (403/404).

Links are followed breadth-first from the start page; of URLs that differ only in their
ids (/cases/17/, /cases/18/) the first is visited. Each page is rendered in Chromium once
(by the first role that reaches it); other roles fetch it with their own session and
follow the links it shows them. Files (PDF, XLSX, CSV, .ics, JSON) are fetched. The
crawl checks pages, not the database: it runs in the SQLite pass only."""

from __future__ import annotations

import re
from collections import Counter
from html import unescape
from urllib.parse import urljoin, urlsplit

import pytest
from django.db import connection

from tests.browser.conftest import log_in

ROLES = [None, "samordnare", "analytiker", "polis", "bostad", "teknik", "falt", "lasare", "admin"]
# Not pages: leaving the site's own pages (the developer's admin, the API's docs page
# that loads its own viewer), and links that end the session.
SKIP = re.compile(r"^/(admin/|api/v1/docs|accounts/logout)")
FILES = re.compile(r"\.(pdf|xlsx|csv|ics|json|geojson|xml|jpg|png)$|/(export|download)/")
PER_PATTERN = 1
LATE = "[data-points-url], [data-areas-url], [data-area-map], [hx-trigger*='load'], [data-src]"
MAX_PAGES = 150


def _pattern(path: str, query: str) -> str:
    """/cases/N/?page — what URLs that differ only in ids and values have in common."""
    keys = sorted(k.split("=")[0] for k in query.split("&")) if query else []
    return re.sub(r"\d+", "N", path) + ("?" + "&".join(keys) if keys else "")


@pytest.fixture
def whole_site(live_server, transactional_db):
    from django.core.management import call_command

    if connection.vendor != "sqlite":
        pytest.skip("the crawl checks pages, not the database: it runs in the SQLite pass")
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115
    return live_server.url


HREF = re.compile(r'<a\b[^>]*\shref="([^"#]*)', re.IGNORECASE)


def crawl(page, site: str, start: str, rendered: set[str]) -> tuple[list[str], list[str]]:
    """(pages visited, problems) of a crawl from ``start``. A page whose pattern no role
    has rendered yet is opened in Chromium (its assets and data requests checked); the
    others — the same page seen by another role — are fetched with the role's session and
    their links read from the HTML, which is all that differs between roles."""
    problems: list[str] = []
    current = {"url": start}
    page.on(
        "response",
        lambda r: (
            problems.append(f"{r.status} {r.url} (on {current['url']})")
            if r.status >= 400
            else None
        ),
    )
    seen: Counter[str] = Counter()
    queue, visited = [start], []
    queued = {start}
    while queue and len(visited) < MAX_PAGES:
        url = queue.pop(0)
        parts = urlsplit(url)
        pattern = _pattern(parts.path, parts.query)
        if seen[pattern] >= PER_PATTERN:
            continue
        seen[pattern] += 1
        visited.append(url)
        current["url"] = url
        if FILES.search(parts.path) or pattern in rendered:
            response = page.request.get(url)
            if response.status >= 400:
                problems.append(f"{response.status} {url}")
                continue
            is_html = "text/html" in response.headers.get("content-type", "")
            links = (
                [urljoin(url, unescape(h)) for h in HREF.findall(response.text())]
                if is_html
                else []
            )
        else:
            rendered.add(pattern)
            response = page.goto(url, wait_until="load")
            if response is None or response.status >= 400:
                problems.append(f"{response.status if response else '?'} {url}")
                continue
            # A page that fetches more after loading (a map's GeoJSON, an htmx panel) is
            # given time to; the others are done at "load" (their assets are loaded then).
            if page.locator(LATE).count():
                page.wait_for_load_state("networkidle")
            links = page.eval_on_selector_all(
                "a[href]", "els => els.map(e => e.href.split('#')[0])"
            )
        for href in links:
            target = urlsplit(href)
            if href.startswith(site) and not SKIP.match(target.path) and href not in queued:
                queued.add(href)
                queue.append(href)
    return visited, problems


def test_every_link_each_role_is_shown_works(browser, whole_site):
    problems, reached, rendered = [], {}, set()
    for username in ROLES:  # one test: the demo is loaded once for all of them
        context = browser.new_context(viewport={"width": 1280, "height": 900}, locale="sv-SE")
        page = context.new_page()
        page.set_default_timeout(20_000)
        if username:
            log_in(page, whole_site, username)
        visited, found = crawl(page, whole_site, f"{whole_site}/", rendered)
        context.close()
        reached[username or "anonymous"] = len(visited)
        problems += [f"{username or 'anonymous'}: {p}" for p in found]
    print("pages crawled per role:", reached)
    assert problems == [], "\n".join(problems)
    assert min(reached.values()) >= 5, reached
