"""Repair rule pages: the rules in force with a calculator, rule set versions (submit, review),
the park working-day calendar and the publicity sweep button.

Park roles read these pages; archive editors (park administrators and department staff) change
them; everybody else gets 403. Views parse input, call one selector or service and render.
"""

from __future__ import annotations

import difflib
from datetime import date, timedelta
from typing import Any

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from creditcore.catalogue import KINDS_BY_CODE
from creditcore.repair import SEVERITY_LABELS, RuleError, explain, rule_set_to_json
from creditcore.repair_rules import BUILTIN_RULE_SETS
from creditcore.workdays import default_calendar
from parkcredit.accounts.models import PARK_ROLES
from parkcredit.common.forms import apply_service_errors
from parkcredit.repair import selectors, services
from parkcredit.repair.forms import CalendarDayForm, ExplainForm, RejectForm, RuleSetForm
from parkcredit.repair.models import CalendarDay, RepairRuleSet
from parkcredit.repair.rules import approved_rule_sets, park_rulebook
from parkcredit.repair.workcalendar import park_calendar


def _require_park(user: Any) -> None:
    if getattr(user, "role", None) not in PARK_ROLES:
        raise PermissionDenied(_("修复规则页面仅向园区工作人员开放"))


def _require_editor(user: Any) -> None:
    if not services.can_edit_rules(user):
        raise PermissionDenied(_("只有园区管理员和部门工作人员可以维护修复规则与工作日历"))


def _kind_label(code: str) -> str:
    return KINDS_BY_CODE[code].name if code in KINDS_BY_CODE else code


def _rules_table() -> list[dict[str, Any]]:
    """The rule sets in force, newest first, each with its rows ready for the table."""
    stored = {row.effective_from: row for row in approved_rule_sets()}
    tables = []
    for rule_set in reversed(park_rulebook().sets):
        rows = [
            {
                "kind": _kind_label(rule.kind),
                "code": rule.kind,
                "severity": SEVERITY_LABELS.get(rule.severity, _("全部")),
                "types": "、".join(rule.penalty_types),
                "published": rule.published,
                "min_months": rule.min_months,
                "max_months": rule.max_months,
                "early_repair": rule.early_repair,
                "rule": rule.rule,
            }
            for rule in sorted(rule_set.rules, key=lambda r: (r.kind, r.severity, r.penalty_types))
        ]
        tables.append({"set": rule_set, "stored": stored.get(rule_set.effective_from), "rows": rows})
    return tables


@login_required
@require_GET
def rules_view(request: HttpRequest) -> HttpResponse:
    """The rules in force, the stored versions and the calculator (GET parameters)."""
    _require_park(request.user)
    form = ExplainForm(request.GET or None)
    result = None
    if form.is_bound and form.is_valid():
        data = form.cleaned_data
        try:
            result = explain(
                data["kind"],
                data["severity"],
                data["decided"],
                penalty_type=data["penalty_type"] or None,
                on=data["on"],
                rules=park_rulebook(),
            )
        except RuleError as exc:
            form.add_error(None, str(exc))
    context = {
        "tables": _rules_table(),
        "versions": selectors.rule_set_versions()[:50],
        "form": form,
        "result": result,
        "can_edit": services.can_edit_rules(request.user),
    }
    return render(request, "repair/rules.html", context)


def _starting_data(request: HttpRequest) -> tuple[dict[str, Any], RepairRuleSet | None]:
    """What the new-version form starts from: a stored version, or the set in force for a date."""
    base_pk = request.GET.get("base")
    if base_pk and base_pk.isdigit():
        base = get_object_or_404(RepairRuleSet, pk=int(base_pk))
        return base.rules, base
    wanted = request.GET.get("effective", "")
    stored = {row.effective_from.isoformat(): row for row in approved_rule_sets()}
    if wanted in stored:
        return stored[wanted].rules, stored[wanted]
    builtin = {data["effective_from"]: data for data in BUILTIN_RULE_SETS}
    if wanted in builtin:
        return builtin[wanted], None
    latest = max([*stored, *builtin])
    return (stored[latest].rules, stored[latest]) if latest in stored else (builtin[latest], None)


@login_required
@require_http_methods(["GET", "POST"])
def rule_new_view(request: HttpRequest) -> HttpResponse:
    """Submit a new version of a rule set (a draft for a second person to review)."""
    _require_editor(request.user)
    if request.method == "POST":
        form = RuleSetForm(request.POST)
        if form.is_valid():
            base = None
            if form.cleaned_data["base"]:
                base = RepairRuleSet.objects.filter(pk=form.cleaned_data["base"]).first()
            try:
                data = services.parse_rules_text(form.cleaned_data["rules"])
                row = services.rule_set_submit(
                    actor=request.user, rules=data, note=form.cleaned_data["note"], base=base
                )
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(
                    request, _("已提交新版本 v%(version)s,待其他工作人员审核") % {"version": row.version}
                )
                return redirect("repair:rule_detail", pk=row.pk)
    else:
        data, base = _starting_data(request)
        form = RuleSetForm(initial={"rules": rule_set_to_json(data), "base": base.pk if base else None})
    return render(request, "repair/rule_form.html", {"form": form})


@login_required
@require_GET
def rule_detail_view(request: HttpRequest, pk: int) -> HttpResponse:
    """One stored version: its data, the change from the version it was based on, the review."""
    _require_park(request.user)
    row = selectors.rule_set_get(pk)
    text = rule_set_to_json(row.rules)
    base_text = rule_set_to_json(row.supersedes.rules) if row.supersedes else ""
    diff = list(
        difflib.unified_diff(base_text.splitlines(), text.splitlines(), "base", "new", lineterm="", n=1)
    )[2:]
    context = {
        "row": row,
        "text": text,
        "diff": diff if row.supersedes else None,
        "can_decide": row.state == "draft" and services.can_decide_rule_set(request.user, row),
        "reject_form": RejectForm(),
    }
    return render(request, "repair/rule_detail.html", context)


@login_required
@require_POST
def rule_decide_view(request: HttpRequest, pk: int) -> HttpResponse:
    """Approve or reject a draft version (POST action=approve|reject, reason for reject)."""
    _require_editor(request.user)
    row = selectors.rule_set_get(pk)
    action = request.POST.get("action", "")
    try:
        if action == "approve":
            services.rule_set_approve(actor=request.user, rule_set=row)
            messages.success(request, _("已审核通过,该版本自生效日期起适用"))
        elif action == "reject":
            form = RejectForm(request.POST)
            services.rule_set_reject(
                actor=request.user, rule_set=row, reason=form.data.get("reason", "") if form.is_bound else ""
            )
            messages.success(request, _("已驳回"))
        else:
            raise ValidationError(_("未知操作:%(action)s") % {"action": action or "—"})
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    return redirect("repair:rule_detail", pk=row.pk)


def _year_days(year: int) -> list[dict[str, Any]]:
    """The package's holidays and adjusted working days of a year, for the calendar page."""
    package = default_calendar()
    rows = []
    day = date(year, 1, 1)
    while day.year == year:
        name = package.holiday_name(day)
        if name is not None or (day.weekday() >= 5 and package.is_workday(day)):
            rows.append({"day": day, "name": name or _("调休上班"), "workday": package.is_workday(day)})
        day += timedelta(days=1)
    return rows


@login_required
@require_http_methods(["GET", "POST"])
def calendar_view(request: HttpRequest) -> HttpResponse:
    """The working-day calendar of a year: package days, staff days and the add form."""
    _require_park(request.user)
    today = selectors.today_local()
    try:
        year = int(request.GET.get("year", today.year))
    except ValueError:
        year = today.year
    year = min(max(year, 2001), today.year + 5)
    form = CalendarDayForm()
    if request.method == "POST":
        _require_editor(request.user)
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            try:
                row = services.calendar_day_add(actor=request.user, **form.cleaned_data)
            except ValidationError as exc:
                apply_service_errors(form, exc)
            else:
                messages.success(request, _("已添加 %(day)s") % {"day": row.day.isoformat()})
                return redirect(f"{request.path}?year={row.day.year}")
    context = {
        "year": year,
        "years": list(range(today.year - 1, today.year + 3)),
        "known": park_calendar().is_known_year(year),
        "package_known": default_calendar().is_known_year(year),
        "package_days": _year_days(year),
        "staff_days": selectors.calendar_days(year=year),
        "form": form,
        "can_edit": services.can_edit_rules(request.user),
    }
    return render(request, "repair/calendar.html", context)


@login_required
@require_POST
def calendar_remove_view(request: HttpRequest, pk: int) -> HttpResponse:
    _require_editor(request.user)
    row = get_object_or_404(CalendarDay, pk=pk)
    year = row.day.year
    services.calendar_day_remove(actor=request.user, calendar_day=row)
    messages.success(request, _("已删除"))
    return redirect(f"{reverse('repair:calendar')}?year={year}")


@login_required
@require_POST
def sweep_view(request: HttpRequest) -> HttpResponse:
    """Start the publicity sweep as a job and show its progress page."""
    _require_editor(request.user)
    job = services.sweep_start(actor=request.user)
    return redirect("jobs:detail", pk=job.pk)
