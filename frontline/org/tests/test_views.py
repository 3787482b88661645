import pytest
from django.urls import reverse

from frontline.core.models import DataScope
from frontline.core.testing import PASSWORD, make_role, make_user
from frontline.org.models import Region, Unit


@pytest.fixture
def admin_client(world, client):
    make_user("org-admin", unit=world.hubei, roles=[make_role("org-admin", DataScope.ALL, can_admin_org=True)])
    assert client.login(username="org-admin", password=PASSWORD)
    return client


# --- units ------------------------------------------------------------------------------------


def test_the_unit_list_shows_only_the_scope(client_for):
    html = client_for("xingang").get(reverse("org:unit_list")).content.decode()
    assert "新港园区项目建设指挥部办公室" in html
    assert "中共曾都区委" not in html
    assert "中共湖北省委" not in html.split("<main")[1]


def test_a_unit_outside_the_scope_is_404(world, client_for):
    client = client_for("jiangsu")
    assert client.get(reverse("org:unit_detail", args=[world.xingang.pk])).status_code == 404
    assert client.get(reverse("org:unit_edit", args=[world.xingang.pk])).status_code == 404


def test_an_official_adds_a_unit_below_their_own(world, client_for):
    client = client_for("xingang")
    response = client.post(
        reverse("org:unit_create"),
        {"name": "新港园区招商局", "kind": "functional_department", "parent": world.xingang.pk, "region": "420222103"},
    )
    unit = Unit.objects.get(name="新港园区招商局")
    assert response["Location"] == unit.get_absolute_url()
    assert unit.parent == world.xingang


def test_the_unit_form_offers_only_parents_within_the_scope(world, client_for):
    client = client_for("xingang")
    html = client.get(reverse("org:unit_create")).content.decode()
    assert "中共曾都区委" not in html
    response = client.post(
        reverse("org:unit_create"), {"name": "越界单位", "kind": "other", "parent": world.zengdu.pk, "region": "42"}
    )
    assert response.status_code == 200
    assert not Unit.objects.filter(name="越界单位").exists()


def test_moving_a_unit_under_its_own_child_is_refused_on_the_form(world, client_for):
    # The child is not even offered; posting it anyway is refused by the form.
    client = client_for("xingang")
    url = reverse("org:unit_edit", args=[world.xingang.pk])
    assert f'value="{world.xingang_office.pk}"' not in client.get(url).content.decode()
    response = client.post(
        url, {"name": "新港园区", "kind": "park", "parent": world.xingang_office.pk, "region": "420222103"}
    )
    assert response.status_code == 200
    world.xingang.refresh_from_db()
    assert world.xingang.parent == world.huangshi


def test_an_unknown_region_code_is_reported_on_the_unit_form(world, client_for):
    response = client_for("xingang").post(
        reverse("org:unit_create"), {"name": "某单位", "kind": "other", "parent": world.xingang.pk, "region": "999"}
    )
    assert "区划代码 999 不存在" in response.content.decode()


def test_a_viewer_cannot_open_the_unit_form(client_for):
    assert client_for("province").get(reverse("org:unit_create")).status_code == 403


# --- regions ----------------------------------------------------------------------------------


def test_the_region_tree_is_browsable_by_everyone_signed_in(client_for):
    client = client_for("grid")
    assert "湖北省" in client.get(reverse("org:region_list")).content.decode()
    html = client.get(reverse("org:region_detail", args=["420222000000"])).content.decode()
    assert "韦源口镇" in html
    assert "编辑本区划" not in html
    assert client.get(reverse("org:region_detail", args=["999999999999"])).status_code == 404


def test_a_short_code_redirects_to_the_region(client_for):
    response = client_for("grid").get(reverse("org:region_detail", args=["420222"]))
    assert response["Location"] == reverse("org:region_detail", args=["420222000000"])


def test_an_org_administrator_renames_and_abolishes_a_region(admin_client):
    html = admin_client.get(reverse("org:region_detail", args=["420222103000"])).content.decode()
    assert "编辑本区划" in html
    response = admin_client.post(
        reverse("org:region_edit", args=["420222103000"]), {"name": "韦源口镇（撤并）", "is_functional_zone": ""}
    )
    assert response.status_code == 302
    region = Region.objects.get(code="420222103000")
    assert (region.name, region.is_active) == ("韦源口镇（撤并）", False)


def test_an_org_administrator_adds_a_region_and_sees_why_a_code_is_refused(admin_client):
    url = reverse("org:region_create") + "?parent=420222103000"
    assert 'value="420222103"' in admin_client.get(url).content.decode()
    response = admin_client.post(url, {"code": "420222103201", "name": "东湖村委会"})
    assert response["Location"] == reverse("org:region_detail", args=["420222103201"])
    html = admin_client.post(url, {"code": "420222104201", "name": "某村委会"}).content.decode()
    assert "上级区划 420222104000 不存在" in html
    assert "12 位数字" in admin_client.post(url, {"code": "4202221", "name": "某村"}).content.decode()


def test_others_cannot_edit_regions(client_for):
    client = client_for("xingang")
    assert client.post(reverse("org:region_edit", args=["420222103000"]), {"name": "改"}).status_code == 403
    assert client.get(reverse("org:region_create")).status_code == 403
