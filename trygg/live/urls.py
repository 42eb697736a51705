from django.urls import path

from trygg.live import views

urlpatterns = [
    path("", views.index, name="live_index"),
    path("regler/", views.rules, name="live_rules"),
    path("<int:pk>/", views.brief, name="live_brief"),
    path("<int:pk>/karta.geojson", views.brief_map, name="live_brief_map"),
]
