"""The arithmetic of assessment results, as pure functions of plain numbers.

No database and no Flask here: ``results`` aggregates in SQL and hands the sums and counts
to these functions, and the unit tests check them against examples worked by hand.

Conventions:

- Knowledge scores are fractions of the maximum (0.0–1.0). Knowledge gain is reported for
  *paired* learners only (both tests), with their number; Hake's normalised gain
  g = (post − pre) / (max − pre) is given two ways, the class-average g (from the mean
  scores) and the mean of individual g over the learners whose g is defined (an individual
  g is undefined when the pre-test score is the maximum: there was nothing left to gain).
- Confidence self-ratings are ordinal: they are summarised by medians and distributions,
  never averaged, and kept apart from knowledge scores.
- Item discrimination is shown two ways: the point-biserial correlation between the item
  and the rest of the test (the total minus the item, so the item does not correlate with
  itself), and the upper–lower index on the top and bottom 27 % of learners.
"""

from __future__ import annotations

import math
from collections.abc import Hashable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

# Anonymous answers are never shown for fewer respondents than this: with fewer, a
# facilitator who knows who answered could tell who said what.
MINIMUM_GROUP = 5

# Kelley's share of learners in each of the upper and lower groups.
UPPER_LOWER_SHARE = 0.27

K = TypeVar("K", bound=Hashable)


def is_reportable(respondents: int) -> bool:
    """Whether a group is large enough to be broken down (shown) on its own."""
    return respondents >= MINIMUM_GROUP


# --- knowledge -------------------------------------------------------------------------------


def normalised_gain(pre: float, post: float, maximum: float = 1.0) -> float | None:
    """Hake's g for one learner; None when the pre-test score is already the maximum."""
    if pre >= maximum:
        return None
    return (post - pre) / (maximum - pre)


@dataclass(frozen=True, slots=True)
class KnowledgeSummary:
    """Paired pre/post results of a group of learners (scores as fractions of the max)."""

    paired_n: int
    mean_pre: float | None
    mean_post: float | None
    mean_difference: float | None
    class_average_gain: float | None  # (mean post − mean pre) / (max − mean pre)
    mean_individual_gain: float | None  # over the learners whose g is defined
    defined_gain_n: int  # how many learners the mean of individual g covers


def summarise_knowledge(pairs: Iterable[tuple[float, float]],
                        maximum: float = 1.0) -> KnowledgeSummary:
    """Means, difference and both forms of g over (pre, post) pairs of paired learners."""
    pairs = list(pairs)
    if not pairs:
        return KnowledgeSummary(0, None, None, None, None, None, 0)
    n = len(pairs)
    mean_pre = math.fsum(pre for pre, _ in pairs) / n
    mean_post = math.fsum(post for _, post in pairs) / n
    gains = [g for pre, post in pairs if (g := normalised_gain(pre, post, maximum)) is not None]
    return KnowledgeSummary(
        paired_n=n,
        mean_pre=mean_pre,
        mean_post=mean_post,
        mean_difference=mean_post - mean_pre,
        class_average_gain=normalised_gain(mean_pre, mean_post, maximum),
        mean_individual_gain=math.fsum(gains) / len(gains) if gains else None,
        defined_gain_n=len(gains),
    )


# --- ordinal ratings and distributions --------------------------------------------------------


def median_of_counts(counts: Mapping[int, int]) -> float | None:
    """The median of values given as value → how many times it was given (the mean of the
    two middle values when there is an even number of them)."""
    ordered = sorted((value, count) for value, count in counts.items() if count > 0)
    total = sum(count for _, count in ordered)
    if total == 0:
        return None

    def value_at(position: int) -> int:  # 0-based, in the sorted list of all values
        seen = 0
        for value, count in ordered:
            seen += count
            if position < seen:
                return value
        return ordered[-1][0]

    return (value_at((total - 1) // 2) + value_at(total // 2)) / 2


@dataclass(frozen=True, slots=True)
class Distribution:
    """How many answers fell on each point of a scale, in scale order."""

    counts: tuple[tuple[Hashable, int], ...]
    n: int

    def count(self, value: Hashable) -> int:
        return next((count for point, count in self.counts if point == value), 0)

    def share(self, value: Hashable) -> float | None:
        return self.count(value) / self.n if self.n else None


def distribution(counts: Mapping[K, int], scale: Sequence[K]) -> Distribution:
    """The counts laid out on ``scale`` (points nobody chose count 0; values off the scale
    are left out)."""
    laid_out = tuple((point, counts.get(point, 0)) for point in scale)
    return Distribution(counts=laid_out, n=sum(count for _, count in laid_out))


@dataclass(frozen=True, slots=True)
class Change:
    """How many people's rating rose, stayed and fell between two times."""

    rose: int
    same: int
    fell: int

    @property
    def n(self) -> int:
        return self.rose + self.same + self.fell

    @property
    def share_rose(self) -> float | None:
        return self.rose / self.n if self.n else None


def compare_ratings(pairs: Iterable[tuple[float, float]]) -> Change:
    """Count (before, after) pairs whose rating rose, stayed the same or fell."""
    rose = same = fell = 0
    for before, after in pairs:
        if after > before:
            rose += 1
        elif after < before:
            fell += 1
        else:
            same += 1
    return Change(rose=rose, same=same, fell=fell)


# --- item analysis ---------------------------------------------------------------------------


def item_difficulty(points: float, answers: int) -> float | None:
    """The share correct: mean points on an item worth 1 (partial credit counts in part)."""
    return points / answers if answers else None


@dataclass(frozen=True, slots=True)
class Moments:
    """Sums over (x, y) pairs, enough for a correlation: x the item points, y the total."""

    n: int
    sum_x: float
    sum_y: float
    sum_xx: float
    sum_yy: float
    sum_xy: float

    @classmethod
    def of(cls, pairs: Iterable[tuple[float, float]]) -> Moments:
        pairs = list(pairs)
        return cls(
            n=len(pairs),
            sum_x=math.fsum(x for x, _ in pairs),
            sum_y=math.fsum(y for _, y in pairs),
            sum_xx=math.fsum(x * x for x, _ in pairs),
            sum_yy=math.fsum(y * y for _, y in pairs),
            sum_xy=math.fsum(x * y for x, y in pairs),
        )

    def item_rest(self) -> Moments:
        """The same sums with y replaced by the rest score y − x."""
        return Moments(
            n=self.n,
            sum_x=self.sum_x,
            sum_y=self.sum_y - self.sum_x,
            sum_xx=self.sum_xx,
            sum_yy=self.sum_yy - 2 * self.sum_xy + self.sum_xx,
            sum_xy=self.sum_xy - self.sum_xx,
        )


def correlation(moments: Moments) -> float | None:
    """Pearson's r from the sums; None with fewer than two pairs or no spread."""
    n = moments.n
    if n < 2:
        return None
    covariance = n * moments.sum_xy - moments.sum_x * moments.sum_y
    spread_x = n * moments.sum_xx - moments.sum_x ** 2
    spread_y = n * moments.sum_yy - moments.sum_y ** 2
    # Sums of squares that should be 0 can come out as tiny negatives or positives.
    tolerance = 1e-9 * max(1.0, n * moments.sum_xx, n * moments.sum_yy)
    if spread_x <= tolerance or spread_y <= tolerance:
        return None
    return covariance / math.sqrt(spread_x * spread_y)


def point_biserial(moments: Moments) -> float | None:
    """Item–rest point-biserial: the item's points against the total without the item."""
    return correlation(moments.item_rest())


def upper_lower_group_size(learners: int) -> int:
    """How many learners form each of the upper and lower groups (27 %, rounded half up)."""
    return math.floor(learners * UPPER_LOWER_SHARE + 0.5)


def upper_lower_index(upper_points: float, upper_answers: int,
                      lower_points: float, lower_answers: int) -> float | None:
    """Share correct in the upper group minus share correct in the lower group."""
    if upper_answers == 0 or lower_answers == 0:
        return None
    return upper_points / upper_answers - lower_points / lower_answers


# --- rankings and preferences ----------------------------------------------------------------


@dataclass(frozen=True, slots=True)
class RankedOption:
    option_id: str
    mean_rank: float | None  # 1 = first; over the people who ranked this option
    first_place: int  # how many people put it first
    n: int  # how many people ranked it


def summarise_ranking(position_counts: Mapping[str, Mapping[int, int]],
                      option_ids: Sequence[str]) -> tuple[RankedOption, ...]:
    """Mean rank and first places per option, from option → {rank (1-based): count};
    best mean rank first, options nobody ranked last, ties in the bank's order."""
    summaries = []
    for option_id in option_ids:
        ranks = position_counts.get(option_id, {})
        n = sum(ranks.values())
        mean = math.fsum(rank * count for rank, count in ranks.items()) / n if n else None
        summaries.append(RankedOption(option_id, mean, ranks.get(1, 0), n))
    order = {option_id: index for index, option_id in enumerate(option_ids)}
    return tuple(sorted(summaries, key=lambda s: (s.mean_rank is None, s.mean_rank or 0.0,
                                                  order[s.option_id])))


def dominant_preferences(totals: Mapping[str, float]) -> tuple[str, ...]:
    """The preference(s) with the highest total; several when they tie."""
    if not totals:
        return ()
    highest = max(totals.values())
    return tuple(sorted(name for name, total in totals.items() if total == highest))


def count_dominant(profiles: Iterable[Mapping[str, float]],
                   preferences: Sequence[str]) -> dict[str, int]:
    """For each preference, how many people have it as (one of) their dominant ones."""
    counts = dict.fromkeys(preferences, 0)
    for profile in profiles:
        for name in dominant_preferences(profile):
            if name in counts:
                counts[name] += 1
    return counts

