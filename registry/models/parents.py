"""What parents see beyond the filing itself: free places, watches, open data files."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from .filings import Filing


class FacilityVacancy(models.Model):
    """The free places an operator last published for a filed institution, per class type.

    One row per filing (not per class) so the public list reads it in its one query, by a join.
    """

    filing = models.OneToOneField(
        Filing, on_delete=models.CASCADE, primary_key=True, related_name="vacancy"
    )
    # [{"class_type": "infant", "free_places": 2}, ...] in ClassType order.
    by_class = models.JSONField(_("各班型空余托位"), default=list)
    free_places = models.PositiveIntegerField(_("空余托位合计"), default=0)
    updated_at = models.DateTimeField(_("更新时间"))
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    reminded_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("空余托位")
        verbose_name_plural = _("空余托位")
        indexes = [
            # Serves has_vacancy=true on the public register.
            models.Index(
                fields=["filing"], condition=Q(free_places__gt=0), name="vacancy_has_free_idx"
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filing_id}: {self.free_places}"


class Watch(models.Model):
    """Someone who asked to hear about a facility's public record (double opt-in).

    Members of the public: `filing` and an encrypted e-mail address, deleted on unsubscribe.
    Subsidy offices: `user` set and `filing` empty — every facility their region pays.
    """

    filing = models.ForeignKey(
        Filing, on_delete=models.CASCADE, null=True, blank=True, related_name="watches"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        null=True,
        blank=True,
        related_name="facility_watches",
    )
    email_encrypted = models.TextField(blank=True)
    # Keyed hash: a repeated request for the same address and facility finds its row.
    email_hash = models.CharField(max_length=64, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    confirmed_at = models.DateTimeField(null=True, blank=True)

    class Meta:
        verbose_name = _("关注")
        verbose_name_plural = _("关注")
        constraints = [
            models.UniqueConstraint(
                fields=["filing", "email_hash"],
                condition=Q(user__isnull=True),
                name="watch_one_per_address_and_facility",
            ),
            models.UniqueConstraint(
                fields=["user"], condition=Q(user__isnull=False), name="watch_one_per_office_user"
            ),
            models.CheckConstraint(
                condition=Q(user__isnull=True, filing__isnull=False)
                | Q(user__isnull=False, filing__isnull=True),
                name="watch_public_or_office",
            ),
        ]
        indexes = [
            # Serves the notifier: the confirmed watchers of one facility.
            models.Index(
                fields=["filing"],
                condition=Q(confirmed_at__isnull=False),
                name="watch_confirmed_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"watch {self.pk}"


class WatchEventKind(models.TextChoices):
    PENALTY = "penalty", _("行政处罚")
    NONCONFORMING = "nonconforming", _("不符合设置标准")
    SUSPENSION = "suspension", _("责令停止服务")
    CLOSING = "closing", _("停止办理（注销中）")
    DEREGISTERED = "deregistered", _("已注销备案")


class WatchEvent(models.Model):
    """Outbox row: a change of a facility's public record to tell its watchers about."""

    Kind = WatchEventKind

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="watch_events")
    kind = models.CharField(max_length=16, choices=WatchEventKind.choices)
    detail = models.CharField(max_length=300, blank=True)
    created_at = models.DateTimeField(auto_now_add=True)
    sent_at = models.DateTimeField(null=True, blank=True)
    recipients = models.PositiveIntegerField(default=0)

    class Meta:
        constraints = [
            models.CheckConstraint(
                condition=Q(kind__in=WatchEventKind.values), name="watch_event_kind_valid"
            )
        ]
        indexes = [
            # Serves the sweep of unsent events.
            models.Index(
                fields=["created_at"],
                condition=Q(sent_at__isnull=True),
                name="watch_event_unsent_idx",
            )
        ]

    def __str__(self) -> str:
        return f"{self.filing_id} {self.kind}"


class PublishedDataset(models.Model):
    """A built open-data file (registry/opendata.py): served as stored, rebuilt on change."""

    name = models.CharField(max_length=40, primary_key=True)  # e.g. facilities.csv
    content = models.BinaryField()
    content_type = models.CharField(max_length=60)
    etag = models.CharField(max_length=70)
    schema_version = models.CharField(max_length=16)
    built_at = models.DateTimeField()
    rows = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("开放数据文件")
        verbose_name_plural = _("开放数据文件")

    def __str__(self) -> str:
        return self.name
