"""`{% repair_notice record %}`: the repair notice (信用修复告知书) beside a negative record."""

from __future__ import annotations

from typing import Any

from django import template
from django.utils.translation import gettext_lazy as _

from parkcredit.repair.selectors import repair_notice as notice_for

register = template.Library()

DEADLINE_LABELS = {
    "feedback": _("受理窗口转送并反馈"),
    "decide": _("认定部门作出决定"),
    "accept": _("受理"),
    "stop_publicity": _("停止公示"),
}


@register.inclusion_tag("repair/_notice.html", takes_context=True)
def repair_notice(context: dict[str, Any], record: Any, actions: bool = True) -> dict[str, Any]:
    """The notice data for `record`; renders nothing for records that are not dishonesty information.

    For the record's own enterprise (and with `actions`) it also offers what can be done now:
    apply for repair, follow the open application, object, or follow the open objection.
    """
    notice = notice_for(record)
    deadlines = []
    if notice is not None:
        deadlines = [(DEADLINE_LABELS.get(step, step), days) for step, days in notice.window.deadlines]
    user = context.get("user")
    own = actions and notice is not None and getattr(user, "enterprise_id", None) == record.enterprise_id
    return {"notice": notice, "deadlines": deadlines, "actions": _actions(record, notice) if own else None}


def _actions(record: Any, notice: Any) -> dict[str, Any]:
    from parkcredit.objections.selectors import open_objection_for
    from parkcredit.repair.workflow.services import open_application

    application = open_application(record)
    objection = open_objection_for(record)
    active = notice.status.value == "active" and not notice.disputed
    return {
        "application": application,
        "can_apply": application is None and notice.repairable_now,
        "objection": objection,
        "can_object": objection is None and active,
    }
