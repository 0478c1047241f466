"""Forms of the reports app."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

MAX_UPLOAD_BYTES = 20 * 1024 * 1024


class DigestCheckForm(forms.Form):
    """Upload a PDF to compare its SM3 digest with the registered report's."""

    file = forms.FileField(label=_("报告文件(PDF)"))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        if upload.size > MAX_UPLOAD_BYTES:
            raise forms.ValidationError(
                _("文件「%(name)s」大小为 %(size)s 字节,超过 %(limit)s 字节上限,不是本平台生成的报告。")
                % {"name": upload.name, "size": upload.size, "limit": MAX_UPLOAD_BYTES}
            )
        return upload
