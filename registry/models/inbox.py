"""The county health bureau's inbox of pushed registrations, and the nightly reconciliation."""

from __future__ import annotations

import datetime
from typing import TYPE_CHECKING, Any, Self

from django.db import models
from django.db.models import (
    BooleanField,
    CharField,
    IntegerField,
    Q,
)
from django.db.models.expressions import RawSQL
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.accounts.models import Role
from tuoyu_portal.regions.rules import RULES

from .filings import FilingStatus
from .registrations import Registration

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


class InboxEvent(models.TextChoices):
    APPROVED = "approved", _("登记")
    CANCELLED = "cancelled", _("注销登记")


class HealthInboxQuerySet(models.QuerySet["HealthInboxEntry"]):
    def visible_to(self, user: User) -> Self:
        """Health reviewers: their county; supervisors: their region and below; others: none."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        if user.role not in (Role.HEALTH_REVIEWER, Role.SUPERVISOR):
            return self.none()
        prefix = user.region_prefix
        if prefix is None:
            return self.none()
        return self.filter(region__code__startswith=prefix)

    def with_status(self, today: datetime.date | None = None) -> Self:
        """Annotate has_filing, filing_status, days_since_approval, overdue_after_days and overdue in SQL.

        One query for any page: the filing check is an EXISTS, the regional rule is resolved by
        correlated subqueries county → city → province → national default (rules.value_for's
        order), so the `overdue` filter runs in the database too.

        Written as SQL text rather than ORM expressions: the same statement, but building and
        compiling the nested expressions took longer than PostgreSQL took to run them (the
        inbox page spent 2/3 of its time in the ORM compiler, measured by bench/).
        """
        today = today or timezone.localdate()
        # `credit_code <> ''` lets PostgreSQL probe the partial unique index on institution
        # credit codes per row; without it the EXISTS became a hash of every open filing in the
        # country (300 ms a page at 100 000 institutions, measured by bench/).
        # A filing counts once it has been submitted (api.md 1.1): a draft that was opened and
        # left is still "registered but not filed".
        has_filing = (
            "(EXISTS (SELECT 1 FROM registry_filing f JOIN registry_institution i"
            " ON f.institution_id = i.id WHERE i.credit_code = registry_healthinboxentry.credit_code"
            " AND i.credit_code <> '' AND f.status NOT IN (%s, %s))"
            " AND registry_healthinboxentry.credit_code <> '')"
        )
        has_filing_params = [FilingStatus.DEREGISTERED, FilingStatus.DRAFT]
        # The open filing's status (at most one per institution), NULL when there is none.
        filing_status = (
            "(SELECT f.status FROM registry_filing f JOIN registry_institution i"
            " ON f.institution_id = i.id WHERE i.credit_code = registry_healthinboxentry.credit_code"
            " AND i.credit_code <> '' AND f.status <> %s"
            " AND registry_healthinboxentry.credit_code <> '' ORDER BY f.id DESC LIMIT 1)"
        )
        rule = (
            "(SELECT r.value::integer FROM regions_regionrule r WHERE r.key = %s"
            " AND r.region_id = {region} AND r.effective_from <= %s"
            " AND (r.valid_to IS NULL OR r.valid_to >= %s)"  # rules.value_for's window
            " ORDER BY r.effective_from DESC LIMIT 1)"
        )
        key = "unfiled_overdue_days"
        regions = [
            "registry_healthinboxentry.region_id",
            "(substr(registry_healthinboxentry.region_id, 1, 4) || '00')",
            "(substr(registry_healthinboxentry.region_id, 1, 2) || '0000')",
        ]
        overdue_after = "COALESCE({}, %s)".format(", ".join(rule.format(region=r) for r in regions))
        overdue_after_params: list[Any] = [key, today, today] * 3 + [int(RULES[key].default)]
        days_since = "(%s::date - registry_healthinboxentry.approved_on)"
        overdue = (
            f"(registry_healthinboxentry.event = %s AND NOT {has_filing}"
            " AND registry_healthinboxentry.approved_on IS NOT NULL"
            f" AND {days_since} > {overdue_after})"
        )
        overdue_params = [InboxEvent.APPROVED, *has_filing_params, today, *overdue_after_params]
        # nosec below: the SQL text is constant (built from the literals above); every value
        # (status, key, dates, default) is a bound parameter.
        return self.annotate(
            has_filing=RawSQL(  # nosec B611
                has_filing, has_filing_params, output_field=BooleanField()
            ),
            filing_status=RawSQL(  # nosec B611
                filing_status, [FilingStatus.DEREGISTERED], output_field=CharField()
            ),
            days_since_approval=RawSQL(  # nosec B611
                days_since, [today], output_field=IntegerField()
            ),
            overdue_after_days=RawSQL(  # nosec B611
                overdue_after, overdue_after_params, output_field=IntegerField()
            ),
            overdue=RawSQL(overdue, overdue_params, output_field=BooleanField()),  # nosec B611
        )


class HealthInboxEntry(models.Model):
    """One pushed registration event as the county health bureau received it.

    Written only by registry.services.inbox.receive_event, once per idempotency key.
    """

    idempotency_key = models.CharField(_("幂等键"), max_length=64, unique=True)
    event = models.CharField(_("事件"), max_length=12, choices=InboxEvent.choices)
    # Same deployment: the registration itself; from another deployment only its id (ref).
    registration = models.ForeignKey(
        Registration,
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="inbox_entries",
        verbose_name=_("登记"),
    )
    registration_ref = models.BigIntegerField(_("登记编号（发送方）"))
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    name = models.CharField(_("机构名称"), max_length=100)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("县（市、区）")
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    legal_representative_name = models.CharField(_("法定代表人"), max_length=50, blank=True)
    legal_representative_id_encrypted = models.TextField(blank=True)
    legal_representative_id_masked = models.CharField(_("身份证号"), max_length=24, blank=True)
    legal_representative_id_hash = models.CharField(max_length=64, blank=True)
    authority = models.CharField(_("登记机关"), max_length=10, blank=True)
    approved_on = models.DateField(_("登记日期"), null=True, blank=True)
    received_at = models.DateTimeField(_("接收时间"), auto_now_add=True)
    # How many times the sender delivered this key (1 + duplicates); applied only the first time.
    receipts = models.PositiveIntegerField(_("接收次数"), default=1)
    payload = models.JSONField(_("报文"))

    objects = HealthInboxQuerySet.as_manager()

    class Meta:
        verbose_name = _("推送登记信息")
        verbose_name_plural = _("推送登记信息（卫健收件箱）")
        constraints = [
            models.CheckConstraint(
                condition=Q(event__in=InboxEvent.values), name="inbox_event_valid"
            )
        ]
        # Serves the inbox list: county scope, newest first (cursor on received_at, id).
        indexes = [
            models.Index(fields=["region", "-received_at", "-id"], name="inbox_region_recent_idx"),
            models.Index(fields=["credit_code"], name="inbox_credit_code_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.get_event_display()})"

    @property
    def filing_status_display(self) -> str | None:
        """The annotated filing status as people read it (草稿 …); None when there is none."""
        status = getattr(self, "filing_status", None)
        return str(FilingStatus(status).label) if status in FilingStatus.values else None


class ReconciliationReport(models.Model):
    """One nightly reconciliation: per county, approved vs received vs filed."""

    run_on = models.DateField(_("对账日期"), unique=True)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)
    updated_at = models.DateTimeField(_("更新时间"), auto_now=True)
    figures = models.JSONField(_("各县数据"), default=dict)
    mismatches = models.JSONField(_("不一致项"), default=list)
    mismatch_count = models.PositiveIntegerField(_("不一致县数"), default=0)

    class Meta:
        verbose_name = _("登记备案对账")
        verbose_name_plural = _("登记备案对账")
        ordering = ["-run_on"]

    def __str__(self) -> str:
        return f"{self.run_on}: {self.mismatch_count}"
