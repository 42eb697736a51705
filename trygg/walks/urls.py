from django.urls import path

from trygg.walks import views

urlpatterns = [
    path("", views.walk_list, name="walk_list"),
    path("new/", views.walk_create, name="walk_create"),
    path("capture/", views.capture, name="walk_capture"),
    path("manifest.webmanifest", views.manifest, name="walk_manifest"),
    path("sw.js", views.service_worker, name="walk_sw"),
    path("checklists/", views.templates, name="walk_templates"),
    path("checklists/new/", views.template_edit, name="walk_template_create"),
    path("checklists/<int:pk>/", views.template_edit, name="walk_template_edit"),
    path("<int:pk>/", views.walk_detail, name="walk_detail"),
    path("<int:pk>/edit/", views.walk_edit, name="walk_edit"),
    path("<int:pk>/cancel/", views.walk_cancel, name="walk_cancel"),
    path("<int:pk>/findings.geojson", views.walk_findings_geojson, name="walk_findings_geojson"),
    path("<int:pk>/protocol/", views.protocol, name="walk_protocol"),
    path("<int:pk>/protocol/status/", views.protocol_status, name="walk_protocol_status"),
    path("<int:pk>/protocol.pdf", views.protocol_pdf, name="walk_protocol_pdf"),
    path("findings/<int:pk>/route/", views.finding_route, name="finding_route"),
    path("photos/<int:pk>.jpg", views.finding_photo, name="finding_photo"),
]

public_urlpatterns = [
    path("trygghetsvandringar/", views.public_walks, name="public_walks"),
    path("trygghetsvandringar/<int:pk>/", views.public_walk, name="public_walk"),
    path(
        "trygghetsvandringar/<int:pk>/protokoll.pdf", views.public_walk_pdf, name="public_walk_pdf"
    ),
    path(
        "trygghetsvandringar/<int:pk>/fynd.geojson",
        views.public_findings_geojson,
        name="public_findings_geojson",
    ),
    path(
        "trygghetsvandringar/foto/<int:pk>.jpg",
        views.public_finding_photo,
        name="public_finding_photo",
    ),
]
