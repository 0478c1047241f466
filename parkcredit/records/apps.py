from django.apps import AppConfig


class RecordsConfig(AppConfig):
    name = "parkcredit.records"
    label = "records"
