"""Django admin for the archive, for support staff: buildings are editable reference data;
enterprises, their tags and bank consents are read-only here, because changes to them must go
through the services, which validate USCCs and write the audit entry in the same transaction."""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from parkcredit.enterprises.models import BankConsent, Building, Enterprise, EnterpriseTag


@admin.register(Building)
class BuildingAdmin(admin.ModelAdmin[Building]):
    list_display = ("code", "name", "plot", "zone")
    search_fields = ("code", "name", "plot", "zone")
    list_filter = ("zone",)


class ReadOnlyAdminMixin:
    def has_add_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        # Records, relations and consents point at enterprises; an archive entry is closed by
        # its status (注销 / 迁出), never deleted.
        return False


class EnterpriseTagInline(ReadOnlyAdminMixin, admin.TabularInline[EnterpriseTag, Enterprise]):
    model = EnterpriseTag
    extra = 0


@admin.register(Enterprise)
class EnterpriseAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[Enterprise]):
    list_display = ("name", "uscc", "uscc_legacy", "cluster", "size", "building", "status", "in_park")
    list_filter = ("status", "in_park", "size", "uscc_legacy", "cluster")
    search_fields = ("name", "uscc")
    list_select_related = ("building",)
    inlines = (EnterpriseTagInline,)
    # Personal data is encrypted and shown masked on the archive pages; the admin never shows it.
    exclude = ("legal_representative_id_number", "contact_phone")


@admin.register(BankConsent)
class BankConsentAdmin(ReadOnlyAdminMixin, admin.ModelAdmin[BankConsent]):
    list_display = ("enterprise", "bank", "purpose", "granted_at", "expires_on", "revoked_at")
    list_filter = ("bank",)
    search_fields = ("enterprise__name", "enterprise__uscc", "bank__name")
    list_select_related = ("enterprise", "bank")
