"""Register the bot's webhook with Telegram (setWebhook), or show and check it (--check, getWebhookInfo)."""

from __future__ import annotations

import argparse
import importlib
import os
import re
import sys
import time
from collections.abc import Mapping, Sequence
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Final

import httpx

DEFAULT_API_BASE_URL: Final = "https://api.telegram.org"
MAX_CONNECTIONS: Final = 40  # matches the webhook function's per-instance concurrency (infra/functions.tf)
DEFAULT_MAX_ERROR_AGE: Final = 900  # seconds: a delivery error younger than this fails --check
# Telegram's rule for secret_token: 1-256 characters A-Z, a-z, 0-9, _ and -.
SECRET_TOKEN_PATTERN: Final = re.compile(r"[A-Za-z0-9_-]{1,256}")


class WebhookError(Exception):
    """A failed Bot API call or a bad configuration, with a message safe to print (no token)."""


def allowed_updates() -> list[str]:
    """The update types to subscribe to: exactly those the webhook handles (functions.webhook_updates)."""
    root = str(Path(__file__).resolve().parent.parent)
    if root not in sys.path:
        sys.path.insert(0, root)
    module = importlib.import_module("functions.webhook_updates")
    return [str(kind) for kind in module.ALLOWED_UPDATES]


class BotApi:
    """The two Bot API calls this script makes, over an httpx client; errors never reveal the token."""

    def __init__(self, client: httpx.Client, base_url: str, token: str) -> None:
        self._client = client
        self._root = base_url.rstrip("/")
        self._token = token

    def call(self, method: str, payload: Mapping[str, Any] | None = None) -> Any:
        """POST {root}/bot{token}/{method} with a JSON body; return `result` or raise WebhookError."""
        url = f"{self._root}/bot{self._token}/{method}"
        try:
            response = self._client.post(url, json=dict(payload or {}))
            body = response.json()
        except (httpx.HTTPError, ValueError) as error:
            message = str(error).replace(self._token, "<token>")
            raise WebhookError(f"{method}: {type(error).__name__}: {message}") from None
        if not isinstance(body, dict) or not body.get("ok"):
            description = body.get("description") if isinstance(body, dict) else None
            raise WebhookError(f"{method}: HTTP {response.status_code}: {description or 'no description'}")
        return body.get("result")


def set_webhook(
    api: BotApi, url: str, secret: str, *, drop_pending_updates: bool, max_connections: int = MAX_CONNECTIONS
) -> None:
    """Register url as the webhook, with the secret header value and the update types the bot handles."""
    if not SECRET_TOKEN_PATTERN.fullmatch(secret):
        raise WebhookError("TELEGRAM_WEBHOOK_SECRET must be 1-256 characters of A-Z, a-z, 0-9, _ and -")
    api.call(
        "setWebhook",
        {
            "url": url,
            "secret_token": secret,
            "allowed_updates": allowed_updates(),
            "max_connections": max_connections,
            "drop_pending_updates": drop_pending_updates,
        },
    )


def _when(timestamp: int, now: float) -> str:
    moment = datetime.fromtimestamp(timestamp, tz=UTC).isoformat(timespec="seconds")
    return f"{moment} ({int(now - timestamp)} s ago)"


def check_webhook(
    info: Mapping[str, Any], expected_url: str | None, *, max_error_age: int, now: float
) -> tuple[list[str], list[str], list[str]]:
    """Describe getWebhookInfo's answer; returns (lines to show, problems, warnings)."""
    lines = [
        f"url: {info.get('url') or '(none)'}",
        f"pending_update_count: {info.get('pending_update_count', 0)}",
        f"max_connections: {info.get('max_connections', '(default)')}",
        f"allowed_updates: {info.get('allowed_updates', '(default)')}",
        f"ip_address: {info.get('ip_address', '(unknown)')}",
    ]
    problems: list[str] = []
    warnings: list[str] = []
    last_error_date = info.get("last_error_date")
    if last_error_date:
        lines.append(f"last_error_date: {_when(int(last_error_date), now)}")
        lines.append(f"last_error_message: {info.get('last_error_message', '')}")
        if now - int(last_error_date) <= max_error_age:
            problems.append(f"Telegram failed to deliver an update less than {max_error_age} s ago")
    else:
        lines.append("last_error_date: (none)")
    sync_error = info.get("last_synchronization_error_date")
    if sync_error:
        lines.append(f"last_synchronization_error_date: {_when(int(sync_error), now)}")
    url = info.get("url") or ""
    if not url:
        problems.append("no webhook is set")
    elif expected_url is not None and url != expected_url:
        problems.append(f"the webhook URL is {url}, expected {expected_url}")
    expected_updates = allowed_updates()
    subscribed = info.get("allowed_updates")
    if subscribed is not None and sorted(subscribed) != sorted(expected_updates):
        warnings.append(f"allowed_updates differ from {expected_updates}: run without --check to re-register")
    if info.get("max_connections") not in (None, MAX_CONNECTIONS):
        warnings.append(f"max_connections is {info.get('max_connections')}, expected {MAX_CONNECTIONS}")
    return lines, problems, warnings


def _required_env(environ: Mapping[str, str], name: str) -> str:
    value = environ.get(name, "")
    if not value:
        raise WebhookError(f"{name} is not set")
    return value


def run(argv: Sequence[str] | None, environ: Mapping[str, str], client: httpx.Client) -> int:
    """The command line, with its environment and HTTP client passed in (tests give a mock transport)."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--url", help="the webhook URL (terraform output webhook_url); required to set")
    parser.add_argument("--check", action="store_true", help="check getWebhookInfo instead of setting")
    parser.add_argument(
        "--drop-pending-updates",
        action="store_true",
        help="discard updates Telegram queued while no webhook answered",
    )
    parser.add_argument("--max-connections", type=int, default=MAX_CONNECTIONS)
    parser.add_argument(
        "--max-error-age",
        type=int,
        default=DEFAULT_MAX_ERROR_AGE,
        help="--check fails on a delivery error younger than this many seconds",
    )
    args = parser.parse_args(argv)
    if not args.check and not args.url:
        parser.error("--url is required to set the webhook")
    try:
        token = _required_env(environ, "TELEGRAM_BOT_TOKEN")
        api = BotApi(client, environ.get("TELEGRAM_API_BASE_URL") or DEFAULT_API_BASE_URL, token)
        if args.check:
            info = api.call("getWebhookInfo")
            lines, problems, warnings = check_webhook(
                info if isinstance(info, dict) else {},
                args.url,
                max_error_age=args.max_error_age,
                now=time.time(),
            )
            for line in lines:
                sys.stdout.write(f"{line}\n")
            for warning in warnings:
                sys.stdout.write(f"warning: {warning}\n")
            for problem in problems:
                sys.stdout.write(f"problem: {problem}\n")
            return 1 if problems else 0
        secret = _required_env(environ, "TELEGRAM_WEBHOOK_SECRET")
        set_webhook(
            api,
            args.url,
            secret,
            drop_pending_updates=args.drop_pending_updates,
            max_connections=args.max_connections,
        )
        settings = f"allowed_updates={allowed_updates()}, max_connections={args.max_connections}"
        sys.stdout.write(f"webhook set: {args.url} ({settings})\n")
        return 0
    except WebhookError as error:
        sys.stderr.write(f"error: {error}\n")
        return 1


def main() -> int:
    """Entry point: real environment, a real HTTP client."""
    with httpx.Client(timeout=httpx.Timeout(15.0)) as client:
        return run(sys.argv[1:], os.environ, client)


if __name__ == "__main__":
    sys.exit(main())
