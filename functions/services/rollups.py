"""Statistics of a period and scope read from the roll-ups only (never the cases): the documents to read, their
sum for one viewer, and the Stats /stats and the export summary show."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any, Protocol

from functions.domain.rollup_stats import stats_of
from functions.domain.rollups import Totals, add_up, kz_day, period_days, plan, scopes_for
from functions.domain.statistics import Stats


class RollupReads(Protocol):
    """Reads roll-up documents by id (RollupStore implements it)."""

    def read(self, names: Sequence[str]) -> dict[str, dict[str, Any]]: ...


@dataclass(frozen=True)
class PeriodFigures:
    """The statistics of a period, the totals behind them (outcomes, every histogram) and the documents read."""

    stats: Stats
    totals: Totals
    reads: int


def period_figures(
    store: RollupReads, now: datetime, days: int, regions: tuple[str, ...] | None, restricted_visible: bool
) -> PeriodFigures:
    """The figures of the last `days` Kazakhstan days (today included) in a scope, for one viewer.

    Args:
        store: where the roll-ups are.
        now: the current moment (the period ends today).
        days: how many days, today included.
        regions: the scope's regions (None: the whole country).
        restricted_visible: whether the viewer may see restricted categories.

    Returns:
        The Stats, the totals and how many documents were read.
    """
    today = kz_day(now)
    first, last = period_days(today, days)
    wanted = [read for scope in scopes_for(regions) for read in plan(scope, first, last, today)]
    found = store.read([name for name, _ in wanted])
    totals = add_up(((name, found.get(name, {}), sign) for name, sign in wanted), restricted_visible)
    return PeriodFigures(stats=stats_of(totals, first, last, now, regions), totals=totals, reads=len(wanted))
