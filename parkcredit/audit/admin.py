"""The audit log in the admin: read-only for everyone, superusers included (append-only log)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from parkcredit.audit.models import AuditChainHead, AuditEntry


class _ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(AuditEntry)
class AuditEntryAdmin(_ReadOnlyAdmin):
    list_display = ("seq", "at", "actor_label", "action", "object_type", "object_id", "ip", "outcome")
    list_filter = ("outcome",)
    search_fields = ("action", "actor_label", "object_type", "object_id")
    date_hierarchy = "at"
    actions = None


@admin.register(AuditChainHead)
class AuditChainHeadAdmin(_ReadOnlyAdmin):
    list_display = ("id", "last_seq", "last_hash")
    actions = None
