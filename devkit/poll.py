"""Long polling against real Telegram: each update is posted to the local webhook target, like Telegram would."""

from __future__ import annotations

import os
import sys
import threading
import time
from typing import Any

import httpx

from functions.webhook_updates import ALLOWED_UPDATES


def _api(token: str, method: str, params: dict[str, Any], timeout: float = 70) -> Any:
    root = os.environ.get("TELEGRAM_API_BASE_URL", "https://api.telegram.org").rstrip("/")
    response = httpx.post(f"{root}/bot{token}/{method}", json=params, timeout=timeout)
    body = response.json()
    if not body.get("ok"):
        raise RuntimeError(f"{method}: {body.get('error_code')} {body.get('description')}")
    return body["result"]


def run(webhook_url: str, secret: str, stop: threading.Event) -> None:
    """Fetch updates with getUpdates and hand each to the webhook; execute the method in its answer."""
    token = os.environ["TELEGRAM_BOT_TOKEN"]
    _api(token, "deleteWebhook", {"drop_pending_updates": False})
    offset = 0
    while not stop.is_set():
        try:
            updates = _api(
                token, "getUpdates", {"offset": offset, "timeout": 50, "allowed_updates": list(ALLOWED_UPDATES)}
            )
        except (httpx.HTTPError, RuntimeError) as error:
            sys.stderr.write(f"getUpdates failed: {error}; retrying in 5 s\n")
            time.sleep(5)
            continue
        for update in updates:
            for _attempt in range(5):  # Telegram re-sends on a non-2xx; so do we
                answer = httpx.post(
                    webhook_url, json=update, timeout=70, headers={"X-Telegram-Bot-Api-Secret-Token": secret}
                )
                if answer.status_code < 500:
                    break
                time.sleep(2)
            if answer.status_code == 200 and answer.headers.get("content-type", "").startswith("application/json"):
                body = answer.json()
                if isinstance(body, dict) and "method" in body:
                    method = body.pop("method")
                    try:
                        _api(token, method, body, timeout=30)
                    except (httpx.HTTPError, RuntimeError) as error:
                        sys.stderr.write(f"{method} failed: {error}\n")
            offset = update["update_id"] + 1
