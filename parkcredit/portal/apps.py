from django.apps import AppConfig


class PortalConfig(AppConfig):
    name = "parkcredit.portal"
    verbose_name = "信用信息公示与企业自助"
