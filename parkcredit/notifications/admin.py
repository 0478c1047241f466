from django.contrib import admin

from parkcredit.notifications.models import Delivery, Notification, Subscription


@admin.register(Notification)
class NotificationAdmin(admin.ModelAdmin[Notification]):
    list_display = ("title", "recipient", "kind", "severity", "created_at", "read_at")
    list_filter = ("kind", "severity")
    readonly_fields = ("created_at",)


@admin.register(Subscription)
class SubscriptionAdmin(admin.ModelAdmin[Subscription]):
    list_display = ("user", "channel", "min_severity", "enabled")
    exclude = ("secret",)


@admin.register(Delivery)
class DeliveryAdmin(admin.ModelAdmin[Delivery]):
    list_display = ("notification", "channel", "state", "attempts", "created_at", "sent_at")
    list_filter = ("channel", "state")
