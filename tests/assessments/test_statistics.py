"""The arithmetic of results, checked against examples worked by hand."""

from __future__ import annotations

import statistics as stdlib_statistics

import pytest

from learning.assessments import statistics as stats


def test_individual_gain_is_hakes_g_and_undefined_at_the_maximum() -> None:
    # 40 % → 80 %: 40 points gained of the 60 available.
    assert stats.normalised_gain(0.4, 0.8) == pytest.approx(2 / 3)
    # A loss is a negative gain.
    assert stats.normalised_gain(0.5, 0.4) == pytest.approx(-0.2)
    # On raw scores out of 25: 15 → 23 is 8 of the 10 available.
    assert stats.normalised_gain(15, 23, maximum=25) == pytest.approx(0.8)
    assert stats.normalised_gain(1.0, 0.88) is None
    assert stats.normalised_gain(25, 25, maximum=25) is None


def test_knowledge_summary_of_four_paired_learners() -> None:
    # pre/post out of 25: 10→20, 12→18, 25→22 (perfect pre-test), 15→23.
    pairs = [(0.40, 0.80), (0.48, 0.72), (1.00, 0.88), (0.60, 0.92)]
    summary = stats.summarise_knowledge(pairs)
    assert summary.paired_n == 4
    assert summary.mean_pre == pytest.approx(0.62)  # (40 + 48 + 100 + 60) / 4
    assert summary.mean_post == pytest.approx(0.83)  # (80 + 72 + 88 + 92) / 4
    assert summary.mean_difference == pytest.approx(0.21)
    assert summary.class_average_gain == pytest.approx(0.21 / 0.38)  # 0.5526…
    # g = 40/60, 24/52, undefined, 32/40: the mean covers three learners.
    assert summary.defined_gain_n == 3
    assert summary.mean_individual_gain == pytest.approx((2 / 3 + 24 / 52 + 0.8) / 3)


def test_knowledge_summary_of_nobody_and_of_perfect_scorers_only() -> None:
    empty = stats.summarise_knowledge([])
    assert (empty.paired_n, empty.mean_pre, empty.class_average_gain) == (0, None, None)
    perfect = stats.summarise_knowledge([(1.0, 1.0), (1.0, 0.9)])
    assert perfect.mean_difference == pytest.approx(-0.05)
    assert perfect.class_average_gain is None
    assert (perfect.mean_individual_gain, perfect.defined_gain_n) == (None, 0)


def test_median_of_counts_odd_even_and_empty() -> None:
    assert stats.median_of_counts({3: 1, 5: 1, 9: 1}) == 5
    # 2, 4, 4, 8: the two middle values are 4 and 4.
    assert stats.median_of_counts({2: 1, 4: 2, 8: 1}) == 4
    # 6, 6, 7, 9: between 6 and 7.
    assert stats.median_of_counts({9: 1, 6: 2, 7: 1}) == 6.5
    assert stats.median_of_counts({5: 0}) is None
    assert stats.median_of_counts({}) is None


def test_distribution_lays_counts_on_the_scale() -> None:
    scale = ("strongly_disagree", "somewhat_disagree", "somewhat_agree", "strongly_agree")
    result = stats.distribution({"somewhat_agree": 3, "strongly_agree": 1, "other": 9}, scale)
    assert result.counts == (("strongly_disagree", 0), ("somewhat_disagree", 0),
                             ("somewhat_agree", 3), ("strongly_agree", 1))
    assert result.n == 4
    assert result.share("somewhat_agree") == 0.75
    assert result.count("other") == 0
    assert stats.distribution({}, scale).share("strongly_agree") is None


def test_share_who_rose() -> None:
    change = stats.compare_ratings([(4, 7), (6, 6), (8, 5), (3, 3.5), (5, 9)])
    assert (change.rose, change.same, change.fell, change.n) == (3, 1, 1, 5)
    assert change.share_rose == 0.6
    assert stats.compare_ratings([]).share_rose is None


def test_item_difficulty_is_the_share_correct() -> None:
    assert stats.item_difficulty(3.0, 4) == 0.75
    assert stats.item_difficulty(2.5, 5) == 0.5  # partial credit counts in part
    assert stats.item_difficulty(0.0, 0) is None


def test_point_biserial_is_the_item_rest_correlation() -> None:
    # Five learners: the item (1/0) and their total on a 4-item test including it.
    item = [1, 1, 0, 1, 0]
    total = [4, 3, 1, 2, 2]
    rest = [t - x for x, t in zip(item, total, strict=True)]  # 3, 2, 1, 1, 2
    # By hand: item mean 0.6, rest mean 1.8; deviations (0.4,0.4,-0.6,0.4,-0.6) and
    # (1.2,0.2,-0.8,-0.8,0.2): covariance sum 0.48+0.08+0.48-0.32-0.12 = 0.6;
    # sums of squares 1.2 and 2.8; r = 0.6 / sqrt(1.2 × 2.8) = 0.3273.
    moments = stats.Moments.of(zip(item, total, strict=True))
    assert stats.point_biserial(moments) == pytest.approx(0.6 / (1.2 * 2.8) ** 0.5)
    assert stats.point_biserial(moments) == pytest.approx(
        stdlib_statistics.correlation(item, rest))
    # Against the total including the item, the correlation is higher (inflated).
    assert stats.correlation(moments) == pytest.approx(
        stdlib_statistics.correlation(item, total))
    assert stats.correlation(moments) > stats.point_biserial(moments)


def test_point_biserial_undefined_without_spread() -> None:
    everyone_right = stats.Moments.of([(1, 3), (1, 2), (1, 4)])
    assert stats.point_biserial(everyone_right) is None
    assert stats.point_biserial(stats.Moments.of([(1, 3)])) is None


def test_upper_lower_groups_are_27_percent_rounded() -> None:
    assert stats.upper_lower_group_size(100) == 27
    assert stats.upper_lower_group_size(10) == 3  # 2.7
    assert stats.upper_lower_group_size(6) == 2  # 1.62
    assert stats.upper_lower_group_size(2) == 1  # 0.54
    assert stats.upper_lower_group_size(1) == 0  # 0.27: no groups
    # Upper group: 3 of 3 right; lower group: 1 of 3 right.
    assert stats.upper_lower_index(3, 3, 1, 3) == pytest.approx(2 / 3)
    assert stats.upper_lower_index(0, 0, 1, 3) is None


def test_ranking_mean_rank_and_first_places() -> None:
    # Three people ranked a, b, c: (a, b, c), (b, a, c), (a, c, b).
    positions = {"a": {1: 2, 2: 1}, "b": {2: 1, 1: 1, 3: 1}, "c": {3: 2, 2: 1}}
    ranked = stats.summarise_ranking(positions, ["c", "b", "a", "d"])
    assert [(o.option_id, o.mean_rank, o.first_place, o.n) for o in ranked] == [
        ("a", pytest.approx(4 / 3), 2, 3),
        ("b", pytest.approx(2.0), 1, 3),
        ("c", pytest.approx(8 / 3), 0, 3),
        ("d", None, 0, 0),  # nobody ranked it: last
    ]


def test_dominant_preferences_count_ties_for_each() -> None:
    assert stats.dominant_preferences({"activist": 9, "reflector": 14, "theorist": 11}) == (
        "reflector",)
    assert stats.dominant_preferences({"activist": 12, "pragmatist": 12, "theorist": 3}) == (
        "activist", "pragmatist")
    assert stats.dominant_preferences({}) == ()
    counts = stats.count_dominant(
        [{"activist": 9, "reflector": 14}, {"activist": 12, "pragmatist": 12},
         {"reflector": 5, "theorist": 2}],
        ["activist", "reflector", "theorist", "pragmatist"],
    )
    assert counts == {"activist": 1, "reflector": 2, "theorist": 0, "pragmatist": 1}


def test_groups_under_five_are_not_reportable() -> None:
    assert stats.MINIMUM_GROUP == 5
    assert not stats.is_reportable(0)
    assert not stats.is_reportable(4)
    assert stats.is_reportable(5)
