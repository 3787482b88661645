"""The problem workflow: one table, one service; guards, permissions, versions, audit, escalation."""

from datetime import date, timedelta

import pytest
from django.utils import timezone

from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditLog
from frontline.ledger.models import (
    EscalationLevel,
    EscalationOwner,
    Notification,
    Problem,
    ProblemEvent,
    ProblemStatus,
)
from frontline.ledger.services import escalate_overdue, rating_submit
from frontline.ledger.tests.factories import act, make_problem
from frontline.ledger.workflow import allowed_actions, problem_transition

pytestmark = pytest.mark.django_db
S = ProblemStatus


def test_the_whole_loop_from_registration_to_the_requesters_rating(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, requester_phone="13912345678")
    assert problem.status == S.REGISTERED
    assert problem.handover_due is not None
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    act(problem, lw.land_clerk, "accept")
    act(problem, lw.land_clerk, "update", note="已与企业对接，补齐土地预审材料。", public=True)
    act(problem, lw.land_clerk, "resolve", resolution="用地预审已批复。")
    rating_submit(code=problem.tracking_code, score=5, comment="很及时")
    problem.refresh_from_db()
    assert problem.status == S.CLOSED
    assert problem.closed_without_confirmation is False
    actions = list(problem.events.values_list("action", flat=True))
    assert actions == ["register", "hand_over", "accept", "update", "resolve", "confirm"]
    assert AuditLog.objects.filter(object_type="ledger.problem", object_id=str(problem.pk)).count() == 6
    assert problem.version == 6
    assert problem.requester_phone_masked == "139****5678"
    assert "13912345678" not in problem.requester_phone_encrypted


def test_an_unsatisfied_rating_reopens_the_problem_under_supervision(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    act(problem, lw.land_clerk, "accept")
    act(problem, lw.land_clerk, "resolve", resolution="已答复。")
    rating_submit(code=problem.tracking_code, score=2, comment="没解决")
    problem.refresh_from_db()
    assert (problem.status, problem.reopen_count) == (S.SUPERVISED, 1)
    assert problem.resolve_due is not None
    with pytest.raises(ApplicationError, match="只能评价一次"):
        rating_submit(code=problem.tracking_code, score=5)


def test_a_send_back_needs_a_reason_is_counted_and_the_sender_must_re_route(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "hand_over", department=lw.env_bureau)
    with pytest.raises(ApplicationError, match="请填写理由"):
        act(problem, lw.env_clerk, "send_back", note="  ")
    act(problem, lw.env_clerk, "send_back", note="属于自然资源部门职责")
    problem.refresh_from_db()
    assert (problem.status, problem.send_back_count, problem.department) == (S.SENT_BACK, 1, None)
    assert ProblemEvent.objects.filter(problem=problem, action="send_back").get().department == lw.env_bureau
    with pytest.raises(ApplicationError, match="不能执行“签收”"):
        act(problem, lw.env_clerk, "accept")
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    problem.refresh_from_db()
    assert (problem.status, problem.department) == (S.HANDED_OVER, lw.land_bureau)


def test_an_illegal_transition_is_refused_with_a_message_and_changes_nothing(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    with pytest.raises(ApplicationError, match="当前状态为“已登记”，不能执行“办结”") as info:
        act(problem, lw.grid_head, "resolve", resolution="x")
    assert info.value.code == "illegal_transition"
    problem.refresh_from_db()
    assert (problem.status, problem.version) == (S.REGISTERED, 1)


def test_an_unknown_action_is_refused(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    with pytest.raises(ApplicationError, match="未知的操作"):
        act(problem, lw.grid_head, "delete")


def test_only_the_handling_department_may_accept(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    for outsider in (lw.env_clerk, lw.grid_head, lw.xingang_official):
        with pytest.raises(ApplicationError, match="无权") as info:
            act(problem, outsider, "accept")
        assert info.value.code == "forbidden"


def test_problems_go_only_to_functional_departments(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    with pytest.raises(ApplicationError, match="不是职能部门"):
        act(problem, lw.grid_head, "hand_over", department=lw.xingang)
    with pytest.raises(ApplicationError, match="请选择承办的职能部门"):
        act(problem, lw.grid_head, "hand_over")


def test_a_stale_version_is_a_conflict(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    with pytest.raises(ConflictError, match="已被他人处理") as info:
        problem_transition(actor=lw.land_clerk, problem=problem, action="accept", expected_version=1)
    assert info.value.extra["current_version"] == 2


def test_closing_without_confirmation_needs_a_reason_and_is_flagged(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    act(problem, lw.land_clerk, "accept")
    act(problem, lw.land_clerk, "resolve", resolution="已办结")
    with pytest.raises(ApplicationError, match="请填写理由"):
        act(problem, lw.grid_head, "close_unconfirmed")
    act(problem, lw.grid_head, "close_unconfirmed", note="诉求人电话停机，三次回访未接通")
    problem.refresh_from_db()
    assert problem.status == S.CLOSED
    assert problem.closed_without_confirmation
    assert "停机" in problem.close_reason


def test_the_buttons_offered_match_the_table_and_the_persona(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    assert set(allowed_actions(lw.grid_head, problem)) == {"hand_over", "close_unconfirmed"}
    assert allowed_actions(lw.land_clerk, problem) == []
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    problem.refresh_from_db()
    assert set(allowed_actions(lw.land_clerk, problem)) == {"accept", "send_back"}
    assert allowed_actions(lw.grid_head, problem) == []
    assert allowed_actions(lw.xingang_official, problem) == ["escalate"]


def test_same_day_acknowledgement_is_measured(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    act(problem, lw.land_clerk, "accept")
    problem.refresh_from_db()
    assert problem.acknowledged_same_day is True


def test_the_same_idempotency_key_creates_one_problem(lw):
    first = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, key="tap-1")
    second = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, key="tap-1")
    assert first.pk == second.pk
    assert Problem.objects.count() == 1
    third = make_problem(actor=lw.xingang_official, post=lw.xingang_enterprise, key="tap-1")
    assert third.pk != first.pk  # keys belong to the person who sent them


def test_an_overdue_problem_is_escalated_once_and_its_owner_notified(
    lw, mailoutbox, django_capture_on_commit_callbacks
):
    county_owner = lw.xingang_official
    county_owner.email = "xingang@example.org"
    county_owner.save()
    EscalationOwner.objects.create(unit=lw.huangshi, level=EscalationLevel.COUNTY, user=county_owner)
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=date(2026, 3, 2))
    assert problem.level == EscalationLevel.TOWNSHIP
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau, today=date(2026, 3, 2))
    act(problem, lw.land_clerk, "accept", today=date(2026, 3, 2))
    problem.refresh_from_db()
    assert problem.feedback_due == date(2026, 3, 5)
    assert escalate_overdue(today=date(2026, 3, 5)) == {"escalated": 0, "marked": 0, "skipped": 0}
    with django_capture_on_commit_callbacks(execute=True):
        assert escalate_overdue(today=date(2026, 3, 6)) == {"escalated": 1, "marked": 0, "skipped": 0}
    problem.refresh_from_db()
    assert (problem.level, problem.owner, problem.is_overdue) == (EscalationLevel.COUNTY, county_owner, True)
    assert Notification.objects.filter(user=county_owner, kind="overdue", problem=problem).count() == 1
    assert len(mailoutbox) == 1
    assert "超期" in mailoutbox[0].subject
    assert escalate_overdue(today=date(2026, 3, 9))["escalated"] == 0
    assert problem.events.filter(action="escalate").count() == 1


def test_a_first_feedback_clears_the_overdue_flag_of_the_feedback_deadline(lw):
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=date(2026, 3, 2))
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau, today=date(2026, 3, 2))
    act(problem, lw.land_clerk, "accept", today=date(2026, 3, 2))
    escalate_overdue(today=date(2026, 3, 6))
    act(problem, lw.land_clerk, "update", note="材料已受理", today=date(2026, 3, 6))
    problem.refresh_from_db()
    assert problem.is_overdue is False


def test_the_daily_command_escalates_and_prunes_old_rate_limit_records(lw, capsys):
    from django.core.management import call_command

    from frontline.ledger.models import IntakeAttempt

    IntakeAttempt.objects.create(client_hash="x", created_at=timezone.now() - timedelta(days=2))
    make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=date(2026, 3, 2))
    call_command("escalate_overdue", "--today", "2026-03-10")
    assert "escalated=1" in capsys.readouterr().out
    assert IntakeAttempt.objects.count() == 0
