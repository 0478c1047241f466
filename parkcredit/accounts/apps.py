from django.apps import AppConfig


class AccountsConfig(AppConfig):
    name = "parkcredit.accounts"
    label = "accounts"
