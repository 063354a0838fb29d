"""Unit tests of the liveness rules: probes, reading answers, the confirmation rule and the schedule."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta
from urllib.parse import parse_qs, urlsplit

import pytest

from functions.domain.liveness import (
    CHECK_AFTER_CLOSE,
    MAX_BODY_BYTES,
    RULES,
    Answer,
    LinkState,
    Observation,
    ProbeKind,
    Schedule,
    interpret,
    next_check_at,
    probe_for,
    verdict,
)

T0 = datetime(2026, 12, 1, 9, 0, tzinfo=UTC)
YT = "https://youtube.com/watch?v=AbCdEfGh1_-"
TT = "https://tiktok.com/video/7301234567890123456"
TG = "https://t.me/fake_school_chan/123"
VK = "https://vk.com/video-123456_456239017"
OEMBED_JSON = b'{"version": "1.0", "type": "video", "title": "x"}'


def obs(minutes: float, answer: Answer) -> Observation:
    return Observation(T0 + timedelta(minutes=minutes), answer)


class TestProbeFor:
    @pytest.mark.parametrize(
        ("canonical", "host", "path"),
        [
            (YT, "www.youtube.com", "/oembed"),
            ("https://vimeo.com/76979871", "vimeo.com", "/api/oembed.json"),
            ("https://x.com/i/status/1712345678901234567", "publish.twitter.com", "/oembed"),
            (TT, "www.tiktok.com", "/oembed"),
        ],
    )
    def test_oembed_platforms_pass_the_link_as_url(self, canonical: str, host: str, path: str) -> None:
        probe = probe_for(canonical)
        split = urlsplit(probe.url)
        assert (split.hostname, split.path) == (host, path)
        assert parse_qs(split.query)["url"] == [canonical]
        assert probe.rule.kind is ProbeKind.OEMBED
        assert not probe.resolve_first

    def test_telegram_uses_the_embed_page(self) -> None:
        probe = probe_for(TG + "?comment=5")
        assert probe.url == TG + "?embed=1"
        assert probe.rule.kind is ProbeKind.EMBED_PAGE

    def test_other_platforms_and_sites_use_the_page(self) -> None:
        for canonical in (VK, "https://rutube.ru/video/0123456789abcdef0123456789abcdef", "https://example.org/a"):
            probe = probe_for(canonical)
            assert probe.url == canonical
            assert probe.rule.kind is ProbeKind.PAGE

    @pytest.mark.parametrize(
        "canonical",
        [
            "https://vimeo.com/nkistudio",
            "https://x.com/fakeuser",
            "https://tiktok.com/@fake.user",
            "https://t.me/fake_chan",
        ],
    )
    def test_non_item_pages_of_oembed_platforms_use_the_page(self, canonical: str) -> None:
        probe = probe_for(canonical)
        assert (probe.url, probe.rule.kind) == (canonical, ProbeKind.PAGE)

    def test_private_telegram_posts_cannot_be_checked(self) -> None:
        probe = probe_for("https://t.me/c/1234567890/55")
        assert probe.rule.kind is ProbeKind.NONE
        assert interpret(probe.rule, 200, b'<div class="tgme_widget_message_error">') is Answer.UNKNOWN
        assert interpret(probe.rule, 404) is Answer.UNKNOWN

    def test_short_links_are_resolved_first(self) -> None:
        assert probe_for("https://vm.tiktok.com/ZMfAkE123").resolve_first
        assert probe_for("https://t.co/AbCdEf1234").resolve_first


class TestInterpret:
    @pytest.mark.parametrize(
        ("platform", "status", "body", "expected"),
        [
            ("youtube", 200, OEMBED_JSON, Answer.LIVE),
            ("youtube", 404, b"Not Found", Answer.GONE),
            ("youtube", 401, b"Unauthorized", Answer.EMBEDDING_DISABLED),
            ("youtube", 403, b"Forbidden", Answer.PRIVATE),
            ("youtube", 200, b"Forbidden", Answer.UNKNOWN),  # the old 200-with-"Forbidden" answer
            ("vimeo", 404, b"{}", Answer.GONE),
            ("vimeo", 403, b"{}", Answer.EMBEDDING_DISABLED),
            ("x", 404, b"{}", Answer.GONE),
            ("x", 403, b"{}", Answer.PRIVATE),
            ("tiktok", 400, b'{"code":400}', Answer.GONE),
            ("tiktok", 200, OEMBED_JSON, Answer.LIVE),
            ("telegram", 200, b'<div class="tgme_widget_message_error">Post not found</div>', Answer.GONE),
            ("telegram", 200, b'<div class="tgme_widget_message js-widget_message">', Answer.LIVE),
            ("telegram", 200, b"<html>maintenance</html>", Answer.UNKNOWN),
        ],
    )
    def test_platform_answers(self, platform: str, status: int, body: bytes, expected: Answer) -> None:
        assert interpret(RULES[platform], status, body) is expected

    @pytest.mark.parametrize(
        ("status", "expected"),
        [
            (200, Answer.LIVE),
            (404, Answer.GONE),
            (410, Answer.GONE),
            (451, Answer.GEO_RESTRICTED),
            (403, Answer.PRIVATE),
            (401, Answer.PRIVATE),
            (302, Answer.UNKNOWN),
            (418, Answer.UNKNOWN),
        ],
    )
    def test_page_statuses(self, status: int, expected: Answer) -> None:
        assert interpret(probe_for(VK).rule, status, b"<html></html>") is expected

    @pytest.mark.parametrize("status", [None, 429, 500, 502, 503, 504, 599])
    def test_throttling_errors_and_timeouts_are_unknown_everywhere(self, status: int | None) -> None:
        for rule in [*RULES.values(), probe_for(VK).rule]:
            assert interpret(rule, status, b"") is Answer.UNKNOWN

    def test_markers_past_the_body_cap_are_not_read(self) -> None:
        body = b'<div class="tgme_widget_message">' + b" " * MAX_BODY_BYTES + b"tgme_widget_message_error"
        assert interpret(RULES["telegram"], 200, body) is Answer.LIVE


class TestVerdict:
    def test_no_checks(self) -> None:
        assert verdict([]).state is LinkState.UNCHECKED

    def test_one_gone_answer_is_only_pending(self) -> None:
        result = verdict([obs(0, Answer.LIVE), obs(60, Answer.GONE)])
        assert result.state is LinkState.REMOVAL_PENDING
        assert result.gone_since == T0 + timedelta(minutes=60)

    def test_two_gone_answers_less_than_an_hour_apart_are_not_enough(self) -> None:
        assert verdict([obs(0, Answer.GONE), obs(59, Answer.GONE)]).state is LinkState.REMOVAL_PENDING

    def test_two_gone_answers_an_hour_apart_confirm_removal(self) -> None:
        result = verdict([obs(0, Answer.GONE), obs(30, Answer.GONE), obs(60, Answer.GONE)])
        assert result.state is LinkState.REMOVED
        assert result.removed_at == T0
        assert result.confirmed_at == T0 + timedelta(minutes=60)

    def test_unknown_answers_neither_count_nor_break_the_run(self) -> None:
        history = [obs(0, Answer.GONE), obs(20, Answer.UNKNOWN), obs(40, Answer.UNKNOWN), obs(70, Answer.GONE)]
        assert verdict(history).state is LinkState.REMOVED
        assert verdict([obs(i * 60, Answer.UNKNOWN) for i in range(50)]).state is LinkState.UNKNOWN

    def test_a_live_answer_breaks_the_run(self) -> None:
        history = [obs(0, Answer.GONE), obs(30, Answer.LIVE), obs(90, Answer.GONE)]
        assert verdict(history).state is LinkState.REMOVAL_PENDING

    def test_embedding_disabled_is_live_not_gone(self) -> None:
        history = [obs(0, Answer.EMBEDDING_DISABLED), obs(120, Answer.EMBEDDING_DISABLED)]
        assert verdict(history).state is LinkState.LIVE
        assert verdict([obs(0, Answer.GONE), obs(30, Answer.EMBEDDING_DISABLED), obs(90, Answer.GONE)]).state is (
            LinkState.REMOVAL_PENDING
        )

    def test_order_of_history_does_not_matter(self) -> None:
        history = [obs(90, Answer.GONE), obs(0, Answer.LIVE), obs(20, Answer.GONE)]
        assert verdict(history).state is LinkState.REMOVED

    def test_restored_after_removal_is_live_again(self) -> None:
        history = [obs(0, Answer.GONE), obs(60, Answer.GONE), obs(24 * 60, Answer.LIVE)]
        assert verdict(history).state is LinkState.LIVE

    @pytest.mark.parametrize(
        ("answer", "state"),
        [(Answer.PRIVATE, LinkState.PRIVATE), (Answer.GEO_RESTRICTED, LinkState.GEO_RESTRICTED)],
    )
    def test_private_and_restricted(self, answer: Answer, state: LinkState) -> None:
        assert verdict([obs(0, Answer.LIVE), obs(60, answer), obs(70, Answer.UNKNOWN)]).state is state


class TestSchedule:
    schedule = Schedule(intake_at=T0)

    def at(self, history: list[Observation], schedule: Schedule | None = None) -> datetime | None:
        return next_check_at(schedule or self.schedule, verdict(history))

    def test_soon_after_intake_then_one_hour_six_hours_and_daily(self) -> None:
        assert self.at([]) == T0 + timedelta(minutes=5)
        assert self.at([obs(5, Answer.LIVE)]) == T0 + timedelta(hours=1)
        assert self.at([obs(5, Answer.LIVE), obs(60, Answer.LIVE)]) == T0 + timedelta(hours=6)
        six = [obs(5, Answer.LIVE), obs(60, Answer.LIVE), obs(360, Answer.LIVE)]
        assert self.at(six) == T0 + timedelta(hours=6, days=1)
        assert self.at([*six, obs(30 * 60, Answer.LIVE)]) == T0 + timedelta(hours=30, days=1)

    def test_a_gone_answer_brings_the_confirmation_forward(self) -> None:
        history = [obs(5, Answer.LIVE), obs(60, Answer.LIVE), obs(360, Answer.LIVE), obs(24 * 60, Answer.GONE)]
        assert self.at(history) == T0 + timedelta(hours=25)

    def test_unknown_answers_while_pending_back_off(self) -> None:
        history = [obs(0, Answer.GONE), obs(60, Answer.UNKNOWN)]
        assert self.at(history) == T0 + timedelta(minutes=75)

    def test_checks_end_when_removal_is_confirmed(self) -> None:
        assert self.at([obs(0, Answer.GONE), obs(60, Answer.GONE)]) is None

    def test_checks_end_90_days_after_the_case_closed(self) -> None:
        closed = Schedule(intake_at=T0, closed_at=T0 + timedelta(days=2))
        near_end = T0 + timedelta(days=2) + CHECK_AFTER_CLOSE - timedelta(hours=12)
        history = [Observation(near_end, Answer.LIVE)]
        assert self.at(history, closed) is None
        assert self.at([Observation(near_end - timedelta(days=1), Answer.LIVE)], closed) == near_end
