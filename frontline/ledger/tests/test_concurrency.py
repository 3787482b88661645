"""Two people act on the same problem at once: exactly one wins (SQLite and PostgreSQL alike)."""

import threading
from collections.abc import Callable

import pytest
from django.db import connection

from frontline.core.errors import ConflictError
from frontline.ledger.models import Problem
from frontline.ledger.services import ProblemData, problem_create
from frontline.ledger.tests.factories import act, build_ledger_world, category, make_problem
from frontline.ledger.workflow import problem_transition

pytestmark = pytest.mark.django_db(transaction=True)


@pytest.fixture(autouse=True)
def _real_concurrency() -> None:
    # The in-memory SQLite test database shares one cache between threads and fails a second
    # writer at once ("table is locked") instead of waiting: run these on a file or PostgreSQL.
    if connection.vendor == "sqlite" and connection.is_in_memory_db():  # type: ignore[attr-defined]
        pytest.skip("needs PostgreSQL or SQLITE_TEST_NAME=<file> for concurrent writers")


def run_together(*jobs: Callable[[], object]) -> list[object]:
    """Run the callables in threads released at the same moment; return their results or errors."""
    barrier = threading.Barrier(len(jobs))
    results: list[object] = [None] * len(jobs)

    def run(i, job):
        try:
            barrier.wait()
            results[i] = job()
        except Exception as exc:
            results[i] = exc
        finally:
            connection.close()

    threads = [threading.Thread(target=run, args=(i, job)) for i, job in enumerate(jobs)]
    for t in threads:
        t.start()
    for t in threads:
        t.join()
    return results


def test_of_two_concurrent_transitions_one_wins_and_the_other_gets_a_conflict(world):
    lw = build_ledger_world(world)
    problem = make_problem(actor=lw.grid_head, post=lw.xingang_enterprise)
    act(problem, lw.grid_head, "hand_over", department=lw.land_bureau)
    problem.refresh_from_db()
    version = problem.version

    def accept():
        return problem_transition(actor=lw.land_clerk, problem=problem, action="accept", expected_version=version)

    def send_back():
        return problem_transition(
            actor=lw.land_clerk, problem=problem, action="send_back", expected_version=version, note="非本部门职责"
        )

    results = run_together(accept, send_back)
    winners = [r for r in results if isinstance(r, Problem)]
    losers = [r for r in results if isinstance(r, ConflictError)]
    assert (len(winners), len(losers)) == (1, 1), results
    problem.refresh_from_db()
    assert problem.version == version + 1
    assert problem.events.count() == 3


def test_concurrent_submissions_with_one_idempotency_key_create_one_problem(world):
    lw = build_ledger_world(world)
    land = category()

    def submit():
        data = ProblemData(post=lw.xingang_enterprise, category=land, description="重复提交")
        return problem_create(actor=lw.grid_head, data=data, idempotency_key="retry-42")[0].pk

    results = run_together(submit, submit, submit)
    assert all(isinstance(r, int) for r in results), results
    assert len(set(results)) == 1
    assert Problem.objects.count() == 1
