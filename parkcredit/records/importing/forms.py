"""Forms of the collection pages (信用信息归集): upload, history and queue filters, queue actions.

Every error names the field and the value it refused, in Chinese, so a user on a phone knows
what to fix without scrolling back to the input.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date
from typing import Any

from django import forms
from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.urls import reverse_lazy
from django.utils.translation import gettext_lazy as _

from creditcore.collection.profiles import PROFILES
from parkcredit.enterprises.form_errors import NamedErrorsMixin
from parkcredit.records.models import DataSource

MB = 1024 * 1024
# Above this the import runs as a background job with a progress bar; below it the user waits
# for the answer on the same request, which for a few thousand rows is about a second.
BACKGROUND_THRESHOLD_BYTES = 5 * MB
# The largest file the page accepts; bigger exports go through the CLI, which streams from disk.
DEFAULT_MAX_UPLOAD_BYTES = 100 * MB


def max_upload_bytes() -> int:
    return int(getattr(settings, "IMPORT_MAX_UPLOAD_BYTES", DEFAULT_MAX_UPLOAD_BYTES))


def size_label(size: int) -> str:
    return f"{size / MB:.1f} MB" if size >= MB else f"{max(1, round(size / 1024))} KB"


def profile_choices() -> list[tuple[str, Any]]:
    return [(name, profile.label) for name, profile in PROFILES.items()]


class UploadForm(NamedErrorsMixin, forms.Form):
    """One file for one import profile; `source` falls back to the profile's default source."""

    profile = forms.ChoiceField(
        label=_("导入类型"),
        choices=profile_choices,
        # Changing the profile swaps in its column list (htmx), so staff see what to send.
        widget=forms.Select(
            attrs={
                "class": "form-select",
                "hx-get": reverse_lazy("records:import_profile"),
                "hx-target": "#profile-columns",
                "hx-swap": "outerHTML",
                "hx-trigger": "change",
            }
        ),
    )
    file = forms.FileField(
        label=_("数据文件"),
        widget=forms.FileInput(attrs={"class": "form-control", "accept": ".csv,.xlsx,.jsonl,.txt"}),
        error_messages={
            "required": _("请选择要导入的文件(CSV、XLSX 或 JSON Lines)"),
            "empty": _("文件是空的,请检查后重新选择"),
        },
    )
    source = forms.ModelChoiceField(
        label=_("数据来源"),
        queryset=DataSource.objects.order_by("name"),
        required=False,
        empty_label=_("按导入类型自动确定"),
        widget=forms.Select(attrs={"class": "form-select"}),
    )
    strict = forms.BooleanField(
        label=_("严格模式:有任何一行出错则整个文件都不写入"),
        required=False,
        widget=forms.CheckboxInput(attrs={"class": "form-check-input"}),
    )

    def clean_file(self) -> Any:
        upload: UploadedFile[Any] = self.cleaned_data["file"]
        limit = max_upload_bytes()
        size = upload.size or 0
        if size > limit:
            raise forms.ValidationError(
                _("文件「%(name)s」大小为 %(size)s,超过上限 %(limit)s;更大的文件请由管理员用命令行导入"),
                params={"name": upload.name, "size": size_label(size), "limit": size_label(limit)},
                code="too_large",
            )
        return upload

    def is_large(self) -> bool:
        return (self.cleaned_data["file"].size or 0) > BACKGROUND_THRESHOLD_BYTES


class ProfileForm(forms.Form):
    """The profile picked in the upload form, for the column help fragment."""

    profile = forms.ChoiceField(choices=profile_choices, required=False)


@dataclass(frozen=True, slots=True)
class BatchFilters:
    """What the import history can be narrowed by; empty values mean "no filter"."""

    q: str = ""
    profile: str = ""
    status: str = ""
    created_by: str = ""
    since: date | None = None
    until: date | None = None


class BatchFilterForm(NamedErrorsMixin, forms.Form):
    q = forms.CharField(label=_("文件名或哈希"), required=False, max_length=100)
    profile = forms.ChoiceField(
        label=_("导入类型"), required=False, choices=lambda: [("", _("全部")), *profile_choices()]
    )
    status = forms.CharField(label=_("状态"), required=False, max_length=16)
    created_by = forms.CharField(label=_("导入人"), required=False, max_length=100)
    since = forms.DateField(label=_("起始日期"), required=False)
    until = forms.DateField(label=_("截止日期"), required=False)

    def filters(self) -> BatchFilters:
        """The valid part of the query string: an invalid field is ignored, the others still apply."""
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return BatchFilters(
            q=(data.get("q") or "").strip(),
            profile=data.get("profile") or "",
            status=data.get("status") or "",
            created_by=(data.get("created_by") or "").strip(),
            since=data.get("since"),
            until=data.get("until"),
        )


class UnmatchedFilterForm(NamedErrorsMixin, forms.Form):
    q = forms.CharField(label=_("名称或代码"), required=False, max_length=100)
    profile = forms.ChoiceField(
        label=_("导入类型"), required=False, choices=lambda: [("", _("全部")), *profile_choices()]
    )
    state = forms.CharField(label=_("状态"), required=False, max_length=16)
    batch = forms.IntegerField(label=_("批次"), required=False, min_value=1)

    def filters(self) -> dict[str, Any]:
        self.is_valid()
        data = getattr(self, "cleaned_data", {})
        return {
            "q": (data.get("q") or "").strip(),
            "profile": data.get("profile") or "",
            "state": data.get("state") or "",
            "batch": data.get("batch"),
        }


class EnterpriseSearchForm(forms.Form):
    q = forms.CharField(label=_("企业名称或统一社会信用代码"), required=False, max_length=100)


RESOLVE_ACTIONS = [
    ("link", _("关联到已有企业")),
    ("create_park", _("新建为园区企业")),
    ("create_outside", _("新建为园外主体")),
]


class ResolveForm(NamedErrorsMixin, forms.Form):
    """One decision on a queued row: link it to an archive entry or create the subject."""

    action = forms.ChoiceField(label=_("处理方式"), choices=RESOLVE_ACTIONS)
    enterprise = forms.IntegerField(label=_("关联企业"), required=False, min_value=1)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("action") == "link" and not data.get("enterprise"):
            self.add_error("enterprise", _("请先搜索并选择要关联的企业"))
        return data
