"""The scope matrix: personas × objects × list, search, detail, edit, export and API.

The expected visibility is written out by hand from the organization tree, not derived
from the selectors under test: an out-of-scope row must be invisible everywhere.
"""

import io

import pytest
from django.test import Client
from django.urls import reverse
from python_calamine import CalamineWorkbook

from frontline.core.models import ApiToken
from frontline.core.testing import World

CADRES = {
    "province": {"陈明", "张文强", "李网格", "崔艳"},
    "xingang": {"陈明", "张文强", "李网格"},
    "zengdu": {"崔艳"},
    "grid": {"李网格"},
    "auditor": set(),
    "jiangsu": {"徐海"},
}
POSTS = {
    "province": {"弘盛铜业", "新农湾改造"},
    "xingang": {"弘盛铜业"},
    "zengdu": {"新农湾改造"},
    "grid": set(),
    "auditor": set(),
    "jiangsu": {"盛邦新材芳纶产业园"},
}
PERSONAS = list(CADRES)


def all_cadres(world: World):
    return [*world.xingang_cadres, world.grid_cadre, world.zengdu_cadre, world.jiangsu_cadre]


def all_posts(world: World):
    return [world.xingang_enterprise, world.zengdu_project, world.jiangsu_post]


def api_client(world: World, persona: str) -> tuple[Client, dict[str, str]]:
    _, key = ApiToken.issue(world.personas()[persona])
    return Client(), {"Authorization": f"Bearer {key}"}


def sheet_text(content: bytes) -> str:
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    rows = book.get_sheet_by_index(0).to_python()
    return "\n".join("\t".join(str(c) for c in row) for row in rows)


@pytest.mark.parametrize("persona", PERSONAS)
def test_cadre_pages_show_exactly_the_cadres_in_scope(world, client_for, persona):
    client = client_for(persona)
    listing = client.get(reverse("cadres:list"), {"page": 1}).content.decode()
    for cadre in all_cadres(world):
        visible = cadre.name in CADRES[persona]
        assert (cadre.get_absolute_url() in listing) == visible, cadre.name
        search = client.get(reverse("cadres:list"), {"q": cadre.name}).content.decode()
        assert (cadre.get_absolute_url() in search) == visible, cadre.name
        assert client.get(cadre.get_absolute_url()).status_code == (200 if visible else 404)
        edit = client.get(reverse("cadres:update", args=[cadre.pk])).status_code
        assert edit == 404 if not visible else edit in (200, 403)
        if not visible:
            assert client.post(reverse("cadres:delete", args=[cadre.pk])).status_code == 404
            assert type(cadre).objects.filter(pk=cadre.pk).exists()


@pytest.mark.parametrize("persona", PERSONAS)
def test_post_pages_show_exactly_the_posts_in_scope(world, client_for, persona):
    client = client_for(persona)
    listing = client.get(reverse("posts:list")).content.decode()
    for post in all_posts(world):
        visible = post.name in POSTS[persona]
        assert (post.get_absolute_url() in listing) == visible, post.name
        assert client.get(post.get_absolute_url()).status_code == (200 if visible else 404)
        edit = client.get(reverse("posts:edit", args=[post.pk])).status_code
        assert edit == 404 if not visible else edit in (200, 403)


@pytest.mark.parametrize("persona", PERSONAS)
def test_exports_contain_only_rows_in_scope(world, client_for, persona):
    client = client_for(persona)
    for url, expected, everything in (
        (reverse("excel:export_cadres"), CADRES[persona], {c.name for c in all_cadres(world)}),
        (reverse("excel:export_posts"), POSTS[persona], {p.name for p in all_posts(world)}),
    ):
        response = client.get(url)
        if response.status_code == 404:
            continue  # the role may not export at all
        assert response.status_code == 200
        text = sheet_text(response.content)
        for name in everything:
            assert (name in text) == (name in expected), (url, name)


@pytest.mark.parametrize("persona", PERSONAS)
def test_the_api_lists_and_returns_only_objects_in_scope(world, persona):
    client, headers = api_client(world, persona)
    for base, objects, expected in (
        ("/api/v1/cadres", all_cadres(world), CADRES[persona]),
        ("/api/v1/posts", all_posts(world), POSTS[persona]),
    ):
        listing = client.get(base, {"limit": 100}, headers=headers).json()
        assert listing["count"] == len(expected)
        assert {item["name"] for item in listing["items"]} == expected
        for obj in objects:
            status = client.get(f"{base}/{obj.pk}", headers=headers).status_code
            assert status == (200 if obj.name in expected else 404), (base, obj.name)
            search = client.get(base, {"q": obj.name}, headers=headers).json()
            assert (search["count"] > 0) == (obj.name in expected)
