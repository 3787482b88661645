"""Every write of the appraisal: schemes, evidence, periods (compute, adjust, lock), flags, projects.

CONTRACT (written by the lead; bodies to be implemented): the signatures below are what views and
the API call. Business errors raise `frontline.core.errors.ApplicationError` (codes: "invalid",
"frozen", "locked", "busy") or `ConflictError` on a stale `expected_version`; every change is audited
in the same transaction (`frontline.core.audit.audit`).
"""

from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import date
from decimal import Decimal

from frontline.appraisal.models import (
    AppraisalPeriod,
    AppraisalScheme,
    CadreScore,
    FlagStatus,
    Inspection,
    IntegrityFlag,
    Normalization,
    PerformanceNote,
    PeriodKind,
    ProjectAssessment,
    StakeholderRating,
    Suggestion,
)
from frontline.cadres.models import Cadre
from frontline.core.models import User
from frontline.dispatch.models import Campaign
from frontline.posts.models import Post


@dataclass
class InputData:
    source: str  # InputSource
    indicator: str = ""  # Indicator, only for source == "indicator"
    rater_kind: str = ""  # RaterKind or "" (all), only for source == "stakeholder"
    share: Decimal = Decimal(100)
    normalization: str = Normalization.PEER_PERCENTILE


@dataclass
class DimensionData:
    code: str
    name: str
    weight: Decimal
    inputs: list[InputData] = field(default_factory=list)
    description: str = ""


# --- Schemes -------------------------------------------------------------------------------------


def default_dimensions() -> list[DimensionData]:
    """Return the six default dimensions (攻坚能力, 服务意识, 创新思维, 协调能力, 群众评价, 廉洁自律)."""
    raise NotImplementedError


def default_bands() -> list[dict[str, object]]:
    """Return the default classes: 好 (≥ 80), 较好 (≥ 70), 一般 (≥ 60), 较差 (< 60)."""
    raise NotImplementedError


def validate_dimensions(dimensions: list[DimensionData]) -> dict[str, str]:
    """Return errors by field: weights must total 100, shares within each dimension must total 100."""
    raise NotImplementedError


def scheme_create(
    *,
    actor: User | None,
    campaign: Campaign,
    name: str,
    dimensions: list[DimensionData] | None = None,
    bands: list[dict[str, object]] | None = None,
) -> AppraisalScheme:
    raise NotImplementedError


def scheme_update(
    *,
    actor: User,
    scheme: AppraisalScheme,
    expected_version: int,
    name: str,
    dimensions: list[DimensionData],
    bands: list[dict[str, object]],
    project_weights: tuple[int, int, int] | None = None,
    red_flag_count: int | None = None,
) -> AppraisalScheme:
    """Replace a scheme's dimensions; refused ("frozen") once a period uses it."""
    raise NotImplementedError


def scheme_new_version(*, actor: User, scheme: AppraisalScheme) -> AppraisalScheme:
    """Copy a (frozen) scheme into an editable next version."""
    raise NotImplementedError


# --- Evidence ------------------------------------------------------------------------------------


def inspection_create(
    *,
    actor: User,
    campaign: Campaign,
    cadre: Cadre,
    inspected_on: date,
    task_completion: int,
    enterprise_evaluation: int,
    ledger_check: int,
    unannounced: bool = False,
    notes: str = "",
) -> Inspection:
    raise NotImplementedError


def stakeholder_rating_create(
    *,
    actor: User | None,
    campaign: Campaign,
    cadre: Cadre,
    rater_kind: str,
    score: int,
    rated_on: date,
    comment: str = "",
    rater_name: str = "",
) -> StakeholderRating:
    raise NotImplementedError


def suggestion_create(*, actor: User | None, cadre: Cadre, title: str, content: str) -> Suggestion:
    raise NotImplementedError


def suggestion_adopt(*, actor: User, suggestion: Suggestion, note: str = "") -> Suggestion:
    raise NotImplementedError


def performance_note_add(
    *, actor: User, cadre: Cadre, text: str, entry_key: str = "", occurred_on: date | None = None
) -> PerformanceNote:
    raise NotImplementedError


# --- Periods -------------------------------------------------------------------------------------


def period_create(
    *, actor: User | None, scheme: AppraisalScheme, kind: str = PeriodKind.MONTH, start_date: date
) -> AppraisalPeriod:
    """Create a month/quarter/year period (start snapped to its first day); freezes the scheme."""
    raise NotImplementedError


def period_compute_start(*, actor: User, period: AppraisalPeriod) -> AppraisalPeriod:
    """Mark the period COMPUTING and enqueue the background task; refused when locked or already computing."""
    raise NotImplementedError


def period_compute(*, period_id: int, progress: Callable[[int, int], None] | None = None) -> AppraisalPeriod:
    """Compute every score of the period with set-based queries (the task body; also callable directly).

    Month: indicators + inspections + stakeholder ratings → normalized → weighted → ranks, bands,
    integrity flags. Quarter/year: the mean of the locked-or-computed months' totals inside it.
    Replaces earlier scores of the period (adjustments are re-applied when the cadre is still there).
    """
    raise NotImplementedError


def score_adjust(*, actor: User, score: CadreScore, new_total: Decimal, reason: str) -> CadreScore:
    """Set a reviewed total with a recorded reason; ranks and bands of the period are recomputed."""
    raise NotImplementedError


def period_lock(*, actor: User, period: AppraisalPeriod, expected_version: int) -> AppraisalPeriod:
    """Lock a computed period: from then on its scores, adjustments and flags never change."""
    raise NotImplementedError


def flag_review(*, actor: User, flag: IntegrityFlag, status: FlagStatus, note: str) -> IntegrityFlag:
    raise NotImplementedError


# --- The project ranking -------------------------------------------------------------------------


def project_assessment_record(
    *,
    actor: User,
    period: AppraisalPeriod,
    post: Post,
    progress_score: Decimal,
    quality_score: Decimal,
    notes: str = "",
) -> ProjectAssessment:
    raise NotImplementedError


def project_ranking_compute(*, period: AppraisalPeriod) -> list[ProjectAssessment]:
    """Fill service scores from the ledger, totals by the scheme's weights, ranks, trend and red flags."""
    raise NotImplementedError
