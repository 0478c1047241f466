from django.apps import AppConfig


class ObjectionsConfig(AppConfig):
    name = "parkcredit.objections"
    label = "objections"
    verbose_name = "异议处理"
