"""Audit tables are append-only for the application's database role.

A BEFORE UPDATE OR DELETE trigger on every audit table raises, unless the transaction has set
``tuoyu.audit_maintenance = on`` (SET LOCAL), which only the retention purge does. pghistory's
shared context table is upserted within a request (the actor can be learned late), so only
DELETE is refused there. TRUNCATE is a table-owner operation kept for restores and test flushes;
a separate, unprivileged application role (docs/security.md) removes it in production.
"""

from django.db import migrations

TABLES = [
    "audit_registrationevent",
    "audit_filingevent",
    "audit_staffmemberevent",
    "audit_banevent",
    "audit_findingevent",
    "audit_claimevent",
    "audit_auditcheckpoint",
    "audit_idnumberaccess",
]

FUNCTION = """
CREATE OR REPLACE FUNCTION tuoyu_audit_append_only() RETURNS trigger AS $$
BEGIN
    IF coalesce(current_setting('tuoyu.audit_maintenance', true), '') = 'on' THEN
        IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
        RETURN NEW;
    END IF;
    RAISE EXCEPTION 'audit table % is append-only (% refused)', TG_TABLE_NAME, TG_OP
        USING ERRCODE = 'insufficient_privilege';
END
$$ LANGUAGE plpgsql;
"""

forward = [FUNCTION] + [
    f"CREATE TRIGGER {t}_append_only BEFORE UPDATE OR DELETE ON {t} "
    f"FOR EACH ROW EXECUTE FUNCTION tuoyu_audit_append_only();"
    for t in TABLES
] + [
    "CREATE TRIGGER pghistory_context_append_only BEFORE DELETE ON pghistory_context "
    "FOR EACH ROW EXECUTE FUNCTION tuoyu_audit_append_only();"
]
backward = [f"DROP TRIGGER IF EXISTS {t}_append_only ON {t};" for t in TABLES] + [
    "DROP TRIGGER IF EXISTS pghistory_context_append_only ON pghistory_context;",
    "DROP FUNCTION IF EXISTS tuoyu_audit_append_only();",
]


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_audit_events_checkpoints_id_access"),
        ("pghistory", "0001_initial"),
    ]

    operations = [migrations.RunSQL(sql=forward, reverse_sql=backward)]
