"""Public-register name search backed by indexes.

pg_trgm splits text into words on spaces, and Chinese has none, so a trigram index alone cannot
serve 1- and 2-character terms. We index an IMMUTABLE function of the institution name that
returns every 1-character and every 2-character substring: a term of 1 character is looked up
with `@> ARRAY[c]`, a term of 2+ characters with `@>` all of its bigrams (then rechecked with
LIKE for the exact substring). Being an expression index, it needs no denormalised column and no
service to keep it current. The trigram index is kept for mixed Latin names (`%` similarity).
Created with RunSQL because Institution's model state is the foundation's; the indexes are
database objects only.
"""

from django.contrib.postgres.operations import TrigramExtension
from django.db import migrations

GRAMS_FUNCTION = r"""
CREATE OR REPLACE FUNCTION registry_name_grams(name text) RETURNS text[]
LANGUAGE sql IMMUTABLE PARALLEL SAFE STRICT AS $$
  SELECT coalesce(array_agg(DISTINCT g), '{}'::text[]) FROM (
    SELECT substr(lower(name), i, 1) AS g FROM generate_series(1, char_length(name)) AS i
    UNION
    SELECT substr(lower(name), i, 2) FROM generate_series(1, char_length(name) - 1) AS i
  ) AS grams
$$;
"""


class Migration(migrations.Migration):
    dependencies = [("registry", "0002_staff_bans_changes")]

    operations = [
        TrigramExtension(),
        migrations.RunSQL(GRAMS_FUNCTION, "DROP FUNCTION IF EXISTS registry_name_grams(text);"),
        migrations.RunSQL(
            "CREATE INDEX institution_name_grams_gin ON registry_institution "
            "USING gin (registry_name_grams(name));",
            "DROP INDEX IF EXISTS institution_name_grams_gin;",
        ),
        migrations.RunSQL(
            "CREATE INDEX institution_name_trgm_gin ON registry_institution "
            "USING gin (name gin_trgm_ops);",
            "DROP INDEX IF EXISTS institution_name_trgm_gin;",
        ),
    ]
