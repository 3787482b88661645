import pytest

from frontline.cadres.models import Rank
from frontline.core.models import AuditLog
from frontline.dispatch.services import DispatchValidationError, requester_need_submit
from frontline.dispatch.tests.factories import make_need


def test_a_post_states_a_need_with_preferred_units_and_it_is_audited(world):
    need = make_need(
        world.xingang_enterprise,
        role_code="party_building_instructor",
        actor=world.xingang_official,
        min_count=1,
        max_count=2,
        preferred_units=[world.xingang_office],
    )
    assert list(need.preferred_units.all()) == [world.xingang_office]
    assert AuditLog.objects.filter(object_type="dispatch.postneed", object_id=str(need.pk)).exists()


def test_a_need_asking_for_more_at_least_than_at_most_is_refused(world):
    with pytest.raises(DispatchValidationError) as exc:
        make_need(world.xingang_enterprise, role_code="party_building_instructor", min_count=3, max_count=2)
    assert "不能多于最多人数" in exc.value.errors["min_count"]


def test_a_need_with_an_upside_down_rank_range_is_refused(world):
    with pytest.raises(DispatchValidationError) as exc:
        make_need(
            world.xingang_enterprise,
            role_code="party_building_instructor",
            rank_min=Rank.SECTION,
            rank_max=Rank.STAFF,
        )
    assert "正科级" in exc.value.errors["rank_max"]


def test_a_need_cannot_ask_for_more_party_members_than_people(world):
    with pytest.raises(DispatchValidationError) as exc:
        make_need(world.xingang_enterprise, role_code="party_building_instructor", max_count=2, min_party_members=3)
    assert "min_party_members" in exc.value.errors


def test_a_need_role_must_fit_the_post(world):
    with pytest.raises(DispatchValidationError) as exc:
        make_need(world.zengdu_project, role_code="first_secretary")
    assert "第一书记" in exc.value.errors["role"]


def test_an_enterprise_states_which_department_it_wants_a_cadre_from(world):
    need = requester_need_submit(
        actor=world.xingang_official,
        post=world.xingang_enterprise,
        preferred_unit=world.xingang_office,
        note="项目用地审批卡住了",
        contact_name="王经理",
    )
    assert need.submitted_by_requester
    assert need.role.code == "enterprise_commissioner"
    assert list(need.preferred_units.all()) == [world.xingang_office]
    assert need.campaign is None


def test_an_enterprise_form_with_nothing_in_it_is_refused(world):
    with pytest.raises(DispatchValidationError):
        requester_need_submit(
            actor=world.xingang_official, post=world.xingang_enterprise, preferred_unit=None, note=" "
        )
