"""The admin shows filings read-only (workflow fields and history)."""

from __future__ import annotations

from django.test import Client

from tests import factories
from tests.factories import accepted_filing
from tuoyu_portal.accounts.models import Role


def test_it_renders_filing_admin_pages_for_a_superuser(
    operator, institution, county_reviewer
) -> None:
    filing = accepted_filing(operator, institution, county_reviewer)
    admin_user = factories.UserFactory(
        username="root", role=Role.SUPERVISOR, region_id="370000", is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(admin_user)
    for url in (
        "/admin/registry/filing/",
        f"/admin/registry/filing/{filing.pk}/change/",
        "/admin/registry/filingdocument/",
        f"/admin/registry/filingdocument/{filing.documents.first().pk}/change/",
        "/admin/registry/supplementrequest/",
        "/admin/registry/filingnumbercounter/",
    ):
        response = client.get(url)
        assert response.status_code == 200, url
    page = client.get(f"/admin/registry/filing/{filing.pk}/change/").content.decode()
    assert filing.filing_number in page
