from django.apps import AppConfig


class SupervisionConfig(AppConfig):
    name = "parkcredit.supervision"
    label = "supervision"
