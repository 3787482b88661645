from datetime import date

import pytest

from frontline.cadres.models import PoliticalStatus
from frontline.core.testing import make_cadre
from frontline.dispatch.services import (
    DispatchValidationError,
    WorkingGroupData,
    working_group_create,
    working_group_update,
)
from frontline.dispatch.tests.factories import make_campaign


@pytest.fixture
def campaign(world):
    return make_campaign("四进", unit=world.xingang, start_date=date(2020, 2, 10), end_date=date(2020, 6, 30))


def test_a_working_group_always_counts_its_leader_as_a_member(world, campaign):
    chen, zhang = world.xingang_cadres
    group = working_group_create(
        actor=world.xingang_official,
        campaign=campaign,
        data=WorkingGroupData(name="第一工作组", leader=chen, members=[zhang], post=world.xingang_enterprise),
    )
    assert set(group.members.all()) == {chen, zhang}


def test_a_temporary_party_branch_needs_three_party_members(world, campaign):
    chen, zhang = world.xingang_cadres
    masses = make_cadre("赵群", home_unit=world.xingang, political_status=PoliticalStatus.MASSES)
    with pytest.raises(DispatchValidationError) as exc:
        working_group_create(
            actor=world.xingang_official,
            campaign=campaign,
            data=WorkingGroupData(name="第二工作组", leader=chen, members=[zhang, masses], forms_party_branch=True),
        )
    message = exc.value.errors["forms_party_branch"]
    assert "至少 3 名党员" in message
    assert "只有 2 名党员" in message


def test_a_temporary_party_branch_forms_with_three_party_members(world, campaign):
    chen, zhang = world.xingang_cadres
    group = working_group_create(
        actor=world.xingang_official,
        campaign=campaign,
        data=WorkingGroupData(
            name="第三工作组", leader=chen, members=[zhang, world.grid_cadre], forms_party_branch=True
        ),
    )
    assert group.forms_party_branch


def test_dropping_a_member_below_three_party_members_is_refused_on_update(world, campaign):
    chen, zhang = world.xingang_cadres
    data = WorkingGroupData(name="第四工作组", leader=chen, members=[zhang, world.grid_cadre], forms_party_branch=True)
    group = working_group_create(actor=world.xingang_official, campaign=campaign, data=data)
    data.members = [zhang]
    with pytest.raises(DispatchValidationError):
        working_group_update(actor=world.xingang_official, group=group, data=data, expected_version=1)


def test_a_working_group_can_only_include_cadres_in_scope(world, campaign):
    from frontline.core.errors import ApplicationError

    with pytest.raises(ApplicationError) as exc:
        working_group_create(
            actor=world.xingang_official,
            campaign=campaign,
            data=WorkingGroupData(name="跨区组", leader=world.xingang_cadres[0], members=[world.zengdu_cadre]),
        )
    assert exc.value.code == "out_of_scope"
