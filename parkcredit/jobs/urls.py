from django.urls import path

from parkcredit.jobs import views

app_name = "jobs"
urlpatterns = [
    path("", views.job_list_view, name="list"),
    path("selfcheck/", views.job_selfcheck_view, name="selfcheck"),
    path("<uuid:pk>/", views.job_detail_view, name="detail"),
]
