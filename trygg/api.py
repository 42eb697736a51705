"""The JSON API: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.core.exceptions import BadRequest
from ninja import NinjaAPI

from trygg.assessment.api import router as assessment_router
from trygg.cases.api import router as cases_router
from trygg.core.api import router as core_router
from trygg.core.api_auth import API_AUTH
from trygg.est.api import router as est_router
from trygg.walks.api import router as walks_router

api = NinjaAPI(
    title="Trygg API",
    version="1",
    description=(
        "The JSON API of Trygg, the platform for a municipality's collaborative "
        "crime-prevention and safety work. Authenticate with a session (signed in to "
        "the web app) or with a bearer token (`Authorization: Bearer trygg_…`, created by "
        "`manage.py create_api_token`). Every endpoint applies the same permission layer "
        "as the web app."
    ),
    urls_namespace="api",
    auth=API_AUTH,
)


@api.exception_handler(BadRequest)
def bad_request(request, exc: BadRequest):
    """A parameter Trygg cannot use (core.params): 400 with the message."""
    return api.create_response(request, {"detail": str(exc)}, status=400)


api.add_router("/", core_router)
api.add_router("/", assessment_router)
api.add_router("/", cases_router)
api.add_router("/", walks_router)
api.add_router("/", est_router)
