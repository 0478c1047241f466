from django.urls import path

from parkcredit.scoring import views

app_name = "scoring"
urlpatterns = [
    path("", views.overview_view, name="overview"),
    path("runs/", views.run_list_view, name="runs"),
    path("runs/start/", views.run_start_view, name="run_start"),
    path("models/", views.model_list_view, name="models"),
    path("models/<int:pk>/", views.model_detail_view, name="model_detail"),
    path("models/<int:pk>/action/", views.model_action_view, name="model_action"),
    path("models/<int:pk>/whatif/", views.whatif_view, name="whatif"),
]
