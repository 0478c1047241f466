"""Forms of the repair rule pages: a new rule set version, a review decision, a calendar day and
the rule calculator. Services re-validate everything; these forms only shape input."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from creditcore.catalogue import RECORD_KINDS, Polarity
from parkcredit.repair.models import DayKind

SEVERITY_CHOICES = [("minor", _("轻微")), ("general", _("一般")), ("serious", _("严重"))]


def _negative_kind_choices() -> list[tuple[str, str]]:
    return [(kind.code, kind.name) for kind in RECORD_KINDS if kind.polarity is Polarity.NEGATIVE]


class StyledForm(forms.Form):
    """Tabler classes on every visible widget."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():
            css = "form-select" if isinstance(field.widget, forms.Select) else "form-control"
            field.widget.attrs["class"] = f"{css} {field.widget.attrs.get('class', '')}".strip()


class RuleSetForm(StyledForm):
    rules = forms.CharField(
        label=_("规则(JSON)"),
        widget=forms.Textarea(attrs={"rows": 24, "class": "font-monospace", "spellcheck": "false"}),
        max_length=200_000,
    )
    note = forms.CharField(label=_("修订说明"), max_length=500)
    base = forms.IntegerField(widget=forms.HiddenInput, required=False)


class RejectForm(StyledForm):
    reason = forms.CharField(label=_("驳回理由"), max_length=500)


class CalendarDayForm(StyledForm):
    day = forms.DateField(label=_("日期"), widget=forms.DateInput(attrs={"type": "date"}))
    kind = forms.ChoiceField(label=_("类型"), choices=DayKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100, required=False)
    basis = forms.CharField(label=_("依据(通知文号)"), max_length=200, required=False)


class ExplainForm(StyledForm):
    kind = forms.ChoiceField(label=_("记录类型"), choices=())
    severity = forms.ChoiceField(label=_("失信程度"), choices=SEVERITY_CHOICES)
    decided = forms.DateField(label=_("决定日期"), widget=forms.DateInput(attrs={"type": "date"}))
    penalty_type = forms.CharField(label=_("处罚类别/领域"), max_length=100, required=False)
    on = forms.DateField(label=_("处理日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = _negative_kind_choices()  # type: ignore[attr-defined]
