"""Demo alerts: the default rules, assigned to the park's departments, run once over the demo park."""

from __future__ import annotations

from django.utils.translation import gettext as _

from parkcredit.accounts.models import Organisation, OrganisationKind
from parkcredit.alerts.models import AlertRule
from parkcredit.alerts.services import alerts_run, rules_ensure_defaults


def demo_load() -> str:
    """Create the default rules (each handled by a park department) and run them; returns a summary."""
    rules_ensure_defaults()
    departments = list(Organisation.objects.filter(kind=OrganisationKind.PARK_DEPARTMENT).order_by("code"))
    if departments:
        for k, rule in enumerate(AlertRule.objects.filter(department__isnull=True).order_by("code")):
            rule.department = departments[k % len(departments)]
            rule.save(update_fields=["department"])
    run = alerts_run(actor=None)
    return _("风险预警:%(rules)d 条规则,命中 %(hits)d 项,产生预警 %(opened)d 条。") % {
        "rules": AlertRule.objects.count(),
        "hits": run.hits,
        "opened": run.opened,
    }
