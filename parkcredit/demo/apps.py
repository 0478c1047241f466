from django.apps import AppConfig


class DemoConfig(AppConfig):
    name = "parkcredit.demo"
    label = "demo"
