from django.urls import path

from parkcredit.alerts import views

app_name = "alerts"
urlpatterns = [
    path("", views.alert_list_view, name="list"),
    path("<int:pk>/", views.alert_detail_view, name="detail"),
    path("<int:pk>/action/", views.alert_action_view, name="action"),
    path("rules/", views.rule_list_view, name="rules"),
    path("rules/<int:pk>/", views.rule_edit_view, name="rule_edit"),
    path("run/", views.run_view, name="run"),
    path("regions/", views.region_view, name="regions"),
    path("regions/enterprises/", views.region_enterprises_view, name="region_enterprises"),
]
