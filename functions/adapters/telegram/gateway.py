"""Calls to the Telegram Bot API through python-telegram-bot, from synchronous request handlers."""

from __future__ import annotations

import asyncio
import os
import threading
import warnings
from concurrent.futures import TimeoutError as FutureTimeout
from typing import Any

from telegram import Bot, InputFile
from telegram.error import BadRequest, Forbidden, NetworkError, RetryAfter, TelegramError, TimedOut
from telegram.request import HTTPXRequest
from telegram.warnings import PTBUserWarning

from functions.domain.models import BotCall, FileUpload
from functions.errors import BotRefused, BotRetryAfter, TransientError

# We route every call through do_api_request on purpose (one gateway, calls built as data); PTB suggests the
# typed method for known names, which would not change what is sent.
warnings.filterwarnings("ignore", message="Please use 'Bot.", category=PTBUserWarning)


class TelegramGateway:
    """A module-level Bot driven from a background event-loop thread started lazily per process.

    Starting the thread at import time would hang under gunicorn (the module is imported before the fork);
    `asyncio.run` per request with a shared Bot fails ("Event loop is closed"); a new Bot per request costs
    ~110 ms. So: one loop thread per process id, `run_coroutine_threadsafe` from request threads.
    """

    def __init__(self, token: str, api_root: str, timeout: float, pool_size: int = 32) -> None:
        self.token = token
        self.api_root = api_root.rstrip("/")
        self.timeout = timeout
        self.pool_size = pool_size
        self._lock = threading.Lock()
        self._pid = -1
        self._loop: asyncio.AbstractEventLoop | None = None
        self._bot: Bot | None = None

    def _ensure(self) -> tuple[asyncio.AbstractEventLoop, Bot]:
        with self._lock:
            if self._pid != os.getpid() or self._loop is None or self._bot is None:
                loop = asyncio.new_event_loop()
                thread = threading.Thread(target=loop.run_forever, name="telegram-loop", daemon=True)
                thread.start()
                request = HTTPXRequest(
                    connection_pool_size=self.pool_size,
                    read_timeout=self.timeout,
                    write_timeout=self.timeout,
                    connect_timeout=self.timeout,
                    pool_timeout=self.timeout,
                )
                # getUpdates is never called: its request is this one (PTB would build a second HTTP client,
                # with its own TLS context, on the first call of every instance)
                self._bot = Bot(
                    self.token, base_url=f"{self.api_root}/bot", request=request, get_updates_request=request
                )
                self._loop = loop
                self._pid = os.getpid()
            return self._loop, self._bot

    def call(self, call: BotCall) -> Any:
        """Make one Bot API call and return its result.

        Raises:
            BotRetryAfter: on flood control (429).
            TransientError: on network failures, timeouts and server errors.
            BotRefused: when Telegram refuses the call (400, 403).
        """
        loop, bot = self._ensure()
        coroutine = bot.do_api_request(call.method, api_kwargs=_api_kwargs(call.params))
        future = asyncio.run_coroutine_threadsafe(coroutine, loop)
        try:
            return future.result(timeout=self.timeout + 5)
        except FutureTimeout as error:
            future.cancel()
            raise TransientError(f"{call.method}: timed out") from error
        except RetryAfter as error:
            retry = error.retry_after
            seconds = retry.total_seconds() if hasattr(retry, "total_seconds") else float(retry)
            raise BotRetryAfter(seconds) from error
        except Forbidden as error:
            raise BotRefused("forbidden", error.message) from error
        except BadRequest as error:
            raise BotRefused("bad_request", error.message) from error
        except (TimedOut, NetworkError) as error:
            raise TransientError(f"{call.method}: {type(error).__name__}") from error
        except TelegramError as error:
            raise BotRefused("error", error.message) from error

    def webhook_info(self) -> dict[str, Any]:
        """Telegram's getWebhookInfo: url, pending_update_count, last_error_date, ... (the health check's port)."""
        result = self.call(BotCall(method="getWebhookInfo", params={}))
        return dict(result) if isinstance(result, dict) else {}


def _api_kwargs(params: dict[str, Any]) -> dict[str, Any]:
    """The call's parameters for PTB: uploads become multipart InputFiles."""
    return {
        name: InputFile(value.data, filename=value.filename) if isinstance(value, FileUpload) else value
        for name, value in params.items()
    }
