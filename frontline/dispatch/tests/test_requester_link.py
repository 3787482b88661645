"""The enterprise's own form, public through an unguessable per-post link: no login, rate-limited, audited."""

import pytest
from django.test import Client
from django.urls import reverse

from frontline.core.errors import ApplicationError
from frontline.core.models import AuditAction, AuditLog
from frontline.core.testing import make_unit
from frontline.dispatch.models import PostNeed, RequesterLink
from frontline.dispatch.services import (
    requester_link_rotate,
    requester_need_submit,
)
from frontline.dispatch.tests.factories import make_campaign
from frontline.dispatch.tests.test_views import assert_clean
from frontline.org.models import UnitKind

JSON = "application/json"


@pytest.fixture
def link(world) -> RequesterLink:
    return requester_link_rotate(actor=world.xingang_official, post=world.xingang_enterprise)


def ask(link: RequesterLink) -> str:
    return reverse("dispatch:requester_public", args=[link.token])


def test_a_link_is_unguessable_and_offers_the_departments_of_the_managers_unit(world, link):
    assert len(link.token) >= 32
    other = requester_link_rotate(actor=world.jiangsu_official, post=world.jiangsu_post)
    assert other.token != link.token
    assert link.unit == world.xingang
    html = Client().get(ask(link)).content.decode()
    assert "您最希望哪个部门的干部来" in html
    assert "新港园区项目建设指挥部办公室" in html
    assert "弘盛铜业" in html
    assert AuditLog.objects.filter(
        object_type="dispatch.requesterlink", action=AuditAction.CREATE, actor=world.xingang_official
    ).exists()


def test_an_enterprise_states_its_need_through_the_link_without_logging_in(world, link):
    response = Client(REMOTE_ADDR="10.1.2.3").post(
        ask(link), {"preferred_unit": world.xingang_office.pk, "note": "用地审批卡住了", "contact_name": "王经理"}
    )
    assert response.status_code == 200
    assert "已收到您的需求" in response.content.decode()
    need = PostNeed.objects.get()
    assert need.post == world.xingang_enterprise
    assert need.submitted_by_requester
    assert need.requester_contact == "王经理"
    assert list(need.preferred_units.all()) == [world.xingang_office]
    assert need.role.code == "enterprise_commissioner"
    entry = AuditLog.objects.get(object_type="dispatch.postneed", object_id=str(need.pk))
    assert entry.actor is None
    assert entry.actor_name == "public"
    assert entry.ip == "10.1.2.3"
    link.refresh_from_db()
    assert link.submissions == 1


def test_a_second_answer_updates_the_standing_need_instead_of_adding_one(world, link):
    client = Client()
    client.post(ask(link), {"preferred_unit": world.xingang_office.pk, "note": "用地审批"})
    client.post(ask(link), {"preferred_unit": "", "note": "改为需要懂环评的干部", "contact_name": "李总"})
    need = PostNeed.objects.get()
    assert need.note == "改为需要懂环评的干部"
    assert need.requester_contact == "李总"
    assert list(need.preferred_units.all()) == []
    assert need.version == 2
    update = AuditLog.objects.get(object_type="dispatch.postneed", action=AuditAction.UPDATE)
    assert update.actor_name == "public"


def test_once_a_campaign_adopted_the_need_a_new_answer_is_a_new_need(world, link):
    campaign = make_campaign(unit=world.xingang)
    Client().post(ask(link), {"note": "用地审批"})
    PostNeed.objects.update(campaign=campaign)
    Client().post(ask(link), {"note": "还需要一名懂招商的干部"})
    assert PostNeed.objects.count() == 2


def test_a_rotated_link_is_a_404_and_the_new_one_works(world, link):
    old = ask(link)
    rotated = requester_link_rotate(actor=world.xingang_official, post=world.xingang_enterprise)
    assert rotated.pk == link.pk
    assert rotated.token != link.token
    client = Client()
    assert client.get(old).status_code == 404
    assert client.post(old, {"note": "还能提交吗"}).status_code == 404
    assert client.get(ask(rotated)).status_code == 200
    assert PostNeed.objects.count() == 0
    assert AuditLog.objects.filter(object_type="dispatch.requesterlink", action=AuditAction.UPDATE).exists()


def test_an_unknown_or_withdrawn_token_is_a_404(world, client_for, link):
    client = Client()
    assert client.get(reverse("dispatch:requester_public", args=["x" * 32])).status_code == 404
    assert client.get(reverse("dispatch:requester_public", args=["x" * 200])).status_code == 404
    manager = client_for("xingang")
    manager.post(reverse("dispatch:requester_link_withdraw", args=[world.xingang_enterprise.pk]))
    assert not RequesterLink.objects.exists()
    assert client.get(ask(link)).status_code == 404


def test_submissions_past_the_limit_are_refused_with_429(world, link, settings):
    settings.FRONTLINE_PUBLIC_INTAKE_MAX = 2
    client = Client(REMOTE_ADDR="10.9.9.9")
    for n in range(2):
        assert client.post(ask(link), {"note": f"第{n}次"}).status_code == 200
    refused = client.post(ask(link), {"note": "第三次"})
    assert refused.status_code == 429
    assert "提交过于频繁" in refused.content.decode()
    assert Client(REMOTE_ADDR="10.9.9.10").post(ask(link), {"note": "另一个地址"}).status_code == 200


def test_an_empty_answer_or_a_department_outside_the_link_is_refused(world, link):
    client = Client()
    empty = client.post(ask(link), {"preferred_unit": "", "note": "  "})
    assert empty.status_code == 400
    assert "请选择希望的派出单位" in empty.content.decode()
    outside = make_unit("连云港市商务局", region=world.jiangsu_post.region, kind=UnitKind.FUNCTIONAL_DEPARTMENT)
    foreign = client.post(ask(link), {"preferred_unit": outside.pk, "note": "x"})
    assert foreign.status_code == 400
    too_long = client.post(ask(link), {"note": "长" * 1001})
    assert too_long.status_code == 400
    assert PostNeed.objects.count() == 0


def test_the_needs_page_shows_the_link_with_a_qr_code_and_managers_rotate_it(world, client_for):
    client = client_for("xingang")
    url = reverse("dispatch:post_needs", args=[world.xingang_enterprise.pk])
    assert "生成链接和二维码" in client.get(url).content.decode()
    response = client.post(reverse("dispatch:requester_link_rotate", args=[world.xingang_enterprise.pk]))
    assert response.headers["Location"].endswith("#ask-link")
    link = RequesterLink.objects.get()
    html = client.get(url).content.decode()
    assert f"http://testserver/dispatch/ask/{link.token}/" in html
    assert 'src="data:image/svg+xml' in html
    assert "更换链接（旧链接作废）" in html
    assert "dispatch/copy.js" in html
    assert_clean(html)
    client.post(reverse("dispatch:requester_link_rotate", args=[world.xingang_enterprise.pk]))
    assert RequesterLink.objects.get().token != link.token


def test_only_the_posts_managers_may_rotate_its_link(world, client_for, link):
    rotate = reverse("dispatch:requester_link_rotate", args=[world.xingang_enterprise.pk])
    assert client_for("jiangsu").post(rotate).status_code == 404  # another province's post
    assert client_for("province").post(rotate).status_code == 404  # a read-only viewer
    assert Client().post(rotate).status_code == 302  # to the login page
    link.refresh_from_db()
    assert RequesterLink.objects.get().token == link.token
    with pytest.raises(ApplicationError):
        requester_link_rotate(actor=world.jiangsu_official, post=world.xingang_enterprise)


def test_the_requester_link_api(world, client_for):
    client = client_for("xingang")
    url = f"/api/v1/posts/{world.xingang_enterprise.pk}/requester-link"
    assert client.get(url).status_code == 404
    created = client.post(url, content_type=JSON)
    assert created.status_code == 201
    link = RequesterLink.objects.get()
    assert created.json()["url"] == f"http://testserver/dispatch/ask/{link.token}/"
    assert client.get(url).json()["url"] == created.json()["url"]
    assert client_for("jiangsu").get(url).status_code == 404
    assert client_for("jiangsu").post(url, content_type=JSON).status_code == 404
    assert client.delete(url).status_code == 204
    assert not RequesterLink.objects.exists()


def test_the_signed_in_path_still_records_the_same_standing_need(world):
    need = requester_need_submit(
        actor=world.xingang_official, post=world.xingang_enterprise, preferred_unit=None, note="用地审批"
    )
    again = requester_need_submit(
        actor=world.xingang_official, post=world.xingang_enterprise, preferred_unit=None, note="环评"
    )
    assert again.pk == need.pk
    assert AuditLog.objects.filter(object_type="dispatch.postneed", actor=world.xingang_official).count() == 2
