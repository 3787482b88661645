from typing import Any

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from frontline.core.models import AuditLog
from frontline.core.testing import World, make_post, make_region
from frontline.posts.models import Post, PostKind
from frontline.posts.tests.factories import make_uscc

LIST = reverse("posts:list")


def names_on(html: str, *names: str) -> set[str]:
    return {name for name in names if name in html}


def many_posts(world: World, n: int, *, prefix: str = "企业") -> None:
    region = world.xingang.region
    for i in range(n):
        make_post(f"{prefix}{i}", region=region, unit=world.xingang_office, uscc=make_uscc(100 + i + len(prefix) * 50))
        make_post(f"{prefix}项目{i}", kind=PostKind.PROJECT, region=region, unit=world.xingang, is_key=i % 2 == 0)


# --- list -------------------------------------------------------------------------------------


def test_the_list_shows_only_posts_within_the_scope(client_for):
    everything = ("弘盛铜业", "新农湾改造", "盛邦新材芳纶产业园")
    assert names_on(client_for("province").get(LIST).content.decode(), *everything) == {"弘盛铜业", "新农湾改造"}
    assert names_on(client_for("xingang").get(LIST).content.decode(), *everything) == {"弘盛铜业"}
    assert names_on(client_for("jiangsu").get(LIST).content.decode(), *everything) == {"盛邦新材芳纶产业园"}
    assert names_on(client_for("grid").get(LIST).content.decode(), *everything) == set()


def test_searching_never_leaks_rows_outside_the_scope(client_for):
    html = client_for("jiangsu").get(LIST, {"q": "91420222MA4F00000F"}).content.decode()
    assert "弘盛铜业" not in html
    assert "没有符合条件的阵地" in html


def test_the_list_finds_an_enterprise_by_its_uscc(client_for):
    html = client_for("province").get(LIST, {"q": "91420222ma4f00000f"}).content.decode()
    assert names_on(html, "弘盛铜业", "新农湾改造") == {"弘盛铜业"}


def test_the_region_filter_takes_the_whole_subtree_by_code_prefix(client_for):
    client = client_for("province")
    assert names_on(client.get(LIST, {"region": "4202"}).content.decode(), "弘盛铜业", "新农湾改造") == {"弘盛铜业"}
    assert names_on(client.get(LIST, {"region": "42"}).content.decode(), "弘盛铜业", "新农湾改造") == {
        "弘盛铜业",
        "新农湾改造",
    }
    assert names_on(client.get(LIST, {"region": "421303"}).content.decode(), "弘盛铜业", "新农湾改造") == {"新农湾改造"}


def test_an_unknown_region_code_is_reported_and_ignored(client_for):
    html = client_for("province").get(LIST, {"region": "999999"}).content.decode()
    assert "区划代码 999999 不存在" in html
    assert "弘盛铜业" in html


def test_kind_key_and_unit_filters(world, client_for):
    client = client_for("province")
    assert names_on(client.get(LIST, {"kind": "project"}).content.decode(), "弘盛铜业", "新农湾改造") == {"新农湾改造"}
    assert names_on(client.get(LIST, {"is_key": "1"}).content.decode(), "弘盛铜业", "新农湾改造") == {"新农湾改造"}
    assert names_on(client.get(LIST, {"is_key": "0"}).content.decode(), "弘盛铜业", "新农湾改造") == {"弘盛铜业"}
    html = client.get(LIST, {"unit": world.xingang.pk}).content.decode()
    assert names_on(html, "弘盛铜业", "新农湾改造") == {"弘盛铜业"}


def test_a_unit_filter_outside_the_scope_shows_nothing(world, client_for):
    html = client_for("jiangsu").get(LIST, {"unit": world.xingang.pk}).content.decode()
    assert "弘盛铜业" not in html
    assert "中共湖北省委" not in html  # the unit select offers only units within the scope


def test_the_list_counts_posts_by_kind(world, client_for):
    many_posts(world, 2)
    html = client_for("xingang").get(LIST).content.decode()
    # 3 enterprises (弘盛铜业 and two more) and 2 projects in the park.
    assert "<span>企业</span><strong>3</strong>" in html
    assert "<span>项目</span><strong>2</strong>" in html
    assert "<span>全部</span><strong>5</strong>" in html


def test_the_list_keeps_a_fixed_number_of_queries_however_many_rows(world, client_for):
    client = client_for("xingang")
    url = LIST + f"?region=4202&unit={world.xingang.pk}&q=企&kind=enterprise"
    many_posts(world, 2)
    client.get(LIST)  # session and caches warmed up
    with CaptureQueriesContext(connection) as few:
        assert client.get(url).status_code == 200
        client.get(LIST)
    many_posts(world, 12, prefix="后来企业")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
        client.get(LIST)
    assert len(many) == len(few)


def test_the_plain_list_makes_a_pinned_number_of_queries(world, client_for, django_assert_num_queries):
    many_posts(world, 5)
    client = client_for("xingang")
    # Session, user, roles, unit (access); page count, unit options, counts by kind, page rows;
    # the idle-timeout middleware's session write (savepoint, update, release).
    with django_assert_num_queries(8):
        client.get(LIST)


def test_editors_see_the_add_button_and_viewers_do_not(client_for):
    assert "新增" in client_for("xingang").get(LIST).content.decode()
    assert reverse("posts:create") not in client_for("province").get(LIST).content.decode()


def test_the_list_is_a_responsive_table_with_labels(client_for):
    html = client_for("xingang").get(LIST).content.decode()
    assert 'class="responsive"' in html
    assert 'data-label="名称"' in html


# --- detail -----------------------------------------------------------------------------------


def test_a_post_outside_the_scope_is_404(world, client_for):
    client = client_for("jiangsu")
    for name in ("posts:detail", "posts:edit", "posts:delete"):
        assert client.get(reverse(name, args=[world.xingang_enterprise.pk])).status_code == 404


def test_the_detail_shows_the_enterprise_fields(world, client_for):
    html = client_for("xingang").get(world.xingang_enterprise.get_absolute_url()).content.decode()
    assert "91420222MA4F00000F" in html
    assert "新港园区" in html


def test_the_detail_of_a_project_lists_its_sub_projects_and_each_links_back(world, client_for):
    key = make_post("新港物流园", kind=PostKind.PROJECT, region=world.xingang.region, unit=world.xingang)
    sub = make_post(
        "新港物流园一期", kind=PostKind.PROJECT, region=world.xingang.region, unit=world.xingang, parent=key
    )
    client = client_for("xingang")
    html = client.get(key.get_absolute_url()).content.decode()
    assert "子项目" in html
    assert sub.get_absolute_url() in html
    assert f"{reverse('posts:create')}?kind=project&amp;parent={key.pk}" in html
    assert key.get_absolute_url() in client.get(sub.get_absolute_url()).content.decode()


# --- create, edit, delete ---------------------------------------------------------------------


def form_data(world: World, **fields: Any) -> dict[str, Any]:
    data = {
        "kind": "enterprise",
        "name": "劲牌阳新酒业",
        "region": "420222103",
        "unit": world.xingang.pk,
        "uscc": make_uscc(31),
        "size": "large",
        "industry": "酒类制造",
        "latitude": "29.98",
        "longitude": "115.21",
    }
    return data | fields


def test_an_official_adds_an_enterprise_from_the_form(world, client_for):
    response = client_for("xingang").post(reverse("posts:create"), form_data(world))
    post = Post.objects.get(name="劲牌阳新酒业")
    assert response.status_code == 302
    assert response["Location"] == post.get_absolute_url()
    assert (post.region.name, post.unit, post.size) == ("韦源口镇", world.xingang, "large")


def test_the_form_shows_the_services_message_next_to_the_field(world, client_for):
    response = client_for("xingang").post(reverse("posts:create"), form_data(world, uscc="91420222MA4F00000X"))
    html = response.content.decode()
    assert response.status_code == 200
    assert "统一社会信用代码校验位错误：最后一位应为 F" in html
    assert not Post.objects.filter(name="劲牌阳新酒业").exists()


def test_the_form_offers_only_units_within_the_scope(world, client_for):
    html = client_for("xingang").get(reverse("posts:create")).content.decode()
    assert "新港园区项目建设指挥部办公室" in html
    assert "中共曾都区委" not in html
    response = client_for("xingang").post(reverse("posts:create"), form_data(world, unit=world.zengdu.pk))
    assert response.status_code == 200
    assert not Post.objects.filter(name="劲牌阳新酒业").exists()


def test_adding_a_grid_from_its_community_presets_the_parent(world, client_for):
    community = make_post("韦源口社区", kind=PostKind.COMMUNITY, region=world.xingang.region, unit=world.xingang)
    client = client_for("xingang")
    html = client.get(reverse("posts:create"), {"kind": "grid", "parent": community.pk}).content.decode()
    assert f'<option value="{community.pk}" selected>' in html
    data = form_data(world, kind="grid", name="第一网格", uscc="", size="", industry="", parent=community.pk)
    client.post(reverse("posts:create"), data | {"households": "320"})
    grid = Post.objects.get(name="第一网格")
    assert (grid.parent, grid.households) == (community, 320)


def test_a_viewer_without_edit_permission_gets_403_on_the_form(client_for):
    assert client_for("province").get(reverse("posts:create")).status_code == 403


def test_editing_with_a_stale_version_shows_a_conflict(world, client_for):
    post = world.xingang_enterprise
    client = client_for("xingang")
    data = form_data(world, name="弘盛铜业集团", uscc=post.uscc, version=1)
    assert client.post(reverse("posts:edit", args=[post.pk]), data).status_code == 302
    html = client.post(reverse("posts:edit", args=[post.pk]), data | {"name": "别的名字"}).content.decode()
    assert "已被他人修改" in html
    post.refresh_from_db()
    assert (post.name, post.version) == ("弘盛铜业集团", 2)


def test_deleting_asks_first_then_deletes_and_audits(world, client_for):
    post = make_post("临时项目", kind=PostKind.PROJECT, region=make_region("420222103", "韦源口镇"), unit=world.xingang)
    client = client_for("xingang")
    url = reverse("posts:delete", args=[post.pk])
    assert "确定删除" in client.get(url).content.decode()
    response = client.post(url, {"version": 1})
    assert response["Location"] == LIST
    assert not Post.objects.filter(pk=post.pk).exists()
    assert AuditLog.objects.filter(object_type="posts.post", object_id=str(post.pk), action="delete").exists()


def test_the_edit_form_does_not_offer_a_post_as_its_own_parent(world, client_for):
    other = make_post("新港物流园", kind=PostKind.PROJECT, region=world.zengdu.region, unit=world.zengdu)
    html = client_for("zengdu").get(reverse("posts:edit", args=[world.zengdu_project.pk])).content.decode()
    assert f'<option value="{other.pk}">' in html
    assert f'<option value="{world.zengdu_project.pk}"' not in html
