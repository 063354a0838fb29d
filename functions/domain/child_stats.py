"""Figures of the help-the-child track over a set of cases: time to first contact (median, p90) and how many
children needed help and were given it, by region. Pure, no I/O."""

from __future__ import annotations

import math
from collections.abc import Iterable
from dataclasses import dataclass, field

from functions.domain.case import Case
from functions.domain.child_help import Need
from functions.domain.child_track import help_given, minutes_to_contact

ALL: str = "all"


@dataclass
class ChildFigures:
    """One region's (or the whole scope's) figures."""

    contacts: list[float] = field(default_factory=list)  # minutes from intake to first contact
    needed: int = 0
    given: int = 0

    @property
    def share_given(self) -> float | None:
        """The share of the children who needed help that were given it (None when none needed it)."""
        return self.given / self.needed if self.needed else None

    def contact_quantile(self, q: float) -> float | None:
        """A quantile of the time to first contact in minutes (linear between ranks), None without contacts."""
        return quantile(self.contacts, q)


def quantile(values: Iterable[float], q: float) -> float | None:
    """The q-quantile (0 <= q <= 1) of some values, interpolated linearly between ranks; None when empty."""
    ordered = sorted(values)
    if not ordered:
        return None
    rank = q * (len(ordered) - 1)
    low, high = math.floor(rank), math.ceil(rank)
    return ordered[low] + (ordered[high] - ordered[low]) * (rank - low)


def by_region(cases: Iterable[Case]) -> dict[str, ChildFigures]:
    """The figures per region code, and of all of them under ALL (cases without a region count only there)."""
    figures: dict[str, ChildFigures] = {ALL: ChildFigures()}
    for case in cases:
        minutes = minutes_to_contact(case)
        needed = case.child_help.need == Need.NEEDED
        given = help_given(case)
        for key in (ALL, case.region) if case.region else (ALL,):
            into = figures.setdefault(key, ChildFigures())
            if minutes is not None:
                into.contacts.append(minutes)
            into.needed += needed
            into.given += given
    return figures
