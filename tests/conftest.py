"""The named cast and shared fixtures (style.md §10).

Cast: `operator` owns institution A in 371103 (日照市岚山区); `other_operator` owns B in 141023
(襄汾县); `county_reviewer` is A's county health bureau, `other_county_reviewer` B's;
`registrar` is 岚山's 行政审批 registrar (岚山 routes legal persons there), `other_registrar` 襄汾's; `inspector`, `finance_officer`
work in 371103; `supervisor` is the Shandong province; `outsider` is an operator of nothing.
"""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import pytest
from django.core.management import call_command
from rest_framework.test import APIClient

from registry.models import Institution
from tests import factories
from tuoyu_portal.accounts.models import Role, User

COUNTY_A = "371103"
COUNTY_B = "141023"


@pytest.fixture(scope="session")
def django_db_setup(django_db_setup: Any, django_db_blocker: Any) -> Iterator[None]:
    """Load the real national region table and the cited rule files once per test database."""
    with django_db_blocker.unblock():
        call_command("load_regions", verbosity=0)
        call_command("load_rules", verbosity=0)
        _without_file_schemes()
    yield


def _without_file_schemes() -> None:
    """Each test sets the subsidy amounts it prices (tests.factories.lanshan_schemes): the
    schemes the rule files declare are checked where they are loaded (tests/subsidies/test_demo.py,
    tests/platform/test_xihu_county.py), not left to overlap the tests' own."""
    from subsidies.models import Scheme

    Scheme.objects.all().delete()


@pytest.fixture(autouse=True)
def _regions_loaded(django_db_setup: Any, django_db_blocker: Any) -> None:
    """Transactional tests flush every table afterwards; put reference data back before the next."""
    from tuoyu_portal.regions.models import Region

    with django_db_blocker.unblock():
        if not Region.objects.exists():
            call_command("load_regions", verbosity=0)
            call_command("load_rules", verbosity=0)
            _without_file_schemes()
        _restore_migration_reference_data()


def _restore_migration_reference_data() -> None:
    """Reference rows that data migrations write (checklist templates, the inspectors group) are
    flushed by transactional tests too; put them back the way the migration wrote them."""
    from importlib import import_module

    from django.contrib.auth.models import Group, Permission

    from inspections.checklists import TEMPLATES
    from inspections.models import ChecklistTemplate

    if ChecklistTemplate.objects.exists():
        return
    for data in TEMPLATES:
        ChecklistTemplate.objects.update_or_create(
            code=data["code"], version=data["version"], defaults={**data}
        )
    seed = import_module("inspections.migrations.0002_seed_checklists_and_group")
    codenames = [f"{verb}_{m}" for m in seed.INSPECTOR_MODELS for verb in ("add", "change", "view")]
    codenames += [f"view_{m}" for m in seed.VIEW_ONLY_MODELS]
    group, _created = Group.objects.get_or_create(name="inspectors")
    group.permissions.set(
        Permission.objects.filter(content_type__app_label="inspections", codename__in=codenames)
    )


@pytest.fixture(autouse=True)
def _default_language() -> Iterator[None]:
    """Each test starts in the default language: a request with Accept-Language en leaves its
    thread in English (LocaleMiddleware does not reset it), which would leak into the next test."""
    from django.conf import settings
    from django.utils import translation

    translation.activate(settings.LANGUAGE_CODE)
    yield
    translation.activate(settings.LANGUAGE_CODE)


@pytest.fixture(autouse=True)
def _fast_settings(settings: Any, tmp_path: Any) -> None:
    settings.PASSWORD_HASHERS = ["django.contrib.auth.hashers.MD5PasswordHasher"]
    # Two-factor is on in production; tests of other behaviour sign staff in with force_login,
    # and tests/platform/test_security.py switches it back on to prove the second factor.
    settings.TWO_FACTOR_REQUIRED = False
    settings.MEDIA_ROOT = tmp_path / "media"
    settings.STORAGES = {
        **settings.STORAGES,
        "default": {"BACKEND": "django.core.files.storage.FileSystemStorage"},
    }


@pytest.fixture
def operator(db: None) -> User:
    return factories.UserFactory(username="operator_a", role=Role.OPERATOR, region_id=COUNTY_A)


@pytest.fixture
def other_operator(db: None) -> User:
    return factories.UserFactory(username="operator_b", role=Role.OPERATOR, region_id=COUNTY_B)


@pytest.fixture
def institution(operator: User) -> Institution:
    """Institution A, owned by `operator`, in 371103."""
    return factories.InstitutionFactory(
        region_id=COUNTY_A, owner=operator, name="岚山区阳光全日制托育有限公司"
    )


@pytest.fixture
def other_institution(other_operator: User) -> Institution:
    return factories.InstitutionFactory(
        region_id=COUNTY_B, owner=other_operator, name="襄汾县春苗全日制托育有限公司"
    )


@pytest.fixture
def county_reviewer(db: None) -> User:
    return factories.UserFactory(username="health_a", role=Role.HEALTH_REVIEWER, region_id=COUNTY_A)


@pytest.fixture
def other_county_reviewer(db: None) -> User:
    return factories.UserFactory(username="health_b", role=Role.HEALTH_REVIEWER, region_id=COUNTY_B)


@pytest.fixture
def registrar(db: None) -> User:
    return factories.UserFactory(
        username="xzsp_a", role=Role.REGISTRAR, region_id=COUNTY_A, authority="xzsp"
    )


@pytest.fixture
def other_registrar(db: None) -> User:
    return factories.UserFactory(
        username="scjg_b", role=Role.REGISTRAR, region_id=COUNTY_B, authority="scjg"
    )


@pytest.fixture
def inspector(db: None) -> User:
    return factories.UserFactory(
        username="inspector_a",
        role=Role.INSPECTOR,
        region_id=COUNTY_A,
        department="health",
        is_staff=True,
    )


@pytest.fixture
def finance_officer(db: None) -> User:
    return factories.UserFactory(
        username="subsidy_a", role=Role.SUBSIDY_OFFICER, region_id=COUNTY_A
    )


@pytest.fixture
def supervisor(db: None) -> User:
    return factories.UserFactory(username="province_sd", role=Role.SUPERVISOR, region_id="370000")


@pytest.fixture
def outsider(db: None) -> User:
    return factories.UserFactory(username="outsider", role=Role.OPERATOR, region_id=COUNTY_A)


@pytest.fixture
def api() -> APIClient:
    return APIClient()


def client_for(user: User | None) -> APIClient:
    client = APIClient()
    if user is not None:
        client.force_authenticate(user)
    return client
