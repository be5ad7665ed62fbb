"""Filings (备案) with the county health bureau: the 备案书 facts and the review workflow."""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, Any, ClassVar, Self

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.accounts.models import jurisdiction_q
from tuoyu_portal.models import TimeStampedModel

from .institutions import Institution
from .registrations import CareMode, Registration

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


class FilingStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待审核")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("需补正材料")
    FILED = "filed", _("已备案")
    NONCONFORMING = "nonconforming", _("不符合设置标准")
    CLOSING = "closing", _("注销中")
    DEREGISTERED = "deregistered", _("已注销备案")


class ClassType(models.TextChoices):
    INFANT = "infant", _("乳儿班（6—12个月）")
    YOUNG_TODDLER = "young_toddler", _("托小班（12—24个月）")
    OLDER_TODDLER = "older_toddler", _("托大班（24—36个月）")
    MIXED = "mixed", _("混合班（18个月以上）")


class SiteTenure(models.TextChoices):
    OWNED = "owned", _("自有产权")
    LEASED = "leased", _("租赁")


class Meals(models.TextChoices):
    NONE = "none", _("不提供膳食")
    ON_SITE = "on_site", _("自行加工")
    DELIVERED = "delivered", _("外送配餐")


class FilingQuerySet(models.QuerySet["Filing"]):
    def visible_to(self, user: User) -> Self:
        """Operators: their institutions'. Staff: their region and below. Others: nothing."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(jurisdiction_q(user, "region", "institution"))

    def public(self) -> Self:
        """What the public register shows (api.md "Public")."""
        return self.filter(status__in=Filing.PUBLIC_STATUSES)

    def review_queue(self) -> Self:
        return self.filter(status=FilingStatus.SUBMITTED).order_by("received_at", "id")


def suspension_in_force(summary: dict[str, Any] | None, today: date | None = None) -> bool:
    """A stored suspension summary is in force until its end date (none: until lifted)."""
    if not summary:
        return False
    until = summary.get("until")
    return not until or date.fromisoformat(until) >= (today or timezone.localdate())


class Filing(TimeStampedModel):  # type: ignore[django-manager-missing]  # events: pghistory's untyped event model
    Status = FilingStatus

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        FilingStatus.DRAFT: frozenset({FilingStatus.SUBMITTED, FilingStatus.DEREGISTERED}),
        FilingStatus.SUBMITTED: frozenset(
            {FilingStatus.SUPPLEMENT_REQUESTED, FilingStatus.FILED, FilingStatus.DEREGISTERED}
        ),
        FilingStatus.SUPPLEMENT_REQUESTED: frozenset(
            {FilingStatus.SUBMITTED, FilingStatus.DEREGISTERED}
        ),
        FilingStatus.FILED: frozenset(
            {FilingStatus.NONCONFORMING, FilingStatus.CLOSING, FilingStatus.DEREGISTERED}
        ),
        FilingStatus.NONCONFORMING: frozenset(
            {FilingStatus.FILED, FilingStatus.CLOSING, FilingStatus.DEREGISTERED}
        ),
        FilingStatus.CLOSING: frozenset({FilingStatus.DEREGISTERED}),
        FilingStatus.DEREGISTERED: frozenset(),
    }
    EDITABLE: ClassVar[frozenset[str]] = frozenset(
        {FilingStatus.DRAFT, FilingStatus.SUPPLEMENT_REQUESTED}
    )
    PUBLIC_STATUSES: ClassVar[tuple[str, ...]] = (
        FilingStatus.FILED,
        FilingStatus.NONCONFORMING,
        FilingStatus.CLOSING,
    )
    OPEN_STATUSES: ClassVar[tuple[str, ...]] = tuple(
        s for s in FilingStatus.values if s != FilingStatus.DEREGISTERED
    )

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="filings", verbose_name=_("机构")
    )
    registration = models.ForeignKey(
        Registration, on_delete=models.PROTECT, related_name="filings", verbose_name=_("登记")
    )
    # The county whose health bureau handles the filing (denormalised for scoping and indexes).
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）")
    )
    status = models.CharField(
        _("状态"), max_length=24, choices=FilingStatus.choices, default=FilingStatus.DRAFT
    )
    filing_number = models.CharField(_("备案编号"), max_length=32, blank=True)

    # 备案书 facts
    person_in_charge_name = models.CharField(_("负责人姓名"), max_length=50, blank=True)
    person_in_charge_id_encrypted = models.TextField(blank=True)
    person_in_charge_id_hash = models.CharField(max_length=64, blank=True)
    person_in_charge_id_masked = models.CharField(_("负责人身份证号"), max_length=24, blank=True)
    care_modes = ArrayField(
        models.CharField(max_length=10, choices=CareMode.choices),
        default=list,
        # Blank while a draft is being filled in; required at submission (services).
        blank=True,
        verbose_name=_("托育服务方式"),
    )
    places = models.PositiveIntegerField(_("托位数"), null=True, blank=True)
    staff_caregivers = models.PositiveIntegerField(_("保育人员"), default=0)
    staff_health_workers = models.PositiveIntegerField(_("保健人员"), default=0)
    staff_security_guards = models.PositiveIntegerField(_("保安人员"), default=0)
    staff_cooks = models.PositiveIntegerField(_("炊事人员"), default=0)
    staff_managers = models.PositiveIntegerField(_("管理人员"), default=0)
    building_area_m2 = models.DecimalField(
        _("建筑面积（㎡）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    indoor_area_m2 = models.DecimalField(
        _("室内活动面积（㎡）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    outdoor_area_m2 = models.DecimalField(
        _("室外活动面积（㎡）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    children_floor = models.SmallIntegerField(_("幼儿用房最高楼层"), null=True, blank=True)
    site_tenure = models.CharField(
        _("场地性质"), max_length=10, choices=SiteTenure.choices, blank=True
    )
    lease_end = models.DateField(_("租赁到期日"), null=True, blank=True)
    meals = models.CharField(_("膳食"), max_length=10, choices=Meals.choices, default=Meals.NONE)
    inclusive = models.BooleanField(_("普惠性托育"), default=False)
    monthly_fee = models.DecimalField(
        _("月收费（元）"), max_digits=9, decimal_places=2, null=True, blank=True
    )
    commitment_accepted = models.BooleanField(_("已签署承诺书"), default=False)
    commitment_signed_by = models.CharField(_("承诺人"), max_length=50, blank=True)
    commitment_signed_at = models.DateTimeField(_("承诺时间"), null=True, blank=True)

    # Review clocks (25号 §9), recomputed at each submission.
    received_at = models.DateTimeField(_("收到材料时间"), null=True, blank=True)
    receipt_due = models.DateField(_("回执办理期限"), null=True, blank=True)
    conformity_due = models.DateField(_("符合性告知期限"), null=True, blank=True)
    clocks_provisional = models.BooleanField(_("期限为暂定（节假日数据未发布）"), default=False)
    filed_on = models.DateField(_("备案日期"), null=True, blank=True)
    receipt_issued_at = models.DateTimeField(_("回执出具时间"), null=True, blank=True)
    # The rule values the receipt and the 基本条件告知书 were issued with (registry.receipts):
    # a later change of a rule never rewrites an issued document.
    issued_rules = models.JSONField(_("出具时的规则取值"), default=dict, blank=True)
    conformity_decided_at = models.DateTimeField(_("符合性判断时间"), null=True, blank=True)
    nonconformity_reasons = models.JSONField(_("不符合原因（公开）"), default=list, blank=True)
    # Summary of the latest published inspection, written by the inspections app through
    # registry.services (registry never imports inspections); keeps public lists join-free.
    latest_inspection = models.JSONField(_("最近一次检查（公开摘要）"), null=True, blank=True)
    # An order to stop service (责令停止托育服务) in force, written by the inspections app through
    # registry.services.public_summary like the inspection summary: {"decision_ref",
    # "decided_on", "until"} or null. Public pages read it without joining the penalties.
    suspension = models.JSONField(_("责令停止托育服务（公开摘要）"), null=True, blank=True)
    # The day by which a `closing` filing must be deregistered (rule `closing_deadline_days`).
    closing_due = models.DateField(_("注销办理期限"), null=True, blank=True)

    objects = FilingQuerySet.as_manager()

    class Meta:
        verbose_name = _("备案")
        verbose_name_plural = _("备案")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FilingStatus.values), name="filing_status_valid"
            ),
            # One open filing per institution: changes are separate FilingChange rows.
            models.UniqueConstraint(
                fields=["institution"],
                condition=~Q(status="deregistered"),
                name="filing_one_open_per_institution",
            ),
            models.UniqueConstraint(
                fields=["filing_number"],
                condition=~Q(filing_number=""),
                name="filing_number_unique",
            ),
        ]
        indexes = [
            # Serves the reviewer queue: county, status, oldest first.
            models.Index(fields=["region", "status", "received_at", "id"], name="filing_queue_idx"),
        ]

    def __str__(self) -> str:
        # The name first: a bare number means nothing to whoever picks a filing from a list.
        if self.filing_number:
            return f"{self.institution} · {self.filing_number}"
        return f"{self.institution} (#{self.pk})"

    def can_become(self, target: str) -> bool:
        return target in self.TRANSITIONS[self.status]

    @property
    def is_editable(self) -> bool:
        """Whether the operator may still edit the 备案书 (draft or supplement requested)."""
        return self.status in self.EDITABLE

    def is_suspended(self, today: date | None = None) -> bool:
        """Whether an order to stop service is in force on `today` (until lifted or expired)."""
        return suspension_in_force(self.suspension, today)

    @property
    def care_modes_display(self) -> str:
        """Service modes as Chinese labels, for pages and PDFs."""
        labels = dict(CareMode.choices)
        return _("、").join(str(labels.get(mode, mode)) for mode in self.care_modes)


class FilingClass(models.Model):
    """One class (班级) of a filing: type, planned children, carers."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="classes")
    class_type = models.CharField(_("班型"), max_length=16, choices=ClassType.choices)
    children = models.PositiveIntegerField(_("计划收托人数"))
    carers = models.PositiveIntegerField(_("保育人员数"))
    min_age_months = models.PositiveSmallIntegerField(_("最小月龄"), null=True, blank=True)

    class Meta:
        verbose_name = _("班级")
        verbose_name_plural = _("班级")
        ordering = ["id"]

    def __str__(self) -> str:
        return f"{self.get_class_type_display()} {self.children}"


class FilingTransition(models.Model):
    """Insert-only history of a filing's status changes."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("备案状态变更记录")
        verbose_name_plural = _("备案状态变更记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.filing_id}: {self.from_status}→{self.to_status}"

    # People read 已提交，待审核, not `submitted` (the columns store codes).
    @property
    def from_label(self) -> str:
        return _status_label(self.from_status)

    @property
    def to_label(self) -> str:
        return _status_label(self.to_status)


def _status_label(value: str) -> str:
    return str(FilingStatus(value).label) if value in FilingStatus.values else value
