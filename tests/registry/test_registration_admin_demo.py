"""Registration admin pages render read-only; the demo seed is idempotent and goes through the
services (so the approved demo registration has its outbox push)."""

from __future__ import annotations

import io

import pytest
from django.test import Client
from django.urls import reverse

from registry import demo
from registry.models import Registration, RegistrationStatus
from tests import factories
from tuoyu_portal.accounts.management.commands.seed_demo import DEMO_USERS, seed_user
from tuoyu_portal.exchange.models import OutboxEvent

pytestmark = pytest.mark.django_db


def test_it_seeds_demo_registrations_once() -> None:
    for spec in DEMO_USERS:
        seed_user(spec, "pw-for-tests")
    demo.seed(io.StringIO())
    demo.seed(io.StringIO())
    statuses = sorted(Registration.objects.values_list("status", flat=True))
    assert statuses == sorted(
        [
            RegistrationStatus.APPROVED,
            RegistrationStatus.SUBMITTED,
            RegistrationStatus.DRAFT,
            RegistrationStatus.RETURNED,
            RegistrationStatus.SUBMITTED,
        ]
    )
    assert OutboxEvent.objects.filter(event_type="registration.approved").count() == 1
    assert Registration.objects.get(region_id="141023").authority == "scjg"


def test_it_shows_registrations_read_only_in_the_admin(institution) -> None:
    reg = factories.SubmittedRegistrationFactory(institution=institution)
    admin_user = factories.UserFactory(username="root", is_staff=True, is_superuser=True)
    client = Client()
    client.force_login(admin_user)
    for url in (
        reverse("admin:registry_registration_changelist"),
        reverse("admin:registry_registration_change", args=[reg.pk]),
        reverse("admin:registry_institution_change", args=[institution.pk]),
        reverse("admin:registry_importbatch_changelist"),
        reverse("admin:registry_membership_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(reverse("admin:registry_registration_change", args=[reg.pk]), {})
    assert response.status_code == 403
