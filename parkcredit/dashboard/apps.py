from django.apps import AppConfig


class DashboardConfig(AppConfig):
    name = "parkcredit.dashboard"
    label = "dashboard"
