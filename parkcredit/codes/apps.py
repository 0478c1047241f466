from django.apps import AppConfig
from django.utils.translation import gettext_lazy as _


class CodesConfig(AppConfig):
    name = "parkcredit.codes"
    label = "codes"
    verbose_name = _("企业信用码")

    def ready(self) -> None:
        # Receivers: a grade change re-issues the enterprise's code.
        from parkcredit.codes import receivers  # noqa: F401
        from parkcredit.codes.keys import key_check_production

        key_check_production()
