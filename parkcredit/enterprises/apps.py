from django.apps import AppConfig


class EnterprisesConfig(AppConfig):
    name = "parkcredit.enterprises"
    label = "enterprises"
