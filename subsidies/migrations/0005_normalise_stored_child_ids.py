"""Normalise stored child ID numbers (NFKC, no spaces, upper case) and recompute their keyed
hashes, in claim lines and in the paid-once child-month entitlements, so a child claimed before
the fix with a full-width ID is the same child as its ASCII form.

A child-month that then collides with another unreleased one (the double claim the old hashing
let through) keeps its old hash and is printed for the subsidy office to resolve.
"""

from __future__ import annotations

from typing import Any

from django.db import IntegrityError, migrations, transaction


def normalise(apps: Any, schema_editor: Any) -> None:
    from tuoyu_portal import crypto
    from tuoyu_portal.identifiers import normalise_identifier

    line_model = apps.get_model("subsidies", "ClaimLine")
    month_model = apps.get_model("subsidies", "ChildMonthClaim")
    for line in line_model.objects.exclude(child_id_encrypted="").iterator():
        plain = crypto.decrypt(line.child_id_encrypted)
        value = normalise_identifier(plain)
        new_hash = crypto.keyed_hash(value)
        old_hash = line.child_id_hash
        if value == plain and old_hash == new_hash:
            continue
        line.child_id_encrypted = crypto.encrypt(value)
        line.child_id_hash = new_hash
        line.child_id_masked = crypto.mask_id(value)
        line.save(update_fields=["child_id_encrypted", "child_id_hash", "child_id_masked"])
        for month in month_model.objects.filter(claim_id=line.claim_id, child_id_hash=old_hash):
            month.child_id_hash = new_hash
            try:
                with transaction.atomic():
                    month.save(update_fields=["child_id_hash"])
            except IntegrityError:
                print(
                    f"\n  child ID normalisation: claim {line.claim_id} month {month.month} is "
                    "already claimed for the same child; kept as is"
                )


class Migration(migrations.Migration):
    dependencies = [("subsidies", "0004_claim_kind_valid")]

    operations = [migrations.RunPython(normalise, migrations.RunPython.noop)]
