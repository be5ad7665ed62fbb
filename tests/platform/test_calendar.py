"""The working-day calendar across the 2025 / 2026 Spring Festival and National Day 调休."""

from __future__ import annotations

from datetime import date

import pytest

from tuoyu_portal.regions.calendar import (
    add_working_days,
    is_statutory_holiday,
    is_workday,
    qingming,
    statutory_holidays,
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
    # Until the State Council publishes 2027's schedule: Monday–Friday less the statutory
    # holidays, so 元旦 (Friday 1 January) is off and the fifth working day is Tuesday the 5th.
    assert unknown.due == date(2027, 1, 5)


@pytest.mark.parametrize(
    ("start", "n", "due"),
    [
        (date(2026, 12, 20), 15, date(2027, 1, 11)),  # a conformity clock across New Year
        (date(2026, 12, 31), 5, date(2027, 1, 8)),  # 元旦 off, then Monday 4 to Friday 8
        (date(2027, 2, 4), 1, date(2027, 2, 9)),  # 除夕 5 Feb to 初三 8 Feb off
        (date(2027, 4, 2), 1, date(2027, 4, 6)),  # 清明 is Monday 5 April 2027
        (date(2027, 6, 8), 1, date(2027, 6, 10)),  # 端午 (五月初五) is Wednesday 9 June 2027
        (date(2027, 9, 14), 1, date(2027, 9, 16)),  # 中秋 (八月十五) is Wednesday 15 September
        (date(2027, 9, 30), 1, date(2027, 10, 4)),  # 国庆 1–3 October, Friday to Sunday
    ],
)
def test_a_year_without_a_schedule_keeps_the_statutory_holidays_off(
    start: date, n: int, due: date
) -> None:
    deadline = working_deadline(start, n, "371103")
    assert deadline.due == due
    assert deadline.provisional is True


def test_the_spring_festival_2027_runs_from_new_years_eve_for_four_days() -> None:
    off = [date(2027, 2, day) for day in (5, 6, 7, 8)]
    assert [is_workday(day) for day in off] == [False] * 4
    assert is_workday(date(2027, 2, 4)) is True  # 腊月廿八, a Thursday
    assert is_workday(date(2027, 2, 9)) is True  # 初四: the statutory four days are over
    names = statutory_holidays(2027)
    assert [day for day, name in sorted(names.items()) if str(name) == "春节"] == off


def test_the_statutory_holidays_of_2027_are_thirteen_days() -> None:
    days = statutory_holidays(2027)
    assert len(days) == 13  # 1 + 4 + 1 + 2 + 1 + 1 + 3 (art. 2 of the 2024 revision)
    assert {str(days[date(2027, 4, 5)]), str(days[date(2027, 6, 9)])} == {"清明节", "端午节"}
    assert str(days[date(2027, 9, 15)]) == "中秋节"


# The 清明 solar-term day as published (紫金山天文台 / the 国办 notices), 2020–2030.
QINGMING = {
    2020: 4, 2021: 4, 2022: 5, 2023: 5, 2024: 4, 2025: 4,
    2026: 5, 2027: 5, 2028: 4, 2029: 4, 2030: 5,
}  # fmt: skip


def test_qingming_is_the_solar_term_day_from_2020_to_2030() -> None:
    assert {year: qingming(year).day for year in QINGMING} == QINGMING
    assert all(qingming(year).month == 4 for year in QINGMING)


def test_the_package_years_agree_with_the_statutory_holidays_since_2025() -> None:
    """Every statutory day of 2025 and 2026 is a day off in the published schedules, so the
    fallback computes the same days as the State Council did."""
    import chinese_calendar

    for year in (2025, 2026):
        for day in statutory_holidays(year):
            assert chinese_calendar.is_holiday(day), day


def test_the_fallback_only_applies_from_the_2024_revision_on() -> None:
    assert is_statutory_holiday(date(2027, 10, 3)) is True
    # Before 2025 the 2013 text applied; those years are in the package, never in the fallback.
    assert is_statutory_holiday(date(2024, 10, 3)) is False


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
