"""The archive entry form (建档 / 编辑档案): Chinese labels, errors naming field and value.

The form only parses and checks input; `services.enterprise_create` / `enterprise_update` write.
Personal fields are never pre-filled on edit: the current value shows masked as a placeholder,
an empty input keeps it, and a checkbox clears it.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from creditcore.uscc import validate as validate_uscc
from parkcredit.common.masking import mask_id_number, mask_phone
from parkcredit.enterprises.form_errors import NamedErrorsMixin
from parkcredit.enterprises.models import (
    Building,
    Enterprise,
    EnterpriseSize,
    EnterpriseStatus,
    TagKind,
)
from parkcredit.enterprises.services import ARCHIVE_FIELDS, PERSONAL_FIELDS, TagValue
from parkcredit.enterprises.validators import validate_id_number, validate_phone


def _label(name: str) -> Any:
    return getattr(Enterprise._meta.get_field(name), "verbose_name", name)


def _date_input() -> forms.DateInput:
    return forms.DateInput(attrs={"type": "date"}, format="%Y-%m-%d")


class EnterpriseForm(NamedErrorsMixin, forms.Form):
    """Create or edit one archive entry. Pass `enterprise=` to edit."""

    masked_fields: ClassVar[dict[str, Callable[[str], str]]] = {
        "legal_representative_id_number": mask_id_number,
        "contact_phone": mask_phone,
    }

    uscc = forms.CharField(
        label=_label("uscc"),
        max_length=40,
        help_text=_("18 位,字母大写;可粘贴带空格或全角字符的代码,保存时自动规范化"),
    )
    name = forms.CharField(label=_label("name"), max_length=200)
    legal_representative = forms.CharField(
        label=_label("legal_representative"), max_length=100, required=False
    )
    legal_representative_id_number = forms.CharField(
        label=_label("legal_representative_id_number"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "text"}),
    )
    contact_phone = forms.CharField(
        label=_label("contact_phone"),
        max_length=30,
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "inputmode": "tel"}),
    )
    registered_capital = forms.DecimalField(
        label=_label("registered_capital"), required=False, min_value=0, max_digits=18, decimal_places=2
    )
    founded_on = forms.DateField(label=_label("founded_on"), required=False, widget=_date_input())
    industry_code = forms.RegexField(
        label=_label("industry_code"),
        required=False,
        regex=r"^[A-Ta-t](\d{2}|\d{3}|\d{4})?$",
        help_text=_("GB/T 4754 门类字母加 2 至 4 位数字,如 C3484"),
        error_messages={"invalid": _("格式不正确,应为门类字母加 2 至 4 位数字,如 C3484")},
    )
    industry_name = forms.CharField(label=_label("industry_name"), max_length=100, required=False)
    cluster = forms.CharField(label=_label("cluster"), max_length=64, required=False)
    size = forms.ChoiceField(
        label=_label("size"), required=False, choices=[("", "—"), *EnterpriseSize.choices]
    )
    building = forms.ModelChoiceField(
        label=_label("building"), queryset=Building.objects.order_by("code"), required=False, empty_label="—"
    )
    address = forms.CharField(label=_label("address"), max_length=200, required=False)
    park_entry_on = forms.DateField(label=_label("park_entry_on"), required=False, widget=_date_input())
    status = forms.ChoiceField(
        label=_label("status"), choices=EnterpriseStatus.choices, initial=EnterpriseStatus.OPERATING
    )
    in_park = forms.BooleanField(label=_label("in_park"), required=False, initial=True)
    tags = forms.MultipleChoiceField(
        label=_("企业标签"), required=False, choices=TagKind.choices, widget=forms.CheckboxSelectMultiple
    )
    new_economy_since = forms.DateField(label=_("包容期起"), required=False, widget=_date_input())
    new_economy_until = forms.DateField(
        label=_("包容期止"),
        required=False,
        widget=_date_input(),
        help_text=_("新业态企业的包容期一般为 2 至 3 年"),
    )
    clear_legal_representative_id_number = forms.BooleanField(label=_("清除已登记的身份证号"), required=False)
    clear_contact_phone = forms.BooleanField(label=_("清除已登记的联系电话"), required=False)

    def __init__(self, *args: Any, enterprise: Enterprise | None = None, **kwargs: Any) -> None:
        self.enterprise = enterprise
        if enterprise is not None and "initial" not in kwargs:
            kwargs["initial"] = self.initial_for(enterprise)
        super().__init__(*args, **kwargs)
        self.uscc_warnings: list[str] = []
        for name in PERSONAL_FIELDS:
            clear = f"clear_{name}"
            current = getattr(enterprise, name, "") if enterprise is not None else ""
            if not current:
                del self.fields[clear]
                continue
            masked = self.masked_fields[name](current)
            self.fields[name].widget.attrs["placeholder"] = masked
            self.fields[name].help_text = _("已登记 %(masked)s;留空则保持不变") % {"masked": masked}
        for field in self.fields.values():
            widget = field.widget
            if isinstance(widget, forms.CheckboxSelectMultiple | forms.CheckboxInput):
                widget.attrs.setdefault("class", "form-check-input")
            elif isinstance(widget, forms.Select):
                widget.attrs.setdefault("class", "form-select")
            else:
                widget.attrs.setdefault("class", "form-control")

    @staticmethod
    def initial_for(enterprise: Enterprise) -> dict[str, Any]:
        initial: dict[str, Any] = {
            name: getattr(enterprise, name) for name in ARCHIVE_FIELDS if name not in PERSONAL_FIELDS
        }
        tags = list(enterprise.tags.all())
        initial["tags"] = [tag.tag for tag in tags]
        for tag in tags:
            if tag.tag == TagKind.NEW_ECONOMY:
                initial["new_economy_since"] = tag.since
                initial["new_economy_until"] = tag.until
        return initial

    def clean_uscc(self) -> str:
        raw = self.cleaned_data["uscc"]
        result = validate_uscc(raw)
        if not (result.valid or result.legacy):
            raise ValidationError(
                [str(error) for error in result.errors] or [_("不是有效的统一社会信用代码")]
            )
        self.uscc_warnings = [str(warning) for warning in result.warnings]
        return str(result.normalized)

    def clean_industry_code(self) -> str:
        return str(self.cleaned_data["industry_code"] or "").upper()

    def clean_legal_representative_id_number(self) -> str:
        value = self.cleaned_data["legal_representative_id_number"]
        return validate_id_number(value, label=str(_label("legal_representative_id_number"))) if value else ""

    def clean_contact_phone(self) -> str:
        value = self.cleaned_data["contact_phone"]
        return validate_phone(value, label=str(_label("contact_phone"))) if value else ""

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        since, until = cleaned.get("new_economy_since"), cleaned.get("new_economy_until")
        if since and until and until < since:
            self.add_error(
                "new_economy_until",
                _("包容期止 %(until)s 早于包容期起 %(since)s") % {"until": until, "since": since},
            )
        if (since or until) and TagKind.NEW_ECONOMY not in cleaned.get("tags", []):
            self.add_error("tags", _("填写了包容期,请同时勾选「新业态」标签"))
        return cleaned

    def service_data(self) -> dict[str, Any]:
        """The cleaned values in the shape the archive services take."""
        cleaned = self.cleaned_data
        data: dict[str, Any] = {
            name: cleaned.get(name) for name in ARCHIVE_FIELDS if name not in PERSONAL_FIELDS
        }
        for name in ("size",):
            data[name] = data[name] or ""
        for name in PERSONAL_FIELDS:
            value = cleaned.get(name) or ""
            # On edit an empty input keeps the stored value: it was never sent to the browser.
            if value or cleaned.get(f"clear_{name}") or self.enterprise is None:
                data[name] = value
        existing = {tag.tag: tag for tag in self.enterprise.tags.all()} if self.enterprise is not None else {}
        tags = []
        for code in cleaned.get("tags", []):
            if code == TagKind.NEW_ECONOMY:
                tags.append(
                    TagValue(code, cleaned.get("new_economy_since"), cleaned.get("new_economy_until"))
                )
            elif code in existing:
                tags.append(TagValue(code, existing[code].since, existing[code].until))
            else:
                tags.append(TagValue(code))
        data["tags"] = tags
        return data
