from datetime import date

import pytest

from frontline.core.models import AuditLog
from frontline.dispatch.models import Deployment, MatchingRunStatus
from frontline.dispatch.services import deployment_create
from frontline.dispatch.tests.factories import make_campaign, make_need, role

JSON = "application/json"


@pytest.fixture
def campaign(world):
    return make_campaign(
        "新港园区干部素质提升年", unit=world.xingang, targets={"project": 10, "enterprise": 25, "community": 24}
    )


@pytest.fixture
def deployment(world, campaign):
    return deployment_create(
        actor=None,
        cadre=world.xingang_cadres[0],
        post=world.xingang_enterprise,
        role=role("party_building_instructor"),
        start_date=date(2025, 3, 1),
        campaign=campaign,
    )


def test_campaigns_are_paginated_with_a_count(world, client_for):
    for n in range(3):
        make_campaign(f"行动{n}", unit=world.xingang)
    body = client_for("xingang").get("/api/v1/campaigns?limit=2").json()
    assert body["count"] == 3
    assert len(body["items"]) == 2
    assert (
        client_for("xingang").get("/api/v1/campaigns?limit=2&offset=2").json()["items"][0]["name"] == "行动0"
    )  # newest first


def test_a_campaign_detail_gives_target_and_active_deployments_per_kind(client_for, campaign, deployment):
    body = client_for("xingang").get(f"/api/v1/campaigns/{campaign.pk}").json()
    assert body["kinds"] == {
        "enterprise": {"target": 25, "active": 1},
        "project": {"target": 10, "active": 0},
        "village": {"target": 0, "active": 0},
        "community": {"target": 24, "active": 0},
    }
    assert body["grassroots"] == {"target": 24, "active": 0}
    assert body["organizing_unit_name"] == "新港园区"


def test_a_campaign_outside_the_scope_is_404(client_for, campaign):
    response = client_for("jiangsu").get(f"/api/v1/campaigns/{campaign.pk}")
    assert response.status_code == 404
    assert client_for("jiangsu").get("/api/v1/campaigns").json()["count"] == 0


def test_a_campaign_is_created_through_the_api(world, client_for):
    payload = {
        "name": "百日攻坚",
        "organizing_unit_id": world.xingang.pk,
        "start_date": "2025-04-01",
        "targets": {"project": 10},
    }
    response = client_for("xingang").post("/api/v1/campaigns", payload, content_type=JSON)
    assert response.status_code == 201
    assert response.json()["kinds"]["project"] == {"target": 10, "active": 0}


def test_deployments_filter_by_campaign_role_post_and_cadre(world, client_for, campaign, deployment):
    client = client_for("xingang")
    assert client.get(f"/api/v1/deployments?campaign={campaign.pk}").json()["count"] == 1
    assert client.get("/api/v1/deployments?role=party_building_instructor").json()["count"] == 1
    assert client.get("/api/v1/deployments?role=first_secretary").json()["count"] == 0
    assert client.get(f"/api/v1/deployments?post={world.zengdu_project.pk}").json()["count"] == 0
    item = client.get(f"/api/v1/deployments?cadre={world.xingang_cadres[0].pk}").json()["items"][0]
    assert item["cadre_name"] == "陈明"
    assert item["role"] == "party_building_instructor"
    assert client_for("jiangsu").get("/api/v1/deployments").json()["count"] == 0
    assert client_for("jiangsu").get(f"/api/v1/deployments/{deployment.pk}").status_code == 404


def test_a_second_full_time_deployment_through_the_api_is_a_400_with_the_reason(world, client_for, deployment):
    payload = {
        "cadre_id": world.xingang_cadres[0].pk,
        "post_id": world.xingang_enterprise.pk,
        "role": "policy_commissioner",
        "start_date": "2025-05-01",
    }
    response = client_for("xingang").post("/api/v1/deployments", payload, content_type=JSON)
    assert response.status_code == 400
    assert response.json()["code"] == "full_time_conflict"


def test_dispatching_a_cadre_outside_the_scope_through_the_api_is_404(world, client_for):
    payload = {
        "cadre_id": world.zengdu_cadre.pk,
        "post_id": world.xingang_enterprise.pk,
        "role": "party_building_instructor",
        "start_date": "2025-05-01",
    }
    assert client_for("xingang").post("/api/v1/deployments", payload, content_type=JSON).status_code == 404


def test_a_stale_version_is_a_409(client_for, deployment):
    client = client_for("xingang")
    url = f"/api/v1/deployments/{deployment.pk}/extend"
    first = client.post(url, {"version": 1, "planned_end": "2030-12-31"}, content_type=JSON)
    assert first.status_code == 200
    assert first.json()["previous_id"] == deployment.pk
    stale = client.post(f"/api/v1/deployments/{deployment.pk}/end", {"version": 1}, content_type=JSON)
    assert stale.status_code == 409
    assert stale.json()["current_version"] == 2


def test_a_transfer_through_the_api_returns_the_new_term(world, client_for, deployment):
    from frontline.core.testing import make_post

    other = make_post("华新水泥", region=world.xingang_enterprise.region, unit=world.xingang)
    response = client_for("xingang").post(
        f"/api/v1/deployments/{deployment.pk}/transfer",
        {"version": 1, "post_id": other.pk, "on": "2025-06-01"},
        content_type=JSON,
    )
    assert response.status_code == 200
    assert response.json()["post_name"] == "华新水泥"
    assert Deployment.objects.get(pk=deployment.pk).status == "transferred"


def test_post_needs_are_listed_and_added(world, client_for):
    client = client_for("xingang")
    url = f"/api/v1/posts/{world.xingang_enterprise.pk}/needs"
    created = client.post(
        url,
        {
            "role": "party_building_instructor",
            "min_count": 1,
            "max_count": 2,
            "preferred_unit_ids": [world.xingang_office.pk],
        },
        content_type=JSON,
    )
    assert created.status_code == 201
    assert created.json()["preferred_unit_ids"] == [world.xingang_office.pk]
    listing = client.get(url).json()
    assert listing["count"] == 1
    bad = client.post(url, {"role": "party_building_instructor", "min_count": 3, "max_count": 1}, content_type=JSON)
    assert bad.status_code == 400
    assert "min_count" in bad.json()["errors"]
    assert client_for("jiangsu").get(url).status_code == 404


@pytest.mark.usefixtures("immediate_tasks")
def test_a_matching_run_is_started_read_and_approved_through_the_api(
    luohe, client_for, django_capture_on_commit_callbacks
):
    campaign = make_campaign("漯河市助企复工", unit=luohe.city, targets={"enterprise": 1})
    make_need(luohe.flour_mill, role_code="enterprise_commissioner", preferred_units=[luohe.grain_bureau])
    client = client_for("luohe")
    with django_capture_on_commit_callbacks(execute=True):
        started = client.post(f"/api/v1/campaigns/{campaign.pk}/matching-runs", {}, content_type=JSON)
    assert started.status_code == 202
    run_id = started.json()["id"]
    run = client.get(f"/api/v1/matching-runs/{run_id}").json()
    assert run["status"] == MatchingRunStatus.DONE
    assert run["result"]["assignments"][0]["cadre_name"] == "王建粮"
    assert client_for("jiangsu").get(f"/api/v1/matching-runs/{run_id}").status_code == 404

    with django_capture_on_commit_callbacks(execute=True):
        accepted = client.post(
            f"/api/v1/matching-runs/{run_id}/approve", {"version": run["version"]}, content_type=JSON
        )
    assert accepted.status_code == 202
    assert accepted.json()["run"]["status"] == "approving"
    status_url = accepted.json()["status_url"]
    assert status_url == f"/api/v1/matching-runs/{run_id}"
    approved = client.get(status_url).json()
    assert approved["status"] == "approved"
    assert approved["progress"] == 100
    assert approved["approved_by_id"] == luohe.official.pk
    deployment = Deployment.objects.get(matching_run_id=run_id)
    assert AuditLog.objects.filter(object_type="dispatch.deployment", object_id=str(deployment.pk)).exists()
    again = client.post(f"/api/v1/matching-runs/{run_id}/approve", {}, content_type=JSON)
    assert again.status_code == 400
    assert again.json()["code"] == "already_approved"
    outsider = client_for("jiangsu").post(f"/api/v1/matching-runs/{run_id}/approve", {}, content_type=JSON)
    assert outsider.status_code == 404


@pytest.mark.usefixtures("immediate_tasks")
def test_approving_a_run_that_is_being_approved_is_refused_with_a_clear_message(
    luohe, client_for, django_capture_on_commit_callbacks
):
    campaign = make_campaign("漯河市助企复工", unit=luohe.city, targets={"enterprise": 1})
    make_need(luohe.flour_mill, role_code="enterprise_commissioner", preferred_units=[luohe.grain_bureau])
    client = client_for("luohe")
    with django_capture_on_commit_callbacks(execute=True):
        run_id = client.post(f"/api/v1/campaigns/{campaign.pk}/matching-runs", {}, content_type=JSON).json()["id"]
    with django_capture_on_commit_callbacks():  # the worker has not picked the task up yet
        first = client.post(f"/api/v1/matching-runs/{run_id}/approve", {}, content_type=JSON)
    assert first.status_code == 202
    second = client.post(f"/api/v1/matching-runs/{run_id}/approve", {}, content_type=JSON)
    assert second.status_code == 400
    assert second.json()["code"] == "approving"
    assert "请勿重复提交" in second.json()["detail"]
    assert Deployment.objects.count() == 0
