from django.contrib import admin
from django.urls import include, path

from config.api import api

urlpatterns = [
    path("", include("parkcredit.dashboard.urls")),
    path("accounts/", include("parkcredit.accounts.urls")),
    path("enterprises/", include("parkcredit.enterprises.urls")),
    path("records/", include("parkcredit.records.urls")),
    path("scoring/", include("parkcredit.scoring.urls")),
    path("jobs/", include("parkcredit.jobs.urls")),
    path("audit/", include("parkcredit.audit.urls")),
    path("api/v1/", api.urls),
    path("i18n/", include("django.conf.urls.i18n")),
    path("admin/", admin.site.urls),
]
