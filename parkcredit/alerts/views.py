"""Alert pages: the filtered list (htmx), an alert with its history and path (or its region's figures),
rules, regions with their stored thresholds and open region alerts, and the map."""

from __future__ import annotations

from typing import Any

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from creditcore.alerts.regions import bars
from creditcore.alerts.rules import FAMILIES
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES, PARK_ROLES
from parkcredit.accounts.permissions import role_required
from parkcredit.alerts import selectors as s
from parkcredit.alerts import services
from parkcredit.alerts.forms import (
    AssignForm,
    CloseForm,
    NoteForm,
    RegionPreviewForm,
    RuleForm,
    SnoozeForm,
    facts_json,
)
from parkcredit.alerts.models import (
    AlertAction,
    AlertRule,
    AlertRun,
    AlertSeverity,
    AlertState,
    RegionLevel,
    SubjectType,
)
from parkcredit.alerts.tasks import RUN_KIND, alerts_run_task
from parkcredit.common.forms import apply_service_errors
from parkcredit.common.htmx import is_htmx
from parkcredit.jobs.services import job_start
from parkcredit.records.models import CreditRecord

PAGE_SIZE = 30


def _can_edit(request: HttpRequest) -> bool:
    return getattr(request.user, "role", None) in ARCHIVE_EDITOR_ROLES


FILTER_KEYS = ("state", "severity", "rule", "subject", "zone", "building", "overdue", "q")


@role_required(*PARK_ROLES)
@require_GET
def alert_list_view(request: HttpRequest) -> HttpResponse:
    filters = {key: request.GET.get(key, "") for key in FILTER_KEYS}
    page = Paginator(s.alert_list(request.user, filters), PAGE_SIZE).get_page(request.GET.get("page"))
    context = {
        "page": page,
        "filters": filters,
        "rules": AlertRule.objects.order_by("name"),
        "states": [("open", _("未关闭")), *AlertState.choices, ("all", _("全部"))],
        "severities": AlertSeverity.choices,
        "subjects": SubjectType.choices,
        "counts": s.alert_counts(request.user),
        "can_edit": _can_edit(request),
        "last_run": AlertRun.objects.first(),
    }
    template = "alerts/list.html#results" if is_htmx(request) else "alerts/list.html"
    return render(request, template, context)


def _detail_context(request: HttpRequest, alert: Any, **forms: Any) -> dict[str, Any]:
    evidence = (
        CreditRecord.objects.filter(pk__in=alert.evidence).select_related("kind").order_by("-decided_on")
    )
    return {
        "alert": alert,
        "events": alert.events.select_related("actor"),
        "path": s.alert_path(alert),
        "evidence": evidence,
        "facts": facts_json(alert.facts),
        "region": _region_facts(alert) if alert.is_region else None,
        "can_edit": _can_edit(request),
        "assign_form": forms.get("assign_form")
        or AssignForm(
            initial={
                "department": alert.assignee_department_id,
                "assignee": alert.assignee_id,
                "due_on": alert.due_on,
            }
        ),
        "snooze_form": forms.get("snooze_form") or SnoozeForm(),
        "close_form": forms.get("close_form") or CloseForm(),
        "note_form": NoteForm(),
    }


def _region_facts(alert: Any) -> dict[str, Any]:
    """A region alert's figures at its last hit, with the thresholds it reached and the park-wide
    figures they were compared with (alerts raised before the comparison existed have none)."""
    facts = alert.facts or {}
    thresholds = facts.get("thresholds") or {}
    crossed = set(facts.get("crossed") or ())
    park = facts.get("park") or None
    vs_park = float(thresholds.get("vs_park") or 1.0)
    level, key = alert.region_level, alert.region_key
    drill = reverse("alerts:region_enterprises") + "?" + urlencode({"level": level, "key": key})
    children = ""
    if level in s.CHILD_LEVEL:
        children = (
            reverse("alerts:regions")
            + "?"
            + urlencode({"level": s.CHILD_LEVEL[level], "parent_level": level, "parent": key})
        )
    return {
        "facts": facts,
        "thresholds": thresholds,
        "cd_share_pct": round(100 * float(facts.get("cd_share") or 0), 1),
        "cd_threshold_pct": round(100 * float(thresholds.get("cd_share") or 0), 1),
        "cd_crossed": "cd_share" in crossed,
        "density_crossed": "alerts_per_100" in crossed,
        "park": park,
        "park_cd_pct": round(100 * float(park["cd_share"]), 1) if park else None,
        "vs_park": f"{vs_park:g}" if vs_park > 1.0 else "",
        "enterprises_url": drill,
        "children_url": children,
        "level_url": reverse("alerts:regions") + "?" + urlencode({"level": level}),
    }


@role_required(*PARK_ROLES)
@require_GET
def alert_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    alert = s.alert_get_for_actor(request.user, pk)
    return render(request, "alerts/detail.html", _detail_context(request, alert))


@role_required(*ARCHIVE_EDITOR_ROLES)
@require_POST
def alert_action_view(request: HttpRequest, pk: int) -> HttpResponse:
    alert = s.alert_get_for_actor(request.user, pk)
    action = request.POST.get("action", "")
    forms: dict[str, AssignForm | SnoozeForm | CloseForm] = {}

    def valid(
        form_class: type[AssignForm | SnoozeForm | CloseForm], key: str, invalid: str
    ) -> dict[str, Any]:
        # The bound form goes back to the page (under `key`) whether or not it is valid.
        form = forms[key] = form_class(request.POST)
        if not form.is_valid():
            raise ValidationError(invalid)
        return form.cleaned_data

    try:
        if action == AlertAction.ACKNOWLEDGED:
            services.alert_acknowledge(actor=request.user, alert=alert, note=request.POST.get("note", ""))
        elif action == AlertAction.HANDLING:
            services.alert_start_handling(actor=request.user, alert=alert, note=request.POST.get("note", ""))
        elif action == AlertAction.ASSIGNED:
            data = valid(AssignForm, "assign_form", _("请检查指派信息"))
            services.alert_assign(
                actor=request.user,
                alert=alert,
                department=data["department"],
                assignee=data["assignee"],
                due_on=data["due_on"],
            )
        elif action == AlertAction.SNOOZED:
            data = valid(SnoozeForm, "snooze_form", _("请检查暂缓信息"))
            services.alert_snooze(actor=request.user, alert=alert, until=data["until"], reason=data["reason"])
        elif action == AlertAction.CLOSED:
            data = valid(CloseForm, "close_form", _("关闭预警必须填写处置结果"))
            services.alert_close(actor=request.user, alert=alert, resolution=data["resolution"])
        else:
            raise ValidationError(_("未知操作 %(action)s") % {"action": action or _("(空)")})
    except ValidationError as exc:
        for form in forms.values():
            if not form.errors:
                apply_service_errors(form, exc)
        messages.error(request, " ".join(exc.messages))
        alert.refresh_from_db()
        return render(request, "alerts/detail.html", _detail_context(request, alert, **forms), status=400)
    messages.success(request, _("已更新预警状态"))
    return redirect("alerts:detail", pk=alert.pk)


@role_required(*PARK_ROLES)
@require_GET
def rule_list_view(request: HttpRequest) -> HttpResponse:
    services.rules_ensure_defaults()
    context = {
        "rules": s.rules_list(),
        "families": FAMILIES,
        "can_edit": _can_edit(request),
        "runs": AlertRun.objects.all()[:5],
    }
    return render(request, "alerts/rules.html", context)


@role_required(*ARCHIVE_EDITOR_ROLES)
@require_http_methods(["GET", "POST"])
def rule_edit_view(request: HttpRequest, pk: int) -> HttpResponse:
    rule = get_object_or_404(AlertRule, pk=pk)
    form = RuleForm(request.POST or None, rule=rule)
    if request.method == "POST" and form.is_valid():
        try:
            services.rule_update(
                actor=request.user,
                rule=rule,
                params=form.params(),
                severity=form.cleaned_data["severity"],
                enabled=form.cleaned_data["enabled"],
                notify_enterprise=form.cleaned_data.get("notify_enterprise", False),
                department=form.cleaned_data["department"],
                due_workdays=form.cleaned_data["due_workdays"],
                recipients=list(form.cleaned_data["recipients"]),
            )
        except ValidationError as exc:
            apply_service_errors(form, exc)
        else:
            messages.success(request, _("已保存规则“%(name)s”") % {"name": rule.name})
            return redirect("alerts:rules")
    return render(
        request, "alerts/rule_form.html", {"form": form, "rule": rule, "family": FAMILIES[rule.family]}
    )


@role_required(*ARCHIVE_EDITOR_ROLES)
@require_POST
def run_view(request: HttpRequest) -> HttpResponse:
    job = job_start(actor=request.user, kind=RUN_KIND, title=_("运行预警规则"), task=alerts_run_task)
    return redirect("jobs:detail", pk=job.pk)


def _region_thresholds(request: HttpRequest, level: str) -> dict[str, Any]:
    """The stored thresholds of a level, overridden by valid values typed on the page (a preview)."""
    stored = s.region_thresholds(level)
    saved = {
        "cd_share": stored.cd_share,
        "alerts_per_100": stored.alerts_per_100,
        "min_enterprises": stored.min_enterprises,
        "vs_park": stored.vs_park,
    }
    form = RegionPreviewForm(request.GET)
    form.is_valid()
    values = dict(saved)
    for name in values:
        if form.cleaned_data.get(name) is not None:
            values[name] = form.cleaned_data[name]
    rules = []
    for rule in s.region_rules_for(level):
        params = s.region_params(rule)
        vs_park = float(params["vs_park"])
        rules.append(
            {
                "rule": rule,
                "cd_share": f"{100 * float(params['cd_share']):g}",
                "alerts_per_100": f"{float(params['alerts_per_100']):g}",
                "min_enterprises": params["min_enterprises"],
                "vs_park": f"{vs_park:g}" if vs_park > 1.0 else "",
            }
        )
    return {
        "stored": stored,
        "saved": saved,
        "values": values,
        "preview": values != saved,
        "problems": form.problems(),
        "rules": rules,
    }


@role_required(*PARK_ROLES)
@require_GET
def region_view(request: HttpRequest) -> HttpResponse:
    level = request.GET.get("level", "zone")
    if level not in s.LEVELS:
        raise Http404(_("未知的区域层级"))
    parent_level = request.GET.get("parent_level", "")
    parent_key = request.GET.get("parent", "")
    if parent_level and parent_level not in s.LEVELS:
        raise Http404(_("未知的区域层级"))
    limits = _region_thresholds(request, level)
    values = limits["values"]
    table = s.region_table()  # one read of the park for the rows and the map
    rows, park = s.region_rows(
        level,
        parent_level=parent_level,
        parent_key=parent_key,
        cd_share=values["cd_share"],
        alerts_per_100=values["alerts_per_100"],
        min_enterprises=values["min_enterprises"],
        vs_park=values["vs_park"],
        table=table,
    )
    cd_bar, alerts_bar = bars(values["cd_share"], values["alerts_per_100"], values["vs_park"], park)
    open_alerts = s.region_open_alerts(request.user, level)
    child = s.CHILD_LEVEL.get(level)
    park_map = None
    if level == "zone" and not parent_key:
        # The map's cells are buildings: the building rule's thresholds, unless staff preview others.
        if limits["preview"]:
            park_map = s.park_map(
                values["cd_share"],
                values["alerts_per_100"],
                values["min_enterprises"],
                values["vs_park"],
                table=table,
            )
        else:
            cells = s.region_thresholds("building")
            park_map = s.park_map(
                cells.cd_share, cells.alerts_per_100, cells.min_enterprises, cells.vs_park, table=table
            )
        for cell in park_map["cells"]:
            cell["url"] = (
                reverse("alerts:region_enterprises")
                + "?"
                + urlencode({"level": "building", "key": cell["code"]})
            )
        park_map["labels"] = {
            "enterprises": _("企业数"),
            "cd_share": _("C/D 级占比"),
            "open_alerts": _("未关闭预警"),
            "high": _("风险高"),
            "low": _("风险低"),
        }
    context = {
        "level": level,
        "level_label": RegionLevel(level).label,
        "levels": RegionLevel.choices,
        "rows": rows,
        "items": [{"row": row, "alerts": open_alerts.get(row.key, [])} for row in rows],
        "open_region_alerts": sum(len(v) for v in open_alerts.values()),
        "child": child,
        "parent_level": parent_level,
        "parent": parent_key,
        "limits": limits,
        "cd_share": values["cd_share"],
        "alerts_per_100": values["alerts_per_100"],
        "min_enterprises": values["min_enterprises"],
        "vs_park": values["vs_park"],
        # The whole park's figures and what a region must reach given them (the page states both).
        "park": {
            "enterprises": park.enterprises,
            "cd_share_pct": f"{100 * park.cd_share:.1f}",
            "alerts_per_100": f"{park.alerts_per_100:g}",
            "cd_bar_pct": f"{100 * cd_bar:.1f}",
            "alerts_bar": f"{alerts_bar:.1f}",
            "relative": values["vs_park"] > 1.0,
        },
        "can_edit": _can_edit(request),
        "park_map": park_map,
        "chart": {
            "type": "bar",
            "categories": [r.key or _("(未填)") for r in rows[:15]],
            "series": [{"name": _("C/D 级占比(%)"), "data": [round(100 * r.cd_share, 1) for r in rows[:15]]}],
        },
    }
    template = "alerts/regions.html#body" if is_htmx(request) else "alerts/regions.html"
    return render(request, template, context)


@role_required(*PARK_ROLES)
@require_GET
def region_enterprises_view(request: HttpRequest) -> HttpResponse:
    level, key = request.GET.get("level", ""), request.GET.get("key", "")
    if level not in s.LEVELS:
        raise Http404(_("未知的区域层级"))
    region_alerts = s.region_open_alerts(request.user, level).get(key, []) if key else []
    return render(
        request,
        "alerts/region_enterprises.html",
        {
            "level": level,
            "level_label": RegionLevel(level).label,
            "key": key,
            "rows": s.region_enterprises(level, key),
            "region_alerts": region_alerts,
        },
    )
