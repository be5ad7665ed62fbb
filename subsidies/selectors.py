"""Reads that feed other screens: subsidy paid per scheme kind (statistics, api.md)."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import Sum
from django.db.models.functions import Substr

from tuoyu_portal.regions.models import code_prefix

from .models import Claim, ClaimStatus, SchemeKind


def paid_by_scheme_per_region(
    prefix: str, group_len: int, year: int | None = None
) -> dict[str, dict[str, Decimal]]:
    """元 paid per scheme kind for each group of regions under `prefix` (the first `group_len`
    characters of the county code), in one grouped query; kinds without payments are absent."""
    claims = Claim.objects.filter(status=ClaimStatus.PAID)
    if year is not None:
        claims = claims.filter(paid_at__year=year)
    rows = (
        claims.filter(region__code__startswith=prefix)
        .annotate(g=Substr("region_id", 1, group_len))
        .values("g")
        .annotate(total=Sum("amount"))
        .values("g", "kind", "total")
    )
    result: dict[str, dict[str, Decimal]] = {}
    for row in rows:
        result.setdefault(row["g"], {})[row["kind"]] = row["total"] or Decimal("0")
    return result


def paid_by_scheme(region_code: str, year: int | None = None) -> dict[str, Decimal]:
    """元 paid per scheme kind in a region and everything below it (optionally in one year)."""
    claims = Claim.objects.filter(
        status=ClaimStatus.PAID, region__code__startswith=code_prefix(region_code)
    )
    if year is not None:
        claims = claims.filter(paid_at__year=year)
    totals = {kind: Decimal("0.00") for kind in SchemeKind.values}
    for row in claims.values("kind").annotate(total=Sum("amount")):
        totals[row["kind"]] = row["total"]
    return totals
