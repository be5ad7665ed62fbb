"""Subsidy schemes, claims with their lines, entitlement guards and payment batches (domain §6).

Double payment is prevented by the database, not by Python checks alone: each thing that can be
paid only once (a child-month, a class's start-up grant, an institution's award) becomes an
"entitlement" row with a partial unique index, written in the submitting transaction.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.contrib.postgres.constraints import ExclusionConstraint
from django.contrib.postgres.fields import ArrayField, DateRangeField, RangeOperators
from django.db import models
from django.db.models import F, Func, Q
from django.utils.translation import gettext_lazy as _

from registry.models import Filing, Institution
from tuoyu_portal.accounts.models import Role, jurisdiction_q
from tuoyu_portal.audit.events import event_model_base
from tuoyu_portal.models import TimeStampedModel

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


class DateRange(Func):
    """PostgreSQL daterange(lower, upper, '[]'); a NULL upper bound means open-ended."""

    function = "DATERANGE"
    output_field = DateRangeField()


class SchemeKind(models.TextChoices):
    STARTUP = "startup", _("一次性开办补助")
    PLACE_OPERATION = "place_operation", _("托位运营补助")
    FAMILY_FEE = "family_fee", _("保育费补助")
    DEMONSTRATION_AWARD = "demonstration_award", _("示范奖励")


# One-off schemes are claimed for a single month (period_start == period_end).
ONE_OFF_KINDS: frozenset[str] = frozenset({SchemeKind.STARTUP, SchemeKind.DEMONSTRATION_AWARD})


class SchemeQuerySet(models.QuerySet["Scheme"]):
    def in_force(self, region_code: str, kind: str, month: date) -> Self:
        return self.filter(region_id=region_code, kind=kind, valid_from__lte=month).filter(
            Q(valid_to__isnull=True) | Q(valid_to__gte=month)
        )


class Scheme(TimeStampedModel):
    """A region's amount for one kind of subsidy over a validity window (amounts are L, §6)."""

    Kind = SchemeKind

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    kind = models.CharField(_("补贴类型"), max_length=24, choices=SchemeKind.choices)
    amount = models.DecimalField(
        _("标准（元/单位）"),
        max_digits=12,
        decimal_places=2,
        help_text=_("保育费补助为二孩每人每月标准。"),
    )
    amount_third_plus = models.DecimalField(
        _("三孩及以上标准（元/人·月）"), max_digits=12, decimal_places=2, null=True, blank=True
    )
    valid_from = models.DateField(_("生效日期"))
    valid_to = models.DateField(_("失效日期（含）"), null=True, blank=True)
    basis = models.CharField(_("依据"), max_length=200, blank=True)
    illustrative = models.BooleanField(
        _("示例金额（未经文件确认）"),
        default=False,
        help_text=_("演示用金额，须由当地按文件核实后修改。"),
    )

    objects = SchemeQuerySet.as_manager()

    class Meta:
        verbose_name = _("补贴标准")
        verbose_name_plural = _("补贴标准")
        ordering = ["region", "kind", "valid_from"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=SchemeKind.values), name="scheme_kind_valid"
            ),
            models.CheckConstraint(condition=Q(amount__gte=0), name="scheme_amount_non_negative"),
            # The third-child amount exists exactly for family_fee schemes.
            models.CheckConstraint(
                condition=Q(kind=SchemeKind.FAMILY_FEE, amount_third_plus__isnull=False)
                | (~Q(kind=SchemeKind.FAMILY_FEE) & Q(amount_third_plus__isnull=True)),
                name="scheme_third_plus_for_family_fee_only",
            ),
            models.CheckConstraint(
                condition=Q(valid_to__isnull=True) | Q(valid_to__gte=F("valid_from")),
                name="scheme_valid_to_after_from",
            ),
            # At most one amount in force per region, kind and day: amounts.py picks "the" row.
            ExclusionConstraint(
                name="scheme_no_overlapping_validity",
                expressions=[
                    ("region", RangeOperators.EQUAL),
                    ("kind", RangeOperators.EQUAL),
                    (
                        DateRange("valid_from", "valid_to", models.Value("[]")),
                        RangeOperators.OVERLAPS,
                    ),
                ],
            ),
        ]

    def __str__(self) -> str:
        return f"{self.region_id} {self.get_kind_display()} {self.amount} ({self.valid_from}–{self.valid_to or '…'})"


class ClaimStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待审核")
    CHANGES_REQUESTED = "changes_requested", _("需修改")
    APPROVED = "approved", _("已核准")
    REJECTED = "rejected", _("不予补贴")
    PAID = "paid", _("已拨付")


class ClaimQuerySet(models.QuerySet["Claim"]):
    def visible_to(self, user: User) -> Self:
        """Operators: their institutions' claims. Subsidy officers and supervisors: their region
        and below. Everyone else (registrars, reviewers, inspectors): nothing — claims hold
        children's data."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        if user.role not in (Role.OPERATOR, Role.SUBSIDY_OFFICER, Role.SUPERVISOR):
            return self.none()
        return self.filter(jurisdiction_q(user, "region", "institution"))

    def queue(self) -> Self:
        """Awaiting an officer's decision, oldest submission first."""
        return self.filter(status=ClaimStatus.SUBMITTED).order_by("submitted_at", "id")

    def payable(self) -> Self:
        """Approved and not yet in a payment batch."""
        return self.filter(status=ClaimStatus.APPROVED, batch__isnull=True)


class Claim(TimeStampedModel):  # type: ignore[django-manager-missing]  # events: pghistory's untyped event model
    Status = ClaimStatus

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        ClaimStatus.DRAFT: frozenset({ClaimStatus.SUBMITTED}),
        ClaimStatus.SUBMITTED: frozenset(
            {ClaimStatus.APPROVED, ClaimStatus.REJECTED, ClaimStatus.CHANGES_REQUESTED}
        ),
        ClaimStatus.CHANGES_REQUESTED: frozenset({ClaimStatus.SUBMITTED}),
        ClaimStatus.APPROVED: frozenset({ClaimStatus.PAID}),
        ClaimStatus.REJECTED: frozenset(),
        ClaimStatus.PAID: frozenset(),
    }
    EDITABLE: ClassVar[frozenset[str]] = frozenset(
        {ClaimStatus.DRAFT, ClaimStatus.CHANGES_REQUESTED}
    )

    filing = models.ForeignKey(
        Filing, on_delete=models.PROTECT, related_name="subsidy_claims", verbose_name=_("备案")
    )
    # Denormalised from the filing for scoping (jurisdiction_q) and the award guard.
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="subsidy_claims", verbose_name=_("机构")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    scheme = models.ForeignKey(
        Scheme, on_delete=models.PROTECT, related_name="claims", verbose_name=_("补贴标准")
    )
    kind = models.CharField(_("补贴类型"), max_length=24, choices=SchemeKind.choices)
    period_start = models.DateField(_("起始月份"))
    period_end = models.DateField(_("截止月份"))
    status = models.CharField(
        _("状态"), max_length=24, choices=ClaimStatus.choices, default=ClaimStatus.DRAFT
    )
    amount = models.DecimalField(_("申请金额（元）"), max_digits=14, decimal_places=2, default=0)
    breakdown = models.JSONField(_("金额明细"), default=list, blank=True)
    audit_flagged = models.BooleanField(_("抽查材料"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审核时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    decision_reason = models.TextField(_("审核意见"), blank=True)
    # sha256 of (filing, kind, period, normalised lines): identical submissions collapse to one.
    dedupe_key = models.CharField(max_length=64)
    batch = models.ForeignKey(
        "PaymentBatch",
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="claims",
        verbose_name=_("支付批次"),
    )
    paid_at = models.DateTimeField(_("拨付时间"), null=True, blank=True)

    objects = ClaimQuerySet.as_manager()

    class Meta:
        verbose_name = _("补贴申请")
        verbose_name_plural = _("补贴申请")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ClaimStatus.values), name="claim_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(kind__in=SchemeKind.values), name="claim_kind_valid"
            ),
            models.CheckConstraint(
                condition=Q(period_end__gte=F("period_start")), name="claim_period_ordered"
            ),
            # 20 concurrent identical POSTs create one claim; a rejected one may be re-filed.
            models.UniqueConstraint(
                fields=["dedupe_key"],
                condition=~Q(status=ClaimStatus.REJECTED),
                name="claim_dedupe_unique_live",
            ),
        ]
        indexes = [
            # Serves the officer queue: region, status, oldest submission first.
            models.Index(fields=["region", "status", "submitted_at", "id"], name="claim_queue_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} #{self.pk} {self.institution}"

    def can_become(self, target: str) -> bool:
        return target in self.TRANSITIONS[self.status]

    @property
    def is_editable(self) -> bool:
        return self.status in self.EDITABLE


class ConfirmationStatus(models.TextChoices):
    PENDING = "pending", _("待家长确认")
    CONFIRMED = "confirmed", _("家长已确认")
    DISPUTED = "disputed", _("家长有异议")


class ClaimLine(models.Model):
    """One line of a claim: classes (startup), places (place_operation) or a child (family_fee)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="lines")
    ordinal = models.PositiveSmallIntegerField(_("序号"))
    classes = models.PositiveIntegerField(_("班级数"), null=True, blank=True)
    places = models.PositiveIntegerField(_("托位数"), null=True, blank=True)
    child_name = models.CharField(_("幼儿姓名"), max_length=50, blank=True)
    child_id_encrypted = models.TextField(blank=True)
    child_id_hash = models.CharField(max_length=64, blank=True, db_index=True)
    child_id_masked = models.CharField(_("幼儿身份证号"), max_length=24, blank=True)
    child_birth_date = models.DateField(_("出生日期"), null=True, blank=True)
    birth_order = models.PositiveSmallIntegerField(_("孩次"), null=True, blank=True)
    months = ArrayField(models.DateField(), default=list, blank=True, verbose_name=_("在托月份"))
    # Parents confirm attendance (subsidies/attendance.py): the contact is personal
    # data, encrypted like the ID number and never read back.
    parent_contact_encrypted = models.TextField(blank=True)
    confirmation_status = models.CharField(
        _("家长确认"),
        max_length=12,
        choices=ConfirmationStatus.choices,
        blank=True,
        help_text=_("空：本地区不要求家长确认。"),
    )
    confirmation_note = models.TextField(_("家长异议说明"), blank=True)

    class Meta:
        verbose_name = _("申请明细")
        verbose_name_plural = _("申请明细")
        ordering = ["claim", "ordinal"]
        constraints = [
            models.UniqueConstraint(fields=["claim", "ordinal"], name="claim_line_ordinal_unique")
        ]

    def __str__(self) -> str:
        return f"{self.claim_id}/{self.ordinal}"


class ChildMonthClaim(models.Model):
    """Entitlement: one child-month, paid once across all institutions (domain §6)."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="child_months")
    child_id_hash = models.CharField(max_length=64)
    month = models.DateField()
    # Set when the claim is rejected: the child-month may be claimed again.
    released = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["child_id_hash", "month"],
                condition=Q(released=False),
                name="child_month_paid_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.child_id_hash[:8]}… {self.month:%Y-%m}"


class StartupClassClaim(models.Model):
    """Entitlement: the start-up grant of the n-th class of a filing, paid once."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="startup_classes")
    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="+")
    class_ordinal = models.PositiveIntegerField()
    released = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "class_ordinal"],
                condition=Q(released=False),
                name="startup_class_paid_once",
            )
        ]

    def __str__(self) -> str:
        return f"{self.filing_id}#{self.class_ordinal}"


class AwardClaim(models.Model):
    """Entitlement: the demonstration award, once per institution."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="awards")
    institution = models.ForeignKey(Institution, on_delete=models.CASCADE, related_name="+")
    released = models.BooleanField(default=False)

    class Meta:
        constraints = [
            models.UniqueConstraint(
                fields=["institution"], condition=Q(released=False), name="award_paid_once"
            )
        ]

    def __str__(self) -> str:
        return f"award {self.institution_id}"


class ClaimTransition(models.Model):
    """Insert-only history of a claim's status changes."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    details = models.JSONField(default=dict, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("补贴申请状态变更记录")
        verbose_name_plural = _("补贴申请状态变更记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.claim_id}: {self.from_status}→{self.to_status}"


def claim_document_path(instance: ClaimDocument, filename: str) -> str:
    # Random names: nothing of the uploader's file name reaches the file system.
    import uuid

    return f"subsidies/{instance.claim_id}/{uuid.uuid4().hex}"


class ClaimDocument(models.Model):
    """A supporting document (enrolment register, receipts, award decision), PDF/JPEG/PNG."""

    claim = models.ForeignKey(Claim, on_delete=models.CASCADE, related_name="documents")
    file = models.FileField(upload_to=claim_document_path)
    original_name = models.CharField(_("文件名"), max_length=200)
    content_type = models.CharField(max_length=40)
    size = models.PositiveIntegerField()
    sha256 = models.CharField(max_length=64)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("证明材料")
        verbose_name_plural = _("证明材料")
        ordering = ["id"]

    def __str__(self) -> str:
        return self.original_name


class BatchStatus(models.TextChoices):
    OPEN = "open", _("待拨付")
    PAID = "paid", _("已拨付")


class PaymentBatchQuerySet(models.QuerySet["PaymentBatch"]):
    def visible_to(self, user: User) -> Self:
        """Subsidy officers and supervisors of the region and above; nobody else."""
        if not getattr(user, "is_authenticated", False) or user.role not in (
            Role.SUBSIDY_OFFICER,
            Role.SUPERVISOR,
        ):
            return self.none()
        return self.filter(jurisdiction_q(user, "region"))


class PaymentBatch(TimeStampedModel):
    """Approved claims grouped for one payment order; exported as XLSX for the treasury."""

    Status = BatchStatus
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        BatchStatus.OPEN: frozenset({BatchStatus.PAID}),
        BatchStatus.PAID: frozenset(),
    }

    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("区划")
    )
    status = models.CharField(
        _("状态"), max_length=8, choices=BatchStatus.choices, default=BatchStatus.OPEN
    )
    total = models.DecimalField(_("合计（元）"), max_digits=16, decimal_places=2, default=0)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    paid_at = models.DateTimeField(_("拨付时间"), null=True, blank=True)
    paid_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    payment_ref = models.CharField(_("支付凭证号"), max_length=64, blank=True)

    objects = PaymentBatchQuerySet.as_manager()

    class Meta:
        verbose_name = _("支付批次")
        verbose_name_plural = _("支付批次")
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=BatchStatus.values), name="batch_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(status=BatchStatus.OPEN) | ~Q(payment_ref=""),
                name="batch_paid_has_reference",
            ),
        ]

    def __str__(self) -> str:
        return _("支付批次 #%(id)s") % {"id": self.pk}

    def can_become(self, target: str) -> bool:
        return target in self.TRANSITIONS[self.status]


class AttendanceCode(models.Model):
    """A one-time link sent to a parent to confirm a family-fee line.

    Only the SHA-256 of the code is stored: a database reader cannot answer for a parent. The
    code opens this one line's confirmation page and nothing else.
    """

    line = models.ForeignKey(ClaimLine, on_delete=models.CASCADE, related_name="attendance_codes")
    code_hash = models.CharField(max_length=64, unique=True)
    channel = models.CharField(max_length=8)  # sms | email
    created_at = models.DateTimeField(auto_now_add=True)
    expires_at = models.DateTimeField()
    used_at = models.DateTimeField(null=True, blank=True)
    # Set when a newer code replaced this one (a reminder) or the line was answered.
    revoked_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("家长确认链接")
        verbose_name_plural = _("家长确认链接")
        indexes = [
            # Serves the reminder sweep: the newest code of each line.
            models.Index(fields=["line", "-created_at"], name="attendance_code_line_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.line_id} {self.created_at:%Y-%m-%d}"


class ClaimEvent(event_model_base(Claim, "ClaimEvent")):  # type: ignore[misc]  # pghistory builds the base at runtime
    """Audit events of claims (written by triggers; see tuoyu_portal/audit)."""
