"""The console's queue filtered by the state of a case's two tracks, against the emulators: content live / removed
(the takedown track, `content_state` written by the link checks' store) and child help needed / first contact
pending (the child-help track: `child_help.need`, and `contact_pending` written at intake, on each change of the
track and at the first contact), each for every role, with the same may_see rules as the rest of the queue."""

from __future__ import annotations

from datetime import timedelta

import pytest

from functions.adapters.firestore.stores import CaseStore
from functions.adapters.firestore.takedowns import TakedownStore
from functions.domain.time import utcnow
from tests.integration.console_helpers import call, sign_in
from tests.integration.test_console_api import CHILD_SAFETY, OFFICER_71, OFFICER_75, SPECIALIST
from tests.integration.test_oversight import seed
from tests.integration.test_staff import add_staff
from tests.stack import ADMIN_ID, Stack

# Who sees which of the cases below (their region, and whether the case is restricted), the oldest case first.
SEES = {
    OFFICER_71: ("live71", "child71"),
    OFFICER_75: ("removed75", "met75", "needed75"),
    SPECIALIST: ("live71", "removed75", "child71", "met75", "needed75"),
    CHILD_SAFETY: ("sexual71", "live71", "removed75", "child71", "met75", "needed75"),
    ADMIN_ID: ("sexual71", "live71", "removed75", "child71", "met75", "needed75"),
}
# Which case each filter selects (before who may see it).
SELECTS = {
    ("content", "live"): {"sexual71", "live71"},
    ("content", "removed"): {"removed75"},
    ("child", "help_needed"): {"sexual71", "met75", "needed75"},
    ("child", "contact_pending"): {"sexual71", "child71", "needed75"},
}


@pytest.fixture
def cases(stack: Stack) -> dict[str, str]:
    """Six open cases: their tracks' states written by the same store code the link checks and the first contact
    use (a child's own request is stored as intake stores it)."""
    add_staff(OFFICER_71, "regional", ("71",))
    add_staff(OFFICER_75, "regional", ("75",))
    add_staff(SPECIALIST, "specialist", on_duty=True)
    add_staff(CHILD_SAFETY, "child_safety")
    now = utcnow()
    made = {
        "sexual71": seed(
            stack,
            11,
            created=now - timedelta(hours=9),
            category="sexual",
            child_help={"need": "needed"},
            contact_pending=True,
        ),
        "live71": seed(stack, 12, created=now - timedelta(hours=8)),
        "removed75": seed(stack, 13, created=now - timedelta(hours=7), region="75"),
        "child71": seed(stack, 14, created=now - timedelta(hours=6), child_request=True, contact_pending=True),
        "met75": seed(
            stack,
            15,
            created=now - timedelta(hours=5),
            region="75",
            child_help={"need": "needed"},
            contact_pending=True,
        ),
        "needed75": seed(
            stack,
            16,
            created=now - timedelta(hours=4),
            region="75",
            child_help={"need": "needed"},
            contact_pending=True,
        ),
        "plain75": seed(stack, 17, created=now - timedelta(hours=3), region="75", child_help={"need": "not_needed"}),
    }
    links = TakedownStore(stack.db, utcnow)
    for name, state in (("sexual71", "live"), ("live71", "live"), ("removed75", "removed")):
        links.set_content_state(made[name], state)
    assert CaseStore(stack.db, utcnow).mark_first_contact(made["met75"], SPECIALIST, now)
    return made


def codes(stack: Stack, token: str, **params: str) -> list[str]:
    response = call(stack, "GET", "api/queue", token, **params)
    assert response.status_code == 200, response.text
    return [row["code"] for row in response.json()["cases"]]


@pytest.mark.parametrize("who", list(SEES))
@pytest.mark.parametrize(("name", "value"), list(SELECTS))
def test_each_track_filter_for_each_role(stack: Stack, cases: dict[str, str], who: int, name: str, value: str) -> None:
    token = sign_in(stack, who)
    wanted = [cases[case] for case in SEES[who] if case in SELECTS[(name, value)]]
    assert codes(stack, token, **{name: value}) == wanted


def test_the_rows_show_the_tracks_states(stack: Stack, cases: dict[str, str]) -> None:
    rows = {row["code"]: row for row in call(stack, "GET", "api/queue", sign_in(stack, ADMIN_ID)).json()["cases"]}
    assert rows[cases["live71"]]["content"] == "live" and rows[cases["removed75"]]["content"] == "removed"
    assert rows[cases["plain75"]]["content"] is None and not rows[cases["plain75"]]["child_help_needed"]
    assert rows[cases["needed75"]]["child_help_needed"] and rows[cases["needed75"]]["contact_pending"]
    assert rows[cases["met75"]]["child_help_needed"] and not rows[cases["met75"]]["contact_pending"]


def test_track_filters_combine_with_the_others_and_keep_the_scope(stack: Stack, cases: dict[str, str]) -> None:
    admin = sign_in(stack, ADMIN_ID)
    assert codes(stack, admin, child="help_needed", region="75") == [cases["met75"], cases["needed75"]]
    assert codes(stack, admin, content="live", category="sexual") == [cases["sexual71"]]
    officer = sign_in(stack, OFFICER_71)
    assert call(stack, "GET", "api/queue", officer, content="removed", region="75").status_code == 403


@pytest.mark.parametrize("params", [{"content": "gone"}, {"child": "needed"}, {"content": ""}, {"child": "x" * 300}])
def test_bad_track_values_are_400_or_ignored_when_empty(
    stack: Stack, cases: dict[str, str], params: dict[str, str]
) -> None:
    response = call(stack, "GET", "api/queue", sign_in(stack, ADMIN_ID), **params)
    if params == {"content": ""}:
        assert response.status_code == 200  # an empty value is no filter, as for the others
    else:
        assert response.status_code == 400 and response.json()["ok"] is False
