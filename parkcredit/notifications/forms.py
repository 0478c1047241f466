"""The subscription form: which channel, where to, and what to receive."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parkcredit.notifications.models import Channel, Severity


class SubscriptionForm(forms.Form):
    channel = forms.ChoiceField(label=_("渠道"), choices=Channel.choices)
    address = forms.CharField(
        label=_("地址"),
        max_length=500,
        help_text=_("电子邮件地址,或企业微信/钉钉群机器人的 Webhook 地址"),
    )
    secret = forms.CharField(
        label=_("加签密钥"),
        required=False,
        max_length=200,
        widget=forms.PasswordInput(render_value=False),
        help_text=_("仅钉钉机器人开启“加签”时填写"),
    )
    kinds = forms.CharField(
        label=_("只接收这些类别"),
        required=False,
        max_length=500,
        help_text=_("逗号分隔的通知类别,如 alerts.alert;留空表示全部"),
    )
    min_severity = forms.ChoiceField(label=_("最低级别"), choices=Severity.choices, initial=Severity.INFO)

    def __init__(self, *args: object, **kwargs: object) -> None:
        super().__init__(*args, **kwargs)  # type: ignore[arg-type]
        for field in self.fields.values():
            css = "form-select" if isinstance(field, forms.ChoiceField) else "form-control"
            field.widget.attrs.setdefault("class", css)

    def kind_list(self) -> list[str]:
        raw = self.cleaned_data.get("kinds", "").replace(",", ",")
        return [part.strip() for part in raw.split(",") if part.strip()]
