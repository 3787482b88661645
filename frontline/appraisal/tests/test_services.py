"""The appraisal's services: schemes, periods (compute, adjust, lock), flags, roll-ups, projects,
the performance record."""

from datetime import date, timedelta
from decimal import Decimal
from typing import Any

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from frontline.appraisal.models import (
    AppraisalPeriod,
    CadreScore,
    FlagKind,
    FlagStatus,
    Indicator,
    InputSource,
    Inspection,
    IntegrityFlag,
    Normalization,
    PeriodKind,
    PeriodStatus,
    ProjectAssessment,
    ScoreAdjustment,
    StakeholderRating,
)
from frontline.appraisal.performance import EntryKind, performance_record
from frontline.appraisal.services import (
    DimensionData,
    InputData,
    InspectionData,
    ProjectScoreData,
    RatingData,
    default_dimensions,
    flag_review,
    inspection_create,
    inspections_record,
    performance_note_add,
    period_compute,
    period_compute_start,
    period_create,
    period_lock,
    project_assessment_record,
    project_assessments_record,
    project_ranking_compute,
    scheme_new_version,
    scheme_update,
    score_adjust,
    stakeholder_rating_create,
    stakeholder_ratings_record,
    suggestion_adopt,
    suggestion_create,
    validate_dimensions,
)
from frontline.appraisal.tests.factories import (
    AppraisalWorld,
    adopted_suggestion,
    at,
    compute,
    deploy,
    make_appraisal_campaign,
    make_inspection,
    make_period,
    make_period_with_scores,
    make_problem_row,
    make_rating,
    make_scheme,
    rate_problem,
    resolved_problem,
    role,
    simple_dimensions,
)
from frontline.cadres.models import Cadre
from frontline.core.errors import ApplicationError, ConflictError
from frontline.core.models import AuditLog
from frontline.core.testing import World, make_cadre, make_post
from frontline.ledger.models import ListItem, ListKind, Matchmaking, MatchmakingStatus
from frontline.ledger.reference import ensure_reference_data
from frontline.ledger.services import ProblemData, problem_create
from frontline.ledger.workflow import problem_transition
from frontline.posts.models import PostKind

INSPECTION_ONLY = simple_dimensions(InputData(InputSource.INSPECTION, normalization=Normalization.ABSOLUTE))
RESOLVED_ONLY = simple_dimensions(InputData(InputSource.INDICATOR, Indicator.PROBLEMS_RESOLVED))


@pytest.fixture
def immediate_tasks(settings):
    """Run django.tasks in the calling thread, as soon as they are enqueued."""
    settings.TASKS = {"default": {"BACKEND": "django.tasks.backends.immediate.ImmediateBackend"}}


@pytest.fixture
def aw(world) -> AppraisalWorld:
    return make_period_with_scores(world)


@pytest.fixture
def campaign(world):
    return make_appraisal_campaign(unit=world.xingang)


@pytest.fixture
def grid_post(world):
    return make_post("一网格", kind=PostKind.GRID, region=world.xingang_enterprise.region, unit=world.xingang)


@pytest.fixture
def project_post(world):
    return make_post("一项目", kind=PostKind.PROJECT, region=world.xingang_enterprise.region, unit=world.xingang)


def cadres(world: World, n: int, prefix: str) -> list[Cadre]:
    return [make_cadre(f"{prefix}{i}", home_unit=world.xingang) for i in range(n)]


def score(period: AppraisalPeriod, cadre: Cadre) -> CadreScore:
    return CadreScore.objects.get(period=period, cadre=cadre)


def expect_code(code: str) -> "_Raises":
    return _Raises(code)


class _Raises:
    """pytest.raises(ApplicationError) that also checks the error's code."""

    def __init__(self, code: str) -> None:
        self.code = code
        self._ctx = pytest.raises(ApplicationError)

    def __enter__(self) -> Any:
        self.info = self._ctx.__enter__()
        return self.info

    def __exit__(self, *exc: Any) -> bool:
        handled = bool(self._ctx.__exit__(*exc))
        assert self.info.value.code == self.code, (self.info.value.code, self.info.value.message)
        return handled


# --- Schemes ----------------------------------------------------------------------------------


def test_the_default_scheme_has_six_dimensions_totalling_100():
    dims = default_dimensions()
    assert [d.name for d in dims] == ["攻坚能力", "服务意识", "创新思维", "协调能力", "群众评价", "廉洁自律"]
    assert sum(d.weight for d in dims) == 100
    assert validate_dimensions(dims) == {}


def test_weights_that_do_not_total_100_are_refused(world, campaign):
    dims = default_dimensions()
    dims[0].weight = Decimal(20)
    assert "95" in validate_dimensions(dims)["weights"]
    with expect_code("invalid") as info:
        make_scheme(campaign, dimensions=dims, actor=world.xingang_official)
    assert "weights" in info.value.extra["errors"]


def test_shares_within_a_dimension_must_total_100(campaign):
    dims = simple_dimensions(
        InputData(InputSource.INDICATOR, Indicator.ON_TIME_RATE, share=Decimal(60)),
        InputData(InputSource.INSPECTION, share=Decimal(30)),
    )
    errors = validate_dimensions(dims)
    assert "dimensions.0.inputs" in errors
    assert "90" in errors["dimensions.0.inputs"]


def test_a_count_cannot_be_read_as_an_absolute_score():
    dims = simple_dimensions(
        InputData(InputSource.INDICATOR, Indicator.PROBLEMS_RESOLVED, normalization=Normalization.ABSOLUTE)
    )
    assert "只能按同类百分位" in validate_dimensions(dims)["dimensions.0.inputs.0"]


def test_duplicate_dimension_codes_are_refused():
    dims = default_dimensions()
    dims[1].code = dims[0].code
    assert "dimensions.1.code" in validate_dimensions(dims)


def test_only_editors_in_scope_create_schemes(world, campaign):
    with expect_code("forbidden"):
        make_scheme(campaign, actor=world.grid_head)
    with expect_code("out_of_scope"):
        make_scheme(campaign, actor=world.jiangsu_official)
    scheme = make_scheme(campaign, actor=world.xingang_official)
    assert scheme.dimensions.count() == 6
    assert AuditLog.objects.filter(object_type="appraisal.appraisalscheme", object_id=str(scheme.pk)).exists()


def test_a_scheme_is_frozen_once_a_period_uses_it(world, campaign):
    scheme = make_scheme(campaign, actor=world.xingang_official)
    make_period(scheme, actor=world.xingang_official)
    scheme.refresh_from_db()
    assert scheme.frozen
    with expect_code("frozen"):
        scheme_update(
            actor=world.xingang_official,
            scheme=scheme,
            expected_version=scheme.version,
            name=scheme.name,
            dimensions=default_dimensions(),
            bands=scheme.bands,
        )
    copy = scheme_new_version(actor=world.xingang_official, scheme=scheme)
    assert (copy.version_number, copy.previous_id, copy.frozen) == (2, scheme.pk, False)
    assert copy.dimensions.count() == 6
    dims = default_dimensions()
    dims[0].weight, dims[1].weight = Decimal(35), Decimal(10)
    updated = scheme_update(
        actor=world.xingang_official,
        scheme=copy,
        expected_version=copy.version,
        name=copy.name,
        dimensions=dims,
        bands=copy.bands,
        project_weights=(50, 30, 20),
    )
    assert updated.dimensions.get(code="tackling").weight == 35
    assert updated.project_weight_progress == 50
    with expect_code("invalid"):
        scheme_new_version(actor=world.xingang_official, scheme=scheme)  # v2 exists already


def test_a_stale_scheme_edit_is_a_conflict(world, campaign):
    scheme = make_scheme(campaign, actor=world.xingang_official)
    with pytest.raises(ConflictError):
        scheme_update(
            actor=world.xingang_official,
            scheme=scheme,
            expected_version=scheme.version - 1,
            name="新名称",
            dimensions=default_dimensions(),
            bands=scheme.bands,
        )


# --- Periods ----------------------------------------------------------------------------------


def test_period_dates_snap_to_the_month_quarter_or_year(campaign):
    scheme = make_scheme(campaign)
    month = period_create(actor=None, scheme=scheme, start_date=date(2025, 6, 17))
    quarter = period_create(actor=None, scheme=scheme, kind=PeriodKind.QUARTER, start_date=date(2025, 5, 10))
    year = period_create(actor=None, scheme=scheme, kind=PeriodKind.YEAR, start_date=date(2025, 8, 1))
    assert (month.start_date, month.end_date, month.label) == (date(2025, 6, 1), date(2025, 6, 30), "2025年06月")
    assert (quarter.start_date, quarter.end_date, quarter.label) == (
        date(2025, 4, 1),
        date(2025, 6, 30),
        "2025年第2季度",
    )
    assert (year.start_date, year.end_date) == (date(2025, 1, 1), date(2025, 12, 31))
    with expect_code("invalid"):
        period_create(actor=None, scheme=scheme, start_date=date(2025, 6, 2))


def test_computing_runs_in_the_background_with_progress(world, immediate_tasks, django_capture_on_commit_callbacks):
    aw = make_period_with_scores(world, compute_now=False)
    with django_capture_on_commit_callbacks(execute=True):
        period = period_compute_start(actor=world.xingang_official, period=aw.period)
        assert period.status == PeriodStatus.COMPUTING  # the task is enqueued once the transaction commits
    period.refresh_from_db()
    assert period.status == PeriodStatus.COMPUTED, period.error
    assert (period.progress_done, period.progress_total) == (6, 6)
    assert CadreScore.objects.filter(period=period).count() == 6
    assert period.computed_at is not None


def test_a_period_being_computed_cannot_be_started_again(world):
    aw = make_period_with_scores(world, compute_now=False)
    period_compute_start(actor=world.xingang_official, period=aw.period)  # default backend: stays queued
    with expect_code("busy"):
        period_compute_start(actor=world.xingang_official, period=aw.period)


def test_a_progress_callback_sees_the_work_advance(world):
    aw = make_period_with_scores(world, compute_now=False)
    seen: list[tuple[int, int]] = []
    period_compute(period_id=aw.period.pk, progress=lambda done, total: seen.append((done, total)))
    assert seen[0] == (0, 6)
    assert seen[-1] == (6, 6)
    assert [d for d, _t in seen] == sorted(d for d, _t in seen)


def test_the_population_is_the_campaigns_deployments_overlapping_the_month(world, campaign, grid_post, project_post):
    inside, early, late, elsewhere, mover = cadres(world, 5, "干部")
    deploy(inside, grid_post, campaign=campaign, role_code="grid_head")
    deploy(
        early, grid_post, campaign=campaign, role_code="grid_head", start=date(2025, 1, 1), ended_on=date(2025, 5, 31)
    )
    deploy(late, grid_post, campaign=campaign, role_code="grid_head", start=date(2025, 7, 1))
    deploy(
        elsewhere,
        grid_post,
        campaign=make_appraisal_campaign(unit=world.xingang, name="别的行动"),
        role_code="grid_head",
    )
    # Ten days as a grid head, then twenty as a project commissioner: appraised among commissioners.
    deploy(
        mover, grid_post, campaign=campaign, role_code="grid_head", start=date(2025, 3, 1), ended_on=date(2025, 6, 10)
    )
    deploy(mover, project_post, campaign=campaign, role_code="project_commissioner", start=date(2025, 6, 11))
    period = compute(make_period(make_scheme(campaign, dimensions=RESOLVED_ONLY)))
    scored = {s.cadre_id: s for s in CadreScore.objects.filter(period=period)}
    assert set(scored) == {inside.pk, mover.pk}
    assert scored[mover.pk].role_id == role("project_commissioner").pk
    assert scored[mover.pk].frontline_kind == "project"
    assert scored[mover.pk].post_id == project_post.pk
    assert scored[inside.pk].home_unit_id == world.xingang.pk


def test_normalization_keeps_roles_comparable(world, campaign, grid_post, project_post):
    """A grid head with a few small problems is not ranked below a commissioner with many big ones."""
    grid_heads = cadres(world, 3, "网格长")
    commissioners = cadres(world, 3, "专员")
    for n, cadre in zip((1, 2, 3), grid_heads, strict=True):
        deploy(cadre, grid_post, campaign=campaign, role_code="grid_head")
        for k in range(n):
            resolved_problem(cadre, grid_post, resolved_at=at(date(2025, 6, 5 + k)))
    for n, cadre in zip((10, 20, 30), commissioners, strict=True):
        deploy(cadre, project_post, campaign=campaign, role_code="project_commissioner")
        for k in range(n):
            resolved_problem(
                cadre, project_post, resolved_at=at(date(2025, 6, 1 + k % 28)), category_code="land-approval", level=3
            )
    period = compute(make_period(make_scheme(campaign, dimensions=RESOLVED_ONLY)))
    best_grid_head, middle_commissioner = score(period, grid_heads[2]), score(period, commissioners[1])
    raw = middle_commissioner.breakdown["dimensions"][0]["inputs"][0]["raw"]
    assert raw > 10 * best_grid_head.breakdown["dimensions"][0]["inputs"][0]["raw"]
    assert best_grid_head.total == Decimal("83.33")  # (2 below + 0.5) / 3
    assert middle_commissioner.total == Decimal("50.00")
    assert (best_grid_head.rank, middle_commissioner.rank) == (1, 3)  # behind both best ones, tied at 83.33
    # The best of each role stand level: same percentile, both first in their group.
    assert score(period, commissioners[2]).total == best_grid_head.total
    assert (best_grid_head.rank_in_group, score(period, commissioners[2]).rank_in_group) == (1, 1)
    assert best_grid_head.group_size == 3
    assert (best_grid_head.frontline_kind, middle_commissioner.frontline_kind) == ("community", "project")


def test_a_missing_rate_passes_its_share_to_the_other_input(world, campaign, grid_post):
    rated, unrated = cadres(world, 2, "干部")
    for cadre in (rated, unrated):
        deploy(cadre, grid_post, campaign=campaign, role_code="grid_head")
        make_inspection(campaign, cadre, day=date(2025, 6, 3), scores=(60, 60, 60))
    problem = resolved_problem(rated, grid_post, resolved_at=at(date(2025, 6, 3)))
    rate_problem(problem, 5, at_time=at(date(2025, 6, 4)))
    dims = simple_dimensions(
        InputData(
            InputSource.INDICATOR, Indicator.SATISFACTION, share=Decimal(50), normalization=Normalization.ABSOLUTE
        ),
        InputData(InputSource.INSPECTION, share=Decimal(50), normalization=Normalization.ABSOLUTE),
    )
    period = compute(make_period(make_scheme(campaign, dimensions=dims)))
    assert score(period, rated).total == Decimal("80.00")  # (100 + 60) / 2
    missing = score(period, unrated)
    assert missing.total == Decimal("60.00")
    satisfaction, inspection = missing.breakdown["dimensions"][0]["inputs"]
    assert satisfaction["raw"] is None
    assert satisfaction["effective_share"] == 0
    assert inspection["effective_share"] == 100


def test_a_dimension_without_evidence_passes_its_weight_on(world, campaign, grid_post):
    inspected, uninspected = cadres(world, 2, "干部")
    for cadre in (inspected, uninspected):
        deploy(cadre, grid_post, campaign=campaign, role_code="grid_head")
        make_rating(campaign, cadre, 4, day=date(2025, 6, 5))  # (4 − 1) × 25 = 75
    make_inspection(campaign, inspected, day=date(2025, 6, 3), scores=(95, 95, 95))
    dims = [
        DimensionData(
            "ratings", "群众评价", Decimal(80), [InputData(InputSource.STAKEHOLDER, normalization="absolute")]
        ),
        DimensionData(
            "integrity", "廉洁自律", Decimal(20), [InputData(InputSource.INSPECTION, normalization="absolute")]
        ),
    ]
    period = compute(make_period(make_scheme(campaign, dimensions=dims)))
    assert score(period, inspected).total == Decimal("79.00")  # 0.8 × 75 + 0.2 × 95
    without = score(period, uninspected)
    assert without.total == Decimal("75.00")
    integrity = without.breakdown["dimensions"][1]
    assert integrity["score"] is None
    assert integrity["effective_weight"] == 0
    assert without.breakdown["dimensions"][0]["effective_weight"] == 100


def test_ranks_bands_and_percentiles_of_a_computed_period(aw):
    scores = list(CadreScore.objects.filter(period=aw.period).order_by("rank", "cadre_id"))
    ranks = [s.rank or 0 for s in scores]
    assert ranks == sorted(ranks)
    assert ranks[0] == 1
    for s in scores:
        assert s.total == s.computed_total
        assert s.group_size == 3
        expected_band = {80: "excellent", 70: "good", 60: "average"}
        band = next((code for floor, code in expected_band.items() if s.total >= floor), "poor")
        assert s.band == band
        assert len(s.breakdown["dimensions"]) == 6
        assert sum(d["effective_weight"] for d in s.breakdown["dimensions"]) == pytest.approx(100)


def test_recomputing_replaces_the_scores(aw):
    first = set(CadreScore.objects.filter(period=aw.period).values_list("pk", flat=True))
    make_inspection(aw.campaign, aw.grid_heads[0], day=date(2025, 6, 20), scores=(100, 100, 100))
    period = compute(aw.period)
    assert period.status == PeriodStatus.COMPUTED
    second = set(CadreScore.objects.filter(period=period).values_list("pk", flat=True))
    assert len(second) == 6
    assert not first & second


# --- Review, adjustment, lock -------------------------------------------------------------------


def test_an_adjustment_needs_a_reason_and_reranks_the_period(world, aw):
    last = CadreScore.objects.filter(period=aw.period).order_by("-rank", "cadre_id")[0]
    with expect_code("invalid") as info:
        score_adjust(actor=world.xingang_official, score=last, new_total=Decimal(95), reason=" ")
    assert "reason" in info.value.extra["errors"]
    adjusted = score_adjust(
        actor=world.xingang_official, score=last, new_total=Decimal("95"), reason="抗洪抢险表现突出"
    )
    assert (adjusted.total, adjusted.rank, adjusted.band) == (Decimal("95.00"), 1, "excellent")
    assert adjusted.computed_total != adjusted.total
    assert adjusted.breakdown["adjusted"] is True
    assert ScoreAdjustment.objects.get(score=adjusted).reason == "抗洪抢险表现突出"
    ranks = sorted(r or 0 for r in CadreScore.objects.filter(period=aw.period).values_list("rank", flat=True))
    assert ranks[0] == 1
    assert ranks.count(1) == 1
    # Recomputing keeps the reviewer's adjustment.
    compute(aw.period)
    again = score(aw.period, last.cadre)
    assert (again.total, again.rank) == (Decimal("95.00"), 1)
    assert again.adjustments.count() == 1


def test_lock_requires_the_current_version(world, aw):
    with pytest.raises(ConflictError):
        period_lock(actor=world.xingang_official, period=aw.period, expected_version=aw.period.version - 1)
    locked = period_lock(actor=world.xingang_official, period=aw.period, expected_version=aw.period.version)
    assert locked.is_locked
    assert locked.locked_by == world.xingang_official


def test_only_a_computed_period_can_be_locked(world, campaign):
    period = make_period(make_scheme(campaign))
    with expect_code("invalid"):
        period_lock(actor=world.xingang_official, period=period, expected_version=period.version)


def test_a_locked_period_never_changes(world, aw):
    flag_period = aw.period
    a_score = CadreScore.objects.filter(period=flag_period).order_by("id")[0]
    score_adjust(actor=world.xingang_official, score=a_score, new_total=Decimal(70), reason="复核")
    flag = IntegrityFlag.objects.create(
        period=flag_period, cadre=a_score.cadre, kind=FlagKind.OFF_HISTORY, detail="测试", evidence={}
    )
    assessment = project_assessment_record(
        actor=world.xingang_official,
        period=flag_period,
        post=aw.project_post,
        progress_score=Decimal(80),
        quality_score=Decimal(70),
    )
    flag_period.refresh_from_db()
    period = period_lock(actor=world.xingang_official, period=flag_period, expected_version=flag_period.version)
    a_score.refresh_from_db()
    before = (a_score.total, a_score.rank, a_score.breakdown)

    with expect_code("locked"):
        period_compute_start(actor=world.xingang_official, period=period)
    with expect_code("locked"):
        period_compute(period_id=period.pk)
    with expect_code("locked"):
        score_adjust(actor=world.xingang_official, score=a_score, new_total=Decimal(10), reason="再调")
    with expect_code("locked"):
        flag_review(actor=world.xingang_official, flag=flag, status=FlagStatus.CLEARED, note="无问题")
    with expect_code("locked"):
        project_assessment_record(
            actor=world.xingang_official,
            period=period,
            post=aw.project_post,
            progress_score=Decimal(1),
            quality_score=Decimal(1),
        )
    with expect_code("locked"):
        project_ranking_compute(period=period)
    with expect_code("locked"):
        period_lock(actor=world.xingang_official, period=period, expected_version=period.version)
    # The models refuse too (the admin writes through save and delete).
    a_score.total = Decimal(1)
    for write in (
        a_score.save,
        a_score.delete,
        a_score.adjustments.get().save,
        a_score.adjustments.get().delete,
        flag.save,
        flag.delete,
        assessment.save,
        period.save,
        period.delete,
    ):
        with expect_code("locked"):
            write()
    a_score.refresh_from_db()
    assert (a_score.total, a_score.rank, a_score.breakdown) == before


# --- Integrity flags ----------------------------------------------------------------------------


def flags_of(period: AppraisalPeriod, kind: str) -> dict[int, IntegrityFlag]:
    return {f.cadre_id: f for f in IntegrityFlag.objects.filter(period=period, kind=kind)}


def test_unconfirmed_closures_are_flagged_with_their_problems(world, campaign, grid_post):
    twice, third, honest, once_in_ten = cadres(world, 4, "干部")
    for cadre in (twice, third, honest, once_in_ten):
        deploy(cadre, grid_post, campaign=campaign, role_code="grid_head")
    day = date(2025, 6, 12)

    def closures(cadre: Cadre, confirmed: int, unconfirmed: int) -> list[int]:
        ids = []
        for _ in range(confirmed):
            resolved_problem(cadre, grid_post, resolved_at=at(day))
        for _ in range(unconfirmed):
            p = resolved_problem(
                cadre, grid_post, resolved_at=at(day), closed_without_confirmation=True, close_reason="电话无人接听"
            )
            ids.append(p.pk)
        return ids

    twice_ids = closures(twice, 8, 2)  # 2 of 10: at the count threshold
    third_ids = closures(third, 2, 1)  # 1 of 3: over 20%
    closures(honest, 5, 0)
    closures(once_in_ten, 9, 1)  # 1 of 10: neither
    period = compute(make_period(make_scheme(campaign, dimensions=RESOLVED_ONLY)))
    flagged = flags_of(period, FlagKind.UNCONFIRMED_CLOSURES)
    assert set(flagged) == {twice.pk, third.pk}
    assert flagged[twice.pk].evidence == {"problems": twice_ids}
    assert flagged[third.pk].evidence == {"problems": third_ids}
    assert "10 个问题" in flagged[twice.pk].detail
    assert flagged[twice.pk].status == FlagStatus.OPEN


def test_a_problem_opened_and_closed_by_the_same_person_in_minutes_is_flagged(world, campaign, grid_post):
    """Through the real workflow: the grid head registers a problem and closes it at once."""
    ensure_reference_data()
    today = timezone.localdate()
    deploy(world.grid_cadre, grid_post, campaign=campaign, role_code="grid_head", start=today.replace(day=1))
    honest = make_cadre("老实人", home_unit=world.xingang)
    deploy(honest, grid_post, campaign=campaign, role_code="grid_head", start=today.replace(day=1))
    from frontline.ledger.models import ProblemCategory

    data = ProblemData(post=grid_post, category=ProblemCategory.objects.get(code="livelihood"), description="路灯不亮")
    problem, _created = problem_create(actor=world.grid_head, data=data)
    assert problem.cadre_id == world.grid_cadre.pk
    problem_transition(
        actor=world.grid_head,
        problem=problem,
        action="close_unconfirmed",
        expected_version=problem.version,
        note="已处理",
    )
    # Honest: registered by the cadre two hours earlier and closed by the requester's confirmation.
    now = timezone.now()
    other = make_problem_row(honest, grid_post, created_at=now - timedelta(hours=2), created_by=world.grid_head)
    from frontline.appraisal.tests.factories import add_event

    add_event(other, "confirm", at_time=now, actor=None)
    period = compute(make_period(make_scheme(campaign, dimensions=RESOLVED_ONLY), start=today))
    flagged = flags_of(period, FlagKind.QUICK_SELF_CLOSE)
    assert set(flagged) == {world.grid_cadre.pk}
    assert flagged[world.grid_cadre.pk].evidence == {"problems": [problem.pk]}


def test_clusters_of_identical_ratings_are_flagged_and_honest_ones_are_not(world, campaign, grid_post):
    copied, burst, honest, slow = cadres(world, 4, "干部")
    for cadre in (copied, burst, honest, slow):
        deploy(cadre, grid_post, campaign=campaign, role_code="grid_head")
    day = date(2025, 6, 18)
    copied_ids = [
        make_rating(campaign, copied, 5, day=day + timedelta(days=k % 3), comment="服务好，效率高").pk for k in range(5)
    ]
    make_rating(campaign, copied, 5, day=day, comment="另一条意见")
    burst_ids = [
        make_rating(campaign, burst, 5, day=day, created_by=world.xingang_official, created_at=at(day, 9, 2 * k)).pk
        for k in range(5)
    ]
    for k in range(6):  # many residents each giving 5 with no comment: honest
        make_rating(campaign, honest, 5, day=day + timedelta(days=k % 5))
    for k in range(5):  # one clerk entering paper forms over five days: honest
        make_rating(
            campaign, slow, 5, day=day, created_by=world.xingang_official, created_at=at(day + timedelta(days=k))
        )
    period = compute(make_period(make_scheme(campaign, dimensions=INSPECTION_ONLY)))
    flagged = flags_of(period, FlagKind.IDENTICAL_RATINGS)
    assert set(flagged) == {copied.pk, burst.pk}
    assert flagged[copied.pk].evidence == {"ratings": sorted(copied_ids)}
    assert flagged[burst.pk].evidence == {"ratings": sorted(burst_ids)}


def test_a_total_far_from_the_cadres_own_history_is_flagged(world, campaign, grid_post):
    steady, dropped, newcomer = cadres(world, 3, "干部")
    for cadre in (steady, dropped, newcomer):
        deploy(cadre, grid_post, campaign=campaign, role_code="grid_head")
    scheme = make_scheme(campaign, dimensions=INSPECTION_ONLY)
    for month, mean in ((3, 70), (4, 72), (5, 71)):
        day = date(2025, month, 10)
        for cadre in (steady, dropped):
            make_inspection(campaign, cadre, day=day, scores=(mean, mean, mean))
        assert compute(make_period(scheme, start=day)).status == PeriodStatus.COMPUTED
    make_inspection(campaign, steady, day=date(2025, 6, 10), scores=(65, 65, 65))
    make_inspection(campaign, dropped, day=date(2025, 6, 10), scores=(30, 30, 30))
    make_inspection(campaign, newcomer, day=date(2025, 6, 10), scores=(5, 5, 5))  # no history
    june = compute(make_period(scheme))
    flagged = flags_of(june, FlagKind.OFF_HISTORY)
    assert set(flagged) == {dropped.pk}
    evidence = flagged[dropped.pk].evidence
    assert evidence["mean"] == 71.0
    assert evidence["total"] == 30.0
    assert len(evidence["scores"]) == 3
    assert score(june, dropped).total == Decimal("30.00")  # flagged, not rescored


def test_flags_do_not_change_scores_and_reviews_survive_recomputation(world, campaign, grid_post):
    flagged_cadre, clean = cadres(world, 2, "干部")
    for cadre in (flagged_cadre, clean):
        deploy(cadre, grid_post, campaign=campaign, role_code="grid_head")
        make_inspection(campaign, cadre, day=date(2025, 6, 3), scores=(80, 80, 80))
    for _ in range(2):
        resolved_problem(
            flagged_cadre,
            grid_post,
            resolved_at=at(date(2025, 6, 5)),
            closed_without_confirmation=True,
            close_reason="x",
        )
    period = compute(make_period(make_scheme(campaign, dimensions=INSPECTION_ONLY)))
    assert score(period, flagged_cadre).total == score(period, clean).total == Decimal("80.00")
    flag = IntegrityFlag.objects.get(period=period, cadre=flagged_cadre)
    with expect_code("invalid"):
        flag_review(actor=world.xingang_official, flag=flag, status=FlagStatus.CLEARED, note="")
    flag_review(actor=world.xingang_official, flag=flag, status=FlagStatus.CLEARED, note="诉求人已搬离，电话核实")
    compute(period)
    again = IntegrityFlag.objects.get(period=period, cadre=flagged_cadre)
    assert (again.status, again.review_note, again.reviewed_by) == (
        FlagStatus.CLEARED,
        "诉求人已搬离，电话核实",
        world.xingang_official,
    )


# --- Roll-ups -----------------------------------------------------------------------------------


def test_a_quarter_is_the_mean_of_its_months(world, campaign, grid_post):
    regular, late_joiner = cadres(world, 2, "干部")
    deploy(regular, grid_post, campaign=campaign, role_code="grid_head")
    deploy(late_joiner, grid_post, campaign=campaign, role_code="grid_head", start=date(2025, 6, 1))
    scheme = make_scheme(campaign, dimensions=INSPECTION_ONLY)
    months = []
    for month, mean in ((4, 60), (5, 70), (6, 90)):
        day = date(2025, month, 10)
        make_inspection(campaign, regular, day=day, scores=(mean, mean, mean))
        months.append(compute(make_period(scheme, start=day)))
    make_inspection(campaign, late_joiner, day=date(2025, 6, 11), scores=(95, 95, 95))
    months[-1] = compute(months[-1])
    quarter = period_create(actor=None, scheme=scheme, kind=PeriodKind.QUARTER, start_date=date(2025, 4, 1))
    quarter = compute(quarter)
    assert quarter.status == PeriodStatus.COMPUTED, quarter.error
    regular_q, late_q = score(quarter, regular), score(quarter, late_joiner)
    assert regular_q.total == Decimal("73.33")  # (60 + 70 + 90) / 3
    assert [m["total"] for m in regular_q.breakdown["months"]] == [60.0, 70.0, 90.0]
    assert late_q.total == Decimal("95.00")  # only the month served
    assert (late_q.rank, regular_q.rank) == (1, 2)
    assert regular_q.band == "good"


def test_a_roll_up_without_computed_months_fails_with_a_message(campaign):
    scheme = make_scheme(campaign)
    quarter = compute(period_create(actor=None, scheme=scheme, kind=PeriodKind.QUARTER, start_date=date(2025, 4, 1)))
    assert quarter.status == PeriodStatus.FAILED
    assert "还没有已计算的月度考核" in quarter.error


# --- The project ranking ------------------------------------------------------------------------


def test_the_project_ranking_weighs_progress_quality_and_service(world, aw):
    region, unit = aw.project_post.region, world.xingang
    quick = make_post("快项目", kind=PostKind.PROJECT, region=region, unit=unit, is_key=True)
    slow = make_post("慢项目", kind=PostKind.PROJECT, region=region, unit=unit, is_key=True)
    due = date(2025, 6, 20)
    make_problem_row(None, quick, created_at=at(date(2025, 6, 1)), resolve_due=due, resolved_at=at(due, 9))
    rated = make_problem_row(None, slow, created_at=at(date(2025, 6, 1)), resolve_due=due)  # late
    rate_problem(rated, 1, at_time=at(due, 10))
    official = world.xingang_official
    with expect_code("invalid"):
        project_assessment_record(
            actor=official,
            period=aw.period,
            post=world.xingang_enterprise,
            progress_score=Decimal(1),
            quality_score=Decimal(1),
        )
    for post, progress, quality in ((quick, 80, 80), (slow, 90, 90)):
        project_assessment_record(
            actor=official,
            period=aw.period,
            post=post,
            progress_score=Decimal(progress),
            quality_score=Decimal(quality),
        )
    ranking = project_ranking_compute(period=aw.period)
    by_post = {a.post_id: a for a in ranking}
    # quick: service 100 (on time, no rating) → 0.4·80 + 0.3·80 + 0.3·100 = 86
    # slow: service (0 + 0) / 2 = 0 → 0.4·90 + 0.3·90 = 63
    assert by_post[quick.pk].service_score == Decimal("100.00")
    assert by_post[quick.pk].total == Decimal("86.00")
    assert by_post[slow.pk].service_score == Decimal("0.00")
    assert by_post[slow.pk].total == Decimal("63.00")
    assert [a.post_id for a in ranking] == [quick.pk, slow.pk]
    assert by_post[quick.pk].red_flag  # red_flag_count is 10 by default
    assert by_post[slow.pk].red_flag
    # July: the trend shows June's ranks.
    july = make_period(aw.scheme, start=date(2025, 7, 1))
    for post, progress in ((quick, 40), (slow, 60)):
        project_assessment_record(
            actor=official, period=july, post=post, progress_score=Decimal(progress), quality_score=Decimal(50)
        )
    aw.scheme.red_flag_count = 1
    aw.scheme.save()
    july_ranking = {a.post_id: a for a in project_ranking_compute(period=july)}
    assert (july_ranking[slow.pk].rank, july_ranking[slow.pk].previous_rank) == (1, 2)
    assert (july_ranking[quick.pk].rank, july_ranking[quick.pk].previous_rank) == (2, 1)
    assert july_ranking[slow.pk].service_score is None  # nothing due in July: weight shared by the others
    assert [p for p, a in july_ranking.items() if a.red_flag] == [slow.pk]
    assert ProjectAssessment.objects.filter(period=july, red_flag=True).count() == 1


# --- Evidence and the performance record --------------------------------------------------------


def test_inspections_and_ratings_are_validated_and_audited(world, aw):
    official, cadre = world.xingang_official, aw.grid_heads[0]
    with expect_code("invalid") as info:
        inspection_create(
            actor=official,
            campaign=aw.campaign,
            cadre=cadre,
            inspected_on=date(2025, 6, 2),
            task_completion=101,
            enterprise_evaluation=80,
            ledger_check=80,
        )
    assert "task_completion" in info.value.extra["errors"]
    inspection = inspection_create(
        actor=official,
        campaign=aw.campaign,
        cadre=cadre,
        inspected_on=date(2025, 6, 2),
        task_completion=90,
        enterprise_evaluation=80,
        ledger_check=70,
        unannounced=True,
        notes="四不两直，直插现场",
    )
    assert inspection.score == 80
    assert inspection.inspector == official
    with expect_code("out_of_scope"):
        inspection_create(
            actor=world.jiangsu_official,
            campaign=aw.campaign,
            cadre=cadre,
            inspected_on=date(2025, 6, 2),
            task_completion=90,
            enterprise_evaluation=80,
            ledger_check=70,
        )
    with expect_code("invalid"):
        stakeholder_rating_create(
            actor=None, campaign=aw.campaign, cadre=cadre, rater_kind="enterprise", score=6, rated_on=date(2025, 6, 2)
        )
    rating = stakeholder_rating_create(
        actor=None, campaign=aw.campaign, cadre=cadre, rater_kind="enterprise", score=4, rated_on=date(2025, 6, 2)
    )
    assert AuditLog.objects.filter(object_type="appraisal.stakeholderrating", object_id=str(rating.pk)).exists()


def lock(period: AppraisalPeriod) -> AppraisalPeriod:
    period.refresh_from_db()
    return period_lock(actor=None, period=period, expected_version=period.version)  # type: ignore[arg-type]


def test_evidence_dated_inside_a_locked_period_is_refused_and_names_the_period(world, aw):
    official, cadre = world.xingang_official, aw.grid_heads[0]
    lock(aw.period)
    inspections, ratings = Inspection.objects.count(), StakeholderRating.objects.count()
    audits = AuditLog.objects.count()

    with expect_code("locked") as info:
        inspection_create(
            actor=official,
            campaign=aw.campaign,
            cadre=cadre,
            inspected_on=date(2025, 6, 30),
            task_completion=90,
            enterprise_evaluation=80,
            ledger_check=70,
        )
    message = info.value.message
    assert "督查日期 2025-06-30" in message
    assert "2025年06月" in message
    assert aw.scheme.name in message
    assert "已锁定" in message
    assert info.value.extra["errors"] == {"inspected_on": message}
    with expect_code("locked") as info:
        stakeholder_rating_create(
            actor=None, campaign=aw.campaign, cadre=cadre, rater_kind="enterprise", score=5, rated_on=date(2025, 6, 1)
        )
    assert list(info.value.extra["errors"]) == ["rated_on"]
    assert "评价日期 2025-06-01" in info.value.message
    assert (Inspection.objects.count(), StakeholderRating.objects.count()) == (inspections, ratings)
    assert AuditLog.objects.count() == audits

    # The day after the locked month, and another campaign's evidence on the same day, are recorded.
    inspection_create(
        actor=official,
        campaign=aw.campaign,
        cadre=cadre,
        inspected_on=date(2025, 7, 1),
        task_completion=90,
        enterprise_evaluation=80,
        ledger_check=70,
    )
    other = make_appraisal_campaign(unit=world.xingang, name="另一项下沉行动")
    stakeholder_rating_create(
        actor=official, campaign=other, cadre=cadre, rater_kind="resident", score=4, rated_on=date(2025, 6, 15)
    )
    # The admin's form validates the same way.
    row = Inspection(
        campaign=aw.campaign,
        cadre=cadre,
        inspected_on=date(2025, 6, 15),
        task_completion=1,
        enterprise_evaluation=1,
        ledger_check=1,
    )
    with pytest.raises(ValidationError) as error:
        row.full_clean()
    assert "inspected_on" in error.value.message_dict


def test_a_locked_quarter_fixes_the_evidence_of_its_months(world, aw):
    quarter = compute(make_period(aw.scheme, kind=PeriodKind.QUARTER, start=date(2025, 4, 1)))
    assert quarter.status == PeriodStatus.COMPUTED
    stakeholder_rating_create(
        actor=None,
        campaign=aw.campaign,
        cadre=aw.grid_heads[0],
        rater_kind="colleague",
        score=4,
        rated_on=date(2025, 4, 15),
    )  # still open
    lock(quarter)
    with expect_code("locked") as info:
        stakeholder_rating_create(
            actor=None,
            campaign=aw.campaign,
            cadre=aw.grid_heads[0],
            rater_kind="colleague",
            score=4,
            rated_on=date(2025, 4, 15),
        )
    assert "2025年第2季度" in info.value.message


def test_evidence_is_recorded_in_batches_all_or_nothing_with_the_bad_row_named(world, aw):
    official = world.xingang_official
    heads = aw.grid_heads
    inspections, ratings = Inspection.objects.count(), StakeholderRating.objects.count()
    visits = [InspectionData(cadre, date(2025, 7, 2), 80, 85, 90, notes=" 台账完整 ") for cadre in heads]
    with expect_code("invalid") as info:
        inspections_record(
            actor=official,
            campaign=aw.campaign,
            rows=[*visits, InspectionData(heads[0], date(2025, 7, 3), 80, 101, 90)],
        )
    assert info.value.extra["errors"] == {"enterprise_evaluation": "第 4 条：督查各项得分应在 0 到 100 之间。"}
    with expect_code("out_of_scope") as info:
        inspections_record(
            actor=official,
            campaign=aw.campaign,
            rows=[*visits, InspectionData(aw.zengdu_cadre, date(2025, 7, 3), 1, 1, 1)],
        )
    assert aw.zengdu_cadre.name in info.value.message
    lock(aw.period)
    with expect_code("locked") as info:
        stakeholder_ratings_record(
            actor=official,
            campaign=aw.campaign,
            rows=[
                RatingData(heads[0], "resident", 5, date(2025, 7, 1)),
                RatingData(heads[1], "resident", 4, date(2025, 6, 9)),
            ],
        )
    assert "评价日期 2025-06-09" in info.value.message
    assert (Inspection.objects.count(), StakeholderRating.objects.count()) == (inspections, ratings)

    recorded = inspections_record(actor=official, campaign=aw.campaign, rows=visits)
    assert [i.cadre for i in recorded] == heads
    assert all(i.pk and i.inspector == official and i.notes == "台账完整" for i in recorded)
    rated = stakeholder_ratings_record(
        actor=None, campaign=aw.campaign, rows=[RatingData(cadre, "resident", 5, date(2025, 7, 1)) for cadre in heads]
    )
    for row in [*recorded, *rated]:
        entry = AuditLog.objects.get(object_type=row._meta.label_lower, object_id=str(row.pk))
        assert entry.action == "create"
    assert stakeholder_ratings_record(actor=official, campaign=aw.campaign, rows=[]) == []


def test_project_scores_are_recorded_in_a_batch_and_corrected(world, aw):
    official = world.xingang_official
    second = make_post("新港园区二号项目", kind=PostKind.PROJECT, region=aw.project_post.region, unit=world.xingang)
    rows = [
        ProjectScoreData(aw.project_post, Decimal(80), Decimal(70)),
        ProjectScoreData(second, Decimal(60), Decimal(90)),
    ]
    with expect_code("invalid") as info:
        project_assessments_record(actor=official, period=aw.period, rows=[*rows, rows[0]])
    assert info.value.extra["errors"] == {"post": "第 3 条：项目“新港园区铜产业园”重复了。"}
    first = project_assessments_record(actor=official, period=aw.period, rows=rows)
    assert [(a.post, a.progress_score) for a in first] == [(aw.project_post, Decimal(80)), (second, Decimal(60))]
    corrected = project_assessments_record(
        actor=official, period=aw.period, rows=[ProjectScoreData(second, Decimal("61.5"), Decimal(90), notes="复核")]
    )
    assert corrected[0].pk == first[1].pk
    assert ProjectAssessment.objects.get(pk=first[1].pk).progress_score == Decimal("61.50")
    actions = AuditLog.objects.filter(object_type="appraisal.projectassessment", object_id=str(first[1].pk))
    assert sorted(actions.values_list("action", flat=True)) == ["create", "update"]


def test_the_performance_record_is_built_from_the_ledger_and_can_be_annotated(world, campaign, grid_post):
    cadre = world.grid_cadre
    problem = resolved_problem(
        cadre, grid_post, resolved_at=at(date(2025, 6, 3)), title="修好路灯", resolution="已更换灯泡"
    )
    resolved_problem(
        cadre, grid_post, resolved_at=at(date(2025, 6, 4)), closed_without_confirmation=True, close_reason="x"
    )
    need = ListItem.objects.create(kind=ListKind.NEED, post=grid_post, title="销路")
    resource = ListItem.objects.create(kind=ListKind.RESOURCE, post=grid_post, title="电商平台")
    match = Matchmaking.objects.create(
        need=need,
        resource=resource,
        status=MatchmakingStatus.SIGNED,
        created_by=world.grid_head,
        outcome="签订订单 8 份",
    )
    Matchmaking.objects.filter(pk=match.pk).update(updated_at=at(date(2025, 6, 10)))
    suggestion = suggestion_create(actor=world.grid_head, cadre=cadre, title="夜间巡查", content="建议增加夜间巡查")
    suggestion = suggestion_adopt(actor=world.xingang_official, suggestion=suggestion, note="纳入网格工作制度")
    with expect_code("invalid"):
        suggestion_adopt(actor=world.xingang_official, suggestion=suggestion)
    note = performance_note_add(
        actor=world.xingang_official, cadre=cadre, text="群众送来锦旗", entry_key=f"problem:{problem.pk}"
    )
    performance_note_add(actor=world.grid_head, cadre=cadre, text="参加防汛值守 3 天", occurred_on=date(2025, 6, 20))
    with expect_code("invalid"):
        performance_note_add(actor=world.grid_head, cadre=cadre, text="没有日期的手工实绩")
    with expect_code("invalid"):
        performance_note_add(actor=world.grid_head, cadre=cadre, text="x", entry_key="visit:1")
    with expect_code("forbidden"):  # a cadre annotates only their own record
        performance_note_add(actor=world.grid_head, cadre=world.zengdu_cadre, text="x", occurred_on=date(2025, 6, 1))

    record = performance_record(cadre=cadre)
    kinds = {e.entry_key or "manual": e.kind for e in record}
    assert kinds == {
        f"problem:{problem.pk}": EntryKind.PROBLEM,
        f"matchmaking:{match.pk}": EntryKind.MATCHMAKING,
        f"suggestion:{suggestion.pk}": EntryKind.SUGGESTION,
        "manual": EntryKind.MANUAL,
    }
    by_key = {e.entry_key: e for e in record}
    assert by_key[f"problem:{problem.pk}"].notes == [note]
    assert "已更换灯泡" in by_key[f"problem:{problem.pk}"].detail
    assert by_key[f"problem:{problem.pk}"].url == problem.get_absolute_url()
    assert "签订订单 8 份" in by_key[f"matchmaking:{match.pk}"].detail
    assert [e.date for e in record] == sorted((e.date for e in record if e.date), reverse=True)
    june_first_week = performance_record(cadre=cadre, start=date(2025, 6, 1), end=date(2025, 6, 7))
    assert [e.entry_key for e in june_first_week] == [f"problem:{problem.pk}"]


def test_suggestions_adopted_count_in_the_period(world, campaign, grid_post):
    adopter, idle = cadres(world, 2, "干部")
    for cadre in (adopter, idle):
        deploy(cadre, grid_post, campaign=campaign, role_code="grid_head")
    adopted_suggestion(adopter, adopted_at=at(date(2025, 6, 9)))
    dims = simple_dimensions(InputData(InputSource.INDICATOR, Indicator.SUGGESTIONS_ADOPTED))
    period = compute(make_period(make_scheme(campaign, dimensions=dims)))
    assert score(period, adopter).total == Decimal("75.00")  # (1 + 0.5) / 2
    assert score(period, idle).total == Decimal("25.00")
    assert AppraisalPeriod.objects.get(pk=period.pk).status == PeriodStatus.COMPUTED


def test_breakdowns_keep_any_dimension_name_intact(world, campaign, grid_post):
    cadre = cadres(world, 1, "干部")[0]
    deploy(cadre, grid_post, campaign=campaign, role_code="grid_head")
    make_inspection(campaign, cadre, day=date(2025, 6, 3), scores=(90, 90, 90))
    name = '“四不两直”100% 达标 \\ "引号"'
    dims = [DimensionData("odd", name, Decimal(100), [InputData(InputSource.INSPECTION, normalization="absolute")])]
    period = compute(make_period(make_scheme(campaign, dimensions=dims)))
    breakdown = score(period, cadre).breakdown
    assert breakdown["dimensions"][0]["name"] == name
    assert breakdown["dimensions"][0]["inputs"][0]["normalized"] == 90.0
