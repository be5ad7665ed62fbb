# Membership is now accounts.Membership: only the migration state moves, the table
# (registry_membership) and its rows stay where they are.

from django.db import migrations


class Migration(migrations.Migration):
    dependencies = [
        ("registry", "0011_filing_issued_rules_snapshot"),
    ]

    operations = [
        migrations.SeparateDatabaseAndState(
            state_operations=[migrations.DeleteModel(name="Membership")],
            database_operations=[],
        ),
    ]
