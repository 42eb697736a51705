"""Login with throttling (django-axes locks a username+IP pair after repeated failures)."""

from django.contrib.auth.views import LoginView


class ThrottledLoginView(LoginView):
    template_name = "registration/login.html"
    redirect_authenticated_user = True
