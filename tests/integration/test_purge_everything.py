"""Issue 11 hole 8: the retention purge leaves nothing behind. A case with joins, notes, /case copies and
evidence views is purged; then every document of every collection is read, and every message the bot sent
that carried the case is looked at, whoever holds it now (revoked and out-of-scope staff included)."""

from __future__ import annotations

import contextlib
from datetime import datetime, timedelta
from typing import Any

import pytest

from devkit.botapi_double.builders import make_text_update
from functions import bootstrap
from functions.domain.time import utcnow
from functions.domain.urls import canonical_url, content_key_for_url
from tests.integration.helpers import code_in, press, report_link, say, send_media, start
from tests.integration.test_oversight import sla_at
from tests.integration.test_staff import add_staff, card, press_card
from tests.stack import ADMIN_ID, Stack, wait_for

pytestmark = pytest.mark.integration


REPORTER_A, REPORTER_B = 950_050, 950_051
OFFICER, REVOKED, MOVED, SPECIALIST = 950_001, 950_002, 950_003, 950_004
LINK_A = "https://vk.com/video-950_1"
LINK_B = "https://www.youtube.com/watch?v=purgeBBBBBB"
DESCRIPTION = "Мальчик из 5Б, зовут Арман Серикович"
NOTE = "Мама Армана: +7 701 950 00 00"
JOIN_DESCRIPTION = "Это снимал брат Армана, 7Б"  # the joiner's own words, kept on their reporter document
STATISTICAL = {
    "status", "category", "severity", "region", "outcome", "reporter_count", "source", "created_at", "updated_at",
    "closed_at", "taken_at", "purged_at", "version", "assignee", "child_in_danger", "child_request",
    "reporter_role", "escalated_to", "escalated_at", "sla_escalated_at", "fanout_pending", "outbox", "legal_hold",
    "urls", "media", "description", "content_keys", "group_chat_id", "group_message_ids", "merged_into", "muted",
    "sla_take_reminded_at", "sla_stale_reminded_for", "quarantined", "quarantined_posts", "contributors",
    "added_links", "added_media", "added_descriptions", "conv_last_writer", "first_contact_at", "first_contact_by",
    "fc_reminded_at", "fc_escalated_at", "reporter_count_at", "contact_pending", "content_state",
}  # fmt: skip
EMPTY_WHEN_PURGED = ("urls", "media", "description", "content_keys", "group_chat_id", "group_message_ids")


def every_document(stack: Stack) -> list[tuple[str, dict[str, Any]]]:
    """Every document of every collection and sub-collection, however deep."""
    found: list[tuple[str, dict[str, Any]]] = []

    def walk(collection: Any) -> None:
        for snap in collection.list_documents():
            doc = snap.get()
            if doc.exists:
                found.append((snap.path, doc.to_dict() or {}))
            for sub in snap.collections():
                walk(sub)

    for top in stack.db.collections():
        walk(top)
    return found


def expired_by(data: dict[str, Any], moment: datetime) -> bool:
    """Firestore TTL deletes the document once its expires_at has passed (within a day)."""
    expires = data.get("expires_at")
    return isinstance(expires, datetime) and expires + timedelta(days=1) < moment


def seed(stack: Stack) -> tuple[str, list[str]]:
    """A case from two reporters, carded to four people, with a note, a /case copy and an evidence view."""
    stack.connect_chain()
    add_staff(OFFICER, "regional", ("71",))
    add_staff(REVOKED, "regional", ("71",))
    add_staff(MOVED, "regional", ("71",))
    add_staff(SPECIALIST, "specialist", on_duty=True)
    send_media(stack, REPORTER_A, "photo")
    for label in ("Драка, насилие между детьми", "Нет", "город Астана"):
        press(stack, REPORTER_A, label)
    say(stack, REPORTER_A, LINK_A)  # added on the summary (the flow started with evidence)
    press(stack, REPORTER_A, "✏️ Описание")
    say(stack, REPORTER_A, DESCRIPTION)
    press(stack, REPORTER_A, "Отправить")
    code = code_in(stack.last_bot_message(REPORTER_A)["text"])
    joined = report_link(stack, REPORTER_B, f"{LINK_A} и ещё {LINK_B}", description=JOIN_DESCRIPTION)
    assert code_in(joined) == code  # a join with a new link and words of its own
    additions = stack.doc(f"reports/{code}/reporters/{REPORTER_B}") or {}
    assert additions.get("added_urls") and additions.get("description") == JOIN_DESCRIPTION
    assert additions.get("added_keys")
    for person in (OFFICER, REVOKED, MOVED, SPECIALIST):
        card(stack, person, code)
    mine = card(stack, OFFICER, code)
    note = make_text_update(OFFICER, NOTE, reply_to_message=mine)
    assert stack.double.post_update(note)["status"] == 200
    press_card(stack, OFFICER, mine, "Открыть материалы")
    press_card(stack, OFFICER, stack.double.get_message(OFFICER, mine["message_id"]), "⚠️ Да, открыть")
    wait_for(lambda: stack.double.calls("sendPhoto"))
    say(stack, ADMIN_ID, f"/case {code}")
    say(stack, MOVED, f"/case {code}")
    report = stack.doc(f"reports/{code}")
    assert report is not None
    file_ids = [m["file_id"] for m in report["media"]] + [m["file_unique_id"] for m in report["media"]]
    bootstrap.cases().update_staff(REVOKED, active=False)
    bootstrap.cases().update_staff(MOVED, regions=["75"])
    stack.db.collection("reports").document(code).update(
        {"status": "resolved", "outcome": "content_removed", "closed_at": utcnow()}
    )
    return code, file_ids


def test_nothing_but_the_statistical_fields_remain_anywhere(stack: Stack) -> None:
    code, file_ids = seed(stack)
    secrets = [
        canonical_url(LINK_A) or LINK_A,
        canonical_url(LINK_B) or LINK_B,
        "Арман",
        "+7 701 950",
        str(REPORTER_A),
        str(REPORTER_B),
        content_key_for_url(canonical_url(LINK_A) or ""),
        content_key_for_url(canonical_url(LINK_B) or ""),
        "7Б",
        *file_ids,
    ]
    moment = utcnow() + timedelta(days=400)
    assert sla_at(moment).run()["purged"] == 1

    report = stack.doc(f"reports/{code}")
    assert report is not None and set(report) <= STATISTICAL, set(report) - STATISTICAL
    assert all(not report.get(field) for field in EMPTY_WHEN_PURGED)
    left = [
        (path, secret)
        for path, data in every_document(stack)
        if not expired_by(data, moment)
        for secret in secrets
        if secret in path or secret in repr(data)
    ]

    def chats_clean() -> list[tuple[int, int, str]]:
        dirty = []
        for chat in (OFFICER, REVOKED, MOVED, SPECIALIST, ADMIN_ID):
            for message in stack.double.messages(chat):
                if message.get("deleted"):
                    continue
                raw = message.get("message") or {}  # what the chat shows (not the person's own message replied to)
                media = {kind: raw.get(kind) for kind in ("photo", "video", "document", "animation")}
                shown = repr([message.get(k) for k in ("text", "caption", "reply_markup")] + [media])
                dirty += [(chat, message["message_id"], s) for s in secrets if s in shown]
                dirty += [(chat, message["message_id"], "description") for s in ("5Б", "7Б") if s in shown]
        return dirty

    with contextlib.suppress(AssertionError):  # the edits go out through deliver: give them time
        wait_for(lambda: not chats_clean(), timeout=30)
    dirty = chats_clean()
    assert (left, dirty) == ([], []), (left, dirty)


def test_a_reporter_profile_expires_after_a_year_without_activity(stack: Stack) -> None:
    start(stack, 950_060)
    press(stack, 950_060, "Родитель")
    press(stack, 950_060, "Абай")  # not the region report_link picks (that one would be ticked)
    profile = stack.doc("users/950060")
    assert profile is not None and isinstance(profile.get("expires_at"), datetime)
    assert timedelta(days=364) < profile["expires_at"] - utcnow() <= timedelta(days=366)
    before = profile["expires_at"]
    say(stack, 950_060, "https://vk.com/video-950_9")  # the profile's region is the default: not asked
    for label in ("Драка, насилие между детьми", "Нет", "Отправить"):
        press(stack, 950_060, label)
    assert "Номер обращения" in stack.last_bot_message(950_060)["text"]
    assert stack.doc("users/950060")["expires_at"] >= before  # type: ignore[index]  # activity moves it on


def test_find_no_longer_leads_to_a_purged_case_by_a_link_a_join_brought(stack: Stack) -> None:
    code = code_in(report_link(stack, 950_070, "https://vk.com/video-950_20"))
    report_link(stack, 950_071, "https://vk.com/video-950_20 https://vk.com/video-950_21")
    stack.db.collection("reports").document(code).update(
        {"status": "rejected", "outcome": "not_relevant", "closed_at": utcnow()}
    )
    assert sla_at(utcnow() + timedelta(days=400)).run()["purged"] == 1
    say(stack, ADMIN_ID, "/find https://vk.com/video-950_21")
    assert code not in stack.last_bot_message(ADMIN_ID)["text"]
