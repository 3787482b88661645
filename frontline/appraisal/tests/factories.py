"""Appraisal test data, shared by the engine's tests and the pages' and API's tests.

Keep these names stable: other test modules import them. Ledger rows are written directly (not
through the workflow) where a test needs exact timestamps in a past month; `at()` gives aware
Asia/Shanghai datetimes.
"""

import itertools
from dataclasses import dataclass, field
from datetime import date, datetime, time
from decimal import Decimal
from typing import Any
from zoneinfo import ZoneInfo

from frontline.appraisal.models import (
    AppraisalPeriod,
    AppraisalScheme,
    CadreScore,
    Inspection,
    PeriodKind,
    RaterKind,
    StakeholderRating,
    Suggestion,
)
from frontline.appraisal.services import (
    DimensionData,
    InputData,
    period_compute,
    period_create,
    scheme_create,
)
from frontline.cadres.models import Cadre
from frontline.core.models import User
from frontline.core.testing import World, make_cadre, make_post
from frontline.dispatch.models import Campaign, Deployment, DeploymentRole, DeploymentStatus
from frontline.dispatch.services import CampaignData, campaign_create
from frontline.ledger.models import Problem, ProblemCategory, ProblemEvent, ProblemStatus, Rating
from frontline.ledger.reference import seed_categories
from frontline.org.models import Unit
from frontline.posts.models import Post, PostKind

SHANGHAI = ZoneInfo("Asia/Shanghai")
JUNE = date(2025, 6, 1)  # the month most tests appraise
_codes = itertools.count(1)


def at(day: date, hour: int = 10, minute: int = 0) -> datetime:
    """Return an aware datetime at local (Asia/Shanghai) time on `day`."""
    return datetime.combine(day, time(hour, minute), tzinfo=SHANGHAI)


def role(code: str) -> DeploymentRole:
    return DeploymentRole.objects.get(code=code)


def make_appraisal_campaign(
    *, unit: Unit, name: str = "干部下沉服务企业项目行动", actor: User | None = None
) -> Campaign:
    return campaign_create(
        actor=actor,
        data=CampaignData(
            name=name,
            organizing_unit=unit,
            start_date=date(2025, 1, 1),
            end_date=date(2025, 12, 31),
            status="active",
        ),
    )


def deploy(
    cadre: Cadre,
    post: Post,
    *,
    campaign: Campaign,
    role_code: str,
    start: date = date(2025, 1, 1),
    ended_on: date | None = None,
    full_time: bool = True,
) -> Deployment:
    """Deploy a cadre (directly, without the dispatch checks) in a role at a post."""
    return Deployment.objects.create(
        campaign=campaign,
        cadre=cadre,
        post=post,
        role=role(role_code),
        start_date=start,
        ended_on=ended_on,
        is_full_time=full_time,
        status=DeploymentStatus.ENDED if ended_on else DeploymentStatus.ACTIVE,
    )


def simple_dimensions(*inputs: InputData, weight: int = 100) -> list[DimensionData]:
    """Return one dimension of weight 100 fed by the inputs (for hand-checked examples)."""
    return [DimensionData(code="only", name="单一维度", weight=Decimal(weight), inputs=list(inputs))]


def make_scheme(
    campaign: Campaign,
    *,
    name: str = "月度实绩考核",
    dimensions: list[DimensionData] | None = None,
    bands: list[dict[str, object]] | None = None,
    actor: User | None = None,
) -> AppraisalScheme:
    """Create a scheme (the six default dimensions and classes unless given)."""
    return scheme_create(actor=actor, campaign=campaign, name=name, dimensions=dimensions, bands=bands)


def make_period(
    scheme: AppraisalScheme, *, start: date = JUNE, kind: str = PeriodKind.MONTH, actor: User | None = None
) -> AppraisalPeriod:
    return period_create(actor=actor, scheme=scheme, kind=kind, start_date=start)


def compute(period: AppraisalPeriod) -> AppraisalPeriod:
    """Compute a period in this thread and return it (status COMPUTED unless something failed)."""
    return period_compute(period_id=period.pk)


def category(code: str = "livelihood") -> ProblemCategory:
    seed_categories()
    return ProblemCategory.objects.get(code=code)


def make_problem_row(
    cadre: Cadre | None,
    post: Post,
    *,
    created_at: datetime,
    category_code: str = "livelihood",
    level: int = 2,
    status: str = ProblemStatus.REGISTERED,
    created_by: User | None = None,
    **fields: Any,
) -> Problem:
    """Write a problem with exactly the timestamps given (handed_over_at, resolved_at, closed_at …)."""
    return Problem.objects.create(
        tracking_code=f"T{next(_codes):09d}",
        post=post,
        region_id=post.region_id,
        post_unit_id=post.unit_id,
        cadre=cadre,
        category=category(category_code),
        title=fields.pop("title", "群众反映的问题"),
        description=fields.pop("description", "问题描述"),
        level=level,
        status=status,
        created_by=created_by,
        created_at=created_at,
        **fields,
    )


def resolved_problem(
    cadre: Cadre, post: Post, *, resolved_at: datetime, category_code: str = "livelihood", level: int = 2, **fields: Any
) -> Problem:
    """A problem registered the day before it was resolved, closed with the requester's confirmation."""
    created = fields.pop("created_at", resolved_at.replace(hour=9) if resolved_at.hour > 9 else resolved_at)
    return make_problem_row(
        cadre,
        post,
        created_at=created,
        category_code=category_code,
        level=level,
        status=fields.pop("status", ProblemStatus.CLOSED),
        resolved_at=resolved_at,
        closed_at=fields.pop("closed_at", resolved_at),
        **fields,
    )


def add_event(problem: Problem, action: str, *, at_time: datetime, actor: User | None = None) -> ProblemEvent:
    return ProblemEvent.objects.create(
        problem=problem, action=action, actor=actor, to_status=problem.status, created_at=at_time
    )


def rate_problem(problem: Problem, score: int, *, at_time: datetime) -> Rating:
    return Rating.objects.create(problem=problem, score=score, satisfied=score >= 4, created_at=at_time)


def make_inspection(
    campaign: Campaign, cadre: Cadre, *, day: date, scores: tuple[int, int, int] = (80, 80, 80), **fields: Any
) -> Inspection:
    return Inspection.objects.create(
        campaign=campaign,
        cadre=cadre,
        inspected_on=day,
        task_completion=scores[0],
        enterprise_evaluation=scores[1],
        ledger_check=scores[2],
        **fields,
    )


def make_rating(
    campaign: Campaign,
    cadre: Cadre,
    score: int,
    *,
    day: date,
    kind: str = RaterKind.ENTERPRISE,
    comment: str = "",
    created_by: User | None = None,
    created_at: datetime | None = None,
) -> StakeholderRating:
    return StakeholderRating.objects.create(
        campaign=campaign,
        cadre=cadre,
        rater_kind=kind,
        score=score,
        comment=comment,
        rated_on=day,
        created_by=created_by,
        created_at=created_at or at(day),
    )


def adopted_suggestion(cadre: Cadre, *, adopted_at: datetime, title: str = "优化审批流程的建议") -> Suggestion:
    return Suggestion.objects.create(
        cadre=cadre, title=title, content="建议内容", adopted=True, adopted_at=adopted_at, adoption_note="已采纳"
    )


@dataclass
class AppraisalWorld:
    """A campaign of the Xingang park with grid heads and project commissioners, a scheme with the
    six default dimensions and June 2025 computed (unless `compute=False`)."""

    world: World
    campaign: Campaign
    scheme: AppraisalScheme
    period: AppraisalPeriod
    grid_post: Post
    project_post: Post
    grid_heads: list[Cadre]
    commissioners: list[Cadre]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def cadres(self) -> list[Cadre]:
        return [*self.grid_heads, *self.commissioners]

    def score_of(self, cadre: Cadre) -> CadreScore:
        return CadreScore.objects.get(period=self.period, cadre=cadre)

    def __getattr__(self, name: str) -> Any:
        return getattr(self.world, name)


def make_period_with_scores(world: World, *, compute_now: bool = True, start: date = JUNE) -> AppraisalWorld:
    """Build the Xingang campaign with evidence in the month of `start` and compute the period.

    Grid heads: 李网格 (world.grid_cadre, who logs in as "grid") and two more; project
    commissioners: 陈明 and 张文强 (world.xingang_cadres) and 崔艳 (world.zengdu_cadre, from Zengdu).
    """
    park_region = world.xingang_enterprise.region
    community = make_post("新港社区", kind=PostKind.COMMUNITY, region=park_region, unit=world.xingang)
    grid_post = make_post(
        "新港社区第一网格", kind=PostKind.GRID, region=park_region, unit=world.xingang, parent=community
    )
    project_post = make_post(
        "新港园区铜产业园", kind=PostKind.PROJECT, region=park_region, unit=world.xingang, is_key=True
    )
    campaign = make_appraisal_campaign(unit=world.xingang, name="新港园区干部下沉行动")
    grid_heads = [
        world.grid_cadre,
        make_cadre("王格", home_unit=world.xingang),
        make_cadre("赵网", home_unit=world.xingang),
    ]
    commissioners = [*world.xingang_cadres, world.zengdu_cadre]
    for cadre in grid_heads:
        deploy(cadre, grid_post, campaign=campaign, role_code="grid_head")
    for cadre in commissioners:
        deploy(cadre, project_post, campaign=campaign, role_code="project_commissioner")
    day = start.replace(day=10)
    # Grid heads handle small problems; commissioners fewer, harder ones.
    for i, cadre in enumerate(grid_heads):
        for k in range(2 + i):
            problem = resolved_problem(
                cadre,
                grid_post,
                resolved_at=at(day, 11, k),
                resolve_due=day,
                handed_over_at=at(day, 9),
                acknowledged_at=at(day, 10),
            )
            rate_problem(problem, 5 - (k % 2), at_time=at(day, 15, k))
        make_inspection(campaign, cadre, day=day, scores=(70 + 5 * i, 80, 75))
        make_rating(campaign, cadre, 4 + (i % 2), day=day, kind=RaterKind.RESIDENT, comment=f"服务周到{i}")
    for i, cadre in enumerate(commissioners):
        for k in range(1 + i):
            resolved_problem(
                cadre,
                project_post,
                resolved_at=at(day, 14, k),
                category_code="land-approval",
                level=3,
                resolve_due=day,
                handed_over_at=at(day, 9),
                acknowledged_at=at(day.replace(day=11), 9),
            )
        make_inspection(campaign, cadre, day=day, scores=(85, 80 + 5 * i, 90), unannounced=True)
        make_rating(campaign, cadre, 5, day=day, comment=f"协调有力{i}")
    adopted_suggestion(commissioners[0], adopted_at=at(day, 16))
    scheme = make_scheme(campaign)
    period = make_period(scheme, start=start)
    if compute_now:
        period = compute(period)
    return AppraisalWorld(
        world=world,
        campaign=campaign,
        scheme=scheme,
        period=period,
        grid_post=grid_post,
        project_post=project_post,
        grid_heads=grid_heads,
        commissioners=commissioners,
    )
