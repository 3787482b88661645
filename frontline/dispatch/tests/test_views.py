import re
from datetime import date

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from frontline.core.testing import World, make_cadre, make_post
from frontline.dispatch.models import Campaign, Deployment, DeploymentStatus, MatchingRun
from frontline.dispatch.services import deployment_create
from frontline.dispatch.tests.factories import make_campaign, make_need, role

INLINE_STYLE = re.compile(r"\sstyle=|<script(?![^>]*\bsrc=)(?![^>]*\bnonce=)")


@pytest.fixture
def campaign(world):
    return make_campaign("新港园区干部素质提升年", unit=world.xingang, targets={"enterprise": 25, "project": 10})


def deploy_many(world: World, campaign: Campaign, n: int, prefix: str = "干部") -> None:
    for i in range(n):
        cadre = make_cadre(f"{prefix}{i}", home_unit=world.xingang)
        post = make_post(f"{prefix}企业{i}", region=world.xingang_enterprise.region, unit=world.xingang)
        deployment_create(
            actor=None,
            cadre=cadre,
            post=post,
            role=role("party_building_instructor"),
            start_date=date(2025, 3, 1),
            campaign=campaign,
        )


def assert_clean(html: str) -> None:
    assert not INLINE_STYLE.search(html), "inline styles or scripts break the CSP"


def test_the_campaign_list_shows_only_campaigns_in_scope(world, client_for, campaign):
    make_campaign("曾都区年轻干部下沉", unit=world.zengdu)
    html = client_for("xingang").get(reverse("dispatch:campaign_list")).content.decode()
    assert "新港园区干部素质提升年" in html
    assert "曾都区年轻干部下沉" not in html
    assert_clean(html)


def test_an_official_creates_a_campaign_with_targets(world, client_for):
    response = client_for("xingang").post(
        reverse("dispatch:campaign_create"),
        {
            "name": "百日攻坚",
            "organizing_unit": world.xingang.pk,
            "start_date": "2025-04-01",
            "status": "active",
            "target_project": "10",
            "weight_department": "100",
            "weight_expertise": "40",
            "weight_distance_per_km": "2",
            "weight_continuity": "60",
        },
    )
    campaign = Campaign.objects.get(name="百日攻坚")
    assert response.headers["Location"] == campaign.get_absolute_url()
    assert campaign.targets.get().target == 10


def test_a_campaign_form_with_an_end_before_the_start_says_so(world, client_for):
    response = client_for("xingang").post(
        reverse("dispatch:campaign_create"),
        {
            "name": "百日攻坚",
            "organizing_unit": world.xingang.pk,
            "start_date": "2025-04-01",
            "end_date": "2025-03-01",
            "status": "active",
            "weight_department": "100",
            "weight_expertise": "40",
            "weight_distance_per_km": "2",
            "weight_continuity": "60",
        },
    )
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_the_campaign_page_shows_targets_against_actual_in_a_fixed_number_of_queries(world, client_for, campaign):
    client = client_for("xingang")
    url = reverse("dispatch:campaign_detail", args=[campaign.pk])
    deploy_many(world, campaign, 2)
    with CaptureQueriesContext(connection) as few:
        html = client.get(url).content.decode()
    deploy_many(world, campaign, 6, prefix="后来")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    assert 'data-kind="enterprise"' in html
    assert_clean(html)


def test_the_progress_partial_is_served_for_htmx_polling(world, client_for, campaign):
    deploy_many(world, campaign, 1)
    html = client_for("xingang").get(reverse("dispatch:campaign_progress", args=[campaign.pk])).content.decode()
    assert 'hx-trigger="every 5s"' in html
    assert "<strong>1</strong>" in html


def test_campaign_pages_are_404_outside_the_scope(client_for, campaign):
    client = client_for("jiangsu")
    assert client.get(reverse("dispatch:campaign_detail", args=[campaign.pk])).status_code == 404
    assert client.get(reverse("dispatch:campaign_progress", args=[campaign.pk])).status_code == 404


def test_the_deployment_list_filters_and_keeps_its_query_count(world, client_for, campaign):
    deploy_many(world, campaign, 2)
    client = client_for("xingang")
    url = reverse("dispatch:deployment_list") + f"?campaign={campaign.pk}&role={role('party_building_instructor').pk}"
    with CaptureQueriesContext(connection) as few:
        html = client.get(url).content.decode()
    deploy_many(world, campaign, 5, prefix="再派")
    with CaptureQueriesContext(connection) as many:
        client.get(url)
    assert len(many) == len(few)
    assert "干部0" in html
    assert_clean(html)
    assert "干部0" not in client.get(reverse("dispatch:deployment_list") + "?role=999").content.decode()


def test_an_official_ends_extends_and_transfers_from_the_deployment_page(world, client_for):
    client = client_for("xingang")
    deployment = deployment_create(
        actor=None,
        cadre=world.xingang_cadres[0],
        post=world.xingang_enterprise,
        role=role("party_building_instructor"),
        start_date=date(2025, 3, 1),
        planned_end=date(2025, 12, 31),
    )
    page = client.get(deployment.get_absolute_url()).content.decode()
    assert "调岗" in page
    assert_clean(page)
    response = client.post(
        reverse("dispatch:deployment_action", args=[deployment.pk, "extend"]),
        {"planned_end": "2030-12-31", "version": 1},
    )
    new = Deployment.objects.get(previous=deployment)
    assert response.headers["Location"] == new.get_absolute_url()
    history = client.get(new.get_absolute_url()).content.decode()
    assert "任职经历" in history
    assert "已延期" in history
    stale = client.post(
        reverse("dispatch:deployment_action", args=[deployment.pk, "end"]), {"ended_on": "2030-01-01", "version": 1}
    )
    assert stale.status_code == 302
    client.post(reverse("dispatch:deployment_action", args=[new.pk, "end"]), {"ended_on": "2030-01-01", "version": 1})
    new.refresh_from_db()
    assert new.status == DeploymentStatus.ENDED


def test_a_read_only_viewer_cannot_post_deployment_actions(world, client_for):
    deployment = deployment_create(
        actor=None,
        cadre=world.xingang_cadres[0],
        post=world.xingang_enterprise,
        role=role("party_building_instructor"),
        start_date=date(2025, 3, 1),
    )
    response = client_for("province").post(
        reverse("dispatch:deployment_action", args=[deployment.pk, "end"]), {"ended_on": "2025-05-01", "version": 1}
    )
    assert response.status_code == 404
    deployment.refresh_from_db()
    assert deployment.status == DeploymentStatus.ACTIVE


def test_the_post_needs_page_lists_and_adds_needs(world, client_for):
    client = client_for("xingang")
    url = reverse("dispatch:post_needs", args=[world.xingang_enterprise.pk])
    html = client.get(url).content.decode()
    assert "该阵地还没有登记需求" in html
    assert_clean(html)
    response = client.post(
        url,
        {
            "role": role("party_building_instructor").pk,
            "min_count": "1",
            "max_count": "1",
            "min_party_members": "0",
            "preferred_units": [world.xingang_office.pk],
        },
    )
    assert response.status_code == 302
    assert "新港园区项目建设指挥部办公室" in client.get(url).content.decode()
    bad = client.post(
        url,
        {"role": role("party_building_instructor").pk, "min_count": "1", "max_count": "1", "min_party_members": "2"},
    )
    assert "至少党员人数（2）不能多于最多人数（1）" in bad.content.decode()
    assert client_for("jiangsu").get(url).status_code == 404


@pytest.mark.usefixtures("immediate_tasks")
def test_the_matching_flow_in_pages(luohe, client_for, django_capture_on_commit_callbacks):
    campaign = make_campaign("漯河市助企复工", unit=luohe.city, targets={"enterprise": 1})
    make_need(luohe.flour_mill, role_code="enterprise_commissioner", preferred_units=[luohe.grain_bureau])
    client = client_for("luohe")
    with django_capture_on_commit_callbacks(execute=True):
        response = client.post(reverse("dispatch:run_start", args=[campaign.pk]), {"full_time": "on"})
    run = MatchingRun.objects.get()
    assert response.headers["Location"] == run.get_absolute_url()
    html = client.get(run.get_absolute_url()).content.decode()
    assert "王建粮" in html
    assert "首选部门 ✓（漯河市粮食和物资储备局）" in html
    assert "刘商" in html  # unassigned, with why
    assert_clean(html)

    export = client.get(reverse("dispatch:run_export", args=[run.pk]))
    assert export.headers["Content-Type"].startswith("application/vnd.openxmlformats")
    assert export.content[:2] == b"PK"

    with django_capture_on_commit_callbacks() as approval:
        response = client.post(reverse("dispatch:run_approve", args=[run.pk]), {"version": run.version})
    assert response.headers["Location"] == run.get_absolute_url()
    waiting = client.get(run.get_absolute_url()).content.decode()
    assert "已提交批准，正在后台生成任职" in waiting
    assert 'hx-trigger="every 1s"' in waiting  # the page polls while the task works
    assert "批准中" in waiting
    assert "批准方案并生成任职" not in waiting
    assert Deployment.objects.count() == 0
    # The stage is stored as written (in Chinese) and shown in the reader's language.
    stage = type(run).objects.get(pk=run.pk).stage
    with translation.override("en"):
        stage_in_english = translation.gettext(stage)
    assert stage_in_english != stage
    client.cookies["django_language"] = "en"
    status = client.get(reverse("dispatch:run_status", args=[run.pk]), HTTP_HX_REQUEST="true").content.decode()
    assert stage_in_english in status
    client.cookies["django_language"] = "zh-hans"

    for callback in approval:
        callback()  # the worker runs the approval task
    refresh = client.get(reverse("dispatch:run_status", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert refresh.headers["HX-Refresh"] == "true"
    done = client.get(run.get_absolute_url()).content.decode()
    assert "方案已批准：新派 1 人，调岗 0 人，留任 0 人，结束 0 人。" in done
    assert_clean(done)
    assert Deployment.objects.get().cadre == luohe.grain_cadre
    assert client_for("jiangsu").get(run.get_absolute_url()).status_code == 404


@pytest.mark.usefixtures("immediate_tasks")
def test_a_failed_approval_is_shown_on_the_run_page_which_offers_to_approve_again(
    luohe, client_for, django_capture_on_commit_callbacks
):
    campaign = make_campaign("漯河市助企复工", unit=luohe.city, targets={"enterprise": 1})
    make_need(luohe.flour_mill, role_code="enterprise_commissioner", preferred_units=[luohe.grain_bureau])
    client = client_for("luohe")
    with django_capture_on_commit_callbacks(execute=True):
        client.post(reverse("dispatch:run_start", args=[campaign.pk]), {"full_time": "on"})
    run = MatchingRun.objects.get()
    campaign.status = "closed"
    campaign.save()
    run.status = "approving"
    run.save()
    from frontline.dispatch.runs import matching_run_approve_execute

    matching_run_approve_execute(run_id=run.pk, actor_id=luohe.official.pk)
    html = client.get(run.get_absolute_url()).content.decode()
    assert "上次批准未完成，未做任何选派：行动“漯河市助企复工”已结束，不能再选派。" in html
    assert "批准方案并生成任职" in html
    assert_clean(html)
    twice = client.post(reverse("dispatch:run_approve", args=[run.pk]), {"version": run.version})
    assert twice.status_code == 302
    assert "该匹配方案已被他人修改" in client.get(run.get_absolute_url()).content.decode()


@pytest.mark.usefixtures("immediate_tasks")
def test_a_running_run_shows_a_progress_bar_that_polls(luohe, client_for):
    campaign = make_campaign("漯河市助企复工", unit=luohe.city)
    run = MatchingRun.objects.create(campaign=campaign, progress=40, status="running", stage="求解最优方案")
    client = client_for("luohe")
    html = client.get(run.get_absolute_url()).content.decode()
    assert '<progress value="40" max="100">' in html
    assert 'hx-trigger="every 1s"' in html
    run.status = "done"
    run.save()
    refresh = client.get(reverse("dispatch:run_status", args=[run.pk]), HTTP_HX_REQUEST="true")
    assert refresh.headers["HX-Refresh"] == "true"


def test_a_working_group_form_explains_the_party_branch_rule(world, client_for, campaign):
    from frontline.cadres.models import PoliticalStatus

    masses = make_cadre("赵群", home_unit=world.xingang, political_status=PoliticalStatus.MASSES)
    client = client_for("xingang")
    url = reverse("dispatch:group_create", args=[campaign.pk])
    data = {
        "name": "第一工作组",
        "leader": world.xingang_cadres[0].pk,
        "members": [masses.pk],
        "forms_party_branch": "on",
    }
    response = client.post(url, data)
    assert "成立临时党支部需要至少 3 名党员" in response.content.decode()
    data["members"] = [world.xingang_cadres[1].pk, world.grid_cadre.pk]
    assert client.post(url, data).status_code == 302
    html = client.get(campaign.get_absolute_url()).content.decode()
    assert "第一工作组" in html
    assert_clean(html)
