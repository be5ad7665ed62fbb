"""Bulk imports of institutions already registered elsewhere."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.models import TimeStampedModel


class ImportBatch(TimeStampedModel):
    """One uploaded file: who, when, what, how many rows did what, and the error report."""

    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("上传人"),
    )
    authority = models.CharField(_("登记机关"), max_length=10, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        null=True,
        blank=True,
        verbose_name=_("区划"),
    )
    file_name = models.CharField(_("文件名"), max_length=255)
    sha256 = models.CharField(_("文件SHA-256"), max_length=64, db_index=True)
    total_rows = models.PositiveIntegerField(_("数据行数"), default=0)
    approved_count = models.PositiveIntegerField(_("导入并推送"), default=0)
    skipped_count = models.PositiveIntegerField(_("已存在，跳过"), default=0)
    error_count = models.PositiveIntegerField(_("错误行数"), default=0)
    error_report = models.TextField(_("错误报告（CSV）"), blank=True)

    class Meta:
        verbose_name = _("批量导入批次")
        verbose_name_plural = _("批量导入批次")
        # Serves the import page: a registrar's own batches, newest first.
        indexes = [models.Index(fields=["uploaded_by", "-id"], name="importbatch_user_idx")]

    def __str__(self) -> str:
        return f"{self.file_name} ({self.created_at:%Y-%m-%d %H:%M})"
