"""The demo's appraisals reproduce the seeds' figures from evidence, and every score traces to its rows.

Built once for the module inside a transaction that is rolled back at the end (as test_demo.py).
"""

from datetime import date

import pytest
from django.db import transaction
from django.db.models import Count, F
from django.test import Client, TestCase, override_settings
from django.urls import reverse
from django.utils import timezone

from frontline.appraisal.models import (
    AppraisalPeriod,
    CadreScore,
    Inspection,
    PeriodKind,
    PeriodStatus,
    ProjectAssessment,
    StakeholderRating,
    Suggestion,
)
from frontline.appraisal.services import period_span
from frontline.cadres.models import Cadre
from frontline.core.access import access_for
from frontline.core.models import DataScope, User
from frontline.demo.appraising import DEMO_CADRE_POST
from frontline.demo.builder import DEMO_LOGINS, build_demo
from frontline.demo.dispatching import LIANYUNGANG_CAMPAIGN, XINGANG_CAMPAIGN, ZENGDU_CAMPAIGN
from frontline.ledger.models import Problem
from frontline.talent.models import Merit, MeritKind, Promotion, PromotionKind, ReservePoolEntry, ReserveStatus

SIX = ["tackling", "service", "innovation", "coordination", "public_evaluation", "integrity"]


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    fast_hashing = override_settings(PASSWORD_HASHERS=["django.contrib.auth.hashers.MD5PasswordHasher"])
    with django_db_blocker.unblock(), transaction.atomic(), fast_hashing:
        with TestCase.captureOnCommitCallbacks(execute=True):
            summary = build_demo(log=lambda _message: None, all_regions=False)
        yield summary
        transaction.set_rollback(True)


@pytest.fixture
def users(demo, db) -> dict[str, User]:
    return {u.username: u for u in User.objects.filter(username__startswith="demo-")}


def signed_in(user: User) -> Client:
    client = Client()
    client.force_login(user)
    return client


def zengdu_months() -> list[AppraisalPeriod]:
    return list(
        AppraisalPeriod.objects.filter(scheme__campaign__name=ZENGDU_CAMPAIGN, kind=PeriodKind.MONTH).order_by(
            "start_date"
        )
    )


# 曾都区 ------------------------------------------------------------------------------------------


def test_zengdu_has_five_locked_months_of_50_scores_on_the_six_dimensions(users):
    months = zengdu_months()
    assert [p.start_date for p in months] == [date(2025, m, 1) for m in (6, 7, 8, 9, 10)]
    for period in months:
        assert period.status == PeriodStatus.LOCKED
        scores = list(CadreScore.objects.filter(period=period))
        assert len(scores) == 50
        for score in scores:
            assert [d["code"] for d in score.breakdown["dimensions"]] == SIX
            assert 0 < score.total <= 100
        assert min(s.rank or 0 for s in scores) == 1


def test_zengdus_130_problems_were_solved_by_its_cadres_in_the_months_and_each_counts_once(users):
    cadres = Cadre.objects.filter(deployments__campaign__name=ZENGDU_CAMPAIGN)
    solved = Problem.objects.filter(cadre__in=cadres, resolved_at__isnull=False)
    assert solved.count() >= 130
    assert solved.filter(closed_without_confirmation=False, rating__isnull=False).count() == solved.count()
    assert solved.values("cadre").distinct().count() >= 30
    # The "problems resolved" figure of each month adds up to the problems resolved in it.
    for period in zengdu_months():
        counted = sum(
            int(s.breakdown["dimensions"][0]["inputs"][0]["denominator"] or 0)
            for s in CadreScore.objects.filter(period=period)
        )
        start, end = period_span(PeriodKind.MONTH, period.start_date)
        assert counted == sum(1 for p in solved if start <= timezone.localdate(p.resolved_at) <= end)
    assert sum(1 for p in solved if date(2025, 6, 1) <= timezone.localdate(p.resolved_at) <= date(2025, 10, 31)) == (
        solved.count()
    )


def test_the_young_cadre_at_xinnongwan_settled_17_relocation_disputes(users):
    cadre = users["demo-cadre"].cadre
    assert cadre.deployments.get().post.name == DEMO_CADRE_POST
    disputes = Problem.objects.filter(cadre=cadre, category__code="relocation", resolved_at__isnull=False)
    assert disputes.count() == 17
    assert all(p.created_by_id == users["demo-cadre"].pk for p in disputes)


def test_zengdu_has_inspections_ratings_and_40_suggestions_of_which_10_adopted(users):
    campaign_cadres = Cadre.objects.filter(deployments__campaign__name=ZENGDU_CAMPAIGN)
    assert Inspection.objects.filter(cadre__in=campaign_cadres).count() == 50 * 5
    assert Inspection.objects.filter(cadre__in=campaign_cadres, unannounced=True).exists()
    assert StakeholderRating.objects.filter(cadre__in=campaign_cadres).count() >= 250
    suggestions = Suggestion.objects.filter(cadre__in=campaign_cadres)
    assert suggestions.count() >= 40
    assert suggestions.filter(adopted=True).count() == 10
    # Adopted within the months, so each counts in one month's score.
    assert not suggestions.filter(adopted=True, adopted_at__date__gt=date(2025, 10, 31)).exists()


def test_zengdu_promoted_20_from_the_reserve_pool_and_gave_18_rank_promotions(users):
    promotions = Promotion.objects.filter(cadre__home_unit__path__startswith=users["demo-zengdu"].unit.path)
    position = promotions.filter(kind=PromotionKind.POSITION)
    rank = promotions.filter(kind=PromotionKind.RANK)
    assert (position.count(), rank.count()) == (20, 18)
    assert position.values("cadre").distinct().count() + rank.values("cadre").distinct().count() == 38
    for promotion in promotions.prefetch_related("scores__period"):
        assert promotion.evidence
        assert promotion.scores.count() == 3
        assert all(s.period.status == PeriodStatus.LOCKED for s in promotion.scores.all())
    for promotion in position.select_related("reserve_entry"):
        assert promotion.reserve_entry is not None
        assert promotion.reserve_entry.status == ReserveStatus.APPROVED
        # Four eyes: the office nominated, somebody else approved.
        assert promotion.reserve_entry.decided_by_id != promotion.reserve_entry.nominated_by_id
    pool = ReservePoolEntry.objects.filter(campaign__name=ZENGDU_CAMPAIGN, status=ReserveStatus.APPROVED)
    assert pool.count() >= 20
    assert pool.filter(basis="rule").exists()


def test_the_zengdu_office_sees_the_months_and_their_rankings(users):
    client = signed_in(users["demo-zengdu"])
    period = zengdu_months()[-1]
    assert client.get(reverse("appraisal:period_detail", args=[period.pk])).status_code == 200
    assert client.get(reverse("appraisal:rankings", args=[period.pk])).status_code == 200
    assert signed_in(users["demo-xingang"]).get(reverse("appraisal:period_detail", args=[period.pk])).status_code == 404


# demo-cadre --------------------------------------------------------------------------------------


def test_demo_cadre_is_a_zengdu_cadre_with_the_own_scope(users):
    user = users["demo-cadre"]
    assert "demo-cadre" in [login for login, _ in DEMO_LOGINS]
    assert access_for(user).scope == DataScope.OWN
    assert user.cadre.deployments.get().campaign.name == ZENGDU_CAMPAIGN


def test_demo_cadre_sees_their_own_score_page_and_not_a_colleagues(users):
    user = users["demo-cadre"]
    period = zengdu_months()[-1]
    own = CadreScore.objects.get(period=period, cadre=user.cadre)
    colleague = CadreScore.objects.filter(period=period).exclude(cadre=user.cadre).first()
    assert colleague is not None
    client = signed_in(user)
    response = client.get(reverse("appraisal:score_detail", args=[own.pk]))
    assert response.status_code == 200
    assert user.cadre.name in response.content.decode()
    assert client.get(reverse("appraisal:score_detail", args=[colleague.pk])).status_code == 404
    assert client.get(reverse("appraisal:score_evidence", args=[colleague.pk, 0, 0])).status_code == 404
    assert client.get(reverse("appraisal:my_scores")).status_code == 200


def test_a_zengdu_figure_traces_to_its_problem_rows_in_two_clicks(users):
    user = users["demo-cadre"]
    client = signed_in(user)
    score = (
        CadreScore.objects.filter(period__in=zengdu_months(), cadre=user.cadre)
        .exclude(breakdown__dimensions__0__inputs__0__denominator=None)
        .first()
    )
    assert score is not None
    page = client.get(reverse("appraisal:score_detail", args=[score.pk])).content.decode()
    link = reverse("appraisal:score_evidence", args=[score.pk, 0, 0])
    assert link in page  # first click: the score page links every figure to its rows
    response = client.get(link)  # second click: the rows behind "problems resolved"
    assert response.status_code == 200
    rows = list(response.context["page"].object_list)
    assert len(rows) >= 1
    assert all(isinstance(row, Problem) and row.cadre_id == user.cadre.pk for row in rows)
    assert rows[0].title in response.content.decode()
    assert len(rows) == int(score.breakdown["dimensions"][0]["inputs"][0]["denominator"])


# 连云港 ------------------------------------------------------------------------------------------


def test_lianyungang_classes_58_strong_and_8_average_from_400_comments(users):
    period = AppraisalPeriod.objects.get(scheme__campaign__name=LIANYUNGANG_CAMPAIGN)
    assert period.status == PeriodStatus.LOCKED
    scores = CadreScore.objects.filter(period=period)
    assert scores.count() == 66
    classes = dict(scores.values("band").annotate(n=Count("id")).values_list("band", "n"))
    assert classes == {"strong": 58, "average": 8}
    # The classes come from the bands applied to the computed totals, nothing else.
    bands = {b["code"]: b["min_score"] for b in period.scheme.bands}
    for score in scores:
        assert score.total == score.computed_total
        assert (score.band == "strong") == (score.total >= bands["strong"])
    ratings = StakeholderRating.objects.filter(campaign=period.scheme.campaign)
    assert ratings.count() >= 400
    assert set(ratings.values_list("rater_kind", flat=True)) == {"enterprise", "resident", "colleague"}
    assert ratings.exclude(comment="").values("comment").distinct().count() >= 20
    assert not period.flags.filter(kind="identical_ratings").exists()


def test_lianyungang_promoted_15_strong_heads_and_gave_7_third_class_merits(users):
    path = users["demo-lianyungang"].unit.path
    promotions = Promotion.objects.filter(cadre__home_unit__path__startswith=path)
    merits = Merit.objects.filter(cadre__home_unit__path__startswith=path, kind=MeritKind.THIRD_CLASS)
    assert promotions.count() == 15
    assert merits.count() == 7
    for promotion in promotions.prefetch_related("scores"):
        assert [s.band for s in promotion.scores.all()] == ["strong"]
    for merit in merits.prefetch_related("scores"):
        assert [s.band for s in merit.scores.all()] == ["strong"]


# 新港园区 ------------------------------------------------------------------------------------------


def test_xingang_ranks_its_49_key_projects_monthly_with_red_flags_and_trend(users):
    periods = list(
        AppraisalPeriod.objects.filter(scheme__campaign__name=XINGANG_CAMPAIGN, kind=PeriodKind.MONTH).order_by(
            "start_date"
        )
    )
    assert len(periods) >= 3
    for n, period in enumerate(periods):
        assessments = ProjectAssessment.objects.filter(period=period)
        assert assessments.count() == 49
        assert assessments.filter(red_flag=True).count() == period.scheme.red_flag_count
        assert not assessments.filter(total__isnull=True).exists()
        if n == 0:
            assert not assessments.exclude(previous_rank=None).exists()
        else:
            assert not assessments.filter(previous_rank=None).exists()
            assert assessments.exclude(rank=F("previous_rank")).exists()  # the ranking moves
    assert ProjectAssessment.objects.filter(period__in=periods, service_score__isnull=False).exists()
    client = signed_in(users["demo-xingang"])
    response = client.get(reverse("appraisal:projects", args=[periods[-1].pk]))
    assert response.status_code == 200


def test_the_summary_reports_the_appraisals(demo):
    assert "曾都区 5 个月度考核（50 名干部、6 个维度）" in demo
    assert "提拔 20 人、职级晋升 18 人" in demo
    assert "好 58 名、一般 8 名，提拔 15 名、记三等功 7 名" in demo
