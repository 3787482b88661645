"""Similar resolved problems ("has anyone solved this before?"), within what the user may see.

One BM25 index of resolved and closed problems is kept per process and rebuilt when it is
older than FRONTLINE_SIMILAR_INDEX_SECONDS (default 300). A query takes the best candidates from
the whole index and keeps those in the user's scope, widening the candidate set until enough
are found, so the index never holds scope and a narrow scope never sees others' rows.
"""

import threading
import time
from dataclasses import dataclass

from django.conf import settings

from frontline.core.models import User
from frontline.ledger.models import Problem, ProblemStatus
from frontline.ledger.textsearch import Hit, SimilarIndex

# A scope with more resolved problems than this is wide enough for the first pass to find cases.
MASK_MAX_IDS = 200_000

_lock = threading.Lock()
_cache: dict[str, tuple[float, SimilarIndex]] = {}


def problem_text(problem: Problem) -> str:
    """Return the text a problem is indexed and queried by."""
    return f"{problem.title} {problem.description} {problem.solution_plan} {problem.resolution}"


def build_index() -> SimilarIndex:
    rows = Problem.objects.filter(status__in=(ProblemStatus.RESOLVED, ProblemStatus.CLOSED)).values_list(
        "pk", "title", "description", "solution_plan", "resolution"
    )
    return SimilarIndex.from_texts((pk, f"{t} {d} {p} {r}") for pk, t, d, p, r in rows.iterator(chunk_size=5000))


def current_index() -> SimilarIndex:
    """Return the process's index, rebuilding it when it has expired."""
    max_age = float(getattr(settings, "FRONTLINE_SIMILAR_INDEX_SECONDS", 300))
    with _lock:
        cached = _cache.get("index")
        if cached is None or time.monotonic() - cached[0] > max_age:
            cached = (time.monotonic(), build_index())
            _cache["index"] = cached
        return cached[1]


def reset_index() -> None:
    """Forget the cached index (tests, or after a bulk load)."""
    with _lock:
        _cache.clear()


@dataclass
class SimilarCase:
    problem: Problem
    score: float


def similar_problems(*, user: User, text: str, exclude_pk: int | None = None, k: int = 5) -> list[SimilarCase]:
    """Return up to `k` resolved problems most similar to `text` that the user may see.

    First the best few candidates of the whole index are checked against the scope (enough for
    wide scopes); if too few are visible, the index is searched again with a mask of the
    resolved problems in scope (cheap for the narrow scopes where that happens).
    """
    from frontline.ledger.selectors import problem_list

    index = current_index()
    scoped = problem_list(user=user).select_related("post", "category")

    def visible(hits: list[Hit]) -> list[SimilarCase]:
        hits = [h for h in hits if h.doc_id != exclude_pk]
        rows = {p.pk: p for p in scoped.filter(pk__in=[h.doc_id for h in hits])}
        return [SimilarCase(rows[h.doc_id], h.score) for h in hits if h.doc_id in rows][:k]

    found = visible(index.search(text, k * 4))
    if len(found) >= k or len(found) == len(index):
        return found
    in_scope = scoped.filter(status__in=(ProblemStatus.RESOLVED, ProblemStatus.CLOSED)).values_list("pk", flat=True)
    return visible(index.search(text, k + 1, only=list(in_scope[:MASK_MAX_IDS])))
