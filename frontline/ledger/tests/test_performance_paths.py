"""The fast paths behind the ledger benchmark: the board's tally and lists, and API registration.

Each one must give exactly what the plain way gives: the tally equals a recount after any
sequence of writes, the board's figures equal counts of the problems in scope, the limited lists
are the first rows of the full ones, and a registration through the cached paths is the same
registration in fewer queries.
"""

import itertools
import time
from datetime import date, timedelta
from typing import Any

import pytest
from django.core.management import CommandError, call_command
from django.db import connection
from django.db.models import F
from django.test import Client
from django.test.utils import CaptureQueriesContext
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

from frontline import api as frontline_api
from frontline.core.errors import ApplicationError
from frontline.core.models import ApiToken, DataScope, User
from frontline.core.testing import make_role, make_user
from frontline.ledger import services
from frontline.ledger.holidays import holiday_set
from frontline.ledger.models import (
    OPEN_STATUSES,
    DeadlinePolicy,
    EscalationLevel,
    EscalationOwner,
    HolidayKind,
    Problem,
    ProblemCategory,
    ProblemStatus,
    ProblemTally,
)
from frontline.ledger.selectors import (
    get_postable_post,
    postable_posts,
    problem_figures,
    problem_list,
    supervisor_board,
)
from frontline.ledger.services import escalate_overdue
from frontline.ledger.tally import tally_check, tally_recount, tally_totals
from frontline.ledger.tests.factories import act, make_problem
from frontline.ledger.workflow import TRANSITIONS, Action, Who, problem_transition
from frontline.posts.models import Post

pytestmark = pytest.mark.django_db

S = ProblemStatus
# Workflow actions, those that move a problem forward first (hypothesis draws early ones more).
FORWARD = [
    Action.HAND_OVER,
    Action.ACCEPT,
    Action.RESOLVE,
    Action.UPDATE,
    Action.REOPEN,
    Action.CONFIRM,
    Action.SEND_BACK,
    Action.CLOSE_UNCONFIRMED,
]


def counted_figures(user: User) -> dict[str, int]:
    """The board's figures counted from the problems in scope, one by one."""
    rows = list(problem_list(user=user))
    open_ = [p for p in rows if p.status in OPEN_STATUSES]
    return {
        "open": len(open_),
        "overdue": sum(p.is_overdue for p in open_),
        "sent_back": sum(p.send_back_count > 0 for p in open_),
        "supervised": sum(p.status == S.SUPERVISED for p in rows),
        "closed_unconfirmed": sum(p.closed_without_confirmation for p in rows),
        "unconfirmed_deadlines": sum(p.deadline_unconfirmed for p in open_),
    }


def everyone(lw) -> list[User]:
    superuser = User.objects.filter(is_superuser=True).first() or User.objects.create_superuser("root", password="x")
    return [*lw.world.personas().values(), lw.land_clerk, lw.env_clerk, lw.admin, superuser]


def test_the_tally_equals_a_recount_and_the_figures_a_count_after_any_sequence_of_writes(lw):
    """Registrations, every workflow action, the overdue job and a calendar change, in random order."""
    posts = [lw.xingang_enterprise, lw.zengdu_project]
    registrars = {
        lw.xingang_enterprise.pk: [lw.grid_head, lw.xingang_official],
        lw.zengdu_project.pk: [lw.zengdu_official],
    }
    departments = [lw.land_bureau, lw.env_bureau]
    clerks = {lw.land_bureau.pk: lw.land_clerk, lw.env_bureau.pk: lw.env_clerk}
    users = everyone(lw)
    start = date(2026, 11, 2)
    reached: set[str] = set()

    class Writes(RuleBasedStateMachine):
        @initialize()
        def begin(self) -> None:
            self.today = start
            self.problems: list[int] = []

        @precondition(lambda self: len(self.problems) < 3)
        @rule(post=st.sampled_from(posts), public=st.booleans(), pick=st.integers(0, 1))
        def register(self, post: Post, public: bool, pick: int) -> None:
            actor = None if public else registrars[post.pk][pick % len(registrars[post.pk])]
            problem = make_problem(actor=actor, post=post, today=self.today, source="public" if public else "visit")
            self.problems.append(problem.pk)

        @precondition(lambda self: bool(self.problems))
        @rule(data=st.data())
        def transition(self, data: st.DataObject) -> None:
            problem = Problem.objects.get(pk=data.draw(st.sampled_from(self.problems)))
            legal = [a for a in FORWARD if (problem.status, a) in TRANSITIONS]
            if not legal:
                return
            action = data.draw(st.sampled_from(legal))
            who = TRANSITIONS[(problem.status, action)].who
            actor: User | None
            if who == Who.DEPARTMENT:
                actor = clerks.get(problem.department_id or 0, lw.xingang_official)
            elif who == Who.FOLLOW_UP:
                actor = None
            else:
                actor = lw.xingang_official if problem.post_id == lw.xingang_enterprise.pk else lw.zengdu_official
            try:
                after = problem_transition(
                    actor=actor,
                    problem=problem,
                    action=action,
                    expected_version=problem.version,
                    as_requester=actor is None,
                    today=self.today,
                    department=data.draw(st.sampled_from(departments)),
                    note="说明",
                    resolution="已解决",
                )
            except ApplicationError:
                return  # refused: nothing changed, which the invariants check as well
            reached.add(after.status)

        @precondition(lambda self: bool(self.problems))
        @rule(data=st.data())
        def another_transition(self, data: st.DataObject) -> None:
            """Twice as likely as the other writes, so that sequences reach the later states."""
            self.transition(data)

        @rule(days=st.integers(1, 25))
        def time_passes_and_the_overdue_job_runs(self, days: int) -> None:
            self.today += timedelta(days=days)
            escalate_overdue(today=self.today)

        @rule(offset=st.integers(0, 60))
        def an_administrator_enters_a_holiday(self, offset: int) -> None:
            day = start + timedelta(days=offset)
            if day.weekday() < 5:
                holiday_set(actor=lw.admin, day=day, kind=HolidayKind.HOLIDAY, name="测试")

        @invariant()
        def the_tally_is_in_step(self) -> None:
            assert tally_check() == {}

        @invariant()
        def the_figures_are_counts(self) -> None:
            for user in users:
                assert problem_figures(user=user) == counted_figures(user), user.username

    run_state_machine_as_test(
        Writes,
        settings=settings(
            max_examples=8,
            derandomize=True,
            stateful_step_count=30,
            deadline=None,
            suppress_health_check=[HealthCheck.too_slow, HealthCheck.function_scoped_fixture],
        ),
    )
    assert len(reached) >= 3


def test_the_tally_and_the_figures_stay_right_through_every_kind_of_write(lw):
    """One problem through the whole workflow, another closed unconfirmed, the overdue job and a
    calendar change; after each write the tally equals a recount and the figures equal counts."""
    users = everyone(lw)

    def check() -> None:
        assert tally_check() == {}
        for user in users:
            assert problem_figures(user=user) == counted_figures(user), user.username

    day = date(2026, 11, 2)
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=day)
    other = make_problem(actor=None, post=lw.zengdu_project, source="public", today=day)
    check()
    steps = [
        (lw.grid_head, "hand_over", {"department": lw.land_bureau}),
        (lw.land_clerk, "send_back", {"note": "不属本部门"}),
        (lw.grid_head, "hand_over", {"department": lw.env_bureau}),
        (lw.env_clerk, "accept", {}),
        (lw.env_clerk, "update", {"note": "正在协调"}),
        (lw.env_clerk, "resolve", {"resolution": "已协调解决"}),
        (None, "reopen", {"note": "不满意", "as_requester": True}),
        (lw.env_clerk, "resolve", {"resolution": "再次解决"}),
        (None, "confirm", {"as_requester": True}),
    ]
    for actor, action, fields in steps:
        problem = act(problem, actor, action, today=day, **fields)
        check()
    assert problem.status == S.CLOSED
    act(other, lw.zengdu_official, "close_unconfirmed", note="重复提交", today=day)
    check()
    late = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=day)
    act(late, lw.grid_head, "hand_over", department=lw.land_bureau, today=day)
    make_problem(actor=lw.zengdu_official, post=lw.zengdu_project, today=day)
    result = escalate_overdue(today=day + timedelta(days=40))
    assert result["escalated"] == 2
    check()
    assert escalate_overdue(today=day + timedelta(days=41))["escalated"] == 0
    check()
    # At the county level it cannot go higher: sent back (a new clock) and late again, it is marked.
    late = act(late, lw.land_clerk, "send_back", note="退回", today=day + timedelta(days=41))
    assert (late.level, late.is_overdue) == (EscalationLevel.COUNTY, False)
    check()
    assert escalate_overdue(today=day + timedelta(days=50)) == {"escalated": 0, "marked": 1, "skipped": 0}
    check()
    holiday_set(actor=lw.admin, day=date(2026, 11, 3), kind=HolidayKind.HOLIDAY, name="测试")
    check()
    assert ProblemTally.objects.filter(is_overdue=True, count__gt=0).exists()


def test_the_board_figures_count_only_problems_in_scope(lw):
    mine = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(mine, lw.grid_head, "hand_over", department=lw.land_bureau)
    act(mine, lw.land_clerk, "send_back", note="不属本部门")
    make_problem(actor=lw.zengdu_official, post=lw.zengdu_project)
    assert problem_figures(user=lw.xingang_official)["sent_back"] == 1
    assert problem_figures(user=lw.zengdu_official) == {**counted_figures(lw.zengdu_official), "open": 1}
    assert problem_figures(user=lw.jiangsu_official) == dict.fromkeys(counted_figures(lw.jiangsu_official), 0)
    # The land bureau saw it while it was handed to it; sent back, it is no longer in its scope.
    assert problem_figures(user=lw.land_clerk)["open"] == 0
    for user in everyone(lw):
        assert problem_figures(user=user) == counted_figures(user), user.username


def test_the_board_lists_with_a_limit_are_the_first_rows_of_the_full_lists(lw):
    for i in range(6):
        problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, description=f"问题{i}")
        act(
            problem,
            lw.grid_head,
            "hand_over",
            department=[lw.land_bureau, lw.env_bureau][i % 2],
            today=date(2026, 3, 2),
        )
        if i % 3 == 0:
            act(problem, [lw.land_clerk, lw.env_clerk][i % 2], "send_back", note="退回", today=date(2026, 3, 2))
    make_problem(actor=lw.zengdu_official, post=lw.zengdu_project, today=date(2026, 3, 2))
    escalate_overdue(today=date(2026, 4, 1))
    for user in everyone(lw):
        full, limited = supervisor_board(user=user), supervisor_board(user=user, limit=3)
        for name in ("overdue", "sent_back", "supervised"):
            assert list(limited[name]) == list(full[name][:3]), (user.username, name)
    assert len(supervisor_board(user=lw.xingang_official, limit=3)["overdue"]) == 3


def test_the_tally_command_finds_a_drift_and_rebuilds_the_tally(lw, capsys):
    make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    make_problem(actor=None, post=lw.zengdu_project, source="public")
    call_command("ledger_tally")
    assert "in step" in capsys.readouterr().out
    ProblemTally.objects.filter(pk=ProblemTally.objects.order_by("pk")[0].pk).update(count=F("count") + 5)
    with pytest.raises(CommandError, match="1 keys"):
        call_command("ledger_tally")
    call_command("ledger_tally", "--rebuild")
    assert tally_totals() == tally_recount()
    assert set(ProblemTally.objects.values_list("slot", flat=True)) == {0}
    call_command("ledger_tally")


def test_a_post_is_postable_exactly_when_postable_posts_holds_it(lw):
    other = Post.objects.create(kind="enterprise", name="外省企业", region=lw.jiangsu_post.region, unit=lw.lianyungang)
    for user in everyone(lw):
        allowed = set(postable_posts(user=user).values_list("pk", flat=True))
        for post in Post.objects.all():
            try:
                found = get_postable_post(user=user, pk=post.pk)
            except Exception:
                assert post.pk not in allowed, (user.username, post.name)
            else:
                assert found.pk in allowed, (user.username, post.name)
    assert other.pk not in set(postable_posts(user=lw.xingang_official).values_list("pk", flat=True))


TRANSACTION_CONTROL = ("BEGIN", "COMMIT", "SAVEPOINT", "RELEASE SAVEPOINT")


def bearer_client(user: User) -> Client:
    _token, key = ApiToken.issue(user)
    return Client(headers={"Authorization": f"Bearer {key}"})


def test_an_api_registration_takes_five_statements_once_the_caches_are_warm(lw):
    c = bearer_client(lw.grid_head)
    category = ProblemCategory.objects.get(code="livelihood").pk

    def post(key: str) -> dict[str, Any]:
        body = {"post_id": lw.xingang_enterprise.pk, "category_id": category, "description": f"老人买药难 {key}"}
        response = c.post("/api/v1/problems", body, content_type="application/json", headers={"Idempotency-Key": key})
        assert response.status_code in (200, 201), response.content
        answer: dict[str, Any] = response.json()
        return answer

    first = post("a")
    # The post; then in one transaction the problem (its cadre chosen inside the INSERT), the
    # register event, the audit row and the tally. Token, roles, cadre record, category, policy
    # and level owner come from this process's caches.
    with CaptureQueriesContext(connection) as captured:
        second = post("b")
    statements = [q["sql"] for q in captured.captured_queries if not q["sql"].startswith(TRANSACTION_CONTROL)]
    assert [sql.split()[0:3] for sql in statements] == [
        ["SELECT", 'a."id",', 'a."kind",'],  # the post with its unit (frontline.core.inserts)
        ["INSERT", "INTO", '"ledger_problem"'],
        ["INSERT", "INTO", '"ledger_problemevent"'],
        ["INSERT", "INTO", '"core_auditlog"'],
        ["INSERT", "INTO", '"ledger_problemtally"'],
    ]
    assert post("a")["id"] == first["id"]  # a retry with the same key answers the first problem
    assert Problem.objects.filter(pk__in=[first["id"], second["id"]]).count() == 2
    assert Problem.objects.get(pk=second["id"]).cadre == lw.grid_cadre
    assert set(second) == set(first)


def test_a_tracking_code_collision_is_retried_with_a_new_code(lw, monkeypatch):
    taken = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise).tracking_code
    codes = itertools.chain([taken, "NEWCODE234"], iter(services.new_tracking_code, None))
    monkeypatch.setattr(services, "new_tracking_code", lambda: next(codes))
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, description="另一个问题", key="k")
    assert problem.tracking_code == "NEWCODE234"
    assert Problem.objects.count() == 2
    assert tally_check() == {}
    again = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, description="另一个问题", key="k")
    assert again.pk == problem.pk


def test_a_retry_whose_input_is_no_longer_valid_still_answers_the_first_problem(lw):
    first = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, category_code="livelihood", key="k")
    ProblemCategory.objects.filter(code="livelihood").update(is_active=False)
    services.forget_reference_data()
    again = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, category_code="livelihood", key="k")
    assert again.pk == first.pk
    with pytest.raises(services.ProblemValidationError):
        make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, category_code="livelihood", key="other")


def test_a_cached_principal_is_copied_for_each_request(lw):
    _token, key = ApiToken.issue(lw.xingang_official)
    first = frontline_api.bearer_user(key)
    second = frontline_api.bearer_user(key)
    assert first is not None
    assert second is not None
    assert first is not second
    assert first.pk == second.pk
    first.marker = "request one"  # type: ignore[attr-defined]
    assert not hasattr(frontline_api.bearer_user(key), "marker")


def test_a_role_change_reaches_api_requests_once_the_principal_cache_expires(lw, settings, monkeypatch):
    c = bearer_client(lw.grid_head)
    assert c.get("/api/v1/auth/me").json()["scope"] == DataScope.OWN
    lw.grid_head.roles.set([make_role("grid-supervisor", DataScope.SUBTREE)])
    assert c.get("/api/v1/auth/me").json()["scope"] == DataScope.OWN  # still cached
    later = time.monotonic() + 6
    monkeypatch.setattr(time, "monotonic", lambda: later)
    assert c.get("/api/v1/auth/me").json()["scope"] == DataScope.SUBTREE
    settings.API_AUTH_CACHE_SECONDS = 0
    lw.grid_head.is_active = False
    lw.grid_head.save(update_fields=["is_active"])
    assert c.get("/api/v1/auth/me").status_code == 401


def test_a_policy_or_owner_saved_in_this_process_applies_to_the_next_registration(lw):
    before = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=date(2026, 3, 2))
    assert before.owner == lw.grid_head
    owner = make_user("park-owner", unit=lw.xingang, roles=[])
    EscalationOwner.objects.create(unit=lw.xingang, level=EscalationLevel.TOWNSHIP, user=owner)
    DeadlinePolicy.objects.create(category=before.category, handover_days=3)
    after = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise, today=date(2026, 3, 2))
    assert after.owner == owner
    assert after.handover_due == date(2026, 3, 5)
    assert before.handover_due == date(2026, 3, 3)
