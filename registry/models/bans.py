"""The lifetime-ban register (终身禁入, domain §5): keyed by the ID number's keyed hash."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.accounts.models import Role, jurisdiction_q
from tuoyu_portal.identifiers import IdDocumentType
from tuoyu_portal.models import TimeStampedModel

from .institutions import Institution

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


class BanQuerySet(models.QuerySet["Ban"]):
    def visible_to(self, user: User) -> Self:
        """The register is national, checked at every staff addition anywhere: every health
        reviewer reads all of it (the register page and API); nobody else reads any of it."""
        if not getattr(user, "is_authenticated", False) or not user.is_active:
            return self.none()
        return self.all() if user.role == Role.HEALTH_REVIEWER else self.none()


class Ban(TimeStampedModel):  # type: ignore[django-manager-missing]  # events: pghistory's untyped event model
    """A person banned for life from infant care. Never deleted; corrections are audited."""

    name = models.CharField(_("姓名"), max_length=50)
    id_encrypted = models.TextField()
    id_hash = models.CharField(max_length=64)
    id_masked = models.CharField(_("身份证号"), max_length=24)
    id_document_type = models.CharField(
        _("证件类型"),
        max_length=32,
        choices=IdDocumentType.choices,
        default=IdDocumentType.RESIDENT_ID,
    )
    legal_basis = models.TextField(_("法律依据"))
    decision_ref = models.CharField(_("决定文书编号"), max_length=100)
    decided_on = models.DateField(_("决定日期"))
    active = models.BooleanField(_("有效"), default=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )

    objects = BanQuerySet.as_manager()

    class Meta:
        verbose_name = _("终身禁入人员")
        verbose_name_plural = _("终身禁入名单")
        constraints = [
            # One active ban per person; matching at every staff addition looks it up by hash.
            models.UniqueConstraint(
                fields=["id_hash"], condition=Q(active=True), name="ban_one_active_per_person"
            ),
        ]
        indexes = [models.Index(fields=["id_hash"], name="ban_id_hash_idx")]

    def __str__(self) -> str:
        return f"{self.name} ({self.id_masked})"


class BanCorrection(models.Model):
    """Insert-only audit of every change to a ban (including lifting it)."""

    ban = models.ForeignKey(Ban, on_delete=models.PROTECT, related_name="corrections")
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.PROTECT, null=True, related_name="+"
    )
    changes = models.JSONField(_("更正内容"), default=dict)
    reason = models.TextField(_("更正理由"))
    created_at = models.DateTimeField(auto_now_add=True)

    class Meta:
        verbose_name = _("禁入名单更正记录")
        verbose_name_plural = _("禁入名单更正记录")
        ordering = ["created_at", "id"]

    def __str__(self) -> str:
        return f"{self.ban_id} @ {self.created_at:%Y-%m-%d}"


class BanAlertQuerySet(models.QuerySet["BanAlert"]):
    def visible_to(self, user: User) -> Self:
        """The county health bureau where the banned person was named (or is active)."""
        if not getattr(user, "is_authenticated", False) or user.role == "operator":
            return self.none()
        return self.filter(jurisdiction_q(user, "region"))


class BanAlertKind(models.TextChoices):
    ATTEMPT = "attempt", _("禁入人员被提交登记")
    ACTIVE = "active", _("在职人员被列入禁入名单")


class BannedPersonRole(models.TextChoices):
    """Every person the portal names (api.md 1.1 "Bans")."""

    STAFF = "staff", _("工作人员")
    PERSON_IN_CHARGE = "person_in_charge", _("机构负责人")
    LEGAL_REPRESENTATIVE = "legal_representative", _("法定代表人")


class BanAlert(models.Model):
    """A banned person was named to the portal, or a person just banned is active somewhere:
    the county bureau must know (and the attempt is kept)."""

    Kind = BanAlertKind
    PersonRole = BannedPersonRole

    ban = models.ForeignKey(Ban, on_delete=models.PROTECT, related_name="alerts")
    # Empty for a registration that has no institution yet; the county is always known.
    institution = models.ForeignKey(
        Institution, on_delete=models.PROTECT, null=True, blank=True, related_name="+"
    )
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        null=True,
        related_name="+",
        verbose_name=_("县区"),
    )
    kind = models.CharField(
        _("类型"), max_length=10, choices=BanAlertKind.choices, default=BanAlertKind.ATTEMPT
    )
    person_role = models.CharField(
        _("身份"), max_length=24, choices=BannedPersonRole.choices, default=BannedPersonRole.STAFF
    )
    attempted_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, related_name="+"
    )
    created_at = models.DateTimeField(auto_now_add=True)
    seen = models.BooleanField(_("已查看"), default=False)

    objects = BanAlertQuerySet.as_manager()

    class Meta:
        verbose_name = _("禁入人员预警")
        verbose_name_plural = _("禁入人员预警")
        ordering = ["-created_at", "-id"]

    def __str__(self) -> str:
        return f"{self.ban} → {self.institution or self.region_id}"
