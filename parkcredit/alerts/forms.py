"""Forms for alert rules and the alert lifecycle actions."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from creditcore.alerts.rules import FAMILIES
from parkcredit.accounts.models import Organisation, OrganisationKind, Role, User
from parkcredit.alerts.models import AlertRule, AlertSeverity


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput):
            widget.attrs.setdefault("class", "form-check-input")
        elif isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", "form-select")
        else:
            widget.attrs.setdefault("class", "form-control")


class RuleForm(forms.Form):
    """Thresholds of one rule: one field per family parameter, plus severity and handling."""

    severity = forms.ChoiceField(label=_("级别"), choices=AlertSeverity.choices)
    enabled = forms.BooleanField(label=_("启用"), required=False)
    notify_enterprise = forms.BooleanField(label=_("同时通知企业"), required=False)
    department = forms.ModelChoiceField(
        label=_("负责部门"),
        required=False,
        queryset=Organisation.objects.filter(kind=OrganisationKind.PARK_DEPARTMENT),
    )
    due_workdays = forms.IntegerField(label=_("处置期限(工作日)"), min_value=1, max_value=120)

    def __init__(self, *args: Any, rule: AlertRule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule = rule
        family = FAMILIES[rule.family]
        current = family.defaults() | dict(rule.params)
        for p in family.params:
            name = f"param_{p.name}"
            value = current[p.name]
            help_text = (
                _("可选:%(choices)s,逗号分隔") % {"choices": "、".join(p.choices)} if p.choices else ""
            )
            self.fields[name] = forms.CharField(
                label=p.label,
                initial=",".join(value) if isinstance(value, list | tuple) else value,
                help_text=help_text,
            )
        if not self.is_bound:
            self.initial.update(
                {
                    "severity": rule.severity,
                    "enabled": rule.enabled,
                    "notify_enterprise": rule.notify_enterprise,
                    "department": rule.department_id,
                    "due_workdays": rule.due_workdays,
                }
            )
        _style(self)

    def params(self) -> dict[str, Any]:
        family = FAMILIES[self.rule.family]
        return {p.name: self.cleaned_data[f"param_{p.name}"] for p in family.params}


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("负责部门"),
        required=False,
        queryset=Organisation.objects.filter(kind=OrganisationKind.PARK_DEPARTMENT),
    )
    assignee = forms.ModelChoiceField(
        label=_("负责人"),
        required=False,
        queryset=User.objects.filter(
            is_active=True, role__in=[Role.PARK_ADMIN, Role.DEPT_STAFF, Role.INSPECTOR]
        ),
    )
    due_on = forms.DateField(
        label=_("处置期限"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class SnoozeForm(forms.Form):
    until = forms.DateField(label=_("暂缓至"), widget=forms.DateInput(attrs={"type": "date"}))
    reason = forms.CharField(label=_("暂缓原因"), max_length=300)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class CloseForm(forms.Form):
    resolution = forms.CharField(
        label=_("处置结果"), widget=forms.Textarea(attrs={"rows": 3}), max_length=2000
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class NoteForm(forms.Form):
    note = forms.CharField(label=_("说明"), required=False, max_length=1000)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


def facts_json(facts: dict[str, Any]) -> str:
    return json.dumps(facts, ensure_ascii=False, indent=1)
