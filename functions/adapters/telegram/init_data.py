"""The Mini App's initData checked as Telegram documents (HMAC-SHA256 with the bot token), by init-data-py."""

from __future__ import annotations

from datetime import datetime, timedelta

from functions.domain.console import InitDataRefused, OpenedApp


class InitDataChecker:
    """Validates initData with the bot token; refuses it when older than max_age."""

    def __init__(self, bot_token: str, max_age: timedelta) -> None:
        self.bot_token = bot_token
        self.max_age = max_age

    def check(self, init_data: str, now: datetime) -> OpenedApp:
        """Who opened the app, or InitDataRefused with the reason ("expired", "forged", "malformed")."""
        import init_data_py
        from init_data_py import errors

        try:
            data = init_data_py.validate_by_hash(
                init_data, self.bot_token, expires_in=self.max_age.total_seconds(), now=now
            )
        except errors.ExpiredError as error:
            raise InitDataRefused("expired") from error
        except errors.AuthenticityError as error:
            raise InitDataRefused("forged") from error
        except errors.InvalidInitDataError as error:
            raise InitDataRefused("malformed") from error
        if data.user is None:
            raise InitDataRefused("malformed")
        if data.issued_at > now + timedelta(minutes=1):
            raise InitDataRefused("expired")  # from the future: a clock we cannot trust
        return OpenedApp(user_id=data.user.id, digest=data.hash, language=data.user.language_code or "")
