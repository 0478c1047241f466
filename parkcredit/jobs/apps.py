from django.apps import AppConfig


class JobsConfig(AppConfig):
    name = "parkcredit.jobs"
    label = "jobs"
