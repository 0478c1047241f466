"""Writes to the enterprise archive: creating and updating archive entries and their tags.

Only archive editors (park admin, department staff) write. The USCC is normalised and validated;
a legacy pilot code that fails the check character is accepted and flagged, never rejected. Each
write is one transaction with its audit entry. Personal data never enters the audit detail: the
detail says that such a field changed, not what it held.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from datetime import date
from decimal import Decimal
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, models, transaction
from django.utils.translation import gettext as _

from creditcore.uscc import validate as validate_uscc
from parkcredit.accounts.models import ARCHIVE_EDITOR_ROLES
from parkcredit.audit.services import audit_log
from parkcredit.enterprises.models import Enterprise, EnterpriseTag, TagKind
from parkcredit.enterprises.validators import validate_id_number, validate_phone

# Fields a caller may set, in form order. `uscc_legacy` is derived from the USCC check.
ARCHIVE_FIELDS = (
    "uscc",
    "name",
    "legal_representative",
    "legal_representative_id_number",
    "contact_phone",
    "registered_capital",
    "founded_on",
    "industry_code",
    "industry_name",
    "cluster",
    "size",
    "building",
    "address",
    "park_entry_on",
    "status",
    "in_park",
)
PERSONAL_FIELDS = frozenset({"legal_representative_id_number", "contact_phone"})
# What the audit detail holds instead of a personal-data value.
REDACTED = "redacted"


@dataclass(frozen=True, slots=True)
class TagValue:
    """A tag to hold, with its period (for 新业态, the tolerance period)."""

    tag: str
    since: date | None = None
    until: date | None = None


def _ensure_editor(actor: Any) -> None:
    if not (
        getattr(actor, "is_authenticated", False) and getattr(actor, "role", None) in ARCHIVE_EDITOR_ROLES
    ):
        raise PermissionDenied(_("只有园区管理员和部门工作人员可以修改企业档案"))


def _field_label(name: str) -> str:
    return str(getattr(Enterprise._meta.get_field(name), "verbose_name", name))


def _clean_uscc(raw: Any) -> tuple[str, bool, list[str]]:
    """(normalised code, legacy flag, warnings) or ValidationError on the `uscc` field."""
    result = validate_uscc(str(raw or ""))
    if result.valid or result.legacy:
        return result.normalized, bool(result.legacy), [str(w) for w in result.warnings]
    label = _field_label("uscc")
    messages = [str(error) for error in result.errors] or [_("不是有效的统一社会信用代码")]
    shown = str(raw or "").strip()
    raise ValidationError(
        {
            "uscc": [
                m
                if label in m
                else _("%(label)s「%(value)s」:%(message)s") % {"label": label, "value": shown, "message": m}
                for m in messages
            ]
        }
    )


def _clean_tags(raw_tags: Iterable[TagValue | Mapping[str, Any]]) -> dict[str, TagValue]:
    tags: dict[str, TagValue] = {}
    labels = dict(TagKind.choices)
    for raw in raw_tags:
        tag = raw if isinstance(raw, TagValue) else TagValue(raw["tag"], raw.get("since"), raw.get("until"))
        if tag.tag not in labels:
            raise ValidationError({"tags": [_("标签「%(tag)s」不存在") % {"tag": tag.tag}]})
        if tag.since is not None and tag.until is not None and tag.until < tag.since:
            raise ValidationError(
                {
                    "tags": [
                        _("标签「%(tag)s」的有效期至 %(until)s 早于认定日期 %(since)s")
                        % {"tag": labels[tag.tag], "until": tag.until, "since": tag.since}
                    ]
                }
            )
        tags[tag.tag] = tag
    return tags


def _clean(data: Mapping[str, Any], *, current: Enterprise | None) -> tuple[dict[str, Any], list[str]]:
    """Normalised field values from `data` (only the fields present) and the USCC warnings."""
    values = {name: data[name] for name in ARCHIVE_FIELDS if name in data}
    warnings: list[str] = []
    if current is None and not values.get("uscc"):
        raise ValidationError({"uscc": [_("统一社会信用代码:必须填写")]})
    if current is None and not values.get("name"):
        raise ValidationError({"name": [_("企业名称:必须填写")]})
    if "uscc" in values:
        values["uscc"], values["uscc_legacy"], warnings = _clean_uscc(values["uscc"])
        duplicate = Enterprise.objects.filter(uscc=values["uscc"])
        if current is not None:
            duplicate = duplicate.exclude(pk=current.pk)
        existing = duplicate.first()
        if existing is not None:
            raise ValidationError({"uscc": [_duplicate_message(values["uscc"], existing)]})
    for name, check in (
        ("legal_representative_id_number", validate_id_number),
        ("contact_phone", validate_phone),
    ):
        if values.get(name):
            try:
                values[name] = check(values[name], label=_field_label(name))
            except ValidationError as error:
                raise ValidationError({name: error.error_list}) from None
    for name in ("legal_representative_id_number", "contact_phone", "name", "legal_representative"):
        if name in values:
            values[name] = (values[name] or "").strip()
    return values, warnings


def _duplicate_message(uscc: str, existing: Enterprise) -> str:
    return _("统一社会信用代码「%(uscc)s」已登记为企业「%(name)s」(档案编号 %(pk)s),不能重复建档") % {
        "uscc": uscc,
        "name": existing.name,
        "pk": existing.pk,
    }


def _audit_value(value: Any) -> Any:
    if isinstance(value, models.Model):
        return str(value)
    if isinstance(value, date | Decimal):
        return str(value)
    return value


def _changes(before: Mapping[str, Any], after: Mapping[str, Any]) -> dict[str, Any]:
    changed: dict[str, Any] = {}
    for name, new in after.items():
        old = before.get(name)
        if old == new or (old in (None, "") and new in (None, "")):
            continue
        changed[name] = REDACTED if name in PERSONAL_FIELDS else [_audit_value(old), _audit_value(new)]
    return changed


def _snapshot(enterprise: Enterprise) -> dict[str, Any]:
    values = {name: getattr(enterprise, name) for name in (*ARCHIVE_FIELDS, "uscc_legacy")}
    values["tags"] = _tags_snapshot(enterprise.tags.all()) if enterprise.pk else []
    return values


def _tags_snapshot(tags: Iterable[EnterpriseTag | TagValue]) -> list[str]:
    return sorted(
        f"{t.tag}:{t.since.isoformat() if t.since else ''}~{t.until.isoformat() if t.until else ''}"
        for t in tags
    )


def _replace_tags(enterprise: Enterprise, tags: dict[str, TagValue]) -> None:
    enterprise.tags.exclude(tag__in=list(tags)).delete()
    for value in tags.values():
        EnterpriseTag.objects.update_or_create(
            enterprise=enterprise, tag=value.tag, defaults={"since": value.since, "until": value.until}
        )


def _save(enterprise: Enterprise) -> None:
    enterprise.full_clean(validate_unique=False)
    try:
        with transaction.atomic():
            enterprise.save()
    except IntegrityError:
        # Another request registered the same USCC between our check and our insert.
        existing = Enterprise.objects.filter(uscc=enterprise.uscc).exclude(pk=enterprise.pk).first()
        if existing is None:
            raise
        raise ValidationError({"uscc": [_duplicate_message(enterprise.uscc, existing)]}) from None


def enterprise_create(
    *, actor: Any, data: Mapping[str, Any], warnings: list[str] | None = None, ip: str | None = None
) -> Enterprise:
    """Open an archive entry (建档).

    `data` holds the fields of `ARCHIVE_FIELDS` (uscc and name required) and optionally `tags`,
    a list of `TagValue` or dicts. Raises PermissionDenied for non-editors and ValidationError,
    keyed by field, with Chinese messages naming field and value. USCC warnings (legacy code)
    are appended to `warnings` when given and always recorded in the audit entry; `ip` is the
    client address for the audit entry.
    """
    _ensure_editor(actor)
    values, uscc_warnings = _clean(data, current=None)
    tags = _clean_tags(data.get("tags") or [])
    with transaction.atomic():
        enterprise = Enterprise(**values)
        _save(enterprise)
        _replace_tags(enterprise, tags)
        after = {**values, "tags": _tags_snapshot(tags.values())}
        detail: dict[str, Any] = {"changed": _changes({}, after)}
        if uscc_warnings:
            detail["warnings"] = uscc_warnings
        audit_log(actor=actor, action="enterprise.created", obj=enterprise, detail=detail, ip=ip)
    if warnings is not None:
        warnings.extend(uscc_warnings)
    return enterprise


def enterprise_update(
    *,
    actor: Any,
    enterprise: Enterprise,
    data: Mapping[str, Any],
    warnings: list[str] | None = None,
    ip: str | None = None,
) -> Enterprise:
    """Change an archive entry. Only the fields present in `data` change; `tags`, when present,
    replaces the enterprise's tags as a set. Same errors and warnings as `enterprise_create`.
    A change of USCC to one already registered is refused, never merged or overwritten.
    """
    _ensure_editor(actor)
    values, uscc_warnings = _clean(data, current=enterprise)
    tags = _clean_tags(data["tags"]) if "tags" in data and data["tags"] is not None else None
    with transaction.atomic():
        locked = Enterprise.objects.select_for_update().get(pk=enterprise.pk)
        before = _snapshot(locked)
        for name, value in values.items():
            setattr(locked, name, value)
        _save(locked)
        if tags is not None:
            _replace_tags(locked, tags)
        after = {**values}
        if tags is not None:
            after["tags"] = _tags_snapshot(tags.values())
        changed = _changes(before, after)
        detail: dict[str, Any] = {"changed": changed}
        if uscc_warnings:
            detail["warnings"] = uscc_warnings
        audit_log(actor=actor, action="enterprise.updated", obj=locked, detail=detail, ip=ip)
    if warnings is not None:
        warnings.extend(uscc_warnings)
    return locked
