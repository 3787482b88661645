"""The appraisal's arithmetic on hand-computed examples, and its properties (no database)."""

import math

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from frontline.appraisal import scoring

values_st = st.lists(st.one_of(st.none(), st.integers(0, 20).map(float)), min_size=1, max_size=40)


def brute_percentile(values: list[float | None], i: int, groups: list[int]) -> float | None:
    value = values[i]
    if value is None:
        return None
    peers = [v for v, g in zip(values, groups, strict=True) if v is not None and g == groups[i]]
    below = sum(1 for v in peers if v < value)
    equal = sum(1 for v in peers if v == value)
    return (below + 0.5 * equal) / len(peers) * 100


def test_mid_rank_percentiles_share_ties():
    assert scoring.mid_rank_percentiles([10, 20, 20, 30]).tolist() == [12.5, 50.0, 50.0, 87.5]


def test_a_cadre_alone_in_their_group_is_at_50():
    assert scoring.mid_rank_percentiles([7.0]).tolist() == [50.0]


def test_percentiles_are_taken_within_each_group():
    pct = scoring.mid_rank_percentiles([1, 2, 100, 200], ["grid", "grid", "project", "project"])
    assert pct.tolist() == [25.0, 75.0, 25.0, 75.0]


def test_a_missing_figure_stays_missing_and_does_not_count_as_a_peer():
    pct = scoring.mid_rank_percentiles([None, 10, 20])
    assert math.isnan(pct[0])
    assert pct[1:].tolist() == [25.0, 75.0]


def test_lower_is_better_inverts_the_percentile():
    pct = scoring.normalize(np.array([0.0, 1.0, 3.0]), method="peer_percentile", lower_is_better=True)
    assert pct.tolist() == pytest.approx([100 - 100 / 6, 50.0, 100 / 6])


def test_absolute_scores_are_clamped_and_inverted_when_lower_is_better():
    values = np.array([-5.0, 50.0, 120.0, np.nan])
    assert scoring.normalize(values, method="absolute")[:3].tolist() == [0.0, 50.0, 100.0]
    assert scoring.normalize(values, method="absolute", lower_is_better=True)[:3].tolist() == [100.0, 50.0, 0.0]
    assert math.isnan(scoring.absolute(values)[3])


def test_unknown_normalization_is_an_error():
    with pytest.raises(ValueError, match="unknown normalization"):
        scoring.normalize(np.array([1.0]), method="raw")


def test_weigh_redistributes_a_missing_share_among_the_others():
    combined, effective = scoring.weigh(np.array([[80.0, np.nan, 40.0]]), [50, 20, 30])
    # 50 and 30 share the missing 20 in proportion: 62.5 and 37.5.
    assert effective.tolist() == [[62.5, 0.0, 37.5]]
    assert combined[0] == pytest.approx(80 * 0.625 + 40 * 0.375)


def test_weigh_gives_nan_when_nothing_is_there():
    combined, effective = scoring.weigh(np.array([[np.nan, np.nan]]), [60, 40])
    assert math.isnan(combined[0])
    assert effective.tolist() == [[0.0, 0.0]]


def test_a_dimension_without_figures_passes_its_weight_to_the_others():
    totals, effective = scoring.total_scores(np.array([[90.0, np.nan], [90.0, 30.0]]), [70, 30])
    assert totals.tolist() == pytest.approx([90.0, 72.0])
    assert effective[0].tolist() == [100.0, 0.0]


def test_no_figure_at_all_totals_zero():
    totals, _effective = scoring.total_scores(np.array([[np.nan, np.nan]]), [70, 30])
    assert totals.tolist() == [0.0]


def test_competition_ranking_gives_ties_the_same_rank_and_skips():
    assert scoring.competition_ranks([90, 80, 80, 70]).tolist() == [1, 2, 2, 4]
    assert scoring.competition_ranks([5, 9, 5, 1], ["a", "a", "b", "b"]).tolist() == [2, 1, 1, 2]


def test_group_sizes():
    assert scoring.group_sizes(["a", "b", "a", "a"]).tolist() == [3, 1, 3, 3]


def test_bands_take_the_highest_band_reached():
    bands = [
        {"code": "poor", "min_score": 0},
        {"code": "excellent", "min_score": 80},
        {"code": "average", "min_score": 60},
        {"code": "good", "min_score": 70},
    ]
    assert scoring.band_for(80, bands) == "excellent"
    assert scoring.band_for(79.99, bands) == "good"
    assert scoring.band_for(60, bands) == "average"
    assert scoring.band_for(12, bands) == "poor"
    assert scoring.bands_for(np.array([80, 79.99, 60, 12]), bands) == ["excellent", "good", "average", "poor"]
    assert scoring.band_for(50, [{"code": "pass", "min_score": 60}]) == ""


def test_off_history_needs_three_previous_periods():
    assert scoring.off_history(20, [70, 72]) is None
    found = scoring.off_history(40, [70, 72, 71])
    assert found is not None
    assert found.mean == pytest.approx(71)
    assert found.threshold == 20  # 2.5 · sd (2.5) is below the floor of 20
    assert found.deviation == pytest.approx(-31)


def test_a_usual_swing_is_not_off_history():
    assert scoring.off_history(60, [70, 72, 71]) is None  # 11 points off, under 20
    # A volatile history widens the band: sd 30 → threshold 75.
    assert scoring.off_history(0, [30, 90, 60]) is None


def test_history_stats_and_mask_agree_with_the_scalar_rule():
    owner = np.array([0, 0, 0, 1, 1, 2, 2, 2])
    values = np.array([70, 72, 71, 50, 55, 30, 90, 60], dtype=float)
    count, mean, sd = scoring.history_stats(owner, values, 3)
    assert count.tolist() == [3, 2, 3]
    assert mean[0] == pytest.approx(71)
    mask = scoring.off_history_mask(np.array([40.0, 0.0, 0.0]), count, mean, sd)
    assert mask.tolist() == [True, False, False]


def test_combine_with_redistribution():
    assert scoring.combine_with_redistribution([(40, 80.0), (30, 60.0), (30, None)]) == pytest.approx(
        (40 * 80 + 30 * 60) / 70
    )
    assert scoring.combine_with_redistribution([(40, None)]) is None


@settings(deadline=None)  # correctness, not speed: the machine is shared and loaded
@given(values_st, st.data())
def test_percentiles_match_the_definition(values, data):
    groups = data.draw(st.lists(st.integers(0, 2), min_size=len(values), max_size=len(values)))
    pct = scoring.mid_rank_percentiles(values, groups)
    for i in range(len(values)):
        expected = brute_percentile(values, i, groups)
        if expected is None:
            assert math.isnan(pct[i])
        else:
            assert pct[i] == pytest.approx(expected)


@settings(deadline=None)  # correctness, not speed: the machine is shared and loaded
@given(values_st)
def test_percentiles_stay_in_range_average_50_and_follow_the_order(values):
    pct = scoring.mid_rank_percentiles(values)
    present = [(v, p) for v, p in zip(values, pct.tolist(), strict=True) if v is not None]
    if not present:
        return
    assert all(0 < p < 100 for _v, p in present)
    assert sum(p for _v, p in present) / len(present) == pytest.approx(50)
    for v1, p1 in present:
        for v2, p2 in present:
            if v1 < v2:
                assert p1 < p2
            if v1 == v2:
                assert p1 == p2


@settings(deadline=None)  # correctness, not speed: the machine is shared and loaded
@given(st.lists(st.integers(0, 10).map(float), min_size=1, max_size=40))
def test_ranks_count_the_strictly_better(values):
    ranks = scoring.competition_ranks(values).tolist()
    for v, r in zip(values, ranks, strict=True):
        assert r == 1 + sum(1 for w in values if w > v)


@settings(deadline=None)  # correctness, not speed: the machine is shared and loaded
@given(
    st.lists(
        st.lists(st.one_of(st.none(), st.floats(0, 100)), min_size=3, max_size=3),
        min_size=1,
        max_size=10,
    ),
    st.lists(st.integers(1, 100), min_size=3, max_size=3),
)
def test_weighing_stays_between_the_present_figures(rows, weights):
    matrix = np.array([[np.nan if v is None else v for v in row] for row in rows])
    combined, effective = scoring.weigh(matrix, weights)
    for row, value, eff in zip(rows, combined.tolist(), effective.tolist(), strict=True):
        present = [v for v in row if v is not None]
        if not present:
            assert math.isnan(value)
            assert sum(eff) == 0
        else:
            assert min(present) - 1e-9 <= value <= max(present) + 1e-9
            assert sum(eff) == pytest.approx(100)
