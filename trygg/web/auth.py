"""Login with throttling (django-axes locks a username+IP pair after repeated failures),
and a throttled password reset: a reset e-mail costs a request from one address, and one
account gets only a few an hour, so the form can neither spam an inbox nor probe for
accounts at speed."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.contrib.auth.views import LoginView, PasswordResetView
from django.http import HttpResponse
from django.shortcuts import render

from trygg.core import ratelimit
from trygg.core.middleware import client_ip


class ThrottledLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True


class ThrottledPasswordResetView(PasswordResetView):
    def form_valid(self, form: Any) -> HttpResponse:
        limit = settings.PASSWORD_RESETS_PER_HOUR
        by_address = ratelimit.hit(
            "password-reset-ip", client_ip(self.request) or "unknown", limit * 3, 3600
        )
        by_account = ratelimit.hit(
            "password-reset-email", form.cleaned_data["email"].strip().lower(), limit, 3600
        )
        if not (by_address.allowed and by_account.allowed):
            response = render(
                self.request,
                self.template_name,
                {**self.get_context_data(form=form), "rate_limited": True},
                status=429,
            )
            response["Retry-After"] = str(max(by_address.retry_after, by_account.retry_after))
            return response
        return super().form_valid(form)
