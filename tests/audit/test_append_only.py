"""The audit log is append-only: in the model, the queryset and the database itself."""

from __future__ import annotations

import pytest
from django.db import DatabaseError, connection, transaction

from lachan.audit.maintenance import purge_permitted
from lachan.audit.models import AppendOnlyError, AuditLog
from lachan.audit.services import record, snapshot

pytestmark = pytest.mark.django_db


def test_services_write_audit_rows_with_before_and_after(tree, dept_admin):
    from lachan.org.services import save_unit

    save_unit(actor=dept_admin, code="THPT-A", name="Trường THPT Lê Lợi (mới)", parent=tree.so)
    entry = AuditLog.objects.filter(action="unit.update", object_id=str(tree.a.pk)).get()
    assert entry.actor == dept_admin
    assert entry.unit_id == tree.a.pk
    assert ("name", "Trường THPT Lê Lợi", "Trường THPT Lê Lợi (mới)") in entry.changes()


def test_model_and_queryset_refuse_changes(tree):
    entry = record(actor=None, action="test.write", obj=tree.a, after=snapshot(tree.a))
    entry.action = "changed"
    with pytest.raises(AppendOnlyError):
        entry.save()
    with pytest.raises(AppendOnlyError):
        entry.delete()
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.filter(pk=entry.pk).update(action="x")
    with pytest.raises(AppendOnlyError):
        AuditLog.objects.all().delete()


@pytest.mark.parametrize(
    "sql", ["UPDATE audit_auditlog SET action = 'x'", "DELETE FROM audit_auditlog"]
)
def test_database_refuses_raw_sql(tree, sql):
    record(actor=None, action="test.write", obj=tree.a)
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute(sql)
    assert AuditLog.objects.filter(action="test.write").exists()


def test_purge_needs_the_explicit_permit(tree):
    record(actor=None, action="test.write", obj=tree.a)
    with purge_permitted("retention purge test"), connection.cursor() as cursor:
        cursor.execute("DELETE FROM audit_auditlog WHERE action = 'test.write'")
    assert not AuditLog.objects.filter(action="test.write").exists()
    with pytest.raises(DatabaseError, match="append-only"):
        with transaction.atomic(), connection.cursor() as cursor:
            cursor.execute("DELETE FROM audit_auditlog")


def test_admin_offers_no_write_path(rf):
    from django.contrib import admin

    model_admin = admin.site._registry[AuditLog]
    request = rf.get("/")
    assert not model_admin.has_add_permission(request)
    assert not model_admin.has_change_permission(request)
    assert not model_admin.has_delete_permission(request)
