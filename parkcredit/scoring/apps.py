from django.apps import AppConfig


class ScoringConfig(AppConfig):
    name = "parkcredit.scoring"
    label = "scoring"
