from django.urls import path

from parkcredit.objections import views

app_name = "objections"
urlpatterns = [
    path("records/<int:pk>/new/", views.objection_create_view, name="create"),
    path("<int:pk>/", views.objection_detail_view, name="detail"),
    path("<int:pk>/action/", views.objection_action_view, name="action"),
    path("evidence/<int:pk>/", views.evidence_download_view, name="evidence"),
]
