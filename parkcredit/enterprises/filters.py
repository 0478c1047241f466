"""The archive list's filters: one dataclass shared by the HTML list, the API and exports,
and the form that parses it from a query string with Chinese errors.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from parkcredit.enterprises.form_errors import NamedErrorsMixin
from parkcredit.enterprises.models import EnterpriseSize, EnterpriseStatus, TagKind

# Public ordering keys -> ORM ordering. Keys are what URLs and the API accept.
ORDERINGS: dict[str, tuple[str, ...]] = {
    "name": ("name", "pk"),
    "-name": ("-name", "-pk"),
    "uscc": ("uscc",),
    "-park_entry_on": ("-park_entry_on", "name"),
    "park_entry_on": ("park_entry_on", "name"),
    "-records_total": ("-records_total", "name"),
    "-records_negative_12m": ("-records_negative_12m", "name"),
}
ORDERING_LABELS: dict[str, Any] = {
    "name": _("名称 A→Z"),
    "-name": _("名称 Z→A"),
    "uscc": _("统一社会信用代码"),
    "-park_entry_on": _("入园日期(新→旧)"),
    "park_entry_on": _("入园日期(旧→新)"),
    "-records_total": _("记录总数(多→少)"),
    "-records_negative_12m": _("近 12 个月失信记录(多→少)"),
}
DEFAULT_ORDERING = "name"


@dataclass(frozen=True, slots=True)
class EnterpriseFilters:
    """What the archive list can be narrowed by. Empty values mean "no filter"."""

    q: str = ""
    cluster: str = ""
    industry: str = ""  # GB/T 4754 code prefix, e.g. "C34"
    tag: str = ""
    size: str = ""
    status: str = ""
    building: int | None = None
    in_park: bool | None = None
    ordering: str = DEFAULT_ORDERING


_IN_PARK_CHOICES = [("", _("全部")), ("1", _("园区企业")), ("0", _("园外主体"))]


class EnterpriseFilterForm(NamedErrorsMixin, forms.Form):
    """Parses the list's query string. Unknown choices get a Chinese error naming field and value."""

    q = forms.CharField(label=_("搜索"), required=False, max_length=100)
    cluster = forms.CharField(label=_("产业集群"), required=False, max_length=64)
    industry = forms.RegexField(
        label=_("行业代码"),
        required=False,
        regex=r"^[A-Za-z]?\d{0,4}$",
        error_messages={"invalid": _("格式不正确,应为门类字母加至多 4 位数字,如 C34")},
    )
    tag = forms.ChoiceField(label=_("标签"), required=False, choices=[("", _("全部")), *TagKind.choices])
    size = forms.ChoiceField(
        label=_("企业规模"), required=False, choices=[("", _("全部")), *EnterpriseSize.choices]
    )
    status = forms.ChoiceField(
        label=_("经营状态"), required=False, choices=[("", _("全部")), *EnterpriseStatus.choices]
    )
    building = forms.IntegerField(label=_("楼宇地块"), required=False, min_value=1)
    in_park = forms.ChoiceField(label=_("范围"), required=False, choices=_IN_PARK_CHOICES)
    ordering = forms.ChoiceField(
        label=_("排序"), required=False, choices=[(key, label) for key, label in ORDERING_LABELS.items()]
    )

    def filters(self) -> EnterpriseFilters:
        """The filters from the valid fields; an invalid field is dropped, not fatal to the page."""
        self.is_valid()
        # Django drops invalid fields from cleaned_data, so the other filters still apply.
        data = self.cleaned_data
        in_park = data.get("in_park")
        return EnterpriseFilters(
            q=(data.get("q") or "").strip(),
            cluster=data.get("cluster") or "",
            industry=(data.get("industry") or "").upper(),
            tag=data.get("tag") or "",
            size=data.get("size") or "",
            status=data.get("status") or "",
            building=data.get("building"),
            in_park=None if in_park in (None, "") else in_park == "1",
            ordering=data.get("ordering") or DEFAULT_ORDERING,
        )
