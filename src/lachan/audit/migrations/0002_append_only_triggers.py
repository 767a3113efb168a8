"""Database triggers that refuse UPDATE and DELETE on the audit log (SQLite and PostgreSQL).

The only way around them is a row in ``audit_purge_permit`` (a table no model maps, so no
ORM path and no flush touches it), written by ``lachan.audit.maintenance.purge_permitted``
for retention purges and for emptying a test database.
"""

from django.db import migrations

SQLITE_UP = [
    "CREATE TABLE IF NOT EXISTS audit_purge_permit (reason TEXT NOT NULL);",
    """CREATE TRIGGER IF NOT EXISTS audit_auditlog_no_update BEFORE UPDATE ON audit_auditlog
       WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
    """CREATE TRIGGER IF NOT EXISTS audit_auditlog_no_delete BEFORE DELETE ON audit_auditlog
       WHEN NOT EXISTS (SELECT 1 FROM audit_purge_permit)
       BEGIN SELECT RAISE(ABORT, 'audit log is append-only'); END;""",
]
SQLITE_DOWN = [
    "DROP TRIGGER IF EXISTS audit_auditlog_no_update;",
    "DROP TRIGGER IF EXISTS audit_auditlog_no_delete;",
    "DROP TABLE IF EXISTS audit_purge_permit;",
]
PG_UP = [
    "CREATE TABLE IF NOT EXISTS audit_purge_permit (reason TEXT NOT NULL);",
    """CREATE OR REPLACE FUNCTION audit_auditlog_refuse() RETURNS trigger AS $$
       BEGIN
         IF EXISTS (SELECT 1 FROM audit_purge_permit) THEN
           IF TG_OP = 'DELETE' THEN RETURN OLD; END IF;
           IF TG_OP = 'UPDATE' THEN RETURN NEW; END IF;
           RETURN NULL;
         END IF;
         RAISE EXCEPTION 'audit log is append-only';
       END; $$ LANGUAGE plpgsql;""",
    """CREATE TRIGGER audit_auditlog_no_change BEFORE UPDATE OR DELETE ON audit_auditlog
       FOR EACH ROW EXECUTE FUNCTION audit_auditlog_refuse();""",
    """CREATE TRIGGER audit_auditlog_no_truncate BEFORE TRUNCATE ON audit_auditlog
       FOR EACH STATEMENT EXECUTE FUNCTION audit_auditlog_refuse();""",
]
PG_DOWN = [
    "DROP TRIGGER IF EXISTS audit_auditlog_no_change ON audit_auditlog;",
    "DROP TRIGGER IF EXISTS audit_auditlog_no_truncate ON audit_auditlog;",
    "DROP FUNCTION IF EXISTS audit_auditlog_refuse();",
    "DROP TABLE IF EXISTS audit_purge_permit;",
]


def _run(statements_by_vendor):
    def run(apps, schema_editor):
        for sql in statements_by_vendor.get(schema_editor.connection.vendor, []):
            schema_editor.execute(sql)

    return run


class Migration(migrations.Migration):
    dependencies = [("audit", "0001_initial")]

    operations = [
        migrations.RunPython(
            _run({"sqlite": SQLITE_UP, "postgresql": PG_UP}),
            _run({"sqlite": SQLITE_DOWN, "postgresql": PG_DOWN}),
        ),
    ]
