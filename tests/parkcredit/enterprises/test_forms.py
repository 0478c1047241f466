"""The archive form: Chinese errors naming field and value, personal values masked, tags with
the 新业态 tolerance period, and the shape handed to the services."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.core.exceptions import ValidationError

from parkcredit.common.forms import apply_service_errors
from parkcredit.enterprises.forms import EnterpriseForm
from parkcredit.enterprises.models import Enterprise, EnterpriseTag
from parkcredit.enterprises.services import TagValue, _save
from tests import factories as f

pytestmark = pytest.mark.django_db


def _data(**overrides: Any) -> dict[str, Any]:
    data = {"uscc": f.make_uscc(), "name": "己企业", "status": "operating"}
    data.update(overrides)
    return data


def _messages(form: EnterpriseForm, field: str) -> str:
    return " ".join(form.errors.get(field, []))


def test_minimal_form_is_valid_and_normalises_the_uscc() -> None:
    uscc = f.make_uscc()
    form = EnterpriseForm(_data(uscc=f"{uscc[:9].lower()} {uscc[9:]}"))
    assert form.is_valid(), form.errors
    data = form.service_data()
    assert data["uscc"] == uscc
    assert data["tags"] == []
    assert data["legal_representative_id_number"] == "" and data["contact_phone"] == ""
    assert "clear_contact_phone" not in form.fields  # nothing to clear on a new entry


def test_invalid_uscc_error_names_field_and_value() -> None:
    form = EnterpriseForm(_data(uscc="91410000ABC"))
    assert not form.is_valid()
    message = _messages(form, "uscc")
    assert "统一社会信用代码「91410000ABC」" in message
    assert "长度应为18位" in message


def test_legacy_uscc_is_valid_with_warnings() -> None:
    form = EnterpriseForm(_data(uscc="91350211M0000XUF46"))
    assert form.is_valid(), form.errors
    assert form.uscc_warnings


def test_builtin_errors_get_field_and_value() -> None:
    form = EnterpriseForm(
        _data(founded_on="2020-13-45", registered_capital="-5", industry_code="34C", name="", size="giant")
    )
    assert not form.is_valid()
    assert _messages(form, "founded_on").startswith("成立日期「2020-13-45」:")
    assert _messages(form, "registered_capital").startswith("注册资本(元)「-5」:")
    assert _messages(form, "industry_code").startswith("国民经济行业代码「34C」:")
    assert _messages(form, "name").startswith("企业名称:")
    assert "企业规模「giant」" in _messages(form, "size")
    assert "is-invalid" in form.fields["founded_on"].widget.attrs["class"]


def test_personal_values_are_masked_in_errors() -> None:
    form = EnterpriseForm(
        _data(legal_representative_id_number="110105194912310021", contact_phone="19912345")
    )
    assert not form.is_valid()
    id_message = _messages(form, "legal_representative_id_number")
    assert "110***********0021" in id_message and "110105194912310021" not in id_message
    phone_message = _messages(form, "contact_phone")
    assert "联系电话" in phone_message and "19912345" not in phone_message


def test_too_long_personal_value_is_masked_by_the_mixin() -> None:
    raw = "1" * 31
    form = EnterpriseForm(_data(contact_phone=raw))
    assert not form.is_valid()
    assert raw not in _messages(form, "contact_phone")
    assert "111*" in _messages(form, "contact_phone")


def test_tolerance_period_checks() -> None:
    form = EnterpriseForm(
        _data(tags=["new_economy"], new_economy_since="2026-01-01", new_economy_until="2025-01-01")
    )
    assert not form.is_valid()
    assert "早于包容期起" in _messages(form, "new_economy_until")
    form = EnterpriseForm(_data(tags=["gazelle"], new_economy_since="2026-01-01"))
    assert not form.is_valid()
    assert "新业态" in _messages(form, "tags")


def test_edit_form_keeps_other_tags_dates_and_prefills_without_personal_data(ent_a: Enterprise) -> None:
    ent_a.legal_representative_id_number = "11010519491231002X"
    ent_a.save()
    EnterpriseTag.objects.create(
        enterprise=ent_a, tag="gazelle", since=date(2023, 5, 1), until=date(2026, 4, 30)
    )
    EnterpriseTag.objects.create(
        enterprise=ent_a, tag="new_economy", since=date(2024, 1, 1), until=date(2026, 12, 31)
    )
    unbound = EnterpriseForm(enterprise=ent_a)
    assert unbound.initial["name"] == ent_a.name
    assert set(unbound.initial["tags"]) == {"gazelle", "new_economy"}
    assert unbound.initial["new_economy_until"] == date(2026, 12, 31)
    assert "legal_representative_id_number" not in unbound.initial
    assert (
        unbound.fields["legal_representative_id_number"].widget.attrs["placeholder"] == "110***********002X"
    )
    assert "clear_legal_representative_id_number" in unbound.fields
    assert "clear_contact_phone" not in unbound.fields  # no phone on file
    form = EnterpriseForm(
        _data(
            uscc=ent_a.uscc,
            name=ent_a.name,
            tags=["gazelle", "new_economy", "unicorn"],
            new_economy_since="2024-01-01",
            new_economy_until="2025-12-31",
        ),
        enterprise=ent_a,
    )
    assert form.is_valid(), form.errors
    data = form.service_data()
    assert "legal_representative_id_number" not in data  # empty input keeps the stored value
    assert data["tags"] == [
        TagValue("gazelle", date(2023, 5, 1), date(2026, 4, 30)),
        TagValue("new_economy", date(2024, 1, 1), date(2025, 12, 31)),
        TagValue("unicorn"),
    ]


def test_attach_puts_service_errors_where_they_belong() -> None:
    form = EnterpriseForm(_data())
    assert form.is_valid()
    apply_service_errors(form, ValidationError({"uscc": ["重复"], "uscc_legacy": ["内部"]}))
    apply_service_errors(form, ValidationError("整体错误"))
    assert form.errors["uscc"] == ["重复"]
    assert "内部" in form.non_field_errors() and "整体错误" in form.non_field_errors()


def test_save_turns_a_lost_race_into_the_duplicate_message(ent_a: Enterprise) -> None:
    # Two requests passed the duplicate check together; the second insert hits the constraint.
    twin = Enterprise(uscc=ent_a.uscc, name="双胞胎企业")
    with pytest.raises(ValidationError) as error:
        _save(twin)
    assert ent_a.name in error.value.message_dict["uscc"][0]


def test_unknown_tag_is_named_with_the_typed_values() -> None:
    form = EnterpriseForm(_data(tags=["gazelle", "famous"]))
    assert not form.is_valid()
    assert _messages(form, "tags").startswith("企业标签「gazelle、famous」:")


def test_form_wide_errors_are_left_as_they_are() -> None:
    from django import forms

    from parkcredit.enterprises.form_errors import NamedErrorsMixin

    class Sample(NamedErrorsMixin, forms.Form):
        note = forms.CharField(label="备注", max_length=3)

        def clean(self) -> dict[str, Any]:
            raise ValidationError("整张表单有误")

    form = Sample({"note": "x" * 60})
    assert not form.is_valid()
    assert form.non_field_errors() == ["整张表单有误"]
    [message] = form.errors["note"]
    assert message.startswith("备注「" + "x" * 40 + "…」:")
