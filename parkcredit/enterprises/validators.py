"""Checks of the archive's personal fields: resident ID numbers (GB 11643-1999) and phones.

Both the form and the service run these, so the API and imports get the same answers. Errors
name the field and show the value masked: the value is personal data and error messages end up
on screens and in logs.
"""

from __future__ import annotations

import re
from datetime import date

from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from parkcredit.common.masking import mask_id_number, mask_phone

ID_WEIGHTS = tuple(pow(2, 17 - i, 11) for i in range(17))
ID_CHECK_CHARACTERS = "10X98765432"

_ID_SHAPE = re.compile(r"^\d{17}[\dX]$")
_MOBILE = re.compile(r"^(?:\+?86)?(1[3-9]\d{9})$")
# Area codes 010 and 02x have three digits, all others four; that rule splits numbers typed
# without a hyphen correctly.
_LANDLINE = re.compile(r"^(0(?:10|2\d|[3-9]\d{2}))-?(\d{7,8})(?:-(\d{1,6}))?$")
# Users type full-width digits, spaces and brackets from Chinese input methods.
_FULL_WIDTH = str.maketrans("0123456789Xx+-()", "0123456789Xx+-()")


def id_number_check_character(first17: str) -> str:
    """The 18th character of a resident ID number (GB 11643-1999, ISO 7064 MOD 11-2)."""
    total = sum(int(ch) * w for ch, w in zip(first17, ID_WEIGHTS, strict=True))
    return ID_CHECK_CHARACTERS[total % 11]


def normalize_id_number(raw: str) -> str:
    return re.sub(r"\s+", "", (raw or "").translate(_FULL_WIDTH)).upper()


def validate_id_number(raw: str, *, label: str | None = None) -> str:
    """The normalised ID number, or ValidationError naming the field and the masked value."""
    value = normalize_id_number(raw)
    field = label or str(_("法定代表人身份证号"))
    params = {"field": field, "value": mask_id_number(value)}
    if not _ID_SHAPE.match(value):
        raise ValidationError(
            _("%(field)s「%(value)s」格式不正确:应为 18 位,前 17 位为数字,末位为数字或 X"),
            code="id_number_shape",
            params=params,
        )
    try:
        date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except ValueError:
        raise ValidationError(
            _("%(field)s「%(value)s」中的出生日期不存在"), code="id_number_birth_date", params=params
        ) from None
    if id_number_check_character(value[:17]) != value[17]:
        raise ValidationError(
            _("%(field)s「%(value)s」校验位不正确,请核对后重新填写"), code="id_number_check", params=params
        )
    return value


def normalize_phone(raw: str) -> str:
    value = (raw or "").translate(_FULL_WIDTH)
    value = re.sub(r"[\s()]", "", value)
    return value


def validate_phone(raw: str, *, label: str | None = None) -> str:
    """A mainland mobile (`13812345678`) or landline (`0371-65551234`, extension allowed).

    Returns the canonical form: eleven digits for a mobile, `area-number[-extension]` for a
    landline. Raises ValidationError naming the field and the masked value.
    """
    value = normalize_phone(raw)
    # People group mobile digits with hyphens (138-1234-5678); a landline's hyphens carry meaning.
    mobile = _MOBILE.match(value.replace("-", ""))
    if mobile:
        return mobile.group(1)
    landline = _LANDLINE.match(value)
    if landline:
        area, number, extension = landline.groups()
        return f"{area}-{number}" + (f"-{extension}" if extension else "")
    raise ValidationError(
        _("%(field)s「%(value)s」不是有效的手机号码或固定电话(例如 13812345678 或 0371-65551234)"),
        code="phone",
        params={"field": label or str(_("联系电话")), "value": mask_phone(value)},
    )
