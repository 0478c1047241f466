from django.urls import path

from parkcredit.repair import views

app_name = "repair"
urlpatterns = [
    path("rules/", views.rules_view, name="rules"),
    path("rules/new/", views.rule_new_view, name="rule_new"),
    path("rules/<int:pk>/", views.rule_detail_view, name="rule_detail"),
    path("rules/<int:pk>/decide/", views.rule_decide_view, name="rule_decide"),
    path("calendar/", views.calendar_view, name="calendar"),
    path("calendar/<int:pk>/remove/", views.calendar_remove_view, name="calendar_remove"),
    path("sweep/", views.sweep_view, name="sweep"),
]
