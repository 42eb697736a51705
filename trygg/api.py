"""The JSON API: /api/v1/, OpenAPI at /api/v1/openapi.json, docs at /api/v1/docs."""

from django.core.exceptions import BadRequest
from ninja import NinjaAPI

from trygg.assessment.api import router as assessment_router
from trygg.cases.api import router as cases_router
from trygg.core.api import router as core_router
from trygg.core.api_auth import API_AUTH
from trygg.est.api import router as est_router
from trygg.regions.api import router as regions_router
from trygg.walks.api import router as walks_router

ERROR_SCHEMA = {
    "title": "Error",
    "type": "object",
    "properties": {
        "detail": {
            "anyOf": [{"type": "string"}, {"type": "array", "items": {"type": "object"}}],
            "description": "What was wrong: a sentence, or the fields that failed validation.",
        }
    },
    "required": ["detail"],
}
ERRORS = {
    "400": "A parameter Trygg cannot use (a date, page or id out of range), or a body that "
    "cannot be parsed.",
    "401": "Not signed in: no session and no valid bearer token.",
    "403": "Signed in, but the membership may not do this.",
    "404": "No such record, or not one the membership may read.",
    "413": "The photo is larger than PHOTO_MAX_MB or PHOTO_MAX_MEGAPIXELS.",
    "422": "The request's data failed validation; `detail` says which field and why.",
}


class TryggAPI(NinjaAPI):
    """The API with its error answers documented: every operation lists the codes it can
    give besides success (the schemathesis run in make test holds the API to them)."""

    def get_openapi_schema(self, *, path_prefix=None, path_params=None):
        schema = super().get_openapi_schema(path_prefix=path_prefix, path_params=path_params)
        schema["components"].setdefault("schemas", {})["Error"] = ERROR_SCHEMA
        for path, operations in schema["paths"].items():
            for operation in operations.values():
                # 400: a parameter out of range, or a body that is not JSON at all.
                codes = {"400", "401", "403", "422"}
                if "{" in path:
                    codes.add("404")
                if path.endswith("/photos"):
                    codes.add("413")
                responses = operation.setdefault("responses", {})
                for code in sorted(codes):
                    responses.setdefault(
                        code,
                        {
                            "description": ERRORS[code],
                            "content": {
                                "application/json": {
                                    "schema": {"$ref": "#/components/schemas/Error"}
                                }
                            },
                        },
                    )
        return schema


api = TryggAPI(
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
api.add_router("/", regions_router)
