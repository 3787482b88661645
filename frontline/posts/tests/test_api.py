from typing import Any

from frontline.core.models import AuditLog
from frontline.core.testing import World, make_post
from frontline.posts.models import Post, PostKind
from frontline.posts.tests.factories import make_uscc

JSON = "application/json"
URL = "/api/v1/posts"


def payload(world: World, **fields: Any) -> dict[str, Any]:
    return {
        "kind": "enterprise",
        "name": "劲牌阳新酒业",
        "region_code": "420222103",
        "unit_id": world.xingang.pk,
        "uscc": make_uscc(41),
        "size": "large",
    } | fields


def names(body: dict[str, Any]) -> set[str]:
    return {item["name"] for item in body["items"]}


def test_the_list_is_paginated_scoped_and_counted(client_for):
    body = client_for("province").get(f"{URL}?limit=1").json()
    assert body["count"] == 2
    assert len(body["items"]) == 1
    assert names(client_for("jiangsu").get(URL).json()) == {"盛邦新材芳纶产业园"}


def test_the_list_filters_by_kind_key_region_unit_and_text(world, client_for):
    client = client_for("province")
    assert names(client.get(f"{URL}?kind=project").json()) == {"新农湾改造"}
    assert names(client.get(f"{URL}?is_key=true").json()) == {"新农湾改造"}
    assert names(client.get(f"{URL}?region=4202").json()) == {"弘盛铜业"}
    assert names(client.get(f"{URL}?region=999999").json()) == set()
    assert names(client.get(f"{URL}?unit={world.zengdu.pk}").json()) == {"新农湾改造"}
    assert names(client.get(f"{URL}?q=铜业").json()) == {"弘盛铜业"}


def test_a_post_outside_the_scope_is_404_everywhere(world, client_for):
    client = client_for("jiangsu")
    pk = world.xingang_enterprise.pk
    assert client.get(f"{URL}/{pk}").status_code == 404
    assert client.get(f"{URL}/{pk}/children").status_code == 404
    assert client.put(f"{URL}/{pk}", payload(world, version=1), content_type=JSON).status_code == 404
    assert client.delete(f"{URL}/{pk}").status_code == 404
    assert Post.objects.filter(pk=pk, name="弘盛铜业").exists()


def test_the_detail_gives_region_unit_and_version(world, client_for):
    body = client_for("xingang").get(f"{URL}/{world.xingang_enterprise.pk}").json()
    assert body["region_code"] == "420222103000"
    assert body["region_name"] == "韦源口镇"
    assert body["unit_name"] == "新港园区"
    assert body["uscc"] == "91420222MA4F00000F"
    assert body["version"] == 1


def test_an_official_creates_a_post(world, client_for):
    response = client_for("xingang").post(URL, payload(world), content_type=JSON)
    assert response.status_code == 201
    body = response.json()
    assert body["name"] == "劲牌阳新酒业"
    assert body["region_code"] == "420222103000"
    assert AuditLog.objects.filter(object_type="posts.post", object_id=str(body["id"]), action="create").exists()


def test_invalid_input_is_400_with_errors_by_field(world, client_for):
    response = client_for("xingang").post(
        URL, payload(world, uscc="123", unit_id=world.zengdu.pk, latitude=120.0, longitude=115.0), content_type=JSON
    )
    assert response.status_code == 400
    body = response.json()
    assert body["code"] == "invalid"
    assert set(body["errors"]) == {"uscc", "unit", "latitude"}
    assert body["errors"]["uscc"] == "统一社会信用代码应为 18 位，当前为 3 位。"


def test_a_viewer_without_edit_permission_gets_403(world, client_for):
    response = client_for("province").post(URL, payload(world, unit_id=world.hubei.pk), content_type=JSON)
    assert response.status_code == 403


def test_an_update_needs_the_current_version_and_a_stale_one_is_409(world, client_for):
    client = client_for("xingang")
    post = world.xingang_enterprise
    data = payload(world, name="弘盛铜业集团", uscc=post.uscc, size="", version=1)
    first = client.put(f"{URL}/{post.pk}", data, content_type=JSON)
    assert first.status_code == 200
    assert first.json()["version"] == 2
    stale = client.put(f"{URL}/{post.pk}", data | {"name": "晚到的修改"}, content_type=JSON)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2
    post.refresh_from_db()
    assert post.name == "弘盛铜业集团"


def test_delete_removes_the_post_and_refuses_one_with_children(world, client_for):
    client = client_for("xingang")
    key = make_post("新港物流园", kind=PostKind.PROJECT, region=world.xingang.region, unit=world.xingang)
    sub = make_post("一期", kind=PostKind.PROJECT, region=world.xingang.region, unit=world.xingang, parent=key)
    refused = client.delete(f"{URL}/{key.pk}")
    assert refused.status_code == 400
    assert refused.json()["code"] == "has_children"
    assert client.delete(f"{URL}/{sub.pk}").status_code == 204
    assert client.delete(f"{URL}/{key.pk}?version=1").status_code == 204
    assert not Post.objects.filter(pk__in=[key.pk, sub.pk]).exists()


def test_children_lists_the_sub_projects(world, client_for):
    key = make_post("新港物流园", kind=PostKind.PROJECT, region=world.xingang.region, unit=world.xingang)
    for n in range(3):
        make_post(f"{n + 1}期", kind=PostKind.PROJECT, region=world.xingang.region, unit=world.xingang, parent=key)
    body = client_for("xingang").get(f"{URL}/{key.pk}/children").json()
    assert body["count"] == 3
    assert names(body) == {"1期", "2期", "3期"}
