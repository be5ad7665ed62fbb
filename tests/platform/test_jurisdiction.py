"""Jurisdiction is the first security rule: visible_to is the only lookup path (architecture.md)."""

from __future__ import annotations

import pytest

from registry.models import Filing, Institution, Registration
from tests import factories
from tuoyu_portal.accounts.models import User

pytestmark = pytest.mark.django_db


@pytest.fixture
def both(
    institution: Institution, other_institution: Institution
) -> tuple[Registration, Registration]:
    mine = factories.SubmittedRegistrationFactory(institution=institution)
    theirs = factories.SubmittedRegistrationFactory(institution=other_institution)
    return mine, theirs


def test_an_operator_sees_only_institutions_they_belong_to(
    operator: User, outsider: User, both: tuple
) -> None:
    mine, theirs = both
    assert list(Institution.objects.visible_to(operator)) == [mine.institution]
    assert list(Registration.objects.visible_to(operator)) == [mine]
    assert not Institution.objects.visible_to(outsider).exists()
    assert not Registration.objects.visible_to(outsider).exists()


def test_a_county_reviewer_sees_their_county_only(
    county_reviewer: User, other_county_reviewer: User, both: tuple
) -> None:
    mine, theirs = both
    assert list(Institution.objects.visible_to(county_reviewer)) == [mine.institution]
    assert list(Institution.objects.visible_to(other_county_reviewer)) == [theirs.institution]


def test_a_registrar_sees_applications_routed_to_their_authority_in_their_region(
    registrar: User, other_registrar: User, both: tuple
) -> None:
    mine, theirs = both
    assert list(Registration.objects.visible_to(registrar)) == [mine]
    assert list(Registration.objects.visible_to(other_registrar)) == [theirs]
    minzheng = factories.UserFactory(
        username="mz", role="registrar", region_id="371103", authority="minzheng"
    )
    assert not Registration.objects.visible_to(minzheng).exists()


def test_a_province_supervisor_sees_everything_below_and_nothing_beside(
    supervisor: User, both: tuple
) -> None:
    mine, theirs = both
    assert list(Institution.objects.visible_to(supervisor)) == [mine.institution]


def test_anonymous_and_inactive_users_see_nothing(operator: User, both: tuple) -> None:
    from django.contrib.auth.models import AnonymousUser

    assert not Institution.objects.visible_to(AnonymousUser()).exists()
    operator.is_active = False
    operator.save()
    assert not Institution.objects.visible_to(operator).exists()


def test_filings_follow_the_same_rule(
    operator: User, other_operator: User, county_reviewer: User, both: tuple
) -> None:
    mine, _theirs = both
    filing = Filing.objects.create(
        institution=mine.institution, registration=mine, region_id="371103"
    )
    assert list(Filing.objects.visible_to(operator)) == [filing]
    assert list(Filing.objects.visible_to(county_reviewer)) == [filing]
    assert not Filing.objects.visible_to(other_operator).exists()
