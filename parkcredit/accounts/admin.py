"""Django admin for organisations and users.

The admin bypasses the services, so every save, delete and password reset made here writes its
own audit entry (等保 CES1-12); the admin views already run inside a transaction, so the change
and its entry commit together. Roles must still fit the organisation kind.
"""

from __future__ import annotations

from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.contrib.auth.forms import AdminUserCreationForm, UserChangeForm
from django.core.exceptions import ValidationError
from django.db import models, transaction
from django.http import HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parkcredit.accounts.models import ROLE_ORGANISATION_KIND, Organisation, OrganisationKind, Role, User
from parkcredit.audit.services import audit_log
from parkcredit.common.client import client_ip


class AuditedAdminMixin:
    """Audit entries `<noun>.created/updated/deleted` for changes made through the admin."""

    audit_noun = ""

    def _audit(self, request: HttpRequest, obj: models.Model, action: str, **detail: Any) -> None:
        audit_log(
            actor=request.user,
            action=f"{self.audit_noun}.{action}",
            obj=obj,
            detail={"via": "admin", "name": str(obj), **detail},
            ip=client_ip(request),
        )

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        super().save_model(request, obj, form, change)  # type: ignore[misc]
        self._audit(request, obj, "updated" if change else "created", changed=sorted(form.changed_data))

    def delete_model(self, request: HttpRequest, obj: Any) -> None:
        # Audit first: after the delete the object has no primary key to name.
        self._audit(request, obj, "deleted")
        super().delete_model(request, obj)  # type: ignore[misc]

    def delete_queryset(self, request: HttpRequest, queryset: Any) -> None:
        with transaction.atomic():
            for obj in queryset:
                self._audit(request, obj, "deleted")
            super().delete_queryset(request, queryset)  # type: ignore[misc]


@admin.register(Organisation)
class OrganisationAdmin(AuditedAdminMixin, admin.ModelAdmin[Organisation]):
    audit_noun = "organisation"
    list_display = ("name", "kind", "code", "is_lead", "enterprise")
    list_filter = ("kind", "is_lead")
    search_fields = ("name", "code")
    raw_id_fields = ("enterprise",)


def _check_role_organisation(cleaned: dict[str, Any]) -> None:
    role, organisation = cleaned.get("role"), cleaned.get("organisation")
    if not role:
        return
    if organisation is None:
        raise ValidationError({"organisation": _("请选择所属组织")})
    expected = ROLE_ORGANISATION_KIND[role]
    if organisation.kind != expected:
        raise ValidationError(
            {
                "organisation": _("角色 “%(role)s” 只能属于 “%(expected)s” 类组织,所选组织 “%(org)s” 不符")
                % {
                    "role": Role(role).label,
                    "expected": OrganisationKind(expected).label,
                    "org": organisation.name,
                }
            }
        )


class UserAdminChangeForm(UserChangeForm):  # type: ignore[type-arg]
    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_role_organisation(cleaned)
        return cleaned


class UserAdminCreationForm(AdminUserCreationForm):  # type: ignore[type-arg]
    class Meta(AdminUserCreationForm.Meta):
        model = User
        fields = ("username", "full_name", "role", "organisation")

    def clean(self) -> dict[str, Any]:
        cleaned = super().clean() or {}
        _check_role_organisation(cleaned)
        return cleaned


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):  # type: ignore[type-arg]
    audit_noun = "user"
    form = UserAdminChangeForm
    add_form = UserAdminCreationForm
    list_display = ("username", "full_name", "role", "organisation", "is_active", "last_login")
    list_filter = ("role", "is_active", "organisation__kind")
    search_fields = ("username", "full_name", "email")
    fieldsets = (
        (None, {"fields": ("username", "password")}),
        (_("身份与角色"), {"fields": ("full_name", "email", "role", "organisation")}),
        (_("状态"), {"fields": ("is_active", "is_staff", "is_superuser", "groups", "user_permissions")}),
        (_("时间"), {"fields": ("last_login", "date_joined", "password_changed_at")}),
    )
    add_fieldsets = (
        (
            None,
            {
                "classes": ("wide",),
                "fields": (
                    "username",
                    "full_name",
                    "role",
                    "organisation",
                    "usable_password",
                    "password1",
                    "password2",
                ),
            },
        ),
    )
    readonly_fields = ("last_login", "date_joined", "password_changed_at")

    def save_model(self, request: HttpRequest, obj: Any, form: Any, change: bool) -> None:
        if change and {"role", "organisation"} & set(form.changed_data):
            super(AuditedAdminMixin, self).save_model(request, obj, form, change)
            self._audit(request, obj, "role_changed", role=obj.role, changed=sorted(form.changed_data))
            return
        super().save_model(request, obj, form, change)

    def user_change_password(self, request: HttpRequest, id: str, form_url: str = "") -> HttpResponse:
        try:
            pk = int(id)
        except ValueError:
            return super().user_change_password(request, id, form_url)
        with transaction.atomic():
            before = User.objects.filter(pk=pk).values_list("password", flat=True).first()
            response = super().user_change_password(request, id, form_url)
            user = User.objects.filter(pk=pk).first()
            if user is not None and before is not None and user.password != before:
                own = user.pk == request.user.pk
                # A password set by an administrator is an initial one: the owner must change it.
                user.password_changed_at = timezone.now() if own else None
                user.save(update_fields=["password_changed_at"])
                audit_log(
                    actor=request.user,
                    action="auth.password_changed" if own else "auth.password_reset",
                    obj=user,
                    detail={"via": "admin", "username": user.username},
                    ip=client_ip(request),
                )
        return response
