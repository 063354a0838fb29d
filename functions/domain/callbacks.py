"""Callback data of every button, built and parsed in one place (Telegram allows 1-64 bytes).

f:<flow>:<action>:<value>    a step of a reporter flow (report, profile, child, group region)
lang:<lang>[:<then>]         the language picker (then: where a first /start goes next: child, r<region>)
my:[<code>[:<verb>]]         a reporter's /my: open one of their cases (empty: the list), w/wy: withdraw it, d: describe
s:<verb>:<code>[:<arg>]      a staff card (take, menus, evidence, transitions)
q:p:<page> / q:c:<code>      the staff queue (turn the page, open a case)
i:x:<invite>                 cancel an open invite (/invites)
t:<verb>:<code>[:<platform>] the takedown track of a card (rep: reported to a platform, chk: check now)
h:<verb>:<code>[:<value>]    the help-the-child track of a card (m: a menu, need/ref/out: a choice, fc: contact made)
w:<code>[:<target>]          write to the reporters; a:<code>[:later|phone] a reporter answers (not now, share phone)
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

MAX_CALLBACK_BYTES: Final = 64
FLOW: Final = "f"
LANG: Final = "lang"
CASE: Final = "s"
MY: Final = "my"
QUEUE: Final = "q"
INVITE: Final = "i"
TAKEDOWN: Final = "t"
CHILD: Final = "h"


def prefix_of(data: str) -> str:
    """The kind of a button: the part before the first ':'."""
    return data.split(":", 1)[0]


def fits(data: str) -> bool:
    """Whether Telegram accepts this callback data (1-64 bytes)."""
    return 1 <= len(data.encode()) <= MAX_CALLBACK_BYTES


# --- reporter flows ----------------------------------------------------------------------------------------
@dataclass(frozen=True)
class FlowPress:
    """A press on a flow button."""

    flow_id: str
    action: str
    value: str


def flow(flow_id: str, action: str, value: str = "") -> str:
    """Callback data of a flow button."""
    return f"{FLOW}:{flow_id}:{action}:{value}"


def parse_flow(data: str) -> FlowPress | None:
    """The flow button pressed, or None when the data is not one."""
    parts = data.split(":")
    if len(parts) != 4 or parts[0] != FLOW:
        return None
    return FlowPress(flow_id=parts[1], action=parts[2], value=parts[3])


# --- the language picker -----------------------------------------------------------------------------------
def lang(code: str, then: str = "") -> str:
    """Callback data of a language button (then: the deep link a first /start carried, to go on with)."""
    return f"{LANG}:{code}:{then}" if then else f"{LANG}:{code}"


def parse_lang(data: str) -> str | None:
    """The language asked for (not yet checked), or None when the data is not a language button."""
    return data[len(LANG) + 1 :].split(":", 1)[0] if data.startswith(f"{LANG}:") else None


def lang_then(data: str) -> str:
    """The deep link a language button carries on with ("" for none)."""
    parts = data.split(":", 2)
    return parts[2] if len(parts) == 3 and parts[0] == LANG else ""


# --- a reporter's own cases (/my) -------------------------------------------------------------------------
def my_case(code: str = "", verb: str = "") -> str:
    """Callback data of a /my button: open this case ("" for the list); verb w: withdraw?, wy: yes, withdraw."""
    return f"{MY}:{code}:{verb}" if verb else f"{MY}:{code}"


def parse_my(data: str) -> tuple[str, str] | None:
    """(case, verb) of a /my button (case "" for the list), or None when the data is not one."""
    parts = data.split(":")
    if parts[0] != MY or len(parts) not in {2, 3}:
        return None
    return parts[1], parts[2] if len(parts) == 3 else ""


# --- staff cards -------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class CasePress:
    """A press on a case card: the verb, the raw case code and an optional argument."""

    verb: str
    code: str
    arg: str = ""


def case(verb: str, code: str, arg: str = "") -> str:
    """Callback data of a card button."""
    return f"{CASE}:{verb}:{code}:{arg}" if arg else f"{CASE}:{verb}:{code}"


def parse_case(data: str) -> CasePress | None:
    """The card button pressed, or None when the data does not have a card button's shape."""
    parts = data.split(":")
    if len(parts) not in {3, 4}:
        return None
    return CasePress(verb=parts[1], code=parts[2], arg=parts[3] if len(parts) == 4 else "")


# --- the queue ---------------------------------------------------------------------------------------------
@dataclass(frozen=True)
class QueuePress:
    """A press on the queue: turn to a page, or open a case."""

    page: int | None = None
    code: str | None = None


def queue_page(page: int) -> str:
    """Callback data of a queue page button."""
    return f"{QUEUE}:p:{page}"


def queue_case(code: str) -> str:
    """Callback data of a queue button that opens a case."""
    return f"{QUEUE}:c:{code}"


def queue_shape_ok(data: str) -> bool:
    """Whether the data has the queue's shape (q:<kind>:<value>)."""
    return len(data.split(":")) == 3


def parse_queue(data: str) -> QueuePress | None:
    """The queue button pressed, or None when it is neither a page nor a case."""
    parts = data.split(":")
    if len(parts) != 3:
        return None
    if parts[1] == "p" and parts[2].isdigit():
        return QueuePress(page=int(parts[2]))
    if parts[1] == "c":
        return QueuePress(code=parts[2])
    return None


# --- open invites --------------------------------------------------------------------------------------------
def invite_cancel(code: str) -> str:
    """Callback data of the button that cancels an open invite."""
    return f"{INVITE}:x:{code}"


def parse_invite_cancel(data: str) -> str | None:
    """The invite code to cancel, or None when the data is not such a button."""
    parts = data.split(":")
    if len(parts) != 3 or parts[0] != INVITE or parts[1] != "x" or not parts[2]:
        return None
    return parts[2]


# --- the takedown track of a card --------------------------------------------------------------------------
def takedown(verb: str, code: str, arg: str = "") -> str:
    """Callback data of a takedown button (rep: reported to the platform arg; chk: check now)."""
    return f"{TAKEDOWN}:{verb}:{code}:{arg}" if arg else f"{TAKEDOWN}:{verb}:{code}"


def parse_takedown(data: str) -> CasePress | None:
    """The takedown button pressed, or None when the data does not have its shape."""
    parts = data.split(":")
    if len(parts) not in {3, 4} or parts[0] != TAKEDOWN:
        return None
    return CasePress(verb=parts[1], code=parts[2], arg=parts[3] if len(parts) == 4 else "")


# --- conversations -----------------------------------------------------------------------------------------
WRITE: Final = "w"
ANSWER: Final = "a"
LATER: Final = "later"


@dataclass(frozen=True)
class TalkPress:
    """A press on a conversation button: staff writing to a case's reporters, or a reporter answering."""

    kind: str  # WRITE or ANSWER
    code: str
    arg: str = ""


def write(code: str, target: str = "") -> str:
    """Callback data of "write to the reporter" (target: first, all, n<position>; empty: ask)."""
    return f"{WRITE}:{code}:{target}" if target else f"{WRITE}:{code}"


def answer(code: str, later: bool = False) -> str:
    """Callback data of a reporter's "answer" (or a child's "not now") under a relayed message."""
    return f"{ANSWER}:{code}:{LATER}" if later else f"{ANSWER}:{code}"


def parse_talk(data: str) -> TalkPress | None:
    """The conversation button pressed, or None when the data is not one."""
    parts = data.split(":")
    if len(parts) not in {2, 3} or parts[0] not in {WRITE, ANSWER} or not parts[1]:
        return None
    return TalkPress(kind=parts[0], code=parts[1], arg=parts[2] if len(parts) == 3 else "")


PHONE: Final = "phone"


def share_phone(code: str) -> str:
    """Callback data of a reporter's "share my phone number" under a relayed message."""
    return f"{ANSWER}:{code}:{PHONE}"


# --- the help-the-child track of a card ----------------------------------------------------------------------
CHILD_VERBS: Final = frozenset({"m", "need", "ref", "out", "fc", "back"})


def child(verb: str, code: str, arg: str = "") -> str:
    """Callback data of a child-track button (m: open the menu of need/ref/out; need, ref, out: a choice;
    fc: first contact made; back: the card's own buttons)."""
    return f"{CHILD}:{verb}:{code}:{arg}" if arg else f"{CHILD}:{verb}:{code}"


def parse_child(data: str) -> CasePress | None:
    """The child-track button pressed, or None when the data does not have its shape."""
    parts = data.split(":")
    if len(parts) not in {3, 4} or parts[0] != CHILD or parts[1] not in CHILD_VERBS or not parts[2]:
        return None
    return CasePress(verb=parts[1], code=parts[2], arg=parts[3] if len(parts) == 4 else "")
