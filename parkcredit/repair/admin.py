"""Read-only admin views of repair rules and calendar days: changes go through the audited pages."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from parkcredit.repair.models import CalendarDay, RepairRuleSet


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Rule versions and calendar days are changed only through the services (audit, review)."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(RepairRuleSet)
class RepairRuleSetAdmin(ReadOnlyAdmin):
    list_display = ("effective_from", "version", "name", "state", "created_by", "decided_by", "created_at")
    list_filter = ("state",)


@admin.register(CalendarDay)
class CalendarDayAdmin(ReadOnlyAdmin):
    list_display = ("day", "kind", "name", "basis", "created_by")
    list_filter = ("kind",)
