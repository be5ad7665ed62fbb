"""Audit trail: trigger-written change events, daily hash-chain checkpoints,
and the log of every view of a full ID number.

Events are written by PostgreSQL triggers (django-pghistory), so bulk ``update()``/``delete()``,
admin saves and raw SQL are caught as well as the services; each event row carries the request
context (actor, path, method, address) set by ``AuditContextMiddleware``. The event models are
declared by the apps whose tables they follow, under this app's label (``events.py`` says how,
and how the audit finds them); encrypted ID columns are not copied into the events.

Every table here is append-only for the application (a trigger refuses UPDATE and DELETE, see
migration 0002) except inside the retention purge, which sets ``tuoyu.audit_maintenance``.
"""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _


class AuditCheckpoint(models.Model):
    """One link of the daily hash chain: SHA-256 over the previous digest and the canonical JSON
    of every audit event of the (Beijing) day."""

    day = models.DateField(_("日期"), unique=True)
    event_count = models.PositiveIntegerField(_("事件数"))
    previous_digest = models.CharField(_("上一检查点摘要"), max_length=64, blank=True)
    digest = models.CharField(_("摘要"), max_length=64)
    created_at = models.DateTimeField(_("生成时间"), auto_now_add=True)

    class Meta:
        ordering = ["day"]
        verbose_name = _("审计检查点")
        verbose_name_plural = _("审计检查点")

    def __str__(self) -> str:
        return f"{self.day} {self.digest[:12]}"


class IdNumberAccess(models.Model):
    """Who saw a full ID number, of what, why, and from where (个人信息保护法 §51, 等保 8.1.4.3)."""

    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("查看人"),
    )
    model = models.CharField(_("对象类型"), max_length=100)
    object_id = models.CharField(_("对象ID"), max_length=40)
    field = models.CharField(_("字段"), max_length=100)
    reason = models.CharField(_("事由"), max_length=200)
    path = models.CharField(_("请求路径"), max_length=300, blank=True)
    ip = models.GenericIPAddressField(_("来源地址"), null=True, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True, db_index=True)

    class Meta:
        ordering = ["-created_at"]
        verbose_name = _("身份证号查看记录")
        verbose_name_plural = _("身份证号查看记录")
        indexes = [
            # "who looked at this person's record" — the question a data subject asks.
            models.Index(fields=["model", "object_id"], name="audit_idaccess_object_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.actor_id} {self.model}#{self.object_id} {self.created_at:%Y-%m-%d %H:%M}"
