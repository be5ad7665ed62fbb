"""The working-day calendar across the 2025 / 2026 Spring Festival and National Day 调休."""

from __future__ import annotations

from datetime import date

import pytest

from tuoyu_portal.regions.calendar import (
    add_working_days,
    is_workday,
    working_days_between,
    working_deadline,
)
from tuoyu_portal.regions.models import WorkdayOverride

pytestmark = pytest.mark.django_db


@pytest.mark.parametrize(
    ("start", "n", "expected"),
    [
        (date(2025, 1, 24), 1, date(2025, 1, 26)),  # Sunday 26 Jan 2025 is a 调休 workday
        (date(2025, 1, 24), 5, date(2025, 2, 7)),  # 28 Jan–4 Feb off
        (date(2025, 2, 7), 1, date(2025, 2, 8)),  # Saturday 8 Feb 2025 is a 调休 workday
        (date(2025, 9, 30), 5, date(2025, 10, 14)),  # 1–8 Oct off, Saturday 11 Oct worked
        (date(2026, 2, 13), 5, date(2026, 2, 27)),  # Saturday 14 Feb worked, 15–23 Feb off
        (date(2026, 2, 13), 15, date(2026, 3, 12)),  # Saturday 28 Feb worked
        (date(2026, 9, 30), 5, date(2026, 10, 13)),  # 1–7 Oct off, Saturday 10 Oct worked
        (
            date(2026, 11, 20),
            5,
            date(2026, 11, 27),
        ),  # an ordinary week: the start day does not count
    ],
)
def test_it_adds_working_days_across_holidays_and_make_up_days(
    start: date, n: int, expected: date
) -> None:
    assert add_working_days(start, n, "371103") == expected


def test_it_knows_make_up_saturdays_are_workdays() -> None:
    assert is_workday(date(2026, 2, 14)) is True
    assert is_workday(date(2026, 2, 16)) is False
    assert is_workday(date(2026, 2, 21)) is False  # a Saturday inside the holiday


def test_a_national_override_moves_every_deadline() -> None:
    WorkdayOverride.objects.create(date=date(2026, 2, 24), is_workday=False, note="测试：临时休息")
    assert add_working_days(date(2026, 2, 13), 2, "371103") == date(2026, 2, 25)
    assert add_working_days(date(2026, 2, 13), 2, "141023") == date(2026, 2, 25)


def test_a_regional_override_moves_only_that_region_and_beats_the_national_one() -> None:
    WorkdayOverride.objects.create(date=date(2026, 2, 24), is_workday=False, note="全国")
    WorkdayOverride.objects.create(
        date=date(2026, 2, 24), is_workday=True, region_id="371100", note="日照市照常上班"
    )
    assert add_working_days(date(2026, 2, 13), 2, "371103") == date(
        2026, 2, 24
    )  # county inherits its city
    assert add_working_days(date(2026, 2, 13), 2, "141023") == date(2026, 2, 25)


def test_it_flags_dates_in_a_year_without_holiday_data_as_provisional() -> None:
    known = working_deadline(date(2026, 11, 20), 5, "371103")
    assert known.provisional is False
    unknown = working_deadline(date(2026, 12, 28), 5, "371103")
    assert unknown.provisional is True
    assert unknown.due == date(
        2027, 1, 4
    )  # Monday–Friday fallback until the State Council publishes


def test_it_counts_working_days_between_two_dates_both_ways() -> None:
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 27)) == 5
    assert working_days_between(date(2026, 2, 27), date(2026, 2, 13)) == -5
    assert working_days_between(date(2026, 2, 13), date(2026, 2, 13)) == 0


def test_overrides_for_many_regions_equal_one_region_at_a_time() -> None:
    from tuoyu_portal.regions.calendar import overrides_for, overrides_for_many

    WorkdayOverride.objects.create(date=date(2026, 2, 24), is_workday=False, note="全国")
    WorkdayOverride.objects.create(date=date(2026, 2, 24), is_workday=True, region_id="371100")
    WorkdayOverride.objects.create(date=date(2026, 3, 2), is_workday=False, region_id="371103")
    WorkdayOverride.objects.create(date=date(2026, 3, 3), is_workday=False, region_id="140000")
    start, end = date(2026, 1, 1), date(2026, 12, 31)
    regions = {"371103", "371102", "141023", "110105"}
    many = overrides_for_many(start, end, regions)
    assert many == {code: overrides_for(start, end, code) for code in regions}
    assert many["371103"] == {date(2026, 2, 24): True, date(2026, 3, 2): False}
    assert many["110105"] == {date(2026, 2, 24): False}
