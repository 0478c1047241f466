"""The enterprise archive (一企一档): one row per enterprise, its park location and its tags."""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from parkcredit.common.fields import EncryptedTextField

if TYPE_CHECKING:
    from parkcredit.accounts.models import User


class Building(models.Model):
    """A building or plot of the park: the unit of the park map and regional roll-ups."""

    code = models.CharField(_("编号"), max_length=32, unique=True)
    name = models.CharField(_("名称"), max_length=100)
    plot = models.CharField(_("地块"), max_length=64, blank=True)
    zone = models.CharField(_("片区"), max_length=64, blank=True)

    class Meta:
        verbose_name = _("楼宇地块")
        verbose_name_plural = _("楼宇地块")
        ordering = ["code"]

    def __str__(self) -> str:
        return f"{self.code} {self.name}"


class EnterpriseSize(models.TextChoices):
    LARGE = "large", _("大型")
    MEDIUM = "medium", _("中型")
    SMALL = "small", _("小型")
    MICRO = "micro", _("微型")


class EnterpriseStatus(models.TextChoices):
    OPERATING = "operating", _("在营")
    SUSPENDED = "suspended", _("停业")
    MOVED_OUT = "moved_out", _("迁出")
    CANCELLED = "cancelled", _("注销")
    REVOKED = "revoked", _("吊销")


class TagKind(models.TextChoices):
    HIGH_TECH = "high_tech", _("高新技术企业")
    SPECIALISED = "specialised", _("专精特新")
    GAZELLE = "gazelle", _("瞪羚企业")
    UNICORN = "unicorn", _("独角兽企业")
    NEW_ECONOMY = "new_economy", _("新业态")


class EnterpriseQuerySet(models.QuerySet["Enterprise"]):
    def visible_to(self, actor: Any) -> EnterpriseQuerySet:
        """The enterprises `actor` may see: the row scope every list and detail starts from.

        Park roles see the whole archive; an enterprise user sees its own enterprise; a bank user
        sees enterprises with an active consent to that bank; everyone else sees nothing.
        """
        from parkcredit.accounts.models import PARK_ROLES, Role

        user: User | None = actor if getattr(actor, "is_authenticated", False) else None
        if user is None or not user.is_active:
            return self.none()
        if user.role in PARK_ROLES:
            return self.all()
        if user.role == Role.ENTERPRISE and user.enterprise_id is not None:
            return self.filter(pk=user.enterprise_id)
        if user.role == Role.BANK and user.organisation_id is not None:
            today = timezone.localdate()
            consents = BankConsent.objects.filter(
                bank_id=user.organisation_id, revoked_at__isnull=True
            ).filter(models.Q(expires_on__isnull=True) | models.Q(expires_on__gte=today))
            return self.filter(pk__in=consents.values("enterprise_id"))
        return self.none()


class Enterprise(models.Model):
    """One enterprise's archive entry (一企一档), matched on its USCC.

    Subjects outside the park (prospects, counterparties of park enterprises) live here too with
    `in_park=False`, so relations and records can point at them before they arrive.
    """

    uscc = models.CharField(_("统一社会信用代码"), max_length=18, unique=True)
    uscc_legacy = models.BooleanField(
        _("历史试点代码"), default=False, help_text=_("未通过校验位检查但合法有效的早期试点代码")
    )
    name = models.CharField(_("企业名称"), max_length=200, db_index=True)
    legal_representative = models.CharField(_("法定代表人"), max_length=100, blank=True)
    legal_representative_id_number = EncryptedTextField(_("法定代表人身份证号"), blank=True)
    contact_phone = EncryptedTextField(_("联系电话"), blank=True)
    registered_capital = models.DecimalField(
        _("注册资本(元)"), max_digits=18, decimal_places=2, null=True, blank=True
    )
    founded_on = models.DateField(_("成立日期"), null=True, blank=True)
    industry_code = models.CharField(_("国民经济行业代码"), max_length=5, blank=True)
    industry_name = models.CharField(_("行业名称"), max_length=100, blank=True)
    cluster = models.CharField(_("产业集群"), max_length=64, blank=True, db_index=True)
    size = models.CharField(_("企业规模"), max_length=16, choices=EnterpriseSize.choices, blank=True)
    building = models.ForeignKey(
        Building,
        verbose_name=_("楼宇地块"),
        null=True,
        blank=True,
        on_delete=models.PROTECT,
        related_name="enterprises",
    )
    address = models.CharField(_("经营地址"), max_length=200, blank=True)
    park_entry_on = models.DateField(_("入园日期"), null=True, blank=True)
    status = models.CharField(
        _("经营状态"), max_length=16, choices=EnterpriseStatus.choices, default=EnterpriseStatus.OPERATING
    )
    in_park = models.BooleanField(_("园区企业"), default=True)
    created_at = models.DateTimeField(_("建档时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)

    objects = EnterpriseQuerySet.as_manager()

    class Meta:
        verbose_name = _("企业档案")
        verbose_name_plural = _("企业档案")
        ordering = ["name"]

    def __str__(self) -> str:
        return self.name


class EnterpriseTag(models.Model):
    """A tag an enterprise holds for a period (e.g. 新业态 with its 2-3 year tolerance period)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="tags")
    tag = models.CharField(_("标签"), max_length=32, choices=TagKind.choices)
    since = models.DateField(_("认定日期"), null=True, blank=True)
    until = models.DateField(_("有效期至"), null=True, blank=True)

    class Meta:
        verbose_name = _("企业标签")
        verbose_name_plural = _("企业标签")
        constraints = [models.UniqueConstraint(fields=["enterprise", "tag"], name="enterprise_tag_unique")]

    def __str__(self) -> str:
        return self.get_tag_display()


class BankConsent(models.Model):
    """An enterprise's authorisation for one bank to read its credit file (企业授权查询)."""

    enterprise = models.ForeignKey(Enterprise, on_delete=models.CASCADE, related_name="bank_consents")
    bank = models.ForeignKey(
        "accounts.Organisation",
        on_delete=models.PROTECT,
        related_name="consents",
        limit_choices_to={"kind": "bank"},
    )
    purpose = models.CharField(_("用途"), max_length=200)
    granted_at = models.DateTimeField(_("授权时间"))
    expires_on = models.DateField(_("授权截止"), null=True, blank=True)
    revoked_at = models.DateTimeField(_("撤回时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("银行查询授权")
        verbose_name_plural = _("银行查询授权")

    def __str__(self) -> str:
        return f"{self.enterprise} → {self.bank}"
