"""Behind a reverse proxy: the client's address comes from X-Forwarded-For only when the
peer is a trusted proxy — for the audit log, the login lockout and the rate limits."""

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from trygg.core.middleware import TrustedProxyMiddleware, client_ip


def seen(settings, peer, forwarded=None, trusted=("10.0.0.0/8",)):
    settings.TRUSTED_PROXIES = list(trusted)
    captured = {}

    def view(request):
        captured["ip"] = client_ip(request)
        return HttpResponse()

    headers = {"REMOTE_ADDR": peer}
    if forwarded is not None:
        headers["HTTP_X_FORWARDED_FOR"] = forwarded
    TrustedProxyMiddleware(view)(RequestFactory().get("/", **headers))
    return captured["ip"]


def test_a_trusted_proxy_names_the_client(settings):
    assert seen(settings, "10.0.0.5", "203.0.113.7") == "203.0.113.7"
    # Through two of our proxies: the right-most address that is not ours.
    assert seen(settings, "10.0.0.5", "198.51.100.9, 203.0.113.7, 10.0.0.9") == "203.0.113.7"


def test_a_header_from_anyone_else_is_ignored(settings):
    assert seen(settings, "192.0.2.44", "203.0.113.7") == "192.0.2.44"
    assert seen(settings, "10.0.0.5", "203.0.113.7", trusted=()) == "10.0.0.5"
    # A spoofed left part behind a real client: the client, not the spoof.
    assert seen(settings, "10.0.0.5", "1.2.3.4, 203.0.113.7") == "203.0.113.7"
    assert seen(settings, "10.0.0.5", "garbage") == "10.0.0.5"


@pytest.mark.django_db
def test_login_lockout_is_per_client_behind_the_proxy(settings, client, django_user_model):
    """Failed logins from one client behind the proxy do not lock out another client."""
    settings.TRUSTED_PROXIES = ["10.0.0.0/8"]
    django_user_model.objects.create_user("anna", password="rätt-lösenord-123")
    for _ in range(settings.AXES_FAILURE_LIMIT):
        client.post(
            "/accounts/login/",
            {"username": "anna", "password": "fel"},
            REMOTE_ADDR="10.0.0.5",
            HTTP_X_FORWARDED_FOR="203.0.113.66",
        )
    other = client.post(
        "/accounts/login/",
        {"username": "anna", "password": "rätt-lösenord-123"},
        REMOTE_ADDR="10.0.0.5",
        HTTP_X_FORWARDED_FOR="198.51.100.20",
    )
    assert other.status_code == 302  # logged in: the attacker's address is the one locked
