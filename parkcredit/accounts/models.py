"""Organisations, users and their roles, and the login attempts behind lock-out."""

from __future__ import annotations

from django.contrib.auth.models import AbstractUser
from django.db import models
from django.utils.translation import gettext_lazy as _


class OrganisationKind(models.TextChoices):
    PARK_DEPARTMENT = "park_department", _("园区部门")
    ENTERPRISE = "enterprise", _("企业")
    BANK = "bank", _("金融机构")


class Organisation(models.Model):
    """A park department, an enterprise or a bank; every user belongs to one.

    An enterprise organisation is linked to its archive entry, which is what scopes an
    enterprise user's view to its own file.
    """

    name = models.CharField(_("名称"), max_length=200, unique=True)
    kind = models.CharField(_("类型"), max_length=32, choices=OrganisationKind.choices)
    code = models.SlugField(_("编码"), max_length=64, unique=True)
    is_lead = models.BooleanField(_("牵头部门"), default=False)
    enterprise = models.OneToOneField(
        "enterprises.Enterprise",
        verbose_name=_("对应企业"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="organisation",
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("组织")
        verbose_name_plural = _("组织")
        ordering = ["kind", "name"]
        constraints = [
            models.CheckConstraint(
                condition=models.Q(kind="enterprise", enterprise__isnull=False)
                | ~models.Q(kind="enterprise"),
                name="organisation_enterprise_linked",
            )
        ]

    def __str__(self) -> str:
        return self.name


class Role(models.TextChoices):
    PARK_ADMIN = "park_admin", _("园区管理员")
    DEPT_STAFF = "dept_staff", _("部门工作人员")
    INSPECTOR = "inspector", _("执法检查人员")
    ENTERPRISE = "enterprise", _("企业用户")
    BANK = "bank", _("金融机构用户")
    # 三员分立 (等保 level 3): none of these three sees enterprise data.
    SYSTEM_ADMIN = "system_admin", _("系统管理员")
    SECURITY_ADMIN = "security_admin", _("安全管理员")
    AUDITOR = "auditor", _("安全审计员")


# Park roles that see the whole archive.
PARK_ROLES = frozenset({Role.PARK_ADMIN, Role.DEPT_STAFF, Role.INSPECTOR})
# Park roles that may change the archive.
ARCHIVE_EDITOR_ROLES = frozenset({Role.PARK_ADMIN, Role.DEPT_STAFF})
# The organisation kind each role must belong to.
ROLE_ORGANISATION_KIND: dict[str, str] = {
    Role.PARK_ADMIN: OrganisationKind.PARK_DEPARTMENT,
    Role.DEPT_STAFF: OrganisationKind.PARK_DEPARTMENT,
    Role.INSPECTOR: OrganisationKind.PARK_DEPARTMENT,
    Role.SYSTEM_ADMIN: OrganisationKind.PARK_DEPARTMENT,
    Role.SECURITY_ADMIN: OrganisationKind.PARK_DEPARTMENT,
    Role.AUDITOR: OrganisationKind.PARK_DEPARTMENT,
    Role.ENTERPRISE: OrganisationKind.ENTERPRISE,
    Role.BANK: OrganisationKind.BANK,
}


class User(AbstractUser):
    """A person with one account and one role in one organisation (one person per account)."""

    full_name = models.CharField(_("姓名"), max_length=100, blank=True)
    organisation = models.ForeignKey(
        Organisation,
        verbose_name=_("所属组织"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="users",
    )
    role = models.CharField(_("角色"), max_length=32, choices=Role.choices)
    password_changed_at = models.DateTimeField(_("密码修改时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("用户")
        verbose_name_plural = _("用户")
        ordering = ["username"]

    def __str__(self) -> str:
        return self.full_name or self.username

    @property
    def is_park_user(self) -> bool:
        return self.role in PARK_ROLES

    @property
    def can_edit_archive(self) -> bool:
        return self.role in ARCHIVE_EDITOR_ROLES

    @property
    def enterprise_id(self) -> int | None:
        """The enterprise an enterprise user acts for, else None."""
        if self.role != Role.ENTERPRISE or self.organisation is None:
            return None
        return self.organisation.enterprise_id


class LoginAttempt(models.Model):
    """One login attempt, kept to lock out brute force by username and by client address.

    Attempts are recorded for usernames that do not exist too, so lock-out behaves the same for
    every name and reveals nothing about which accounts exist.
    """

    username = models.CharField(_("用户名"), max_length=150, db_index=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    at = models.DateTimeField(_("时间"), db_index=True)
    succeeded = models.BooleanField(_("成功"))

    class Meta:
        verbose_name = _("登录尝试")
        verbose_name_plural = _("登录尝试")
        indexes = [models.Index(fields=["username", "at"])]

    def __str__(self) -> str:
        return f"{self.username} {self.at:%Y-%m-%d %H:%M} {'成功' if self.succeeded else '失败'}"


class ApiToken(models.Model):
    """A bearer token for an integration; only its SM3 digest is stored."""

    user = models.ForeignKey(User, on_delete=models.CASCADE, related_name="api_tokens")
    name = models.CharField(_("名称"), max_length=100)
    digest = models.CharField(_("摘要"), max_length=64, unique=True)
    prefix = models.CharField(_("前缀"), max_length=12)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)
    last_used_at = models.DateTimeField(_("最近使用"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("吊销时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("接口令牌")
        verbose_name_plural = _("接口令牌")

    def __str__(self) -> str:
        return f"{self.name} ({self.prefix}…)"


class LockoutScope(models.TextChoices):
    USERNAME = "username", _("用户名")
    IP = "ip", _("来源地址")


class LockoutRelease(models.Model):
    """A security administrator ended a lock-out early.

    Failed attempts before the release no longer count for that username (or address); the
    attempts themselves stay untouched, so the security page still shows what happened.
    """

    scope = models.CharField(_("范围"), max_length=16, choices=LockoutScope.choices)
    value = models.CharField(_("用户名或地址"), max_length=150)
    at = models.DateTimeField(_("时间"))
    released_by = models.ForeignKey(
        User, verbose_name=_("解除人"), null=True, blank=True, on_delete=models.PROTECT, related_name="+"
    )

    class Meta:
        verbose_name = _("解除锁定")
        verbose_name_plural = _("解除锁定")
        indexes = [models.Index(fields=["scope", "value", "at"])]

    def __str__(self) -> str:
        return f"{self.get_scope_display()} {self.value}"
