from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "parkcredit.audit"
    label = "audit"
