"""Filing materials (uploads), supplement requests (一次性告知) and the filing-number counter."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, Any, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.accounts.models import jurisdiction_q

from .filings import Filing

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


class DocumentKind(models.TextChoices):
    LICENSE = "license", _("营业执照/法人登记证书")
    SITE_PROOF = "site_proof", _("场地证明（产权证明或租赁合同）")
    STAFF_CREDENTIALS = "staff_credentials", _("工作人员专业资格证明及健康合格证明")
    HEALTH_EVALUATION = "health_evaluation", _("托幼机构卫生评价报告")
    FIRE_SAFETY = "fire_safety", _("消防安全检查合格证明")
    FOOD_LICENSE = "food_license", _("食品经营许可证")
    OTHER = "other", _("其他材料")


def document_upload_to(instance: FilingDocument, filename: str) -> str:
    """Random storage name under filings/<filing id>/: the original name never reaches storage."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"filings/{instance.filing_id}/{uuid.uuid4().hex}{suffix}"


class FilingDocumentQuerySet(models.QuerySet["FilingDocument"]):
    def visible_to(self, user: User) -> Self:
        """Whoever may see the filing may see its documents; nobody else."""
        return self.filter(jurisdiction_q(user, "region", "filing__institution"))

    def current(self) -> Self:
        return self.filter(superseded_by__isnull=True)


class FilingDocument(models.Model):
    """One uploaded material. Immutable once the filing is submitted (`locked`)."""

    Kind = DocumentKind

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=24, choices=DocumentKind.choices)
    original_name = models.CharField(_("原文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to=document_upload_to, max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("文件类型"), max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)
    locked = models.BooleanField(_("已锁定"), default=False)
    # A re-upload during a supplement request replaces the earlier file, which stays for the record.
    superseded_by = models.ForeignKey(
        "self",
        on_delete=models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("被替换为"),
    )

    objects = FilingDocumentQuerySet.as_manager()

    class Meta:
        verbose_name = _("备案材料")
        verbose_name_plural = _("备案材料")
        ordering = ["filing", "kind", "id"]
        indexes = [
            # Serves "current documents of a filing by kind" (readiness, detail pages).
            models.Index(fields=["filing", "kind"], name="filingdoc_filing_kind_idx"),
        ]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class SupplementRequestQuerySet(models.QuerySet["SupplementRequest"]):
    def visible_to(self, user: User) -> Self:
        return self.filter(jurisdiction_q(user, "region", "filing__institution"))

    def open(self) -> Self:
        return self.filter(resolved_at__isnull=True)


class SupplementRequest(models.Model):
    """A one-shot list (一次性告知) of everything the operator must supply or correct."""

    filing = models.ForeignKey(Filing, on_delete=models.CASCADE, related_name="supplement_requests")
    items = models.JSONField(_("补正事项"), default=list)  # [{"item": kind|field, "note": str}]
    note = models.TextField(_("说明"), blank=True)
    requested_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+"
    )
    requested_at = models.DateTimeField(_("告知时间"), auto_now_add=True)
    resolved_at = models.DateTimeField(_("补正提交时间"), null=True, blank=True)

    objects = SupplementRequestQuerySet.as_manager()

    class Meta:
        verbose_name = _("补正告知")
        verbose_name_plural = _("补正告知")
        ordering = ["-requested_at", "-id"]
        constraints = [
            # One open request at a time: the list is one-shot, resubmission resolves it.
            models.UniqueConstraint(
                fields=["filing"],
                condition=Q(resolved_at__isnull=True),
                name="supplement_one_open_per_filing",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.filing_id} @ {self.requested_at:%Y-%m-%d}"

    @property
    def item_names(self) -> set[str]:
        return {str(entry.get("item")) for entry in self.items if isinstance(entry, dict)}

    def as_dict(self) -> dict[str, Any]:
        return {
            "id": self.pk,
            "items": self.items,
            "note": self.note,
            "requested_at": self.requested_at,
            "resolved_at": self.resolved_at,
        }


class FilingNumberCounter(models.Model):
    """Last filing number issued per county and year.

    Incremented under a row lock inside the accept transaction, so numbers are gap-free and
    unique even when reviewers accept at the same moment (a rolled-back accept rolls the counter
    back with it). Format: `<county code>-<year>-<5-digit sequence>`, e.g. 371103-2026-00001.
    """

    region = models.ForeignKey("regions.Region", on_delete=models.PROTECT, related_name="+")
    year = models.PositiveSmallIntegerField()
    last = models.PositiveIntegerField(default=0)

    class Meta:
        verbose_name = _("备案编号计数器")
        verbose_name_plural = _("备案编号计数器")
        constraints = [
            models.UniqueConstraint(fields=["region", "year"], name="filing_counter_region_year")
        ]

    def __str__(self) -> str:
        return f"{self.region_id}-{self.year}: {self.last}"
