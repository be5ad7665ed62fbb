"""A year's 国办 holiday schedule: read from fixtures/calendar/<year>.yaml or the admin form,
compared with the database, and applied as one transaction that recomputes every open clock.

The schedule's days are stored as national `WorkdayOverride` rows with `schedule` set, so the
clocks and the cached countdowns read them through the override query they already make.
"""

from __future__ import annotations

import re
from collections.abc import Mapping
from dataclasses import dataclass, field
from datetime import date, timedelta
from pathlib import Path
from typing import TYPE_CHECKING, Any

import yaml
from django.db import connection, transaction
from django.utils.translation import gettext as _

from tuoyu_portal.exceptions import DomainError, RuleViolation

from .calendar import statutory_holidays
from .models import HolidaySchedule, WorkdayOverride

if TYPE_CHECKING:
    from tuoyu_portal.accounts.models import User

    from .recompute import RecomputeResult

# 国办发明电〔2025〕7号: the form every 国办 holiday notice number has had.
NOTICE_PATTERN = re.compile(r"^国办发明电〔\d{4}〕\d+号$")
MAX_RANGE_DAYS = 15  # the longest 放假调休 range ever published is 9 days (春节 2026)
_LOCK_CLASS = 20261217  # advisory-lock namespace of the calendar loader (any constant int4)


@dataclass(frozen=True)
class YearSchedule:
    year: int
    notice: str
    source: str
    days: dict[date, tuple[bool, str]]  # date → (is_workday, name)


@dataclass
class ScheduleDiff:
    year: int
    new: bool
    notice: tuple[str, str] | None = None  # (old, new) when it changes
    added: list[tuple[date, bool, str]] = field(default_factory=list)
    removed: list[tuple[date, bool, str]] = field(default_factory=list)
    changed: list[tuple[date, bool, bool, str]] = field(default_factory=list)  # day, old, new, name

    @property
    def empty(self) -> bool:
        return not (self.new or self.notice or self.added or self.removed or self.changed)

    def lines(self) -> list[str]:
        """The difference, one line each, for the command's output and the admin message."""

        def kind(is_workday: bool) -> str:
            return _("上班") if is_workday else _("放假")

        out: list[str] = []
        if self.new:
            out.append(_("%(year)d 年：新建年度安排") % {"year": self.year})
        if self.notice:
            out.append(
                _("%(year)d 年：文号 %(old)s → %(new)s")
                % {"year": self.year, "old": self.notice[0] or "—", "new": self.notice[1]}
            )
        for day, is_workday, name in self.added:
            out.append(f"+ {day.isoformat()} {kind(is_workday)} {name}")
        for day, is_workday, name in self.removed:
            out.append(f"- {day.isoformat()} {kind(is_workday)} {name}")
        for day, old, new, name in self.changed:
            out.append(f"~ {day.isoformat()} {kind(old)} → {kind(new)} {name}")
        return out


def _violation(code: str, message: str, field_name: str | None = None) -> RuleViolation:
    return RuleViolation(code, message, field_name)


def _as_date(value: Any) -> date | None:
    if isinstance(value, date):
        return value
    try:
        return date.fromisoformat(str(value))
    except ValueError:
        return None


def parse_schedule(data: Any) -> YearSchedule:
    """Check a schedule's data (from YAML or the admin form) and return it; DomainError (400) with
    every problem at once otherwise. A schedule must keep every statutory holiday off, and its
    调休 workdays must be Saturdays or Sundays: both catch a mistyped date."""
    problems: list[RuleViolation] = []
    if not isinstance(data, Mapping):
        raise DomainError(
            [
                _violation(
                    "schedule_invalid",
                    _("年度安排应为一个映射（year、notice、holidays、workdays）。"),
                )
            ]
        )
    year = data.get("year")
    if not isinstance(year, int) or not 2000 <= year <= 2100:
        raise DomainError(
            [_violation("schedule_year_invalid", _("年度应为2000至2100之间的整数。"), "year")]
        )
    notice = str(data.get("notice") or "").strip()
    if not NOTICE_PATTERN.match(notice):
        problems.append(
            _violation(
                "schedule_notice_invalid",
                _("通知文号应形如“国办发明电〔2025〕7号”。"),
                "notice",
            )
        )
    days: dict[date, tuple[bool, str]] = {}

    def put(day: date | None, is_workday: bool, name: str, where: str) -> None:
        if day is None:
            problems.append(
                _violation("schedule_date_invalid", _("日期格式应为YYYY-MM-DD。"), where)
            )
        elif day.year != year:
            problems.append(
                _violation(
                    "schedule_date_other_year",
                    _("%(day)s 不在 %(year)d 年内。") % {"day": day.isoformat(), "year": year},
                    where,
                )
            )
        elif day in days and days[day][0] != is_workday:
            problems.append(
                _violation(
                    "schedule_date_conflict",
                    _("%(day)s 同时被列为放假日和上班日。") % {"day": day.isoformat()},
                    where,
                )
            )
        else:
            days[day] = (is_workday, name)

    holidays = data.get("holidays") or []
    workdays = data.get("workdays") or []
    if not isinstance(holidays, list) or not isinstance(workdays, list):
        raise DomainError([_violation("schedule_invalid", _("holidays 与 workdays 应为列表。"))])
    for index, entry in enumerate(holidays):
        where = f"holidays[{index}]"
        entry = entry if isinstance(entry, Mapping) else {}
        name = str(entry.get("name") or "").strip()[:100]
        start, end = _as_date(entry.get("from")), _as_date(entry.get("to") or entry.get("from"))
        if start is None or end is None or end < start or (end - start).days >= MAX_RANGE_DAYS:
            problems.append(
                _violation("schedule_range_invalid", _("放假日期区间无效（from 至 to）。"), where)
            )
            continue
        day = start
        while day <= end:
            put(day, False, name, where)
            day += timedelta(days=1)
    for index, entry in enumerate(workdays):
        where = f"workdays[{index}]"
        entry = entry if isinstance(entry, Mapping) else {}
        workday = _as_date(entry.get("date"))
        name = str(entry.get("name") or "").strip()[:100]
        if workday is not None and workday.weekday() < 5:
            problems.append(
                _violation(
                    "schedule_workday_not_weekend",
                    _("调休上班日 %(day)s 不是周六或周日。") % {"day": workday.isoformat()},
                    where,
                )
            )
            continue
        put(workday, True, name, where)
    if not problems:
        for holiday, holiday_name in sorted(statutory_holidays(year).items()):
            if days.get(holiday, (True, ""))[0]:
                problems.append(
                    _violation(
                        "schedule_statutory_missing",
                        _("%(day)s（%(name)s）是法定节假日，年度安排必须列为放假。")
                        % {"day": holiday.isoformat(), "name": holiday_name},
                        "holidays",
                    )
                )
    if problems:
        raise DomainError(problems)
    return YearSchedule(year, notice, str(data.get("source") or "").strip()[:200], days)


def read_schedule_file(path: Path) -> YearSchedule:
    with path.open(encoding="utf-8") as handle:
        data = yaml.safe_load(handle)
    return parse_schedule(data)


def diff_schedule(schedule: YearSchedule) -> ScheduleDiff:
    """What applying `schedule` would change in the database."""
    existing = HolidaySchedule.objects.filter(year=schedule.year).first()
    diff = ScheduleDiff(schedule.year, new=existing is None)
    if existing is not None and existing.notice != schedule.notice:
        diff.notice = (existing.notice, schedule.notice)
    current = {
        row.date: row
        for row in WorkdayOverride.objects.filter(
            region__isnull=True,
            date__range=(date(schedule.year, 1, 1), date(schedule.year, 12, 31)),
        )
    }
    for day, (is_workday, name) in sorted(schedule.days.items()):
        row = current.get(day)
        if row is None:
            diff.added.append((day, is_workday, name))
        elif row.is_workday != is_workday:
            diff.changed.append((day, row.is_workday, is_workday, name))
    for day, row in sorted(current.items()):
        # Only rows the schedule owns are removed; a hand-made national correction stays.
        if day not in schedule.days and row.schedule_id is not None:
            diff.removed.append((day, row.is_workday, row.note))
    return diff


@dataclass
class ApplyResult:
    diff: ScheduleDiff
    recomputed: RecomputeResult | None


@transaction.atomic
def apply_schedule(schedule: YearSchedule, *, actor: User | None = None) -> ApplyResult:
    """Store the year's schedule (idempotent: nothing is written when nothing differs), then
    recompute every open clock, recording each change in the object's history and notifying the
    people concerned after commit."""
    from .recompute import recompute_open_clocks  # runs the apps' recomputers (settings)

    # One loader at a time (the admin form and the command, even for a year not stored yet):
    # a transaction-scoped advisory lock, so the second sees the first one's rows.
    with connection.cursor() as cursor:
        cursor.execute("SELECT pg_advisory_xact_lock(%s, %s)", [_LOCK_CLASS, schedule.year])
    diff = diff_schedule(schedule)
    if diff.empty:
        return ApplyResult(diff, None)
    record, _created = HolidaySchedule.objects.update_or_create(
        year=schedule.year, defaults={"notice": schedule.notice, "source": schedule.source}
    )
    WorkdayOverride.objects.filter(
        schedule=record, date__in=[day for day, _w, _n in diff.removed]
    ).delete()
    for day, (is_workday, name) in schedule.days.items():
        WorkdayOverride.objects.update_or_create(
            date=day,
            region=None,
            defaults={"is_workday": is_workday, "note": name, "schedule": record},
        )
    reason = _("%(notice)s 载入 %(year)d 年节假日安排，期限重新计算") % {
        "notice": schedule.notice,
        "year": schedule.year,
    }
    return ApplyResult(diff, recompute_open_clocks(reason=reason, actor=actor))
