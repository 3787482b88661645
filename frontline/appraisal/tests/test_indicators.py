"""The ledger indicators, inspections and stakeholder ratings on small hand-computed examples.

June 2025 in Asia/Shanghai is [2025-05-31 16:00 UTC, 2025-06-30 16:00 UTC): several rows sit just
around midnight local time, where a UTC truncation would count them wrongly.
"""

from datetime import date, datetime
from typing import Any

import pytest

from frontline.appraisal.indicators import (
    INDICATOR_DOCS,
    PROBLEM_INDICATORS,
    evidence_queryset,
    indicator_figures,
    inspection_evidence,
    inspection_figures,
    period_bounds,
    post_service_figures,
    problem_figures,
    raw_value,
    stakeholder_evidence,
    stakeholder_figures,
)
from frontline.appraisal.models import Indicator, InputSource, RaterKind
from frontline.appraisal.tests.factories import (
    add_event,
    adopted_suggestion,
    at,
    make_appraisal_campaign,
    make_inspection,
    make_problem_row,
    make_rating,
    rate_problem,
    resolved_problem,
)
from frontline.cadres.models import Cadre
from frontline.core.models import User
from frontline.core.testing import World, make_cadre, make_post
from frontline.ledger.models import ListItem, ListKind, Matchmaking, MatchmakingStatus
from frontline.posts.models import Post, PostKind

START, END = date(2025, 6, 1), date(2025, 6, 30)


@pytest.fixture
def cadre(world: World) -> Cadre:
    return world.grid_cadre  # has the login "grid"


@pytest.fixture
def post(world: World) -> Post:
    return world.xingang_enterprise


def figures(indicator: str, cadre: Cadre | None = None) -> Any:
    """Return every cadre's figures, or one cadre's (numerator, denominator)."""
    result = indicator_figures(indicator, cadres=None, start=START, end=END)
    return result if cadre is None else result.get(cadre.pk)


def test_period_bounds_are_local_midnights():
    lo, hi = period_bounds(START, END)
    assert lo.isoformat() == "2025-06-01T00:00:00+08:00"
    assert hi.isoformat() == "2025-07-01T00:00:00+08:00"


def test_problems_resolved_weighs_difficulty_and_level(cadre, post):
    # livelihood (1.0) at the grid level (1.2) → 1.2; land approval (2.0) at the county (2.0) → 4.0;
    # infrastructure (1.5) at the township (1.5) resolved at 23:30 on 30 June local time → 2.25.
    resolved_problem(cadre, post, resolved_at=at(date(2025, 6, 3)), category_code="livelihood", level=2)
    resolved_problem(cadre, post, resolved_at=at(date(2025, 6, 9)), category_code="land-approval", level=4)
    resolved_problem(cadre, post, resolved_at=at(date(2025, 6, 30), 23, 30), category_code="infrastructure", level=3)
    # Not counted: resolved at 00:10 on 1 July local (still 30 June in UTC), closed without the
    # requester's confirmation, resolved in May.
    resolved_problem(cadre, post, resolved_at=at(date(2025, 7, 1), 0, 10), level=4)
    resolved_problem(
        cadre,
        post,
        resolved_at=at(date(2025, 6, 12)),
        closed_without_confirmation=True,
        close_reason="联系不上诉求人",
    )
    resolved_problem(cadre, post, resolved_at=at(date(2025, 5, 31), 23, 0))
    numerator, denominator = figures(Indicator.PROBLEMS_RESOLVED, cadre)
    assert numerator == pytest.approx(1.2 + 4.0 + 2.25)
    assert denominator == 3
    rows = list(evidence_queryset(indicator=Indicator.PROBLEMS_RESOLVED, cadre=cadre, start=START, end=END))
    assert len(rows) == 3
    assert sum(r.weighted for r in rows) == pytest.approx(7.45)


def test_on_time_rate_compares_local_dates(cadre, post):
    due = date(2025, 6, 16)
    on_time = make_problem_row(cadre, post, created_at=at(date(2025, 6, 2)), resolve_due=due, resolved_at=at(due, 22))
    # Resolved at 01:00 the day after the deadline (17:00 UTC on the deadline itself): late.
    late = make_problem_row(
        cadre, post, created_at=at(date(2025, 6, 2)), resolve_due=due, resolved_at=at(date(2025, 6, 17), 1)
    )
    unresolved = make_problem_row(cadre, post, created_at=at(date(2025, 6, 2)), resolve_due=date(2025, 6, 30))
    make_problem_row(cadre, post, created_at=at(date(2025, 6, 2)), resolve_due=date(2025, 7, 1))  # due in July
    assert figures(Indicator.ON_TIME_RATE, cadre) == (1, 3)
    assert raw_value(InputSource.INDICATOR, Indicator.ON_TIME_RATE, 1, 3) == pytest.approx(100 / 3)
    rows = {
        p.pk: p.in_numerator
        for p in evidence_queryset(indicator=Indicator.ON_TIME_RATE, cadre=cadre, start=START, end=END)
    }
    assert rows == {on_time.pk: True, late.pk: False, unresolved.pk: False}


def test_same_day_acknowledgement_uses_the_local_day(cadre, post):
    day = date(2025, 6, 5)
    make_problem_row(cadre, post, created_at=at(day, 8), handed_over_at=at(day, 9), acknowledged_at=at(day, 17))
    # Handed over at 23:30 and signed for at 00:30: the next day locally, the same day in UTC.
    overnight = make_problem_row(
        cadre, post, created_at=at(day, 8), handed_over_at=at(day, 23, 30), acknowledged_at=at(date(2025, 6, 6), 0, 30)
    )
    make_problem_row(cadre, post, created_at=at(day, 8), handed_over_at=at(day, 11))  # never signed for
    make_problem_row(cadre, post, created_at=at(day, 8), handed_over_at=at(date(2025, 7, 2), 9))  # July
    assert figures(Indicator.SAME_DAY_ACK_RATE, cadre) == (1, 3)
    rows = evidence_queryset(indicator=Indicator.SAME_DAY_ACK_RATE, cadre=cadre, start=START, end=END)
    assert {p.pk for p in rows if not p.in_numerator} >= {overnight.pk}


def test_satisfaction_is_the_mean_rating_mapped_to_100(cadre, post):
    for score, moment in ((5, at(date(2025, 6, 3))), (3, at(date(2025, 6, 20))), (1, at(date(2025, 7, 1), 8))):
        problem = resolved_problem(cadre, post, resolved_at=at(date(2025, 6, 2)))
        rate_problem(problem, score, at_time=moment)
    numerator, denominator = figures(Indicator.SATISFACTION, cadre)
    assert (numerator, denominator) == (8, 2)
    assert raw_value(InputSource.INDICATOR, Indicator.SATISFACTION, numerator, denominator) == 75.0
    assert evidence_queryset(indicator=Indicator.SATISFACTION, cadre=cadre, start=START, end=END).count() == 2


def test_reopen_rate_counts_resolved_problems_that_were_reopened(cadre, post):
    for reopened in (0, 0, 0, 2):
        resolved_problem(cadre, post, resolved_at=at(date(2025, 6, 8)), reopen_count=reopened)
    resolved_problem(cadre, post, resolved_at=at(date(2025, 5, 8)), reopen_count=1)
    assert figures(Indicator.REOPEN_RATE, cadre) == (1, 4)
    assert raw_value(InputSource.INDICATOR, Indicator.REOPEN_RATE, 1, 4) == 25.0
    assert INDICATOR_DOCS[Indicator.REOPEN_RATE].lower_is_better


def test_send_backs_count_the_events_in_the_period(cadre, post):
    problem = make_problem_row(cadre, post, created_at=at(date(2025, 5, 20)))
    add_event(problem, "send_back", at_time=at(date(2025, 6, 2)))
    add_event(problem, "send_back", at_time=at(date(2025, 6, 9)))
    add_event(problem, "send_back", at_time=at(date(2025, 7, 1), 9))
    add_event(problem, "hand_over", at_time=at(date(2025, 6, 3)))
    assert figures(Indicator.SEND_BACKS_CAUSED, cadre) == (2, None)
    assert evidence_queryset(indicator=Indicator.SEND_BACKS_CAUSED, cadre=cadre, start=START, end=END).count() == 2


def test_suggestions_adopted_in_the_period(cadre):
    adopted_suggestion(cadre, adopted_at=at(date(2025, 6, 18)))
    adopted_suggestion(cadre, adopted_at=at(date(2025, 5, 18)))
    cadre.suggestions.create(title="未采纳", content="内容")
    assert figures(Indicator.SUGGESTIONS_ADOPTED, cadre) == (1, None)


def test_matchmakings_signed_by_the_cadres_user(world, cadre, post):
    def match(by: User, status: str, when: datetime) -> Matchmaking:
        need = ListItem.objects.create(kind=ListKind.NEED, post=post, title="用工需求")
        resource = ListItem.objects.create(kind=ListKind.RESOURCE, post=post, title="劳务资源")
        m = Matchmaking.objects.create(need=need, resource=resource, status=status, created_by=by)
        Matchmaking.objects.filter(pk=m.pk).update(updated_at=when)
        return m

    signed = match(world.grid_head, MatchmakingStatus.SIGNED, at(date(2025, 6, 12)))
    match(world.grid_head, MatchmakingStatus.NEGOTIATING, at(date(2025, 6, 12)))
    match(world.grid_head, MatchmakingStatus.SIGNED, at(date(2025, 5, 12)))
    match(world.xingang_official, MatchmakingStatus.SIGNED, at(date(2025, 6, 12)))
    assert figures(Indicator.MATCHMAKINGS_CONCLUDED) == {cadre.pk: (1, None)}
    rows = evidence_queryset(indicator=Indicator.MATCHMAKINGS_CONCLUDED, cadre=cadre, start=START, end=END)
    assert [m.pk for m in rows] == [signed.pk]
    assert not evidence_queryset(
        indicator=Indicator.MATCHMAKINGS_CONCLUDED, cadre=world.zengdu_cadre, start=START, end=END
    ).exists()


def test_inspections_average_the_three_sub_scores(world, cadre):
    campaign = make_appraisal_campaign(unit=world.xingang)
    other = make_appraisal_campaign(unit=world.xingang, name="另一行动")
    make_inspection(campaign, cadre, day=date(2025, 6, 3), scores=(80, 90, 70))  # mean 80
    make_inspection(campaign, cadre, day=date(2025, 6, 30), scores=(60, 60, 60))  # mean 60
    make_inspection(campaign, cadre, day=date(2025, 7, 1), scores=(0, 0, 0))
    make_inspection(other, cadre, day=date(2025, 6, 3), scores=(0, 0, 0))
    result = inspection_figures(cadres=None, start=START, end=END, campaign_id=campaign.pk)
    assert result == {cadre.pk: (140.0, 2.0)}
    assert raw_value(InputSource.INSPECTION, "", 140.0, 2.0) == 70.0
    assert inspection_evidence(cadre=cadre, start=START, end=END, campaign_id=campaign.pk).count() == 2


def test_stakeholder_ratings_by_rater_kind(world, cadre):
    campaign = make_appraisal_campaign(unit=world.xingang)
    make_rating(campaign, cadre, 5, day=date(2025, 6, 3), kind=RaterKind.ENTERPRISE)
    make_rating(campaign, cadre, 4, day=date(2025, 6, 4), kind=RaterKind.ENTERPRISE)
    make_rating(campaign, cadre, 2, day=date(2025, 6, 5), kind=RaterKind.RESIDENT)
    make_rating(campaign, cadre, 1, day=date(2025, 7, 5), kind=RaterKind.RESIDENT)
    everyone = stakeholder_figures(cadres=None, start=START, end=END, campaign_id=campaign.pk)
    assert everyone == {cadre.pk: (11, 3)}
    assert raw_value(InputSource.STAKEHOLDER, "", 11, 3) == pytest.approx((11 / 3 - 1) * 25)
    enterprises = stakeholder_figures(
        cadres=None, start=START, end=END, campaign_id=campaign.pk, rater_kind=RaterKind.ENTERPRISE
    )
    assert enterprises == {cadre.pk: (9, 2)}
    assert raw_value(InputSource.STAKEHOLDER, "", 9, 2) == 87.5
    assert stakeholder_evidence(cadre=cadre, start=START, end=END, rater_kind=RaterKind.RESIDENT).count() == 1


def test_counts_without_rows_are_zero_and_rates_are_missing():
    assert raw_value(InputSource.INDICATOR, Indicator.SEND_BACKS_CAUSED, None, None) == 0
    assert raw_value(InputSource.INDICATOR, Indicator.ON_TIME_RATE, 0, 0) is None
    assert raw_value(InputSource.STAKEHOLDER, "", None, None) is None


def test_figures_are_restricted_to_the_set_of_cadres(world, cadre, post):
    outsider = make_cadre("外人", home_unit=world.xingang)
    resolved_problem(cadre, post, resolved_at=at(date(2025, 6, 3)))
    resolved_problem(outsider, post, resolved_at=at(date(2025, 6, 3)))
    subset = Cadre.objects.filter(pk=cadre.pk).values("pk")
    result = indicator_figures(Indicator.PROBLEMS_RESOLVED, cadres=subset, start=START, end=END)
    assert set(result) == {cadre.pk}


def test_every_indicator_has_a_documented_formula_and_its_evidence_counts_agree(cadre, post):
    resolved_problem(
        cadre, post, resolved_at=at(date(2025, 6, 3)), resolve_due=date(2025, 6, 4), handed_over_at=at(date(2025, 6, 2))
    )
    for indicator in Indicator.values:
        doc = INDICATOR_DOCS[indicator]
        assert str(doc.formula)
        figure = figures(indicator, cadre)
        rows = evidence_queryset(indicator=indicator, cadre=cadre, start=START, end=END)
        if figure is None:
            assert not rows.exists()
        elif doc.is_count and figure[1] is None:
            assert rows.count() == figure[0]
        else:
            assert rows.count() == figure[1]


def test_the_problem_indicators_read_together_match_each_read_alone(world, cadre, post):
    other = make_cadre("同事", home_unit=world.xingang)
    day = date(2025, 6, 10)
    resolved_problem(cadre, post, resolved_at=at(day), resolve_due=day, handed_over_at=at(day, 9), reopen_count=1)
    make_problem_row(cadre, post, created_at=at(day), handed_over_at=at(day, 9), acknowledged_at=at(day, 11))
    make_problem_row(other, post, created_at=at(day), resolve_due=date(2025, 6, 12))  # due, unresolved
    resolved_problem(other, post, resolved_at=at(date(2025, 5, 30)))  # outside every scope
    together = problem_figures(PROBLEM_INDICATORS, cadres=None, start=START, end=END)
    assert set(together) == set(PROBLEM_INDICATORS)
    for indicator in PROBLEM_INDICATORS:
        alone = problem_figures([indicator], cadres=None, start=START, end=END)[indicator]
        assert together[indicator] == alone, indicator
    assert together[Indicator.ON_TIME_RATE] == {cadre.pk: (1, 1), other.pk: (0, 1)}
    assert together[Indicator.SAME_DAY_ACK_RATE] == {cadre.pk: (1, 2)}
    assert together[Indicator.REOPEN_RATE] == {cadre.pk: (1, 1)}
    assert other.pk not in together[Indicator.PROBLEMS_RESOLVED]


def test_service_figures_of_a_project_include_its_sub_projects(world, cadre):
    project = make_post("铜产业园", kind=PostKind.PROJECT, region=world.xingang_enterprise.region, unit=world.xingang)
    sub = make_post("铜产业园一期", kind=PostKind.PROJECT, region=project.region, unit=world.xingang, parent=project)
    due = date(2025, 6, 20)
    make_problem_row(cadre, project, created_at=at(date(2025, 6, 1)), resolve_due=due, resolved_at=at(due, 9))
    late = make_problem_row(cadre, sub, created_at=at(date(2025, 6, 1)), resolve_due=due)
    rate_problem(late, 3, at_time=at(date(2025, 6, 25)))
    service = post_service_figures(post_ids=[project.pk], start=START, end=END)[project.pk]
    assert (service.due, service.on_time) == (2, 1)
    assert service.on_time_rate == 50.0
    assert service.satisfaction == 50.0
