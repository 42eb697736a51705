from django.urls import path, re_path

from trygg.cases.open311 import views

FMT = r"\.(?P<fmt>json|xml)$"

urlpatterns = [
    path("", views.discovery, {"fmt": "json"}, name="open311_root"),
    re_path(r"^discovery" + FMT, views.discovery, name="open311_discovery"),
    re_path(r"^v2/services" + FMT, views.service_list, name="open311_services"),
    re_path(
        r"^v2/services/(?P<service_code>[\w-]+)" + FMT,
        views.service_definition,
        name="open311_service",
    ),
    re_path(r"^v2/requests" + FMT, views.service_requests, name="open311_requests"),
    re_path(
        r"^v2/requests/(?P<service_request_id>[^/]+?)" + FMT,
        views.service_request,
        name="open311_request",
    ),
    re_path(r"^v2/tokens/(?P<token>[^/]+?)" + FMT, views.token, name="open311_token"),
]
