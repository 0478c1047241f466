from django.contrib import admin
from django.urls import include, path
from django.views.generic import RedirectView

from config.api import api

urlpatterns = [
    path("", include("parkcredit.dashboard.urls")),
    path("accounts/", include("parkcredit.accounts.urls")),
    path("enterprises/", include("parkcredit.enterprises.urls")),
    path("records/", include("parkcredit.records.urls")),
    path("scoring/", include("parkcredit.scoring.urls")),
    path("jobs/", include("parkcredit.jobs.urls")),
    path("audit/", include("parkcredit.audit.urls")),
    path("notifications/", include("parkcredit.notifications.urls")),
    path("alerts/", include("parkcredit.alerts.urls")),
    path("objections/", include("parkcredit.objections.urls")),
    path("repair/workflow/", include("parkcredit.repair.workflow.urls")),
    path("repair/", include("parkcredit.repair.urls")),
    path("commitments/", include("parkcredit.commitments.urls")),
    path("supervision/", include("parkcredit.supervision.urls")),
    path("", include("parkcredit.portal.urls")),
    path("", include("parkcredit.reports.urls")),
    path("", include("parkcredit.codes.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    # The admin's own login form would bypass lock-out and the login audit: one login for all.
    path("admin/login/", RedirectView.as_view(pattern_name="accounts:login", query_string=True)),
    path("admin/", admin.site.urls),
]
