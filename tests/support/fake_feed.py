"""A local stand-in for the police's events feed: a real HTTP server (in a thread of the
test process) serving feed responses in the feed's own shape, with ETag / 304 when asked,
and faults on demand. No network.

    with FakeFeed() as fake:
        fake.publish([record(1, when, "Skottlossning", "Upplands-Bro")])
        settings.POLICE_FEED_URL = fake.url
"""

from __future__ import annotations

import datetime as dt
import hashlib
import http.server
import json
import threading
from zoneinfo import ZoneInfo

STOCKHOLM = ZoneInfo("Europe/Stockholm")
MONTHS = [
    "januari", "februari", "mars", "april", "maj", "juni",
    "juli", "augusti", "september", "oktober", "november", "december",
]  # fmt: skip

# The centroids the feed gives for municipalities (location.gps), as the real feed does.
CENTROIDS = {
    "Upplands-Bro": "59.510839,17.683334",
    "Stockholm": "59.329324,18.068581",
    "Järfälla": "59.423333,17.834722",
    "Linköping": "58.410807,15.621373",
    "Västerås": "59.609901,16.544809",
    "Malmö": "55.604981,13.003822",
    "Göteborg": "57.708870,11.974560",
    "Uppsala": "59.858564,17.638927",
}


def feed_time(moment: dt.datetime) -> str:
    """The feed's ``datetime``: "2026-11-29 21:58:04 +01:00"."""
    local = moment.astimezone(STOCKHOLM)
    offset = local.strftime("%z")
    return local.strftime("%Y-%m-%d %H:%M:%S ") + offset[:3] + ":" + offset[3:]


def record(
    event_id: int,
    occurred: dt.datetime,
    event_type: str,
    municipality: str,
    summary: str = "",
    *,
    published: dt.datetime | None = None,
    location: str | None = None,
) -> dict:
    """One event as the feed gives it: the title "DD månad HH.MM, Type, Place", the
    publication time, and the municipality's centroid as its only position."""
    published = published or occurred + dt.timedelta(minutes=25)
    local = occurred.astimezone(STOCKHOLM)
    place = location or municipality
    gps = CENTROIDS.get(place, "59.602496,18.138438")
    return {
        "id": event_id,
        "datetime": feed_time(published),
        "name": f"{local.day:02d} {MONTHS[local.month - 1]} {local:%H.%M}, {event_type}, "
        f"{municipality}",
        "summary": summary or f"{event_type}.",
        "url": f"/aktuellt/handelser/{local:%Y}/{MONTHS[local.month - 1]}/{local.day}/{event_id}/",
        "type": event_type,
        "location": {"name": place, "gps": gps},
    }


class FakeFeed:
    """The server. ``publish(events)`` sets what it serves; ``fail(...)`` queues faults
    served before the feed again: an HTTP status (with a Retry-After), or "truncated" (a
    body cut off mid-way, as when a connection drops). ``requests``: the headers of every
    request received. ``etag``: answer If-None-Match with 304 (as the real feed may)."""

    def __init__(self, etag: bool = True):
        self.events: list = []
        self.faults: list = []
        self.requests: list[dict] = []
        self.use_etag = etag
        self._lock = threading.Lock()
        fake = self

        class Handler(http.server.BaseHTTPRequestHandler):
            def do_GET(self):
                with fake._lock:
                    fake.requests.append(dict(self.headers))
                    fault = fake.faults.pop(0) if fake.faults else None
                    body = json.dumps(fake.events, ensure_ascii=False).encode()
                tag = '"' + hashlib.sha1(body).hexdigest() + '"'  # noqa: S324 - a cache tag
                if isinstance(fault, int):
                    self.send_response(fault)
                    if fault in (429, 503):
                        self.send_header("Retry-After", "120")
                    self.send_header("Content-Length", "0")
                    self.end_headers()
                    return
                if fault == "truncated":
                    self.send_response(200)
                    self.send_header("Content-Type", "application/json")
                    self.send_header("Content-Length", str(len(body)))
                    self.end_headers()
                    self.wfile.write(body[: len(body) // 2])
                    self.wfile.flush()
                    self.close_connection = True
                    return
                if fake.use_etag and self.headers.get("If-None-Match") == tag:
                    self.send_response(304)
                    self.send_header("ETag", tag)
                    self.end_headers()
                    return
                self.send_response(200)
                self.send_header("Content-Type", "application/json; charset=utf-8")
                self.send_header("Content-Length", str(len(body)))
                if fake.use_etag:
                    self.send_header("ETag", tag)
                self.end_headers()
                self.wfile.write(body)

            def log_message(self, *args):  # quiet
                pass

        self.server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
        self.thread = threading.Thread(target=self.server.serve_forever, daemon=True)

    @property
    def url(self) -> str:
        host, port = self.server.server_address[:2]
        return f"http://{host}:{port}/api/events"

    def publish(self, events: list) -> None:
        with self._lock:
            self.events = list(events)

    def fail(self, *faults) -> None:
        with self._lock:
            self.faults.extend(faults)

    def __enter__(self) -> FakeFeed:
        self.thread.start()
        return self

    def __exit__(self, *exc) -> None:
        self.server.shutdown()
        self.server.server_close()


class FakeClock:
    """Time that moves only when told (or when the follower sleeps)."""

    def __init__(self, start: dt.datetime):
        self.current = start
        self.slept: list[float] = []

    def now(self) -> dt.datetime:
        return self.current

    def sleep(self, seconds: float) -> None:
        self.slept.append(seconds)
        self.current += dt.timedelta(seconds=seconds)

    def advance(self, **delta) -> None:
        self.current += dt.timedelta(**delta)
