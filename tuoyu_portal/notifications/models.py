"""Notifications: one row per recipient and event, which is also the idempotency record."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


class NotificationKind(models.TextChoices):
    SUPPLEMENT_REQUESTED = "supplement_requested", _("补正材料告知")
    RECEIPT_ISSUED = "receipt_issued", _("备案回执已出具")
    NONCONFORMING = "nonconforming", _("不符合设置标准告知")
    FINDING = "finding", _("检查发现问题")
    FINDING_DEADLINE = "finding_deadline", _("整改期限临近")
    FINDING_OVERDUE = "finding_overdue", _("整改已逾期")
    HEALTH_CERTIFICATE = "health_certificate", _("健康证即将到期")
    LEASE_ENDING = "lease_ending", _("场地租赁即将到期")
    CLAIM_DECIDED = "claim_decided", _("补贴申请审核结果")
    CLOCK_OVERDUE = "clock_overdue", _("备案办理超期")
    BAN_ALERT = "ban_alert", _("禁入人员预警")
    DEADLINE_CHANGED = "deadline_changed", _("办理期限调整")
    REGISTRATION_APPROVED = "registration_approved", _("登记申请已通过")
    REGISTRATION_RETURNED = "registration_returned", _("登记申请被退回修改")
    REGISTRATION_REJECTED = "registration_rejected", _("不予登记")
    REGISTRATION_PUSHED = "registration_pushed", _("登记信息推送")
    FILING_RECEIVED = "filing_received", _("备案材料已提交")
    COMPLAINT_RECEIVED = "complaint_received", _("新投诉举报")


class NotificationQuerySet(models.QuerySet["Notification"]):
    def visible_to(self, user: User) -> Self:
        """A user sees only their own notifications."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(recipient=user)

    def unread(self) -> Self:
        return self.filter(read_at__isnull=True)


class Notification(models.Model):
    Kind = NotificationKind

    recipient = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.CASCADE,
        related_name="notifications",
        verbose_name=_("接收人"),
    )
    kind = models.CharField(_("类型"), max_length=24, choices=NotificationKind.choices)
    # Names the event, e.g. `supplement:12`; with the recipient it makes sending idempotent.
    event_key = models.CharField(_("事件键"), max_length=120)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    link = models.CharField(_("链接"), max_length=300, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)
    read_at = models.DateTimeField(_("已读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)

    objects = NotificationQuerySet.as_manager()

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-id"]
        constraints = [
            # The idempotency key: a task that runs twice inserts nothing the second time.
            models.UniqueConstraint(
                fields=["recipient", "event_key"], name="notification_once_per_event"
            ),
            models.CheckConstraint(
                condition=models.Q(kind__in=NotificationKind.values), name="notification_kind_valid"
            ),
        ]
        indexes = [
            # Serves the inbox (newest first, keyset on id) and the unread badge.
            models.Index(fields=["recipient", "read_at", "-id"], name="notification_inbox_idx"),
            # Serves the e-mail sweep (the last hour's unsent rows) without reading the table.
            models.Index(
                fields=["created_at"],
                name="notification_unmailed_idx",
                condition=models.Q(emailed_at__isnull=True),
            ),
        ]

    def __str__(self) -> str:
        return f"{self.recipient_id}: {self.title}"
