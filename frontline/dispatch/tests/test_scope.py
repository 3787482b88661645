from datetime import date

import pytest
from django.http import Http404

from frontline.core.errors import ApplicationError
from frontline.dispatch.selectors import (
    campaign_list,
    deployment_list,
    get_campaign_for_user,
    get_deployment_for_user,
)
from frontline.dispatch.services import deployment_create
from frontline.dispatch.tests.factories import make_campaign, role


@pytest.fixture
def two_districts(world):
    xingang_campaign = make_campaign("新港园区干部素质提升年", unit=world.xingang)
    zengdu_campaign = make_campaign("曾都区年轻干部下沉", unit=world.zengdu)
    xingang_deployment = deployment_create(
        actor=world.xingang_official,
        cadre=world.xingang_cadres[0],
        post=world.xingang_enterprise,
        role=role("party_building_instructor"),
        start_date=date(2025, 3, 1),
        campaign=xingang_campaign,
    )
    zengdu_deployment = deployment_create(
        actor=world.zengdu_official,
        cadre=world.zengdu_cadre,
        post=world.zengdu_project,
        role=role("project_commissioner"),
        start_date=date(2025, 3, 1),
        campaign=zengdu_campaign,
    )
    return xingang_campaign, zengdu_campaign, xingang_deployment, zengdu_deployment


def test_a_district_sees_only_the_campaigns_it_organizes(world, two_districts):
    assert [c.name for c in campaign_list(user=world.xingang_official)] == ["新港园区干部素质提升年"]
    assert [c.name for c in campaign_list(user=world.zengdu_official)] == ["曾都区年轻干部下沉"]


def test_the_province_sees_every_campaign_of_the_province(world, two_districts):
    assert campaign_list(user=world.province_official).count() == 2


def test_jiangsu_sees_nothing_of_hubei_and_gets_404(world, two_districts):
    xingang_campaign, _, xingang_deployment, _ = two_districts
    assert campaign_list(user=world.jiangsu_official).count() == 0
    assert deployment_list(user=world.jiangsu_official).count() == 0
    with pytest.raises(Http404):
        get_campaign_for_user(user=world.jiangsu_official, pk=xingang_campaign.pk)
    with pytest.raises(Http404):
        get_deployment_for_user(user=world.jiangsu_official, pk=xingang_deployment.pk)


def test_a_district_sees_only_deployments_of_its_cadres_or_at_its_posts(world, two_districts):
    _, _, xingang_deployment, zengdu_deployment = two_districts
    assert list(deployment_list(user=world.xingang_official)) == [xingang_deployment]
    assert list(deployment_list(user=world.zengdu_official)) == [zengdu_deployment]


def test_a_deployment_of_another_districts_cadre_at_my_post_is_visible_to_me(world, two_districts):
    deployment = deployment_create(
        actor=None,
        cadre=world.zengdu_cadre,
        post=world.xingang_enterprise,
        role=role("policy_commissioner"),
        start_date=date(2025, 3, 1),
        is_full_time=False,
    )
    assert deployment in deployment_list(user=world.xingang_official)


def test_a_district_cannot_dispatch_another_districts_cadre(world):
    with pytest.raises(ApplicationError) as exc:
        deployment_create(
            actor=world.xingang_official,
            cadre=world.zengdu_cadre,
            post=world.xingang_enterprise,
            role=role("party_building_instructor"),
            start_date=date(2025, 3, 1),
        )
    assert exc.value.code == "out_of_scope"


def test_a_district_cannot_dispatch_to_another_districts_post(world):
    with pytest.raises(ApplicationError) as exc:
        deployment_create(
            actor=world.zengdu_official,
            cadre=world.zengdu_cadre,
            post=world.xingang_enterprise,
            role=role("party_building_instructor"),
            start_date=date(2025, 3, 1),
        )
    assert exc.value.code == "out_of_scope"


def test_a_read_only_province_viewer_cannot_dispatch(world):
    with pytest.raises(ApplicationError) as exc:
        deployment_create(
            actor=world.province_official,
            cadre=world.xingang_cadres[0],
            post=world.xingang_enterprise,
            role=role("party_building_instructor"),
            start_date=date(2025, 3, 1),
        )
    assert exc.value.code == "forbidden"


def test_a_campaign_cannot_be_organized_by_a_unit_outside_the_scope(world):
    with pytest.raises(ApplicationError) as exc:
        make_campaign(unit=world.zengdu, actor=world.xingang_official)
    assert exc.value.code == "out_of_scope"
