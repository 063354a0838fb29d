"""Benchmark floor: the least a report-creating webhook must do (bench/webhook.py compares ours with it)."""

from __future__ import annotations

import hashlib
import json
import os
import threading
import uuid
from datetime import UTC, datetime
from typing import Any

import flask
from google.cloud import firestore
from google.cloud.pubsub_v1 import PublisherClient
from google.cloud.pubsub_v1.types import BatchSettings

_lock = threading.Lock()
_clients: dict[str, Any] = {}


def _client(name: str) -> Any:
    with _lock:
        if not _clients:  # built in the serving process (gRPC channels must not cross gunicorn's fork)
            project = os.environ["GOOGLE_CLOUD_PROJECT"]
            publisher = PublisherClient(batch_settings=BatchSettings(max_latency=0.001, max_messages=100))
            _clients.update(
                db=firestore.Client(project=project), pub=publisher, topic=publisher.topic_path(project, "reports")
            )
        return _clients[name]


def webhook(request: flask.Request) -> flask.Response:
    """A group link becomes a case (four writes, one publish); anything else reads the session and hints."""
    if request.headers.get("X-Telegram-Bot-Api-Secret-Token") != os.environ["TELEGRAM_WEBHOOK_SECRET"]:
        return flask.Response("{}", status=403, mimetype="application/json")
    message = json.loads(request.get_data()).get("message") or {}
    chat_id, user_id = message["chat"]["id"], message["from"]["id"]
    text = message.get("text") or ""
    db = _client("db")
    session = db.collection("floor_sessions").document(f"{chat_id}:{user_id}")
    if "://" in text:
        now = datetime.now(UTC)
        code = uuid.uuid4().hex[:7].upper()
        report = db.collection("floor_reports").document(code)
        batch = db.batch()
        batch.create(
            report,
            {
                "status": "new",
                "urls": [text],
                "region": "71",
                "reporter_count": 1,
                "source": "group",
                "created_at": now,
                "updated_at": now,
            },
        )
        batch.create(
            db.collection("floor_content").document(hashlib.sha256(text.encode()).hexdigest()),
            {"report_id": code, "created_at": now},
        )
        batch.create(
            report.collection("reporters").document(str(user_id)),
            {"user_id": user_id, "chat_id": chat_id, "created_at": now},
        )
        batch.set(session, {"step": "done", "report_code": code, "updated_at": now})
        batch.commit()
        data = json.dumps({"type": "report_created", "report_id": code}).encode()
        _client("pub").publish(_client("topic"), data, type="report_created").result(timeout=5)
        reply = "Case " + code + " registered."
    else:
        session.get()
        reply = "Send a link to report it."
    body = {"method": "sendMessage", "chat_id": chat_id, "text": reply}
    return flask.Response(json.dumps(body), status=200, mimetype="application/json")
