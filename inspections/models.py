"""Supervision (domain.md §4–5): checklists, visits, findings and their rectification loop,
complaints, enforcement actions (penalties) and credit records.

Every model has a `visible_to(user)` queryset, the only lookup path for views, API and admin.
Only `inspections.services` writes the workflow models.
"""

from __future__ import annotations

from datetime import date
from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.contrib.postgres.fields import ArrayField
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from registry.models import Filing, Institution
from tuoyu_portal.accounts.models import Department, Role, jurisdiction_q
from tuoyu_portal.audit.events import event_model_base
from tuoyu_portal.models import TimeStampedModel

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


def _scoped(user: User, region_field: str, institution_field: str, dept_field: str = "") -> Q:
    """Jurisdiction Q plus, for inspectors, their department where the model records one.

    Operators: their institutions; staff: their region and below (health reviewers → county,
    supervisors → everything under their province/city); inspectors additionally only see visits
    their department took part in.
    """
    q = jurisdiction_q(user, region_field, institution_field)
    if (
        getattr(user, "is_authenticated", False)
        and user.role == Role.INSPECTOR
        and dept_field
        and user.department
    ):
        q &= Q(**{f"{dept_field}__contains": [user.department]})
    return q


class InspectionKind(models.TextChoices):
    ROUTINE = "routine", _("日常巡查")
    SPECIAL = "special", _("专项检查")
    HEALTH_CARE = "health_care", _("卫生保健")
    FIRE = "fire", _("消防")
    FOOD = "food", _("食品安全")
    SECURITY = "security", _("安全防范")
    QUALITY = "quality", _("质量评估")
    COMPLAINT = "complaint", _("投诉核查")
    FOLLOW_UP = "follow_up", _("整改复查")


class Severity(models.TextChoices):
    MINOR = "minor", _("一般")
    MAJOR = "major", _("较重")
    CRITICAL = "critical", _("严重")


class QualityGrade(models.TextChoices):
    A = "A", "A"
    B = "B", "B"
    C = "C", "C"
    D = "D", "D"


# --------------------------------------------------------------------------- checklists


class ChecklistTemplate(TimeStampedModel):
    """A versioned checklist. A visit keeps the exact version it was filled with, so old visits
    render against their own items even after the template is revised.

    `items`: [{"code", "text", "dimension", "points", "veto", "basis"}]; `settings`: template-level
    data such as the quality dimensions and their maximum points.
    """

    code = models.SlugField(_("模板代码"), max_length=40)
    version = models.PositiveIntegerField(_("版本"), default=1)
    title = models.CharField(_("名称"), max_length=100)
    kind = models.CharField(_("适用检查类型"), max_length=16, choices=InspectionKind.choices)
    items = models.JSONField(_("检查项目"), default=list)
    settings = models.JSONField(_("模板设置"), default=dict, blank=True)
    published = models.BooleanField(_("已发布（可选用）"), default=False)

    class Meta:
        verbose_name = _("检查表模板")
        verbose_name_plural = _("检查表模板")
        ordering = ["code", "-version"]
        constraints = [
            models.UniqueConstraint(
                fields=["code", "version"], name="checklist_code_version_unique"
            )
        ]

    def __str__(self) -> str:
        return f"{self.title} v{self.version}"


# --------------------------------------------------------------------------- inspections


class InspectionQuerySet(models.QuerySet["Inspection"]):
    def visible_to(self, user: User) -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(_scoped(user, "region", "institution", "departments"))

    def published(self) -> Self:
        return self.filter(published=True)


class Inspection(TimeStampedModel):
    """One visit (检查) to an institution, by one or more departments."""

    Kind = InspectionKind

    filing = models.ForeignKey(
        Filing, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("备案")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="inspections", verbose_name=_("机构")
    )
    # Denormalised from the filing for jurisdiction filters and indexes without joins.
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）")
    )
    kind = models.CharField(_("检查类型"), max_length=16, choices=InspectionKind.choices)
    departments = ArrayField(
        models.CharField(max_length=12, choices=Department.choices),
        default=list,
        verbose_name=_("参与部门"),
    )
    inspectors = models.ManyToManyField(
        settings.AUTH_USER_MODEL, related_name="inspections", blank=True, verbose_name=_("检查人员")
    )
    visited_on = models.DateField(_("检查日期"))
    checklist_template = models.ForeignKey(
        ChecklistTemplate,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="inspections",
        verbose_name=_("检查表（版本）"),
    )
    # {"<item code>": {"ok": bool | null, "score": number | null, "note": str}}
    checklist_answers = models.JSONField(_("检查表填写结果"), default=dict, blank=True)
    observed_classes = models.JSONField(_("现场班级情况"), default=list, blank=True)
    standards_check = models.JSONField(_("设置标准核查结果"), default=list, blank=True)
    # More children counted on the day than the filed places (standards_check has the figures).
    over_capacity = models.BooleanField(_("超备案托位收托"), default=False)
    notes = models.TextField(_("检查记录"), blank=True)
    quality_score = models.DecimalField(
        _("质量评估得分"), max_digits=6, decimal_places=1, null=True, blank=True
    )
    quality_grade = models.CharField(
        _("质量等级"), max_length=1, choices=QualityGrade.choices, blank=True
    )
    follow_up_of = models.ForeignKey(
        "Finding",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="follow_ups",
        verbose_name=_("复查的问题"),
    )
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    published = models.BooleanField(_("结果公开"), default=True)

    objects = InspectionQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查记录")
        verbose_name_plural = _("检查记录")
        ordering = ["-visited_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=InspectionKind.values), name="inspection_kind_valid"
            ),
        ]
        indexes = [
            # Inspector changelist and the risk score's "last visit": region, newest first.
            models.Index(fields=["region", "visited_on", "id"], name="inspection_region_idx"),
            models.Index(fields=["institution", "visited_on"], name="inspection_inst_idx"),
            # Unscoped changelist (superusers, supervisors of a province): newest first over
            # 5 000 000 rows without a sort (measured by bench/).
            models.Index(fields=["visited_on", "id"], name="inspection_visited_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.institution} · {self.get_kind_display()} · {self.visited_on}"


# --------------------------------------------------------------------------- findings


class FindingStatus(models.TextChoices):
    OPEN = "open", _("待整改")
    RECTIFICATION_SUBMITTED = "rectification_submitted", _("已提交整改，待核验")
    VERIFIED = "verified", _("整改已核验")


class FindingQuerySet(models.QuerySet["Finding"]):
    def visible_to(self, user: User) -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(_scoped(user, "region", "institution", "inspection__departments"))

    def unresolved(self) -> Self:
        return self.exclude(status=FindingStatus.VERIFIED)

    def overdue(self, today: date) -> Self:
        """Past the deadline and not yet verified (the derived `overdue` state)."""
        return self.unresolved().filter(deadline__lt=today)

    def open_critical(self) -> Self:
        """Blocks subsidies: a critical finding not yet verified."""
        return self.unresolved().filter(severity=Severity.CRITICAL)

    def published(self) -> Self:
        """What the public facility page may show: never technical advice."""
        return self.filter(published=True, technical_advice=False, inspection__published=True)


class Finding(TimeStampedModel):  # type: ignore[django-manager-missing]  # events: pghistory's untyped event model
    """One problem found at a visit, with the rule cited and a rectification deadline."""

    Status = FindingStatus
    Severity = Severity

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        FindingStatus.OPEN: frozenset({FindingStatus.RECTIFICATION_SUBMITTED}),
        FindingStatus.RECTIFICATION_SUBMITTED: frozenset(
            {FindingStatus.VERIFIED, FindingStatus.OPEN}
        ),
        FindingStatus.VERIFIED: frozenset(),
    }

    inspection = models.ForeignKey(
        Inspection, on_delete=models.CASCADE, related_name="findings", verbose_name=_("检查")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="findings", verbose_name=_("机构")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）")
    )
    rule = models.CharField(_("依据条款"), max_length=200)
    severity = models.CharField(_("严重程度"), max_length=10, choices=Severity.choices)
    description = models.TextField(_("问题说明（通俗表述）"))
    deadline = models.DateField(_("整改期限"))
    status = models.CharField(
        _("状态"), max_length=24, choices=FindingStatus.choices, default=FindingStatus.OPEN
    )
    technical_advice = models.BooleanField(
        _("技术指导意见（不公开）"),
        default=False,
        help_text=_("技术指导类意见仅供机构改进，任何情况下都不对外公开。"),
    )
    published = models.BooleanField(_("公开"), default=True)
    overdue_flagged_at = models.DateTimeField(_("逾期标记时间"), null=True, blank=True)
    escalated_at = models.DateTimeField(_("上报卫健部门时间"), null=True, blank=True)
    verified_at = models.DateTimeField(_("核验时间"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = FindingQuerySet.as_manager()

    class Meta:
        verbose_name = _("检查发现问题")
        verbose_name_plural = _("检查发现问题")
        ordering = ["deadline", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=FindingStatus.values), name="finding_status_valid"
            ),
            models.CheckConstraint(
                condition=Q(severity__in=Severity.values), name="finding_severity_valid"
            ),
        ]
        indexes = [
            # Unscoped changelist and API list in Meta.ordering, without a sort.
            models.Index(fields=["deadline", "id"], name="finding_deadline_idx"),
            # The overdue sweep and the operator's list: unresolved findings by deadline.
            models.Index(
                fields=["deadline", "id"],
                condition=~Q(status="verified"),
                name="finding_unresolved_idx",
            ),
            models.Index(fields=["institution", "status"], name="finding_inst_status_idx"),
            # Admin search by rule prefix ("管理规范 §32"): LIKE 'x%' needs the pattern operator
            # class unless the database collation is "C" (migration 0005).
            models.Index(
                fields=["rule"], name="finding_rule_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ]

    def __str__(self) -> str:
        return f"{self.get_severity_display()} · {self.rule}"

    def can_become(self, target: str) -> bool:
        return target in self.TRANSITIONS[self.status]

    def is_overdue(self, today: date) -> bool:
        return self.status != FindingStatus.VERIFIED and self.deadline < today


class FindingTransition(models.Model):
    """Insert-only history of a finding: status changes and events (overdue, escalated)."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    event = models.CharField(max_length=40, blank=True)  # e.g. inspections.finding.escalated
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("问题处理记录")
        verbose_name_plural = _("问题处理记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.finding_id}: {self.from_status}→{self.to_status} {self.event}"


class Rectification(models.Model):
    """The operator's rectification report for a finding and the inspector's decision."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="rectifications")
    note = models.TextField(_("整改说明"))
    submitted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    submitted_at = models.DateTimeField(_("提交时间"), auto_now_add=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    accepted = models.BooleanField(_("核验通过"), null=True, blank=True)
    decision_note = models.TextField(_("核验意见"), blank=True)
    decided_at = models.DateTimeField(_("核验时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("整改报告")
        verbose_name_plural = _("整改报告")
        ordering = ["-submitted_at", "-id"]

    def __str__(self) -> str:
        return f"{self.finding_id} @ {self.submitted_at:%Y-%m-%d}"


def evidence_path(instance: FindingEvidence, filename: str) -> str:
    return f"inspections/evidence/{instance.finding_id}/{filename}"


class FindingEvidence(models.Model):
    """A photo or PDF: taken by the inspector at the visit, or sent with a rectification."""

    finding = models.ForeignKey(Finding, on_delete=models.CASCADE, related_name="evidence")
    rectification = models.ForeignKey(
        Rectification, on_delete=models.CASCADE, null=True, blank=True, related_name="evidence"
    )
    file = models.FileField(_("证据文件"), upload_to=evidence_path)
    content_type = models.CharField(max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    uploaded_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("证据材料")
        verbose_name_plural = _("证据材料")

    def __str__(self) -> str:
        return self.file.name or ""


# --------------------------------------------------------------------------- complaints


class ComplaintStatus(models.TextChoices):
    RECEIVED = "received", _("已受理")
    INVESTIGATING = "investigating", _("核查中")
    SUBSTANTIATED = "substantiated", _("查证属实")
    UNSUBSTANTIATED = "unsubstantiated", _("查证不属实")


class ComplaintQuerySet(models.QuerySet["Complaint"]):
    def visible_to(self, user: User) -> Self:
        """Health reviewers of the county and supervisors above; operators never, by design:
        the complainant's identity must never reach the institution."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role not in (Role.HEALTH_REVIEWER, Role.SUPERVISOR):
            return self.none()
        return self.filter(jurisdiction_q(user, "region", "institution"))

    def substantiated(self) -> Self:
        return self.filter(status=ComplaintStatus.SUBSTANTIATED)


class Complaint(TimeStampedModel):
    """A complaint (投诉举报) about a facility; anonymous allowed, tracked by an unguessable code."""

    Status = ComplaintStatus

    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        ComplaintStatus.RECEIVED: frozenset({ComplaintStatus.INVESTIGATING}),
        ComplaintStatus.INVESTIGATING: frozenset(
            {ComplaintStatus.SUBSTANTIATED, ComplaintStatus.UNSUBSTANTIATED}
        ),
        ComplaintStatus.SUBSTANTIATED: frozenset(),
        ComplaintStatus.UNSUBSTANTIATED: frozenset(),
    }
    CLOSED: ClassVar[tuple[str, ...]] = (
        ComplaintStatus.SUBSTANTIATED,
        ComplaintStatus.UNSUBSTANTIATED,
    )

    tracking_code = models.CharField(_("查询码"), max_length=24, unique=True)
    filing = models.ForeignKey(
        Filing, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("被投诉机构")
    )
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="complaints", verbose_name=_("机构")
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）")
    )
    content = models.TextField(_("投诉内容"))
    # Encrypted at rest (tuoyu_portal.crypto); only the county reviewer's pages decrypt it.
    contact_encrypted = models.TextField(blank=True)
    anonymous = models.BooleanField(_("匿名"), default=True)
    status = models.CharField(
        _("状态"), max_length=16, choices=ComplaintStatus.choices, default=ComplaintStatus.RECEIVED
    )
    due_on = models.DateField(_("办理期限"))
    triaged_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理人"),
    )
    inspection = models.ForeignKey(
        Inspection,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="complaints",
        verbose_name=_("引发的检查"),
    )
    outcome = models.TextField(_("处理结果（向投诉人公开）"), blank=True)
    closed_at = models.DateTimeField(_("办结时间"), null=True, blank=True)

    objects = ComplaintQuerySet.as_manager()

    class Meta:
        verbose_name = _("投诉举报")
        verbose_name_plural = _("投诉举报")
        ordering = ["due_on", "id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ComplaintStatus.values), name="complaint_status_valid"
            ),
        ]
        indexes = [
            # The county triage queue: open complaints by deadline.
            models.Index(fields=["region", "status", "due_on"], name="complaint_queue_idx"),
        ]

    def __str__(self) -> str:
        return self.tracking_code

    def can_become(self, target: str) -> bool:
        return target in self.TRANSITIONS[self.status]


class ComplaintTransition(models.Model):
    complaint = models.ForeignKey(Complaint, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=16, blank=True)
    to_status = models.CharField(max_length=16)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("投诉处理记录")
        verbose_name_plural = _("投诉处理记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.complaint_id}: {self.from_status}→{self.to_status}"


# --------------------------------------------------------------------------- enforcement


class EnforcementKind(models.TextChoices):
    """The penalties of 人口与计划生育法 §41, and only those.

    撤销备案 is not among them: ending a filing is the filing's own consequence of a decision,
    recorded as the bureau's deregistration with its legal basis (registry.services.changes).
    """

    ORDER_TO_CORRECT = "order_to_correct", _("责令改正")
    WARNING = "warning", _("警告")
    FINE = "fine", _("罚款")
    STOP_SERVICE = "stop_service", _("责令停止托育服务")


class CorrectionStatus(models.TextChoices):
    PENDING = "pending", _("整改中")
    CORRECTED = "corrected", _("已整改")
    NOT_CORRECTED = "not_corrected", _("逾期未整改")


class EnforcementQuerySet(models.QuerySet["EnforcementAction"]):
    def visible_to(self, user: User) -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(jurisdiction_q(user, "region", "institution"))

    def in_force(self, today: date) -> Self:
        """Not lifted and not expired: blocks subsidies and weighs in the risk score."""
        return self.filter(lifted_at__isnull=True).filter(
            Q(in_force_until__isnull=True) | Q(in_force_until__gte=today)
        )

    def published(self) -> Self:
        return self.filter(published=True)


class EnforcementAction(TimeStampedModel):
    """An administrative penalty or order (人口与计划生育法 §41), published under 双公示."""

    Kind = EnforcementKind

    institution = models.ForeignKey(
        Institution,
        on_delete=models.PROTECT,
        related_name="enforcement_actions",
        verbose_name=_("机构"),
    )
    filing = models.ForeignKey(
        Filing, on_delete=models.PROTECT, null=True, blank=True, related_name="enforcement_actions"
    )
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）")
    )
    finding = models.ForeignKey(
        Finding, on_delete=models.SET_NULL, null=True, blank=True, related_name="enforcement"
    )
    kind = models.CharField(_("处理类型"), max_length=20, choices=EnforcementKind.choices)
    amount = models.DecimalField(
        _("罚款金额（元）"), max_digits=10, decimal_places=2, null=True, blank=True
    )
    legal_basis = models.CharField(_("法律依据"), max_length=200)
    decision_ref = models.CharField(_("决定书文号"), max_length=100)
    decided_on = models.DateField(_("决定日期"))
    in_force_until = models.DateField(_("有效期至"), null=True, blank=True)
    lifted_at = models.DateTimeField(_("解除时间"), null=True, blank=True)
    correction_status = models.CharField(
        _("整改情况"),
        max_length=16,
        choices=CorrectionStatus.choices,
        default=CorrectionStatus.PENDING,
    )
    operator_reply = models.TextField(_("机构说明（陈述申辩）"), blank=True)
    operator_replied_at = models.DateTimeField(null=True, blank=True)
    published = models.BooleanField(_("公示（双公示）"), default=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = EnforcementQuerySet.as_manager()

    class Meta:
        verbose_name = _("行政处理（处罚）")
        verbose_name_plural = _("行政处理（处罚）")
        ordering = ["-decided_on", "-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=EnforcementKind.values), name="enforcement_kind_valid"
            ),
            # A fine always states its amount (the range is a per-region rule in services).
            models.CheckConstraint(
                condition=~Q(kind="fine") | Q(amount__isnull=False),
                name="enforcement_fine_has_amount",
            ),
            models.UniqueConstraint(fields=["decision_ref", "kind"], name="enforcement_ref_unique"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()} · {self.decision_ref}"

    def is_in_force(self, today: date) -> bool:
        return self.lifted_at is None and (
            self.in_force_until is None or self.in_force_until >= today
        )


# --------------------------------------------------------------------------- credit


class CreditSource(models.TextChoices):
    FINDING = "finding", _("检查发现问题")
    OVERDUE = "overdue", _("逾期未整改")
    ENFORCEMENT = "enforcement", _("行政处罚")
    BAN = "ban", _("终身禁入")


class CreditRecordQuerySet(models.QuerySet["CreditRecord"]):
    def visible_to(self, user: User) -> Self:
        """Operators: their institutions' entries (never persons'); staff: their region."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role == Role.OPERATOR:
            return self.filter(institution__memberships__user=user, person_id_hash="")
        prefix = user.region_prefix
        if prefix is None:
            return self.none()
        return self.filter(region__code__startswith=prefix)


class CreditRecord(models.Model):
    """One entry of an institution's or a person's credit file (诚信档案), with the reason.

    Points are the per-region weights at the time of the event; one entry per source row.
    """

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="credit_records"
    )
    person_id_hash = models.CharField(max_length=64, blank=True)
    person_name = models.CharField(_("姓名"), max_length=50, blank=True)
    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    source = models.CharField(_("来源"), max_length=12, choices=CreditSource.choices)
    source_id = models.BigIntegerField()
    rule_key = models.CharField(max_length=60)
    points = models.IntegerField(_("扣分"))
    reason = models.CharField(_("原因"), max_length=300)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = CreditRecordQuerySet.as_manager()

    class Meta:
        verbose_name = _("诚信记录")
        verbose_name_plural = _("诚信记录")
        ordering = ["-created_at", "-id"]
        constraints = [
            # Idempotent feeding: one entry per source event and subject.
            models.UniqueConstraint(
                fields=["source", "source_id", "person_id_hash"], name="credit_source_unique"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.reason} ({self.points})"


class FindingEvent(event_model_base(Finding, "FindingEvent")):  # type: ignore[misc]  # pghistory builds the base at runtime
    """Audit events of findings (written by triggers; see tuoyu_portal/audit)."""
