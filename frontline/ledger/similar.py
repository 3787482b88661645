"""Similar resolved problems ("has anyone solved this before?"), within what the user may see.

One BM25 index of resolved and closed problems serves a query. The background worker builds it
every FRONTLINE_SIMILAR_INDEX_SECONDS (default 300; `similar_index_run` in tasks.py) and stores it
under FRONTLINE_SIMILAR_INDEX_DIR (default var/similar-index), where every web process maps the
newest one into memory: at a million problems a build takes about a minute and 2 GB, which a web
process should neither wait for nor hold on its own. Without a stored index for this database (a
fresh install, tests) a process builds its own and keeps it for the same interval.

A query takes the best candidates from the whole index and keeps those in the user's scope,
then, if too few are visible, ranks only the resolved problems in scope, so the index never holds
scope and a narrow scope never sees others' rows.
"""

import json
import logging
import os
import secrets
import shutil
import threading
import time
from dataclasses import dataclass
from pathlib import Path

from django.conf import settings
from django.db import connection
from django.utils import timezone

from frontline.core.models import User
from frontline.ledger.models import Problem, ProblemStatus
from frontline.ledger.textsearch import Hit, SimilarIndex

# A scope with more resolved problems than this is wide enough for the first pass to find cases.
MASK_MAX_IDS = 200_000

logger = logging.getLogger(__name__)

_lock = threading.Lock()
_cache: dict[str, tuple[float, SimilarIndex]] = {}
_stored: dict[str, tuple[str, SimilarIndex]] = {}  # "index" → (build name, index)
CURRENT = "CURRENT"  # the file naming the newest complete build


def problem_text(problem: Problem) -> str:
    """Return the text a problem is indexed and queried by."""
    return f"{problem.title} {problem.description} {problem.solution_plan} {problem.resolution}"


def build_index() -> SimilarIndex:
    rows = Problem.objects.filter(status__in=(ProblemStatus.RESOLVED, ProblemStatus.CLOSED)).values_list(
        "pk", "title", "description", "solution_plan", "resolution"
    )
    return SimilarIndex.from_texts((pk, f"{t} {d} {p} {r}") for pk, t, d, p, r in rows.iterator(chunk_size=5000))


def index_interval_seconds() -> int:
    """Return the seconds between two builds of the index (FRONTLINE_SIMILAR_INDEX_SECONDS): the
    worker's schedule, or the age at which a process's own index is rebuilt. 0 or less turns the
    worker's schedule off (a process's own index then is rebuilt for every query)."""
    return int(settings.FRONTLINE_SIMILAR_INDEX_SECONDS)


def index_dir() -> Path:
    return Path(settings.FRONTLINE_SIMILAR_INDEX_DIR)


def _database_label() -> str:
    """Return what identifies this database, so that a stored index is never used for another."""
    params = connection.settings_dict
    return f"{connection.vendor}:{params.get('HOST') or ''}:{params.get('PORT') or ''}:{params['NAME']}"


def current_index() -> SimilarIndex:
    """Return the newest stored index of this database, or else the process's own (built when missing or expired)."""
    stored = _stored_index()
    if stored is not None:
        return stored
    with _lock:
        cached = _cache.get("index")
        if cached is None or time.monotonic() - cached[0] > index_interval_seconds():
            cached = (time.monotonic(), build_index())
            _cache["index"] = cached
        return cached[1]


def _stored_index() -> SimilarIndex | None:
    directory = index_dir()
    try:
        name = (directory / CURRENT).read_text().strip()
    except OSError:
        return None
    loaded = _stored.get("index")
    if loaded is not None and loaded[0] == name:
        return loaded[1]
    build = directory / name
    try:
        meta = json.loads((build / "meta.json").read_text())
        if meta.get("database") != _database_label():
            return None
        index = SimilarIndex.load(build)
    except (OSError, ValueError) as exc:
        logger.warning("stored similar-case index %s not loaded: %s", build, exc)
        return None
    with _lock:
        _stored["index"] = (name, index)
    return index


def store_index() -> dict[str, float | int | str]:
    """Build the index from the database and store it as the newest build; return its figures.

    A build is written under a new name and then named in CURRENT (an atomic rename), so a
    process reading it never sees half a build; builds older than the previous one are removed.
    """
    started = time.monotonic()
    index = build_index()
    directory = index_dir()
    directory.mkdir(parents=True, exist_ok=True)
    # A new name each time: a build that processes have mapped is never written again.
    name = f"build-{timezone.now():%Y%m%d%H%M%S}-{secrets.token_hex(4)}"
    build = directory / name
    index.save(build)
    (build / "meta.json").write_text(
        json.dumps({"database": _database_label(), "docs": len(index), "built_at": timezone.now().isoformat()})
    )
    pointer = directory / f".{CURRENT}.{os.getpid()}"
    pointer.write_text(name)
    try:
        previous = (directory / CURRENT).read_text().strip()
    except OSError:
        previous = ""
    os.replace(pointer, directory / CURRENT)
    for old in directory.glob("build-*"):
        if old.name not in (name, previous):
            shutil.rmtree(old, ignore_errors=True)
    return {"build": name, "docs": len(index), "seconds": round(time.monotonic() - started, 1)}


def reset_index() -> None:
    """Forget the process's indexes (tests, or after a bulk load)."""
    with _lock:
        _cache.clear()
        _stored.clear()


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
