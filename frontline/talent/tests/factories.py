"""Factories for talent tests: appraisal periods and scores built directly with the ORM.

Scores are written while the period is still "computed" and the period is locked afterwards with a
queryset update, the way a locked period's rows come to exist in real life (and without tripping
any guard that refuses to save a locked period's rows).
"""

from collections.abc import Sequence
from datetime import date, timedelta
from decimal import Decimal

from django.utils import timezone

from frontline.appraisal.models import AppraisalPeriod, AppraisalScheme, CadreScore, PeriodKind, PeriodStatus
from frontline.cadres.models import Cadre
from frontline.dispatch.models import Campaign, DeploymentRole

BANDS = [
    {"code": "strong", "label": "好", "min_score": 80},
    {"code": "good", "label": "较好", "min_score": 70},
    {"code": "average", "label": "一般", "min_score": 60},
    {"code": "weak", "label": "较差", "min_score": 0},
]


def make_scheme(campaign: Campaign, name: str = "月度考核方案") -> AppraisalScheme:
    scheme, _ = AppraisalScheme.objects.get_or_create(
        campaign=campaign, name=name, version_number=1, defaults={"bands": BANDS, "frozen": True}
    )
    return scheme


def month_end(start: date) -> date:
    following = date(start.year + 1, 1, 1) if start.month == 12 else date(start.year, start.month + 1, 1)
    return following - timedelta(days=1)


def mid_rank_percentile(rank: int, size: int) -> Decimal:
    """Return the mid-rank percentile of a cadre ranked `rank` of `size` with no ties: (below + ½)/n·100."""
    return (Decimal(size - rank) + Decimal("0.5")) / size * 100


def _band(total: Decimal) -> str:
    for band in BANDS:
        if total >= Decimal(str(band["min_score"])):
            return str(band["code"])
    return ""


def make_month(
    campaign: Campaign,
    start: date,
    ranking: Sequence[Cadre],
    *,
    role: DeploymentRole | None = None,
    frontline_kind: str = "enterprise",
    locked: bool = True,
    scheme: AppraisalScheme | None = None,
    other_groups: Sequence[tuple[Sequence[Cadre], DeploymentRole, str]] = (),
) -> AppraisalPeriod:
    """Create a monthly period of the campaign in which `ranking` is one peer group, best first.

    The best of n cadres gets the percentile (n − ½)/n·100, so the top one of ten is at 95 (inside
    the top 10%) and the second at 85 (outside it). `other_groups` adds more peer groups
    (ranking, role, frontline kind) to the same month.
    """
    scheme = scheme or make_scheme(campaign)
    period = AppraisalPeriod.objects.create(
        scheme=scheme,
        kind=PeriodKind.MONTH,
        start_date=start,
        end_date=month_end(start),
        status=PeriodStatus.COMPUTED,
        computed_at=timezone.now(),
    )
    default_role = role or DeploymentRole.objects.get(code="party_building_instructor")
    scores: list[CadreScore] = []
    for group, group_role, kind in [(ranking, default_role, frontline_kind), *other_groups]:
        scores += _group_scores(period, group, group_role, kind)
    CadreScore.objects.bulk_create(scores)
    if locked:
        AppraisalPeriod.objects.filter(pk=period.pk).update(status=PeriodStatus.LOCKED, locked_at=timezone.now())
        period.refresh_from_db()
    return period


def _group_scores(
    period: AppraisalPeriod, ranking: Sequence[Cadre], role: DeploymentRole, frontline_kind: str
) -> list[CadreScore]:
    size = len(ranking)
    scores = []
    for rank, cadre in enumerate(ranking, start=1):
        total = Decimal(95 - 3 * (rank - 1)).quantize(Decimal("0.01"))
        scores.append(
            CadreScore(
                period=period,
                cadre=cadre,
                role=role,
                frontline_kind=frontline_kind,
                home_unit_id=cadre.home_unit_id,
                computed_total=total,
                total=total,
                rank=rank,
                rank_in_group=rank,
                group_size=size,
                percentile_in_group=mid_rank_percentile(rank, size).quantize(Decimal("0.01")),
                band=_band(total),
                breakdown={"dimensions": []},
            )
        )
    return scores


def score_of(period: AppraisalPeriod, cadre: Cadre) -> CadreScore:
    return CadreScore.objects.select_related("period").get(period=period, cadre=cadre)
