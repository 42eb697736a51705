from django.urls import path

from trygg.cases import views

urlpatterns = [
    path("", views.case_list, name="cases"),
    path("cases.geojson", views.cases_geojson, name="cases_geojson"),
    path("new/", views.case_create, name="case_create"),
    path("nearby/", views.nearby, name="cases_nearby"),
    path("moderation/", views.moderation, name="case_moderation"),
    path("dashboard/", views.dashboard, name="case_dashboard"),
    path("<int:pk>/", views.case_detail, name="case_detail"),
    path("<int:pk>/photos/<int:photo_pk>.jpg", views.case_photo, name="case_photo"),
]

public_urlpatterns = [
    path("rapportera/", views.report, name="public_report"),
    path("rapportera/nara/", views.public_nearby, name="public_nearby"),
    path("rapportera/tack/", views.report_done, name="public_report_received"),
    path("rapportera/tack/<str:token>/", views.report_done, name="public_report_done"),
    path("arenden/", views.public_map, name="public_cases"),
    path("arenden/arenden.geojson", views.public_cases_geojson, name="public_cases_geojson"),
    path("arenden/<int:pk>/", views.public_case, name="public_case"),
    path("arenden/<int:pk>/folj/", views.public_case_follow, name="public_case_follow"),
    path("arenden/folj/<str:token>/", views.public_follow_confirm, name="public_follow_confirm"),
    path("arenden/sluta-folja/<str:token>/", views.public_unsubscribe, name="public_unsubscribe"),
    path(
        "arenden/<int:pk>/foto/<int:photo_pk>.jpg",
        views.public_case_photo,
        name="public_case_photo",
    ),
]
