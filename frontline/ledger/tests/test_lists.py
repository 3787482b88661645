"""The three lists: needs, resources, projects; suggested matches with reasons; outcomes; scope."""

import pytest
from django.test import Client

from frontline.core.testing import PASSWORD, make_post
from frontline.ledger.models import ListItemStatus, Matchmaking
from frontline.ledger.selectors import suggest_resources
from frontline.ledger.services import list_item_create, matchmaking_outcome, matchmaking_record

pytestmark = pytest.mark.django_db


def test_an_enterprise_with_more_orders_than_capacity_is_matched_with_spare_capacity(lw):
    dishang = list_item_create(
        actor=lw.xingang_official,
        kind="need",
        post=lw.xingang_enterprise,
        title="订单超出产能，需要服装代工产能",
        quantity="外贸订单 2 亿元",
    )
    spare = make_post("某服饰有限公司", region=lw.xingang_enterprise.region, unit=lw.xingang)
    capacity = list_item_create(
        actor=lw.xingang_official, kind="resource", post=spare, title="服装生产线闲置产能", quantity="月产能 5 万件"
    )
    list_item_create(actor=lw.xingang_official, kind="resource", post=spare, title="高校毕业生实习岗位")
    list_item_create(
        actor=lw.zengdu_official, kind="resource", post=lw.zengdu_project, title="服装代工闲置产能（曾都）"
    )
    suggestions = suggest_resources(user=lw.xingang_official, need=dishang)
    assert [s.resource for s in suggestions] == [capacity]
    assert "产能" in suggestions[0].reason
    match = matchmaking_record(actor=lw.xingang_official, need=dishang, resource=capacity, reason=suggestions[0].reason)
    matchmaking_outcome(
        actor=lw.xingang_official, match=match, status="signed", outcome="签订订单 8 份", amount="20000"
    )
    dishang.refresh_from_db()
    assert dishang.status == ListItemStatus.DONE
    assert Matchmaking.objects.get().amount == 20000
    assert suggest_resources(user=lw.xingang_official, need=dishang) == []


def test_the_lists_api_is_scoped_and_validates(lw):
    c = Client()
    assert c.login(username="xingang", password=PASSWORD)
    created = c.post(
        "/api/v1/lists/needs",
        {"post_id": lw.xingang_enterprise.pk, "title": "需要 50 名熟练工"},
        content_type="application/json",
    )
    assert created.status_code == 201
    assert c.get("/api/v1/lists/needs").json()["count"] == 1
    assert c.get("/api/v1/lists/unknown").status_code == 404
    other = Client()
    assert other.login(username="jiangsu", password=PASSWORD)
    assert other.get("/api/v1/lists/needs").json()["count"] == 0
    assert other.get(f"/api/v1/lists/needs/{created.json()['id']}/suggestions").status_code == 404


def test_the_list_pages_render_and_add_an_item(lw):
    c = Client()
    assert c.login(username="grid", password=PASSWORD)
    response = c.post(
        "/ledger/lists/?kind=resource",
        {"kind": "resource", "post": lw.xingang_enterprise.pk, "title": "闲置厂房 2000 平方米"},
    )
    assert response.status_code == 302
    assert "闲置厂房" in c.get(response["Location"]).content.decode()
    assert "闲置厂房" in c.get("/ledger/lists/?kind=resource").content.decode()
