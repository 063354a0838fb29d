"""The local stack's own rules: it runs each target as the cloud does, and the simulation's arithmetic."""

from __future__ import annotations

import random
import re
from pathlib import Path

from bench.load_day import HOURLY, arrival_times
from devkit.processes import TARGETS, THREADS
from devkit.simulation import Stats, percentile

INFRA = Path(__file__).resolve().parents[2] / "infra" / "functions.tf"


class TestLocalStackMatchesTheCloud:
    def test_threads_per_target_are_the_concurrency_terraform_sets(self) -> None:
        text = INFRA.read_text(encoding="utf-8")
        found = {}
        for target in TARGETS:
            block = re.search(rf"\n    {target} = \{{(.*?)\n    \}}", text, re.DOTALL)
            assert block, target
            concurrency = re.search(r"\bconcurrency\s*=\s*(\d+)", block.group(1))
            assert concurrency, target
            found[target] = int(concurrency.group(1))
        assert found == THREADS


class TestSimulationArithmetic:
    def test_percentiles_by_nearest_rank(self) -> None:
        values = [float(v) for v in range(1, 101)]
        assert (percentile(values, 50), percentile(values, 90), percentile(values, 99)) == (50.0, 90.0, 99.0)
        assert percentile([], 50) == 0.0 and percentile([7.0], 99) == 7.0

    def test_stats_count_answers_by_status(self) -> None:
        stats = Stats()
        for seconds, status in ((0.01, 200), (0.02, 503), (0.5, None), (0.03, 200)):
            stats.record(seconds, status)
        summary = stats.summary()
        assert summary["statuses"] == {"200": 2, "503": 1, "no answer": 1}
        assert stats.accepted == 2 and stats.server_errors == 1 and stats.unanswered == 1

    def test_the_day_has_its_shape(self) -> None:
        times = arrival_times(24_000, 24.0, random.Random(1))
        per_hour = [sum(1 for t in times if hour <= t < hour + 1) for hour in range(24)]
        assert times == sorted(times) and times[0] >= 0 and times[-1] <= 24.0
        busiest, quietest = HOURLY.index(max(HOURLY)), HOURLY.index(min(HOURLY))
        assert per_hour[busiest] > 5 * per_hour[quietest]
