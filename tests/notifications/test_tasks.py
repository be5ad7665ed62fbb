"""Each beat task notifies exactly once per event, only within the recipient's jurisdiction."""

from __future__ import annotations

import datetime
from collections.abc import Callable
from typing import Any

import pytest
from django.core import mail

from inspections.models import FindingStatus
from registry.models import FilingStatus, Institution, SiteTenure, StaffMember
from tests.dashboard.factories import TODAY, make_filing, make_finding
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import User
from tuoyu_portal.notifications import tasks
from tuoyu_portal.notifications.models import Notification, NotificationKind
from tuoyu_portal.notifications.services import scans
from tuoyu_portal.notifications.services.notify import notify

pytestmark = pytest.mark.django_db
DAY = datetime.timedelta(days=1)


@pytest.fixture
def cast(
    operator: User,
    other_operator: User,
    institution: Institution,
    other_institution: Institution,
    county_reviewer: User,
    other_county_reviewer: User,
) -> dict[str, Any]:
    for user in (operator, other_operator, county_reviewer, other_county_reviewer):
        user.email = f"{user.username}@example.cn"
        user.save(update_fields=["email"])
    return {
        "operator": operator,
        "other_operator": other_operator,
        "institution": institution,
        "other_institution": other_institution,
        "reviewer": county_reviewer,
        "other_reviewer": other_county_reviewer,
    }


def _finding(c: dict[str, Any]) -> None:
    # Open, deadline in 3 days: "new finding" + "deadline coming" = 2 notifications.
    make_finding(
        make_filing(institution=c["institution"]), severity="major", deadline=TODAY + 3 * DAY
    )


def _overdue_finding(c: dict[str, Any]) -> None:
    # Rectification submitted (so no "new finding"), past its deadline: 1 notification.
    make_finding(
        make_filing(institution=c["institution"]),
        severity="minor",
        deadline=TODAY - DAY,
        status=FindingStatus.RECTIFICATION_SUBMITTED,
    )


def _health_certificate(c: dict[str, Any]) -> None:
    for name, expires in (("李华", TODAY + 10 * DAY), ("张三", TODAY + 90 * DAY)):
        StaffMember.objects.create(
            institution=c["institution"],
            name=name,
            id_encrypted=crypto.encrypt("11010519491231002X"),
            id_hash=crypto.keyed_hash(f"11010519491231002X{name}"),
            id_masked="110105********002X",
            role="caregiver",
            health_certificate_expires=expires,
        )


def _lease(c: dict[str, Any]) -> None:
    make_filing(
        institution=c["institution"], site_tenure=SiteTenure.LEASED, lease_end=TODAY + 20 * DAY
    )
    make_filing(site_tenure=SiteTenure.LEASED, lease_end=TODAY + 200 * DAY, owner=c["operator"])


CASES: list[tuple[str, Callable[[dict[str, Any]], None], Callable[[], int], str, int]] = [
    ("finding", _finding, tasks.notify_findings, NotificationKind.FINDING, 2),
    ("overdue", _overdue_finding, tasks.notify_findings, NotificationKind.FINDING_OVERDUE, 1),
    (
        "certificate",
        _health_certificate,
        tasks.notify_expiries,
        NotificationKind.HEALTH_CERTIFICATE,
        1,
    ),
    ("lease", _lease, tasks.notify_expiries, NotificationKind.LEASE_ENDING, 1),
]


@pytest.mark.parametrize(
    ("setup", "task", "kind", "expected"),
    [case[1:] for case in CASES],
    ids=[case[0] for case in CASES],
)
def test_it_notifies_the_operator_exactly_once_when_the_task_runs_twice(
    cast: dict[str, Any],
    setup: Callable[[dict[str, Any]], None],
    task: Callable[[], int],
    kind: str,
    expected: int,
) -> None:
    setup(cast)

    first = task()
    second = task()

    operator = cast["operator"]
    rows = Notification.objects.filter(recipient=operator)
    assert first == expected and second == 0
    assert rows.count() == expected
    assert rows.filter(kind=kind).count() == 1
    assert len(mail.outbox) == expected
    assert all(message.to == [operator.email] for message in mail.outbox)
    assert all(row.emailed_at is not None for row in rows)
    # Nobody outside the institution hears about it.
    assert not Notification.objects.exclude(recipient=operator).exists()


def test_it_sends_overdue_clocks_only_to_the_reviewers_of_that_county(
    cast: dict[str, Any],
) -> None:
    make_filing(
        status=FilingStatus.SUBMITTED,
        institution=cast["institution"],
        receipt_due=TODAY - 2 * DAY,
        conformity_due=TODAY + 5 * DAY,
    )
    make_filing(status=FilingStatus.SUBMITTED, receipt_due=TODAY + DAY)  # not yet due

    assert tasks.notify_overdue_clocks() == 1
    assert tasks.notify_overdue_clocks() == 0

    assert Notification.objects.get().recipient == cast["reviewer"]
    assert not Notification.objects.filter(recipient=cast["other_reviewer"]).exists()
    assert [m.to for m in mail.outbox] == [[cast["reviewer"].email]]


def test_it_never_tells_another_countys_reviewer_about_this_county(
    cast: dict[str, Any],
) -> None:
    make_filing(
        "141023",
        status=FilingStatus.SUBMITTED,
        institution=cast["other_institution"],
        receipt_due=TODAY - DAY,
    )

    tasks.notify_overdue_clocks()

    assert list(Notification.objects.values_list("recipient", flat=True)) == [
        cast["other_reviewer"].pk
    ]


def test_it_is_a_no_op_for_an_existing_event_key(cast: dict[str, Any]) -> None:
    user = cast["operator"]

    # As a scan calls it: the e-mail is sent in the call (services send it after commit).
    first = notify(
        user, kind=NotificationKind.FINDING, event_key="finding:1", title="一", email_now=True
    )
    second = notify(
        user, kind=NotificationKind.FINDING, event_key="finding:1", title="二", email_now=True
    )

    assert first is not None and second is None
    assert Notification.objects.get().title == "一"
    assert len(mail.outbox) == 1


def test_it_skips_the_email_for_a_user_without_an_address(operator: User) -> None:
    notify(operator, kind=NotificationKind.FINDING, event_key="finding:2", title="一")

    assert Notification.objects.get().emailed_at is None
    assert mail.outbox == []


def test_it_keeps_the_row_when_the_email_fails(
    cast: dict[str, Any], settings: Any, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(*args: Any, **kwargs: Any) -> None:
        raise OSError("smtp down")

    monkeypatch.setattr("tuoyu_portal.notifications.services.notify.send_mail", broken)

    notification = notify(
        cast["operator"],
        kind=NotificationKind.FINDING,
        event_key="finding:9",
        title="一",
        email_now=True,
    )

    assert notification is not None
    notification.refresh_from_db()
    assert notification.emailed_at is None


def test_it_uses_the_regions_own_expiry_window(cast: dict[str, Any]) -> None:
    from tuoyu_portal.regions.models import RegionRule

    RegionRule.objects.create(
        key="notify_expiry_days",
        region_id="371103",
        value=60,
        effective_from=datetime.date(2020, 1, 1),
    )
    make_filing(
        institution=cast["institution"], site_tenure=SiteTenure.LEASED, lease_end=TODAY + 45 * DAY
    )
    make_filing(
        "141023",
        institution=cast["other_institution"],
        site_tenure=SiteTenure.LEASED,
        lease_end=TODAY + 45 * DAY,
    )

    assert tasks.notify_expiries() == 1  # 岚山's 60 days cover it; 襄汾's default 30 do not
    assert Notification.objects.get().recipient == cast["operator"]


def test_every_configured_scan_imports_and_each_has_its_beat_task() -> None:
    """A dotted path that no longer imports would only fail at the next beat, in a worker log."""
    configured = scans.configured_scans()
    # Deadlines only: events are notified by their services (tests/notifications/test_events.py).
    assert list(configured) == ["findings", "expiries", "overdue_clocks"]
    assert all(callable(scan) for scan in configured.values())
    assert all(callable(getattr(tasks, f"notify_{name}")) for name in configured)
