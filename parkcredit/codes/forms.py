"""Forms of the codes app."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from parkcredit.codes.services import REVOKE_REASON_MAX


class RevokeForm(forms.Form):
    """Why a code is revoked (kept in the audit trail; not shown on the public page)."""

    reason = forms.CharField(
        label=_("撤销原因"),
        max_length=REVOKE_REASON_MAX,
        widget=forms.Textarea(attrs={"rows": 2, "class": "form-control"}),
        error_messages={
            "required": _("请填写撤销原因"),
            "max_length": _("撤销原因最多 %(limit_value)d 个字"),
        },
    )
