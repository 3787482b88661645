from datetime import date
from decimal import Decimal

import pytest

from frontline.cadres.models import Cadre
from frontline.dispatch.tests.factories import make_campaign, role
from frontline.talent.rules import RuleResult, percentile_threshold, reserve_rule_candidates
from frontline.talent.services import reserve_nominate
from frontline.talent.tests.factories import make_month

JAN, FEB, MAR, APR, MAY = (date(2025, m, 1) for m in (1, 2, 3, 4, 5))


def names(result: RuleResult) -> list[str]:
    return [c.cadre.name for c in result.candidates]


def reorder(peers: list[Cadre], first: Cadre) -> list[Cadre]:
    """Return the peer group with `first` at the top and everyone else in their usual order."""
    return [first, *[p for p in peers if p != first]]


def test_the_top_10_percent_is_a_percentile_of_90_or_more():
    assert percentile_threshold(Decimal("0.10")) == Decimal("90.00")
    assert percentile_threshold(0.25) == Decimal("75.00")


def test_top_of_the_peer_group_three_months_in_a_row_qualifies(campaign, peers):
    chen, zhang = peers[0], peers[1]
    make_month(campaign, JAN, peers)
    make_month(campaign, FEB, peers)
    make_month(campaign, MAR, peers)
    result = reserve_rule_candidates(campaign=campaign, months=3, top_share=Decimal("0.10"))
    assert result.window.problem == ""
    assert names(result) == [chen.name]
    assert zhang.name not in names(result)  # second of ten every month: percentile 85, outside the top 10%
    assert [s.period.start_date for s in result.candidates[0].scores] == [JAN, FEB, MAR]
    assert all(s.percentile_in_group == Decimal("95.00") for s in result.candidates[0].scores)


def test_two_months_at_the_top_are_not_enough_for_a_three_month_rule(campaign, peers):
    chen, zhang = peers[0], peers[1]
    make_month(campaign, JAN, peers)
    make_month(campaign, FEB, reorder(peers, zhang))  # 陈明 second in February
    make_month(campaign, MAR, peers)
    assert names(reserve_rule_candidates(campaign=campaign, months=3)) == []
    assert names(reserve_rule_candidates(campaign=campaign, months=1)) == [chen.name]


def test_a_campaign_with_only_two_locked_months_has_no_three_month_candidates_and_says_why(campaign, peers):
    make_month(campaign, FEB, peers)
    make_month(campaign, MAR, peers)
    result = reserve_rule_candidates(campaign=campaign, months=3)
    assert result.candidates == []
    assert "只有 2 个已锁定的月度考核期" in result.window.problem
    assert names(reserve_rule_candidates(campaign=campaign, months=2)) == [peers[0].name]


def test_a_month_without_a_locked_period_breaks_the_run(campaign, peers):
    make_month(campaign, JAN, peers)
    make_month(campaign, FEB, peers)
    make_month(campaign, APR, peers)  # no March
    result = reserve_rule_candidates(campaign=campaign, months=3)
    assert result.candidates == []
    assert "2025年03月" in result.window.problem
    assert [p.start_date for p in reserve_rule_candidates(campaign=campaign, months=1).window.periods] == [APR]


def test_a_cadre_missing_from_one_month_of_the_run_does_not_qualify(campaign, peers):
    chen = peers[0]
    make_month(campaign, JAN, peers)
    make_month(campaign, FEB, peers[1:])  # 陈明 not appraised in February (another peer group of nine)
    make_month(campaign, MAR, peers)
    assert chen.name not in names(reserve_rule_candidates(campaign=campaign, months=3))


def test_unlocked_periods_do_not_count(campaign, peers):
    chen, zhang = peers[0], peers[1]
    make_month(campaign, JAN, peers)
    make_month(campaign, FEB, peers)
    make_month(campaign, MAR, peers, locked=False)  # computed, still under review
    result = reserve_rule_candidates(campaign=campaign, months=3)
    assert result.candidates == []
    assert "只有 2 个" in result.window.problem

    make_month(campaign, DEC := date(2024, 12, 1), peers)
    # The last three locked months are now December, January, February: 陈明 qualifies on those,
    # and an unlocked April in which 张文强 tops the group changes nothing.
    make_month(campaign, APR, reorder(peers, zhang), locked=False)
    result = reserve_rule_candidates(campaign=campaign, months=3)
    assert [p.start_date for p in result.window.periods] == [DEC, JAN, FEB]
    assert names(result) == [chen.name]


def test_only_the_campaigns_own_periods_count(world, campaign, peers):
    other = make_campaign("另一行动", unit=world.xingang)
    make_month(campaign, JAN, peers)
    make_month(other, FEB, peers)
    make_month(campaign, MAR, peers)
    assert "只有 2 个" in reserve_rule_candidates(campaign=campaign, months=3).window.problem


def test_each_peer_group_has_its_own_top(campaign, peers):
    """The best instructor and the best grid head both qualify: roles are ranked among their peers, not raw."""
    instructors, grid_heads = peers[:5], peers[5:]
    for month in (JAN, FEB, MAR):
        make_month(campaign, month, instructors, other_groups=[(grid_heads, role("grid_head"), "community")])
    # Five in a group: the best is at (4 + ½)/5 = 90 (inside the top 10%), the second at 70.
    assert set(names(reserve_rule_candidates(campaign=campaign, months=3))) == {instructors[0].name, grid_heads[0].name}


def test_the_share_is_configurable(campaign, peers):
    for month in (JAN, FEB, MAR):
        make_month(campaign, month, peers)
    top_quarter = reserve_rule_candidates(campaign=campaign, months=3, top_share=Decimal("0.25"))
    assert top_quarter.threshold == Decimal("75.00")
    assert set(names(top_quarter)) == {p.name for p in peers[:3]}  # percentiles 95, 85 and 75


def test_candidates_already_in_the_pool_are_marked(world, campaign, peers):
    for month in (JAN, FEB, MAR):
        make_month(campaign, month, peers)
    entry = reserve_nominate(actor=world.xingang_official, cadre=peers[0], reason="综合表现突出")
    result = reserve_rule_candidates(campaign=campaign, months=3)
    assert result.candidates[0].open_entry == entry
    assert result.candidates[0].already_in_pool


def test_the_candidates_are_limited_to_the_users_scope(world, campaign, peers):
    for month in (JAN, FEB, MAR):
        make_month(campaign, month, peers)
    assert names(reserve_rule_candidates(campaign=campaign, user=world.xingang_official)) == [peers[0].name]
    assert names(reserve_rule_candidates(campaign=campaign, user=world.zengdu_official)) == []
    assert names(reserve_rule_candidates(campaign=campaign, user=world.jiangsu_official)) == []


@pytest.mark.parametrize("group_size", [10, 40])
def test_finding_candidates_takes_the_same_queries_whatever_the_number_of_cadres(
    world, campaign, peers, group_size, django_assert_num_queries
):
    from frontline.core.testing import make_cadre

    group = peers + [make_cadre(f"扩充干部{n}", home_unit=world.xingang) for n in range(group_size - 10)]
    for month in (JAN, FEB, MAR):
        make_month(campaign, month, group)
    # window months, window periods, qualifying cadres, their scores, their open entries
    with django_assert_num_queries(5):
        result = reserve_rule_candidates(campaign=campaign, months=3, top_share=Decimal("0.10"))
    assert len(result.candidates) == group_size // 10
