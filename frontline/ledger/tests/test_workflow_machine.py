"""A hypothesis state machine: random actions by random personas against the workflow.

No illegal or unauthorized transition is accepted, every accepted one writes exactly one
timeline event and one audit row and bumps the version, and the deadlines always equal the
working-day arithmetic of the clock start and the policy.
"""

from datetime import date
from typing import Any

import pytest
from hypothesis import HealthCheck, settings
from hypothesis import strategies as st
from hypothesis.stateful import (
    RuleBasedStateMachine,
    initialize,
    invariant,
    precondition,
    rule,
    run_state_machine_as_test,
)

from frontline.core.errors import ApplicationError
from frontline.core.models import AuditLog
from frontline.ledger.holidays import work_calendar
from frontline.ledger.models import Problem, ProblemEvent, ProblemStatus
from frontline.ledger.services import deadline_limits
from frontline.ledger.tests.factories import make_problem
from frontline.ledger.workdays import add_working_days
from frontline.ledger.workflow import TRANSITIONS, Action, Who, problem_transition

S = ProblemStatus
ACTIONS = [a for a in Action if a != Action.REGISTER]
PERSONAS = ["grid", "land", "env", "xingang", "province", "requester", "system"]


def expected_allowed(persona: str, who: Who, problem: Problem, lw: Any) -> bool:
    """An independent statement of who may act, by persona."""
    if who == Who.DEPARTMENT:
        return (persona, problem.department_id) in {("land", lw.land_bureau.pk), ("env", lw.env_bureau.pk)}
    if who == Who.SUPERVISOR:
        return persona in ("system", "xingang")
    if who == Who.FOLLOW_UP:
        return persona in ("requester", "grid", "xingang")
    return persona in ("grid", "xingang")


@pytest.mark.django_db
def test_random_action_sequences_keep_the_workflow_sound(lw):
    users = {
        "grid": lw.grid_head,
        "land": lw.land_clerk,
        "env": lw.env_clerk,
        "xingang": lw.xingang_official,
        "province": lw.province_official,
        "requester": None,
        "system": None,
    }
    departments = [lw.land_bureau, lw.env_bureau, lw.xingang, None]
    calendar = work_calendar()
    reached: set[str] = set()

    class Workflow(RuleBasedStateMachine):
        problem: Problem

        @initialize(today=st.dates(min_value=date(2026, 1, 1), max_value=date(2026, 12, 31)))
        def register(self, today: date) -> None:
            self.problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=today)
            self.today = today

        def _counts(self) -> tuple[int, int]:
            pk = self.problem.pk
            return (
                ProblemEvent.objects.filter(problem_id=pk).count(),
                AuditLog.objects.filter(object_type="ledger.problem", object_id=str(pk)).count(),
            )

        @rule(
            persona=st.sampled_from(PERSONAS),
            action=st.sampled_from(ACTIONS),
            department=st.sampled_from(departments),
            note=st.sampled_from(["", "  ", "已处理"]),
            resolution=st.sampled_from(["", "已解决"]),
            days_later=st.integers(min_value=0, max_value=20),
            stale=st.booleans(),
        )
        def act(self, persona, action, department, note, resolution, days_later, stale) -> None:
            self._attempt(persona, action, department, note, resolution, days_later, stale)

        @precondition(lambda self: hasattr(self, "problem") and self.problem.status != S.CLOSED)
        @rule(data=st.data())
        def act_plausibly(self, data) -> None:
            """Mostly legal actions, so that sequences reach the later states."""
            legal = sorted(a for (state, a) in TRANSITIONS if state == self.problem.status)
            action = data.draw(st.sampled_from(legal))
            who = TRANSITIONS[(self.problem.status, action)].who
            able = [p for p in PERSONAS if expected_allowed(p, who, self.problem, lw)] or PERSONAS
            self._attempt(
                data.draw(st.sampled_from(able)),
                action,
                data.draw(st.sampled_from(departments[:2])),
                "已处理",
                "已解决",
                data.draw(st.integers(min_value=0, max_value=10)),
                False,
            )

        def _attempt(self, persona, action, department, note, resolution, days_later, stale) -> None:
            before = Problem.objects.get(pk=self.problem.pk)
            events, audits = self._counts()
            today = date.fromordinal(self.today.toordinal() + days_later)
            version = before.version - 1 if stale else before.version
            try:
                after = problem_transition(
                    actor=users[persona],
                    problem=before,
                    action=action,
                    expected_version=version,
                    as_requester=persona == "requester",
                    today=today,
                    note=note,
                    resolution=resolution,
                    department=department,
                )
            except ApplicationError:
                current = Problem.objects.get(pk=self.problem.pk)
                assert (current.status, current.version) == (before.status, before.version)
                assert self._counts() == (events, audits)
                return
            self.today = today
            rule_ = TRANSITIONS.get((before.status, action))
            assert not stale, "a stale version was accepted"
            assert rule_ is not None, f"illegal {action} from {before.status} accepted"
            assert expected_allowed(persona, rule_.who, before, lw), f"{persona} may not {action}"
            if action in (Action.SEND_BACK, Action.REOPEN, Action.CLOSE_UNCONFIRMED):
                assert note.strip(), "a reason was required"
            assert after.version == before.version + 1
            assert after.status == (rule_.to or before.status)
            assert self._counts() == (events + 1, audits + 1)
            event = ProblemEvent.objects.filter(problem_id=after.pk).last()
            assert event is not None
            assert (event.from_status, event.to_status, event.action) == (
                before.status,
                after.status,
                action,
            )
            self.problem = after
            reached.add(after.status)

        @invariant()
        def deadlines_are_consistent(self) -> None:
            if not hasattr(self, "problem"):
                return
            p = Problem.objects.select_related("category").get(pk=self.problem.pk)
            limits = deadline_limits(p.category, p.level)
            clock = p.clock_started_on
            assert clock is not None
            if p.status in (S.REGISTERED, S.SENT_BACK):
                assert p.handover_due == add_working_days(clock, limits.handover_days, calendar).due
            if p.status in (S.HANDED_OVER, S.IN_PROGRESS):
                assert p.department is not None
                assert p.feedback_due == add_working_days(clock, limits.feedback_days, calendar).due
                assert p.resolve_due == add_working_days(clock, limits.resolve_days, calendar).due
            if p.status == S.SUPERVISED:
                assert p.resolve_due == add_working_days(clock, limits.resolve_days, calendar).due
            if p.status == S.CLOSED:
                assert p.closed_at is not None
            assert not p.closed_without_confirmation or p.close_reason.strip()
            assert p.send_back_count == p.events.filter(action="send_back").count()

    run_state_machine_as_test(
        Workflow,
        settings=settings(
            max_examples=20,
            derandomize=True,  # the same sequences on every run and database
            stateful_step_count=25,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    assert set(ProblemStatus) - {S.REGISTERED} <= reached, "the machine should visit every state"
