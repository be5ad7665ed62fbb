"""Receiving events into the inbox, cancellation effects on filings, the inbox API and page."""

from __future__ import annotations

import datetime
import uuid
from typing import Any

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from registry.models import (
    Filing,
    FilingStatus,
    FilingTransition,
    HealthInboxEntry,
    ReconciliationReport,
)
from registry.services import reconciliation
from registry.services.inbox import receive_event
from tests import factories
from tests.conftest import client_for
from tests.exchange.helpers import approve, approved_event, cancel, payload_for
from tests.factories import credit_code
from tuoyu_portal.exchange import services
from tuoyu_portal.regions.models import RegionRule

pytestmark = pytest.mark.django_db
URL = "/api/v1/health-inbox/"


def receive_approved(region_id: str = "371103", days_ago: int = 0) -> HealthInboxEntry:
    inst = factories.InstitutionFactory(region_id=region_id)
    reg = factories.SubmittedRegistrationFactory(institution=inst)
    reg.approved_on = timezone.localdate() - datetime.timedelta(days=days_ago)
    event = approve(reg)
    services.deliver_event(event.pk)
    return HealthInboxEntry.objects.get(idempotency_key=str(event.idempotency_key))


def make_filing(entry: HealthInboxEntry, status: str = FilingStatus.SUBMITTED) -> Filing:
    reg = entry.registration
    assert reg is not None
    reg.institution.credit_code = reg.credit_code
    reg.institution.save()
    # The filing of the delivered registration, in `status` as the inbox reads it (no number).
    return factories.FilingFactory(
        institution=reg.institution, registration=reg, region_id=reg.region_id, status=status
    )


def test_it_upserts_by_key() -> None:
    inst = factories.InstitutionFactory()
    reg = factories.ApprovedRegistrationFactory(institution=inst, credit_code=credit_code(1))
    key = str(uuid.uuid4())
    first = receive_event(key, "registration.approved", payload_for(reg, "approved"))
    second = receive_event(key, "registration.approved", payload_for(reg, "approved"))
    assert first[1] is True and second[1] is False and first[0].pk == second[0].pk
    assert HealthInboxEntry.objects.count() == 1


@pytest.mark.parametrize(
    ("before", "after"),
    [
        (FilingStatus.FILED, FilingStatus.CLOSING),
        (FilingStatus.NONCONFORMING, FilingStatus.CLOSING),
        (FilingStatus.DRAFT, FilingStatus.DEREGISTERED),
        (FilingStatus.SUBMITTED, FilingStatus.DEREGISTERED),
        (FilingStatus.SUPPLEMENT_REQUESTED, FilingStatus.DEREGISTERED),
        (FilingStatus.CLOSING, FilingStatus.CLOSING),
        (FilingStatus.DEREGISTERED, FilingStatus.DEREGISTERED),
    ],
)
def test_it_closes_the_filing_when_the_registration_is_cancelled(before: str, after: str) -> None:
    entry = receive_approved()
    filing = make_filing(entry, before)
    assert entry.registration is not None
    event = cancel(entry.registration)
    services.deliver_event(event.pk)
    filing.refresh_from_db()
    assert filing.status == after
    assert after == before or Filing.TRANSITIONS[before] >= {after}
    history = FilingTransition.objects.filter(filing=filing)
    if after != before:
        row = history.get()
        assert (row.from_status, row.to_status) == (before, after)
        assert "注销" in row.reason and str(event.idempotency_key) in row.reason
    else:
        assert not history.exists()
    # A second delivery of the cancellation changes nothing more.
    receive_event(str(event.idempotency_key), event.event_type, event.payload)
    assert FilingTransition.objects.filter(filing=filing).count() == (0 if after == before else 1)


def test_it_lists_the_county_inbox_with_filing_and_overdue_flags(county_reviewer: Any) -> None:
    fresh = receive_approved(days_ago=3)
    late = receive_approved(days_ago=31)
    late_filed = receive_approved(days_ago=40)
    make_filing(late_filed)
    receive_approved("141023", days_ago=90)  # other county: not listed
    response = client_for(county_reviewer).get(URL)
    assert response.status_code == 200
    rows = {r["id"]: r for r in response.json()["results"]}
    assert set(rows) == {fresh.pk, late.pk, late_filed.pk}
    assert rows[late.pk]["overdue"] is True and rows[late.pk]["has_filing"] is False
    assert rows[late.pk]["days_since_approval"] == 31
    assert rows[fresh.pk]["overdue"] is False
    assert rows[late_filed.pk]["has_filing"] is True and rows[late_filed.pk]["overdue"] is False
    expected = {"registration", "credit_code", "name", "event", "received_at", "has_filing"}
    assert expected | {"days_since_approval", "overdue", "region", "approved_on"} <= set(
        rows[late.pk]
    )
    assert rows[late.pk]["registration"] == late.registration_ref
    assert rows[late.pk]["event"] == "approved"
    filtered = client_for(county_reviewer).get(URL, {"has_filing": "false", "overdue": "true"})
    assert [r["id"] for r in filtered.json()["results"]] == [late.pk]


def test_it_uses_the_regional_overdue_rule(county_reviewer: Any) -> None:
    entry = receive_approved(days_ago=12)
    RegionRule.objects.create(
        key="unfiled_overdue_days", region_id="371100", value=10, effective_from="2020-01-01"
    )
    row = client_for(county_reviewer).get(URL).json()["results"][0]
    assert row["id"] == entry.pk and row["overdue"] is True and row["overdue_after_days"] == 10
    RegionRule.objects.create(
        key="unfiled_overdue_days", region_id="371103", value=20, effective_from="2020-01-01"
    )
    row = client_for(county_reviewer).get(URL).json()["results"][0]
    assert row["overdue"] is False and row["overdue_after_days"] == 20


def test_it_pages_newest_first_in_a_constant_number_of_queries(county_reviewer: Any) -> None:
    entries = [receive_approved(days_ago=40) for _ in range(3)]
    client = client_for(county_reviewer)
    with CaptureQueriesContext(connection) as few:
        first = client.get(URL, {"page_size": 2}).json()
    assert [r["id"] for r in first["results"]] == [entries[2].pk, entries[1].pk]
    assert first["next"]
    for _ in range(5):
        receive_approved(days_ago=40)
    with CaptureQueriesContext(connection) as many:
        client.get(URL, {"page_size": 8})
    assert len(many) == len(few), (len(few), len(many))


def test_it_shows_a_supervisor_the_region_below(supervisor: Any) -> None:
    mine = receive_approved("371103")
    receive_approved("141023")
    ids = [r["id"] for r in client_for(supervisor).get(URL).json()["results"]]
    assert ids == [mine.pk]


def test_it_hides_other_counties_entries_with_404(other_county_reviewer: Any) -> None:
    entry = receive_approved("371103")
    client = client_for(other_county_reviewer)
    assert client.get(URL).json()["results"] == []
    assert client.get(f"{URL}{entry.pk}/").status_code == 404


@pytest.mark.parametrize("who", ["operator", "registrar", "inspector", "finance_officer"])
def test_it_refuses_the_inbox_to_other_roles(who: str, request: pytest.FixtureRequest) -> None:
    user = request.getfixturevalue(who)
    entry = receive_approved()
    client = client_for(user)
    assert client.get(URL).status_code == 403
    assert client.get(f"{URL}{entry.pk}/").status_code in (403, 404)
    assert client_for(None).get(URL).status_code in (401, 403)


def test_it_renders_the_inbox_page_with_overdue_rows(county_reviewer: Any, client: Any) -> None:
    late = receive_approved(days_ago=45)
    fresh = receive_approved(days_ago=1)
    receive_approved("141023", days_ago=45)
    client.force_login(county_reviewer)
    response = client.get(reverse("health-inbox"))
    assert response.status_code == 200
    html = response.content.decode()
    assert late.name in html and fresh.name in html and 'class="overdue"' in html
    assert '<label for="id_has_filing">' in html
    only = client.get(reverse("health-inbox"), {"has_filing": "false", "overdue": "true"})
    assert late.name in only.content.decode() and fresh.name not in only.content.decode()


def test_it_refuses_the_inbox_page_to_an_operator(operator: Any, client: Any) -> None:
    client.force_login(operator)
    assert client.get(reverse("health-inbox")).status_code == 403


def test_it_reconciles_per_county_idempotently_per_day() -> None:
    receive_approved("371103")
    entry = receive_approved("371103")
    make_filing(entry, FilingStatus.FILED)
    approved_event("141023")  # approved, push not delivered yet → mismatch in 141023
    report = reconciliation.reconcile_registrations()
    assert report.figures["371103"] == {
        "approved": 2,
        "received": 2,
        "received_approvals": 2,
        "received_cancellations": 0,
        "filings": 1,
    }
    assert report.mismatches == [{"region": "141023", "approved": 1, "received": 0}]
    assert report.mismatch_count == 1
    again = reconciliation.reconcile_registrations()
    assert again.pk == report.pk and ReconciliationReport.objects.count() == 1


def test_it_counts_a_delivered_cancellation_as_reconciled() -> None:
    entry = receive_approved("371103")
    assert entry.registration is not None
    services.deliver_event(cancel(entry.registration).pk)
    report = reconciliation.reconcile_registrations()
    assert report.figures["371103"]["approved"] == 0
    assert report.figures["371103"]["received"] == 0 and report.mismatch_count == 0


def test_it_runs_reconciliation_as_a_thin_task() -> None:
    from registry.tasks import reconcile_registrations

    approved_event("141023")
    assert reconcile_registrations() == 1


def test_it_shows_the_admin_lists(admin_client: Any) -> None:
    event = approved_event()
    services.deliver_event(event.pk)
    reconciliation.reconcile_registrations()
    for url in [
        "/admin/exchange/outboxevent/",
        f"/admin/exchange/outboxevent/{event.pk}/change/",
        "/admin/exchange/outboxevent/?dead_letter=yes",
        "/admin/registry/healthinboxentry/",
        "/admin/registry/reconciliationreport/",
    ]:
        assert admin_client.get(url).status_code == 200, url


def test_it_resends_from_the_admin_action(admin_client: Any) -> None:
    event = approved_event()
    services.deliver_event(event.pk)
    response = admin_client.post(
        "/admin/exchange/outboxevent/",
        {"action": "resend", "_selected_action": [event.pk]},
    )
    assert response.status_code == 302
    event.refresh_from_db()
    assert event.state == "pending" and event.resends.count() == 1


def test_it_links_the_inbox_from_the_reviewers_home(county_reviewer: Any, client: Any) -> None:
    client.force_login(county_reviewer)
    assert reverse("health-inbox") in client.get("/").content.decode()


def test_it_documents_the_endpoints_in_the_schema(client: Any) -> None:
    schema = client.get("/api/schema/").content.decode()
    assert "/api/v1/health-inbox/" in schema and "/api/v1/exchange/events/" in schema


def test_it_shows_the_latest_mismatch_count_on_the_admin_index(admin_client: Any) -> None:
    approved_event("141023")  # approved, not yet received → one county mismatches
    reconciliation.reconcile_registrations()
    html = admin_client.get("/admin/").content.decode()
    assert "1 个县登记数与已接收推送数不一致" in html


def test_an_ended_overdue_rule_no_longer_applies(county_reviewer: Any) -> None:
    receive_approved(days_ago=12)
    RegionRule.objects.create(
        key="unfiled_overdue_days",
        region_id="371103",
        value=10,
        effective_from="2020-01-01",
        valid_to="2021-12-31",
    )
    row = client_for(county_reviewer).get(URL).json()["results"][0]
    assert row["overdue"] is False and row["overdue_after_days"] == 30
