"""The audit list's filter form: parses the query string into `AuditFilters`."""

from __future__ import annotations

from datetime import date
from typing import Any

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from parkcredit.audit.selectors import AuditFilters

# The outcomes services write today; a new one needs a line here to become filterable.
OUTCOME_LABELS = {
    "success": _("成功"),
    "failure": _("失败"),
    "denied": _("拒绝"),
    "expired": _("已过期"),
}
OUTCOME_CHOICES = [("", _("全部")), *OUTCOME_LABELS.items()]


class _DayField(forms.CharField):
    """A YYYY-MM-DD day whose error quotes the value typed (the page prefixes the field's label)."""

    def to_python(self, value: Any) -> date | None:  # type: ignore[override]
        text = super().to_python(value)
        if not text:
            return None
        try:
            return date.fromisoformat(text)
        except ValueError:
            raise ValidationError(
                _("“%(value)s” 不是有效日期,请按 YYYY-MM-DD 填写"), code="invalid", params={"value": text}
            ) from None


class AuditFilterForm(forms.Form):
    action = forms.CharField(
        label=_("操作"), required=False, max_length=64, help_text=_("按前缀匹配,如 job.")
    )
    actor = forms.CharField(label=_("操作人"), required=False, max_length=150)
    object_type = forms.CharField(label=_("对象类型"), required=False, max_length=64)
    object_id = forms.CharField(label=_("对象标识"), required=False, max_length=64)
    date_from = _DayField(label=_("起始日期"), required=False)
    date_to = _DayField(label=_("截止日期"), required=False)
    outcome = forms.ChoiceField(
        label=_("结果"),
        required=False,
        choices=OUTCOME_CHOICES,
        error_messages={"invalid_choice": _("“%(value)s” 不是可选值")},
    )

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        start, end = cleaned.get("date_from"), cleaned.get("date_to")
        if start and end and start > end:
            raise ValidationError(
                _("起始日期 %(start)s 晚于截止日期 %(end)s"), params={"start": start, "end": end}
            )
        return cleaned

    def filters(self) -> AuditFilters:
        """The filters to apply; call after `is_valid()` (invalid fields filter nothing)."""
        data = getattr(self, "cleaned_data", {})
        return AuditFilters(
            action=data.get("action", ""),
            actor=data.get("actor", ""),
            object_type=data.get("object_type", ""),
            object_id=data.get("object_id", ""),
            date_from=data.get("date_from"),
            date_to=data.get("date_to"),
            outcome=data.get("outcome", ""),
        )
