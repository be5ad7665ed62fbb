"""Supporting documents of a claim: PDF, JPEG or PNG by content, size-limited, locked once
submitted (until the officer asks for changes)."""

from __future__ import annotations

import hashlib

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext_lazy as _

from tuoyu_portal import uploads
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import DomainError

from ..models import Claim, ClaimDocument
from .claims import _ensure_member


@transaction.atomic(durable=True)
def add_document(claim: Claim, *, actor: User, upload: UploadedFile) -> ClaimDocument:
    """Attach a document to an editable claim (operator of the institution)."""
    claim = Claim.objects.select_for_update().select_related("filing").get(pk=claim.pk)
    _ensure_member(claim.filing, actor)
    if not claim.is_editable:
        raise DomainError.single("document_locked", _("申请已提交，材料不能再修改。"), "file")
    if upload.size is None or upload.size > settings.MAX_DOCUMENT_BYTES:
        raise DomainError.single(
            "file_too_large",
            _("文件不得超过%(mb)s MB。")
            % {"mb": round(settings.MAX_DOCUMENT_BYTES / 1024 / 1024, 1)},
            "file",
        )
    upload.seek(0)
    # Whole-file check (scripts in PDFs, polyglots, image bombs): tuoyu_portal/uploads.py.
    # Content type by magic bytes: the uploader's name and Content-Type header are not trusted.
    content_type = uploads.detect(upload.read(16)) if uploads.is_acceptable(upload) else None
    if content_type is None:
        raise DomainError.single(
            "file_type_not_allowed", _("只接受 PDF、JPEG 或 PNG 文件。"), "file"
        )
    upload.seek(0)
    digest = hashlib.sha256()
    for chunk in upload.chunks():
        digest.update(chunk)
    upload.seek(0)
    document = ClaimDocument(
        claim=claim,
        original_name=uploads.safe_basename(upload.name),
        content_type=content_type,
        size=upload.size,
        sha256=digest.hexdigest(),
        uploaded_by=actor,
    )
    document.file.save("upload", upload, save=False)
    document.save()
    return document
