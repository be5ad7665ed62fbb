"""Filing materials: uploads checked by content and size, hashed, stored under random names."""

from __future__ import annotations

import hashlib
import re
import unicodedata
from dataclasses import dataclass

from django.conf import settings
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.utils.translation import gettext as _

from registry.models import (
    DocumentKind,
    Filing,
    FilingDocument,
    FilingStatus,
    SupplementRequest,
)
from registry.services.filing_guards import ensure_operator, ensure_valid, lock_filing
from tuoyu_portal import uploads
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import (
    DomainError,
    RuleViolation,
    collect,
)

# The accepted types and their magic bytes live in tuoyu_portal.uploads (one table for all apps).
SUFFIXES: dict[str, str] = {"application/pdf": ".pdf", "image/jpeg": ".jpg", "image/png": ".png"}


# ---------------------------------------------------------------------------------------------
# Documents


def sanitise_name(name: str) -> str:
    """Keep a readable original name for display only: no path, no control characters."""
    name = re.split(r"[\\/]", name or "")[-1]
    name = "".join(ch for ch in name if unicodedata.category(ch)[0] != "C").strip(" .")
    return name[:200] or "file"


def sniff(head: bytes) -> tuple[str, str] | None:
    content_type = uploads.detect(head)
    return (content_type, SUFFIXES[content_type]) if content_type else None


@dataclass(frozen=True)
class CheckedUpload:
    content_type: str
    suffix: str
    sha256: str
    size: int


def check_upload(upload: UploadedFile, problems: list[RuleViolation]) -> CheckedUpload:
    """The checks every uploaded material passes, after the caller's own (`problems`): at most
    MAX_DOCUMENT_BYTES, PDF/JPEG/PNG by content only, SHA-256 while streaming. Raises one
    DomainError with every problem; on success the upload is rewound for storing."""
    limit = int(settings.MAX_DOCUMENT_BYTES)
    detected = None
    # The size is known from the request before anything is read: refuse oversize at once.
    if upload.size is None or upload.size > limit:
        problems.append(
            RuleViolation(
                "file_too_large",
                _("文件不得超过%(mb)s MB。") % {"mb": round(limit / 1024 / 1024, 1)},
                "file",
            )
        )
    else:
        upload.seek(0)
        # Whole-file check (scripts in PDFs, polyglots, image bombs): tuoyu_portal/uploads.py.
        detected = sniff(upload.read(8)) if uploads.is_acceptable(upload) else None
        upload.seek(0)
        if detected is None:
            problems.append(
                RuleViolation(
                    "file_type_not_allowed",
                    _("只接受PDF、JPEG或PNG文件（按文件内容判断，与扩展名无关）。"),
                    "file",
                )
            )
    collect(problems)
    assert detected is not None
    content_type, suffix = detected
    digest = hashlib.sha256()
    size = 0
    for chunk in upload.chunks():
        digest.update(chunk)
        size += len(chunk)
    if size > limit:  # a lying Content-Length: the stream is the truth
        raise DomainError.single("file_too_large", _("文件过大。"), "file")
    upload.seek(0)
    return CheckedUpload(content_type, suffix, digest.hexdigest(), size)


@transaction.atomic(durable=True)
def add_document(filing: Filing, *, actor: User, kind: str, upload: UploadedFile) -> FilingDocument:
    """Store one material: PDF/JPEG/PNG by content only, ≤ MAX_DOCUMENT_BYTES, random name,
    SHA-256 while streaming. Refused (`document_locked`) once submitted, except kinds named in
    the open supplement request while `supplement_requested`; such a re-upload supersedes the
    earlier file of that kind, which is kept."""
    filing = lock_filing(filing)
    ensure_operator(filing, actor)
    problems: list[RuleViolation] = []
    if kind not in DocumentKind.values:
        problems.append(RuleViolation("invalid_choice", _("材料类型无效。"), "kind"))
    open_request = SupplementRequest.objects.open().filter(filing=filing).first()
    if filing.status == FilingStatus.DRAFT:
        replace = False
    elif (
        filing.status == FilingStatus.SUPPLEMENT_REQUESTED
        and open_request is not None
        and kind in open_request.item_names
    ):
        replace = True
    else:
        problems.append(
            RuleViolation(
                "document_locked",
                _("备案已提交，材料已锁定；只有补正告知中列出的材料可以重新上传。"),
                "kind",
            )
        )
        replace = False
    checked = check_upload(upload, problems)
    document = FilingDocument(
        filing=filing,
        kind=kind,
        original_name=sanitise_name(upload.name or ""),
        size=checked.size,
        sha256=checked.sha256,
        content_type=checked.content_type,
        uploaded_by=actor,
    )
    # The storage name comes from upload_to (uuid) and the suffix from the content, never the
    # user's file name.
    document.file.save(f"upload{checked.suffix}", upload, save=False)
    ensure_valid(document)
    document.save()
    if replace:
        filing.documents.filter(kind=kind, superseded_by__isnull=True).exclude(
            pk=document.pk
        ).update(superseded_by=document)
    return document
