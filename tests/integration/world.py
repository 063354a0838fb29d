"""A small, realistic world for hostile-input tests: staff, cases in every state, flows half done, a group.

Built once through the same webhook as real users (the updates that built it are kept, to be replayed), then
frozen: a snapshot of every Firestore document is the baseline each hostile input is compared with, and what an
input changed is rolled back afterwards, so every input meets the same world.
"""

from __future__ import annotations

import copy
import fnmatch
import itertools
import re
from dataclasses import dataclass, field
from typing import Any, Final

from devkit.botapi_double.builders import make_callback_update, make_text_update
from devkit.botapi_double.markup import callback_data_of
from tests.integration.helpers import code_in
from tests.integration.test_staff import add_staff, card
from tests.stack import ADMIN_ID, Stack, wait_for

ACTORS: Final = {
    "ADMIN": ADMIN_ID,
    "STRANGER": 810_001,
    "REPORTER": 810_002,
    "REPORTER_2": 810_003,
    "REPORTER_3": 810_004,
    "REPORTER_B": 810_005,
    "REPORTER_J": 810_008,
    "GROUP_MEMBER": 810_006,
    "GROUP_PENDING": 810_007,
    "OFFICER_71": 810_071,
    "OFFICER_75": 810_075,
    "SPECIALIST": 810_100,
    "REVOKED": 810_200,
    "INVITEE": 810_300,
    "GROUP": -100_810_001,
    "GROUP_OFF": -100_810_002,
}
KNOWN_SUBCOLLECTIONS: Final = ("events", "reporters", "items", "albums")
IGNORED_FIELDS: Final = frozenset({"updated_at", "expires_at"})
_PLACEHOLDER = re.compile(r"\$\{([A-Z0-9_]+)\}")
_UPDATE_IDS = itertools.count(790_000_001)


@dataclass
class World:
    """Facts to fill placeholders with, the updates that built the world, and its Firestore baseline."""

    stack: Stack
    facts: dict[str, Any] = field(default_factory=dict)
    recorded: dict[str, dict[str, Any]] = field(default_factory=dict)
    baseline: dict[str, dict[str, Any]] = field(default_factory=dict)
    subcollections: set[str] = field(default_factory=lambda: set(KNOWN_SUBCOLLECTIONS))
    events_subscription: str = ""

    # --- placeholders and macros ------------------------------------------------------------------------
    def resolve(self, value: Any) -> Any:
        """Expand {"$repeat"} macros and ${NAME} placeholders, recursively."""
        if isinstance(value, dict):
            if "$repeat" in value:
                return self.resolve(value["$repeat"]) * int(value["times"])
            if "$concat" in value:
                return "".join(self.resolve(part) for part in value["$concat"])
            return {self.resolve(k): self.resolve(v) for k, v in value.items()}
        if isinstance(value, list):
            return [self.resolve(item) for item in value]
        if isinstance(value, str):
            whole = _PLACEHOLDER.fullmatch(value)
            if whole and whole.group(1) in self.facts:
                return self.facts[whole.group(1)]
            return _PLACEHOLDER.sub(lambda m: str(self.facts.get(m.group(1), m.group(0))), value)
        return value

    # --- Firestore snapshots ----------------------------------------------------------------------------
    def snapshot(self) -> dict[str, dict[str, Any]]:
        """Every document (path -> fields), top-level collections and the known sub-collections."""
        db = self.stack.db
        docs: dict[str, dict[str, Any]] = {}
        for collection in db.collections():
            for snap in collection.stream():
                docs[snap.reference.path] = snap.to_dict() or {}
        for name in sorted(self.subcollections):
            for snap in db.collection_group(name).stream():
                docs[snap.reference.path] = snap.to_dict() or {}
        return docs

    def discover_subcollections(self) -> None:
        """Learn the sub-collection names in use (walks every document once)."""
        pending = [doc.reference for collection in self.stack.db.collections() for doc in collection.stream()]
        while pending:
            ref = pending.pop()
            for sub in ref.collections():
                self.subcollections.add(sub.id)
                pending.extend(doc.reference for doc in sub.stream())

    @staticmethod
    def _comparable(data: dict[str, Any]) -> dict[str, Any]:
        return {k: v for k, v in data.items() if k not in IGNORED_FIELDS}

    def changes_since_baseline(self) -> tuple[dict[str, dict[str, Any]], list[str]]:
        """The current snapshot and the paths that differ from the baseline (added, removed or changed)."""
        now = self.snapshot()
        changed = [
            path
            for path in sorted(set(now) | set(self.baseline))
            if path not in now
            or path not in self.baseline
            or self._comparable(now[path]) != self._comparable(self.baseline[path])
        ]
        return now, changed

    def rollback(self, now: dict[str, dict[str, Any]]) -> None:
        """Put every document back as it was in the baseline."""
        db = self.stack.db
        for path in set(now) | set(self.baseline):
            if path not in self.baseline:
                db.document(path).delete()
            elif now.get(path) != self.baseline[path]:
                db.document(path).set(self.baseline[path])

    @staticmethod
    def unexpected(changed: list[str], allowed: list[str]) -> list[str]:
        """The changed paths no allowed glob covers."""
        return [path for path in changed if not any(fnmatch.fnmatchcase(path, glob) for glob in allowed)]

    # --- playing users while building -------------------------------------------------------------------
    def send(self, name: str | None, update: dict[str, Any]) -> dict[str, Any]:
        """Post an update through the double; keep it under name for replays."""
        update.setdefault("update_id", next(_UPDATE_IDS))
        if name:
            self.recorded[name] = copy.deepcopy(update)
        result = self.stack.double.post_update(update)
        assert result["status"] == 200, (name, result)
        return result

    def say(self, name: str | None, user_id: int, text: str, chat_id: int | None = None) -> dict[str, Any]:
        message_id = next(_UPDATE_IDS) % 1_000_000
        self.send(name, make_text_update(user_id, text, chat_id, message_id=message_id))
        return {"message_id": message_id}

    def press(self, name: str | None, user_id: int, label: str, chat_id: int | None = None) -> None:
        chat = user_id if chat_id is None else chat_id
        for message in reversed(self.stack.double.messages(chat)):
            data = callback_data_of(message.get("reply_markup"), label)
            if data is not None:
                update = make_callback_update(
                    user_id,
                    message["message_id"],
                    data,
                    chat,
                    message=message["message"],
                    callback_id=str(next(_UPDATE_IDS)),
                )
                self.send(name, update)
                return
        raise AssertionError(f"no button {label!r} in chat {chat}")

    def report(self, prefix: str, user_id: int, url: str, category: str = "Драка, насилие между детьми") -> str:
        self.say(f"{prefix}link", user_id, url)
        for step, label in (
            ("category", category),
            ("danger", "Нет"),
            ("region", "город Астана"),
            ("confirm", "Отправить"),
        ):
            self.press(f"{prefix}{step}", user_id, label)
        return code_in(str(self.stack.last_bot_message(user_id)["text"]))

    def invite(self, role: str) -> str:
        self.say(None, ADMIN_ID, f"/invite {role}")
        return str(self.stack.last_bot_message(ADMIN_ID)["text"]).split("?start=inv_")[1].split()[0]


def build_world(stack: Stack) -> World:
    """Staff, three cases (new, taken, restricted), a half-done flow, a group with a pending question."""
    world = World(stack, dict(ACTORS))
    a = ACTORS
    add_staff(a["OFFICER_71"], "regional", ("71",))
    add_staff(a["OFFICER_75"], "regional", ("75",))
    add_staff(a["SPECIALIST"], "specialist", on_duty=True)
    world.facts["INVITE_REVOKED"] = world.invite("specialist")
    world.say("invite_revoked", a["REVOKED"], f"/start inv_{world.facts['INVITE_REVOKED']}")
    world.say("revoke", ADMIN_ID, f"/revoke {a['REVOKED']}")
    world.facts["INVITE_USED"] = world.invite("regional 71")
    world.say("invite", a["INVITEE"], f"/start inv_{world.facts['INVITE_USED']}")

    stack.connect_chain()
    world.facts["CASE"] = world.report("", a["REPORTER"], "https://www.tiktok.com/@world/video/7300000000000000777")
    world.facts["CASE_TAKEN"] = world.report("r2_", a["REPORTER_2"], "https://vk.com/video-77_777")
    world.facts["CASE_SEXUAL"] = world.report(
        "r3_", a["REPORTER_3"], "https://t.me/world_channel/777", category="Сексуальное насилие, совращение"
    )
    taken_card = card(stack, a["OFFICER_71"], world.facts["CASE_TAKEN"])
    world.facts["CARD_71"] = card(stack, a["OFFICER_71"], world.facts["CASE"])["message_id"]
    world.send(
        "take",
        make_callback_update(
            a["OFFICER_71"],
            taken_card["message_id"],
            f"s:take:{world.facts['CASE_TAKEN']}",
            message=taken_card["message"],
            callback_id=str(next(_UPDATE_IDS)),
        ),
    )
    world.say(None, a["REPORTER_B"], "https://instagram.com/p/WorldFlowB")
    session_b = stack.doc(f"sessions/{a['REPORTER_B']}:{a['REPORTER_B']}")
    assert session_b is not None and session_b["step"] == "category"
    world.facts["FLOW_B"] = session_b["flow_id"]
    world.facts["MSG_B"] = stack.last_bot_message(a["REPORTER_B"])["message_id"]

    # a second reporter of CASE, one press from joining it with a more serious answer (an escalating join)
    world.say(None, a["REPORTER_J"], "https://www.tiktok.com/@world/video/7300000000000000777")
    for label in ("Сексуальное насилие, совращение", "Да, прямо сейчас", "город Астана"):
        world.press(None, a["REPORTER_J"], label)
    session_j = stack.doc(f"sessions/{a['REPORTER_J']}:{a['REPORTER_J']}")
    assert session_j is not None and session_j["step"] == "confirm"
    world.facts["FLOW_J"] = session_j["flow_id"]
    world.facts["MSG_J"] = stack.last_bot_message(a["REPORTER_J"])["message_id"]

    world.say("enable_group", ADMIN_ID, "/enable_group", a["GROUP"])
    world.say("group_post", a["GROUP_MEMBER"], "смотрите https://youtu.be/WorldGroup1", a["GROUP"])
    world.press("group_region", a["GROUP_MEMBER"], "город Астана", a["GROUP"])
    world.say(None, a["GROUP_PENDING"], "https://youtu.be/WorldGroup2", a["GROUP"])
    pending = stack.doc(f"sessions/{a['GROUP']}:{a['GROUP_PENDING']}")
    assert pending is not None and pending["step"] == "group_region"
    world.facts["GROUP_FLOW"] = pending["flow_id"]
    world.facts["GROUP_MSG"] = stack.last_bot_message(a["GROUP"])["message_id"]

    def settled() -> bool:
        reports = stack.reports()
        cards = list(stack.db.collection("cards").stream())
        return (
            len(reports) == 4
            and not any(r.get("fanout_pending") for r in reports)
            and all((c.to_dict() or {}).get("lease_until") is None for c in cards)
        )

    wait_for(settled, timeout=40, interval=0.3)
    stack.drop_subscriptions()
    world.events_subscription = stack.pull_subscription("reports")
    world.discover_subcollections()
    world.baseline = world.snapshot()
    return world
