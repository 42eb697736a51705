from django.conf import settings
from django.contrib import admin
from django.contrib.auth import views as auth_views
from django.urls import include, path

from trygg.api import api
from trygg.cases import urls as cases_urls
from trygg.plan import urls as plan_urls
from trygg.setup import urls as setup_urls
from trygg.walks import urls as walks_urls
from trygg.web import views
from trygg.web.auth import ThrottledLoginView, ThrottledPasswordResetView

urlpatterns = [
    path("", views.home, name="home"),
    path("areas/", views.areas, name="areas"),
    path("areas.geojson", views.areas_geojson, name="areas_geojson"),
    path("omraden.geojson", views.public_areas_geojson, name="public_areas_geojson"),
    path("notices/", views.notices, name="notices"),
    path("notices/new/", views.notice_create, name="notice_create"),
    path("notices/<int:pk>/edit/", views.notice_edit, name="notice_edit"),
    path("notices/<int:pk>/delete/", views.notice_delete, name="notice_delete"),
    path("organisations/", views.organisations, name="organisations"),
    path("audit/", views.audit_log, name="audit_log"),
    path("organisation/switch/", views.switch_organisation, name="switch_organisation"),
    path("healthz", views.healthz, name="healthz"),
    path("lagesbild/handelser/", include("trygg.live.urls")),
    path("lagesbild/", include("trygg.assessment.urls")),
    path("incidents/", include("trygg.incidents.urls")),
    path("trygghet/", include("trygg.surveys.urls")),
    path("cases/", include("trygg.cases.urls")),
    path("walks/", include("trygg.walks.urls")),
    path("plan/", include("trygg.plan.urls")),
    path("veckobild/", include("trygg.est.urls")),
    path("installningar/", include("trygg.setup.urls")),
    path("region/", include("trygg.regions.urls")),
    path("", include(cases_urls.public_urlpatterns)),
    path("", include(walks_urls.public_urlpatterns)),
    path("", include(plan_urls.public_urlpatterns)),
    path("", include(setup_urls.public_urlpatterns)),
    path("open311/", include("trygg.cases.open311.urls")),
    path("accounts/login/", ThrottledLoginView.as_view(), name="login"),
    path("accounts/logout/", auth_views.LogoutView.as_view(), name="logout"),
    path(
        "accounts/password/change/",
        auth_views.PasswordChangeView.as_view(),
        name="password_change",
    ),
    path(
        "accounts/password/change/done/",
        auth_views.PasswordChangeDoneView.as_view(),
        name="password_change_done",
    ),
    path(
        "accounts/password/reset/",
        ThrottledPasswordResetView.as_view(),
        name="password_reset",
    ),
    path(
        "accounts/password/reset/done/",
        auth_views.PasswordResetDoneView.as_view(),
        name="password_reset_done",
    ),
    path(
        "accounts/reset/<uidb64>/<token>/",
        auth_views.PasswordResetConfirmView.as_view(),
        name="password_reset_confirm",
    ),
    path(
        "accounts/reset/done/",
        auth_views.PasswordResetCompleteView.as_view(),
        name="password_reset_complete",
    ),
    path("i18n/", include("django.conf.urls.i18n")),
    path("api/v1/", api.urls),
    path("admin/", admin.site.urls),
]

if settings.OIDC_ENABLED:
    urlpatterns.append(path("oidc/", include("mozilla_django_oidc.urls")))

# A parameter Trygg cannot use answers 400 with its message (trygg.core.params).
handler400 = "trygg.web.views.bad_request"
