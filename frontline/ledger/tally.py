"""The problem tally: counts per post unit, department and state, kept in step with the problems.

Every write that changes a problem's post unit, department, status, overdue flag, send-back count,
unconfirmed deadline or unconfirmed closure calls `tally_move` in its own transaction, after the
write (the problem's row is locked or new by then). The board sums the tally over the user's
scope (`selectors.problem_figures`); `tally_check` compares it with a recount and `tally_rebuild`
replaces it with one (`frontline ledger_tally`).
"""

import os
from collections import Counter
from collections.abc import Iterable, Mapping
from typing import Any, NamedTuple

from django.db import connections, transaction
from django.db.models import Case, Count, Q, Sum, When

from frontline.ledger.models import Problem, ProblemTally

# Rows per key: writers in different processes add to different rows of a hot key.
TALLY_SLOTS = 8

_KEY_FIELDS = (
    "post_unit_id",
    "department_key",
    "status",
    "is_overdue",
    "sent_back",
    "deadline_unconfirmed",
    "closed_without_confirmation",
)


class TallyKey(NamedTuple):
    post_unit_id: int
    department_key: int
    status: str
    is_overdue: bool
    sent_back: bool
    deadline_unconfirmed: bool
    closed_without_confirmation: bool


def tally_key(problem: Problem) -> TallyKey:
    """Return the key the problem counts under now."""
    return TallyKey(
        post_unit_id=problem.post_unit_id,
        department_key=problem.department_id or 0,
        status=str(problem.status),
        is_overdue=bool(problem.is_overdue),
        sent_back=problem.send_back_count > 0,
        deadline_unconfirmed=bool(problem.deadline_unconfirmed),
        closed_without_confirmation=bool(problem.closed_without_confirmation),
    )


def tally_move(*, before: TallyKey | None, after: TallyKey | None) -> None:
    """Count one problem under `after` instead of `before` (None: a new problem, or a removed one)."""
    if before == after:
        return
    deltas: Counter[TallyKey] = Counter()
    if before is not None:
        deltas[before] -= 1
    if after is not None:
        deltas[after] += 1
    tally_apply(deltas)


def tally_apply(deltas: Mapping[TallyKey, int]) -> None:
    """Add `deltas` to the tally in one statement; call it inside the transaction of the change.

    Keys are written in sorted order, so that two writers never wait for each other's rows in a
    circle.
    """
    rows = sorted((key, delta) for key, delta in deltas.items() if delta)
    if not rows:
        return
    connection = connections[ProblemTally.objects.db]
    assert connection.in_atomic_block, "the tally must change in the transaction of the problem"
    qn = connection.ops.quote_name
    table = qn(ProblemTally._meta.db_table)
    columns = [*_KEY_FIELDS, "slot", "count"]  # the model's attribute names are its column names
    key_columns = ", ".join(qn(c) for c in columns[:-1])
    placeholders = "(" + ", ".join(["%s"] * len(columns)) + ")"
    slot = os.getpid() % TALLY_SLOTS
    params: list[Any] = []
    for key, delta in rows:
        params.extend([*key, slot, delta])
    count = qn("count")
    # Identifiers come from the model and are quoted by the backend; every value is a parameter.
    sql = (
        f"INSERT INTO {table} ({', '.join(qn(c) for c in columns)}) "  # noqa: S608
        f"VALUES {', '.join([placeholders] * len(rows))} "
        f"ON CONFLICT ({key_columns}) DO UPDATE SET {count} = {table}.{count} + EXCLUDED.{count}"
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, params)


def tally_recount() -> dict[TallyKey, int]:
    """Return the counts per key, counted from the problems themselves."""
    rows = (
        Problem.objects.order_by()
        .annotate(sent_back=Case(When(send_back_count__gt=0, then=True), default=False))
        .values(
            "post_unit_id",
            "department_id",
            "status",
            "is_overdue",
            "sent_back",
            "deadline_unconfirmed",
            "closed_without_confirmation",
        )
        .annotate(n=Count("id"))
        .values_list(
            "post_unit_id",
            "department_id",
            "status",
            "is_overdue",
            "sent_back",
            "deadline_unconfirmed",
            "closed_without_confirmation",
            "n",
        )
    )
    counts: Counter[TallyKey] = Counter()
    for post_unit_id, department_id, status, overdue, sent_back, unconfirmed, closed_unconfirmed, n in rows:
        key = TallyKey(post_unit_id, department_id or 0, status, overdue, sent_back, unconfirmed, closed_unconfirmed)
        counts[key] += n
    return dict(counts)


def tally_totals(scope: Q | None = None) -> dict[TallyKey, int]:
    """Return the tally's counts per key (summed over slots; keys that sum to 0 left out)."""
    rows = (
        ProblemTally.objects.filter(scope or Q())
        .order_by()
        .values(*_KEY_FIELDS)
        .annotate(n=Sum("count"))
        .values_list(*_KEY_FIELDS, "n")
    )
    return {TallyKey(*row[:-1]): row[-1] for row in rows if row[-1]}


def tally_check() -> dict[TallyKey, tuple[int, int]]:
    """Return {key: (tally, recount)} for every key where the two differ (empty: in step)."""
    totals, recount = tally_totals(), tally_recount()
    return {
        key: (totals.get(key, 0), recount.get(key, 0))
        for key in set(totals) | set(recount)
        if totals.get(key, 0) != recount.get(key, 0)
    }


@transaction.atomic
def tally_rebuild() -> int:
    """Replace the tally with a recount; return the number of keys.

    On PostgreSQL the tally is locked first: writers that changed a problem but have not reached
    their tally update yet wait, and their change (not seen by the recount) is added after it.
    """
    connection = connections[ProblemTally.objects.db]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute(f"LOCK TABLE {connection.ops.quote_name(ProblemTally._meta.db_table)} IN EXCLUSIVE MODE")
    counts = tally_recount()
    ProblemTally.objects.all().delete()
    _insert(counts.items())
    return len(counts)


def _insert(counts: Iterable[tuple[TallyKey, int]]) -> None:
    ProblemTally.objects.bulk_create(
        [
            ProblemTally(
                post_unit_id=key.post_unit_id,
                department_key=key.department_key,
                status=key.status,
                is_overdue=key.is_overdue,
                sent_back=key.sent_back,
                deadline_unconfirmed=key.deadline_unconfirmed,
                closed_without_confirmation=key.closed_without_confirmation,
                slot=0,
                count=n,
            )
            for key, n in counts
            if n
        ],
        batch_size=1000,
    )
