"""Every admin of the portal is scoped: written over the admin site's registry, so an admin added
later without a scope fails here. Staff of a third county, holding every permission, open each
admin: they list none of county A's rows and get 404 on each change page."""

from __future__ import annotations

from datetime import date
from typing import Any

import pytest
from django.contrib import admin
from django.contrib.auth.models import Permission
from django.db.models import Model
from django.test import Client

from inspections.services import enforcement
from registry.models import (
    BanAlert,
    FilingChange,
    FilingNumberCounter,
    FilingVersion,
    HealthInboxEntry,
    ImportBatch,
    SupplementRequest,
)
from subsidies.models import PaymentBatch
from tests import factories
from tests.security.test_authorization_matrix import world  # noqa: F401  (the fixture)
from tuoyu_portal.accounts.models import Role, User
from tuoyu_portal.admin_bases import ReferenceAdmin, ScopedAdmin
from tuoyu_portal.notifications.models import Notification

pytestmark = pytest.mark.django_db

PROJECT_PACKAGES = ("registry.", "inspections.", "subsidies.", "tuoyu_portal.")
OTHER_COUNTY = "510411"  # 仁和区, Sichuan: neither county A nor county B of the cast

# The ban register is one national list (api.md "Bans"): every health reviewer reads all of it.
NATIONAL = {("registry", "ban"): {Role.HEALTH_REVIEWER}}

# The staff and ban admins, which had no scope of their own: each must be checked with a row.
STAFF_AND_BAN_ADMINS = {
    ("registry", "staffmember"),
    ("registry", "ban"),
    ("registry", "banalert"),
    ("registry", "filingchange"),
    ("registry", "filingversion"),
}


def _project_admins() -> list[tuple[type[Model], admin.ModelAdmin]]:
    return [
        (model, model_admin)
        for model, model_admin in admin.site._registry.items()
        if type(model_admin).__module__.startswith(PROJECT_PACKAGES)
    ]


def test_every_admin_of_the_project_is_scoped() -> None:
    unscoped = [
        f"{model._meta.label}: {type(model_admin).__qualname__}"
        for model, model_admin in _project_admins()
        if not isinstance(model_admin, ScopedAdmin)
    ]
    assert not unscoped, "admins without a scope (build them on tuoyu_portal.admin_bases):\n" + (
        "\n".join(unscoped)
    )


def _has_own_scope(model: type[Model], model_admin: admin.ModelAdmin) -> bool:
    """Rows scoped by `visible_to` or by the admin's own rule (the others show none at all)."""
    own_rule = type(model_admin).scope is not ScopedAdmin.scope
    return own_rule or hasattr(model._default_manager.all(), "visible_to")


@pytest.fixture
def staff_world(
    world: dict[str, Any],  # noqa: F811
    county_reviewer: User,
    registrar: User,
    finance_officer: User,
    operator: User,
) -> dict[str, Any]:
    """The authorization matrix's county A world, plus a row for each admin it lacks."""
    filed = world["filed"]
    BanAlert.objects.create(ban=world["ban"], institution=world["institution"], region_id="371103")
    FilingChange.objects.create(filing=filed, proposed={"places": 20}, reason="扩大规模")
    FilingVersion.objects.create(filing=filed, number=1, facts={"places": 10})
    HealthInboxEntry.objects.create(
        idempotency_key="admin-scoping-1",
        event="approved",
        registration_ref=world["registration"].pk,
        name=world["institution"].name,
        region_id="371103",
        payload={},
    )
    ImportBatch.objects.create(uploaded_by=registrar, file_name="存量机构.csv", sha256="0" * 64)
    PaymentBatch.objects.create(region_id="371103", created_by=finance_officer)
    enforcement.record_enforcement(
        filed, actor=county_reviewer, kind="warning", legal_basis="人口与计划生育法第四十一条",
        decision_ref="岚卫罚〔2026〕1号", decided_on=date(2026, 3, 1),
    )  # fmt: skip
    Notification.objects.create(recipient=operator, kind="finding", event_key="x", title="检查")
    SupplementRequest.objects.create(
        filing=world["filing"], items=[{"item": "license", "note": "请补正"}],
        requested_by=county_reviewer,
    )  # fmt: skip
    FilingNumberCounter.objects.create(region_id="371103", year=2099)
    return world


def _outsider(role: str, **extra: Any) -> User:
    user = factories.UserFactory(
        username=f"{role}_elsewhere", role=role, region_id=OTHER_COUNTY, is_staff=True, **extra
    )
    # Every permission: only the scope stands between this user and the rows.
    user.user_permissions.set(Permission.objects.all())
    return user


@pytest.mark.parametrize(
    ("role", "extra"),
    [
        (Role.INSPECTOR, {"department": "health"}),
        (Role.HEALTH_REVIEWER, {}),
        (Role.SUPERVISOR, {}),
    ],
)
def test_staff_of_another_region_see_no_row_of_any_admin(
    staff_world: dict[str, Any], role: str, extra: dict[str, Any]
) -> None:
    user = _outsider(role, **extra)
    client = Client()
    client.force_login(user)
    checked: set[tuple[str, str]] = set()
    leaks: list[str] = []
    for model, model_admin in _project_admins():
        if isinstance(model_admin, ReferenceAdmin):
            continue  # the national reference tables are the same for everyone
        opts = model._meta
        key = (opts.app_label, opts.model_name or "")
        rows = list(model._default_manager.order_by("pk")[:3])
        if not rows:
            continue
        checked.add(key)
        national = role in NATIONAL.get(key, set())
        base = f"/admin/{opts.app_label}/{opts.model_name}/"
        listed = client.get(base)
        assert listed.status_code == 200, f"{opts.label} changelist: {listed.status_code}"
        shown = {obj.pk for obj in listed.context["cl"].result_list}
        expected_shown = {obj.pk for obj in rows} if national else set()
        if not expected_shown <= shown or (not national and shown):
            leaks.append(f"{opts.label} changelist lists {sorted(shown)}")
        for obj in rows:
            status = client.get(f"{base}{obj.pk}/change/").status_code
            if status != (200 if national else 404):
                leaks.append(f"{opts.label} #{obj.pk} change page: {status}")
    assert not leaks, f"{role} of {OTHER_COUNTY} reaches county A's rows:\n" + "\n".join(leaks)
    assert checked >= STAFF_AND_BAN_ADMINS, STAFF_AND_BAN_ADMINS - checked
    # Every admin with a scope of its own was tried with a row: a new one needs a row above.
    untried = [
        model._meta.label
        for model, model_admin in _project_admins()
        if not isinstance(model_admin, ReferenceAdmin)
        and _has_own_scope(model, model_admin)
        and (model._meta.app_label, model._meta.model_name) not in checked
    ]
    assert not untried, f"no row in the world for: {untried}"
