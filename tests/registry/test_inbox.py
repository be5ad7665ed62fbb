"""Supervision sees what is really there: registered-but-not-filed counts drafts as not filed."""

from __future__ import annotations

from typing import Any

import pytest
from django.urls import reverse

from registry.models import FilingStatus
from tests.conftest import client_for
from tests.exchange.test_inbox import make_filing, receive_approved

pytestmark = pytest.mark.django_db
URL = "/api/v1/health-inbox/"


def test_a_draft_filing_is_still_registered_but_not_filed(county_reviewer: Any) -> None:
    none = receive_approved(days_ago=40)
    draft_only = receive_approved(days_ago=40)
    make_filing(draft_only, FilingStatus.DRAFT)
    submitted = receive_approved(days_ago=40)
    make_filing(submitted, FilingStatus.SUBMITTED)
    rows = {r["id"]: r for r in client_for(county_reviewer).get(URL).json()["results"]}
    assert (rows[none.pk]["has_filing"], rows[none.pk]["filing_status"]) == (False, None)
    assert (rows[draft_only.pk]["has_filing"], rows[draft_only.pk]["filing_status"]) == (
        False,
        "draft",
    )
    assert rows[draft_only.pk]["filing_status_display"] == "草稿"
    assert rows[draft_only.pk]["overdue"] is True
    assert (rows[submitted.pk]["has_filing"], rows[submitted.pk]["filing_status"]) == (
        True,
        "submitted",
    )
    assert rows[submitted.pk]["overdue"] is False
    unfiled = client_for(county_reviewer).get(URL, {"has_filing": "false"}).json()["results"]
    assert {r["id"] for r in unfiled} == {none.pk, draft_only.pk}
    # The detail view (serializer) says the same as the lean list.
    detail = client_for(county_reviewer).get(f"{URL}{draft_only.pk}/").json()
    assert (detail["has_filing"], detail["filing_status"]) == (False, "draft")


def test_the_unfiled_page_lists_a_draft_with_status_draft(
    county_reviewer: Any, client: Any
) -> None:
    draft_only = receive_approved(days_ago=40)
    make_filing(draft_only, FilingStatus.DRAFT)
    client.force_login(county_reviewer)
    html = client.get(reverse("health-inbox"), {"has_filing": "false"}).content.decode()
    assert draft_only.name in html
    row = html.split(draft_only.name, 1)[1].split("</tr>", 1)[0]
    assert "未备案" in row and "草稿" in row


def test_reconciliation_counts_filings_once_submitted() -> None:
    from registry.services import reconciliation

    make_filing(receive_approved("371103"), FilingStatus.DRAFT)
    make_filing(receive_approved("371103"), FilingStatus.SUBMITTED)
    report = reconciliation.reconcile_registrations()
    assert report.figures["371103"]["approved"] == 2
    assert report.figures["371103"]["filings"] == 1
