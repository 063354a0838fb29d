"""Per-reporter limits on new cases: a sliding hour and a sliding day."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.domain.limits import ReportLimits, admit

NOW = datetime(2026, 12, 1, 12, 0, tzinfo=UTC)
LIMITS = ReportLimits(per_hour=10, per_day=30)


def minutes_ago(*minutes: float) -> list[datetime]:
    return [NOW - timedelta(minutes=m) for m in minutes]


class TestAdmit:
    def test_the_first_case_is_allowed_and_recorded(self) -> None:
        admission = admit([], NOW, LIMITS)
        assert admission.allowed and admission.times == (NOW,)

    def test_the_eleventh_case_within_an_hour_is_refused_until_the_oldest_leaves_the_hour(self) -> None:
        times = minutes_ago(*range(50, 0, -5))  # ten in the last 50 minutes, the oldest 50 minutes ago
        admission = admit(times, NOW, LIMITS)
        assert not admission.allowed and admission.retry_in_minutes == 10
        assert admission.times == tuple(sorted(times))  # nothing recorded for a refused case

    def test_an_hour_later_the_reporter_may_go_on(self) -> None:
        times = minutes_ago(*range(115, 65, -5))
        assert admit(times, NOW, LIMITS).allowed

    def test_thirty_a_day_even_when_spread_out(self) -> None:
        times = minutes_ago(*(60 * h + 1 for h in range(30)))  # one an hour for 30 hours: 24 in the last day
        assert admit(times, NOW, LIMITS).allowed
        times = minutes_ago(*(40 * i + 1 for i in range(30)))  # 30 in the last 20 hours, never 10 in an hour
        refused = admit(times, NOW, LIMITS)
        assert not refused.allowed
        assert refused.retry_in_minutes == 24 * 60 - (40 * 29 + 1)

    def test_the_record_keeps_at_most_a_day_and_at_most_the_daily_limit(self) -> None:
        times = minutes_ago(2000, 1500, 30, 20)
        admission = admit(times, NOW, ReportLimits(per_hour=10, per_day=3))
        assert admission.allowed and admission.times == (*minutes_ago(30, 20), NOW)

    def test_zero_means_no_limit(self) -> None:
        times = minutes_ago(*range(100, 0, -1))
        assert admit(times, NOW, ReportLimits(per_hour=0, per_day=0)).allowed

    def test_times_in_the_future_do_not_count(self) -> None:
        times = [NOW + timedelta(minutes=5)] * 20
        assert admit(times, NOW, LIMITS).allowed
