from django.urls import path

from trygg.regions import views

urlpatterns = [
    path("", views.index, name="regions"),
    path("<int:pk>/", views.dashboard, name="region_dashboard"),
    path("<int:pk>/jamforelse/", views.comparison, name="region_comparison"),
    path("<int:pk>/kommuner.geojson", views.outlines, name="region_outlines"),
    path("<int:pk>/karta.json", views.layers, name="region_layers"),
    path("<int:pk>/lagesbild.pdf", views.pdf, name="region_document"),
]
