import json
from datetime import date

import pytest
from django.db import DatabaseError

from frontline.cadres.models import Cadre, Gender
from frontline.cadres.services import (
    CadreData,
    CadreValidationError,
    cadre_create,
    cadre_data_for,
    cadre_delete,
    cadre_reveal_sensitive,
    cadre_update,
    name_pinyin,
)
from frontline.core import crypto
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditAction, AuditLog
from frontline.core.testing import make_resident_id

TODAY = date(2026, 6, 1)


def data_for(world, **fields) -> CadreData:
    values = {
        "name": "王新",
        "id_number": make_resident_id(birth=date(1988, 3, 9), gender="F"),
        "home_unit": world.xingang,
        "phone": "13912345678",
    }
    return CadreData(**(values | fields))


def audit_rows_for(cadre_pk: int):
    return AuditLog.objects.filter(object_type="cadres.cadre", object_id=str(cadre_pk))


def test_it_takes_gender_and_birth_date_from_the_id_number(world):
    cadre = cadre_create(actor=world.xingang_official, data=data_for(world), today=TODAY)
    assert cadre.gender == Gender.FEMALE
    assert cadre.birth_date == date(1988, 3, 9)


def test_it_refuses_a_gender_that_contradicts_the_id_number(world):
    with pytest.raises(CadreValidationError) as caught:
        cadre_create(actor=None, data=data_for(world, gender=Gender.MALE), today=TODAY)
    assert caught.value.errors == {"gender": "性别与身份证号不一致：身份证号显示为女。"}
    assert not Cadre.objects.filter(name="王新").exists()


def test_it_refuses_a_birth_date_that_contradicts_the_id_number(world):
    with pytest.raises(CadreValidationError) as caught:
        cadre_create(actor=None, data=data_for(world, birth_date=date(1988, 9, 3)), today=TODAY)
    assert "1988-03-09" in caught.value.errors["birth_date"]


def test_it_reports_every_bad_field_at_once(world):
    bad = data_for(world, name=" ", id_number="42022219880309123", phone="12345", rank=15)
    with pytest.raises(CadreValidationError) as caught:
        cadre_create(actor=None, data=bad, today=TODAY)
    assert set(caught.value.errors) == {"name", "id_number", "phone", "rank"}
    assert caught.value.errors["id_number"] == "身份证号应为 18 位，当前为 17 位。"


def test_it_refuses_an_id_number_registered_already(world):
    id_number = make_resident_id()
    cadre_create(actor=None, data=data_for(world, id_number=id_number), today=TODAY)
    with pytest.raises(CadreValidationError) as caught:
        cadre_create(actor=None, data=data_for(world, name="另一人", id_number=id_number.lower()), today=TODAY)
    assert caught.value.errors == {"id_number": "该身份证号已登记，同一干部不能重复录入。"}
    assert Cadre.objects.filter(id_number_hash=crypto.keyed_hash(id_number)).count() == 1


def test_it_stores_the_id_number_and_phone_encrypted_and_masked(world):
    id_number = make_resident_id(region6="420222", birth=date(1988, 3, 9), gender="F")
    cadre = cadre_create(actor=None, data=data_for(world, id_number=id_number), today=TODAY)
    cadre.refresh_from_db()
    assert id_number not in cadre.id_number_encrypted
    assert crypto.decrypt(cadre.id_number_encrypted) == id_number
    assert cadre.id_number_masked == "420222********" + id_number[14:]
    assert cadre.phone_masked == "139****5678"
    assert crypto.decrypt(cadre.phone_encrypted) == "13912345678"


def test_it_indexes_the_name_by_pinyin_and_initials():
    assert name_pinyin("张文强") == ("zhangwenqiang", "zwq")


def test_it_keeps_expertise_tags_once_each_and_in_order(world):
    cadre = cadre_create(actor=None, data=data_for(world, expertise=["规划", " 建设 ", "规划", ""]), today=TODAY)
    assert sorted(cadre.expertise.values_list("name", flat=True)) == ["建设", "规划"]


def test_an_update_bumps_the_version_and_audits_only_what_changed(world):
    cadre = cadre_create(actor=None, data=data_for(world, position="科员"), today=TODAY)
    data = cadre_data_for(cadre)
    data.position = "副主任"
    data.expertise = ["招商"]
    updated = cadre_update(actor=world.xingang_official, cadre=cadre, data=data, expected_version=1, today=TODAY)
    assert updated.version == 2
    row = audit_rows_for(cadre.pk).get(action=AuditAction.UPDATE)
    assert row.actor == world.xingang_official
    assert row.changes == {"position": ["科员", "副主任"], "expertise": [[], ["招商"]]}


def test_an_update_from_a_stale_version_is_refused_and_changes_nothing(world):
    cadre = cadre_create(actor=None, data=data_for(world, position="科员"), today=TODAY)
    first = cadre_data_for(cadre)
    first.position = "主任"
    cadre_update(actor=world.xingang_official, cadre=cadre, data=first, expected_version=1, today=TODAY)
    second = cadre_data_for(cadre)
    second.position = "副主任"
    with pytest.raises(ConflictError) as caught:
        cadre_update(actor=world.zengdu_official, cadre=cadre, data=second, expected_version=1, today=TODAY)
    assert caught.value.extra == {"current_version": 2}
    cadre.refresh_from_db()
    assert (cadre.position, cadre.version) == ("主任", 2)
    assert audit_rows_for(cadre.pk).filter(action=AuditAction.UPDATE).count() == 1


def test_an_update_cannot_take_another_cadres_id_number(world):
    other = world.xingang_cadres[0]
    cadre = cadre_create(actor=None, data=data_for(world), today=TODAY)
    data = cadre_data_for(cadre)
    data.id_number = cadre_data_for(other).id_number
    data.gender, data.birth_date = "", None
    with pytest.raises(CadreValidationError) as caught:
        cadre_update(actor=None, cadre=cadre, data=data, expected_version=cadre.version, today=TODAY)
    assert "id_number" in caught.value.errors


def test_create_update_and_delete_are_audited_with_masked_numbers_only(world):
    id_number = make_resident_id(birth=date(1988, 3, 9), gender="F")
    new_id = make_resident_id(birth=date(1988, 3, 9), gender="F")
    cadre = cadre_create(actor=world.xingang_official, data=data_for(world, id_number=id_number), today=TODAY)
    data = cadre_data_for(cadre)
    data.id_number = new_id
    data.phone = "13700001111"
    cadre = cadre_update(actor=world.xingang_official, cadre=cadre, data=data, expected_version=1, today=TODAY)
    pk = cadre.pk
    cadre_delete(actor=world.xingang_official, cadre=cadre)

    rows = list(audit_rows_for(pk).order_by("id"))
    assert [r.action for r in rows] == [AuditAction.CREATE, AuditAction.UPDATE, AuditAction.DELETE]
    assert rows[0].changes["id_number_masked"] == [None, id_number[:6] + "********" + id_number[14:]]
    assert rows[1].changes["id_number_masked"] == [
        id_number[:6] + "********" + id_number[14:],
        new_id[:6] + "********" + new_id[14:],
    ]
    assert rows[1].changes["phone_masked"] == ["139****5678", "137****1111"]
    stored = json.dumps([r.changes for r in rows], ensure_ascii=False) + "".join(r.note for r in rows)
    for secret in (id_number, new_id, "13912345678", "13700001111"):
        assert secret not in stored


def broken_audit(**kwargs):
    raise DatabaseError("audit table unavailable")


def test_a_failed_audit_write_leaves_no_cadre_behind(world, monkeypatch):
    monkeypatch.setattr("frontline.cadres.services.audit", broken_audit)
    with pytest.raises(DatabaseError):
        cadre_create(actor=world.xingang_official, data=data_for(world), today=TODAY)
    assert not Cadre.objects.filter(name="王新").exists()


def test_a_failed_audit_write_undoes_an_update(world, monkeypatch):
    cadre = world.xingang_cadres[0]
    data = cadre_data_for(cadre)
    data.position = "不应保存"
    monkeypatch.setattr("frontline.cadres.services.audit", broken_audit)
    with pytest.raises(DatabaseError):
        cadre_update(actor=None, cadre=cadre, data=data, expected_version=cadre.version, today=TODAY)
    cadre.refresh_from_db()
    assert cadre.position != "不应保存"
    assert cadre.version == 1


def test_revealing_the_full_numbers_is_audited(world):
    cadre = world.xingang_cadres[0]
    revealed = cadre_reveal_sensitive(actor=world.xingang_official, cadre=cadre)
    assert revealed == {"id_number": cadre_data_for(cadre).id_number, "phone": "13800000000"}
    row = audit_rows_for(cadre.pk).get(action=AuditAction.VIEW_SENSITIVE)
    assert row.actor == world.xingang_official
    assert revealed["id_number"] not in json.dumps(row.changes) + row.note


def test_a_role_without_the_sensitive_flag_cannot_reveal_the_numbers(world):
    with pytest.raises(ApplicationError) as caught:
        cadre_reveal_sensitive(actor=world.province_official, cadre=world.xingang_cadres[0])
    assert caught.value.code == "forbidden"
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_SENSITIVE).exists()
