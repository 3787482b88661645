import pytest

from frontline.core.models import DataScope
from frontline.core.testing import PASSWORD, make_role, make_user
from frontline.org.models import Region, Unit

JSON = "application/json"


@pytest.fixture
def admin_client(world, client):
    make_user("org-admin", unit=world.hubei, roles=[make_role("org-admin", DataScope.ALL, can_admin_org=True)])
    assert client.login(username="org-admin", password=PASSWORD)
    return client


def test_regions_are_paginated_with_count_and_items(client_for):
    body = client_for("grid").get("/api/v1/regions?limit=2").json()
    assert body["count"] == Region.objects.count()
    assert len(body["items"]) == 2


def test_regions_filter_by_parent_level_and_text(client_for):
    client = client_for("grid")
    children = client.get("/api/v1/regions?parent=420222").json()
    assert [r["name"] for r in children["items"]] == ["韦源口镇"]
    provinces = client.get("/api/v1/regions?parent=").json()
    assert {r["code"] for r in provinces["items"]} == {"420000000000", "320000000000"}
    assert {r["name"] for r in client.get("/api/v1/regions?level=3").json()["items"]} == {"阳新县", "曾都区"}
    assert [r["code"] for r in client.get("/api/v1/regions?q=4202").json()["items"]][:1] == ["420200000000"]


def test_one_region_by_code(client_for):
    client = client_for("grid")
    body = client.get("/api/v1/regions/420222103000").json()
    assert (body["name"], body["level"], body["parent_code"]) == ("韦源口镇", 4, "420222000000")
    assert client.get("/api/v1/regions/999999999999").status_code == 404


def test_patching_a_region_needs_the_org_permission(admin_client, client_for):
    forbidden = client_for("xingang").patch("/api/v1/regions/420222103000", {"name": "改"}, content_type=JSON)
    assert forbidden.status_code == 403
    body = admin_client.patch("/api/v1/regions/420222103000", {"is_functional_zone": True}, content_type=JSON).json()
    assert (body["name"], body["is_functional_zone"], body["is_active"]) == ("韦源口镇", True, True)


def test_creating_a_region_without_its_parent_is_400(admin_client):
    response = admin_client.post("/api/v1/regions", {"code": "420222104201", "name": "某村委会"}, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["code"] == "no_parent"
    created = admin_client.post("/api/v1/regions", {"code": "420222103201", "name": "东湖村委会"}, content_type=JSON)
    assert created.status_code == 201


def test_units_are_scoped(world, client_for):
    body = client_for("xingang").get("/api/v1/units").json()
    assert {u["name"] for u in body["items"]} == {"新港园区", "新港园区项目建设指挥部办公室"}
    assert client_for("jiangsu").get(f"/api/v1/units/{world.xingang.pk}").status_code == 404


def test_a_unit_is_created_under_a_parent_in_scope(world, client_for):
    client = client_for("xingang")
    data = {
        "name": "新港园区招商局",
        "kind": "functional_department",
        "parent_id": world.xingang.pk,
        "region_code": "420222103",
    }
    response = client.post("/api/v1/units", data, content_type=JSON)
    assert response.status_code == 201
    assert response.json()["path"].startswith(world.xingang.path)
    outside = client.post("/api/v1/units", data | {"parent_id": world.zengdu.pk}, content_type=JSON)
    assert outside.status_code == 400
    assert outside.json()["errors"] == {"parent": "上级单位不存在或不在您的数据范围内。"}


def test_a_unit_is_renamed_or_moved_with_put(world, client_for, admin_client):
    client = client_for("xingang")
    url = f"/api/v1/units/{world.xingang_office.pk}"
    data = {
        "name": "项目办",
        "kind": "functional_department",
        "parent_id": world.xingang.pk,
        "region_code": "420222103",
    }
    assert client.put(url, data, content_type=JSON).json()["name"] == "项目办"
    refused = client.put(url, data | {"parent_id": world.zengdu.pk}, content_type=JSON)
    assert refused.status_code == 400
    moved = admin_client.put(url, data | {"parent_id": world.zengdu.pk}, content_type=JSON).json()
    assert moved["path"] == f"{world.zengdu.path}{world.xingang_office.pk}/"
    assert Unit.objects.get(pk=world.xingang_office.pk).parent == world.zengdu
    assert client.get(url).status_code == 404  # out of the park official's scope now


def test_the_root_of_ones_scope_can_be_renamed_over_the_api(world, client_for):
    data = {"name": "新港园区管委会", "kind": "park", "parent_id": world.huangshi.pk, "region_code": "420222103"}
    response = client_for("xingang").put(f"/api/v1/units/{world.xingang.pk}", data, content_type=JSON)
    assert response.status_code == 200
    assert response.json()["parent_id"] == world.huangshi.pk
