"""Every link a page shows, the person who sees it may follow: a crawl of the staff site
for each demo role, over the whole demo (load_demo), that fails on any link answering
403 (shown to someone whose role may not follow it), 404 or 5xx. It runs in make test's
PostgreSQL pass (the database production runs on); the SQLite pass has the browser crawl
(tests/browser/test_crawl.py) over the same pages."""

from __future__ import annotations

import os
import re
from collections import Counter, deque
from urllib.parse import urldefrag, urlsplit

import pytest
from django.contrib.auth import get_user_model
from django.core.management import call_command
from django.db import connection

ROLES = ["samordnare", "analytiker", "polis", "bostad", "teknik", "falt", "lasare"]
HREF = re.compile(r'href="([^"]+)"')
SKIP = ("/accounts/logout", "/admin/", "/static/", "/api/v1/docs", "/i18n/")
MAX_PAGES = 90  # per role: every page kind is reached well before this
MAX_PER_PATH = 2  # the same page with other filters adds nothing


def links(html: str) -> list[str]:
    found = []
    for raw in HREF.findall(html):
        url = urldefrag(raw.replace("&amp;", "&"))[0]
        parts = urlsplit(url)
        if parts.scheme or parts.netloc or not url.startswith("/"):
            continue
        if url.startswith(SKIP):
            continue
        found.append(url)
    return found


@pytest.fixture
def whole_demo(db, settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    call_command("load_demo", verbosity=0, stdout=open("/dev/null", "w"))  # noqa: SIM115


def crawl(client) -> dict[str, int]:
    seen: dict[str, int] = {}
    per_path: Counter[str] = Counter()
    queue = deque(["/"])
    while queue and len(seen) < MAX_PAGES:
        url = queue.popleft()
        path = urlsplit(url).path
        if url in seen or per_path[path] >= MAX_PER_PATH:
            continue
        per_path[path] += 1
        response = client.get(url)
        seen[url] = response.status_code
        content_type = response.get("Content-Type", "")
        if response.status_code == 200 and content_type.startswith("text/html"):
            queue.extend(u for u in links(response.content.decode()) if u not in seen)
    return seen


def test_every_role_may_follow_every_link_it_is_shown(whole_demo, client):
    if os.environ.get("TRYGG_BROWSER_PASSES") == "split" and connection.vendor == "sqlite":
        pytest.skip("run in the PostgreSQL pass; the SQLite pass crawls in Chromium")
    problems = {}
    for username in ROLES:
        client.force_login(get_user_model().objects.get(username=username))
        statuses = crawl(client)
        assert len(statuses) > 25, f"{username} reached only {len(statuses)} pages"
        bad = {url: code for url, code in statuses.items() if code >= 400}
        if bad:
            problems[username] = bad
        client.logout()
    assert not problems, problems
