"""Forms of the repair workflow pages; the services check everything again."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parkcredit.common.once import OnceTokenField
from parkcredit.objections.forms import MultipleFileField
from parkcredit.objections.routing import park_departments


class ApplicationForm(forms.Form):
    statement = forms.CharField(
        label=_("整改情况说明"),
        widget=forms.Textarea(attrs={"rows": 5, "class": "form-control"}),
        max_length=2000,
        help_text=_("说明已如何纠正失信行为、履行了哪些义务(至少 10 个字)"),
    )
    materials = MultipleFileField(label=_("证明材料"), required=True)
    commitment_digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    commitment = forms.BooleanField(
        label=_("本单位已阅读并签署上面的信用承诺书"),
        required=True,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )
    # The one-time token of this application page: sending the page twice submits once.
    token = OnceTokenField(expired=_("申请页面已失效,本次没有提交。请重新选择证明材料后再提交"))


class ActionForm(forms.Form):
    # The step the page decides: sending the page twice decides it once, never the next step.
    step = forms.IntegerField(
        widget=forms.HiddenInput,
        error_messages={
            "required": _("办理页面已失效,请刷新页面后重新办理"),
            "invalid": _("办理页面已失效,请刷新页面后重新办理"),
        },
    )
    decision = forms.ChoiceField(
        label=_("办理结果"),
        choices=(("approve", _("通过")), ("reject", _("不予通过"))),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    review_org = forms.ModelChoiceField(
        label=_("转送认定部门"),
        queryset=park_departments(),
        required=False,
        widget=forms.Select(attrs={"class": "form-select"}),
        help_text=_("不选则转送记录来源所属部门"),
    )
    note = forms.CharField(
        label=_("办理意见"),
        widget=forms.Textarea(attrs={"rows": 3, "class": "form-control"}),
        required=False,
        max_length=500,
    )

    def __init__(self, *args: Any, acceptance: bool = False, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        if not acceptance:
            del self.fields["review_org"]


class QueueFilterForm(forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        choices=(("", _("全部")), ("repair", _("信用修复")), ("objection", _("异议"))),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=(
            ("open", _("办理中")),
            ("overdue", _("已逾期")),
            ("closed", _("已办结")),
            ("all", _("全部")),
        ),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    mine = forms.BooleanField(
        label=_("只看本部门"), required=False, widget=forms.CheckboxInput(attrs={"class": "form-check-input"})
    )

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {"kind": "", "status": "open", "mine": False}
        data = self.cleaned_data
        return {
            "kind": data.get("kind") or "",
            "status": data.get("status") or "open",
            "mine": bool(data.get("mine")),
        }
