"""The staff roster of an institution (工作人员花名册)."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.accounts.models import jurisdiction_q
from tuoyu_portal.identifiers import IdDocumentType
from tuoyu_portal.models import TimeStampedModel

from .institutions import Institution

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


class StaffRole(models.TextChoices):
    PERSON_IN_CHARGE = "person_in_charge", _("机构负责人")
    CAREGIVER = "caregiver", _("保育人员")
    HEALTH_WORKER = "health_worker", _("保健人员")
    SECURITY_GUARD = "security_guard", _("保安人员")
    COOK = "cook", _("炊事人员")
    OTHER = "other", _("其他")


class StaffMemberQuerySet(models.QuerySet["StaffMember"]):
    def visible_to(self, user: User) -> Self:
        """Operators: their institutions' staff. Staff users: their region. Others: nothing."""
        if not getattr(user, "is_authenticated", False):
            return self.none()
        return self.filter(jurisdiction_q(user, "region", "institution"))

    def active(self) -> Self:
        return self.filter(active=True)


class StaffMember(TimeStampedModel):  # type: ignore[django-manager-missing]  # events: pghistory's untyped event model
    """One person on an institution's roster; rows are never deleted, only ended (left_on)."""

    Role = StaffRole

    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, related_name="staff", verbose_name=_("机构")
    )
    name = models.CharField(_("姓名"), max_length=50)
    id_encrypted = models.TextField()
    id_hash = models.CharField(max_length=64, db_index=True)
    id_masked = models.CharField(_("身份证号"), max_length=24)
    id_document_type = models.CharField(
        _("证件类型"),
        max_length=32,
        choices=IdDocumentType.choices,
        default=IdDocumentType.RESIDENT_ID,
    )
    role = models.CharField(_("岗位"), max_length=20, choices=StaffRole.choices)
    health_certificate_expires = models.DateField(_("健康证有效期至"), null=True, blank=True)
    background_check_date = models.DateField(_("背景审查日期"), null=True, blank=True)
    qualifications = models.TextField(_("资格证书"), blank=True)
    active = models.BooleanField(_("在职"), default=True)
    started_on = models.DateField(_("入职日期"), null=True, blank=True)
    left_on = models.DateField(_("离职日期"), null=True, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    objects = StaffMemberQuerySet.as_manager()

    class Meta:
        verbose_name = _("工作人员")
        verbose_name_plural = _("工作人员")
        ordering = ["institution_id", "id"]
        constraints = [
            # One active employment per person nationwide: the race-proof backstop of
            # `staff_already_employed` (two simultaneous additions cannot both commit).
            models.UniqueConstraint(
                fields=["id_hash"], condition=Q(active=True), name="staff_one_active_per_person"
            ),
            models.CheckConstraint(condition=Q(role__in=StaffRole.values), name="staff_role_valid"),
        ]
        indexes = [
            # Serves the expiry notifications (tuoyu_portal.notifications): active staff by certificate expiry.
            models.Index(
                fields=["health_certificate_expires"],
                condition=Q(active=True),
                name="staff_cert_expiry_idx",
            ),
        ]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_masked})"
