"""How the help-the-child track reads: its card lines and buttons, its menus, its history lines, its digest lines."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import datetime
from typing import Any, Final

from functions.domain import callbacks, child_stats
from functions.domain.case import Case
from functions.domain.child_help import CHILD_OUTCOMES, REFERRALS, Need
from functions.domain.child_track import applies, minutes_to_contact, offers_track, resolve_blocker, waiting_for_contact
from functions.domain.time import KZ_TZ, coarse
from functions.domain.workflow import StaffMember, may_see
from functions.i18n import t
from functions.services.calls import Keyboard
from functions.services.keyboards import button, markup

MENUS: Final = {"need": "need", "ref": "referral", "out": "outcome"}  # menu argument -> the field it sets
MAX_DIGEST_LINES: Final = 10


def value_label(lang: str, field: str, value: str | None) -> str:
    """A value of the track as staff read it (card, history, answers)."""
    if field == "need":
        return t(lang, f"ch_need_{value or Need.UNKNOWN.value}")
    if value is None:
        return "—"
    return t(lang, f"ch_ref_{value}" if field == "referral" else f"ch_out_{value}")


def _time(at: datetime, now: datetime) -> str:
    local, today = at.astimezone(KZ_TZ), now.astimezone(KZ_TZ)
    return local.strftime("%H:%M") if local.date() == today.date() else local.strftime("%d.%m %H:%M")


def card_lines(lang: str, case: Case, now: datetime) -> list[str]:
    """The track's lines on a card: none while it is untouched and not a child's own request."""
    track = case.child_help
    if track.need == Need.UNKNOWN and not case.child_request and case.first_contact_at is None:
        return []
    lines = [t(lang, "ch_card_line", need=value_label(lang, "need", track.need.value))]
    if track.referral:
        lines.append(t(lang, "ch_card_referral", referral=value_label(lang, "referral", track.referral)))
    if case.first_contact_at is not None:
        lines.append(t(lang, "ch_card_contact", time=_time(case.first_contact_at, now)))
    elif applies(case):
        lines.append(t(lang, "ch_card_contact_none"))
    if track.outcome:
        lines.append(t(lang, "ch_card_outcome", outcome=value_label(lang, "outcome", track.outcome)))
    elif case.is_open and resolve_blocker(case) is not None and track.need == Need.NEEDED:
        lines.append(t(lang, "ch_card_waits"))
    return lines


def card_rows(lang: str, case: Case, staff: StaffMember) -> list[list[dict[str, str]]]:
    """The track's buttons on a card: "need?" always, referral/outcome/contact once it is a child case."""
    if not offers_track(staff, case):
        return []
    code = case.code
    rows = [[button(t(lang, "btn_ch_need"), callbacks.child("m", code, "need"))]]
    if applies(case):
        rows.append(
            [
                button(t(lang, "btn_ch_referral"), callbacks.child("m", code, "ref")),
                button(t(lang, "btn_ch_outcome"), callbacks.child("m", code, "out")),
            ]
        )
        if case.first_contact_at is None and not case.child_request:
            rows.append([button(t(lang, "btn_ch_contact"), callbacks.child("fc", code))])
    return rows


def menu_keyboard(lang: str, code: str, menu: str) -> Keyboard:
    """The options of one of the track's menus (need, ref, out), then Back."""
    if menu == "need":
        options = [(f"btn_ch_need_{need.value}", "need", need.value) for need in Need]
    elif menu == "ref":
        options = [(f"btn_ch_ref_{value}", "ref", value) for value in REFERRALS]
    else:
        options = [(f"btn_ch_out_{value}", "out", value) for value in CHILD_OUTCOMES]
    rows = [[button(t(lang, key), callbacks.child(verb, code, value))] for key, verb, value in options]
    return markup([*rows, [button(t(lang, "btn_back"), callbacks.child("back", code))]])


def history_text(lang: str, event: dict[str, Any]) -> str:
    """A child-track event in /case."""
    field, value = str(event.get("action") or ""), event.get("note")
    if field == "contact":
        return t(lang, "hist_child_contact")
    return t(lang, "hist_child_help", what=value_label(lang, field, str(value) if value else None))


def phone_history(lang: str, event: dict[str, Any], privileged: bool) -> str:
    """A reporter's shared phone number in /case: the number only for the case's owner and admins."""
    position = int(event.get("reporter") or 1)
    if not event.get("phone"):
        return t(lang, "hist_phone_purged")
    if not privileged:
        return t(lang, "hist_phone_hidden", n=position)
    return t(lang, "hist_phone", n=position, phone=str(event["phone"]))


def reporter_notice(lang: str, code: str, outcome: str, child: bool) -> str:
    """What a reporter hears of the child track's outcome (a child in the informal voice); never a staff name."""
    if child:
        return t(lang, "notice_child_outcome_child", code=code, outcome=t(lang, f"ch_kid_out_{outcome}"))
    return t(lang, "notice_child_outcome", code=code, outcome=t(lang, f"ch_rep_out_{outcome}"))


def digest_lines(lang: str, person: StaffMember, cases: Sequence[Case], now: datetime) -> list[str]:
    """The child cases in this person's scope still waiting for a first contact, oldest first."""
    waiting = [c for c in cases if waiting_for_contact(c) and may_see(person, c.category, c.region)]
    if not waiting:
        return []
    waiting.sort(key=lambda c: c.created_at or now)
    lines = [t(lang, "digest_child_waiting", n=len(waiting))]
    for case in waiting[:MAX_DIGEST_LINES]:
        region = t(lang, f"region_{case.region}") if case.region else "—"
        lines.append(t(lang, "digest_child_line", code=case.code, region=region, age=_age(lang, case, now)))
    if len(waiting) > MAX_DIGEST_LINES:
        lines.append(t(lang, "more_items", n=len(waiting) - MAX_DIGEST_LINES))
    return lines


def _age(lang: str, case: Case, now: datetime) -> str:
    if case.created_at is None:
        return "—"
    unit, count = coarse(now - case.created_at, minutes_below=60)
    return t(lang, f"age_{unit}", n=count)


EXPORT_COLUMNS: Final = ("ch_col_need", "ch_col_referral", "ch_col_first_contact", "ch_col_minutes", "ch_col_outcome")


def export_headers(lang: str) -> list[str]:
    """The child track's column titles in /export (after the case's own columns)."""
    return [t(lang, key) for key in EXPORT_COLUMNS]


def export_cells(lang: str, case: Case) -> list[Any]:
    """The child track of one case as export cells: need, referral, first contact (Kazakhstan time), minutes from
    intake to first contact, outcome."""
    track = case.child_help
    contact = case.first_contact_at
    minutes = minutes_to_contact(case)
    return [
        value_label(lang, "need", track.need.value) if applies(case) or track.need != Need.UNKNOWN else "",
        value_label(lang, "referral", track.referral) if track.referral else "",
        contact.astimezone(KZ_TZ).replace(tzinfo=None, microsecond=0) if contact is not None else None,
        round(minutes, 1) if minutes is not None else None,
        value_label(lang, "outcome", track.outcome) if track.outcome else "",
    ]


SUMMARY_COLUMNS: Final = (
    "ch_sum_region",
    "ch_sum_needed",
    "ch_sum_given",
    "ch_sum_share",
    "ch_sum_contact_median",
    "ch_sum_contact_p90",
    "ch_sum_contacts",
)


def summary_rows(lang: str, cases: Sequence[Case]) -> list[list[Any]]:
    """The export's child-track sheet: per region (those with any figure) and for the whole scope — children who
    needed help, were given it and the share, time to first contact (median, p90, minutes) and how many."""
    figures = child_stats.by_region(cases)
    table: list[list[Any]] = [[t(lang, key) for key in SUMMARY_COLUMNS]]
    regions = sorted(code for code in figures if code != child_stats.ALL)
    for code in [*regions, child_stats.ALL]:
        found = figures[code]
        if code != child_stats.ALL and not (found.needed or found.contacts):
            continue
        share = found.share_given
        median, p90 = found.contact_quantile(0.5), found.contact_quantile(0.9)
        table.append(
            [
                t(lang, "ch_sum_all") if code == child_stats.ALL else t(lang, f"region_{code}"),
                found.needed,
                found.given,
                round(share * 100, 1) if share is not None else None,
                round(median, 1) if median is not None else None,
                round(p90, 1) if p90 is not None else None,
                len(found.contacts),
            ]
        )
    return table
