from django.contrib import admin

from parkcredit.alerts.models import Alert, AlertRule, AlertRun, BuildingPosition


@admin.register(AlertRule)
class AlertRuleAdmin(admin.ModelAdmin[AlertRule]):
    list_display = ("code", "name", "family", "severity", "enabled")
    filter_horizontal = ("recipients",)


@admin.register(Alert)
class AlertAdmin(admin.ModelAdmin[Alert]):
    list_display = (
        "enterprise",
        "region_level",
        "region_key",
        "rule",
        "severity",
        "state",
        "opened_at",
        "due_on",
    )
    list_filter = ("state", "severity", "region_level", "rule")


@admin.register(AlertRun)
class AlertRunAdmin(admin.ModelAdmin[AlertRun]):
    list_display = ("started_at", "as_of", "hits", "opened", "grouped", "notified", "seconds")


@admin.register(BuildingPosition)
class BuildingPositionAdmin(admin.ModelAdmin[BuildingPosition]):
    list_display = ("building", "x", "y")
