"""Each event notifies the people it concerns at once, from the service's own transaction:
exactly one row per person concerned, none for anyone else, in a person's words."""

from __future__ import annotations

from typing import Any

import pytest
from django.core import mail

from inspections.services.complaints import submit_complaint
from registry.materials import MATERIALS_BY_KIND
from registry.models import Institution, Registration
from registry.services import filings as filing_services
from registry.services import registrations as registration_services
from tests import factories
from tests.conftest import client_for
from tests.exchange.helpers import approve, registrar_for
from tuoyu_portal.accounts.models import Membership, Role, User
from tuoyu_portal.exchange import services as exchange
from tuoyu_portal.notifications.models import Notification, NotificationKind
from tuoyu_portal.notifications.services import scans

pytestmark = pytest.mark.django_db

# Values a person must never read in a title or body.
STATUS_VALUES = {
    "approved",
    "returned",
    "rejected",
    "submitted",
    "supplement_requested",
    "filed",
    "nonconforming",
    "received",
}


@pytest.fixture
def cast(
    operator: User,
    other_operator: User,
    institution: Institution,
    other_institution: Institution,
    county_reviewer: User,
    other_county_reviewer: User,
) -> dict[str, Any]:
    colleague = factories.UserFactory(username="operator_a_colleague", role=Role.OPERATOR)
    Membership.objects.create(institution=institution, user=colleague, added_by=operator)
    return {
        "operator": operator,
        "colleague": colleague,
        "other_operator": other_operator,
        "institution": institution,
        "other_institution": other_institution,
        "reviewer": county_reviewer,
        "other_reviewer": other_county_reviewer,
    }


def only(kind: str, *users: User) -> list[Notification]:
    """The rows of `kind`: exactly one per user named, and nobody else has any."""
    rows = list(Notification.objects.filter(kind=kind).order_by("recipient_id"))
    assert sorted(r.recipient_id for r in rows) == sorted(u.pk for u in users)
    assert Notification.objects.count() == len(rows), "somebody else was notified"
    for row in rows:
        words = f"{row.title} {row.body}"
        assert not STATUS_VALUES & set(words.replace("：", " ").replace("。", " ").split())
    return rows


def submitted_registration(institution: Institution) -> Registration:
    return factories.SubmittedRegistrationFactory(institution=institution)


def test_an_approval_tells_every_operator_member_and_nobody_else(cast: dict[str, Any]) -> None:
    reg = submitted_registration(cast["institution"])

    approve(reg)

    rows = only(NotificationKind.REGISTRATION_APPROVED, cast["operator"], cast["colleague"])
    reg.refresh_from_db()
    assert rows[0].title == f"登记申请已通过：{reg.name}"
    assert reg.credit_code in rows[0].body and "请办理托育机构备案" in rows[0].body
    assert rows[0].link == f"/registrations/{reg.pk}/"


@pytest.mark.parametrize(
    ("decide", "kind", "title"),
    [
        (
            registration_services.return_registration,
            NotificationKind.REGISTRATION_RETURNED,
            "登记申请被退回修改",
        ),
        (
            registration_services.reject_registration,
            NotificationKind.REGISTRATION_REJECTED,
            "不予登记",
        ),
    ],
    ids=["returned", "rejected"],
)
def test_a_return_or_a_rejection_tells_the_operators_with_the_reason(
    cast: dict[str, Any], decide: Any, kind: str, title: str
) -> None:
    reg = submitted_registration(cast["institution"])

    decide(reg, actor=registrar_for(reg.region_id, reg.authority), reason="经营范围表述不规范")

    rows = only(kind, cast["operator"], cast["colleague"])
    assert rows[0].title == f"{title}：{reg.name}"
    assert "经营范围表述不规范" in rows[0].body


def test_a_second_return_is_a_second_notification(cast: dict[str, Any]) -> None:
    reg = submitted_registration(cast["institution"])
    registrar = registrar_for(reg.region_id, reg.authority)
    registration_services.return_registration(reg, actor=registrar, reason="第一次")
    registration_services.submit_registration(reg, actor=cast["operator"])

    registration_services.return_registration(reg, actor=registrar, reason="第二次")

    rows = Notification.objects.filter(
        recipient=cast["operator"], kind=NotificationKind.REGISTRATION_RETURNED
    )
    assert [r.body.startswith("退回理由：第二次") for r in rows] == [True, False]


def test_a_refused_decision_notifies_nobody(cast: dict[str, Any]) -> None:
    reg = submitted_registration(cast["institution"])
    with pytest.raises(Exception):  # noqa: B017 - the reason is required (400)
        registration_services.return_registration(
            reg, actor=registrar_for(reg.region_id, reg.authority), reason=" "
        )
    assert not Notification.objects.exists()


def test_a_pushed_registration_tells_only_that_countys_reviewers(cast: dict[str, Any]) -> None:
    reg = submitted_registration(cast["institution"])
    event = approve(reg)
    Notification.objects.all().delete()  # the operators' approval news is tested above

    assert exchange.deliver_event(event.pk) == "sent"
    assert exchange.deliver_event(event.pk) == "skipped"

    (row,) = only(NotificationKind.REGISTRATION_PUSHED, cast["reviewer"])
    assert row.title == f"新登记托育机构：{reg.name}"
    assert "行政审批局" in row.body and "xzsp" not in row.body
    assert row.link == "/registry/health-inbox/"


def test_a_submitted_filing_tells_the_operators_when_the_receipt_is_due(
    cast: dict[str, Any],
) -> None:
    filing = factories.submitted_filing(cast["operator"], cast["institution"])

    rows = only(NotificationKind.FILING_RECEIVED, cast["operator"], cast["colleague"])
    due = filing.receipt_due
    assert due is not None
    assert f"{due.year}年{due.month}月{due.day}日前出具备案回执" in rows[0].body


def test_a_supplement_request_names_each_material_by_its_label(cast: dict[str, Any]) -> None:
    filing = factories.submitted_filing(cast["operator"], cast["institution"])
    Notification.objects.all().delete()

    filing_services.request_supplement(
        filing,
        actor=cast["reviewer"],
        items=[
            {"item": "health_evaluation", "note": "报告已过期"},
            {"item": "outdoor_area_m2", "note": ""},
        ],
    )

    rows = only(NotificationKind.SUPPLEMENT_REQUESTED, cast["operator"], cast["colleague"])
    label = str(MATERIALS_BY_KIND["health_evaluation"].label)
    assert f"需补正的事项：{label}（报告已过期）；室外活动面积（㎡）。" in rows[0].body
    assert "health_evaluation" not in rows[0].body and "outdoor_area_m2" not in rows[0].body
    assert rows[0].title == f"备案材料需补正：{cast['institution'].name}"


def test_acceptance_and_nonconformity_tell_the_operators(cast: dict[str, Any]) -> None:
    filing = factories.submitted_filing(cast["operator"], cast["institution"])
    Notification.objects.all().delete()

    filed = filing_services.accept_filing(filing, actor=cast["reviewer"])
    accepted = only(NotificationKind.RECEIPT_ISSUED, cast["operator"], cast["colleague"])
    assert filed.filing_number in accepted[0].body

    filing_services.mark_nonconforming(filed, actor=cast["reviewer"], reasons=["室外场地不足"])
    rows = Notification.objects.filter(kind=NotificationKind.NONCONFORMING)
    assert sorted(rows.values_list("recipient_id", flat=True)) == sorted(
        [cast["operator"].pk, cast["colleague"].pk]
    )
    assert all(r.body == "原因：室外场地不足" for r in rows)
    assert not Notification.objects.filter(recipient=cast["other_operator"]).exists()
    assert not Notification.objects.filter(recipient__role=Role.HEALTH_REVIEWER).exists()


def test_a_second_nonconformity_decision_is_news_again(cast: dict[str, Any]) -> None:
    filed = factories.accepted_filing(cast["operator"], cast["institution"], cast["reviewer"])
    filing_services.mark_nonconforming(filed, actor=cast["reviewer"], reasons=["室外场地不足"])
    filing_services.mark_conforming(filed, actor=cast["reviewer"])

    filing_services.mark_nonconforming(filed, actor=cast["reviewer"], reasons=["保育人员不足"])

    rows = Notification.objects.filter(
        recipient=cast["operator"], kind=NotificationKind.NONCONFORMING
    )
    assert [r.body for r in rows] == ["原因：保育人员不足", "原因：室外场地不足"]


def test_a_new_complaint_tells_only_that_countys_reviewers(cast: dict[str, Any]) -> None:
    filing = factories.FiledFilingFactory(institution=cast["institution"])

    complaint = submit_complaint(
        facility=filing.filing_number, content="午睡时无人看护。", contact="13900000000"
    )

    (row,) = only(NotificationKind.COMPLAINT_RECEIVED, cast["reviewer"])
    assert row.title == f"新投诉举报：{cast['institution'].name}"
    assert "午睡时无人看护。" in row.body and "13900000000" not in row.body
    due = complaint.due_on
    assert f"{due.year}年{due.month}月{due.day}日前办结" in row.body


def test_the_scans_never_repeat_what_the_events_told(cast: dict[str, Any]) -> None:
    """Every event above, then every configured scan: not one more notification."""
    approve(submitted_registration(cast["institution"]))
    filing = factories.submitted_filing(cast["operator"], cast["institution"])
    filing_services.request_supplement(
        filing, actor=cast["reviewer"], items=[{"item": "health_evaluation", "note": ""}]
    )
    second = factories.InstitutionFactory(region_id="371103", owner=cast["operator"])
    other = factories.submitted_filing(cast["operator"], second)
    filed = filing_services.accept_filing(other, actor=cast["reviewer"])
    filing_services.mark_nonconforming(filed, actor=cast["reviewer"], reasons=["室外场地不足"])
    submit_complaint(facility=filed.filing_number, content="收费不透明。")
    before = Notification.objects.count()

    sent = {name: scan() for name, scan in scans.configured_scans().items()}

    assert set(sent) == {"findings", "expiries", "overdue_clocks"}  # deadlines only
    assert Notification.objects.count() == before


def test_the_email_goes_after_commit(
    cast: dict[str, Any], django_capture_on_commit_callbacks: Any
) -> None:
    """Inside the service's transaction only the row is written; the e-mail task is published
    once it commits (here: the callbacks captured, and the task body run as the worker would)."""
    from tuoyu_portal.notifications.services import notify

    cast["operator"].email = "operator_a@example.cn"
    cast["operator"].save(update_fields=["email"])
    published: list[int] = []
    original = notify.schedule_email
    notify.schedule_email = published.append  # type: ignore[assignment]
    try:
        with django_capture_on_commit_callbacks(execute=False) as callbacks:
            approve(submitted_registration(cast["institution"]))
        assert mail.outbox == [] and published == []
        for callback in callbacks:
            callback()
    finally:
        notify.schedule_email = original  # type: ignore[assignment]
    row = Notification.objects.get(recipient=cast["operator"])
    assert published == [row.pk]
    assert notify.send_email_by_id(row.pk) is True
    assert notify.send_email_by_id(row.pk) is False  # once
    assert [m.to for m in mail.outbox] == [["operator_a@example.cn"]]


def test_the_api_lists_the_callers_own_newest_first_and_marks_read(cast: dict[str, Any]) -> None:
    reg = submitted_registration(cast["institution"])
    registrar = registrar_for(reg.region_id, reg.authority)
    registration_services.return_registration(reg, actor=registrar, reason="请补充地址")
    registration_services.submit_registration(reg, actor=cast["operator"])
    approve(reg)

    response = client_for(cast["operator"]).get("/api/v1/notifications/")

    assert response.status_code == 200
    results = response.json()["results"]
    assert [r["kind"] for r in results] == ["registration_approved", "registration_returned"]
    assert set(results[0]) == {"id", "kind", "title", "body", "url", "created_at", "read_at"}
    assert results[0]["url"] == f"/registrations/{reg.pk}/" and results[0]["read_at"] is None
    assert client_for(cast["other_operator"]).get("/api/v1/notifications/").json()["results"] == []

    stranger = client_for(cast["other_operator"]).post(
        f"/api/v1/notifications/{results[0]['id']}/read/"
    )
    assert stranger.status_code == 404
    read = client_for(cast["operator"]).post(f"/api/v1/notifications/{results[0]['id']}/read/")
    assert read.status_code == 200 and read.json()["read_at"] is not None


def test_the_operator_home_shows_unread_news_and_what_waits(
    cast: dict[str, Any], client: Any
) -> None:
    reg = submitted_registration(cast["institution"])
    registration_services.return_registration(
        reg, actor=registrar_for(reg.region_id, reg.authority), reason="请补充地址"
    )
    client.force_login(cast["operator"])

    page = client.get("/operator/").content.decode()

    row = Notification.objects.get(recipient=cast["operator"])
    assert f"登记申请被退回修改：{reg.name}" in page
    assert f'action="/notifications/{row.pk}/read/"' in page
    assert f"按退回理由修改登记申请：{reg.name}" in page
    assert f'href="/registrations/{reg.pk}/"' in page


def test_a_staff_home_shows_the_queues_and_the_unread_news(
    cast: dict[str, Any], client: Any
) -> None:
    filing = factories.FiledFilingFactory(institution=cast["institution"])
    submit_complaint(facility=filing.filing_number, content="午睡时无人看护。")
    factories.submitted_filing(
        cast["operator"], factories.InstitutionFactory(owner=cast["operator"])
    )

    client.force_login(cast["reviewer"])
    page = client.get("/").content.decode()

    row = Notification.objects.get(recipient=cast["reviewer"])
    assert f"新投诉举报：{cast['institution'].name}" in page
    assert f'action="/notifications/{row.pk}/read/"' in page
    assert "未办结的投诉举报 1 件" in page and 'href="/inspections/complaints/"' in page
    assert "待出具回执或一次性告知补正的备案 1 件" in page

    client.force_login(cast["other_reviewer"])
    other = client.get("/").content.decode()
    assert "目前没有待您办理的事项。" in other and "没有未读通知。" in other


def test_a_registrars_home_shows_the_applications_to_decide(client: Any) -> None:
    registrar = registrar_for("371103", "xzsp")
    factories.SubmittedRegistrationFactory(
        institution=factories.InstitutionFactory(region_id="371103")
    )
    client.force_login(registrar)

    page = client.get("/").content.decode()

    assert "待审核的登记申请 1 件" in page and 'href="/registrar/"' in page
