"""The console's sign-in: Telegram's initData (checked, once only) exchanged for a short-lived session token.

Every later request carries the token in the Authorization header (never a cookie: nothing a page elsewhere
could make the browser send). The token says only who asked; the stored staff record is read again on every
request, so a revoked person's next request is refused.
"""

from __future__ import annotations

import secrets
from collections.abc import Callable
from dataclasses import replace
from datetime import datetime, timedelta
from typing import Final, Protocol

from functions.domain.console import ApiError, InitDataRefused, OpenedApp, issue_token, token_user
from functions.domain.workflow import StaffMember
from functions.log import get_logger
from functions.services.access import Access

log = get_logger("console")

MAX_INIT_DATA_CHARS: Final = 4096
BEARER: Final = "Bearer "


class InitDataCheck(Protocol):
    """Validates initData (InitDataChecker implements it)."""

    def check(self, init_data: str, now: datetime) -> OpenedApp: ...


class OpenedRecord(Protocol):
    """Remembers each initData used (ConsoleStore implements it)."""

    def claim_init_data(self, digest: str, user_id: int, at: datetime, expires_at: datetime) -> bool: ...


class ConsoleSessions:
    """Signs staff in from initData and authenticates every later request."""

    def __init__(
        self,
        checker: InitDataCheck,
        opened: OpenedRecord,
        access: Access,
        key: bytes,
        clock: Callable[[], datetime],
        init_data_max_age: timedelta,
        session_ttl: timedelta,
    ) -> None:
        self.checker = checker
        self.opened = opened
        self.access = access
        self.key = key
        self.clock = clock
        self.init_data_max_age = init_data_max_age
        self.session_ttl = session_ttl

    def sign_in(self, init_data: str) -> dict[str, object]:
        """A session token for the staff member who opened the app (ApiError when refused)."""
        if not init_data or len(init_data) > MAX_INIT_DATA_CHARS:
            raise ApiError(400, "initData is missing or too long")
        now = self.clock()
        try:
            opened = self.checker.check(init_data, now)
        except InitDataRefused as refused:
            log.info("console sign-in refused", extra={"reason": refused.reason})
            raise ApiError(401, f"initData {refused.reason}") from refused
        person = self.access.member(opened.user_id)
        if person is None:
            log.info("console sign-in by a non-staff user", extra={"by": opened.user_id})
            raise ApiError(403, "not a staff member")
        # Kept a little longer than initData stays valid: a replay inside that window finds the record.
        keep_until = now + self.init_data_max_age + timedelta(minutes=5)
        if not self.opened.claim_init_data(opened.digest, opened.user_id, now, keep_until):
            log.info("console initData replayed", extra={"by": opened.user_id})
            raise ApiError(401, "initData already used")
        expires = now + self.session_ttl
        token = issue_token(self.key, opened.user_id, expires, secrets.token_urlsafe(8))
        log.info("console signed in", extra={"by": opened.user_id})
        lang = person.lang or ("kk" if opened.language == "kk" else "ru")
        return {
            "token": token,
            "expires_at": expires.isoformat(),
            "user": {"id": person.user_id, "role": person.role.value, "regions": list(person.regions), "lang": lang},
        }

    def authenticate(self, header: str | None) -> StaffMember:
        """The staff member behind a request's Authorization header, as stored now (ApiError when not)."""
        if not header or not header.startswith(BEARER):
            raise ApiError(401, "missing session token")
        user_id = token_user(self.key, header[len(BEARER) :].strip(), self.clock())
        if user_id is None:
            raise ApiError(401, "session token invalid or expired")
        person = self.access.member(user_id)
        if person is None:
            log.info("console request by a revoked user", extra={"by": user_id})
            raise ApiError(403, "no staff access")
        return replace(person, lang=person.lang or "ru")
