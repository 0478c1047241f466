from django.urls import path

from parkcredit.supervision import views

app_name = "supervision"
urlpatterns = [
    path("items/", views.item_list_view, name="items"),
    path("inspectors/", views.inspector_list_view, name="inspectors"),
    path("inspectors/conflicts/", views.conflict_add_view, name="conflict_add"),
    path("plans/", views.plan_list_view, name="plans"),
    path("plans/new/", views.plan_create_view, name="plan_create"),
    path("plans/<int:pk>/", views.plan_detail_view, name="plan_detail"),
    path("plans/<int:pk>/commit/", views.plan_commit_view, name="plan_commit"),
    path("plans/<int:pk>/draw/", views.plan_draw_view, name="plan_draw"),
    path("plans/<int:pk>/publish/", views.plan_publish_view, name="plan_publish"),
    path("inspections/<int:pk>/publish/", views.inspection_publish_view, name="inspection_publish"),
    path("findings/<int:pk>/rectified/", views.finding_rectified_view, name="finding_rectified"),
    path("yield/", views.yield_view, name="yield"),
    path("tasks/", views.task_list_view, name="tasks"),
    path("tasks/<int:pk>/", views.task_detail_view, name="task"),
    path("evidence/<int:pk>/", views.evidence_view, name="evidence"),
    path("public/", views.public_plans_view, name="public_plans"),
    path("public/<int:pk>/", views.public_plan_view, name="public_plan"),
    path("public/<int:pk>/inputs.json", views.public_inputs_view, name="public_inputs"),
    path("public/<int:pk>/result.json", views.public_result_view, name="public_result"),
    path("public/<int:pk>/verify/", views.public_verify_view, name="public_verify"),
]
