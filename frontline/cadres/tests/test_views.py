from datetime import date
from typing import Any

import pytest
from django.urls import NoReverseMatch, reverse

from frontline.cadres.models import Cadre, PoliticalStatus, Rank
from frontline.cadres.services import cadre_data_for, cadre_update
from frontline.core.models import AuditAction, AuditLog
from frontline.core.testing import make_cadre, make_resident_id

LIST = reverse("cadres:list")


def names_in(response) -> set[str]:
    return {c.name for c in response.context["page"].object_list}


def form_post(world, **fields) -> dict[str, Any]:
    values = {
        "name": "周新",
        "id_number": make_resident_id(birth=date(1991, 7, 1), gender="M"),
        "phone": "139 1234 5678",
        "political_status": PoliticalStatus.PARTY_MEMBER,
        "home_unit": world.xingang_office.pk,
        "position": "科员",
        "rank": Rank.STAFF,
        "expertise": "规划，招商、 安全生产",
        "full_time_eligible": "on",
    }
    return values | fields


def edit_post(cadre: Cadre, **fields) -> dict[str, Any]:
    values = {
        "name": cadre.name,
        "id_number": cadre.id_number_masked,
        "phone": cadre.phone_masked,
        "political_status": cadre.political_status,
        "home_unit": cadre.home_unit_id,
        "position": cadre.position,
        "rank": cadre.rank,
        "expertise": "、".join(cadre.expertise.values_list("name", flat=True)),
        "full_time_eligible": "on",
        "version": cadre.version,
    }
    return values | fields


# --- the list ---------------------------------------------------------------------------------


def test_the_list_shows_the_cadres_of_the_officials_subtree_with_masked_numbers(world, client_for):
    response = client_for("xingang").get(LIST)
    assert response.status_code == 200
    assert names_in(response) == {"陈明", "张文强", "李网格"}
    html = response.content.decode()
    assert world.xingang_cadres[0].id_number_masked in html
    assert "138****0000" in html
    assert cadre_data_for(world.xingang_cadres[0]).id_number not in html
    assert "13800000000" not in html


def test_the_list_never_contains_rows_outside_the_scope(world, client_for):
    assert names_in(client_for("jiangsu").get(LIST)) == {"徐海"}
    assert names_in(client_for("zengdu").get(LIST)) == {"崔艳"}
    assert names_in(client_for("grid").get(LIST)) == {"李网格"}
    assert names_in(client_for("jiangsu").get(LIST, {"q": "陈明"})) == set()


def test_the_list_finds_a_cadre_by_pinyin_initials(world, client_for):
    assert names_in(client_for("xingang").get(LIST, {"q": "zwq"})) == {"张文强"}


def test_the_list_finds_a_cadre_by_full_pinyin(world, client_for):
    assert names_in(client_for("xingang").get(LIST, {"q": "chenming"})) == {"陈明"}


def test_the_list_finds_cadres_by_unit_name(world, client_for):
    assert names_in(client_for("province").get(LIST, {"q": "指挥部"})) == {"陈明"}


def test_the_list_finds_cadres_by_expertise_tag(world, client_for):
    assert names_in(client_for("xingang").get(LIST, {"q": "经济"})) == {"张文强"}
    assert names_in(client_for("xingang").get(LIST, {"tag": "规划"})) == {"陈明"}


def test_the_list_finds_a_cadre_by_the_full_id_number_but_not_by_a_fragment(world, client_for):
    id_number = cadre_data_for(world.zengdu_cadre).id_number
    assert names_in(client_for("province").get(LIST, {"q": id_number})) == {"崔艳"}
    assert names_in(client_for("province").get(LIST, {"q": id_number[:10]})) == set()


def test_the_list_filters_by_home_unit_rank_status_and_full_time(world, client_for):
    make_cadre("赵群众", home_unit=world.xingang, rank=Rank.SECTION, political_status=PoliticalStatus.MASSES)
    make_cadre("钱兼职", home_unit=world.xingang, full_time_eligible=False)
    client = client_for("xingang")
    assert names_in(client.get(LIST, {"unit": world.xingang_office.pk})) == {"陈明"}
    assert names_in(client.get(LIST, {"rank": Rank.SECTION})) == {"赵群众"}
    assert names_in(client.get(LIST, {"political_status": PoliticalStatus.MASSES})) == {"赵群众"}
    assert names_in(client.get(LIST, {"full_time": "0"})) == {"钱兼职"}


def test_the_unit_filter_offers_only_units_in_scope_and_ignores_others(world, client_for):
    response = client_for("xingang").get(LIST, {"unit": world.lianyungang.pk})
    offered = set(response.context["filter_form"].fields["unit"].queryset.values_list("name", flat=True))
    assert offered == {"新港园区", "新港园区项目建设指挥部办公室"}
    assert names_in(response) == {"陈明", "张文强", "李网格"}


def test_an_htmx_search_returns_only_the_results_table(world, client_for):
    response = client_for("xingang").get(LIST, {"q": "zwq"}, headers={"HX-Request": "true"})
    html = response.content.decode()
    assert html.lstrip().startswith('<div id="cadre-results"')
    assert "张文强" in html
    assert "<html" not in html
    assert "HX-Request" in response["Vary"]


def test_the_list_offers_new_import_and_export_by_role(world, client_for, settings):
    manager = client_for("xingang").get(LIST, {"q": "陈"}).content.decode()
    assert reverse("cadres:create") in manager
    assert reverse("excel:import_list") in manager
    viewer = client_for("province").get(LIST).content.decode()
    assert reverse("cadres:create") not in viewer
    assert reverse("excel:import_list") not in viewer
    grid = client_for("grid").get(LIST).content.decode()
    assert "导出 Excel" not in grid


def test_the_export_link_carries_the_current_filters_for_roles_that_may_export(world, client_for):
    try:
        export_url = reverse("excel:export_cadres")
    except NoReverseMatch:
        pytest.skip("the Excel export is not installed")
    link = f'href="{export_url}?q=%E9%99%88&amp;rank=20"'
    assert link in client_for("xingang").get(LIST, {"q": "陈", "rank": 20, "page": 1}).content.decode()
    assert link in client_for("province").get(LIST, {"q": "陈", "rank": 20}).content.decode()
    assert export_url not in client_for("grid").get(LIST, {"q": "陈", "rank": 20}).content.decode()


def test_the_list_paginates(world, client_for, settings):
    settings.PAGE_SIZE = 2
    response = client_for("xingang").get(LIST, {"page": 2})
    assert response.context["page"].paginator.count == 3
    assert len(response.context["page"].object_list) == 1


@pytest.mark.parametrize("rows", [5, 30])
def test_the_list_makes_the_same_number_of_queries_whatever_the_number_of_rows(
    world, client_for, django_assert_num_queries, rows
):
    for n in range(rows):
        make_cadre(f"干部{n}", home_unit=world.xingang_office, expertise=["规划", f"专长{n}"])
    client = client_for("xingang")
    # session, user, roles, unit (access), count, unit filter options, page rows, expertise (prefetch),
    # and the idle-timeout stamp saved to the session (savepoint, update, release)
    with django_assert_num_queries(8):
        response = client.get(LIST)
    assert response.status_code == 200
    assert len(response.context["page"].object_list) == min(rows + 3, 50)


def test_the_list_needs_a_login(world, client):
    response = client.get(LIST)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("core:login"))


# --- the detail page and the full numbers -----------------------------------------------------


def test_the_detail_page_shows_masked_numbers_and_the_reveal_button_to_a_role_that_may_see_them(world, client_for):
    cadre = world.xingang_cadres[0]
    html = client_for("xingang").get(cadre.get_absolute_url()).content.decode()
    assert cadre.id_number_masked in html
    assert "查看完整号码" in html
    assert reverse("cadres:sensitive", args=[cadre.pk]) in html
    assert cadre_data_for(cadre).id_number not in html


def test_the_detail_page_has_no_reveal_button_for_a_role_without_the_flag(world, client_for):
    html = client_for("province").get(world.xingang_cadres[0].get_absolute_url()).content.decode()
    assert "查看完整号码" not in html
    assert "编辑" not in html


@pytest.mark.parametrize("page", ["detail", "update", "delete"])
def test_a_cadre_outside_the_scope_is_not_found(world, client_for, page):
    url = reverse(f"cadres:{page}", args=[world.xingang_cadres[0].pk])
    assert client_for("jiangsu").get(url).status_code == 404
    assert client_for("zengdu").get(url).status_code == 404


def test_the_sensitive_numbers_of_a_cadre_outside_the_scope_are_not_found(world, client_for):
    url = reverse("cadres:sensitive", args=[world.xingang_cadres[0].pk])
    assert client_for("jiangsu").post(url).status_code == 404
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_SENSITIVE).exists()


def test_revealing_the_full_numbers_returns_a_fragment_and_is_audited(world, client_for):
    cadre = world.xingang_cadres[0]
    url = reverse("cadres:sensitive", args=[cadre.pk])
    response = client_for("xingang").post(url, headers={"HX-Request": "true"})
    assert response.status_code == 200
    html = response.content.decode()
    assert html.startswith('<div id="sensitive"')
    assert cadre_data_for(cadre).id_number in html
    assert "13800000000" in html
    assert "no-store" in response["Cache-Control"]
    row = AuditLog.objects.get(action=AuditAction.VIEW_SENSITIVE)
    assert (row.actor, row.object_id) == (world.xingang_official, str(cadre.pk))


def test_revealing_without_htmx_shows_the_detail_page_with_the_numbers(world, client_for):
    cadre = world.xingang_cadres[0]
    response = client_for("xingang").post(reverse("cadres:sensitive", args=[cadre.pk]))
    assert response.status_code == 200
    assert "<html" in response.content.decode()
    assert cadre_data_for(cadre).id_number in response.content.decode()


@pytest.mark.parametrize("persona", ["province", "grid"])
def test_roles_without_the_sensitive_flag_cannot_reveal_the_numbers(world, client_for, persona):
    cadre = world.grid_cadre  # within the scope of both personas
    assert client_for(persona).get(cadre.get_absolute_url()).status_code == 200
    assert client_for(persona).post(reverse("cadres:sensitive", args=[cadre.pk])).status_code == 404
    assert not AuditLog.objects.filter(action=AuditAction.VIEW_SENSITIVE).exists()


def test_the_sensitive_numbers_cannot_be_fetched_with_get(world, client_for):
    assert client_for("xingang").get(reverse("cadres:sensitive", args=[world.grid_cadre.pk])).status_code == 405


# --- create -----------------------------------------------------------------------------------


def test_an_official_registers_a_cadre_through_the_form(world, client_for):
    data = form_post(world)
    response = client_for("xingang").post(reverse("cadres:create"), data)
    cadre = Cadre.objects.get(name="周新")
    assert response.status_code == 302
    assert response["Location"] == cadre.get_absolute_url()
    assert (cadre.gender, cadre.birth_date, cadre.home_unit) == ("M", date(1991, 7, 1), world.xingang_office)
    assert cadre.phone_masked == "139****5678"
    assert sorted(cadre.expertise.values_list("name", flat=True)) == sorted(["规划", "招商", "安全生产"])
    assert cadre.created_by == world.xingang_official
    assert AuditLog.objects.filter(action=AuditAction.CREATE, object_id=str(cadre.pk)).exists()


def test_the_form_shows_each_service_error_on_its_field(world, client_for):
    data = form_post(world, gender="F", phone="12345")
    response = client_for("xingang").post(reverse("cadres:create"), data)
    assert response.status_code == 200
    form = response.context["form"]
    assert form.errors["gender"] == ["性别与身份证号不一致：身份证号显示为男。"]
    assert form.errors["phone"] == ["手机号应为 11 位数字，以 13–19 开头。"]
    assert not Cadre.objects.filter(name="周新").exists()


def test_the_form_explains_a_wrong_check_digit(world, client_for):
    good = make_resident_id(birth=date(1991, 7, 1))
    wrong = good[:17] + ("0" if good[17] != "0" else "1")
    response = client_for("xingang").post(reverse("cadres:create"), form_post(world, id_number=wrong))
    assert response.context["form"].errors["id_number"] == [
        f"身份证号校验位错误：最后一位应为 {good[17]}，请核对号码。"
    ]


def test_the_form_refuses_an_id_number_already_registered(world, client_for):
    taken = cadre_data_for(world.zengdu_cadre).id_number
    response = client_for("xingang").post(reverse("cadres:create"), form_post(world, id_number=taken))
    assert response.context["form"].errors["id_number"] == ["该身份证号已登记，同一干部不能重复录入。"]


def test_the_form_offers_only_home_units_within_the_scope(world, client_for):
    response = client_for("xingang").get(reverse("cadres:create"))
    offered = set(response.context["form"].fields["home_unit"].queryset.values_list("name", flat=True))
    assert offered == {"新港园区", "新港园区项目建设指挥部办公室"}


def test_no_one_registers_a_cadre_in_a_unit_outside_their_scope(world, client_for):
    for unit in (world.zengdu, world.lianyungang, world.huangshi):
        response = client_for("xingang").post(reverse("cadres:create"), form_post(world, home_unit=unit.pk))
        assert response.status_code == 200
        assert response.context["form"].errors["home_unit"] == ["只能选择您数据范围内的单位。"]
    assert not Cadre.objects.filter(name="周新").exists()


def test_the_form_accepts_a_residence_region_by_short_code(world, client_for):
    data = form_post(world, residence_region="420222103")
    client_for("xingang").post(reverse("cadres:create"), data)
    region = Cadre.objects.get(name="周新").residence_region
    assert region is not None
    assert region.name == "韦源口镇"


def test_the_form_refuses_an_unknown_residence_region(world, client_for):
    response = client_for("xingang").post(reverse("cadres:create"), form_post(world, residence_region="429999"))
    assert "不存在" in response.context["form"].errors["residence_region"][0]


@pytest.mark.parametrize("persona", ["province", "grid", "auditor"])
def test_roles_that_may_not_edit_cannot_open_the_new_cadre_form(world, client_for, persona):
    assert client_for(persona).get(reverse("cadres:create")).status_code == 403
    assert client_for(persona).post(reverse("cadres:create"), form_post(world)).status_code == 403
    assert not Cadre.objects.filter(name="周新").exists()


# --- edit -------------------------------------------------------------------------------------


def test_the_edit_form_shows_the_numbers_masked(world, client_for):
    cadre = world.xingang_cadres[0]
    response = client_for("xingang").get(reverse("cadres:update", args=[cadre.pk]))
    html = response.content.decode()
    assert f'value="{cadre.id_number_masked}"' in html
    assert 'value="138****0000"' in html
    assert cadre_data_for(cadre).id_number not in html
    assert f'name="version" value="{cadre.version}"' in html


def test_an_edit_that_leaves_the_masked_numbers_keeps_them(world, client_for):
    cadre = world.xingang_cadres[0]
    before = cadre_data_for(cadre)
    response = client_for("xingang").post(reverse("cadres:update", args=[cadre.pk]), edit_post(cadre, position="主任"))
    assert response.status_code == 302
    cadre.refresh_from_db()
    after = cadre_data_for(cadre)
    assert (after.id_number, after.phone, cadre.position, cadre.version) == (before.id_number, before.phone, "主任", 2)


def test_an_edit_can_replace_the_phone_or_remove_it(world, client_for):
    cadre = world.xingang_cadres[0]
    client = client_for("xingang")
    client.post(reverse("cadres:update", args=[cadre.pk]), edit_post(cadre, phone="13612345678"))
    cadre.refresh_from_db()
    assert cadre.phone_masked == "136****5678"
    client.post(reverse("cadres:update", args=[cadre.pk]), edit_post(cadre, phone=""))
    cadre.refresh_from_db()
    assert (cadre.phone_masked, cadre_data_for(cadre).phone) == ("", "")


def test_an_edit_made_from_a_stale_page_overwrites_nothing_and_shows_the_latest_values(world, client_for):
    cadre = world.xingang_cadres[0]
    stale = edit_post(cadre, position="我的修改")
    latest = cadre_data_for(cadre)
    latest.position = "他人修改"
    cadre_update(actor=world.zengdu_official, cadre=cadre, data=latest, expected_version=1)

    response = client_for("xingang").post(reverse("cadres:update", args=[cadre.pk]), stale)
    assert response.status_code == 200
    assert response.context["conflict"]
    assert "该干部信息已被他人修改" in response.content.decode()
    form = response.context["form"]
    assert not form.is_bound
    assert form.initial["position"] == "他人修改"
    assert form.initial["version"] == 2
    cadre.refresh_from_db()
    assert (cadre.position, cadre.version) == ("他人修改", 2)


def test_an_edit_cannot_move_a_cadre_out_of_the_scope(world, client_for):
    cadre = world.xingang_cadres[0]
    response = client_for("xingang").post(
        reverse("cadres:update", args=[cadre.pk]), edit_post(cadre, home_unit=world.zengdu.pk)
    )
    assert response.context["form"].errors["home_unit"] == ["只能选择您数据范围内的单位。"]
    cadre.refresh_from_db()
    assert cadre.home_unit == world.xingang_office


def test_a_role_that_may_not_edit_gets_403_on_a_cadre_it_may_see(world, client_for):
    cadre = world.xingang_cadres[0]
    assert client_for("province").get(reverse("cadres:update", args=[cadre.pk])).status_code == 403
    assert client_for("province").post(reverse("cadres:delete", args=[cadre.pk])).status_code == 403
    assert Cadre.objects.filter(pk=cadre.pk).exists()


def test_jiangsu_cannot_edit_or_delete_a_hubei_cadre_by_posting(world, client_for):
    cadre = world.xingang_cadres[0]
    client = client_for("jiangsu")
    assert client.post(reverse("cadres:update", args=[cadre.pk]), edit_post(cadre, position="x")).status_code == 404
    assert client.post(reverse("cadres:delete", args=[cadre.pk])).status_code == 404
    cadre.refresh_from_db()
    assert cadre.position != "x"


# --- delete -----------------------------------------------------------------------------------


def test_deleting_asks_for_confirmation_then_deletes_and_audits(world, client_for):
    cadre = world.xingang_cadres[1]
    client = client_for("xingang")
    confirm = client.get(reverse("cadres:delete", args=[cadre.pk]))
    assert "确认删除" in confirm.content.decode()
    assert Cadre.objects.filter(pk=cadre.pk).exists()
    response = client.post(reverse("cadres:delete", args=[cadre.pk]))
    assert response.status_code == 302
    assert response["Location"] == LIST
    assert not Cadre.objects.filter(pk=cadre.pk).exists()
    row = AuditLog.objects.get(action=AuditAction.DELETE, object_id=str(cadre.pk))
    assert row.changes["id_number_masked"] == [cadre.id_number_masked, None]


def test_a_cadre_with_a_deployment_is_not_deleted(world, client_for):
    from frontline.dispatch.models import DeploymentRole
    from frontline.dispatch.services import deployment_create

    cadre = world.xingang_cadres[0]
    deployment_create(
        actor=None,
        cadre=cadre,
        post=world.xingang_enterprise,
        role=DeploymentRole.objects.get(code="party_building_instructor"),
        start_date=date(2025, 3, 1),
    )
    response = client_for("xingang").post(reverse("cadres:delete", args=[cadre.pk]))
    assert response.status_code == 200
    assert "不能删除" in response.content.decode()
    assert Cadre.objects.filter(pk=cadre.pk).exists()
    assert not AuditLog.objects.filter(action=AuditAction.DELETE, object_id=str(cadre.pk)).exists()
