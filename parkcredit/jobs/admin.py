"""Jobs in the admin: visible for diagnosis, never edited by hand (the worker owns their state)."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from parkcredit.jobs.models import Job


@admin.register(Job)
class JobAdmin(admin.ModelAdmin[Job]):
    list_display = ("title", "kind", "state", "progress_done", "progress_total", "created_by", "created_at")
    list_filter = ("state", "kind")
    search_fields = ("title", "kind")
    date_hierarchy = "created_at"

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False
