"""Matching runs end to end, with background tasks run at once (ImmediateBackend)."""

from datetime import date
from typing import Any

import pytest

from frontline.cadres.models import Rank
from frontline.core.errors import ApplicationError
from frontline.core.models import AuditAction, AuditLog, User
from frontline.core.testing import make_cadre, make_post, make_region
from frontline.dispatch.models import (
    Campaign,
    Deployment,
    DeploymentSource,
    DeploymentStatus,
    MatchingRule,
    MatchingRun,
    MatchingRunStatus,
)
from frontline.dispatch.rules import (
    CadreFacts,
    PostFacts,
    forbidden_pairs,
    own_residence,
    regulator_of_enterprise,
)
from frontline.dispatch.runs import (
    RunParams,
    matching_run_adjust,
    matching_run_approve,
    matching_run_approve_execute,
    matching_run_rerun,
    matching_run_start,
)
from frontline.dispatch.tests.factories import make_campaign, make_need
from frontline.posts.models import PostKind

pytestmark = pytest.mark.usefixtures("immediate_tasks")


def start(actor: User, campaign: Campaign, capture: Any, **params: Any) -> MatchingRun:
    with capture(execute=True):
        run = matching_run_start(actor=actor, campaign=campaign, params=RunParams(**params))
    run.refresh_from_db()
    return run


def approve(actor: User, run: MatchingRun, capture: Any, today: date | None = None) -> MatchingRun:
    """Approve the run; the approval task runs when the request's transaction commits."""
    with capture(execute=True):
        matching_run_approve(actor=actor, run=run, today=today)
    run.refresh_from_db()
    return run


@pytest.fixture
def luohe_campaign(luohe):
    return make_campaign(
        "漯河市助企复工", unit=luohe.city, targets={"enterprise": 1}, start_date=date(2020, 2, 20), end_date=None
    )


@pytest.fixture
def mill_need(luohe):
    return make_need(
        luohe.flour_mill,
        role_code="enterprise_commissioner",
        actor=luohe.official,
        preferred_units=[luohe.grain_bureau],
        note="小麦原料告急",
        submitted_by_requester=True,
        requester_contact="厂办",
    )


def test_the_flour_mill_gets_the_grain_bureau_cadre_it_asked_for(
    luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks
):
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    assert run.status == MatchingRunStatus.DONE
    assert run.progress == 100
    [match] = run.result["assignments"]
    assert match["cadre_name"] == "王建粮"
    assert match["post_name"] == "漯河市某面粉厂"
    assert match["reasons"][0] == "首选部门 ✓（漯河市粮食和物资储备局）"
    assert match["reasons"][1].startswith("距离 ")
    assert match["reasons"][1].endswith(" 公里")
    assert run.result["totals"]["assigned"] == 1
    assert run.result["unfilled"] == []
    [other] = run.result["unassigned"]
    assert other["cadre_name"] == "刘商"
    assert "已由更合适的干部占满" in other["reasons"][0]

    run = approve(luohe.official, run, django_capture_on_commit_callbacks, today=date(2020, 2, 21))

    [deployment] = Deployment.objects.filter(matching_run=run)
    assert deployment.cadre == luohe.grain_cadre
    assert deployment.post == luohe.flour_mill
    assert deployment.role.code == "enterprise_commissioner"
    assert deployment.source == DeploymentSource.MATCHING
    assert deployment.campaign == luohe_campaign
    assert deployment.start_date == date(2020, 2, 21)
    assert run.status == MatchingRunStatus.APPROVED
    assert run.progress == 100
    assert run.approved_by == luohe.official
    assert AuditLog.objects.filter(
        object_type="dispatch.deployment", object_id=str(deployment.pk), action=AuditAction.CREATE
    ).exists()
    assert AuditLog.objects.filter(
        object_type="dispatch.matchingrun", object_id=str(run.pk), note__contains="新派 1 人"
    )
    mill_need.refresh_from_db()
    assert mill_need.campaign == luohe_campaign  # the standing need is now the campaign's


def test_a_plan_cannot_be_approved_twice(luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks):
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    approve(luohe.official, run, django_capture_on_commit_callbacks)
    with pytest.raises(ApplicationError) as exc:
        matching_run_approve(actor=luohe.official, run=run)
    assert exc.value.code == "already_approved"
    assert Deployment.objects.count() == 1


def test_approval_runs_in_the_background_and_a_second_approval_meanwhile_is_refused(
    luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks
):
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks() as queued:
        approving = matching_run_approve(actor=luohe.official, run=run, expected_version=run.version)
    assert approving.status == MatchingRunStatus.APPROVING
    assert approving.progress == 0
    assert len(queued) == 1  # the approval task, queued after the commit
    assert Deployment.objects.count() == 0
    with pytest.raises(ApplicationError) as exc:
        matching_run_approve(actor=luohe.official, run=run)
    assert exc.value.code == "approving"
    assert "正在后台生成任职" in exc.value.message
    with pytest.raises(ApplicationError) as exc:
        matching_run_rerun(actor=luohe.official, run=run)
    assert exc.value.code == "approving"
    with pytest.raises(ApplicationError) as exc:
        matching_run_adjust(
            actor=luohe.official, run=run, cadre=luohe.commerce_cadre, post=luohe.flour_mill, kind="pin"
        )
    assert exc.value.code == "approving"
    assert AuditLog.objects.filter(
        object_type="dispatch.matchingrun", object_id=str(run.pk), actor=luohe.official, note="提交批准"
    ).exists()

    queued[0]()  # the worker picks the task up

    run.refresh_from_db()
    assert run.status == MatchingRunStatus.APPROVED
    assert Deployment.objects.get().cadre == luohe.grain_cadre


def test_a_task_delivered_twice_approves_once(luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks):
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    matching_run_approve(actor=luohe.official, run=run)
    first = matching_run_approve_execute(run_id=run.pk, actor_id=luohe.official.pk)
    second = matching_run_approve_execute(run_id=run.pk, actor_id=luohe.official.pk)
    assert len(first) == 1
    assert second == []
    assert Deployment.objects.count() == 1


def test_a_failed_approval_writes_nothing_and_leaves_the_run_approvable_with_the_reason(
    luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks
):
    from frontline.dispatch.services import deployment_create
    from frontline.dispatch.tests.factories import role

    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    other = make_post("漯河某食品厂", region=luohe.flour_mill.region, unit=luohe.city)
    blocking = deployment_create(
        actor=None,
        cadre=luohe.grain_cadre,
        post=other,
        role=role("enterprise_commissioner"),
        start_date=date(2020, 1, 1),
    )
    run = approve(luohe.official, run, django_capture_on_commit_callbacks)
    assert run.status == MatchingRunStatus.DONE
    assert "未做任何选派" in run.error
    assert "王建粮" in run.error
    assert run.approved_by is None
    assert Deployment.objects.filter(post=luohe.flour_mill).count() == 0
    assert AuditLog.objects.filter(
        object_type="dispatch.matchingrun", object_id=str(run.pk), note__startswith="批准失败"
    ).exists()

    from frontline.dispatch.services import deployment_end

    deployment_end(actor=None, deployment=blocking, ended_on=date(2020, 2, 1), expected_version=blocking.version)
    run = approve(luohe.official, run, django_capture_on_commit_callbacks)
    assert run.status == MatchingRunStatus.APPROVED
    assert run.error == ""
    assert Deployment.objects.get(post=luohe.flour_mill).cadre == luohe.grain_cadre


def test_an_unexpected_error_during_approval_is_shown_and_rolled_back(
    luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks, monkeypatch
):
    from frontline.dispatch import runs

    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)

    def broken_audit_after_writes(*args: Any, **kwargs: Any) -> None:
        raise RuntimeError("disk full")

    monkeypatch.setattr(runs, "_supersede_others", broken_audit_after_writes)
    run = approve(luohe.official, run, django_capture_on_commit_callbacks)
    assert run.status == MatchingRunStatus.DONE
    assert "RuntimeError" in run.error
    assert Deployment.objects.count() == 0  # the deployments written before the error are rolled back


def test_an_empty_pool_is_explained_not_an_error(luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks):
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks, tag_ids=(999_999,))
    assert run.status == MatchingRunStatus.DONE
    assert run.result["totals"]["pool"] == 0
    [unfilled] = run.result["unfilled"]
    assert unfilled["reasons"] == ["人员池为空，没有可选派的干部。"]


def test_a_campaign_without_needs_explains_why_nobody_was_placed(
    luohe, luohe_campaign, django_capture_on_commit_callbacks
):
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    assert run.status == MatchingRunStatus.DONE
    assert {tuple(u["reasons"]) for u in run.result["unassigned"]} == {("本次没有待满足的岗位需求。",)}


def test_a_need_nobody_can_meet_says_why(luohe, luohe_campaign, django_capture_on_commit_callbacks):
    make_need(luohe.flour_mill, role_code="enterprise_commissioner", rank_min=Rank.BUREAU, rank_max=Rank.BUREAU)
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    [unfilled] = run.result["unfilled"]
    assert unfilled["missing"] == 1
    assert "符合条件的干部只有 0 名（职级不符 2 人）" in unfilled["reasons"][0]
    assert all("职级不符" in u["reasons"][0] for u in run.result["unassigned"])


def test_a_need_for_more_party_members_than_candidates_says_so(
    luohe, luohe_campaign, django_capture_on_commit_callbacks
):
    from frontline.cadres.models import PoliticalStatus

    luohe.commerce_cadre.political_status = PoliticalStatus.MASSES
    luohe.commerce_cadre.save()
    make_need(luohe.flour_mill, role_code="enterprise_commissioner", min_count=2, max_count=3, min_party_members=2)
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    reasons = " ".join(r for u in run.result["unfilled"] for r in u["reasons"])
    assert "需要 2 名党员，符合条件的党员只有 1 名" in reasons


def test_a_cadre_too_far_from_every_post_has_no_candidates_and_is_told_why(
    luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks
):
    far = make_cadre("远方", home_unit=luohe.commerce_bureau, home_latitude=39.9, home_longitude=116.4)
    luohe_campaign.max_distance_km = 50
    luohe_campaign.save()
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    [entry] = [u for u in run.result["unassigned"] if u["cadre_id"] == far.pk]
    assert entry["reasons"][0] == "没有可去的岗位：超出距离上限 1 个。"


def test_forbidding_a_pair_reruns_without_it(luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks):
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        new_run = matching_run_adjust(
            actor=luohe.official, run=run, cadre=luohe.grain_cadre, post=luohe.flour_mill, kind="forbid", reason="回避"
        )
    new_run.refresh_from_db()
    run.refresh_from_db()
    assert run.status == MatchingRunStatus.SUPERSEDED
    assert new_run.previous_run == run
    [match] = new_run.result["assignments"]
    assert match["cadre_name"] == "刘商"
    grain = next(u for u in new_run.result["unassigned"] if u["cadre_name"] == "王建粮")
    assert grain["reasons"] == ["没有可去的岗位：回避规则 1 个。", "人工排除：回避（漯河市某面粉厂）"]


def test_pinning_a_pair_keeps_it_in_every_later_run(
    luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks
):
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    with django_capture_on_commit_callbacks(execute=True):
        new_run = matching_run_adjust(
            actor=luohe.official, run=run, cadre=luohe.commerce_cadre, post=luohe.flour_mill, kind="pin"
        )
    new_run.refresh_from_db()
    [match] = new_run.result["assignments"]
    assert match["cadre_name"] == "刘商"
    assert match["pinned"]
    assert match["reasons"][0] == "人工锁定"
    assert MatchingRule.objects.filter(campaign=luohe_campaign, kind="pin").count() == 1


def test_a_rerun_after_approval_keeps_the_existing_deployment(
    luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks
):
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    run = approve(luohe.official, run, django_capture_on_commit_callbacks)
    [deployment] = Deployment.objects.filter(matching_run=run)
    with django_capture_on_commit_callbacks(execute=True):
        again = matching_run_rerun(actor=luohe.official, run=run)
    again.refresh_from_db()
    [match] = again.result["assignments"]
    assert match["change"] == "keep"
    assert "保留现岗位" in match["reasons"]
    assert again.result["totals"]["keep"] == 1
    again = approve(luohe.official, again, django_capture_on_commit_callbacks)
    assert again.status == MatchingRunStatus.APPROVED
    deployment.refresh_from_db()
    assert deployment.status == DeploymentStatus.ACTIVE
    assert Deployment.objects.count() == 1


def test_a_cadre_deployed_full_time_elsewhere_is_not_in_the_pool(
    luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks
):
    from frontline.dispatch.services import deployment_create
    from frontline.dispatch.tests.factories import role

    other = make_post("漯河某食品厂", region=luohe.flour_mill.region, unit=luohe.city)
    deployment_create(
        actor=None,
        cadre=luohe.grain_cadre,
        post=other,
        role=role("enterprise_commissioner"),
        start_date=date(2020, 1, 1),
    )
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    assert [a["cadre_name"] for a in run.result["assignments"]] == ["刘商"]
    assert run.result["totals"]["pool"] == 1


def test_a_plan_that_no_longer_fits_is_refused_whole(
    luohe, luohe_campaign, mill_need, django_capture_on_commit_callbacks
):
    from frontline.dispatch.services import deployment_create
    from frontline.dispatch.tests.factories import role

    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    other = make_post("漯河某食品厂", region=luohe.flour_mill.region, unit=luohe.city)
    deployment_create(
        actor=None,
        cadre=luohe.grain_cadre,
        post=other,
        role=role("enterprise_commissioner"),
        start_date=date(2020, 1, 1),
    )
    run = approve(luohe.official, run, django_capture_on_commit_callbacks)
    assert run.status == MatchingRunStatus.DONE
    assert run.error.startswith("方案计算后情况有变化，未做任何选派，请重新计算：")
    assert "王建粮" in run.error
    assert Deployment.objects.filter(post=luohe.flour_mill).count() == 0


def test_only_the_districts_cadres_enter_its_pool(world, django_capture_on_commit_callbacks):
    campaign = make_campaign(unit=world.xingang, targets={"enterprise": 1})
    make_need(world.xingang_enterprise, role_code="party_building_instructor")
    run = start(world.xingang_official, campaign, django_capture_on_commit_callbacks)
    names = {a["cadre_name"] for a in run.result["assignments"]} | {u["cadre_name"] for u in run.result["unassigned"]}
    assert names == {"陈明", "张文强", "李网格"}


def test_a_cadre_may_not_serve_their_own_residence_community():
    lives_here = CadreFacts(id=1, unit_id=1, unit_is_functional_department=False, residence_region_id="420222103001")
    lives_elsewhere = CadreFacts(
        id=2, unit_id=1, unit_is_functional_department=False, residence_region_id="420222103002"
    )
    community = PostFacts(id=10, kind="community", region_id="420222103001", unit_id=5)
    enterprise = PostFacts(id=11, kind="enterprise", region_id="420222103001", unit_id=5)
    assert own_residence([lives_here, lives_elsewhere], [community, enterprise]) == {
        (1, 10): "不得到本人居住的村（社区）任职"
    }
    assert regulator_of_enterprise([lives_here], [community, enterprise]) == {}


def test_a_functional_department_cadre_may_not_serve_an_enterprise_it_manages():
    regulator = CadreFacts(id=1, unit_id=5, unit_is_functional_department=True, residence_region_id=None)
    enterprise = PostFacts(id=11, kind="enterprise", region_id="411100000000", unit_id=5)
    assert forbidden_pairs([regulator], [enterprise]) == {(1, 11): "派出单位是该企业的主管部门"}


def test_a_cadre_may_not_serve_an_enterprise_their_department_manages(
    luohe, luohe_campaign, django_capture_on_commit_callbacks
):
    regulated = make_post("粮库直属企业", region=make_region("4111", "漯河市"), unit=luohe.grain_bureau)
    make_need(regulated, role_code="enterprise_commissioner")
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    assert [a["cadre_name"] for a in run.result["assignments"]] == ["刘商"]
    grain = next(u for u in run.result["unassigned"] if u["cadre_name"] == "王建粮")
    assert "派出单位是该企业的主管部门（粮库直属企业）" in grain["reasons"]


def test_the_post_kind_filter_uses_the_campaign_targets(luohe, luohe_campaign, django_capture_on_commit_callbacks):
    village = make_post("某村", kind=PostKind.VILLAGE, region=make_region("411102001001", "某村"), unit=luohe.city)
    make_need(village, role_code="first_secretary")  # a standing village need; the campaign only targets enterprises
    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    assert run.result["totals"]["needs"] == 0


def test_an_approval_whose_worker_died_may_be_asked_for_again(
    luohe, luohe_campaign, mill_need, client_for, django_capture_on_commit_callbacks
):
    from datetime import timedelta

    from django.urls import reverse
    from django.utils import timezone

    run = start(luohe.official, luohe_campaign, django_capture_on_commit_callbacks)
    matching_run_approve(actor=luohe.official, run=run)  # queued; the worker dies before it runs
    run.refresh_from_db()
    assert not run.approval_is_stalled
    MatchingRun.objects.filter(pk=run.pk).update(approval_requested_at=timezone.now() - timedelta(hours=2))
    run.refresh_from_db()
    assert run.approval_is_stalled
    html = client_for("luohe").get(run.get_absolute_url()).content.decode()
    assert "后台任务可能已中断" in html
    assert "重新提交批准" in html
    assert 'hx-trigger="every 1s"' not in html
    assert reverse("dispatch:run_approve", args=[run.pk]) in html

    run = approve(luohe.official, run, django_capture_on_commit_callbacks)
    assert run.status == MatchingRunStatus.APPROVED
    assert Deployment.objects.count() == 1
    assert AuditLog.objects.filter(
        object_type="dispatch.matchingrun", object_id=str(run.pk), note="批准任务中断，重新提交批准"
    ).exists()
