from django.urls import path

from trygg.plan import views

urlpatterns = [
    path("", views.overview, name="plan_overview"),
    path("new/", views.plan_new, name="plan_new"),
    path("<int:pk>/", views.overview, name="plan_overview_pk"),
    path("<int:pk>/decide/", views.plan_decide, name="plan_decide"),
    path("<int:pk>/versions/<int:number>/", views.version_detail, name="plan_version"),
    path(
        "<int:pk>/versions/<int:number>/plan.pdf",
        views.export_version_pdf,
        name="plan_version_pdf",
    ),
    path("<int:pk>/plan.xlsx", views.export_xlsx, name="plan_xlsx"),
    path("<int:pk>/plan.pdf", views.export_pdf, name="plan_pdf"),
    path("problems/", views.problems, name="plan_problems"),
    path("problems/<int:pk>/", views.problem_detail, name="plan_problem"),
    path("measures/new/", views.measure_new, name="plan_measure_new"),
    path("measures/<int:pk>/", views.measure_detail, name="plan_measure"),
    path("measures/<int:pk>/edit/", views.measure_edit, name="plan_measure_edit"),
    path("activities/", views.activities, name="plan_activities"),
    path("pledges/", views.pledges, name="plan_pledges"),
    path("forum/", views.forum, name="plan_forum"),
]

public_urlpatterns = [
    path("atgardsplan/", views.public_plan, name="public_plan"),
]
