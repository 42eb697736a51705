from django.urls import path

from trygg.assessment import views

urlpatterns = [
    path("", views.dashboard, name="assessment"),
    path("map.json", views.map_data, name="assessment_map"),
    path("export.<str:fmt>", views.export, name="assessment_export"),
    path("analys/", views.analysis_page, name="assessment_analysis"),
    path("analys/layers.json", views.analysis_layers, name="assessment_analysis_layers"),
    path("dokument/", views.documents, name="assessment_documents"),
    path("dokument/<int:pk>/", views.document_detail, name="assessment_document"),
    path("dokument/<int:pk>/lagesbild.pdf", views.document_pdf, name="assessment_document_pdf"),
]
