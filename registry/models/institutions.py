"""Institutions (托育机构) and the operators who belong to them."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.accounts.models import Role
from tuoyu_portal.models import TimeStampedModel

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


def jurisdiction_q(user: User, region_field: str = "region", institution_field: str = "") -> Q:
    """The Q that limits any institution-linked model to what `user` may see.

    Operators see institutions they belong to; staff see their region and everything below it;
    anyone else sees nothing. `institution_field` is the path to the Institution ("" for itself).
    """
    prefix = f"{institution_field}__" if institution_field else ""
    if not getattr(user, "is_authenticated", False) or not user.is_active:
        return Q(pk__in=[])
    if user.role == Role.OPERATOR:
        return Q(**{f"{prefix}memberships__user": user})
    region_prefix = user.region_prefix
    if region_prefix is None:
        return Q(pk__in=[])
    # `region__code` is the FK column itself, so no join to the region table is made.
    return Q(**{f"{prefix}{region_field}__code__startswith": region_prefix})


class InstitutionQuerySet(models.QuerySet["Institution"]):
    def visible_to(self, user: User) -> Self:
        # Membership is unique per (institution, user), so the join never duplicates rows.
        return self.filter(jurisdiction_q(user, "region"))


class Institution(TimeStampedModel):
    """A childcare institution, from its first registration draft onwards."""

    name = models.CharField(_("机构名称"), max_length=100)
    credit_code = models.CharField(_("统一社会信用代码"), max_length=18, blank=True)
    region = models.ForeignKey(
        "regions.Region",
        on_delete=models.PROTECT,
        related_name="+",
        verbose_name=_("所在县（市、区）"),
    )
    address = models.CharField(_("地址"), max_length=200, blank=True)
    home_based = models.BooleanField(_("家庭托育点"), default=False)

    objects = InstitutionQuerySet.as_manager()

    class Meta:
        verbose_name = _("托育机构")
        verbose_name_plural = _("托育机构")
        constraints = [
            # One institution per credit code: bulk import and the push key on it.
            models.UniqueConstraint(
                fields=["credit_code"],
                condition=~Q(credit_code=""),
                name="institution_credit_code_unique",
            ),
        ]
        indexes = [models.Index(fields=["region", "id"], name="institution_region_idx")]

    def __str__(self) -> str:
        return self.name


class Membership(TimeStampedModel):
    """An operator account's place in an institution; owners may add colleagues."""

    institution = models.ForeignKey(
        Institution, on_delete=models.CASCADE, related_name="memberships"
    )
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.CASCADE, related_name="memberships"
    )
    is_owner = models.BooleanField(_("举办者（可添加同事）"), default=False)
    added_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, on_delete=models.SET_NULL, null=True, blank=True, related_name="+"
    )

    class Meta:
        verbose_name = _("机构成员")
        verbose_name_plural = _("机构成员")
        constraints = [
            models.UniqueConstraint(fields=["institution", "user"], name="membership_unique")
        ]

    def __str__(self) -> str:
        return f"{self.user} @ {self.institution}"
