from django.apps import AppConfig


class CommitmentsConfig(AppConfig):
    name = "parkcredit.commitments"
    label = "commitments"
    verbose_name = "信用承诺"
