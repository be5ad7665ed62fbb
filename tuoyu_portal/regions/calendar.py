"""The Chinese working-day calendar behind the 5 / 15 working-day clocks (25号 §9).

Source of truth, in order: an admin override for the region (or its city/province), a national
override, the `chinese_calendar` package (statutory holidays and 调休 make-up workdays), and for
a year the package does not cover yet, Monday–Friday — such dates are *provisional*.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta

import chinese_calendar
from django.db.models import Q

from .models import WorkdayOverride, ancestor_codes


def package_covers(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def is_base_workday(day: date) -> bool:
    """The national calendar before any override rows (for callers batching overrides)."""
    return _base_is_workday(day)


def overrides_for(start: date, end: date, region_code: str | None) -> dict[date, bool]:
    """The workday overrides of `region_code` in [start, end], for `working_days_between`."""
    return _overrides(start, end, region_code)


def overrides_for_many(
    start: date, end: date, region_codes: set[str]
) -> dict[str, dict[date, bool]]:
    """overrides_for(start, end, code) for each code, from one query (a page of many counties)."""
    ancestors = {code: ancestor_codes(code) for code in region_codes}
    wanted = {c for codes in ancestors.values() for c in codes}
    rows = list(
        WorkdayOverride.objects.filter(
            Q(region__isnull=True) | Q(region_id__in=wanted), date__range=(start, end)
        ).values_list("date", "region_id", "is_workday")
    )
    result: dict[str, dict[date, bool]] = {}
    for code, codes in ancestors.items():
        found: dict[date, tuple[int, bool]] = {}
        for day, region_id, is_workday in rows:
            if region_id is not None and region_id not in codes:
                continue
            rank = codes.index(region_id) if region_id in codes else len(codes)
            if day not in found or rank < found[day][0]:
                found[day] = (rank, is_workday)
        result[code] = {day: value for day, (_rank, value) in found.items()}
    return result


def _overrides(start: date, end: date, region_code: str | None) -> dict[date, bool]:
    """Overrides in [start, end]; a regional row beats a national one."""
    scope = Q(region__isnull=True)
    if region_code:
        scope |= Q(region_id__in=ancestor_codes(region_code))
    found: dict[date, tuple[int, bool]] = {}
    codes = ancestor_codes(region_code) if region_code else []
    for day, region_id, is_workday in WorkdayOverride.objects.filter(
        scope, date__range=(start, end)
    ).values_list("date", "region_id", "is_workday"):
        rank = codes.index(region_id) if region_id in codes else len(codes)
        if day not in found or rank < found[day][0]:
            found[day] = (rank, is_workday)
    return {day: value for day, (_rank, value) in found.items()}


def _base_is_workday(day: date) -> bool:
    try:
        return bool(chinese_calendar.is_workday(day))
    except NotImplementedError:
        return day.weekday() < 5


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool  # some day counted lies in a year the holiday data does not cover yet


def working_deadline(start: date, n: int, region_code: str | None = None) -> Deadline:
    """The n-th working day after `start` (start itself does not count), with provisional flag."""
    if n < 0:
        raise ValueError("n must be non-negative")
    # Long holidays (Spring Festival, National Day) stretch 5 working days to at most ~14 calendar
    # days; 3n + 30 is a safe window for the one override query.
    window_end = start + timedelta(days=3 * n + 30)
    overrides = _overrides(start, window_end, region_code)
    day, counted, provisional = start, 0, False
    while counted < n:
        day += timedelta(days=1)
        if day > window_end:
            window_end = day + timedelta(days=3 * n + 30)
            overrides |= _overrides(day, window_end, region_code)
        if day in overrides:
            workday = overrides[day]
        else:
            if not package_covers(day):
                provisional = True
            workday = _base_is_workday(day)
        if workday:
            counted += 1
    return Deadline(day, provisional)


def add_working_days(start: date, n: int, region: str | None = None) -> date:
    """`start` plus n Chinese working days; `start` itself does not count."""
    return working_deadline(start, n, region).due


def is_workday(day: date, region: str | None = None) -> bool:
    overrides = _overrides(day, day, region)
    return overrides.get(day, _base_is_workday(day))


def working_days_between(
    start: date,
    end: date,
    region: str | None = None,
    *,
    overrides: dict[date, bool] | None = None,
) -> int:
    """Working days in (start, end]; negative if end is before start (used for countdowns).

    `overrides` (from `overrides_for`) lets a list compute many countdowns with one query.
    """
    if end == start:
        return 0
    sign = 1
    if end < start:
        start, end, sign = end, start, -1
    if overrides is None:
        overrides = _overrides(start, end, region)
    count = 0
    day = start
    while day < end:
        day += timedelta(days=1)
        if overrides.get(day, _base_is_workday(day)):
            count += 1
    return sign * count
