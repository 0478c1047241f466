"""Reports URLs: generation (POST) and downloads for signed-in users under /reports/, the public
check under /r/."""

from django.urls import path

from parkcredit.reports import views

app_name = "reports"
urlpatterns = [
    path("reports/enterprise/<int:pk>/generate/", views.generate_view, name="generate"),
    path("reports/<int:pk>/pdf/", views.report_pdf_view, name="pdf"),
    path("r/<str:report_no>/", views.verify_view, name="verify"),
]
