"""Stored identifiers are normalised by the data migration; the admin finds full-width codes."""

from __future__ import annotations

from importlib import import_module

from django.apps import apps
from django.test import Client
from django.utils import timezone

from registry.models import Ban, Institution, StaffMember
from registry.services.bans import active_ban_for
from tests import factories
from tests.factories import FiledFilingFactory
from tuoyu_portal import crypto
from tuoyu_portal.accounts.models import Role, User

BANNED = "371103198807074517"
CODE = "91110000600037341L"
FULL = {ord(c): ord(c) + 0xFEE0 for c in "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZ"}


def _old_hash(value: str) -> str:
    """What the portal stored before the fix: the typed form, only stripped and upper-cased."""
    import hashlib
    import hmac

    from django.conf import settings

    _enc, mac = crypto._keys(settings.FIELD_ENCRYPTION_KEY)
    return hmac.new(mac, value.strip().upper().encode(), hashlib.sha256).hexdigest()


def test_the_migration_normalises_stored_ids_and_recomputes_their_hashes(
    county_reviewer: User, institution: Institution
) -> None:
    typed = BANNED.translate(FULL)
    ban = Ban.objects.create(
        name="赵某",
        id_encrypted=crypto.encrypt(typed),
        id_hash=_old_hash(typed),
        id_masked=typed[:6] + "********" + typed[-4:],
        legal_basis="x",
        decision_ref="x",
        decided_on=timezone.localdate(),
    )
    staff = StaffMember.objects.create(
        institution=institution,
        name="张丽",
        id_encrypted=crypto.encrypt(typed),
        id_hash=_old_hash(typed),
        id_masked="x",
        role="caregiver",
    )
    Institution.objects.filter(pk=institution.pk).update(credit_code=CODE.translate(FULL))
    assert active_ban_for(BANNED) is None  # the hole the old hashing left
    migration = import_module("registry.migrations.0008_normalise_stored_identifiers")
    migration.normalise(apps, None)
    ban.refresh_from_db()
    staff.refresh_from_db()
    assert active_ban_for(BANNED) == ban
    assert crypto.decrypt(ban.id_encrypted) == BANNED
    assert ban.id_masked == crypto.mask_id(BANNED)
    assert staff.id_hash == crypto.keyed_hash(BANNED)
    assert Institution.objects.get(pk=institution.pk).credit_code == CODE


def test_the_migration_keeps_a_colliding_row_instead_of_failing(institution: Institution) -> None:
    other = factories.InstitutionFactory(region_id="371103", name="岚山区童心托育中心")
    StaffMember.objects.create(
        institution=institution,
        name="张丽",
        id_encrypted=crypto.encrypt(BANNED),
        id_hash=crypto.keyed_hash(BANNED),
        id_masked=crypto.mask_id(BANNED),
        role="caregiver",
    )
    typed = BANNED.translate(FULL)
    twin = StaffMember.objects.create(
        institution=other,
        name="张丽",
        id_encrypted=crypto.encrypt(typed),
        id_hash=_old_hash(typed),
        id_masked="x",
        role="caregiver",
    )
    migration = import_module("registry.migrations.0008_normalise_stored_identifiers")
    migration.normalise(apps, None)  # the same person active twice: reported, not crashed
    twin.refresh_from_db()
    assert twin.active and twin.id_hash == _old_hash(typed)


def test_the_admin_finds_an_institution_by_a_full_width_credit_code(
    institution: Institution,
) -> None:
    Institution.objects.filter(pk=institution.pk).update(credit_code=CODE)
    FiledFilingFactory(institution=institution)
    root = factories.UserFactory(
        username="root", role=Role.SUPERVISOR, region_id="370000", is_staff=True, is_superuser=True
    )
    client = Client()
    client.force_login(root)
    typed = "\u3000" + CODE.translate(FULL)
    response = client.get("/admin/registry/institution/", {"q": typed})
    assert response.status_code == 200
    assert institution.name in response.content.decode()
