"""Helpers shared by the inspection services: guards, history rows, evidence checks."""

from __future__ import annotations

from typing import Any

from django.core.files.uploadedfile import UploadedFile
from django.utils.translation import gettext_lazy as _

from registry.models import Filing
from tuoyu_portal import uploads
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.exceptions import DomainError, NotPermitted, RuleViolation

# Evidence is a photo or a PDF, recognised by its content (tuoyu_portal.uploads), never by the
# name the client sent.
MAX_EVIDENCE_BYTES = 10 * 1024 * 1024


def sniff_evidence(upload: UploadedFile, field: str = "evidence") -> str:
    """The content type of an evidence upload, or a DomainError for anything else."""
    head = upload.read(16)
    upload.seek(0)
    if upload.size and upload.size > MAX_EVIDENCE_BYTES:
        raise DomainError.single("evidence_too_large", _("证据文件不能超过10MB。"), field)
    # Whole-file check (scripts in PDFs, polyglots, image bombs): tuoyu_portal/uploads.py.
    # The stored name is random: the uploader's name (RTL overrides, "..") never reaches storage.
    if uploads.is_acceptable(upload, allow_webp=True):
        content_type = uploads.detect(head, allow_webp=True) or ""
        upload.name = uploads.random_storage_name(content_type)
        return content_type
    raise DomainError.single(
        "evidence_type_not_allowed", _("证据只能是照片（JPEG、PNG、WebP）或PDF文件。"), field
    )


def ensure_inspector_for(filing: Filing, actor: User) -> None:
    """Inspectors act only on filings of their region (visible_to is the same rule)."""
    if actor.role != Role.INSPECTOR or not actor.department:
        raise NotPermitted(_("只有监督检查人员可以录入检查。"))
    if not Filing.objects.visible_to(actor).filter(pk=filing.pk).exists():
        raise NotPermitted(_("该机构不在您的辖区内。"))


def ensure_health_reviewer_for(region_code: str, actor: User) -> None:
    prefix = actor.region_prefix if actor.is_authenticated else None
    if actor.role != Role.HEALTH_REVIEWER or prefix is None or not region_code.startswith(prefix):
        raise NotPermitted(_("只有本县（市、区）卫生健康部门可以办理。"))


def violation(code: str, message: Any, field: str | None = None) -> RuleViolation:
    return RuleViolation(code, message, field)
