from django.apps import AppConfig


class CommonConfig(AppConfig):
    name = "parkcredit.common"
    label = "common"
