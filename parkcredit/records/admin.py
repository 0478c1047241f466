"""Admin for the ledger: the catalogue and sources are editable, everything else is read-only.

Ledger rows (records, events) are append-only, so the admin offers no add, change or delete for
them: a correction goes through the services as a new event. Saves of catalogue entries and
data sources write an audit entry, since they change what the platform collects and how.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.db import transaction
from django.forms import ModelForm
from django.http import HttpRequest

from parkcredit.audit.services import audit_log
from parkcredit.common.client import client_ip
from parkcredit.records.models import (
    CreditRecord,
    DataSource,
    ImportBatch,
    Observation,
    RecordEvent,
    RecordKind,
    Relation,
)


class AuditedAdmin(admin.ModelAdmin[Any]):
    """Writes `<model>.created` / `<model>.changed` audit entries with the changed fields."""

    # Deleting a catalogue entry or a source would orphan history; deactivate a kind instead.
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def save_model(self, request: HttpRequest, obj: Any, form: ModelForm[Any], change: bool) -> None:
        model = type(obj)
        with transaction.atomic():
            # Compare stored values, not form.changed_data: the admin's JSON widgets report an
            # unchanged empty list as changed, and the audit trail must say what really changed.
            before = model.objects.filter(pk=obj.pk).values().first() if change else None
            super().save_model(request, obj, form, change)
            after = model.objects.filter(pk=obj.pk).values().first() or {}
            changed = sorted(k for k, v in after.items() if before is not None and before.get(k) != v)
            audit_log(
                actor=request.user,
                action=f"{obj._meta.model_name}.{'changed' if change else 'created'}",
                obj=obj,
                detail={"code": getattr(obj, "code", ""), "changed_fields": changed, "via": "admin"},
                ip=client_ip(request),
            )


class ReadOnlyAdmin(admin.ModelAdmin[Any]):
    """View-only: rows are written by the services, never by hand."""

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(RecordKind)
class RecordKindAdmin(AuditedAdmin):
    list_display = ("code", "name", "category", "polarity", "has_amount", "is_active")
    list_filter = ("category", "polarity", "is_active")
    search_fields = ("code", "name")
    ordering = ("category", "code")


@admin.register(DataSource)
class DataSourceAdmin(AuditedAdmin):
    list_display = ("code", "name", "kind", "organisation")
    list_filter = ("kind",)
    search_fields = ("code", "name")


@admin.register(ImportBatch)
class ImportBatchAdmin(ReadOnlyAdmin):
    list_display = ("label", "source", "created_by", "created_at", "rows_written")
    list_filter = ("source",)
    list_select_related = ("source", "created_by")


class RecordEventInline(admin.TabularInline[Any, Any]):
    model = RecordEvent
    fields = ("event_type", "at", "actor", "note", "recorded_at")
    readonly_fields = fields
    extra = 0
    can_delete = False

    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(CreditRecord)
class CreditRecordAdmin(ReadOnlyAdmin):
    list_display = ("source_ref", "enterprise", "kind", "severity", "decided_on", "amount", "source")
    list_filter = ("kind__category", "kind", "severity", "source")
    search_fields = ("source_ref", "enterprise__name", "enterprise__uscc")
    list_select_related = ("enterprise", "kind", "source")
    date_hierarchy = "decided_on"
    inlines = (RecordEventInline,)


@admin.register(RecordEvent)
class RecordEventAdmin(ReadOnlyAdmin):
    list_display = ("record", "event_type", "at", "actor", "recorded_at")
    list_filter = ("event_type",)
    list_select_related = ("record__kind", "actor")
    search_fields = ("record__source_ref",)


@admin.register(Observation)
class ObservationAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "metric", "period", "value", "due_on", "settled_on", "source")
    list_filter = ("metric", "source")
    list_select_related = ("enterprise", "source")
    search_fields = ("enterprise__name", "enterprise__uscc")


@admin.register(Relation)
class RelationAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "relation_type", "counterparty", "weight", "valid_from", "valid_to")
    list_filter = ("relation_type",)
    list_select_related = ("enterprise", "counterparty")
