"""Forms of the commitments app: template editing, the sign flow, staff confirmations and filters."""

from __future__ import annotations

import json
from typing import Any

from django import forms
from django.utils.functional import lazy
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from parkcredit.commitments.models import BreachSeverity, CommitmentStatus, CommitmentTemplate, Scenario
from parkcredit.common.once import OnceTokenField


def _style(form: forms.Form) -> None:
    """Tabler classes on every visible widget (checkboxes are laid out by the templates)."""
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.CheckboxInput | forms.HiddenInput):
            continue
        css = "form-select" if isinstance(widget, forms.Select) else "form-control"
        widget.attrs["class"] = f"{css} {widget.attrs.get('class', '')}".strip()


def _placeholder_help_text() -> str:
    return gettext("可用占位符:%(names)s;未写 %(conditions)s 时,履约条件附在正文之后。") % {
        "names": "{主体名称}、{统一社会信用代码}、{签署日期}、{承诺期限}、{承诺事项}、{履约条件}",
        "conditions": "{履约条件}",
    }


# Evaluated when the form is shown, in the viewer's language.
_placeholder_help = lazy(_placeholder_help_text, str)


class TemplateForm(forms.Form):
    code = forms.SlugField(label=_("模板编码"), max_length=64, required=False)
    scenario = forms.ChoiceField(label=_("适用场景"), choices=Scenario.choices)
    title = forms.CharField(label=_("标题"), max_length=200)
    body = forms.CharField(
        label=_("承诺书正文"),
        widget=forms.Textarea(attrs={"rows": 12}),
        # The placeholder names are part of the template language (Chinese in every UI language),
        # so they go in as a value and only the sentence around them is translated.
        help_text=_placeholder_help(),
    )
    conditions = forms.CharField(
        label=_("履约条件(JSON)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 8, "class": "font-monospace"}),
        help_text=_(
            "列表,每条一个条件:no_record(kinds、areas、min_severity、same_as_record)、"
            "rectify_on_time(metric、grace_days)、deliver_by(workdays、label)。详见 docs/commitments.md。"
        ),
    )
    period_months = forms.IntegerField(label=_("承诺期限(月)"), min_value=1, max_value=60, initial=12)
    breach_severity = forms.ChoiceField(label=_("违诺失信程度"), choices=BreachSeverity.choices)
    public_default = forms.BooleanField(label=_("默认向社会公开"), required=False, initial=True)
    note = forms.CharField(label=_("修订说明"), max_length=300, required=False)

    def __init__(self, *args: Any, template: CommitmentTemplate | None = None, **kwargs: Any) -> None:
        if template is not None and not kwargs.get("data") and not (args and args[0]):
            kwargs["initial"] = {
                "code": template.code,
                "scenario": template.scenario,
                "title": template.title,
                "body": template.body,
                "conditions": json.dumps(template.conditions, ensure_ascii=False, indent=2),
                "period_months": template.period_months,
                "breach_severity": template.breach_severity,
                "public_default": template.public_default,
            }
        super().__init__(*args, **kwargs)
        self.template = template
        if template is None:
            self.fields["code"].required = True
        else:
            self.fields["code"].disabled = True
        _style(self)

    def clean_conditions(self) -> Any:
        raw = (self.cleaned_data.get("conditions") or "").strip()
        if not raw:
            return []
        try:
            return json.loads(raw)
        except json.JSONDecodeError as exc:
            raise forms.ValidationError(
                _("履约条件不是有效的 JSON(第 %(line)s 行第 %(col)s 列):%(msg)s")
                % {"line": exc.lineno, "col": exc.colno, "msg": exc.msg}
            ) from None

    def service_data(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


class SignForm(forms.Form):
    scope = forms.CharField(
        label=_("承诺事项"),
        max_length=300,
        required=False,
        help_text=_("例如申请的许可事项、项目名称或申报的政策;不填时使用模板标题。"),
    )
    is_public = forms.BooleanField(label=_("向社会公开本承诺"), required=False)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class ConfirmForm(SignForm):
    digest = forms.CharField(widget=forms.HiddenInput, max_length=64)
    # The one-time signing token of this confirmation page: sending the page twice signs once.
    token = OnceTokenField(expired=_("签署页面已失效,请点“返回修改”后重新阅读承诺书再签署"))
    confirmed = forms.BooleanField(
        label=_("我已完整阅读上述承诺书,代表承诺主体作出承诺"),
        error_messages={"required": _("请勾选确认已阅读承诺书后再签署")},
    )


class DeliverForm(forms.Form):
    condition = forms.IntegerField(min_value=0, widget=forms.HiddenInput)
    on = forms.DateField(label=_("完成日期"), widget=forms.DateInput(attrs={"type": "date"}))
    note = forms.CharField(label=_("说明"), max_length=500, required=False)


class BreachForm(forms.Form):
    reason = forms.CharField(label=_("违诺情形"), max_length=400, widget=forms.Textarea(attrs={"rows": 3}))
    on = forms.DateField(label=_("认定日期"), required=False, widget=forms.DateInput(attrs={"type": "date"}))

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _style(self)


class FilterForm(forms.Form):
    status = forms.ChoiceField(
        label=_("履约状态"), required=False, choices=[("", _("全部状态")), *CommitmentStatus.choices]
    )
    scenario = forms.ChoiceField(
        label=_("适用场景"), required=False, choices=[("", _("全部场景")), *Scenario.choices]
    )
    party = forms.ChoiceField(
        label=_("承诺主体"),
        required=False,
        choices=[("", _("全部")), ("enterprise", _("企业承诺")), ("government", _("政务诚信承诺"))],
    )
    q = forms.CharField(label=_("名称或编号"), required=False, max_length=100)

    def filters(self) -> dict[str, Any]:
        if not self.is_valid():
            return {}
        return {k: v for k, v in self.cleaned_data.items() if v}
