"""Whether a reported link is still up: per-platform probe rules as data, the removal confirmation, the schedule.

What each platform answers for an item that is gone, and where that is documented or reported:

- YouTube oEmbed ``https://www.youtube.com/oembed?url=…&format=json``: 200 with JSON for a public video, 404 for a
  removed or non-existent one, 401 "Unauthorized" when the owner disabled embedding (extractus/oembed-extractor
  issue 168, Tyrrrz/YoutubeExplode issue 163, mellowagain/pomu issue 9 which lists 400/401/404), 403 "Forbidden"
  for a private video (ruby-oembed/ruby-oembed issue 79 and pull request 80; for a while it was a 200 with the
  body "Forbidden", which is why a 200 is only "live" when the body is JSON).
- Vimeo oEmbed ``https://vimeo.com/api/oembed.json?url=…`` (developer.vimeo.com/api/oembed/videos): 200, 404
  when the video does not exist, 403 when its embed privacy forbids it. A hidden video restricted to some domains
  also answers 404 (php-embed/Embed issue 377), so a Vimeo "gone" is only a candidate like any other.
- X oEmbed ``https://publish.twitter.com/oembed?url=…`` (developer.x.com, "GET statuses/oembed"; the endpoint
  moved there in 2016, sferik/twitter-ruby issue 774): 404 for a deleted post or suspended account, 403 for a
  protected one (bear/python-twitter issue 143: error 34 "Sorry, that page does not exist").
- TikTok oEmbed ``https://www.tiktok.com/oembed?url=…`` (developers.tiktok.com/doc/embed-videos: an embed is
  available exactly when the video is): 200 for a public video; 400 ("Something went wrong") or 404 for one
  that is removed, private or never existed: it cannot tell them apart, so both count as "gone"; a 403 is
  read as the creator having turned embedding off (the item is up).
- Telegram: the public embed page ``https://t.me/<channel>/<id>?embed=1`` (core.telegram.org/widgets/post) answers
  200 in every case; a post that is gone carries the ``tgme_widget_message_error`` element ("Post not found"),
  a live one the ``tgme_widget_message`` widget.
- Elsewhere, the item page's status: 404 and 410 are "gone" (RFC 9110 §15.5.5, §15.5.11), 451 is a legal, usually
  geographic, restriction (RFC 7725), 401/403 a private item. Body markers stay data in the rules below.
- Everywhere: 429, 5xx, timeouts and network errors say nothing about the item ("unknown") and never count.

The confirmation rule: a link is "removed" only after two consecutive "gone" answers at least an hour apart;
"unknown" answers are skipped (they neither count nor break the run), any other answer breaks it. The schedule:
a first check soon after intake, then one hour and six hours after intake, then daily, until removal is confirmed
or 90 days after the case closed; a "gone" answer brings the next check forward to one hour after it.
"""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass, field
from datetime import datetime, timedelta
from enum import StrEnum
from typing import Final
from urllib.parse import quote, urlsplit

from functions.domain.urls import needs_resolving, platform_of

MAX_BODY_BYTES: Final = 256 * 1024
CONFIRMATION_GAP: Final = timedelta(hours=1)
FIRST_CHECK_DELAY: Final = timedelta(minutes=5)
SCHEDULE_AFTER_INTAKE: Final = (timedelta(hours=1), timedelta(hours=6))
DAILY: Final = timedelta(days=1)
CHECK_AFTER_CLOSE: Final = timedelta(days=90)
RETRY_AFTER_UNKNOWN: Final = timedelta(minutes=15)  # while a removal waits for its confirmation


class Answer(StrEnum):
    """What one check says about a link."""

    LIVE = "live"
    GONE = "gone"  # a removal candidate: confirmed only by a second answer an hour later
    PRIVATE = "private"
    GEO_RESTRICTED = "geo_restricted"
    EMBEDDING_DISABLED = "embedding_disabled"  # the item is up, its owner only forbids embedding
    UNKNOWN = "unknown"  # 429, 5xx, timeouts, network errors, refused addresses: never counts


class LinkState(StrEnum):
    """What the checks together say about a link (the takedown track's view)."""

    UNCHECKED = "unchecked"
    LIVE = "live"
    REMOVAL_PENDING = "removal_pending"  # one "gone" answer, waiting for the confirming one
    REMOVED = "removed"
    PRIVATE = "private"
    GEO_RESTRICTED = "geo_restricted"
    UNKNOWN = "unknown"


class ProbeKind(StrEnum):
    """How a platform is asked."""

    OEMBED = "oembed"
    EMBED_PAGE = "embed_page"
    PAGE = "page"
    NONE = "none"  # nothing public can tell (a post of a private Telegram channel): always "unknown"


@dataclass(frozen=True, slots=True)
class Rule:
    """How to ask one platform about an item, and how to read its answer."""

    kind: ProbeKind
    statuses: Mapping[int, Answer]
    endpoint: str = ""  # oEmbed endpoint, the item URL passed as ?url=
    gone_markers: tuple[str, ...] = ()  # a 2xx body containing one of these is "gone"
    live_markers: tuple[str, ...] = ()  # when set, a 2xx body needs one of these to be "live"
    json_body: bool = False  # a 2xx answer must be a JSON object to be "live"
    items: re.Pattern[str] | None = None  # the canonical links this rule knows; others get the page rule


_PAGE_STATUSES: Final[Mapping[int, Answer]] = {
    401: Answer.PRIVATE,
    403: Answer.PRIVATE,
    404: Answer.GONE,
    410: Answer.GONE,
    451: Answer.GEO_RESTRICTED,
}
_PAGE: Final = Rule(ProbeKind.PAGE, _PAGE_STATUSES)
_NONE: Final = Rule(ProbeKind.NONE, {})
_PRIVATE_TELEGRAM: Final = re.compile(r"^https://t\.me/c/")


def _oembed(statuses: Mapping[int, Answer], endpoint: str, items: str) -> Rule:
    """A platform asked through its oEmbed endpoint: a 2xx answer is "live" only when its body is JSON."""
    return Rule(ProbeKind.OEMBED, statuses, endpoint=endpoint, json_body=True, items=re.compile(items))


RULES: Final[Mapping[str, Rule]] = {
    "youtube": _oembed(
        {400: Answer.GONE, 401: Answer.EMBEDDING_DISABLED, 403: Answer.PRIVATE, 404: Answer.GONE},
        "https://www.youtube.com/oembed?format=json&url=",
        r"^https://youtube\.com/(?:watch\?v=|playlist\?list=)",
    ),
    "vimeo": _oembed(
        {403: Answer.EMBEDDING_DISABLED, 404: Answer.GONE},
        "https://vimeo.com/api/oembed.json?url=",
        r"^https://vimeo\.com/[0-9]+$",
    ),
    "x": _oembed(
        {403: Answer.PRIVATE, 404: Answer.GONE},
        "https://publish.twitter.com/oembed?url=",
        r"^https://x\.com/i/status/[0-9]+$",
    ),
    "tiktok": _oembed(
        {400: Answer.GONE, 403: Answer.EMBEDDING_DISABLED, 404: Answer.GONE},
        "https://www.tiktok.com/oembed?url=",
        r"^https://tiktok\.com/video/[0-9]+$",
    ),
    "telegram": Rule(
        ProbeKind.EMBED_PAGE,
        {404: Answer.GONE},
        gone_markers=("tgme_widget_message_error",),
        live_markers=("tgme_widget_message",),
        items=re.compile(r"^https://t\.me/[a-z0-9_]+/[0-9]+(?:/[0-9]+)?(?:\?|$)"),
    ),
}


@dataclass(frozen=True, slots=True)
class Probe:
    """The one request that checks a canonical link."""

    url: str
    platform: str | None
    rule: Rule
    resolve_first: bool = False  # a short link: follow its redirects, canonicalise, then probe the result


def probe_for(canonical: str) -> Probe:
    """The request to make for a canonical link, by its platform's rule (page status for other sites)."""
    platform = platform_of(canonical)
    if needs_resolving(canonical):
        return Probe(canonical, platform, _PAGE, resolve_first=True)
    if _PRIVATE_TELEGRAM.match(canonical):
        return Probe("", platform, _NONE)
    rule = RULES.get(platform or "", _PAGE)
    if rule.items is not None and not rule.items.match(canonical):
        rule = _PAGE  # a profile, channel or other page of the platform: its page status, never its oEmbed
    if rule.kind is ProbeKind.OEMBED:
        return Probe(rule.endpoint + quote(canonical, safe=""), platform, rule)
    if rule.kind is ProbeKind.EMBED_PAGE:
        return Probe(_telegram_embed(canonical), platform, rule)
    return Probe(canonical, platform, rule)


def _telegram_embed(canonical: str) -> str:
    split = urlsplit(canonical)
    return f"https://t.me{split.path}?embed=1"


def interpret(rule: Rule, status: int | None, body: bytes = b"") -> Answer:
    """Read one answer: the status (None for a timeout or network error) and at most MAX_BODY_BYTES of body."""
    if rule.kind is ProbeKind.NONE or status is None or status == 429 or status >= 500:
        return Answer.UNKNOWN
    if status in rule.statuses:
        return rule.statuses[status]
    if not 200 <= status < 300:
        return Answer.UNKNOWN  # 3xx left over after the redirect limit, other 4xx: nothing certain
    head = body[:MAX_BODY_BYTES]
    text = head.decode("utf-8", errors="replace")
    if any(marker in text for marker in rule.gone_markers):
        return Answer.GONE
    if rule.live_markers and not any(marker in text for marker in rule.live_markers):
        return Answer.UNKNOWN
    if rule.json_body and not _is_json_object(head):
        return Answer.UNKNOWN
    return Answer.LIVE


def _is_json_object(body: bytes) -> bool:
    try:
        return isinstance(json.loads(body), dict)
    except ValueError:
        return False


@dataclass(frozen=True, slots=True)
class Observation:
    """One check of one link: when, and what it answered."""

    at: datetime
    answer: Answer


@dataclass(frozen=True, slots=True)
class Verdict:
    """The state of a link from its checks so far."""

    state: LinkState
    removed_at: datetime | None = None  # the first "gone" answer of the confirmed run
    confirmed_at: datetime | None = None  # the answer that confirmed it
    gone_since: datetime | None = None  # the first "gone" answer of a pending run
    last_checked_at: datetime | None = None


_ANSWER_STATES: Final[Mapping[Answer, LinkState]] = {
    Answer.LIVE: LinkState.LIVE,
    Answer.EMBEDDING_DISABLED: LinkState.LIVE,
    Answer.PRIVATE: LinkState.PRIVATE,
    Answer.GEO_RESTRICTED: LinkState.GEO_RESTRICTED,
}


def verdict(history: Sequence[Observation]) -> Verdict:
    """Apply the confirmation rule to a link's checks (any order; unknown answers never count)."""
    ordered = sorted(history, key=lambda observation: observation.at)
    last_checked = ordered[-1].at if ordered else None
    counted = [observation for observation in ordered if observation.answer is not Answer.UNKNOWN]
    if not counted:
        return Verdict(LinkState.UNKNOWN if ordered else LinkState.UNCHECKED, last_checked_at=last_checked)
    run: list[Observation] = []
    for observation in reversed(counted):
        if observation.answer is not Answer.GONE:
            break
        run.append(observation)
    run.reverse()
    if run:
        first = run[0]
        confirming = next((o for o in run[1:] if o.at - first.at >= CONFIRMATION_GAP), None)
        if confirming is not None:
            return Verdict(LinkState.REMOVED, first.at, confirming.at, last_checked_at=last_checked)
        return Verdict(LinkState.REMOVAL_PENDING, gone_since=first.at, last_checked_at=last_checked)
    return Verdict(_ANSWER_STATES[counted[-1].answer], last_checked_at=last_checked)


@dataclass(frozen=True, slots=True)
class Schedule:
    """When a link was taken in and, once its case is closed, when that happened."""

    intake_at: datetime
    closed_at: datetime | None = None
    steps: tuple[timedelta, ...] = field(default=SCHEDULE_AFTER_INTAKE)


def next_check_at(schedule: Schedule, current: Verdict) -> datetime | None:
    """When to check a link next, or None when its checks are over (removal confirmed, or 90 days after close)."""
    if current.state is LinkState.REMOVED:
        return None
    last = current.last_checked_at
    if last is None:
        due = schedule.intake_at + FIRST_CHECK_DELAY
    else:
        due = last + DAILY
        for step in schedule.steps:
            if last < schedule.intake_at + step:
                due = schedule.intake_at + step
                break
    if current.state is LinkState.REMOVAL_PENDING and current.gone_since is not None:
        confirm_at = current.gone_since + CONFIRMATION_GAP
        if last is not None:
            confirm_at = max(confirm_at, last + RETRY_AFTER_UNKNOWN)
        due = min(due, confirm_at)
    if schedule.closed_at is not None and due > schedule.closed_at + CHECK_AFTER_CLOSE:
        return None
    return due
