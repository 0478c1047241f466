from django.apps import AppConfig


class AlertsConfig(AppConfig):
    name = "parkcredit.alerts"
    label = "alerts"

    def ready(self) -> None:
        # Grade downgrades raise alerts as soon as a scoring run commits (see receivers.py).
        from parkcredit.alerts import receivers  # noqa: F401
