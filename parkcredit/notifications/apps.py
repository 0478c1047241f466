from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "parkcredit.notifications"
    label = "notifications"
