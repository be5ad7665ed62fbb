"""The Chinese working-day calendar behind the 5 / 15 working-day clocks (25号 §9).

Source of truth, in order: an admin override for the region (or its city/province), a national
override — which includes the days of a year's loaded 国办 schedule (`HolidaySchedule`) — the
`chinese_calendar` package (statutory holidays and 调休 make-up workdays), and for a year the
package does not cover, the statutory holidays of 《全国年节及纪念日放假办法》 (2024 revision)
on top of Monday–Friday. A date in a year that neither the package nor a loaded schedule covers
is *provisional*: the 调休 make-up days and bridges are not known yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from datetime import date, timedelta
from functools import lru_cache

import chinese_calendar
from django.db.models import Q
from django.utils.functional import Promise
from django.utils.translation import gettext_lazy as _
from lunar_python import Lunar

from .models import HolidaySchedule, WorkdayOverride, ancestor_codes

# 《全国年节及纪念日放假办法》 as revised by 国务院令第798号, in force 2025-01-01 (art. 2).
STATUTORY_FROM = date(2025, 1, 1)


def package_covers(day: date) -> bool:
    try:
        chinese_calendar.is_workday(day)
    except NotImplementedError:
        return False
    return True


def _lunar_to_solar(year: int, month: int, day: int) -> date:
    solar = Lunar.fromYmd(year, month, day).getSolar()
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


def qingming(year: int) -> date:
    """The day of the 清明 solar term (4 or 5 April), from lunar-python's solar-term table."""
    solar = Lunar.fromYmd(year, 3, 1).getJieQiTable()["清明"]
    return date(solar.getYear(), solar.getMonth(), solar.getDay())


@lru_cache(maxsize=64)
def statutory_holidays(year: int) -> dict[date, Promise]:
    """The days off every year under the 2024 revision (art. 2 items 1–7): 元旦 1, 春节 4 (除夕 and
    初一 to 初三), 清明 1, 劳动节 2, 端午 1, 中秋 1, 国庆 3. Name by date (for the admin and tests)."""
    new_year = _lunar_to_solar(year, 1, 1)  # 正月初一 of the lunar year that starts in `year`
    days: dict[date, Promise] = {date(year, 1, 1): _("元旦")}
    for offset in range(-1, 3):  # 除夕 is the day before 初一, whether 腊月 has 29 or 30 days
        days[new_year + timedelta(days=offset)] = _("春节")
    days[qingming(year)] = _("清明节")
    days[date(year, 5, 1)] = days[date(year, 5, 2)] = _("劳动节")
    days[_lunar_to_solar(year, 5, 5)] = _("端午节")
    days[_lunar_to_solar(year, 8, 15)] = _("中秋节")
    for day in (1, 2, 3):
        days[date(year, 10, day)] = _("国庆节")
    return days


def is_statutory_holiday(day: date) -> bool:
    return day >= STATUTORY_FROM and day in statutory_holidays(day.year)


def is_base_workday(day: date) -> bool:
    """The national calendar before any override rows (for callers batching overrides)."""
    return _base_is_workday(day)


def scheduled_years(years: set[int]) -> set[int]:
    """Which of `years` have a loaded 国办 schedule (one query on a table of a few rows)."""
    return set(HolidaySchedule.objects.filter(year__in=years).values_list("year", flat=True))


def year_is_provisional(year: int, loaded: set[int]) -> bool:
    """No published 调休 schedule known for `year`: neither in the package nor loaded."""
    return year not in loaded and not package_covers(date(year, 6, 30))


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
        return day.weekday() < 5 and not is_statutory_holiday(day)


@dataclass(frozen=True)
class Deadline:
    due: date
    provisional: bool  # some day counted lies in a year whose 调休 schedule is not known yet


@dataclass(frozen=True)
class Prefetched:
    """The calendar rows of many regions over [start, end], for a batch of clocks (the recompute
    after a schedule is loaded): one override query and one schedule query for all of them."""

    start: date
    end: date
    overrides: dict[str, dict[date, bool]]  # region code → its overrides (national included)
    loaded: set[int]

    @classmethod
    def fetch(cls, start: date, end: date, region_codes: set[str]) -> Prefetched:
        return cls(
            start,
            end,
            overrides_for_many(start, end, region_codes),
            scheduled_years(set(range(start.year, end.year + 2))),
        )


def working_deadline(
    start: date, n: int, region_code: str | None = None, *, prefetched: Prefetched | None = None
) -> Deadline:
    """The n-th working day after `start` (start itself does not count), with provisional flag.

    The one function behind every working-day clock and GET /api/v1/calendar/deadline/.
    `prefetched` rows are used while the count stays inside their span (else it queries)."""
    if n < 0:
        raise ValueError("n must be non-negative")
    # Long holidays (Spring Festival, National Day) stretch 5 working days to at most ~14 calendar
    # days; 3n + 30 is a safe window for the one override query.
    window_end = start + timedelta(days=3 * n + 30)
    if (
        prefetched is not None
        and region_code in prefetched.overrides
        and prefetched.start <= start
        and window_end <= prefetched.end
    ):
        overrides, loaded = prefetched.overrides[region_code], prefetched.loaded
    else:
        overrides = _overrides(start, window_end, region_code)
        loaded = scheduled_years(set(range(start.year, window_end.year + 2)))
    day, counted, provisional = start, 0, False
    while counted < n:
        day += timedelta(days=1)
        if day > window_end:
            window_end = day + timedelta(days=3 * n + 30)
            overrides = overrides | _overrides(day, window_end, region_code)
            loaded = loaded | scheduled_years(set(range(day.year, window_end.year + 1)))
        # An override row on one day does not publish the year's schedule: still provisional.
        if year_is_provisional(day.year, loaded):
            provisional = True
        workday = overrides[day] if day in overrides else _base_is_workday(day)
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
