"""Claim amounts from the scheme in force in each month (domain §6: amounts have effective dates).

A claim names one scheme row, but a region may change the amount mid-period: every month is priced
by the row of the same region and kind valid on that month's first day. Money is Decimal, 元, two
places, rounded half-up.
"""

from __future__ import annotations

from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date
from decimal import ROUND_HALF_UP, Decimal
from typing import Any, Protocol

from django.utils.translation import gettext_lazy as _

from tuoyu_portal.exceptions import RuleViolation
from tuoyu_portal.regions.models import ancestor_codes

from .models import Scheme, SchemeKind

CENT = Decimal("0.01")


def money(value: Decimal | int) -> Decimal:
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def first_of_month(day: date) -> date:
    return day.replace(day=1)


def parse_month(value: str) -> date:
    """'2026-05' → date(2026, 5, 1); ValueError on anything else."""
    text = value.strip()
    if len(text) != 7 or text[4] != "-":
        raise ValueError(value)
    return date(int(text[:4]), int(text[5:]), 1)


def format_month(day: date) -> str:
    return f"{day.year:04d}-{day.month:02d}"


def add_months(day: date, n: int) -> date:
    index = day.year * 12 + day.month - 1 + n
    return date(index // 12, index % 12 + 1, 1)


def months_between(start: date, end: date) -> list[date]:
    """Every first-of-month from start to end, both included."""
    months, current = [], first_of_month(start)
    while current <= end:
        months.append(current)
        current = add_months(current, 1)
    return months


class LineLike(Protocol):
    classes: int | None
    places: int | None
    birth_order: int | None
    months: list[date]


@dataclass(frozen=True)
class AmountItem:
    month: date
    description: str
    units: int
    unit_amount: Decimal
    amount: Decimal
    scheme_id: int

    def as_dict(self) -> dict[str, Any]:
        return {
            "month": format_month(self.month),
            "description": self.description,
            "units": self.units,
            "unit_amount": str(self.unit_amount),
            "amount": str(self.amount),
            "scheme": self.scheme_id,
        }


@dataclass
class AmountResult:
    total: Decimal = Decimal("0.00")
    items: list[AmountItem] = field(default_factory=list)
    violations: list[RuleViolation] = field(default_factory=list)


def scheme_in_force(schemes: Iterable[Scheme], month: date) -> Scheme | None:
    for scheme in schemes:
        if scheme.valid_from <= month and (scheme.valid_to is None or scheme.valid_to >= month):
            return scheme
    return None


def compute_amount(
    *,
    kind: str,
    region_code: str,
    period_start: date,
    period_end: date,
    lines: Sequence[LineLike],
) -> AmountResult:
    """Price a claim month by month.

    1. Load the rows of this kind that overlap the period (one query), of the county, its city
       and its province, nearest first.
    2. For each month priced, take the nearest region's row in force on its first day; a month with none is a
       `no_scheme_in_force` violation (listed once per month).
    3. startup: classes × amount in the claim month; demonstration_award: amount once;
       place_operation: places × amount for every month (one line for all months, or one line
       per month); family_fee: per child-month, amount for a 2nd child, amount_third_plus for a
       3rd or later one.
    """
    nearest = {code: rank for rank, code in enumerate(ancestor_codes(region_code))}
    schemes = sorted(
        Scheme.objects.applying_to(region_code)
        .filter(kind=kind, valid_from__lte=period_end)
        .exclude(valid_to__lt=period_start),
        key=lambda s: (nearest[s.region_id], s.valid_from),
    )
    result = AmountResult()
    pricer = _Pricer(schemes, result)
    months = months_between(period_start, period_end)
    if kind == SchemeKind.STARTUP:
        scheme = pricer.price(period_start)
        classes = sum(line.classes or 0 for line in lines)
        if scheme:
            pricer.add(period_start, scheme, str(_("开办班级")), classes, scheme.amount)
    elif kind == SchemeKind.DEMONSTRATION_AWARD:
        scheme = pricer.price(period_start)
        if scheme:
            pricer.add(period_start, scheme, str(_("示范奖励")), 1, scheme.amount)
    elif kind == SchemeKind.PLACE_OPERATION:
        _price_place_operation(pricer, months, lines)
    elif kind == SchemeKind.FAMILY_FEE:
        _price_family_fee(pricer, lines)
    result.total = money(sum((item.amount for item in result.items), Decimal(0)))
    return result


class _Pricer:
    """The schemes in force over a claim's period, and the items and violations priced so far."""

    def __init__(self, schemes: list[Scheme], result: AmountResult) -> None:
        self.schemes = schemes
        self.result = result
        self.missing: set[date] = set()

    def price(self, month: date) -> Scheme | None:
        """The scheme in force on `month`; a month with none is one violation, listed once."""
        scheme = scheme_in_force(self.schemes, month)
        if scheme is None and month not in self.missing:
            self.missing.add(month)
            self.result.violations.append(
                RuleViolation(
                    "no_scheme_in_force",
                    _("%(month)s 没有有效的补贴标准。") % {"month": format_month(month)},
                    "period_start",
                )
            )
        return scheme

    def add(self, month: date, scheme: Scheme, description: str, units: int, unit: Decimal) -> None:
        self.result.items.append(
            AmountItem(month, description, units, money(unit), money(unit * units), scheme.pk)
        )


def _price_place_operation(pricer: _Pricer, months: list[date], lines: Sequence[LineLike]) -> None:
    # One line for all months, or one line per month.
    for index, month in enumerate(months):
        line = lines[index] if len(lines) == len(months) else (lines[0] if lines else None)
        scheme = pricer.price(month)
        if scheme and line is not None:
            pricer.add(month, scheme, str(_("托位")), line.places or 0, scheme.amount)


def _price_family_fee(pricer: _Pricer, lines: Sequence[LineLike]) -> None:
    for number, line in enumerate(lines, start=1):
        for month in sorted(line.months):
            scheme = pricer.price(month)
            if scheme is None:
                continue
            third = (line.birth_order or 0) >= 3
            unit = scheme.amount_third_plus if third else scheme.amount
            label = _("第%(n)s名幼儿（%(order)s孩）") % {
                "n": number,
                "order": _("三孩及以上") if third else _("二"),
            }
            pricer.add(month, scheme, str(label), 1, unit or Decimal(0))
