from datetime import date

import pytest

from frontline.cadres.models import Rank
from frontline.core.testing import make_cadre, make_post
from frontline.dispatch.models import ResponsibilityLevel
from frontline.dispatch.services import DispatchValidationError, responsibility_create
from frontline.posts.models import PostKind


@pytest.fixture
def key_project(world):
    return make_post(
        "新港园区铜产业园",
        kind=PostKind.PROJECT,
        region=world.xingang_enterprise.region,
        unit=world.xingang,
        is_key=True,
    )


@pytest.fixture
def sub_project(world, key_project):
    return make_post(
        "铜产业园一期厂房", kind=PostKind.PROJECT, region=key_project.region, unit=world.xingang, parent=key_project
    )


def test_a_leadership_member_answers_for_a_key_project(world, key_project):
    leader = make_cadre("周书记", home_unit=world.xingang, rank=Rank.DIVISION)
    assignment = responsibility_create(
        actor=world.xingang_official,
        cadre=leader,
        post=key_project,
        level=ResponsibilityLevel.LEADERSHIP,
        start_date=date(2025, 3, 1),
    )
    assert assignment.post == key_project


def test_a_deputy_section_cadre_answers_for_a_sub_project(world, sub_project):
    deputy = make_cadre("吴副科", home_unit=world.xingang, rank=Rank.DEPUTY_SECTION)
    assignment = responsibility_create(
        actor=world.xingang_official,
        cadre=deputy,
        post=sub_project,
        level=ResponsibilityLevel.DEPUTY_SECTION,
        start_date=date(2025, 3, 1),
    )
    assert assignment.level == ResponsibilityLevel.DEPUTY_SECTION


def test_a_sub_project_needs_a_cadre_of_at_least_deputy_section_rank(world, sub_project):
    with pytest.raises(DispatchValidationError) as exc:
        responsibility_create(
            actor=world.xingang_official,
            cadre=world.xingang_cadres[1],
            post=sub_project,
            level=ResponsibilityLevel.DEPUTY_SECTION,
            start_date=date(2025, 3, 1),
        )
    assert "低于副科级" in exc.value.errors["cadre"]


def test_responsibility_applies_only_to_projects(world):
    with pytest.raises(DispatchValidationError) as exc:
        responsibility_create(
            actor=world.xingang_official,
            cadre=world.xingang_cadres[0],
            post=world.xingang_enterprise,
            level=ResponsibilityLevel.LEADERSHIP,
            start_date=date(2025, 3, 1),
        )
    assert "只适用于项目" in exc.value.errors["post"]
