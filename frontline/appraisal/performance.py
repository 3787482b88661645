"""A cadre's performance record (实绩清单), built from the ledger rather than typed up.

Entries come from the problems the cadre resolved (not closed without the requester's
confirmation), the matchmakings the cadre concluded (signed) and the suggestions adopted; each
has a stable key ("problem:123", "matchmaking:7", "suggestion:9") that `PerformanceNote` rows
annotate. Notes without a key are manual entries (e.g. a flood-relief shift no ledger records).
"""

from dataclasses import dataclass, field
from datetime import date, datetime

from django.db.models import Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.appraisal.indicators import period_bounds
from frontline.appraisal.models import PerformanceNote, Suggestion
from frontline.cadres.models import Cadre
from frontline.ledger.models import Matchmaking, MatchmakingStatus, Problem

DETAIL_LENGTH = 200


class EntryKind:
    PROBLEM = "problem"
    MATCHMAKING = "matchmaking"
    SUGGESTION = "suggestion"
    MANUAL = "manual"


def kind_label(kind: str) -> str:
    """Return the Chinese label of an entry kind."""
    return {
        EntryKind.PROBLEM: _("解决问题"),
        EntryKind.MATCHMAKING: _("供需对接签约"),
        EntryKind.SUGGESTION: _("建议被采纳"),
        EntryKind.MANUAL: _("其他实绩"),
    }.get(kind, kind)


@dataclass
class PerformanceEntry:
    entry_key: str  # "" for a manual entry
    date: date | None
    kind: str
    title: str
    detail: str = ""
    url: str = ""
    notes: list[PerformanceNote] = field(default_factory=list)
    note_id: int | None = None  # the PerformanceNote of a manual entry

    @property
    def kind_label(self) -> str:
        return kind_label(self.kind)


def _local(moment: datetime | None) -> date | None:
    return timezone.localdate(moment) if moment is not None else None


def _short(text: str) -> str:
    text = " ".join(text.split())
    return text if len(text) <= DETAIL_LENGTH else text[: DETAIL_LENGTH - 1] + "…"


def _between(field_name: str, start: date | None, end: date | None) -> Q:
    """Return a filter on a timestamp for local dates [start, end], either end open."""
    condition = Q()
    if start is not None:
        condition &= Q(**{f"{field_name}__gte": period_bounds(start, start)[0]})
    if end is not None:
        condition &= Q(**{f"{field_name}__lt": period_bounds(end, end)[1]})
    return condition


def performance_record(*, cadre: Cadre, start: date | None = None, end: date | None = None) -> list[PerformanceEntry]:
    """Return the cadre's performance record between local dates [start, end] (open ends allowed), newest first."""
    resolved_in = _between("resolved_at", start, end)
    signed_in = _between("updated_at", start, end)
    adopted_in = _between("adopted_at", start, end)

    entries: list[PerformanceEntry] = []
    problems = (
        Problem.objects.filter(resolved_in, cadre=cadre, resolved_at__isnull=False, closed_without_confirmation=False)
        .select_related("category", "post")
        .only("pk", "title", "resolution", "resolved_at", "category__name", "post__name")
        .order_by("-resolved_at", "-id")
    )
    for p in problems:
        detail = f"{p.post.name} · {p.category.name}"
        if p.resolution:
            detail += f"：{p.resolution}"
        entries.append(
            PerformanceEntry(
                entry_key=f"problem:{p.pk}",
                date=_local(p.resolved_at),
                kind=EntryKind.PROBLEM,
                title=p.title,
                detail=_short(detail),
                url=p.get_absolute_url(),
            )
        )
    if cadre.user_id is not None:
        matchmakings = (
            Matchmaking.objects.filter(signed_in, created_by_id=cadre.user_id, status=MatchmakingStatus.SIGNED)
            .select_related("need", "resource")
            .order_by("-updated_at", "-id")
        )
        for m in matchmakings:
            detail = m.outcome
            if m.amount is not None:
                amount = _("%(amount)s 万元") % {"amount": m.amount}
                detail = f"{detail}（{amount}）" if detail else amount
            entries.append(
                PerformanceEntry(
                    entry_key=f"matchmaking:{m.pk}",
                    date=_local(m.updated_at),
                    kind=EntryKind.MATCHMAKING,
                    title=f"{m.need.title} ↔ {m.resource.title}",
                    detail=_short(detail),
                    url=reverse("ledger:list_item", args=[m.need_id]),
                )
            )
    for s in Suggestion.objects.filter(adopted_in, cadre=cadre, adopted=True).order_by("-adopted_at", "-id"):
        entries.append(
            PerformanceEntry(
                entry_key=f"suggestion:{s.pk}",
                date=_local(s.adopted_at),
                kind=EntryKind.SUGGESTION,
                title=s.title,
                detail=_short(s.adoption_note or s.content),
                url=s.get_absolute_url(),
            )
        )

    by_key = {e.entry_key: e for e in entries}
    notes = PerformanceNote.objects.filter(cadre=cadre).select_related("created_by").order_by("created_at", "id")
    for note in notes.filter(entry_key__in=list(by_key)):
        by_key[note.entry_key].notes.append(note)
    for note in notes.filter(entry_key=""):
        day = note.occurred_on or timezone.localdate(note.created_at)
        if (start is None or day >= start) and (end is None or day <= end):
            entries.append(
                PerformanceEntry(entry_key="", date=day, kind=EntryKind.MANUAL, title=note.text, note_id=note.pk)
            )
    entries.sort(key=lambda e: (e.date or date.min, e.entry_key), reverse=True)
    return entries
