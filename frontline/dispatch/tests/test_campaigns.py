from datetime import date

import pytest

from frontline.core.errors import ConflictError
from frontline.core.models import AuditAction, AuditLog
from frontline.core.testing import make_post, make_region
from frontline.dispatch.models import CampaignTarget
from frontline.dispatch.selectors import campaign_progress
from frontline.dispatch.services import (
    CampaignData,
    DispatchValidationError,
    campaign_update,
    deployment_create,
    deployment_end,
)
from frontline.dispatch.tests.factories import make_campaign, role
from frontline.posts.models import PostKind

XINGANG_TARGETS = {"project": 10, "enterprise": 25, "community": 24}


def test_a_campaign_is_created_with_targets_per_frontline_kind_and_audited(world):
    campaign = make_campaign(unit=world.xingang, actor=world.xingang_official, targets=XINGANG_TARGETS)
    assert dict(campaign.targets.values_list("kind", "target")) == XINGANG_TARGETS
    row = AuditLog.objects.get(object_type="dispatch.campaign")
    assert row.action == AuditAction.CREATE
    assert row.changes["target_enterprise"] == [None, 25]


def test_a_campaign_cannot_end_before_it_starts(world):
    with pytest.raises(DispatchValidationError) as exc:
        make_campaign(unit=world.xingang, start_date=date(2025, 5, 1), end_date=date(2025, 4, 1))
    assert "end_date" in exc.value.errors


def test_updating_a_campaign_replaces_its_targets_and_checks_the_version(world):
    campaign = make_campaign(unit=world.xingang, actor=world.xingang_official, targets=XINGANG_TARGETS)
    data = CampaignData(
        name="新港园区干部素质提升年",
        organizing_unit=world.xingang,
        start_date=date(2025, 3, 1),
        targets={"enterprise": 30},
    )
    campaign_update(actor=world.xingang_official, campaign=campaign, data=data, expected_version=1)
    assert list(CampaignTarget.objects.filter(campaign=campaign).values_list("kind", "target")) == [("enterprise", 30)]
    with pytest.raises(ConflictError):
        campaign_update(actor=world.xingang_official, campaign=campaign, data=data, expected_version=1)


def test_progress_counts_active_deployments_per_kind_against_targets(world, django_assert_num_queries):
    campaign = make_campaign(unit=world.xingang, targets=XINGANG_TARGETS)
    community = make_post(
        "韦源口社区", kind=PostKind.COMMUNITY, region=make_region("420222103001", "韦源口社区"), unit=world.xingang
    )
    grid = make_post("一网格", kind=PostKind.GRID, region=community.region, unit=world.xingang, parent=community)
    building = make_post("3 栋", kind=PostKind.BUILDING, region=community.region, unit=world.xingang, parent=grid)
    chen, zhang = world.xingang_cadres
    start = date(2025, 3, 1)
    deployment_create(
        actor=None,
        cadre=chen,
        post=world.xingang_enterprise,
        role=role("party_building_instructor"),
        start_date=start,
        campaign=campaign,
    )
    deployment_create(actor=None, cadre=zhang, post=grid, role=role("grid_head"), start_date=start, campaign=campaign)
    deployment_create(
        actor=None,
        cadre=world.grid_cadre,
        post=building,
        role=role("building_head"),
        start_date=start,
        campaign=campaign,
    )
    ended = deployment_create(
        actor=None,
        cadre=world.zengdu_cadre,
        post=world.xingang_enterprise,
        role=role("policy_commissioner"),
        start_date=start,
        campaign=campaign,
        is_full_time=False,
    )
    deployment_end(actor=None, deployment=ended, ended_on=date(2025, 4, 1), expected_version=1)

    with django_assert_num_queries(2):
        progress = campaign_progress(campaign)
    by_kind = {p.kind: (p.target, p.actual) for p in progress.kinds}
    assert by_kind == {"enterprise": (25, 1), "project": (10, 0), "village": (0, 0), "community": (24, 2)}
    assert (progress.grassroots.target, progress.grassroots.actual) == (24, 2)
    assert (progress.total.target, progress.total.actual) == (59, 3)
