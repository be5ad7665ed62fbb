"""Registration admin pages render read-only (the demo seed: tests/registry/test_demo.py)."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from tests import factories

pytestmark = pytest.mark.django_db


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
        reverse("admin:accounts_membership_changelist"),
    ):
        assert client.get(url).status_code == 200, url
    response = client.post(reverse("admin:registry_registration_change", args=[reg.pk]), {})
    assert response.status_code == 403
