"""Optional single sign-on (OpenID Connect), enabled when OIDC_RP_CLIENT_ID is set.

Signing in creates or finds the staff account by e-mail address; it grants no
membership: an administrator gives the account its organisation and role in Trygg.
"""

from mozilla_django_oidc.auth import OIDCAuthenticationBackend


class TryggOIDCBackend(OIDCAuthenticationBackend):
    def create_user(self, claims):
        user = super().create_user(claims)
        user.first_name = claims.get("given_name", "")[:150]
        user.last_name = claims.get("family_name", "")[:150]
        user.save(update_fields=["first_name", "last_name"])
        return user

    def update_user(self, user, claims):
        user.first_name = claims.get("given_name", user.first_name)[:150]
        user.last_name = claims.get("family_name", user.last_name)[:150]
        user.save(update_fields=["first_name", "last_name"])
        return user
