from django.urls import path

from trygg.setup import views

urlpatterns = [
    path("", views.index, name="setup_index"),
    path("organisationer/", views.organisations, name="setup_organisations"),
    path("organisationer/ny/", views.organisation_edit, name="setup_organisation_new"),
    path("organisationer/<int:pk>/", views.organisation_edit, name="setup_organisation"),
    path("organisationer/<int:pk>/personer/", views.people, name="setup_people"),
    path("omraden/", views.areas, name="setup_areas"),
    path("omraden/forhandsvisning/", views.area_preview, name="setup_area_preview"),
    path(
        "omraden/forhandsvisning.geojson",
        views.area_preview_geojson,
        name="setup_area_preview_geojson",
    ),
    path("fastigheter/", views.properties, name="setup_properties"),
    path("befolkning/", views.population, name="setup_population"),
    path("arendekategorier/", views.categories, name="setup_categories"),
    path("arendekategorier/ny/", views.category_edit, name="setup_category_new"),
    path("arendekategorier/<int:pk>/", views.category_edit, name="setup_category"),
    path("arendekategorier/<int:pk>/ta-bort/", views.category_delete, name="setup_category_delete"),
    path("ansvar/", views.routing, name="setup_routing"),
    path("veckobild/", views.observations, name="setup_observations"),
    path("veckobild/<int:pk>/", views.observation_category, name="setup_observation_category"),
    path("offentlig-sida/", views.site_texts, name="setup_site"),
    path("regioner/", views.regions, name="setup_regions"),
]

public_urlpatterns = [
    path("konto/inbjudan/<str:token>/", views.accept_invitation, name="accept_invitation"),
    path("logotyp.jpg", views.logo, name="site_logo"),
    path("tema.css", views.theme, name="site_theme"),
]
