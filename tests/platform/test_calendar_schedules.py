"""Year schedules (fixtures/calendar/, the loader, the admin form), the recompute of open clocks,
the working-day calculator API and complaint deadlines in working days."""

from __future__ import annotations

from datetime import date, datetime, timedelta
from io import StringIO
from pathlib import Path
from typing import Any
from zoneinfo import ZoneInfo

import chinese_calendar
import pytest
import time_machine
import yaml
from django.conf import settings
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils.module_loading import import_string

from inspections.models import Complaint, ComplaintTransition
from inspections.services import complaints
from registry.models import Filing, FilingEvent, FilingStatus, FilingTransition
from tests import factories
from tests.factories import accepted_filing, draft_filing
from tuoyu_portal.accounts.models import User
from tuoyu_portal.exceptions import DomainError
from tuoyu_portal.notifications.models import Notification, NotificationKind
from tuoyu_portal.regions.calendar import working_deadline
from tuoyu_portal.regions.models import HolidaySchedule, RegionRule, WorkdayOverride
from tuoyu_portal.regions.schedules import apply_schedule, parse_schedule, read_schedule_file

pytestmark = pytest.mark.django_db

BEIJING = ZoneInfo("Asia/Shanghai")
FIXTURES = Path(settings.BASE_DIR) / "fixtures" / "calendar"

# A made-up 2027 schedule, for these tests only (the real one is not published): the statutory
# days off, 元旦 bridged to Sunday, and Saturday 9 January worked. Loading it moves a conformity
# clock that ends on Monday 11 January to that Saturday.
TEST_2027: dict[str, Any] = {
    "year": 2027,
    "notice": "国办发明电〔2026〕99号",
    "source": "测试数据",
    "holidays": [
        {"name": "元旦", "from": "2027-01-01", "to": "2027-01-03"},
        {"name": "春节", "from": "2027-02-05", "to": "2027-02-08"},
        {"name": "清明节", "from": "2027-04-05"},
        {"name": "劳动节", "from": "2027-05-01", "to": "2027-05-02"},
        {"name": "端午节", "from": "2027-06-09"},
        {"name": "中秋节", "from": "2027-09-15"},
        {"name": "国庆节", "from": "2027-10-01", "to": "2027-10-03"},
    ],
    "workdays": [{"name": "元旦调休上班", "date": "2027-01-09"}],
}


def _write(tmp_path: Path, data: dict[str, Any], name: str = "2027.yaml") -> Path:
    path = tmp_path / name
    path.write_text(yaml.safe_dump(data, allow_unicode=True), encoding="utf-8")
    return path


def _load(*args: str) -> str:
    out = StringIO()
    call_command("load_calendar", *args, stdout=out)
    return out.getvalue()


def _submitted_on(operator: User, institution: Any, moment: datetime) -> Filing:
    from registry.services import filings as svc

    filing = draft_filing(operator, institution, lease_end=date(2035, 1, 1))
    with time_machine.travel(moment, tick=False):
        return svc.submit_filing(filing, actor=operator)


# ---------------------------------------------------------------------------------------------
# The 2026 fixture and the schedule checks


def test_the_2026_fixture_is_the_published_schedule_day_by_day() -> None:
    schedule = read_schedule_file(FIXTURES / "2026.yaml")
    assert schedule.notice == "国办发明电〔2025〕7号"
    day = date(2026, 1, 1)
    while day.year == 2026:
        expected = chinese_calendar.is_workday(day)
        listed = schedule.days.get(day)
        actual = listed[0] if listed else day.weekday() < 5
        assert actual == expected, day
        day += timedelta(days=1)


def test_there_is_no_invented_2027_fixture() -> None:
    assert not (FIXTURES / "2027.yaml").exists()


@pytest.mark.parametrize(
    ("change", "code"),
    [
        ({"notice": "国务院2027年通知"}, "schedule_notice_invalid"),
        ({"workdays": [{"name": "x", "date": "2027-01-06"}]}, "schedule_workday_not_weekend"),
        ({"holidays": TEST_2027["holidays"][1:]}, "schedule_statutory_missing"),  # no 元旦
        (
            {"holidays": [*TEST_2027["holidays"], {"name": "x", "from": "2028-01-01"}]},
            "schedule_date_other_year",
        ),
        ({"workdays": [{"name": "x", "date": "2027-01-02"}]}, "schedule_date_conflict"),
        ({"holidays": [{"name": "x", "from": "2027-13-01"}]}, "schedule_range_invalid"),
    ],
)
def test_a_schedule_with_a_mistake_is_refused_with_its_rule_code(
    change: dict[str, Any], code: str
) -> None:
    with pytest.raises(DomainError) as raised:
        parse_schedule({**TEST_2027, **change})
    assert code in {v.code for v in raised.value.violations}
    assert all(not str(v.message).isascii() for v in raised.value.violations)


# ---------------------------------------------------------------------------------------------
# The loader command


def test_loading_a_year_ends_provisional_and_uses_its_days(tmp_path: Path) -> None:
    before = working_deadline(date(2026, 12, 20), 15, "371103")
    assert (before.due, before.provisional) == (date(2027, 1, 11), True)
    out = _load(str(_write(tmp_path, TEST_2027)))
    assert "已载入" in out
    after = working_deadline(date(2026, 12, 20), 15, "371103")
    assert (after.due, after.provisional) == (date(2027, 1, 9), False)
    assert HolidaySchedule.objects.get(year=2027).notice == "国办发明电〔2026〕99号"
    assert WorkdayOverride.objects.filter(schedule__year=2027).count() == 16


def test_the_loader_is_idempotent_and_its_dry_run_writes_nothing(tmp_path: Path) -> None:
    path = str(_write(tmp_path, TEST_2027))
    dry = _load("--dry-run", path)
    assert "+ 2027-01-09 上班" in dry and "试运行" in dry
    assert not HolidaySchedule.objects.exists() and not WorkdayOverride.objects.exists()
    _load(path)
    stamp = HolidaySchedule.objects.get(year=2027).updated_at
    rows = sorted(WorkdayOverride.objects.values_list("id", "date", "is_workday"))
    assert "无变化" in _load(path)
    assert "无变化" in _load("--dry-run", path)
    assert HolidaySchedule.objects.get(year=2027).updated_at == stamp
    assert sorted(WorkdayOverride.objects.values_list("id", "date", "is_workday")) == rows


def test_a_changed_file_shows_and_applies_only_the_difference(tmp_path: Path) -> None:
    _load(str(_write(tmp_path, TEST_2027)))
    changed = {**TEST_2027, "workdays": [{"name": "春节调休上班", "date": "2027-02-13"}]}
    out = _load("--dry-run", str(_write(tmp_path, changed)))
    assert "- 2027-01-09 上班" in out and "+ 2027-02-13 上班" in out
    _load(str(_write(tmp_path, changed)))
    assert not WorkdayOverride.objects.filter(date=date(2027, 1, 9)).exists()
    assert WorkdayOverride.objects.get(date=date(2027, 2, 13)).is_workday is True


def test_a_hand_made_national_correction_survives_a_reload(tmp_path: Path) -> None:
    WorkdayOverride.objects.create(date=date(2027, 3, 1), is_workday=False, note="临时")
    _load(str(_write(tmp_path, TEST_2027)))
    _load(str(_write(tmp_path, {**TEST_2027, "workdays": []})))
    assert WorkdayOverride.objects.get(date=date(2027, 3, 1)).schedule is None


def test_the_loader_refuses_a_bad_file_and_writes_nothing(tmp_path: Path) -> None:
    bad = {**TEST_2027, "workdays": [{"name": "x", "date": "2027-01-06"}]}
    with pytest.raises(CommandError, match="不是周六或周日"):
        _load(str(_write(tmp_path, bad)))
    assert not HolidaySchedule.objects.exists()


def test_the_default_run_loads_the_fixture_directory() -> None:
    _load()
    assert HolidaySchedule.objects.get(year=2026).notice == "国办发明电〔2025〕7号"
    assert "无变化" in _load()


# ---------------------------------------------------------------------------------------------
# Recompute of open clocks, with history and notifications


def test_loading_a_year_moves_an_open_filing_clock_with_history_and_notices(
    operator: User,
    institution: Any,
    county_reviewer: User,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    filing = _submitted_on(operator, institution, datetime(2026, 12, 20, 10, tzinfo=BEIJING))
    assert (filing.receipt_due, filing.conformity_due) == (date(2026, 12, 25), date(2027, 1, 11))
    assert filing.clocks_provisional is True
    events = FilingEvent.objects.filter(pgh_obj_id=filing.pk).count()
    with django_capture_on_commit_callbacks(execute=True):
        _load(str(_write(tmp_path, TEST_2027)))
    filing.refresh_from_db()
    assert filing.conformity_due == date(2027, 1, 9)
    assert filing.receipt_due == date(2026, 12, 25)
    assert filing.clocks_provisional is False
    row = FilingTransition.objects.filter(filing=filing).latest("id")
    assert row.from_status == row.to_status == FilingStatus.SUBMITTED
    assert row.details["conformity_due"] == ["2027-01-11", "2027-01-09"]
    assert "国办发明电〔2026〕99号" in row.reason and "2027-01-09" in row.reason
    assert FilingEvent.objects.filter(pgh_obj_id=filing.pk).count() == events + 1
    told = Notification.objects.filter(kind=NotificationKind.DEADLINE_CHANGED)
    assert set(told.values_list("recipient__username", flat=True)) == {"operator_a", "health_a"}
    assert "2027-01-09" in told.first().body


def test_a_second_identical_load_touches_no_clock_and_tells_nobody_again(
    operator: User,
    institution: Any,
    county_reviewer: User,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    filing = _submitted_on(operator, institution, datetime(2026, 12, 20, 10, tzinfo=BEIJING))
    path = str(_write(tmp_path, TEST_2027))
    with django_capture_on_commit_callbacks(execute=True):
        _load(path)
        _load(path)
    assert (
        FilingTransition.objects.filter(filing=filing, details__clocks_recomputed=True).count() == 1
    )
    assert Notification.objects.filter(kind=NotificationKind.DEADLINE_CHANGED).count() == 2


def test_an_issued_receipt_keeps_its_date_and_a_decided_filing_keeps_both(
    operator: User, institution: Any, county_reviewer: User, tmp_path: Path
) -> None:
    """After the receipt the conformity clock still runs and moves; once the bureau has decided
    on conformity, neither date moves."""
    from registry.services import filings as svc

    accepted = _submitted_on(operator, institution, datetime(2026, 12, 20, 10, tzinfo=BEIJING))
    with time_machine.travel(datetime(2026, 12, 22, 10, tzinfo=BEIJING), tick=False):
        accepted = svc.accept_filing(accepted, actor=county_reviewer)
    second = factories.InstitutionFactory(
        region_id="371103", owner=operator, name="岚山区第二托育中心"
    )
    decided = _submitted_on(operator, second, datetime(2026, 12, 20, 11, tzinfo=BEIJING))
    with time_machine.travel(datetime(2026, 12, 22, 10, tzinfo=BEIJING), tick=False):
        decided = svc.accept_filing(decided, actor=county_reviewer)
        decided = svc.mark_nonconforming(decided, actor=county_reviewer, reasons=["室外面积不足"])
    assert decided.conformity_decided_at is not None
    # The receipt clock of the accepted filing is over: pretend it ran one day long, and see
    # that the recompute leaves that history alone.
    Filing.objects.filter(pk=accepted.pk).update(receipt_due=date(2026, 12, 28))
    _load(str(_write(tmp_path, TEST_2027)))
    accepted.refresh_from_db()
    decided.refresh_from_db()
    assert accepted.status == FilingStatus.FILED
    assert (accepted.receipt_due, accepted.conformity_due) == (date(2026, 12, 28), date(2027, 1, 9))
    assert accepted.clocks_provisional is False
    assert (decided.conformity_due, decided.clocks_provisional) == (date(2027, 1, 11), True)


def test_an_admin_override_moves_open_clocks_too(
    operator: User, institution: Any, county_reviewer: User
) -> None:
    filing = _submitted_on(operator, institution, datetime(2026, 12, 20, 10, tzinfo=BEIJING))
    admin = User.objects.create_superuser("cal_admin", "cal@example.cn", "x")
    client = Client()
    client.force_login(admin)
    response = client.post(
        reverse("admin:regions_workdayoverride_add"),
        {"date": "2027-01-08", "is_workday": "", "region": "", "note": "临时休息"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    filing.refresh_from_db()
    assert filing.conformity_due == date(2027, 1, 12)
    assert FilingTransition.objects.filter(filing=filing, details__clocks_recomputed=True).exists()


# ---------------------------------------------------------------------------------------------
# The admin form for a whole year


def _admin_client() -> Client:
    admin = User.objects.create_superuser("cal_admin", "cal@example.cn", "x")
    client = Client()
    client.force_login(admin)
    return client


def test_the_admin_takes_a_whole_year_at_once_and_recomputes(
    operator: User, institution: Any
) -> None:
    filing = _submitted_on(operator, institution, datetime(2026, 12, 20, 10, tzinfo=BEIJING))
    client = _admin_client()
    holidays = "\n".join(
        f"{h['from']} {h.get('to', h['from'])} {h['name']}" for h in TEST_2027["holidays"]
    )
    response = client.post(
        "/admin/regions/holidayschedule/add/",
        {
            "year": "2027",
            "notice": TEST_2027["notice"],
            "source": "测试数据",
            "holidays": holidays,
            "workdays": "2027-01-09 元旦调休上班",
        },
    )
    assert response.status_code == 302, response.content.decode()[:3000]
    schedule = HolidaySchedule.objects.get(year=2027)
    assert schedule.days.count() == 16
    filing.refresh_from_db()
    assert (filing.conformity_due, filing.clocks_provisional) == (date(2027, 1, 9), False)
    page = client.get(f"/admin/regions/holidayschedule/{schedule.pk}/change/").content.decode()
    assert "2027-02-05 2027-02-08 春节" in page and "2027-01-09 元旦调休上班" in page


def test_the_admin_form_refuses_a_year_without_its_statutory_days() -> None:
    response = _admin_client().post(
        "/admin/regions/holidayschedule/add/",
        {"year": "2027", "notice": TEST_2027["notice"], "holidays": "2027-10-01 2027-10-07 国庆节"},
    )
    assert response.status_code == 200
    assert "是法定节假日，年度安排必须列为放假" in response.content.decode()
    assert not HolidaySchedule.objects.exists() and not WorkdayOverride.objects.exists()


# ---------------------------------------------------------------------------------------------
# GET /api/v1/calendar/deadline/


@pytest.mark.parametrize(
    ("start", "n", "due", "provisional"),
    [
        ("2026-12-20", 15, "2027-01-11", True),
        ("2026-12-31", 5, "2027-01-08", True),
        ("2026-02-13", 5, "2026-02-27", False),
    ],
)
def test_the_calculator_answers_anyone_with_the_clock_function(
    start: str, n: int, due: str, provisional: bool
) -> None:
    response = Client().get(
        "/api/v1/calendar/deadline/", {"region": "371103", "from": start, "working_days": n}
    )
    assert response.status_code == 200
    assert response.json() == {"due": due, "provisional": provisional}


def test_the_calculator_uses_the_regions_overrides_and_loaded_years(tmp_path: Path) -> None:
    WorkdayOverride.objects.create(date=date(2027, 1, 8), is_workday=False, region_id="371100")
    query = {"from": "2026-12-31", "working_days": 5}
    lanshan = Client().get("/api/v1/calendar/deadline/", {"region": "371103", **query}).json()
    other = Client().get("/api/v1/calendar/deadline/", {"region": "141023", **query}).json()
    assert (lanshan["due"], other["due"]) == ("2027-01-11", "2027-01-08")
    _load(str(_write(tmp_path, TEST_2027)))
    other = Client().get("/api/v1/calendar/deadline/", {"region": "141023", **query}).json()
    assert other == {"due": "2027-01-08", "provisional": False}


@pytest.mark.parametrize(
    ("query", "code", "field"),
    [
        ({"from": "2026-12-20", "working_days": "15"}, "required", "region"),
        ({"region": "371103", "working_days": "15"}, "required", "from"),
        ({"region": "371103", "from": "2026-12-20"}, "required", "working_days"),
        ({"region": "3711", "from": "2026-12-20", "working_days": "15"}, "region_invalid", "region"),
        ({"region": "371103", "from": "20261220", "working_days": "5"}, "date_invalid", "from"),
        ({"region": "371103", "from": "2026-02-30", "working_days": "5"}, "date_invalid", "from"),
        ({"region": "371103", "from": "1899-01-01", "working_days": "5"}, "date_out_of_range", "from"),
        ({"region": "371103", "from": "2026-12-20", "working_days": "-1"}, "working_days_invalid", "working_days"),
        ({"region": "371103", "from": "2026-12-20", "working_days": "１５"}, "working_days_invalid", "working_days"),
        ({"region": "371103", "from": "2026-12-20", "working_days": "99999"}, "working_days_too_large", "working_days"),
    ],
)  # fmt: skip
def test_bad_calculator_parameters_are_a_400_in_chinese(
    query: dict[str, str], code: str, field: str
) -> None:
    response = Client().get("/api/v1/calendar/deadline/", query)
    assert response.status_code == 400
    errors = response.json()["errors"]
    assert (code, field) in {(e["code"], e["field"]) for e in errors}
    assert all(not e["message"].isascii() for e in errors)


def test_an_unknown_region_is_a_404() -> None:
    response = Client().get(
        "/api/v1/calendar/deadline/", {"region": "999999", "from": "2026-12-20", "working_days": 5}
    )
    assert response.status_code == 404
    assert response.json()["errors"][0]["code"] == "not_found"


def test_the_calculator_is_in_the_openapi_schema() -> None:
    schema = yaml.safe_load(Client().get("/api/schema/").content)
    operation = schema["paths"]["/api/v1/calendar/deadline/"]["get"]
    assert {p["name"] for p in operation["parameters"]} >= {"region", "from", "working_days"}
    assert {"200", "400", "404"} <= set(operation["responses"])


# ---------------------------------------------------------------------------------------------
# Complaint deadlines in working days


def _public_filing(operator: User, institution: Any, reviewer: User) -> Filing:
    with time_machine.travel(datetime(2026, 11, 2, 10, tzinfo=BEIJING), tick=False):
        return accepted_filing(operator, institution, reviewer)


def _complain(filing: Filing, on: datetime) -> Complaint:
    with time_machine.travel(on, tick=False):
        return complaints.submit_complaint(facility=filing.filing_number, content="投诉内容")


def test_complaint_deadlines_are_calendar_days_unless_the_region_says_working_days(
    operator: User, institution: Any, county_reviewer: User
) -> None:
    filing = _public_filing(operator, institution, county_reviewer)
    monday = datetime(2026, 12, 28, 10, tzinfo=BEIJING)
    assert _complain(filing, monday).due_on == date(2027, 1, 12)  # 15 calendar days
    RegionRule.objects.create(
        key="complaint_handling_working_days",
        region_id="371103",
        value=True,
        effective_from=date(2026, 1, 1),
        basis="测试",
    )
    # 15 working days: 29–31 Dec, 4–8, 11–15 and 18–19 Jan (元旦 off).
    assert _complain(filing, monday).due_on == date(2027, 1, 19)


def test_loading_a_year_moves_open_working_day_complaints_only(
    operator: User,
    institution: Any,
    county_reviewer: User,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    filing = _public_filing(operator, institution, county_reviewer)
    RegionRule.objects.create(
        key="complaint_handling_working_days",
        region_id="371100",  # the city's rule reaches its county
        value=True,
        effective_from=date(2026, 1, 1),
    )
    monday = datetime(2026, 12, 28, 10, tzinfo=BEIJING)
    open_one, closed_one = _complain(filing, monday), _complain(filing, monday)
    Complaint.objects.filter(pk=closed_one.pk).update(status="unsubstantiated")
    with django_capture_on_commit_callbacks(execute=True):
        _load(str(_write(tmp_path, TEST_2027)))
    open_one.refresh_from_db()
    closed_one.refresh_from_db()
    assert open_one.due_on == date(2027, 1, 18)  # Saturday 9 January is now a working day
    assert closed_one.due_on == date(2027, 1, 19)
    note = ComplaintTransition.objects.filter(complaint=open_one).latest("id").note
    assert "2027-01-19" in note and "2027-01-18" in note
    assert Notification.objects.filter(
        kind=NotificationKind.DEADLINE_CHANGED, recipient=county_reviewer
    ).exists()
    assert not Notification.objects.filter(
        kind=NotificationKind.DEADLINE_CHANGED, recipient=operator
    ).exists()  # the institution never hears of a complaint


def test_apply_schedule_in_code_is_the_same_as_the_command(
    operator: User, institution: Any
) -> None:
    filing = _submitted_on(operator, institution, datetime(2026, 12, 20, 10, tzinfo=BEIJING))
    result = apply_schedule(parse_schedule(TEST_2027))
    assert result.recomputed is not None and result.recomputed.moved["filings"] == [filing.pk]
    assert apply_schedule(parse_schedule(TEST_2027)).recomputed is None  # nothing differs


def test_the_recompute_keeps_the_regions_own_overrides(
    operator: User, institution: Any, tmp_path: Path
) -> None:
    """The batch reads every county's overrides at once; 日照市's own day off still counts."""
    WorkdayOverride.objects.create(date=date(2027, 1, 8), is_workday=False, region_id="371100")
    filing = _submitted_on(operator, institution, datetime(2026, 12, 20, 10, tzinfo=BEIJING))
    assert filing.conformity_due == date(2027, 1, 12)
    _load(str(_write(tmp_path, TEST_2027)))
    filing.refresh_from_db()
    # Saturday 9 January worked, Friday 8 January off in 日照: the 15th day is Monday 11th.
    assert (filing.conformity_due, filing.clocks_provisional) == (date(2027, 1, 11), False)
    assert filing.conformity_due == working_deadline(date(2026, 12, 20), 15, "371103").due


def test_the_calculator_gives_the_due_date_a_filing_got(operator: User, institution: Any) -> None:
    filing = _submitted_on(operator, institution, datetime(2026, 12, 20, 10, tzinfo=BEIJING))
    for n, due in ((5, filing.receipt_due), (15, filing.conformity_due)):
        answer = (
            Client()
            .get(
                "/api/v1/calendar/deadline/",
                {"region": filing.region_id, "from": "2026-12-20", "working_days": n},
            )
            .json()
        )
        assert answer == {"due": due.isoformat(), "provisional": n == 15}


def test_deleting_a_year_in_the_admin_makes_its_clocks_provisional_again(
    operator: User, institution: Any, tmp_path: Path
) -> None:
    filing = _submitted_on(operator, institution, datetime(2026, 12, 20, 10, tzinfo=BEIJING))
    _load(str(_write(tmp_path, TEST_2027)))
    schedule = HolidaySchedule.objects.get(year=2027)
    response = _admin_client().post(
        f"/admin/regions/holidayschedule/{schedule.pk}/delete/", {"post": "yes"}
    )
    assert response.status_code == 302
    assert not WorkdayOverride.objects.filter(date=date(2027, 1, 9)).exists()
    filing.refresh_from_db()
    assert (filing.conformity_due, filing.clocks_provisional) == (date(2027, 1, 11), True)
    assert (
        FilingTransition.objects.filter(filing=filing, details__clocks_recomputed=True).count() == 2
    )


def test_loading_a_year_moves_a_change_filings_clock_under_review(
    operator: User,
    institution: Any,
    county_reviewer: User,
    tmp_path: Path,
    django_capture_on_commit_callbacks: Any,
) -> None:
    """A change's review runs on the filing's clocks, so a loaded year moves them too."""
    from registry.models import FilingChange, FilingChangeTransition
    from registry.services import changes
    from tests.factories import FiledFilingFactory

    filing = FiledFilingFactory(institution=institution, places=20, classes=[20])
    change = changes.create_change(filing, actor=operator, proposed={"places": 20})
    with time_machine.travel(datetime(2026, 12, 20, 10, tzinfo=BEIJING), tick=False):
        changes.submit_change(change, actor=operator)
    change.refresh_from_db()
    assert change.conformity_due == date(2027, 1, 11) and change.clocks_provisional is True
    with django_capture_on_commit_callbacks(execute=True):
        _load(str(_write(tmp_path, TEST_2027)))
    change = FilingChange.objects.get(pk=change.pk)
    assert change.conformity_due == date(2027, 1, 9)
    assert change.clocks_provisional is False
    row = FilingChangeTransition.objects.filter(change=change).latest("id")
    assert row.from_status == row.to_status == "submitted"
    assert "2027-01-11 → 2027-01-09" in row.note
    told = Notification.objects.filter(kind=NotificationKind.DEADLINE_CHANGED)
    assert {"operator_a", "health_a"} <= set(told.values_list("recipient__username", flat=True))


def test_every_configured_clock_recomputer_and_rule_file_section_imports() -> None:
    """A dotted path that no longer imports would leave that app's clocks (or schemes) unmoved
    only when a calendar is next loaded."""
    assert list(settings.CLOCK_RECOMPUTERS) == ["filings", "complaints", "changes"]
    for path in [*settings.CLOCK_RECOMPUTERS.values(), *settings.RULE_FILE_SECTIONS]:
        assert callable(import_string(path)), path
