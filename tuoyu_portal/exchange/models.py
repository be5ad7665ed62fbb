"""Transactional outbox for pushes to the health department, and the receiver's event log."""

from __future__ import annotations

import uuid

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _


class OutboxEvent(models.Model):
    """A message written in the same transaction as the business change that causes it.

    Delivered by Celery (claimed by a conditional UPDATE), retried with backoff, dead-lettered
    after OUTBOX_MAX_ATTEMPTS; the idempotency key lets the receiver de-duplicate.
    """

    class State(models.TextChoices):
        PENDING = "pending", _("待发送")
        SENDING = "sending", _("发送中")
        SENT = "sent", _("已送达")
        DEAD = "dead", _("发送失败（死信）")

    event_type = models.CharField(_("事件类型"), max_length=64)  # e.g. registration.approved
    idempotency_key = models.UUIDField(_("幂等键"), default=uuid.uuid4, unique=True, editable=False)
    region = models.ForeignKey(
        "regions.Region", on_delete=models.PROTECT, related_name="+", verbose_name=_("目标县")
    )
    aggregate_id = models.BigIntegerField(_("业务对象ID"))
    payload = models.JSONField(_("报文"))
    state = models.CharField(_("状态"), max_length=10, choices=State.choices, default=State.PENDING)
    attempts = models.PositiveIntegerField(_("尝试次数"), default=0)
    next_attempt_at = models.DateTimeField(_("下次尝试"), auto_now_add=True)
    claimed_at = models.DateTimeField(_("领取时间"), null=True, blank=True)
    sent_at = models.DateTimeField(_("送达时间"), null=True, blank=True)
    last_error = models.TextField(_("最近错误"), blank=True)
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("推送事件")
        verbose_name_plural = _("推送事件")
        constraints = [
            models.CheckConstraint(
                condition=Q(state__in=["pending", "sending", "sent", "dead"]),
                name="outbox_state_valid",
            )
        ]
        # Serves the sweep: due pending rows and stale sending rows, oldest first.
        indexes = [
            models.Index(
                fields=["next_attempt_at"],
                condition=Q(state__in=["pending", "sending"]),
                name="outbox_due_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.event_type} #{self.pk} ({self.state})"


class DeliveryAttempt(models.Model):
    """One try at delivering an outbox event: insert-only, shown inline in the admin."""

    event = models.ForeignKey(
        OutboxEvent, on_delete=models.CASCADE, related_name="delivery_attempts"
    )
    number = models.PositiveIntegerField(_("第几次"))
    started_at = models.DateTimeField(_("开始时间"))
    finished_at = models.DateTimeField(_("结束时间"))
    ok = models.BooleanField(_("成功"), default=False)
    error = models.TextField(_("错误"), blank=True)
    http_status = models.PositiveSmallIntegerField(_("HTTP 状态码"), null=True, blank=True)
    duration_ms = models.PositiveIntegerField(_("耗时（毫秒）"), default=0)
    backend = models.CharField(_("通道"), max_length=16, blank=True)

    class Meta:
        verbose_name = _("投递记录")
        verbose_name_plural = _("投递记录")
        ordering = ["event", "number", "id"]

    def __str__(self) -> str:
        return f"#{self.event_id}/{self.number} {'ok' if self.ok else 'error'}"


class OutboxResend(models.Model):
    """Audit row: who put a dead or sent event back in the queue, and from which state."""

    event = models.ForeignKey(OutboxEvent, on_delete=models.CASCADE, related_name="resends")
    actor = models.ForeignKey(
        "accounts.User", on_delete=models.PROTECT, null=True, related_name="+"
    )
    from_state = models.CharField(max_length=10)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("重新发送记录")
        verbose_name_plural = _("重新发送记录")

    def __str__(self) -> str:
        return f"#{self.event_id} {self.from_state}→pending"
