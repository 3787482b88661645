"""The record-level engine: hard rules, reasons, explanations, stability and bad input."""

from __future__ import annotations

import itertools
from typing import Any

import numpy as np
import pytest
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from frontline.dispatch.matching import (
    Assignment,
    CadreIn,
    MatchResult,
    Names,
    PairIn,
    PostNeed,
    Rules,
    Weights,
    great_circle_km,
    knn_candidates,
    merge_forbidden,
    same_key_conflicts,
    solve,
    solve_pairs,
    weights_from,
)

FAST = settings(max_examples=50, deadline=None, suppress_health_check=[HealthCheck.too_slow])

# Wuhan-ish coordinates: 0.01° latitude ≈ 1.1 km
BASE_LAT, BASE_LNG = 30.55, 114.30


def cadre(cid: int, dlat: float = 0.0, **kw: Any) -> CadreIn:
    return CadreIn(id=cid, lat=BASE_LAT + dlat, lng=BASE_LNG, **kw)


def need(nid: int, dlat: float = 0.0, post_id: int | None = None, **kw: Any) -> PostNeed:
    return PostNeed(id=nid, post_id=post_id if post_id is not None else nid, lat=BASE_LAT + dlat, lng=BASE_LNG, **kw)


def by_cadre(result: MatchResult) -> dict[int, Assignment]:
    return {a.cadre_id: a for a in result.assignments}


# -- reasons ---------------------------------------------------------------------------------


def test_reasons_in_chinese():
    c = cadre(
        1,
        home_unit_id=7,
        expertise=frozenset({1, 2}),
        previous_post_ids=frozenset({100}),
        is_party_member=True,
    )
    n = need(
        10,
        dlat=0.038,
        post_id=100,
        preferred_unit_ids=frozenset({7}),
        expertise=frozenset({1, 2, 3}),
        min_party_members=1,
    )
    result = solve([c], [n], names=Names(units={7: "市粮食局"}, tags={1: "农业", 2: "法律"}))
    (a,) = result.assignments
    assert a.reasons == (
        "首选部门 ✓（市粮食局）",
        "专长匹配 2/3（农业、法律）",
        "距离 4.2 公里",
        "延续原岗位",
        "党员（需至少 1 名）",
    )
    assert a.distance_km == pytest.approx(4.2, abs=0.05)
    assert a.reason_text.startswith("首选部门 ✓（市粮食局），专长匹配 2/3")
    assert result.optimal
    # cost = 2/km − 100 preferred − 2×40 expertise − 60 continuity
    assert a.cost == pytest.approx(2 * great_circle_km(BASE_LAT, BASE_LNG, BASE_LAT + 0.038, BASE_LNG) - 240, abs=0.01)


def test_soft_weights_pick_the_preferred_department_over_a_closer_cadre():
    near = cadre(1, dlat=0.0, home_unit_id=1)
    preferred = cadre(2, dlat=0.2, home_unit_id=2)  # ~22 km farther: 44 points, bonus 100
    n = need(10, preferred_unit_ids=frozenset({2}))
    assert [a.cadre_id for a in solve([near, preferred], [n]).assignments] == [2]
    no_bonus = Weights(department=0)
    assert [a.cadre_id for a in solve([near, preferred], [n], weights=no_bonus).assignments] == [1]


# -- hard rules ------------------------------------------------------------------------------


def test_role_rank_distance_availability_and_forbidden_pairs():
    cadres = [
        cadre(1, roles=frozenset({2}), rank=4),  # wrong role
        cadre(2, rank=9),  # rank too high
        cadre(3, dlat=1.0, rank=4),  # ~111 km, too far
        cadre(4, available=False, rank=4),
        cadre(5, rank=4),  # forbidden
        cadre(6, roles=frozenset({1}), rank=5),  # fine
    ]
    n = need(10, role=1, rank_min=3, rank_max=6, max_count=5, min_count=0, max_distance_km=30)
    result = solve(cadres, [n], rules=Rules(forbidden={(5, 10): "居住地回避"}))
    assert set(by_cadre(result)) == {6}
    why = {u.cadre_id: u.why for u in result.unassigned}
    assert "角色不符 1 个" in why[1]
    assert "职级不符" in why[2]
    assert "超出距离上限" in why[3]
    assert why[4] == "本人当前不可选派。"
    assert "回避规则" in why[5]


def test_campaign_distance_limit_and_missing_location():
    far = cadre(1, dlat=0.5)  # ~55 km
    lost = CadreIn(id=2, lat=None, lng=None)
    n = need(10, max_count=2, min_count=0)
    result = solve([far, lost], [n], rules=Rules(max_distance_km=50))
    assert result.assignments == ()
    why = {u.cadre_id: u.why for u in result.unassigned}
    assert "超出距离上限" in why[1]
    assert "缺少位置" in why[2]
    # without a limit, an unknown distance is allowed and said so
    result = solve([lost], [n])
    assert result.assignments[0].reasons == ("距离未知",)


@st.composite
def instances(draw):
    n_c = draw(st.integers(0, 6))
    n_n = draw(st.integers(0, 3))
    cadres = [
        CadreIn(
            id=i + 1,
            lat=BASE_LAT + draw(st.floats(0, 0.4)),
            lng=BASE_LNG + draw(st.floats(0, 0.4)),
            rank=draw(st.integers(1, 4)),
            roles=draw(st.sampled_from([None, frozenset({1}), frozenset({2}), frozenset({1, 2})])),
            is_party_member=draw(st.booleans()),
            home_unit_id=draw(st.integers(1, 3)),
            expertise=frozenset(draw(st.sets(st.integers(1, 4), max_size=2))),
            available=draw(st.booleans()) or draw(st.booleans()),
        )
        for i in range(n_c)
    ]
    needs = []
    for j in range(n_n):
        max_count = draw(st.integers(1, 3))
        needs.append(
            PostNeed(
                id=100 + j,
                post_id=200 + j,
                lat=BASE_LAT + draw(st.floats(0, 0.4)),
                lng=BASE_LNG + draw(st.floats(0, 0.4)),
                role=draw(st.sampled_from([None, 1, 2])),
                min_count=draw(st.integers(0, max_count)),
                max_count=max_count,
                rank_min=draw(st.sampled_from([None, 1, 2])),
                rank_max=draw(st.sampled_from([None, 3, 4])),
                preferred_unit_ids=frozenset(draw(st.sets(st.integers(1, 3), max_size=2))),
                expertise=frozenset(draw(st.sets(st.integers(1, 4), max_size=3))),
                min_party_members=draw(st.integers(0, max_count)),
                max_distance_km=draw(st.sampled_from([None, 20.0, 40.0])),
            )
        )
    pairs = [(c.id, n.post_id) for c in cadres for n in needs]
    forbidden = {p: "回避" for p in draw(st.lists(st.sampled_from(pairs), max_size=3))} if pairs else {}
    return cadres, needs, forbidden


def allowed(c: CadreIn, n: PostNeed, forbidden) -> bool:
    """An independent statement of the hard rules."""
    if not c.available or (c.id, n.post_id) in forbidden:
        return False
    if n.role is not None and c.roles is not None and n.role not in c.roles:
        return False
    if (n.rank_min is not None and c.rank < n.rank_min) or (n.rank_max is not None and c.rank > n.rank_max):
        return False
    if n.max_distance_km is None:
        return True
    assert c.lat is not None
    assert c.lng is not None
    assert n.lat is not None
    assert n.lng is not None
    return great_circle_km(c.lat, c.lng, n.lat, n.lng) <= n.max_distance_km


def best_tiers(cadres, needs, forbidden) -> tuple[int, int]:
    """Brute force: the most cadres placed, then the most minimum slots filled."""
    options = [[None] + [n for n in needs if allowed(c, n, forbidden)] for c in cadres]
    best = (0, 0)
    for combo in itertools.product(*options):
        load = {n.id: 0 for n in needs}
        party = {n.id: 0 for n in needs}
        for c, n in zip(cadres, combo, strict=True):
            if n is not None:
                load[n.id] += 1
                party[n.id] += c.is_party_member
        if any(load[n.id] > n.max_count for n in needs):
            continue
        coverage = sum(
            min(load[n.id], max(n.min_count, n.min_party_members)) + min(party[n.id], n.min_party_members)
            for n in needs
        )
        best = max(best, (sum(load.values()), coverage))
    return best


@FAST
@given(instances())
def test_properties_against_brute_force(instance):
    cadres, needs, forbidden = instance
    result = solve(cadres, needs, rules=Rules(forbidden=forbidden, max_candidates_per_cadre=None))
    assert result.optimal
    cads = {c.id: c for c in cadres}
    nds = {n.id: n for n in needs}
    load = {n.id: 0 for n in needs}
    party = {n.id: 0 for n in needs}
    for a in result.assignments:
        assert allowed(cads[a.cadre_id], nds[a.need_id], forbidden)  # hard rules, forbidden pairs never used
        assert a.post_id == nds[a.need_id].post_id
        load[a.need_id] += 1
        party[a.need_id] += cads[a.cadre_id].is_party_member
    assert all(load[n.id] <= n.max_count for n in needs)  # capacities
    assert len({a.cadre_id for a in result.assignments}) == len(result.assignments)
    coverage = sum(
        min(load[n.id], max(n.min_count, n.min_party_members)) + min(party[n.id], n.min_party_members) for n in needs
    )
    assert (len(result.assignments), coverage) == best_tiers(cadres, needs, forbidden)
    # every need below its minimum and every cadre without a post is explained
    below = {
        n.id for n in needs if load[n.id] < max(n.min_count, n.min_party_members) or party[n.id] < n.min_party_members
    }
    assert {u.need_id for u in result.unfilled} == below
    assert all(u.why for u in result.unfilled)
    assert {u.cadre_id for u in result.unassigned} == set(cads) - {a.cadre_id for a in result.assignments}
    assert all(u.why for u in result.unassigned)


@FAST
@given(instances(), st.data())
def test_pinned_pairs_are_kept(instance, data):
    cadres, needs, forbidden = instance
    if not cadres or not needs:
        return
    c = data.draw(st.sampled_from(cadres))
    n = data.draw(st.sampled_from(needs))
    result = solve(cadres, needs, rules=Rules(forbidden=forbidden, pinned=frozenset({(c.id, n.post_id)})))
    got = by_cadre(result).get(c.id)
    if allowed(c, n, forbidden):
        assert got is not None
        assert got.post_id == n.post_id
        assert got.pinned
        assert got.reasons[0] == "人工锁定"
    else:
        assert got is None or not got.pinned
        assert any(f"干部 {c.id}" in w for w in result.warnings)


# -- minimums and Party members --------------------------------------------------------------


def test_party_minimum_is_met_even_when_non_members_are_cheaper():
    cadres = [cadre(i, dlat=0.001 * i) for i in range(1, 4)]
    cadres += [cadre(10 + i, dlat=0.1 + 0.001 * i, is_party_member=True) for i in range(1, 4)]
    n = need(50, min_count=3, max_count=3, min_party_members=3)
    result = solve(cadres, [n])
    assert sorted(by_cadre(result)) == [11, 12, 13]
    assert result.unfilled == ()


def test_party_minimum_that_cannot_be_met_is_explained():
    cadres = [cadre(1, is_party_member=True), cadre(2, is_party_member=True), cadre(3), cadre(4)]
    cadres.append(cadre(5, dlat=0.5, is_party_member=True))  # ~55 km away
    n = need(50, min_count=3, max_count=4, min_party_members=3, max_distance_km=30)
    result = solve(cadres, [n])
    (u,) = result.unfilled
    assert u.missing == 0
    assert u.missing_party == 1
    assert u.assigned == 4
    assert "需要 3 名党员，30 公里内符合条件的党员只有 2 名" in u.why


def test_minimum_first_even_if_it_costs_more():
    # one cadre, two needs: B has a minimum, A is closer but optional
    c = cadre(1)
    a = need(10, dlat=0.01, min_count=0)
    b = need(11, dlat=0.3, min_count=1)
    result = solve([c], [a, b])
    assert result.assignments[0].need_id == 11


def test_impossible_need_is_explained():
    cadres = [cadre(1, rank=3), cadre(2, roles=frozenset({9}), rank=3), cadre(3, rank=1), cadre(4, rank=3)]
    n = need(10, role=1, min_count=5, max_count=5, rank_min=2)
    result = solve(cadres, [n])
    (u,) = result.unfilled
    assert u.missing == 3
    assert u.why.startswith("需要至少 5 人，符合条件的干部只有 2 名")
    assert "角色不符 1 人" in u.why
    assert "职级不符 1 人" in u.why


def test_competition_for_the_same_cadres_is_explained():
    c1, c2 = cadre(1), cadre(2)
    n1 = need(10, min_count=2, max_count=2)
    n2 = need(11, min_count=2, max_count=2)
    result = solve([c1, c2], [n1, n2])
    assert len(result.assignments) == 2
    (u,) = result.unfilled
    assert "无法让各岗位同时达到最低人数" in u.why


# -- stability -------------------------------------------------------------------------------


def test_rerun_keeps_existing_deployments():
    needs = [need(10, dlat=0.0), need(11, dlat=0.2)]
    first = solve([cadre(1, dlat=0.2), cadre(2, dlat=0.0)], needs)
    placed = {a.cadre_id: a.post_id for a in first.assignments}
    assert placed == {1: 11, 2: 10}
    # new cadres arrive who would be cheaper everywhere, and cadre 2 moved house next to post 11
    again = [
        cadre(1, dlat=0.2, current_post_id=11),
        cadre(2, dlat=0.2, current_post_id=10),
        cadre(3),
        cadre(4, dlat=0.2),
    ]
    result = solve(again, needs)
    assert {a.cadre_id: a.post_id for a in result.assignments} == {1: 11, 2: 10}
    assert result.stats.kept == 2
    assert result.stats.moved == 0
    assert "保留现岗位" in by_cadre(result)[2].reasons
    # without the stability rule and the continuity bonus, the cheapest plan replaces both
    loose = solve(again, needs, weights=Weights(keep_current=False, continuity=0))
    assert {a.cadre_id for a in loose.assignments} == {3, 4}
    assert loose.stats.kept == 0


def test_rerun_moves_when_coverage_needs_it():
    needs = [need(10, min_count=0), need(11, dlat=0.1, min_count=1)]
    cadres = [cadre(1, current_post_id=10)]
    result = solve(cadres, needs)
    assert result.assignments[0].post_id == 11
    assert result.stats.moved == 1
    assert result.assignments[0].change == "move"


def test_cadre_whose_post_has_no_need_any_more_is_counted_as_ended():
    result = solve([cadre(1, current_post_id=99)], [need(10, dlat=0.1, min_count=0)], rules=Rules(max_distance_km=1))
    assert result.assignments == ()
    assert result.stats.ended == 1


# -- bad input -------------------------------------------------------------------------------


def test_empty_pool():
    result = solve([], [need(10, min_count=2, max_count=2)])
    (u,) = result.unfilled
    assert "人员池为空" in u.why
    assert any("人员池为空" in w for w in result.warnings)
    assert result.optimal
    assert result.total_cost == 0


def test_no_needs():
    result = solve([cadre(1)], [])
    (u,) = result.unassigned
    assert u.why == "本次没有待满足的岗位需求。"


def test_nothing_at_all():
    result = solve([], [])
    assert result.assignments == ()
    assert result.unfilled == ()
    assert result.unassigned == ()


def test_invalid_and_duplicate_records():
    needs = [
        need(10, min_count=3, max_count=2),
        need(11, max_count=0),
        need(12, rank_min=5, rank_max=2),
        need(13, min_party_members=4, max_count=2),
        need(14),
        need(14, dlat=1.0),
    ]
    result = solve([cadre(1), cadre(1, dlat=3.0)], needs)
    reasons = {u.need_id: u.why for u in result.unfilled}
    assert set(reasons) == {10, 11, 12, 13}
    assert all(w.startswith("需求设置有误") for w in reasons.values())
    assert [(a.cadre_id, a.need_id) for a in result.assignments] == [(1, 14)]
    assert len(result.warnings) == 2


def test_pin_to_unknown_or_forbidden_post_warns():
    rules = Rules(pinned=frozenset({(1, 999), (2, 10), (77, 10)}), forbidden={(2, 10): "住所回避"})
    result = solve([cadre(1), cadre(2)], [need(10, max_count=2, min_count=0)], rules=rules)
    text = " ".join(result.warnings)
    assert "岗位 999 没有待满足的需求" in text
    assert "干部 2 不能到岗位 10（回避规则）" in text
    assert "干部 77" in text


def test_pin_beats_cost_and_fills_the_party_slot():
    n = need(10, min_count=1, max_count=1, min_party_members=1)
    far_member = cadre(2, dlat=0.3, is_party_member=True)
    result = solve(
        [cadre(1), far_member, cadre(3, is_party_member=True)], [n], rules=Rules(pinned=frozenset({(2, 10)}))
    )
    assert [(a.cadre_id, a.pinned) for a in result.assignments] == [(2, True)]
    assert result.unfilled == ()


# -- candidates at scale ---------------------------------------------------------------------


def test_knn_candidates_match_brute_force():
    rng = np.random.default_rng(3)
    c_lat, c_lng = rng.uniform(29, 33, 40), rng.uniform(108, 116, 40)
    p_lat, p_lng = rng.uniform(29, 33, 25), rng.uniform(108, 116, 25)
    ci, pj, km = knn_candidates(c_lat, c_lng, p_lat, p_lng, 4, max_km=300)
    for i in range(40):
        dist = sorted((great_circle_km(c_lat[i], c_lng[i], p_lat[j], p_lng[j]), j) for j in range(25))
        want = [j for d, j in dist[:4] if d <= 300]
        assert pj[ci == i].tolist() == want
        assert km[ci == i] == pytest.approx([d for d, _ in dist[: len(want)]], abs=1e-6)


def test_many_needs_use_k_nearest_candidates():
    rng = np.random.default_rng(5)
    needs = [
        PostNeed(id=j, post_id=j, lat=30 + rng.uniform(0, 2), lng=113 + rng.uniform(0, 2), max_count=2, min_count=0)
        for j in range(150)
    ]
    cadres = [CadreIn(id=i, lat=30 + rng.uniform(0, 2), lng=113 + rng.uniform(0, 2)) for i in range(400)]
    near = solve(cadres, needs, rules=Rules(max_candidates_per_cadre=5))
    assert near.stats.candidates <= 5 * 400
    full = solve(cadres, needs, rules=Rules(max_candidates_per_cadre=None))
    assert full.stats.candidates == 400 * 150
    assert full.stats.assigned == 300
    assert near.stats.assigned <= full.stats.assigned  # k nearest is a (documented) restriction


# -- caller-made pairs and helpers -----------------------------------------------------------


def test_solve_pairs_uses_the_callers_costs():
    cadres = [cadre(1), cadre(2), cadre(3, available=False)]
    needs = [need(10), need(11)]
    pairs = [
        PairIn(1, 10, 5.0, ("a",)),
        PairIn(1, 11, 1.0, ("b",)),
        PairIn(2, 11, 3.0, ("c",), distance_km=2.5),
        PairIn(3, 10, 0.0),
        PairIn(99, 10, 0.0),
    ]
    result = solve_pairs(cadres, needs, pairs)
    assert [(a.cadre_id, a.need_id, a.cost, a.reasons) for a in result.assignments] == [
        (1, 10, 5.0, ("a",)),
        (2, 11, 3.0, ("c",)),
    ]
    assert result.total_cost == 8.0
    blocked = solve_pairs(cadres, needs, pairs, rules=Rules(forbidden={(2, 11): "x"}))
    assert [(a.cadre_id, a.need_id) for a in blocked.assignments] == [(1, 11)]
    assert {u.cadre_id: u.why for u in blocked.unassigned}[2] == "没有候选岗位。"


def test_conflict_helpers_and_weights_from():
    residence = same_key_conflicts(
        {1: "c-1", 2: None, 3: "c-2"}, {10: "c-1", 11: "c-2", 12: None}, "不得到本人居住的社区"
    )
    regulator = same_key_conflicts({1: 7}, {12: 7}, "派出单位是该企业的主管部门")
    forbidden = merge_forbidden(residence, regulator, {(2, 10)})
    assert forbidden == {
        (1, 10): "不得到本人居住的社区",
        (3, 11): "不得到本人居住的社区",
        (1, 12): "派出单位是该企业的主管部门",
        (2, 10): "回避规则",
    }
    assert weights_from({"department": 5, "distance_per_km": 1, "unknown": 3}) == Weights(
        department=5, distance_per_km=1
    )
