"""Forms of the portal: the public search box and the red/black list editing forms."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parkcredit.portal.models import ListKind
from parkcredit.portal.selectors import SEARCH_MAX_LENGTH
from parkcredit.portal.services import PERIOD_MAX, REASON_MAX, TITLE_MAX

TEXT = forms.TextInput(attrs={"class": "form-control"})


class SearchForm(forms.Form):
    q = forms.CharField(
        label=_("企业名称或统一社会信用代码"),
        max_length=SEARCH_MAX_LENGTH,
        required=False,
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg",
                "placeholder": _("输入企业名称或18位统一社会信用代码"),
                "autocomplete": "off",
                "type": "search",
            }
        ),
    )


class ListCreateForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("名单类型"), choices=ListKind.choices, widget=forms.Select(attrs={"class": "form-select"})
    )
    title = forms.CharField(label=_("标题"), max_length=TITLE_MAX, widget=TEXT)
    period = forms.CharField(
        label=_("所属期间"),
        max_length=PERIOD_MAX,
        widget=forms.TextInput(attrs={"class": "form-control", "placeholder": _("例如:2026年第四季度")}),
    )
    note = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"class": "form-control", "rows": 3})
    )


class EntryAddForm(forms.Form):
    uscc = forms.CharField(label=_("统一社会信用代码"), max_length=40, widget=TEXT)
    reason = forms.CharField(label=_("列入理由"), max_length=REASON_MAX, widget=TEXT)


class WithdrawForm(forms.Form):
    reason = forms.CharField(label=_("撤回原因"), max_length=REASON_MAX, widget=TEXT)
