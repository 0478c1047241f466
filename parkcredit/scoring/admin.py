"""Read-only admin views of scoring: every change goes through the governance services."""

from __future__ import annotations

from typing import Any

from django.contrib import admin

from parkcredit.scoring.models import Score, ScoringModel, ScoringRun


class ReadOnlyAdmin(admin.ModelAdmin):  # type: ignore[type-arg]
    """Scores and model versions are evidence; the admin may look but never edit."""

    def has_add_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: Any, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: Any, obj: Any = None) -> bool:
        return False


@admin.register(ScoringModel)
class ScoringModelAdmin(ReadOnlyAdmin):
    list_display = ("code", "version", "name", "state", "created_by", "approved_by", "published_at")
    list_filter = ("state",)


@admin.register(ScoringRun)
class ScoringRunAdmin(ReadOnlyAdmin):
    list_display = ("id", "kind", "as_of", "model", "state", "enterprises", "started_at", "finished_at")
    list_filter = ("kind", "state")


@admin.register(Score)
class ScoreAdmin(ReadOnlyAdmin):
    list_display = ("enterprise", "as_of", "score", "grade", "model", "is_current")
    list_filter = ("grade", "is_current")
    raw_id_fields = ("enterprise", "run", "model")
