"""Who pays a claim: the city's and the county's shares (domain §6).

The share is the scheme's own when its document states it (`Scheme.city_share`); for the
托位运营补助 the region's rule `place_subsidy_city_share` (岚山: 市级财政给予50%的补助); otherwise
the region that set the scheme pays it all: a city-wide scheme the city, a county's the county.
"""

from __future__ import annotations

from decimal import Decimal

from tuoyu_portal.regions import rules
from tuoyu_portal.regions.models import Region

from .amounts import money
from .models import Claim, SchemeKind


def city_share(claim: Claim) -> Decimal:
    scheme = claim.scheme
    if scheme.city_share is not None:
        return Decimal(scheme.city_share)
    if claim.kind == SchemeKind.PLACE_OPERATION:
        share = rules.value_for("place_subsidy_city_share", claim.region_id, claim.period_start)
        if share is not None:
            return Decimal(str(share))
    level = Region.objects.filter(code=scheme.region_id).values_list("level", flat=True).first()
    return Decimal(1) if level == Region.Level.CITY else Decimal(0)


def record_shares(claim: Claim) -> None:
    """Set the claim's city and county amounts (the county's is the rest, so they add up)."""
    share = city_share(claim)
    claim.city_share = share
    claim.city_amount = money(claim.amount * share)
    claim.county_amount = claim.amount - claim.city_amount


def split_line(amount: Decimal, share: Decimal | None) -> tuple[Decimal, Decimal]:
    """A line's (city, county) amounts at the claim's recorded share."""
    city = money(amount * (share or Decimal(0)))
    return city, amount - city
