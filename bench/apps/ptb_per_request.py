"""A new telegram Application and asyncio.run per request (bench/webhook.py compares ours with it)."""

from __future__ import annotations

import asyncio
import json
import os
import threading
from typing import Any

import flask
from google.cloud import firestore
from telegram import Update
from telegram.ext import Application, ContextTypes, MessageHandler, filters

_lock = threading.Lock()
_db: list[Any] = []


def _firestore() -> Any:
    with _lock:
        if not _db:
            _db.append(firestore.Client(project=os.environ["GOOGLE_CLOUD_PROJECT"]))
        return _db[0]


async def _hint(update: Update, context: ContextTypes.DEFAULT_TYPE) -> None:
    assert update.effective_chat is not None
    await context.bot.send_message(update.effective_chat.id, "Send a link to report it.")


async def _process(data: dict[str, Any]) -> None:
    root = os.environ["TELEGRAM_API_BASE_URL"].rstrip("/")
    application = Application.builder().token(os.environ["TELEGRAM_BOT_TOKEN"]).base_url(root + "/bot").build()
    application.add_handler(MessageHandler(filters.TEXT, _hint))
    await application.initialize()
    try:
        await application.process_update(Update.de_json(data, application.bot))
    finally:
        await application.shutdown()


def webhook(request: flask.Request) -> flask.Response:
    """The same two reads as the real target's plain-message path, then PTB built, run and shut down."""
    if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != os.environ["TELEGRAM_WEBHOOK_SECRET"]:
        return flask.Response("{}", status=403, mimetype="application/json")
    data = json.loads(request.get_data())
    message = data["message"]
    db = _firestore()
    db.collection("sessions").document(f"{message['chat']['id']}:{message['from']['id']}").get()
    db.collection("users").document(str(message["from"]["id"])).get()
    asyncio.run(_process(data))
    return flask.Response('{"ok": true}', status=200, mimetype="application/json")
