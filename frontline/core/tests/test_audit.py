import pytest
from django.db import DatabaseError, transaction
from django.urls import reverse

from frontline.core.audit import audit
from frontline.core.models import AuditAction, AuditLog
from frontline.org.models import Unit
from frontline.org.services import unit_create


def test_only_the_audit_role_can_read_the_audit_log(world, client_for):
    assert client_for("auditor").get(reverse("core:audit_log")).status_code == 200
    for persona in ("xingang", "province", "grid", "jiangsu"):
        assert client_for(persona).get(reverse("core:audit_log")).status_code == 404


def test_the_audit_log_lists_changes_with_old_and_new_values(world, client_for):
    audit(
        actor=world.xingang_official, action=AuditAction.UPDATE, obj=world.xingang, changes={"name": ("旧名", "新名")}
    )
    html = client_for("auditor").get(reverse("core:audit_log"), {"q": "新港园区"}).content.decode()
    assert "旧名 → 新名" in html


def test_a_failed_audit_write_rolls_the_change_back(world, monkeypatch):
    def broken(**kwargs):
        raise DatabaseError("audit table unavailable")

    monkeypatch.setattr("frontline.org.services.audit", broken)
    before = Unit.objects.count()
    with pytest.raises(DatabaseError), transaction.atomic():
        unit_create(actor=world.xingang_official, name="新单位", region=world.xingang.region, parent=world.xingang)
    assert Unit.objects.count() == before
    assert not AuditLog.objects.filter(object_repr="新单位").exists()
