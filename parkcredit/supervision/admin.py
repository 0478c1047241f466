"""Admin for the item list and the inspector directory (audited saves, no deletion).

Conflicts of interest are registered on the inspector directory page (audited service), not here.
"""

from django.contrib import admin

from parkcredit.records.admin import AuditedAdmin
from parkcredit.supervision.models import InspectionItem, Inspector


@admin.register(InspectionItem)
class InspectionItemAdmin(AuditedAdmin):
    list_display = ("code", "name", "department", "method", "is_key", "is_active")
    list_filter = ("department", "is_key", "is_active")


@admin.register(Inspector)
class InspectorAdmin(AuditedAdmin):
    list_display = ("name", "badge_no", "department", "is_active")
    list_filter = ("department", "is_active")
    raw_id_fields = ("user",)
