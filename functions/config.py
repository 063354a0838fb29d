"""Settings read once from the environment; missing required values fail fast."""

from __future__ import annotations

from functools import lru_cache
from typing import Annotated, Final

from pydantic import field_validator
from pydantic_settings import BaseSettings, NoDecode, SettingsConfigDict

DEFAULT_API_BASE_URL: Final = "https://api.telegram.org"


class Settings(BaseSettings):
    """Every environment variable the code reads (documented in README.md)."""

    model_config = SettingsConfigDict(env_prefix="", case_sensitive=False, extra="ignore")

    telegram_bot_token: str = ""  # required by the targets that call Telegram (checked where the bot is built)
    telegram_webhook_secret: str = ""
    telegram_api_base_url: str = DEFAULT_API_BASE_URL
    telegram_bot_username: str = ""
    google_cloud_project: str = "qorgau-local"
    reports_topic: str = "reports"
    deliveries_topic: str = "deliveries"
    exports_topic: str = "exports"  # /export jobs, webhook → export target
    admin_telegram_ids: Annotated[frozenset[int], NoDecode] = frozenset()
    session_ttl_minutes: int = 60 * 24
    max_body_bytes: int = 1024 * 1024
    publish_timeout_seconds: float = 5.0
    telegram_timeout_seconds: float = 10.0
    exports_per_hour: int = 3  # per person: each /export reads every case of its period (in the export target)
    deliver_rate_per_second: float = 20.0  # of Telegram's ~30/s: the other ~10/s are the webhook's own answers
    max_delivery_attempts: int = 10
    reports_dead_letter_topic: str = "reports-dead-letter"
    deliveries_dead_letter_topic: str = "deliveries-dead-letter"
    exports_dead_letter_topic: str = "exports-dead-letter"
    export_progress_seconds: float = 3.0  # the export's progress message is edited at most this often
    # Oversight (functions/services/timed.py): the committee's service levels, retention and digest time.
    sla_urgent_take_minutes: int = 15  # an urgent case nobody took by then is escalated to duty and admins
    sla_take_minutes: int = 24 * 60  # a case nobody took by then goes into a reminder to its region
    sla_stale_minutes: int = 7 * 24 * 60  # an open case unchanged this long goes into a reminder to its owner
    child_first_contact_minutes: int = 60  # a child's request for an adult: reminder at half, then escalation
    digest_hour: int = 9  # the daily digest, in Kazakhstan time (UTC+5)
    retention_days: int = 365  # closed cases lose reporter personal data and evidence references after this
    profile_retention_days: int = 365  # a reporter's profile (users/…) is deleted after this long without activity
    # Abuse (functions/domain/limits.py): new cases one reporter may open; joins and helplines never count.
    reporter_cases_per_hour: int = 10
    reporter_cases_per_day: int = 30
    # The takedown track's liveness checks (functions/services/link_checks.py, run by tick).
    platform_api_base_url: str = ""  # set: every check goes to {base}/{host}{path} (the platform double)
    link_check_allow_private_networks: bool = False  # lifts the SSRF guard: local experiments only
    link_check_static_address: str = ""  # local only: every host name "resolves" to this address (no DNS)
    link_check_batch: int = 40  # links checked per tick at most
    link_check_per_platform_concurrency: int = 2
    link_check_per_platform_interval_seconds: float = 1.0
    link_check_user_agent: str = ""  # empty: the checker's honest default
    # The staff console (functions/console.py): initData older than this is refused; sessions last this long.
    console_init_data_max_age_seconds: int = 300
    console_session_minutes: int = 30
    console_url: str = ""  # where the console is served (the menu button and the cards' "open in console")
    log_level: str = "INFO"

    @field_validator("admin_telegram_ids", mode="before")
    @classmethod
    def _split_ids(cls, value: object) -> object:
        if isinstance(value, str):
            return frozenset(int(part) for part in value.replace(" ", "").split(",") if part)
        return value

    @property
    def telegram_api_root(self) -> str:
        """The Bot API root without a trailing slash; calls go to {root}/bot{token}/{method}."""
        return self.telegram_api_base_url.rstrip("/")


@lru_cache(maxsize=1)
def get_settings() -> Settings:
    """The settings of this instance, read on first use."""
    return Settings()
