import json
from datetime import date
from typing import Any

import pytest
from django.test import Client

from frontline.cadres.models import Cadre
from frontline.cadres.services import cadre_data_for
from frontline.core.models import AuditAction, AuditLog
from frontline.core.testing import PASSWORD, make_cadre, make_resident_id

API = "/api/v1/cadres"
JSON = "application/json"


class ApiClient:
    """A client that logs in through POST /auth/token and sends the bearer token."""

    def __init__(self, username: str) -> None:
        self.client = Client()
        response = self.client.post(
            "/api/v1/auth/token", {"username": username, "password": PASSWORD}, content_type=JSON
        )
        assert response.status_code == 200, response.content
        self.headers = {"Authorization": f"Bearer {response.json()['token']}"}

    def get(self, path: str, params: dict[str, Any] | None = None):
        return self.client.get(path, params or {}, headers=self.headers)

    def post(self, path: str, body: dict[str, Any] | None = None):
        return self.client.post(path, json.dumps(body or {}), content_type=JSON, headers=self.headers)

    def put(self, path: str, body: dict[str, Any]):
        return self.client.put(path, json.dumps(body), content_type=JSON, headers=self.headers)

    def delete(self, path: str):
        return self.client.delete(path, headers=self.headers)


@pytest.fixture
def api_for(world):
    return ApiClient


def new_cadre(world, **fields) -> dict[str, Any]:
    body = {
        "name": "吴接口",
        "id_number": make_resident_id(birth=date(1992, 2, 29), gender="F"),
        "home_unit_id": world.xingang.pk,
        "phone": "+86 139-1234-5678",
        "position": "科员",
        "rank": 20,
        "expertise": ["数据", "统计"],
        "residence_region_code": "420222",
    }
    return body | fields


def names(body: dict[str, Any]) -> set[str]:
    return {item["name"] for item in body["items"]}


def test_an_api_request_without_a_token_is_refused(world):
    assert Client().get(API).status_code == 401


def test_the_list_is_paginated_with_a_count(world, api_for):
    for n in range(4):
        make_cadre(f"分页{n}", home_unit=world.xingang)
    body = api_for("xingang").get(API, {"limit": 2, "offset": 0}).json()
    assert body["count"] == 7
    assert len(body["items"]) == 2


def test_the_list_holds_only_cadres_in_scope(world, api_for):
    assert names(api_for("jiangsu").get(API).json()) == {"徐海"}
    assert names(api_for("province").get(API).json()) == {"陈明", "张文强", "李网格", "崔艳"}
    assert api_for("jiangsu").get(API, {"q": "陈明"}).json()["count"] == 0


def test_the_list_filters_by_search_unit_tag_and_rank(world, api_for):
    client = api_for("province")
    assert names(client.get(API, {"q": "zwq"}).json()) == {"张文强"}
    assert names(client.get(API, {"unit": world.xingang_office.pk}).json()) == {"陈明"}
    assert names(client.get(API, {"tag": "经济"}).json()) == {"张文强"}
    assert names(client.get(API, {"rank": 20, "political_status": "member"}).json()) == {
        "陈明",
        "张文强",
        "李网格",
        "崔艳",
    }


def test_a_cadre_shows_masked_numbers_and_never_the_plain_or_encrypted_ones(world, api_for):
    cadre = world.xingang_cadres[0]
    response = api_for("xingang").get(f"{API}/{cadre.pk}")
    body = response.json()
    assert body["id_number_masked"] == cadre.id_number_masked
    assert body["phone_masked"] == "138****0000"
    assert body["home_unit_name"] == "新港园区项目建设指挥部办公室"
    assert sorted(body["expertise"]) == ["建设", "规划"]
    assert body["version"] == 1
    raw = response.content.decode()
    assert cadre_data_for(cadre).id_number not in raw
    assert "13800000000" not in raw
    assert cadre.id_number_encrypted not in raw
    assert not any("encrypted" in key or "hash" in key for key in body)


def test_a_cadre_outside_the_scope_is_404_for_every_method(world, api_for):
    client = api_for("jiangsu")
    url = f"{API}/{world.xingang_cadres[0].pk}"
    assert client.get(url).status_code == 404
    assert client.put(url, {"version": 1, "position": "x"}).status_code == 404
    assert client.delete(url).status_code == 404
    assert client.post(f"{url}/sensitive").status_code == 404
    assert Cadre.objects.filter(pk=world.xingang_cadres[0].pk, position="").exists()
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_SENSITIVE).exists()


def test_an_official_registers_a_cadre(world, api_for):
    response = api_for("xingang").post(API, new_cadre(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["gender"], body["birth_date"], body["phone_masked"]) == ("F", "1992-02-29", "139****5678")
    assert body["residence_region_code"] == "420222000000"
    assert sorted(body["expertise"]) == ["数据", "统计"]
    cadre = Cadre.objects.get(pk=body["id"])
    assert cadre.created_by == world.xingang_official
    assert AuditLog.objects.filter(action=AuditAction.CREATE, object_id=str(cadre.pk)).exists()


def test_invalid_input_gets_400_with_an_error_per_field(world, api_for):
    response = api_for("xingang").post(API, new_cadre(world, name="", phone="123", gender="M"))
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"name", "phone", "gender"}
    assert body["errors"]["gender"] == "性别与身份证号不一致：身份证号显示为女。"
    assert body["detail"]


def test_an_unknown_residence_region_is_a_field_error(world, api_for):
    response = api_for("xingang").post(API, new_cadre(world, residence_region_code="429999"))
    assert response.status_code == 400
    assert "residence_region_code" in response.json()["errors"]


def test_a_cadre_cannot_be_registered_in_a_unit_outside_the_scope(world, api_for):
    response = api_for("xingang").post(API, new_cadre(world, home_unit_id=world.zengdu.pk))
    assert response.status_code == 404
    assert not Cadre.objects.filter(name="吴接口").exists()


@pytest.mark.parametrize("persona", ["province", "grid", "auditor"])
def test_roles_that_may_not_edit_cannot_write(world, api_for, persona):
    client = api_for(persona)
    cadre = world.grid_cadre  # within the scope of the province official and the grid head
    assert client.post(API, new_cadre(world)).status_code == 403
    if persona != "auditor":
        assert client.put(f"{API}/{cadre.pk}", {"version": 1, "position": "x"}).status_code == 403
        assert client.delete(f"{API}/{cadre.pk}").status_code == 403
    assert not Cadre.objects.filter(name="吴接口").exists()
    assert Cadre.objects.filter(pk=cadre.pk, position="").exists()


def test_an_update_changes_only_the_fields_sent(world, api_for):
    cadre = world.xingang_cadres[0]
    before = cadre_data_for(cadre)
    response = api_for("xingang").put(f"{API}/{cadre.pk}", {"version": 1, "position": "副主任", "rank": 30})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["position"], body["rank"], body["version"]) == ("副主任", 30, 2)
    assert sorted(body["expertise"]) == ["建设", "规划"]
    cadre.refresh_from_db()
    after = cadre_data_for(cadre)
    assert (after.id_number, after.phone, after.home_unit) == (before.id_number, before.phone, before.home_unit)


def test_an_update_with_a_new_id_number_takes_its_gender_and_birth_date(world, api_for):
    cadre = world.xingang_cadres[0]
    new_id = make_resident_id(birth=date(1985, 12, 1), gender="F")
    body = api_for("xingang").put(f"{API}/{cadre.pk}", {"version": 1, "id_number": new_id}).json()
    assert (body["gender"], body["birth_date"]) == ("F", "1985-12-01")
    assert body["id_number_masked"] == new_id[:6] + "********" + new_id[14:]


def test_an_update_from_a_stale_version_is_a_409_and_changes_nothing(world, api_for):
    cadre = world.xingang_cadres[0]
    client = api_for("xingang")
    assert client.put(f"{API}/{cadre.pk}", {"version": 1, "position": "第一次"}).status_code == 200
    response = client.put(f"{API}/{cadre.pk}", {"version": 1, "position": "第二次"})
    assert response.status_code == 409
    assert response.json()["code"] == "conflict"
    assert response.json()["current_version"] == 2
    cadre.refresh_from_db()
    assert cadre.position == "第一次"


def test_an_update_cannot_move_a_cadre_out_of_the_scope(world, api_for):
    cadre = world.xingang_cadres[0]
    response = api_for("xingang").put(f"{API}/{cadre.pk}", {"version": 1, "home_unit_id": world.lianyungang.pk})
    assert response.status_code == 404
    cadre.refresh_from_db()
    assert cadre.home_unit == world.xingang_office


def test_an_official_deletes_a_cadre(world, api_for):
    cadre = world.xingang_cadres[1]
    assert api_for("xingang").delete(f"{API}/{cadre.pk}").status_code == 204
    assert not Cadre.objects.filter(pk=cadre.pk).exists()
    assert AuditLog.objects.filter(action=AuditAction.DELETE, object_id=str(cadre.pk)).exists()


def test_the_full_numbers_are_given_to_a_role_that_may_see_them_and_audited(world, api_for):
    cadre = world.xingang_cadres[0]
    response = api_for("xingang").post(f"{API}/{cadre.pk}/sensitive")
    assert response.status_code == 200
    assert response.json() == {"id_number": cadre_data_for(cadre).id_number, "phone": "13800000000"}
    assert AuditLog.objects.filter(
        action=AuditAction.VIEW_SENSITIVE, actor=world.xingang_official, object_id=str(cadre.pk)
    ).exists()


@pytest.mark.parametrize("persona", ["province", "grid"])
def test_the_full_numbers_are_404_for_a_role_without_the_permission(world, api_for, persona):
    response = api_for(persona).post(f"{API}/{world.grid_cadre.pk}/sensitive")
    assert response.status_code == 404
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_SENSITIVE).exists()


def test_a_session_login_works_for_reads(world, client_for):
    body = client_for("zengdu").get(API).json()
    assert names(body) == {"崔艳"}
