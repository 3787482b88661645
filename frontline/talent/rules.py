"""The reserve-pool rule: top of one's peer group for several consecutive locked months.

`reserve_rule_candidates(campaign=…, months=3, top_share=0.10)` takes the campaign's last `months`
locked monthly periods (of any version of its schemes). They must be consecutive calendar months:
a month without a locked period breaks the run, and an unlocked (still reviewable) month never
counts, because its scores can still change. A cadre qualifies when their `percentile_in_group`
(mid-rank percentile within the same role and frontline kind, higher is better) is at least
100 × (1 − top_share) in every one of those months — 90 for the top 10%. The query is set-based:
one grouped count over the window's scores, whatever the number of cadres.
"""

import itertools
from collections import defaultdict
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal
from typing import Any

from django.db.models import Count, QuerySet
from django.utils.translation import gettext as _

from frontline.appraisal.models import AppraisalPeriod, CadreScore, PeriodKind, PeriodStatus
from frontline.cadres.models import Cadre
from frontline.cadres.selectors import cadre_scope_q
from frontline.core.models import User
from frontline.dispatch.models import Campaign
from frontline.talent.models import RESERVE_OPEN_STATUSES, ReservePoolEntry

MAX_MONTHS = 12


@dataclass(frozen=True)
class RuleWindow:
    """The locked months the rule looks at, oldest first, and why it cannot apply (if so)."""

    months: list[date]
    periods: list[AppraisalPeriod]
    problem: str = ""


@dataclass
class Candidate:
    cadre: Cadre
    scores: list[CadreScore]
    open_entry: ReservePoolEntry | None = None

    @property
    def already_in_pool(self) -> bool:
        return self.open_entry is not None


@dataclass
class RuleResult:
    campaign: Campaign
    months: int
    top_share: Decimal
    threshold: Decimal
    window: RuleWindow
    candidates: list[Candidate] = field(default_factory=list)

    @property
    def description(self) -> str:
        return rule_description(months=self.months, top_share=self.top_share)


def rule_description(*, months: int, top_share: Decimal | float) -> str:
    percent = (Decimal(str(top_share)) * 100).normalize()
    return _("连续 %(months)d 个月在同角色、同阵地类型干部中位列前 %(percent)s%%") % {
        "months": months,
        "percent": f"{percent:f}",
    }


def percentile_threshold(top_share: Decimal | float) -> Decimal:
    """Return the lowest percentile inside the top share: 90.00 for the top 10%."""
    return (Decimal(100) * (1 - Decimal(str(top_share)))).quantize(Decimal("0.01"))


def _previous_month(d: date) -> date:
    return date(d.year - 1, 12, 1) if d.month == 1 else date(d.year, d.month - 1, 1)


def rule_window(*, campaign: Campaign, months: int) -> RuleWindow:
    """Return the campaign's last `months` locked months, or why they are not a consecutive run."""
    starts = list(
        AppraisalPeriod.objects.filter(scheme__campaign=campaign, kind=PeriodKind.MONTH, status=PeriodStatus.LOCKED)
        .order_by("-start_date")
        .values_list("start_date", flat=True)
        .distinct()[:months]
    )
    starts = sorted({d.replace(day=1) for d in starts})
    if len(starts) < months:
        return RuleWindow(
            months=starts,
            periods=[],
            problem=_("该行动只有 %(n)d 个已锁定的月度考核期，规则需要连续 %(months)d 个。")
            % {"n": len(starts), "months": months},
        )
    for earlier, later in itertools.pairwise(starts):
        if _previous_month(later) != earlier:
            missing = _previous_month(later)
            return RuleWindow(
                months=starts,
                periods=[],
                problem=_("最近 %(months)d 个已锁定的月度考核期不连续（%(missing)s 没有已锁定的考核期）。")
                % {
                    "months": months,
                    "missing": _("%(year)s年%(month)s月") % {"year": f"{missing:%Y}", "month": f"{missing:%m}"},
                },
            )
    periods = list(
        AppraisalPeriod.objects.filter(
            scheme__campaign=campaign,
            kind=PeriodKind.MONTH,
            status=PeriodStatus.LOCKED,
            start_date__gte=starts[0],
            start_date__lte=starts[-1],
        ).order_by("start_date", "id")
    )
    return RuleWindow(months=starts, periods=periods)


def qualifying_cadre_ids(*, window: RuleWindow, threshold: Decimal) -> QuerySet[Any, Any]:
    """Return the ids of cadres at or above `threshold` in every month of the window (one grouped query)."""
    return (
        CadreScore.objects.filter(period__in=[p.pk for p in window.periods], percentile_in_group__gte=threshold)
        .values("cadre_id")
        .annotate(months=Count("period__start_date", distinct=True))
        .filter(months=len(window.months))
        .values("cadre_id")
    )


def reserve_rule_candidates(
    *,
    campaign: Campaign,
    months: int = 3,
    top_share: Decimal | float = Decimal("0.10"),
    user: User | None = None,
    cadre_ids: list[int] | None = None,
) -> RuleResult:
    """Return the cadres the rule recommends, with the scores that support it (a fixed number of queries).

    `user` limits the result to the cadres in their scope; `cadre_ids` to a selection.
    """
    if not 1 <= months <= MAX_MONTHS:
        raise ValueError(f"months must be 1..{MAX_MONTHS}")
    share = Decimal(str(top_share))
    if not Decimal(0) < share < Decimal(1):
        raise ValueError("top_share must be between 0 and 1")
    threshold = percentile_threshold(share)
    window = rule_window(campaign=campaign, months=months)
    result = RuleResult(campaign=campaign, months=months, top_share=share, threshold=threshold, window=window)
    if window.problem:
        return result
    cadres = Cadre.objects.filter(pk__in=qualifying_cadre_ids(window=window, threshold=threshold)).select_related(
        "home_unit"
    )
    if user is not None:
        cadres = cadres.filter(cadre_scope_q(user))
    if cadre_ids is not None:
        cadres = cadres.filter(pk__in=cadre_ids)
    chosen = list(cadres.order_by("home_unit__path", "name", "id"))
    if not chosen:
        return result
    ids = [c.pk for c in chosen]
    scores: dict[int, list[CadreScore]] = defaultdict(list)
    for score in (
        CadreScore.objects.filter(period__in=[p.pk for p in window.periods], cadre_id__in=ids)
        .select_related("period__scheme", "role")
        .order_by("period__start_date", "id")
    ):
        scores[score.cadre_id].append(score)
    open_entries = {
        e.cadre_id: e for e in ReservePoolEntry.objects.filter(cadre_id__in=ids, status__in=RESERVE_OPEN_STATUSES)
    }
    result.candidates = [Candidate(cadre=c, scores=scores[c.pk], open_entry=open_entries.get(c.pk)) for c in chosen]
    return result


def band_label(score: CadreScore, bands: list[dict[str, Any]] | None = None) -> str:
    """Return the class's label (好, 较好 …) for a score's band code, or the code itself."""
    for band in bands if bands is not None else score.period.scheme.bands or []:
        if str(band.get("code")) == score.band:
            return str(band.get("label") or score.band)
    return score.band


def score_evidence(score: CadreScore) -> dict[str, Any]:
    """Return what an entry stores about one supporting score (enough to show it without the score)."""
    period = score.period
    return {
        "period_id": period.pk,
        "label": period.label,
        "start_date": period.start_date.isoformat(),
        "score_id": score.pk,
        "total": str(score.total),
        "rank_in_group": score.rank_in_group,
        "group_size": score.group_size,
        "percentile_in_group": str(score.percentile_in_group) if score.percentile_in_group is not None else None,
        "band": score.band,
        "band_label": band_label(score),
        "role": score.role.name if score.role_id and score.role else "",
        "frontline_kind": score.frontline_kind,
    }


def candidate_evidence(result: RuleResult, candidate: Candidate) -> dict[str, Any]:
    return {
        "rule": {
            "campaign_id": result.campaign.pk,
            "campaign": result.campaign.name,
            "months": result.months,
            "top_share": str(result.top_share),
            "threshold": str(result.threshold),
            "description": result.description,
        },
        "periods": [score_evidence(s) for s in candidate.scores],
    }
