"""Reads of the repair workflow: the enterprise's records page, an application, the staff queue
and the park figures by month."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django.db.models import QuerySet
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.urls import reverse
from django.utils.translation import gettext as _

from creditcore.deadlines import workdays_late
from creditcore.ledger import STATUS_LABELS
from parkcredit.objections import routing
from parkcredit.objections.models import Objection, ObjectionState
from parkcredit.records.selectors import TimelineEntry, record_timeline
from parkcredit.repair.workcalendar import park_calendar
from parkcredit.repair.workflow.models import OPEN_STATES, ApplicationState, RepairApplication, RepairStep


def application_list(*, actor: Any) -> QuerySet[RepairApplication]:
    return RepairApplication.objects.visible_to(actor).select_related(
        "record", "record__kind", "enterprise", "submitted_by", "review_org"
    )


def application_submitted_with(*, actor: Any, token: str) -> RepairApplication | None:
    """What `actor` submitted from the application page carrying one-time token `token`, if anything."""
    return RepairApplication.objects.submitted_with(actor, token).first()


def application_open_for(*, actor: Any, record: Any) -> RepairApplication | None:
    """The record's application in progress, if the actor may see it."""
    return (
        application_list(actor=actor)
        .filter(record=record, state__in=[state.value for state in OPEN_STATES])
        .first()
    )


def application_get_for_actor(actor: Any, pk: int) -> RepairApplication:
    """The application `pk` if the actor may see it; Http404 for missing and forbidden alike."""
    application = application_list(actor=actor).filter(pk=pk).first()
    if application is None:
        raise Http404(_("修复申请不存在"))
    return application


@dataclass(frozen=True, slots=True)
class StepRow:
    step: RepairStep
    late: int


def application_steps(application: RepairApplication) -> list[StepRow]:
    calendar = park_calendar()
    today = routing.today()
    rows = []
    for step in application.steps.select_related("organisation", "finished_by").order_by("id"):
        finished = routing.local_date(step.finished_at) if step.finished_at else None
        rows.append(StepRow(step=step, late=workdays_late(calendar, step.due_on, finished, today)))
    return rows


@dataclass(frozen=True, slots=True)
class RecordRow:
    """One record on the enterprise's records page, with its window and what can be done."""

    entry: TimelineEntry
    window: Any
    repair_blocker: str | None
    can_object: bool
    open_application: RepairApplication | None
    open_objection: Objection | None

    @property
    def record(self) -> Any:
        return self.entry.record

    @property
    def status_label(self) -> str:
        return STATUS_LABELS[self.entry.state.status]


def enterprise_records(*, actor: Any, enterprise: Any) -> list[RecordRow]:
    """The enterprise's records with status, publicity window, earliest repair date and buttons."""
    from parkcredit.repair.selectors import record_windows
    from parkcredit.repair.workflow.services import repair_blocker

    entries = record_timeline(actor=actor, enterprise=enterprise)
    windows = record_windows([entry.record for entry in entries])
    applications = {
        a.record_id: a for a in RepairApplication.objects.filter(enterprise=enterprise, state__in=OPEN_STATES)
    }
    objections = {
        o.record_id: o for o in Objection.objects.filter(enterprise=enterprise, state=ObjectionState.OPEN)
    }
    rows = []
    for entry in entries:
        record = entry.record
        window = windows.get(record.pk)
        rows.append(
            RecordRow(
                entry=entry,
                window=window,
                repair_blocker=repair_blocker(record, window, has_open_application=record.pk in applications)
                if window is not None
                else None,
                can_object=entry.state.exists
                and entry.state.status.value == "active"
                and not entry.state.disputed,
                open_application=applications.get(record.pk),
                open_objection=objections.get(record.pk),
            )
        )
    return rows


@dataclass(frozen=True, slots=True)
class QueueItem:
    """One open or closed task of the staff queue: an application step or an objection."""

    kind: str  # "repair" | "objection"
    kind_label: str
    pk: int
    enterprise: str
    record: str
    step_label: str
    organisation: str
    due_on: date | None
    late: int
    is_open: bool
    state_label: str
    url: str


# Open work is always listed in full (it is what staff must do); closed work only the newest.
OPEN_LIST = ("open", "overdue")
CLOSED_SHOWN = 300


def staff_queue(*, actor: Any, kind: str = "", status: str = "open", mine: bool = False) -> list[QueueItem]:
    """Applications (at their current step) and objections, overdue first, then by due date.

    `mine` keeps the tasks of the actor's own department.
    """
    calendar = park_calendar()
    today = routing.today()
    items: list[QueueItem] = []
    org_id = getattr(actor, "organisation_id", None)
    if kind in ("", "repair"):
        applications = application_list(actor=actor).prefetch_related("steps__organisation")
        if status in ("open", "overdue"):
            applications = applications.filter(state__in=OPEN_STATES)
        elif status == "closed":
            applications = applications.exclude(state__in=OPEN_STATES)
        for application in applications if status in OPEN_LIST else applications[:CLOSED_SHOWN]:
            steps = sorted(application.steps.all(), key=lambda s: s.pk)
            step = next((s for s in steps if s.finished_at is None), steps[-1] if steps else None)
            if step is None:
                continue
            finished = routing.local_date(step.finished_at) if step.finished_at else None
            late = workdays_late(calendar, step.due_on, finished, today)
            if mine and step.organisation_id != org_id:
                continue
            items.append(
                QueueItem(
                    kind="repair",
                    kind_label=_("信用修复"),
                    pk=application.pk,
                    enterprise=application.enterprise.name,
                    record=f"{application.record.kind.name} {application.record.source_ref}",
                    step_label=step.get_step_display(),
                    organisation=step.organisation.name,
                    due_on=step.due_on,
                    late=late,
                    is_open=application.is_open,
                    state_label=application.get_state_display(),
                    url=reverse("repair_workflow:detail", kwargs={"pk": application.pk}),
                )
            )
    if kind in ("", "objection"):
        objections = Objection.objects.visible_to(actor).select_related(
            "record", "record__kind", "enterprise", "responsible"
        )
        if status in ("open", "overdue"):
            objections = objections.filter(state=ObjectionState.OPEN)
        elif status == "closed":
            objections = objections.exclude(state=ObjectionState.OPEN)
        if mine:
            objections = objections.filter(responsible_id=org_id)
        for objection in objections if status in OPEN_LIST else objections[:CLOSED_SHOWN]:
            finished = routing.local_date(objection.decided_at) if objection.decided_at else None
            items.append(
                QueueItem(
                    kind="objection",
                    kind_label=_("异议"),
                    pk=objection.pk,
                    enterprise=objection.enterprise.name,
                    record=f"{objection.record.kind.name} {objection.record.source_ref}",
                    step_label=objection.get_track_display(),
                    organisation=objection.responsible.name,
                    due_on=objection.due_on,
                    late=workdays_late(calendar, objection.due_on, finished, today),
                    is_open=objection.is_open,
                    state_label=objection.get_state_display(),
                    url=reverse("objections:detail", kwargs={"pk": objection.pk}),
                )
            )
    if status == "overdue":
        items = [item for item in items if item.late > 0]
    items.sort(key=lambda i: (not i.is_open, -i.late, i.due_on or date.max, i.kind, i.pk))
    return items


def _months(today: date, count: int) -> list[date]:
    months = []
    year, month = today.year, today.month
    for _step in range(count):
        months.append(date(year, month, 1))
        year, month = (year, month - 1) if month > 1 else (year - 1, 12)
    return list(reversed(months))


def _by_month(queryset: QuerySet[Any], field: str, since: date) -> dict[date, int]:
    from django.db.models import Count

    rows = (
        queryset.filter(**{f"{field}__date__gte": since})
        .annotate(month=TruncMonth(field))
        .values("month")
        .annotate(n=Count("id"))
    )
    out: dict[date, int] = {}
    for row in rows:
        month = row["month"]
        key = month.date() if hasattr(month, "date") else month
        key = date(key.year, key.month, 1)
        out[key] = out.get(key, 0) + row["n"]
    return out


def park_figures(*, months: int = 12) -> dict[str, Any]:
    """Repairs, objections (and commitments when that app is installed) per month, as a bar chart
    spec for `templates/components/chart.html`, plus the totals of the period."""
    from django.apps import apps

    axis = _months(routing.today(), months)
    since = axis[0]
    series_data: list[tuple[str, dict[date, int]]] = [
        (_("修复申请"), _by_month(RepairApplication.objects.all(), "submitted_at", since)),
        (
            _("修复完成"),
            _by_month(RepairApplication.objects.filter(state=ApplicationState.APPROVED), "decided_at", since),
        ),
        (_("异议申请"), _by_month(Objection.objects.all(), "submitted_at", since)),
        (
            _("异议成立"),
            _by_month(Objection.objects.filter(state=ObjectionState.UPHELD), "decided_at", since),
        ),
    ]
    if apps.is_installed("parkcredit.commitments"):
        model = apps.get_model("commitments", "Commitment")
        series_data.append((_("信用承诺"), _by_month(model.objects.all(), "signed_at", since)))
    chart = {
        "type": "bar",
        "categories": [f"{m:%Y-%m}" for m in axis],
        "series": [{"name": name, "data": [counts.get(m, 0) for m in axis]} for name, counts in series_data],
    }
    totals = [(name, sum(counts.get(m, 0) for m in axis)) for name, counts in series_data]
    return {"chart": chart, "totals": totals, "since": since}
