from __future__ import annotations

import pytest
from django.core.management import call_command

from inspections.models import Complaint, Finding, Inspection
from tuoyu_portal.accounts.models import User

pytestmark = pytest.mark.django_db


def test_it_seeds_the_demo_idempotently():
    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    call_command("seed_demo", "--force", stdout=open("/dev/null", "w"))  # noqa: SIM115
    assert Inspection.objects.count() == 1
    assert Finding.objects.count() == 2
    assert Complaint.objects.count() == 1
    inspector = User.objects.get(username="inspector")
    assert inspector.is_staff and inspector.groups.filter(name="inspectors").exists()
    assert inspector.has_perm("inspections.add_inspection")
