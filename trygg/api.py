"""The JSON API: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from ninja import NinjaAPI
from ninja.security import django_auth

from trygg.core.api import router as core_router

api = NinjaAPI(
    title="Trygg API",
    version="1",
    description=(
        "The JSON API of Trygg, the platform for a municipality's collaborative "
        "crime-prevention and safety work. Authenticate with a session (signed in to "
        "the web app)."
    ),
    urls_namespace="api",
    auth=django_auth,
)
api.add_router("/", core_router)
