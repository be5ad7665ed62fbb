"""Registration applications (登记) at 编办 / 民政 / 市场监管 (domain.md §1)."""

from __future__ import annotations

from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.accounts.models import Authority, Role, jurisdiction_q
from tuoyu_portal.models import TimeStampedModel

from .institutions import Institution

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


class LegalNature(models.TextChoices):
    PUBLIC_INSTITUTION = "public_institution", _("事业单位")
    NONPROFIT = "nonprofit", _("社会服务机构（民办非企业单位）")
    FOR_PROFIT = "for_profit", _("营利性机构（企业/个体工商户）")


class CareMode(models.TextChoices):
    FULL_DAY = "full_day", _("全日托")
    HALF_DAY = "half_day", _("半日托")
    HOURLY = "hourly", _("计时托")
    TEMPORARY = "temporary", _("临时托")


class RegistrationStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交")
    RETURNED = "returned", _("已退回修改")
    APPROVED = "approved", _("已登记")
    REJECTED = "rejected", _("不予登记")
    CANCELLED = "cancelled", _("已注销登记")


class RegistrationQuerySet(models.QuerySet["Registration"]):
    def visible_to(self, user: User) -> Self:
        """Operators: their institutions'. Registrars: routed to their authority in their region.
        Other staff: their region (read-only use). Anyone else: nothing."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role == Role.REGISTRAR:
            return self.filter(jurisdiction_q(user, "region"), authority=user.authority)
        return self.filter(jurisdiction_q(user, "region", "institution"))

    def queue(self) -> Self:
        """Awaiting a registrar's decision, oldest first (the registrar queue)."""
        return self.filter(status=RegistrationStatus.SUBMITTED).order_by("submitted_at", "id")


class Registration(TimeStampedModel):  # type: ignore[django-manager-missing]  # events: pghistory's untyped event model
    Status = RegistrationStatus

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        Status.DRAFT: frozenset({Status.SUBMITTED}),
        Status.SUBMITTED: frozenset({Status.RETURNED, Status.REJECTED, Status.APPROVED}),
        Status.RETURNED: frozenset({Status.SUBMITTED}),
        Status.APPROVED: frozenset({Status.CANCELLED}),
        Status.REJECTED: frozenset(),
        Status.CANCELLED: frozenset(),
    }
    EDITABLE: ClassVar[frozenset[str]] = frozenset({Status.DRAFT, Status.RETURNED})

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="registrations", verbose_name=_("机构")
    )
    name = models.CharField(_("机构名称"), max_length=100)
    legal_nature = models.CharField(_("法人性质"), max_length=20, choices=LegalNature.choices)
    care_modes = ArrayField(
        models.CharField(max_length=10, choices=CareMode.choices),
        verbose_name=_("托育服务方式"),
        default=list,
    )
    business_scope = models.TextField(_("业务范围/经营范围"))
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在县（市、区）"),
    )
    address = models.CharField(_("住所/地址"), max_length=200)
    legal_representative_name = models.CharField(_("法定代表人（负责人）姓名"), max_length=50)
    legal_representative_id_encrypted = models.TextField(_("法定代表人身份证号（加密）"))
    legal_representative_id_hash = models.CharField(max_length=64, db_index=True)
    legal_representative_id_masked = models.CharField(_("法定代表人身份证号"), max_length=24)
    contact_phone = models.CharField(_("联系电话"), max_length=20)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    authority = models.CharField(_("登记机关"), max_length=10, choices=Authority.choices)
    status = models.CharField(
        _("状态"), max_length=12, choices=Status.choices, default=Status.DRAFT
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("决定时间"), null=True, blank=True)
    approved_on = models.DateField(_("登记日期"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    import_key = models.CharField(_("导入来源键"), max_length=64, blank=True)

    objects = RegistrationQuerySet.as_manager()

    class Meta:
        verbose_name = _("登记申请")
        verbose_name_plural = _("登记申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=RegistrationStatus.values), name="registration_status_valid"
            ),
            # At most one live (approved) registration per credit code.
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=Q(status="approved"),
                name="registration_one_approved_per_code",
            ),
        ]
        indexes = [
            # Serves the registrar queue: authority + region prefix, submitted, oldest first.
            models.Index(
                fields=["authority", "status", "submitted_at", "id"], name="registration_queue_idx"
            ),
            models.Index(fields=["region", "status"], name="registration_region_status_idx"),
        ]

    def __str__(self) -> str:
        return self.name

    def can_become(self, target: str) -> bool:
        return target in self.TRANSITIONS[self.status]


class RegistrationTransition(models.Model):
    """Insert-only history of a registration's status changes (style.md §6)."""

    registration = models.ForeignKey(
        Registration, on_delete=models.CASCADE, related_name="transitions"
    )
    from_status = models.CharField(max_length=12, blank=True)
    to_status = models.CharField(max_length=12)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("登记状态变更记录")
        verbose_name_plural = _("登记状态变更记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.registration_id}: {self.from_status}→{self.to_status}"
