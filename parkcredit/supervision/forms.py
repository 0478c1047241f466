"""Forms of the supervision pages: plan drafting, conflicts of interest, an inspector's findings."""

from __future__ import annotations

from datetime import date
from decimal import Decimal
from typing import Any

from django import forms
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from creditcore.catalogue import KINDS_BY_CODE
from parkcredit.enterprises.models import Enterprise, TagKind
from parkcredit.records.services import SEVERITY_LABELS
from parkcredit.supervision.models import ConflictKind, Inspection, InspectionItem, Inspector, Outcome

TEXT = forms.TextInput(attrs={"class": "form-control"})
DATE = forms.DateInput(attrs={"class": "form-control", "type": "date"}, format="%Y-%m-%d")
NUMBER = forms.NumberInput(attrs={"class": "form-control", "step": "0.01"})
SELECT = forms.Select(attrs={"class": "form-select"})


class ItemChoiceField(forms.ModelMultipleChoiceField["InspectionItem"]):
    def label_from_instance(self, obj: Any) -> str:
        return f"{obj.department.name} · {obj.name}"


class PlanForm(forms.Form):
    code = forms.SlugField(
        label=_("计划编号"), max_length=64, widget=TEXT, help_text=_("字母、数字和连字符,如 2026-q4")
    )
    title = forms.CharField(label=_("计划名称"), max_length=200, widget=TEXT)
    period_start = forms.DateField(label=_("开始日期"), widget=DATE)
    period_end = forms.DateField(label=_("结束日期"), widget=DATE)
    items = ItemChoiceField(
        label=_("抽查事项"),
        queryset=InspectionItem.objects.filter(is_active=True).select_related("department"),
        widget=forms.CheckboxSelectMultiple,
        help_text=_("多个部门的事项在同一企业合并为一次联合检查(进一次门、查多项事)"),
    )
    ratio_a = forms.DecimalField(label=_("A 类抽查比例(%)"), initial=Decimal(1), widget=NUMBER)
    ratio_b = forms.DecimalField(label=_("B 类抽查比例(%)"), initial=Decimal(2), widget=NUMBER)
    ratio_c = forms.DecimalField(label=_("C 类抽查比例(%)"), initial=Decimal(10), widget=NUMBER)
    ratio_d = forms.DecimalField(label=_("D 类抽查比例(%)"), initial=Decimal(30), widget=NUMBER)
    control_share = forms.DecimalField(
        label=_("纯随机对照比例(%)"),
        initial=Decimal(10),
        widget=NUMBER,
        help_text=_("抽查总量中不分等级、完全随机抽取的比例,用于检验分级抽查是否更有效"),
    )
    yearly_cap = forms.IntegerField(label=_("每家企业每年最多检查次数"), initial=2, widget=NUMBER)
    tolerance_months = forms.IntegerField(
        label=_("新业态包容期(月)"), initial=36, widget=NUMBER, help_text=_("自成立或入园(取较晚者)起计算")
    )
    exempt_tags = forms.MultipleChoiceField(
        label=_("免检免扰标签"),
        choices=TagKind.choices,
        initial=[TagKind.GAZELLE, TagKind.UNICORN],
        required=False,
        widget=forms.CheckboxSelectMultiple,
    )
    inspectors_per_target = forms.IntegerField(label=_("每户检查人员数"), initial=2, widget=NUMBER)


class ConflictForm(forms.Form):
    inspector = forms.ModelChoiceField(
        label=_("检查人员"), queryset=Inspector.objects.filter(is_active=True), widget=SELECT
    )
    uscc = forms.CharField(label=_("企业统一社会信用代码"), max_length=18, widget=TEXT)
    kind = forms.ChoiceField(label=_("回避情形"), choices=ConflictKind.choices, widget=SELECT)
    note = forms.CharField(label=_("说明"), max_length=200, required=False, widget=TEXT)
    until = forms.DateField(label=_("回避截止(可不填)"), required=False, widget=DATE)

    def clean_uscc(self) -> Enterprise:
        value = self.cleaned_data["uscc"].strip().upper()
        enterprise = Enterprise.objects.filter(uscc=value).first()
        if enterprise is None:
            raise forms.ValidationError(
                _("统一社会信用代码「%(value)s」不在企业档案中"), params={"value": value}
            )
        return enterprise


class FindingsForm(forms.Form):
    """One outcome per item of the inspection; problem details, severity and deadline when found."""

    inspected_on = forms.DateField(label=_("检查日期"), widget=DATE)

    def __init__(self, *args: Any, inspection: Inspection, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.inspection = inspection
        self.fields["inspected_on"].initial = timezone.localdate()
        self.item_rows: list[dict[str, Any]] = []
        for item in inspection.items.all():
            prefix = f"item{item.pk}"
            severities = [s.value for s in KINDS_BY_CODE[item.problem_kind].severities]
            self.fields[f"{prefix}_outcome"] = forms.ChoiceField(
                label=item.name,
                choices=Outcome.choices,
                initial=Outcome.CLEAN,
                widget=forms.RadioSelect(attrs={"class": "form-check-input"}),
            )
            self.fields[f"{prefix}_details"] = forms.CharField(
                label=_("问题描述"),
                required=False,
                max_length=2000,
                widget=forms.Textarea(attrs={"class": "form-control", "rows": 2}),
            )
            self.fields[f"{prefix}_severity"] = forms.ChoiceField(
                label=_("问题程度"),
                required=False,
                choices=[("", "—"), *[(s, SEVERITY_LABELS.get(s, s)) for s in severities]],
                widget=SELECT,
            )
            self.fields[f"{prefix}_rectify_by"] = forms.DateField(
                label=_("整改期限"), required=False, widget=DATE
            )
            self.item_rows.append(
                {
                    "item": item,
                    "outcome": self[f"{prefix}_outcome"],
                    "details": self[f"{prefix}_details"],
                    "severity": self[f"{prefix}_severity"],
                    "rectify_by": self[f"{prefix}_rectify_by"],
                }
            )

    def findings(self) -> list[dict[str, Any]]:
        out = []
        for row in self.item_rows:
            prefix = f"item{row['item'].pk}"
            rectify_by: date | None = self.cleaned_data.get(f"{prefix}_rectify_by")
            out.append(
                {
                    "item": row["item"].pk,
                    "outcome": self.cleaned_data[f"{prefix}_outcome"],
                    "details": self.cleaned_data.get(f"{prefix}_details", ""),
                    "severity": self.cleaned_data.get(f"{prefix}_severity", ""),
                    "rectify_by": rectify_by,
                }
            )
        return out


class RectifiedForm(forms.Form):
    rectified_on = forms.DateField(label=_("整改完成日期"), widget=DATE)
