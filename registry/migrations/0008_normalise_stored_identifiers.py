"""Normalise identifiers already stored (NFKC, no spaces, upper case) and recompute their keyed
hashes and masks, so a full-width ID typed before the fix matches the ban register and the
one-employer rule like its ASCII form. Credit codes are normalised in place.

A row whose normalised form collides with another under a unique constraint (the same person
twice, which the old hashing let through) keeps its old values and is printed, for a person to
resolve: a migration must not end an employment or lift a ban by itself.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, migrations, transaction

# (model, encrypted field, hash field, masked field)
ENCRYPTED = [
    ("Ban", "id_encrypted", "id_hash", "id_masked"),
    ("StaffMember", "id_encrypted", "id_hash", "id_masked"),
    (
        "Registration",
        "legal_representative_id_encrypted",
        "legal_representative_id_hash",
        "legal_representative_id_masked",
    ),
    (
        "Filing",
        "person_in_charge_id_encrypted",
        "person_in_charge_id_hash",
        "person_in_charge_id_masked",
    ),
    (
        "FilingChange",
        "person_in_charge_id_encrypted",
        "person_in_charge_id_hash",
        "person_in_charge_id_masked",
    ),
    (
        "HealthInboxEntry",
        "legal_representative_id_encrypted",
        "legal_representative_id_hash",
        "legal_representative_id_masked",
    ),
]
CREDIT_CODES = [("Institution", "credit_code"), ("Registration", "credit_code"),
                ("HealthInboxEntry", "credit_code")]


def _save(row: Any, fields: list[str], label: str) -> None:
    try:
        with transaction.atomic():
            row.save(update_fields=fields)
    except IntegrityError:
        print(f"\n  identifier normalisation: {label} {row.pk} collides with another row; kept as is")


def normalise(apps: Any, schema_editor: Any) -> None:
    from tuoyu_portal import crypto
    from tuoyu_portal.identifiers import normalise_identifier

    for model_name, enc, hashed, masked in ENCRYPTED:
        try:
            model = apps.get_model("registry", model_name)
        except LookupError:  # a model renamed on another branch
            continue
        for row in model.objects.exclude(**{enc: ""}).iterator():
            plain = crypto.decrypt(getattr(row, enc))
            value = normalise_identifier(plain)
            new_hash = crypto.keyed_hash(value)
            if value == plain and getattr(row, hashed) == new_hash:
                continue
            setattr(row, enc, crypto.encrypt(value))
            setattr(row, hashed, new_hash)
            setattr(row, masked, crypto.mask_id(value))
            _save(row, [enc, hashed, masked], model_name)
    for model_name, field in CREDIT_CODES:
        try:
            model = apps.get_model("registry", model_name)
        except LookupError:
            continue
        for row in model.objects.exclude(**{field: ""}).iterator():
            value = normalise_identifier(getattr(row, field))
            if value != getattr(row, field):
                setattr(row, field, value[:18])
                _save(row, [field], model_name)
    # Alerts now carry their county (the institution's until now).
    alert_model = apps.get_model("registry", "BanAlert")
    for alert in alert_model.objects.filter(region__isnull=True).select_related("institution"):
        alert.region_id = alert.institution.region_id
        alert.save(update_fields=["region"])


class Migration(migrations.Migration):
    dependencies = [("registry", "0007_identity_document_type_and_ban_alert_region")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
