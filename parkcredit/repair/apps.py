from django.apps import AppConfig


class RepairConfig(AppConfig):
    name = "parkcredit.repair"
    label = "repair"
    verbose_name = "信用修复"
