"""Change filings (变更备案) and the kept versions of a filing's facts."""

from __future__ import annotations

import uuid
from pathlib import PurePosixPath
from typing import TYPE_CHECKING, ClassVar, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.accounts.models import jurisdiction_q
from tuoyu_portal.models import TimeStampedModel

from .documents import DocumentKind
from .filings import Filing

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


class ChangeStatus(models.TextChoices):
    DRAFT = "draft", _("草稿")
    SUBMITTED = "submitted", _("已提交，待审核")
    SUPPLEMENT_REQUESTED = "supplement_requested", _("需补正")
    ACCEPTED = "accepted", _("已变更")
    REJECTED = "rejected", _("不予变更")


class FilingChangeQuerySet(models.QuerySet["FilingChange"]):
    def visible_to(self, user: User) -> Self:
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(jurisdiction_q(user, "region", "filing__institution"))


class FilingChange(TimeStampedModel):
    """A proposed change of filed facts, reviewed like a filing; accepted → facts updated."""

    Status = ChangeStatus
    TRANSITIONS: ClassVar[dict[str, frozenset[str]]] = {
        ChangeStatus.DRAFT: frozenset({ChangeStatus.SUBMITTED}),
        ChangeStatus.SUBMITTED: frozenset(
            {ChangeStatus.SUPPLEMENT_REQUESTED, ChangeStatus.ACCEPTED, ChangeStatus.REJECTED}
        ),
        ChangeStatus.SUPPLEMENT_REQUESTED: frozenset({ChangeStatus.SUBMITTED}),
        ChangeStatus.ACCEPTED: frozenset(),
        ChangeStatus.REJECTED: frozenset(),
    }
    OPEN_STATUSES: ClassVar[tuple[str, ...]] = (
        ChangeStatus.DRAFT,
        ChangeStatus.SUBMITTED,
        ChangeStatus.SUPPLEMENT_REQUESTED,
    )
    EDITABLE: ClassVar[tuple[str, ...]] = (ChangeStatus.DRAFT, ChangeStatus.SUPPLEMENT_REQUESTED)

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="changes")
    status = models.CharField(
        _("状态"), max_length=24, choices=ChangeStatus.choices, default=ChangeStatus.DRAFT
    )
    # Non-personal proposed facts: address, places, care_modes, classes, person_in_charge_name.
    proposed = models.JSONField(_("变更内容"), default=dict)
    # A new person in charge's ID number never goes into the JSON: encrypted like everywhere else.
    person_in_charge_id_encrypted = models.TextField(blank=True)
    person_in_charge_id_hash = models.CharField(max_length=64, blank=True)
    person_in_charge_id_masked = models.CharField(max_length=24, blank=True)
    reason = models.TextField(_("变更事由"), blank=True)
    supplement_note = models.TextField(_("补正说明"), blank=True)
    decision_note = models.TextField(_("审核意见"), blank=True)
    submitted_at = models.DateTimeField(null=True, blank=True)
    decided_at = models.DateTimeField(null=True, blank=True)
    # The same working-day clocks as a filing (25号 §9), set at each submission of the change.
    received_at = models.DateTimeField(_("收到材料时间"), null=True, blank=True)
    receipt_due = models.DateField(_("回执办理期限"), null=True, blank=True)
    conformity_due = models.DateField(_("符合性告知期限"), null=True, blank=True)
    clocks_provisional = models.BooleanField(_("期限为暂定（节假日数据未发布）"), default=False)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )

    objects = FilingChangeQuerySet.as_manager()

    class Meta:
        verbose_name = _("变更备案")
        verbose_name_plural = _("变更备案")
        ordering = ["-id"]
        constraints = [
            models.CheckConstraint(
                condition=Q(status__in=ChangeStatus.values), name="filing_change_status_valid"
            ),
            # One open change per filing, so two changes never overwrite each other's facts.
            models.UniqueConstraint(
                fields=["filing"],
                condition=Q(status__in=["draft", "submitted", "supplement_requested"]),
                name="filing_change_one_open",
            ),
        ]

    def __str__(self) -> str:
        return _("%(filing)s 变更 #%(pk)s") % {"filing": self.filing, "pk": self.pk}

    def can_become(self, target: str) -> bool:
        return target in self.TRANSITIONS[self.status]


def change_document_upload_to(instance: ChangeDocument, filename: str) -> str:
    """Random storage name under changes/<change id>/: the original name never reaches storage."""
    suffix = PurePosixPath(filename).suffix.lower()[:8]
    return f"changes/{instance.change_id}/{uuid.uuid4().hex}{suffix}"


class ChangeDocument(models.Model):
    """A material supporting a change filing (a new site's proof, a new person's credentials).

    Kept apart from the filing's own materials: until the change is accepted they are claims
    about a site or person that is not yet the filed one.
    """

    change = models.ForeignKey(FilingChange, on_delete=models.CASCADE, related_name="documents")
    kind = models.CharField(_("材料类型"), max_length=24, choices=DocumentKind.choices)
    original_name = models.CharField(_("原文件名"), max_length=200)
    file = models.FileField(_("文件"), upload_to=change_document_upload_to, max_length=200)
    size = models.PositiveBigIntegerField(_("大小（字节）"))
    sha256 = models.CharField(_("SHA-256"), max_length=64)
    content_type = models.CharField(_("文件类型"), max_length=40)
    uploaded_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, related_name="+", null=True
    )
    uploaded_at = models.DateTimeField(_("上传时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("变更备案材料")
        verbose_name_plural = _("变更备案材料")
        ordering = ["change", "kind", "id"]

    def __str__(self) -> str:
        return f"{self.get_kind_display()}: {self.original_name}"


class FilingChangeTransition(models.Model):
    """Insert-only history of a change filing's status."""

    change = models.ForeignKey(FilingChange, on_delete=models.CASCADE, related_name="transitions")
    from_status = models.CharField(max_length=24, blank=True)
    to_status = models.CharField(max_length=24)
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    note = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("变更备案状态记录")
        verbose_name_plural = _("变更备案状态记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.change_id}: {self.from_status}→{self.to_status}"

    # People read 已提交，待审核, not `submitted` (the columns store codes).
    @property
    def from_label(self) -> str:
        return str(ChangeStatus(self.from_status).label) if self.from_status else ""

    @property
    def to_label(self) -> str:
        return str(ChangeStatus(self.to_status).label) if self.to_status else ""


class FilingVersionQuerySet(models.QuerySet["FilingVersion"]):
    def visible_to(self, user: User) -> Self:
        """Whoever may see the filing may see its earlier versions."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(jurisdiction_q(user, "region", "filing__institution"))


class FilingVersion(models.Model):
    """A snapshot of a filing's facts as they were before an accepted change replaced them."""

    filing = models.ForeignKey(Filing, on_delete=models.PROTECT, related_name="versions")
    number = models.PositiveIntegerField(_("版本号"))
    facts = models.JSONField(_("备案内容快照"))
    change = models.ForeignKey(
        FilingChange, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    reason = models.TextField(blank=True)
    created_at = models.DateTimeField(auto_now_add=True)

    objects = FilingVersionQuerySet.as_manager()

    class Meta:
        verbose_name = _("备案历史版本")
        verbose_name_plural = _("备案历史版本")
        ordering = ["filing_id", "number"]
        constraints = [
            models.UniqueConstraint(fields=["filing", "number"], name="filing_version_unique")
        ]

    def __str__(self) -> str:
        return f"{self.filing} v{self.number}"
