from django.contrib import admin

from parkcredit.objections.models import Objection


@admin.register(Objection)
class ObjectionAdmin(admin.ModelAdmin[Objection]):
    """Read-only view for the site administrator; objections change only through the services."""

    list_display = ("pk", "enterprise", "record", "state", "due_on", "responsible")
    list_filter = ("state", "track")

    def has_add_permission(self, request: object) -> bool:
        return False

    def has_change_permission(self, request: object, obj: object = None) -> bool:
        return False

    def has_delete_permission(self, request: object, obj: object = None) -> bool:
        return False
