"""Fixed-bucket duration histograms: mergeable by addition, so medians and p90 over any set of days come from
roll-ups without reading cases. Pure, no I/O.

The bucket edges are human steps (1, 2, 3, 5, 7, 10, 15 ... minutes, then hours, then days up to a year): each
bucket ends at most about twice its lower edge (1.5x from an hour to 60 days), and a quantile is interpolated
linearly inside its bucket.
"""

from __future__ import annotations

import bisect
from collections.abc import Iterable, Mapping
from typing import Final

_H: Final = 60
_D: Final = 24 * _H
# Lower edges in minutes; bucket i is [EDGES[i], EDGES[i+1]), the last one is open-ended.
EDGES: Final[tuple[float, ...]] = (
    0, 1, 2, 3, 5, 7, 10, 15, 20, 30, 45,
    _H, 1.5 * _H, 2 * _H, 3 * _H, 4 * _H, 6 * _H, 8 * _H, 12 * _H, 18 * _H,
    _D, 1.5 * _D, 2 * _D, 3 * _D, 4 * _D, 5 * _D, 7 * _D, 10 * _D, 14 * _D, 21 * _D, 30 * _D, 45 * _D,
    60 * _D, 90 * _D, 180 * _D, 365 * _D,
)  # fmt: skip
BUCKETS: Final = len(EDGES)
# The durations a case's roll-up carries: time to take and to resolve (status changes), to first contact
# (conversations) and to removal (takedown). Other engineers add their own as "<kind>" or "<kind>_<label>".
KINDS: Final[tuple[str, ...]] = ("take", "resolve", "contact", "removal")

Histogram = dict[int, int]  # bucket index -> count


def bucket_of(minutes: float) -> int:
    """The bucket a duration (minutes; negatives count as 0) falls into."""
    return max(0, bisect.bisect_right(EDGES, max(0.0, minutes)) - 1)


def bucket_key(index: int) -> str:
    """The stored field name of a bucket ('b00' ... 'b35')."""
    return f"b{index:02d}"


def bucket_index(key: str) -> int | None:
    """The bucket of a stored field name, or None when it is not one."""
    if len(key) == 3 and key[0] == "b" and key[1:].isdigit() and int(key[1:]) < BUCKETS:
        return int(key[1:])
    return None


def histogram_of(values: Iterable[float]) -> Histogram:
    """The histogram of some durations in minutes."""
    found: Histogram = {}
    for value in values:
        index = bucket_of(value)
        found[index] = found.get(index, 0) + 1
    return found


def merge(histograms: Iterable[Mapping[int, int]]) -> Histogram:
    """The sum of histograms (empty buckets dropped)."""
    total: Histogram = {}
    for histogram in histograms:
        for index, count in histogram.items():
            total[index] = total.get(index, 0) + count
    return {index: count for index, count in total.items() if count}


def count(histogram: Mapping[int, int]) -> int:
    """How many durations the histogram holds."""
    return sum(max(0, n) for n in histogram.values())


def quantile(histogram: Mapping[int, int], q: float) -> float | None:
    """The q-quantile (0 < q < 1) in minutes, interpolated inside its bucket; None when empty.

    The rank is q x total, counted from the bucket's lower edge (the median of 1, 2, 3 in one bucket [0, 3)
    is 1.5); the open-ended last bucket answers its lower edge.
    """
    total = count(histogram)
    if total == 0:
        return None
    target = q * total
    seen = 0
    for index in sorted(histogram):
        inside = max(0, histogram[index])
        if inside and seen + inside >= target:
            low = EDGES[index]
            if index + 1 >= BUCKETS:
                return low
            high = EDGES[index + 1]
            return low + (high - low) * (target - seen) / inside
        seen += inside
    return EDGES[max(histogram)]


def median(histogram: Mapping[int, int]) -> float | None:
    """The median in minutes (None when empty)."""
    return quantile(histogram, 0.5)


def share_within(histogram: Mapping[int, int], minutes: float) -> float | None:
    """The share of durations under this many minutes (exact when `minutes` is a bucket edge); None when empty."""
    total = count(histogram)
    if total == 0:
        return None
    edge = bisect.bisect_left(EDGES, minutes)
    return sum(n for index, n in histogram.items() if index < edge) / total
