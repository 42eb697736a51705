"""On PostgreSQL, the database itself refuses to change or delete audit entries.

UPDATE is allowed only to null the foreign keys (when a user account, organisation or
municipality is removed: the entry keeps ``actor_label``), nothing else. TRUNCATE (used
only by test-suite flushes and by a DBA on purpose) is not a row operation.
SQLite has no such trigger: there the model and queryset refuse instead.
"""

from django.db import migrations

CREATE = """
CREATE OR REPLACE FUNCTION core_auditentry_append_only() RETURNS trigger AS $$
BEGIN
    IF TG_OP = 'DELETE' THEN
        RAISE EXCEPTION 'The audit log is append-only: entries cannot be deleted';
    END IF;
    IF NEW.id IS DISTINCT FROM OLD.id
       OR NEW.at IS DISTINCT FROM OLD.at
       OR NEW.actor_label IS DISTINCT FROM OLD.actor_label
       OR NEW.action IS DISTINCT FROM OLD.action
       OR NEW.object_id IS DISTINCT FROM OLD.object_id
       OR NEW.object_repr IS DISTINCT FROM OLD.object_repr
       OR NEW.changes::text IS DISTINCT FROM OLD.changes::text
       OR NEW.ip_address IS DISTINCT FROM OLD.ip_address
       OR NEW.path IS DISTINCT FROM OLD.path
       OR (NEW.actor_id IS NOT NULL AND NEW.actor_id IS DISTINCT FROM OLD.actor_id)
       OR (NEW.organisation_id IS NOT NULL AND NEW.organisation_id IS DISTINCT FROM OLD.organisation_id)
       OR (NEW.municipality_id IS NOT NULL AND NEW.municipality_id IS DISTINCT FROM OLD.municipality_id)
       OR (NEW.content_type_id IS NOT NULL AND NEW.content_type_id IS DISTINCT FROM OLD.content_type_id)
    THEN
        RAISE EXCEPTION 'The audit log is append-only: entries cannot be changed';
    END IF;
    RETURN NEW;
END;
$$ LANGUAGE plpgsql;

CREATE TRIGGER core_auditentry_append_only
BEFORE UPDATE OR DELETE ON core_auditentry
FOR EACH ROW EXECUTE FUNCTION core_auditentry_append_only();
"""

DROP = """
DROP TRIGGER IF EXISTS core_auditentry_append_only ON core_auditentry;
DROP FUNCTION IF EXISTS core_auditentry_append_only();
"""


def forwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(CREATE)


def backwards(apps, schema_editor):
    if schema_editor.connection.vendor == "postgresql":
        schema_editor.execute(DROP)


class Migration(migrations.Migration):
    dependencies = [("core", "0001_initial")]

    operations = [migrations.RunPython(forwards, backwards, elidable=False)]
