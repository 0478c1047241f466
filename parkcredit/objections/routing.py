"""Who answers what, by when: departments, their staff, the park calendar and today's date.

Shared by objections and repair applications. 谁认定、谁修复: the department that produced a
record answers for it; records whose source is not a park department go to the lead department
(the credit office, 信用办), which also runs the acceptance window.
"""

from __future__ import annotations

from collections.abc import Iterable
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.utils import timezone

from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, Organisation, OrganisationKind, Role, User


def today() -> date:
    """Today in the park's time zone (deadlines are local dates)."""
    return timezone.localdate()


def local_date(moment: Any) -> date:
    return timezone.localdate(moment)


def lead_department() -> Organisation:
    """The credit office: the lead park department (seeded by the accounts migrations)."""
    lead = (
        Organisation.objects.filter(kind=OrganisationKind.PARK_DEPARTMENT, is_lead=True)
        .order_by("pk")
        .first()
    )
    if lead is None:
        raise Organisation.DoesNotExist("园区未设置牵头部门(信用办)")
    return lead


def source_department(record: Any) -> Organisation:
    """The park department that answers for `record`: its source's department, else the lead one."""
    organisation = getattr(record.source, "organisation", None)
    if organisation is not None and organisation.kind == OrganisationKind.PARK_DEPARTMENT:
        return organisation
    return lead_department()


def park_departments() -> QuerySet[Organisation]:
    return Organisation.objects.filter(kind=OrganisationKind.PARK_DEPARTMENT).order_by("-is_lead", "name")


def department_staff(organisation: Organisation) -> QuerySet[User]:
    """Active archive editors of a department: the people a task for that department goes to."""
    return User.objects.filter(organisation=organisation, role__in=ARCHIVE_EDITOR_ROLES, is_active=True)


def acts_for(actor: Any, organisation: Organisation) -> bool:
    """An archive editor of `organisation`; a park administrator acts for every department."""
    if not getattr(actor, "can_edit_archive", False):
        return False
    return bool(actor.role == Role.PARK_ADMIN or actor.organisation_id == organisation.pk)


def bank_readers(enterprise: Any) -> QuerySet[User]:
    """Active users of banks holding a current consent to read the enterprise's file."""
    from django.db.models import Q

    from parkcredit.enterprises.models import BankConsent

    consents = BankConsent.objects.filter(enterprise=enterprise, revoked_at__isnull=True).filter(
        Q(expires_on__isnull=True) | Q(expires_on__gte=today())
    )
    return User.objects.filter(role=Role.BANK, is_active=True, organisation__in=consents.values("bank_id"))


def record_users(enterprise: Any) -> list[User]:
    """Everyone outside the park who used the enterprise's credit file: report readers (when the
    reports app is installed) and users of banks it authorised."""
    from django.apps import apps

    users: dict[int, User] = {user.pk: user for user in bank_readers(enterprise)}
    if apps.is_installed("parkcredit.reports"):
        from parkcredit.reports.selectors import report_readers

        for user in report_readers(enterprise):
            if user.is_active and user.role != Role.ENTERPRISE:
                users.setdefault(user.pk, user)
    return list(users.values())


def notify_users(
    *,
    actor: Any,
    recipients: Iterable[User],
    kind: str,
    title: str,
    body: str = "",
    link: str = "",
    enterprise: Any = None,
    severity: str = "info",
) -> int:
    """File the notification in each recipient's inbox (contract N); returns how many."""
    from parkcredit.notifications.services import notify

    rows = notify(
        recipients=recipients,
        kind=kind,
        title=title,
        body=body,
        link=link,
        enterprise=enterprise,
        severity=severity,
        actor=actor,
    )
    return len(rows)


def enterprise_recipients(enterprise: Any) -> QuerySet[User]:
    from parkcredit.notifications.selectors import enterprise_users

    return enterprise_users(enterprise)
