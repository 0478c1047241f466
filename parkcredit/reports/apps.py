from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "parkcredit.reports"
    label = "reports"
