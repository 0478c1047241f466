"""Forms for alert rules and the alert lifecycle actions."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from creditcore.alerts.rules import FAMILIES
from parkcredit.accounts.models import PARK_ROLES, Organisation, OrganisationKind, User
from parkcredit.alerts.models import AlertRule, AlertSeverity, RegionLevel

# What a parameter means, where its label alone does not say (shown under the rule form's field).
PARAM_HELP = {
    "vs_park": _(
        "区域的 C/D 级占比或预警密度还须不低于全园同一指标的这个倍数,才算达到阈值;"
        "1 表示不与全园比较,只看上面的阈值"
    ),
}


def _style(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.CheckboxSelectMultiple):
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
    recipients = forms.ModelMultipleChoiceField(
        label=_("指定接收人"),
        required=False,
        queryset=User.objects.filter(is_active=True, role__in=PARK_ROLES).order_by("username"),
        help_text=_("除负责部门的工作人员外,新预警还通知这些园区工作人员(可多选)"),
    )

    def __init__(self, *args: Any, rule: AlertRule, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.rule = rule
        family = FAMILIES[rule.family]
        # What the stored rule means, parameters it predates included (a value shown is a value used).
        current = family.resolve(rule.params)
        for p in family.params:
            name = f"param_{p.name}"
            value = current[p.name]
            if rule.is_region and p.name == "levels":
                # Levels are picked from a list, not typed as codes.
                self.fields[name] = forms.MultipleChoiceField(
                    label=p.label,
                    choices=RegionLevel.choices,
                    initial=list(value),
                    widget=forms.CheckboxSelectMultiple,
                    help_text=_("一条规则可用于多个层级;各层级阈值不同时,为每个层级各用一条规则"),
                )
                continue
            help_text = (
                _("可选:%(choices)s,逗号分隔") % {"choices": "、".join(p.choices)}
                if p.choices
                else PARAM_HELP.get(p.name, "")
            )
            self.fields[name] = forms.CharField(
                label=p.label,
                initial=",".join(value) if isinstance(value, list | tuple) else value,
                help_text=help_text,
            )
        if rule.is_region:
            # Region alerts compare many enterprises: they go to park staff only.
            del self.fields["notify_enterprise"]
        if not self.is_bound:
            self.initial.update(
                {
                    "severity": rule.severity,
                    "enabled": rule.enabled,
                    "notify_enterprise": rule.notify_enterprise,
                    "department": rule.department_id,
                    "due_workdays": rule.due_workdays,
                    "recipients": list(rule.recipients.values_list("pk", flat=True)) if rule.pk else [],
                }
            )
        _style(self)

    def params(self) -> dict[str, Any]:
        family = FAMILIES[self.rule.family]
        return {p.name: self.cleaned_data[f"param_{p.name}"] for p in family.params}


class RegionPreviewForm(forms.Form):
    """Thresholds typed on the region page to try other values: marks regions, changes no rule.

    Out-of-range or non-numeric values are reported naming the field and the value, and the stored
    thresholds are used instead."""

    cd_share = forms.FloatField(label=_("C/D 级占比阈值"), min_value=0.01, max_value=1.0, required=False)
    alerts_per_100 = forms.FloatField(
        label=_("每百家预警数阈值"), min_value=1.0, max_value=500.0, required=False
    )
    min_enterprises = forms.IntegerField(
        label=_("最少企业数"), min_value=1, max_value=100_000, required=False
    )
    vs_park = forms.FloatField(label=_("高于全园倍数"), min_value=1.0, max_value=10.0, required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)

    def problems(self) -> list[str]:
        """One sentence per bad value: “C/D 级占比阈值 的值 5 无效:…”."""
        out = []
        for name, errors in self.errors.items():
            field = self.fields.get(name)
            out.append(
                _("%(field)s 的值 %(value)s 无效:%(error)s")
                % {
                    "field": field.label if field else name,
                    "value": self.data.get(name, ""),
                    "error": " ".join(str(e) for e in errors),
                }
            )
        return out


class AssignForm(forms.Form):
    department = forms.ModelChoiceField(
        label=_("负责部门"),
        required=False,
        queryset=Organisation.objects.filter(kind=OrganisationKind.PARK_DEPARTMENT),
    )
    assignee = forms.ModelChoiceField(
        label=_("负责人"),
        required=False,
        queryset=User.objects.filter(is_active=True, role__in=PARK_ROLES),
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
