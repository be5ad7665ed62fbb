"""Institutions (托育机构); the operators who belong to them are accounts.Membership."""

from __future__ import annotations

from typing import TYPE_CHECKING, Self

from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from tuoyu_portal.accounts.models import jurisdiction_q
from tuoyu_portal.models import TimeStampedModel

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User


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
