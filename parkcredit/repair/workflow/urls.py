from django.urls import path

from parkcredit.repair.workflow import views

app_name = "repair_workflow"
urlpatterns = [
    path("mine/", views.my_records_view, name="mine"),
    path("records/<int:pk>/apply/", views.apply_view, name="apply"),
    path("applications/<int:pk>/", views.application_detail_view, name="detail"),
    path("applications/<int:pk>/action/", views.application_action_view, name="action"),
    path("materials/<int:pk>/", views.material_download_view, name="material"),
    path("queue/", views.queue_view, name="queue"),
    path("figures/", views.figures_view, name="figures"),
]
