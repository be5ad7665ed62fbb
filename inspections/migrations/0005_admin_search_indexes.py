"""Indexes and statistics for the inspections admin at 5 000 000 rows (measured by bench/).

Built CONCURRENTLY (so the migration is not atomic): a plain CREATE INDEX would block writes to
inspections_finding, registry_filing and registry_institution for the whole build at full size.

`finding_rule_prefix_idx` and `filing_number_prefix_idx` serve the admin's search by rule and by
filing-number prefix; they use the pattern operator class because LIKE 'x%' cannot use the
default one unless the collation is "C" (C.UTF-8 is not). The last three operations touch
registry's tables but serve the inspections admin; like registry 0003 they are database objects
only (no model state).

`institution_region_cover_idx` serves the jurisdiction scoping of every non-superuser's list:
inspections and findings are scoped by their institution's region (`region_id LIKE '37%'` for a
province), and with the id in the index that set is read from the index alone (175 pages for a
province's 44 000 institutions instead of 17 000 heap pages; a search's count 100 ms → 25 ms).

The statistics target of the institution name goes to 1000: the admin searches a common term by
walking the list's order index with `name LIKE '%term%'`, and PostgreSQL estimates that LIKE
from the name's histogram; with the default 100 entries a term in 1 % of names often hits none,
is taken for rare, and the planner fetches and sorts all its rows instead (seconds).
"""

from django.contrib.postgres.operations import AddIndexConcurrently
from django.db import migrations, models


class Migration(migrations.Migration):
    atomic = False

    dependencies = [
        ("inspections", "0004_changelist_order_indexes"),
        ("registry", "0005_merge_staff_public"),
    ]

    operations = [
        AddIndexConcurrently(
            model_name="finding",
            index=models.Index(
                fields=["rule"], name="finding_rule_prefix_idx", opclasses=["varchar_pattern_ops"]
            ),
        ),
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS filing_number_prefix_idx "
            "ON registry_filing (filing_number varchar_pattern_ops) WHERE filing_number <> '';",
            "DROP INDEX CONCURRENTLY IF EXISTS filing_number_prefix_idx;",
        ),
        migrations.RunSQL(
            "CREATE INDEX CONCURRENTLY IF NOT EXISTS institution_region_cover_idx "
            "ON registry_institution (region_id varchar_pattern_ops) INCLUDE (id);",
            "DROP INDEX CONCURRENTLY IF EXISTS institution_region_cover_idx;",
        ),
        migrations.RunSQL(
            "ALTER TABLE registry_institution ALTER COLUMN name SET STATISTICS 1000; "
            "ANALYZE registry_institution (name);",
            "ALTER TABLE registry_institution ALTER COLUMN name SET STATISTICS -1;",
        ),
    ]
