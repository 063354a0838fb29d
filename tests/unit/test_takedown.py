"""The takedown record of a link: state, checks, removal times, the schedule, and the figures per platform."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from functions.domain.liveness import Answer
from functions.domain.takedown import (
    MAX_HISTORY,
    TakedownState,
    all_removed,
    case_changed,
    check_now,
    live_longest,
    new_record,
    record_id,
    reported,
    short_duration,
    time_to_removal,
    with_check,
)
from functions.domain.takedown_stats import percentile, removals_by_platform

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
TT = "https://tiktok.com/video/7301234567890123456"
YT = "https://youtube.com/watch?v=AbCdEfGh1_-"
H = timedelta(hours=1)


def test_a_new_record_is_checked_soon_after_intake() -> None:
    record = new_record("QR-7K2M", TT, T0, region="71", category="violence")
    assert record.platform == "tiktok"
    assert record.state is TakedownState.UNKNOWN
    assert record.next_check_at is not None and T0 < record.next_check_at <= T0 + timedelta(minutes=10)
    assert record.record_id == record_id("QR-7K2M", TT) and "/" not in record.record_id
    assert new_record("QR-7K2M", "https://vm.tiktok.com/ZMabc123/", T0).platform == "tiktok"
    assert new_record("QR-7K2M", "https://bit.ly/3abcdef", T0).platform == "short_link"


def test_removed_only_after_two_gone_answers_an_hour_apart() -> None:
    record = with_check(new_record("QR-1", TT, T0), T0 + 5 * timedelta(minutes=1), Answer.LIVE, 200)
    assert record.state is TakedownState.LIVE
    record = with_check(record, T0 + 2 * H, Answer.GONE, 400)
    assert record.state is TakedownState.LIVE and record.removed_at is None
    assert record.next_check_at == T0 + 3 * H  # the confirming check, an hour after the first "gone"
    record = with_check(record, T0 + 2 * H + timedelta(minutes=30), Answer.GONE, 400)
    assert record.state is TakedownState.LIVE  # too soon to confirm
    record = with_check(record, T0 + 3 * H, Answer.GONE, 400)
    assert record.state is TakedownState.REMOVED
    assert record.removed_at == T0 + 2 * H and record.confirmed_at == T0 + 3 * H
    assert record.next_check_at is None
    assert time_to_removal(record) == 2 * H


def test_unknown_answers_never_count_and_embedding_disabled_is_up() -> None:
    record = new_record("QR-1", YT, T0)
    for minutes in range(10, 600, 10):
        record = with_check(record, T0 + timedelta(minutes=minutes), Answer.UNKNOWN, 503)
    assert record.state is TakedownState.UNKNOWN and record.removed_at is None
    record = with_check(record, T0 + 11 * H, Answer.EMBEDDING_DISABLED, 401)
    assert record.state is TakedownState.LIVE
    assert len(record.checks) <= MAX_HISTORY


def test_reported_to_the_platform_then_removed_counts_from_both_starts() -> None:
    record = with_check(new_record("QR-1", TT, T0), T0 + timedelta(minutes=5), Answer.LIVE, 200)
    record = reported(record, by=501, at=T0 + 4 * H)
    assert record.state is TakedownState.REPORTED and record.reported_by == 501 and record.reference is None
    record = reported(record, by=502, at=T0 + 5 * H, reference="TT-REF-1")
    assert record.reported_by == 501 and record.reported_at == T0 + 4 * H and record.reference == "TT-REF-1"
    record = with_check(record, T0 + 24 * H, Answer.GONE, 404)
    record = with_check(record, T0 + 26 * H, Answer.GONE, 404)
    assert record.state is TakedownState.REMOVED
    assert time_to_removal(record) == 24 * H
    assert time_to_removal(record, from_notice=True) == 20 * H
    assert short_duration(timedelta(days=2, hours=4, minutes=7)) == (2, 4, 7)


def test_geo_restricted_and_private_states() -> None:
    record = with_check(new_record("QR-1", YT, T0), T0 + H, Answer.GEO_RESTRICTED, 451)
    assert record.state is TakedownState.GEO_RESTRICTED
    record = with_check(record, T0 + 2 * H, Answer.PRIVATE, 403)
    assert record.state is TakedownState.PRIVATE


def test_check_now_and_the_90_days_after_close() -> None:
    record = with_check(new_record("QR-1", TT, T0), T0 + timedelta(minutes=5), Answer.LIVE, 200)
    assert check_now(record, T0 + 10 * timedelta(minutes=1)).next_check_at == T0 + timedelta(minutes=10)
    closed = case_changed(record, is_open=False, closed_at=T0 + H)
    late = with_check(closed, T0 + timedelta(days=91), Answer.LIVE, 200)
    assert late.next_check_at is None  # checks end 90 days after the case closed
    reopened = case_changed(late, is_open=True, closed_at=None)
    assert reopened.next_check_at is not None


def test_all_removed_and_live_longest() -> None:
    gone = with_check(with_check(new_record("QR-1", TT, T0), T0 + H, Answer.GONE), T0 + 3 * H, Answer.GONE)
    up = with_check(new_record("QR-1", YT, T0), T0 + H, Answer.LIVE)
    assert all_removed([gone]) and not all_removed([gone, up]) and not all_removed([])
    older = with_check(new_record("QR-2", YT, T0 - 48 * H), T0, Answer.LIVE)
    assert [r.case_code for r in live_longest([up, gone, older], T0 + 5 * H)] == ["QR-2", "QR-1"]


def test_removal_figures_per_platform() -> None:
    now = T0 + timedelta(days=10)
    records = []
    for hours in (2, 10, 30, 80):
        record = with_check(new_record("QR-1", TT, T0), T0 + hours * H, Answer.GONE)
        record = reported(record, by=1, at=T0 + H)
        records.append(with_check(record, T0 + (hours + 2) * H, Answer.GONE))
    records.append(with_check(new_record("QR-2", TT, T0), T0 + H, Answer.LIVE))  # up for 10 days
    records.append(with_check(new_record("QR-3", YT, now - H), now, Answer.LIVE))
    figures = {f.platform: f for f in removals_by_platform(records, now)}
    tiktok = figures["tiktok"]
    assert (tiktok.links, tiktok.removed, tiktok.reported, tiktok.live_after_7d) == (5, 4, 4, 1)
    assert tiktok.from_creation.median_hours == 10 and tiktok.from_creation.p90_hours == 80
    assert tiktok.from_creation.within_24h == 2 / 5 and tiktok.from_creation.within_72h == 3 / 5
    assert tiktok.from_notice.median_hours == 9 and tiktok.from_notice.within_24h == 2 / 4
    youtube = figures["youtube"]
    assert youtube.removed == 0 and youtube.from_creation.median_hours is None and youtube.live_after_7d == 0
    assert percentile([], 0.5) is None and percentile([5.0], 0.9) == 5.0
