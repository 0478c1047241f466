"""Demo repair applications and objections for `parkcredit demo`, in every state of the workflow.

Deterministic: candidates are the repairable (and, for objections, the active) negative records
of park enterprises in primary-key order. The demo enterprise (the `enterprise` demo account) gets
an application waiting at the window and an open objection, so its login shows both; other
enterprises act through a demo enterprise account made for them (no usable password). Everything
goes through the real services, so the ledger events, audit entries, notifications and rescores
are the real ones.
"""

from __future__ import annotations

from typing import Any

from django.db import transaction
from django.utils.translation import gettext as _

from parkcredit.accounts.models import Organisation, OrganisationKind, Role, User
from parkcredit.demo.accounts import DEMO_ENTERPRISE_CODE
from parkcredit.enterprises.models import Enterprise
from parkcredit.objections import routing
from parkcredit.objections.models import Objection
from parkcredit.objections.services import objection_decide, objection_extend, objection_submit
from parkcredit.records.models import CreditRecord
from parkcredit.records.selectors import events_fold
from parkcredit.repair.rules import park_rulebook
from parkcredit.repair.selectors import record_window
from parkcredit.repair.workflow.models import RepairApplication
from parkcredit.repair.workflow.services import application_advance, application_submit, commitment_draft

PDF = b"%PDF-1.4\n% demo proof of payment\n1 0 obj\n<< >>\nendobj\ntrailer\n<< >>\n%%EOF\n"
# Final state of each demo application, in candidate order: how far it gets through the steps.
APPLICATION_PLAN = ("submitted", "reviewing", "deciding", "approved", "approved", "rejected")
# (how it ends, whether the department asked the provider to verify)
OBJECTION_PLAN = (("open", False), ("open", True), ("rejected", False), ("upheld", True))


def _enterprise_user(enterprise: Enterprise) -> User:
    """The enterprise's first active user, or a demo account for it without a usable password."""
    user = User.objects.filter(
        role=Role.ENTERPRISE, is_active=True, organisation__enterprise=enterprise
    ).first()
    if user is not None:
        return user
    organisation = Organisation.objects.filter(enterprise=enterprise).first()
    if organisation is None:
        organisation = Organisation.objects.create(
            name=enterprise.name,
            kind=OrganisationKind.ENTERPRISE,
            code=f"demo-ent-{enterprise.pk}",
            enterprise=enterprise,
        )
    user = User(username=f"demo-ent-{enterprise.pk}", role=Role.ENTERPRISE, organisation=organisation)
    user.full_name = _("%(name)s经办人(演示)") % {"name": enterprise.name[:20]}
    user.set_unusable_password()
    user.save()
    return user


def _candidates() -> tuple[list[CreditRecord], list[CreditRecord]]:
    """(repairable records, other active records) of park enterprises, one per enterprise each.

    The demo enterprise's records are looked at first, so its own login shows an application and
    an objection; the scan stops as soon as both plans are filled.
    """
    rules = park_rulebook()
    today = routing.today()
    demo_enterprise = (
        Organisation.objects.filter(code=DEMO_ENTERPRISE_CODE).values_list("enterprise_id", flat=True).first()
    )
    base = (
        CreditRecord.objects.filter(kind__polarity="negative", enterprise__in_park=True)
        .select_related("kind", "enterprise", "source")
        .prefetch_related("events")
        .order_by("pk")
    )
    repairable: list[CreditRecord] = []
    active: list[CreditRecord] = []
    for_repair: set[int] = set()
    for_objection: set[int] = set()
    for records in (base.filter(enterprise_id=demo_enterprise), base.exclude(enterprise_id=demo_enterprise)):
        for record in records.iterator(chunk_size=200):
            if len(repairable) >= len(APPLICATION_PLAN) and len(active) >= len(OBJECTION_PLAN):
                return repairable, active
            if not events_fold(record.events.all()).counts_for_scoring:
                continue
            window = record_window(record, rules=rules)
            wanted = len(repairable) < len(APPLICATION_PLAN) and record.enterprise_id not in for_repair
            if wanted and window is not None and window.repairable_on(today):
                repairable.append(record)
                for_repair.add(record.enterprise_id)
                continue
            if record.enterprise_id not in for_objection and len(active) < len(OBJECTION_PLAN):
                active.append(record)
                for_objection.add(record.enterprise_id)
    return repairable, active


def _application(record: CreditRecord, plan: str, window_staff: User, review_staff: User | None) -> None:
    user = _enterprise_user(record.enterprise)
    application = application_submit(
        actor=user,
        record=record,
        statement=_("已全额缴纳罚款并完成整改,整改报告和缴款凭证见附件。"),
        commitment_digest=commitment_draft(actor=user, record=record).rendered.digest,
        files=[("缴款凭证.pdf", PDF)],
    )
    if plan == "submitted":
        return
    review_org = review_staff.organisation if review_staff is not None else None
    application_advance(actor=window_staff, application=application, approve=True, review_org=review_org)
    if plan == "reviewing":
        return
    reviewer = review_staff or window_staff
    if plan == "rejected":
        application_advance(
            actor=reviewer,
            application=application,
            approve=False,
            note=_("整改报告未附现场核查照片,请补充后重新申请"),
        )
        return
    application_advance(
        actor=reviewer, application=application, approve=True, note=_("经核查,已履行处罚义务")
    )
    if plan == "deciding":
        return
    application_advance(
        actor=window_staff, application=application, approve=True, note=_("同意修复,停止公示")
    )


def _objection(record: CreditRecord, outcome: str, verify: bool, staff: User) -> None:
    objection = objection_submit(
        actor=_enterprise_user(record.enterprise),
        record=record,
        reasons=_("该记录中的处罚对象与本企业统一社会信用代码不一致,请核实更正。"),
        files=[("营业执照.pdf", PDF)],
    )
    responsible = objection.responsible
    actor = (
        staff
        if routing.acts_for(staff, responsible)
        else routing.department_staff(responsible).first() or staff
    )
    if verify:
        objection_extend(actor=actor, objection=objection, note=_("已转信息提供单位核实"))
    if outcome == "rejected":
        objection_decide(
            actor=actor, objection=objection, upheld=False, note=_("经核实,处罚决定书载明的主体无误")
        )
    elif outcome == "upheld":
        objection_decide(
            actor=actor, objection=objection, upheld=True, note=_("经核实,主体登记有误,撤销该记录")
        )


def demo_load() -> str:
    """Create the demo applications and objections (nothing when there are already some)."""
    if RepairApplication.objects.exists() or Objection.objects.exists():
        return _("信用修复与异议:已有办理数据,未重复生成。")
    window_staff = routing.department_staff(routing.lead_department()).order_by("pk").first()
    if window_staff is None:
        return _("信用修复与异议:信用办没有工作人员账号,未生成演示申请。")
    review_staff: Any = (
        User.objects.filter(role=Role.DEPT_STAFF, is_active=True)
        .exclude(organisation=window_staff.organisation)
        .order_by("pk")
        .first()
    )
    repairable, active = _candidates()
    applications = objections = 0
    with transaction.atomic():
        for record, plan in zip(repairable, APPLICATION_PLAN, strict=False):
            _application(record, plan, window_staff, review_staff)
            applications += 1
        for record, (outcome, verify) in zip(active, OBJECTION_PLAN, strict=False):
            _objection(record, outcome, verify, window_staff)
            objections += 1
    return _("信用修复与异议:生成修复申请 %(a)d 件、异议 %(o)d 件(各办理环节均有)。") % {
        "a": applications,
        "o": objections,
    }
