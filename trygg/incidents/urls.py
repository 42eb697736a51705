from django.urls import path

from trygg.incidents import views

urlpatterns = [
    path("imports/", views.imports, name="imports"),
    path("imports/<int:pk>/", views.import_job, name="import_job"),
    path("field-reports/", views.field_reports, name="field_reports"),
    path("field-reports/new/", views.field_report_create, name="field_report_create"),
]
