from django.urls import path

from trygg.est import views

urlpatterns = [
    path("", views.weekly, name="est_weekly"),
    path("points.geojson", views.points, name="est_points"),
    path("report/", views.report, name="est_report"),
    path("mine/", views.mine, name="est_mine"),
    path("review/", views.review_queue, name="est_review"),
    path("observations/<int:pk>/photo.jpg", views.observation_photo, name="est_observation_photo"),
    path("meeting/<str:week>/", views.meeting, name="est_meeting"),
    path("meeting/<str:week>/report.pdf", views.meeting_pdf, name="est_meeting_pdf"),
    path("tertial/", views.tertial, name="est_tertial"),
    path("stats/", views.stats, name="est_stats"),
    path("upload/", views.upload, name="est_upload"),
    path("upload/<int:pk>/", views.upload_job, name="est_upload_job"),
]
