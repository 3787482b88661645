"""The frontline dossier (一线专项档案): the special volume of a cadre's political-quality archive.

`dossier_data` gathers what the volume holds in a fixed number of queries: the cadre's particulars
(ID number masked), deployments, appraisal results of locked periods with their classes, the
performance record, reserve-pool entries, promotions and merits. `dossier_pdf` renders it with
WeasyPrint as an A4 PDF; Chinese needs a CJK font on the machine (Debian's fonts-noto-cjk, which
`make run` installs). Rendering fetches nothing: the HTML is self-contained and any URL in it other
than a data: URI is refused.
"""

from dataclasses import dataclass, field
from datetime import date, datetime
from typing import Any

from django.db.models import QuerySet
from django.template.loader import render_to_string
from django.utils import timezone
from django.utils.translation import gettext as _

from frontline.appraisal.models import CadreScore, PeriodStatus
from frontline.cadres.models import Cadre
from frontline.core.models import User
from frontline.dispatch.models import Deployment
from frontline.ledger.models import Problem, ProblemStatus
from frontline.talent.models import Merit, Promotion, ReservePoolEntry
from frontline.talent.rules import band_label

PERFORMANCE_LIMIT = 300  # entries printed; the count says how many there are in all


@dataclass(frozen=True)
class PerformanceLine:
    on: date | None
    kind: str
    title: str
    detail: str = ""


@dataclass(frozen=True)
class ScoreLine:
    score: CadreScore
    band: str

    @property
    def rank_label(self) -> str:
        if self.score.rank_in_group is None:
            return "—"
        return f"{self.score.rank_in_group} / {self.score.group_size or '—'}"


@dataclass
class DossierData:
    cadre: Cadre
    generated_at: datetime
    generated_by: str
    deployments: list[Deployment] = field(default_factory=list)
    scores: list[ScoreLine] = field(default_factory=list)
    performance: list[PerformanceLine] = field(default_factory=list)
    performance_total: int = 0
    reserve_entries: list[ReservePoolEntry] = field(default_factory=list)
    promotions: list[Promotion] = field(default_factory=list)
    merits: list[Merit] = field(default_factory=list)


def _get(entry: Any, name: str) -> Any:
    return entry.get(name) if isinstance(entry, dict) else getattr(entry, name, None)


def _as_date(value: Any) -> date | None:
    if isinstance(value, datetime):
        return timezone.localtime(value).date() if timezone.is_aware(value) else value.date()
    return value if isinstance(value, date) else None


def performance_lines(cadre: Cadre) -> list[PerformanceLine]:
    """Return the cadre's performance record (实绩清单), newest first.

    The appraisal's `performance_record` is used when it is installed (resolved problems, signed
    matchmakings, adopted suggestions, annotations); otherwise the record is the cadre's closed
    problems from the ledger.
    """
    try:
        from frontline.appraisal.performance import performance_record  # type: ignore[import-not-found,unused-ignore]
    except ImportError:
        return _closed_problem_lines(cadre)
    lines = []
    for entry in performance_record(cadre=cadre):
        detail = str(_get(entry, "detail") or "")
        notes = "；".join(str(_get(note, "text") or "") for note in _get(entry, "notes") or [])
        lines.append(
            PerformanceLine(
                on=_as_date(_get(entry, "date")),
                kind=str(_get(entry, "kind_label") or _get(entry, "kind") or ""),
                title=str(_get(entry, "title") or ""),
                detail=f"{detail}（{_('备注')}：{notes}）" if notes else detail,
            )
        )
    lines.sort(key=lambda line: line.on or date.min, reverse=True)
    return lines


def _closed_problem_lines(cadre: Cadre) -> list[PerformanceLine]:
    problems = (
        Problem.objects.filter(cadre=cadre, status=ProblemStatus.CLOSED)
        .select_related("category", "post")
        .only("title", "resolution", "resolved_at", "closed_at", "category__name", "post__name")
        .order_by("-closed_at", "-id")
    )
    return [
        PerformanceLine(
            on=_as_date(p.resolved_at or p.closed_at),
            kind=_("解决问题"),
            title=p.title,
            detail="；".join(part for part in (p.post.name, p.category.name, p.resolution[:120]) if part),
        )
        for p in problems
    ]


def _deployments(cadre: Cadre) -> QuerySet[Deployment]:
    return (
        Deployment.objects.filter(cadre=cadre)
        .select_related("post", "role", "campaign", "working_group")
        .order_by("start_date", "id")
    )


def dossier_data(*, cadre: Cadre, actor: User | None = None, now: datetime | None = None) -> DossierData:
    """Return everything the dossier prints for `cadre` (the caller has checked the scope)."""
    cadre = Cadre.objects.select_related("home_unit").prefetch_related("expertise").get(pk=cadre.pk)
    scores = (
        CadreScore.objects.filter(cadre=cadre, period__status=PeriodStatus.LOCKED)
        .select_related("period", "period__scheme", "period__scheme__campaign", "role")
        .order_by("period__start_date", "period__kind", "id")
    )
    performance = performance_lines(cadre)
    return DossierData(
        cadre=cadre,
        generated_at=timezone.localtime(now or timezone.now()),
        generated_by=str(actor) if actor is not None else "",
        deployments=list(_deployments(cadre)),
        scores=[ScoreLine(score=s, band=band_label(s, s.period.scheme.bands)) for s in scores],
        performance=performance[:PERFORMANCE_LIMIT],
        performance_total=len(performance),
        reserve_entries=list(
            ReservePoolEntry.objects.filter(cadre=cadre)
            .select_related("nominated_by", "decided_by", "campaign")
            .order_by("nominated_at", "id")
        ),
        promotions=list(Promotion.objects.filter(cadre=cadre).order_by("effective_on", "id")),
        merits=list(Merit.objects.filter(cadre=cadre).order_by("awarded_on", "id")),
    )


def dossier_html(data: DossierData) -> str:
    return render_to_string("talent/dossier.html", {"d": data, "cadre": data.cadre})


def dossier_pdf(*, cadre: Cadre, actor: User | None = None, now: datetime | None = None) -> bytes:
    """Return the dossier of `cadre` as A4 PDF bytes."""
    # Imported here: WeasyPrint loads Pango and fonts, which every other request can do without.
    from weasyprint import HTML  # type: ignore[import-untyped,unused-ignore]
    from weasyprint.urls import URLFetcher  # type: ignore[import-untyped,unused-ignore]

    html = dossier_html(dossier_data(cadre=cadre, actor=actor, now=now))
    document = HTML(string=html, url_fetcher=URLFetcher(allowed_protocols=["data"]))
    pdf: bytes = document.write_pdf()
    return pdf
