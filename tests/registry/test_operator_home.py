"""The operator's home page leads from registration to filing and the filed institution's tasks."""

from __future__ import annotations

import pytest
from django.test import Client

from registry.models import Institution
from tests import factories
from tests.factories import FiledFilingFactory
from tuoyu_portal.accounts.models import User

pytestmark = pytest.mark.django_db


def test_an_approved_registration_offers_the_filing_wizard(
    client: Client, operator: User, institution: Institution
) -> None:
    client.force_login(operator)
    assert "/filings/start/" not in client.get("/operator/").content.decode()
    factories.ApprovedRegistrationFactory(institution=institution)
    page = client.get("/operator/").content.decode()
    assert "/filings/start/" in page


def test_a_filed_institution_links_to_staff_changes_and_closure(
    client: Client, operator: User, institution: Institution
) -> None:
    filing = FiledFilingFactory(institution=institution)
    client.force_login(operator)
    page = client.get("/operator/").content.decode()
    assert filing.filing_number in page
    assert f"/registry/filings/{filing.pk}/staff/" in page
    assert f"/registry/filings/{filing.pk}/changes/new/" in page
    assert f"/registry/filings/{filing.pk}/deregister/" in page


def test_other_operators_filings_never_appear(
    client: Client, other_operator: User, institution: Institution
) -> None:
    filing = FiledFilingFactory(institution=institution)
    client.force_login(other_operator)
    assert filing.filing_number not in client.get("/operator/").content.decode()
