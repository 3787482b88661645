from datetime import date
from typing import Any

import pytest
from django.db import IntegrityError, transaction

from frontline.cadres.models import Cadre
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditAction, AuditLog
from frontline.core.testing import World, make_post
from frontline.dispatch.models import Deployment, DeploymentStatus
from frontline.dispatch.services import (
    DispatchValidationError,
    NewDeployment,
    deployment_bulk_create,
    deployment_create,
    deployment_end,
    deployment_extend,
    deployment_transfer,
)
from frontline.dispatch.tests.factories import make_campaign, role
from frontline.posts.models import Post, PostKind


@pytest.fixture
def chen(world):
    return world.xingang_cadres[0]


@pytest.fixture
def second_enterprise(world):
    return make_post("华新水泥", region=world.xingang_enterprise.region, unit=world.xingang, uscc="")


def deploy(
    world: World, cadre: Cadre, post: Post, *, code: str = "party_building_instructor", **kwargs: Any
) -> Deployment:
    return deployment_create(
        actor=world.xingang_official, cadre=cadre, post=post, role=role(code), start_date=date(2025, 3, 1), **kwargs
    )


def test_a_cadre_is_deployed_and_the_deployment_is_audited(world, chen):
    deployment = deploy(world, chen, world.xingang_enterprise)
    assert deployment.status == DeploymentStatus.ACTIVE
    assert deployment.created_by == world.xingang_official
    row = AuditLog.objects.get(object_type="dispatch.deployment", object_id=str(deployment.pk))
    assert row.action == AuditAction.CREATE
    assert row.actor == world.xingang_official


def test_a_second_active_full_time_deployment_is_refused_with_a_clear_message(world, chen, second_enterprise):
    deploy(world, chen, world.xingang_enterprise)
    with pytest.raises(ApplicationError) as exc:
        deploy(world, chen, second_enterprise)
    assert exc.value.code == "full_time_conflict"
    assert "弘盛铜业" in exc.value.message
    assert "只能有一个全脱产任职" in exc.value.message
    assert Deployment.objects.filter(cadre=chen).count() == 1


def test_a_part_time_deployment_may_sit_beside_a_full_time_one(world, chen, second_enterprise):
    deploy(world, chen, world.xingang_enterprise)
    part_time = deploy(world, chen, second_enterprise, is_full_time=False)
    assert part_time.status == DeploymentStatus.ACTIVE


def test_the_database_refuses_two_active_full_time_deployments_even_without_the_service(world, chen, second_enterprise):
    first = deploy(world, chen, world.xingang_enterprise)
    with pytest.raises(IntegrityError), transaction.atomic():
        Deployment.objects.create(
            cadre=chen, post=second_enterprise, role=first.role, start_date=date(2025, 4, 1), is_full_time=True
        )


def test_the_database_refuses_an_active_deployment_with_an_end_date(world, chen):
    with pytest.raises(IntegrityError), transaction.atomic():
        Deployment.objects.create(
            cadre=chen,
            post=world.xingang_enterprise,
            role=role("party_building_instructor"),
            start_date=date(2025, 4, 1),
            ended_on=date(2025, 5, 1),
        )


def test_a_role_must_apply_to_the_kind_of_post(world, chen):
    with pytest.raises(DispatchValidationError) as exc:
        deploy(world, chen, world.xingang_enterprise, code="project_commissioner")
    assert "项目专员" in exc.value.errors["role"]
    assert "企业" in exc.value.errors["role"]


def test_a_cadre_not_eligible_for_full_time_release_can_only_serve_part_time(world, chen):
    chen.full_time_eligible = False
    chen.save()
    with pytest.raises(DispatchValidationError) as exc:
        deploy(world, chen, world.xingang_enterprise)
    assert "兼职" in exc.value.errors["is_full_time"]
    assert deploy(world, chen, world.xingang_enterprise, is_full_time=False).pk


def test_no_one_can_be_deployed_into_a_closed_campaign(world, chen):
    campaign = make_campaign(unit=world.xingang, status="closed")
    with pytest.raises(DispatchValidationError):
        deploy(world, chen, world.xingang_enterprise, campaign=campaign)


def test_ending_keeps_the_row_as_history(world, chen):
    deployment = deploy(world, chen, world.xingang_enterprise)
    ended = deployment_end(
        actor=world.xingang_official, deployment=deployment, ended_on=date(2025, 9, 30), expected_version=1
    )
    assert ended.status == DeploymentStatus.ENDED
    assert ended.ended_on == date(2025, 9, 30)
    assert Deployment.objects.filter(cadre=chen).count() == 1
    # Once ended, the cadre is free for a new full-time deployment.
    assert deploy(world, chen, world.xingang_enterprise).pk != deployment.pk


def test_an_ended_deployment_cannot_be_ended_again(world, chen):
    deployment = deploy(world, chen, world.xingang_enterprise)
    deployment_end(actor=world.xingang_official, deployment=deployment, ended_on=date(2025, 9, 30), expected_version=1)
    with pytest.raises(ApplicationError) as exc:
        deployment_end(actor=world.xingang_official, deployment=deployment, expected_version=2)
    assert exc.value.code == "not_active"


def test_extending_closes_the_term_and_links_a_new_one(world, chen):
    deployment = deploy(world, chen, world.xingang_enterprise, planned_end=date(2025, 6, 30))
    new = deployment_extend(
        actor=world.xingang_official,
        deployment=deployment,
        planned_end=date(2025, 12, 31),
        expected_version=1,
        on=date(2025, 6, 1),
    )
    deployment.refresh_from_db()
    assert deployment.status == DeploymentStatus.EXTENDED
    assert deployment.ended_on == date(2025, 6, 1)
    assert new.previous == deployment
    assert new.status == DeploymentStatus.ACTIVE
    assert new.planned_end == date(2025, 12, 31)
    assert (new.post, new.role, new.cadre) == (deployment.post, deployment.role, chen)


def test_an_extension_must_end_later_than_the_current_plan(world, chen):
    deployment = deploy(world, chen, world.xingang_enterprise, planned_end=date(2025, 6, 30))
    with pytest.raises(DispatchValidationError) as exc:
        deployment_extend(
            actor=world.xingang_official, deployment=deployment, planned_end=date(2025, 5, 1), expected_version=1
        )
    assert "planned_end" in exc.value.errors


def test_transferring_closes_the_old_term_and_opens_one_at_the_new_post(world, chen, second_enterprise):
    deployment = deploy(world, chen, world.xingang_enterprise)
    new = deployment_transfer(
        actor=world.xingang_official,
        deployment=deployment,
        post=second_enterprise,
        expected_version=1,
        on=date(2025, 7, 1),
    )
    deployment.refresh_from_db()
    assert deployment.status == DeploymentStatus.TRANSFERRED
    assert deployment.ended_on == date(2025, 7, 1)
    assert new.previous == deployment
    assert new.post == second_enterprise
    assert new.start_date == date(2025, 7, 1)
    assert list(Deployment.objects.filter(cadre=chen).order_by("id").values_list("status", flat=True)) == [
        DeploymentStatus.TRANSFERRED,
        DeploymentStatus.ACTIVE,
    ]
    assert AuditLog.objects.filter(object_type="dispatch.deployment", note="调岗").count() == 1


def test_a_transfer_checks_the_role_against_the_new_post(world, chen):
    deployment = deploy(world, chen, world.xingang_enterprise)
    project = make_post(
        "新港污水处理厂", kind=PostKind.PROJECT, region=world.xingang_enterprise.region, unit=world.xingang
    )
    with pytest.raises(DispatchValidationError):
        deployment_transfer(actor=world.xingang_official, deployment=deployment, post=project, expected_version=1)
    moved = deployment_transfer(
        actor=world.xingang_official,
        deployment=deployment,
        post=project,
        role=role("project_commissioner"),
        expected_version=1,
    )
    assert moved.role.code == "project_commissioner"


def test_a_stale_version_is_a_conflict(world, chen):
    deployment = deploy(world, chen, world.xingang_enterprise)
    deployment_extend(
        actor=world.xingang_official,
        deployment=deployment,
        planned_end=date(2026, 6, 30),
        expected_version=1,
        on=date(2025, 6, 1),
    )
    with pytest.raises(ConflictError) as exc:
        deployment_end(actor=world.xingang_official, deployment=deployment, expected_version=1)
    assert exc.value.extra["current_version"] == 2


def test_many_cadres_are_deployed_at_once_each_with_an_audit_row(world, second_enterprise):
    chen, zhang = world.xingang_cadres
    items = [
        NewDeployment(cadre=chen, post=world.xingang_enterprise, role=role("party_building_instructor")),
        NewDeployment(cadre=zhang, post=second_enterprise, role=role("party_building_instructor")),
    ]
    created = deployment_bulk_create(actor=world.xingang_official, items=items, start_date=date(2025, 3, 1))
    assert {d.cadre for d in created} == {chen, zhang}
    rows = AuditLog.objects.filter(object_type="dispatch.deployment", action=AuditAction.CREATE)
    assert set(rows.values_list("object_id", flat=True)) == {str(d.pk) for d in created}
    assert set(rows.values_list("actor_name", flat=True)) == {"xingang"}


def test_a_batch_with_one_busy_cadre_writes_nothing_and_names_the_cadre(world, chen, second_enterprise):
    deploy(world, chen, world.xingang_enterprise)
    items = [
        NewDeployment(cadre=world.xingang_cadres[1], post=second_enterprise, role=role("party_building_instructor")),
        NewDeployment(cadre=chen, post=second_enterprise, role=role("party_building_instructor")),
    ]
    with pytest.raises(ApplicationError) as exc:
        deployment_bulk_create(actor=world.xingang_official, items=items, start_date=date(2025, 3, 1))
    assert exc.value.extra["problems"][0].startswith("陈明：")
    assert Deployment.objects.count() == 1
