"""The staff console's pure rules: its session tokens, the queue's filters and cursor, the SLA age buckets.

A session token is `<payload>.<mac>`: the payload (base64url JSON) names the staff member and the expiry, the
mac is HMAC-SHA256 over it with a key derived from the bot token. It only says who asked; what they may do is
read from the stored staff record on every request.
"""

from __future__ import annotations

import base64
import binascii
import hashlib
import hmac
import json
import re
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, Final

from functions.domain.categories import Category, Severity
from functions.domain.models import Status
from functions.domain.regions import REGION_CODES

TOKEN_CONTEXT: Final = b"qorgau-console-session-v1"
MAX_TOKEN_CHARS: Final = 400
AGE_BUCKETS: Final[tuple[str, ...]] = ("lt24h", "lt48h", "older")
OWNERS: Final[tuple[str, ...]] = ("mine", "unassigned")
CONTENT_STATES: Final[tuple[str, ...]] = ("live", "removed")  # the takedown track (the case's `content_state`)
CHILD_STATES: Final[tuple[str, ...]] = ("help_needed", "contact_pending")  # the child-help track
PAGE_SIZE: Final = 20
_CODE_RE: Final = re.compile(r"^[A-Z0-9-]{1,24}$")


def session_key(bot_token: str) -> bytes:
    """The key session tokens are signed with (derived from the bot token; never sent anywhere)."""
    return hmac.new(bot_token.encode(), TOKEN_CONTEXT, hashlib.sha256).digest()


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def issue_token(key: bytes, user_id: int, expires_at: datetime, nonce: str) -> str:
    """A session token for one staff member until expires_at."""
    payload = _b64(json.dumps({"u": user_id, "e": int(expires_at.timestamp()), "n": nonce}).encode())
    mac = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    return f"{payload}.{mac}"


def token_user(key: bytes, token: str, now: datetime) -> int | None:
    """The staff member a token names, or None when it is forged, malformed or expired."""
    if not token or len(token) > MAX_TOKEN_CHARS or token.count(".") != 1:
        return None
    payload, mac = token.split(".")
    expected = _b64(hmac.new(key, payload.encode(), hashlib.sha256).digest())
    if not hmac.compare_digest(expected.encode(), mac.encode()):
        return None
    try:
        data = json.loads(_unb64(payload))
    except (ValueError, binascii.Error):
        return None
    user, expires = data.get("u") if isinstance(data, dict) else None, data.get("e") if isinstance(data, dict) else None
    if type(user) is not int or type(expires) is not int or expires <= now.timestamp():
        return None
    return user


@dataclass(frozen=True)
class QueueFilter:
    """What the queue is narrowed to (every field optional)."""

    status: str | None = None
    severity: str | None = None
    category: str | None = None
    region: str | None = None
    age: str | None = None
    owner: str | None = None
    content: str | None = None
    child: str | None = None


FILTER_VALUES: Final[dict[str, frozenset[str]]] = {
    "status": frozenset(s.value for s in Status if s.value in {"new", "in_progress", "escalated"}),
    "severity": frozenset(s.value for s in Severity),
    "category": frozenset(c.value for c in Category),
    "region": frozenset(REGION_CODES),
    "age": frozenset(AGE_BUCKETS),
    "owner": frozenset(OWNERS),
    "content": frozenset(CONTENT_STATES),
    "child": frozenset(CHILD_STATES),
}


def parse_filter(params: dict[str, str]) -> QueueFilter | str:
    """The filter from query parameters, or the name of the first bad one."""
    found: dict[str, str] = {}
    for name, allowed in FILTER_VALUES.items():
        value = params.get(name, "")
        if value == "":
            continue
        if value not in allowed:
            return name
        found[name] = value
    return QueueFilter(**found)


def age_range(age: str | None, now: datetime) -> tuple[datetime | None, datetime | None]:
    """The created_at range [since, before) of an age bucket."""
    if age == "lt24h":
        return now - timedelta(hours=24), None
    if age == "lt48h":
        return now - timedelta(hours=48), now - timedelta(hours=24)
    if age == "older":
        return None, now - timedelta(hours=48)
    return None, None


def age_bucket(created_at: Any, now: datetime) -> str:
    """The SLA age bucket of a case (<24 h, <48 h, older)."""
    if not isinstance(created_at, datetime):
        return "older"
    age = now - created_at
    if age < timedelta(hours=24):
        return "lt24h"
    return "lt48h" if age < timedelta(hours=48) else "older"


@dataclass(frozen=True)
class Cursor:
    """Where a queue page ended: the phase (0 urgent, 1 the rest), the last case's creation time and code."""

    phase: int
    created_at: datetime
    code: str


@dataclass(frozen=True)
class QueueQuery:
    """What every read of one queue page asks for: the filter, the regions it is limited to (None: all), the
    person (for "mine"), the range of created_at and the fields of a row."""

    wanted: QueueFilter
    regions: tuple[str, ...] | None
    user_id: int
    since: datetime | None
    before: datetime | None
    fields: tuple[str, ...]


def encode_cursor(cursor: Cursor) -> str:
    """The opaque text the app sends back for the next page."""
    return _b64(json.dumps([cursor.phase, cursor.created_at.isoformat(), cursor.code]).encode())


def decode_cursor(text: str) -> Cursor | None:
    """The cursor from its text, or None when it is not one of ours."""
    if not text or len(text) > 200:
        return None
    try:
        phase, created, code = json.loads(_unb64(text))
        moment = datetime.fromisoformat(created)
    except (ValueError, TypeError, binascii.Error):
        return None
    if phase not in (0, 1) or moment.tzinfo is None or not isinstance(code, str) or not _CODE_RE.match(code):
        return None
    return Cursor(phase=phase, created_at=moment, code=code)


def is_code(text: str) -> bool:
    """Whether a path part may be a case code at all (codes are normalised by domain.codes afterwards)."""
    return bool(_CODE_RE.match(text.upper()))


@dataclass(frozen=True)
class OpenedApp:
    """Who opened the Mini App, from initData Telegram signed (digest: its hash, to refuse a replay)."""

    user_id: int
    digest: str
    language: str = ""


class InitDataRefused(Exception):
    """initData that is not Telegram's, too old, or not readable (reason: expired, forged, malformed)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


class ApiError(Exception):
    """A request the console refuses: the HTTP status and a short, clear message (never a trace)."""

    def __init__(self, status: int, error: str) -> None:
        super().__init__(error)
        self.status = status
        self.error = error
