"""Oversight commands on the webhook: /queue, /case, /find, /stats, /export, /hold and the queue's buttons.

Charts and spreadsheets are made by functions.services.charts and .export, imported only by /stats and
/export: matplotlib and openpyxl never load for any other request.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Sequence
from datetime import datetime, timedelta
from typing import Any, Final, Protocol

from telegram import CallbackQuery, InputFile, Message, Update

from functions.domain.codes import normalise_case_code
from functions.domain.models import BotCall, Outcome
from functions.domain.oversight import (
    CLOSED_STATUSES,
    EXPORT_FIELDS,
    FACT_FIELDS,
    QUEUE_FIELDS,
    Request,
    Stats,
    compute,
    facts_of,
    parse_request,
    queue_order,
    scope_regions,
)
from functions.domain.time import KZ_TZ
from functions.domain.urls import canonical_url, content_key_for_url, extract_urls
from functions.domain.workflow import Role, StaffMember, actions_for, may_see
from functions.i18n import plural, t
from functions.log import get_logger
from functions.services import cards
from functions.services.intake import Intake, answer, edit, send
from functions.services.keyboards import Keyboard, button, markup
from functions.services.sla import chunks, duration_text

log = get_logger("oversight")

COMMANDS: Final[tuple[str, ...]] = ("queue", "case", "find", "stats", "export", "hold")
PAGE_SIZE: Final = 8
MAX_PAGES: Final = 200
MAX_CATEGORY_LINES: Final = 8


class OversightStorePort(Protocol):
    """What the oversight commands need from storage (OversightStore implements it)."""

    def get_staff(self, user_id: int) -> StaffMember | None: ...
    def all_staff(self) -> list[StaffMember]: ...
    def get_report(self, code: str) -> dict[str, Any] | None: ...
    def events_of(self, code: str) -> list[dict[str, Any]]: ...
    def case_of_content(self, key: str) -> str | None: ...
    def cases_created(
        self, since: datetime, until: datetime, regions: tuple[str, ...] | None, fields: Sequence[str] | None
    ) -> list[dict[str, Any]]: ...
    def open_cases(self, regions: tuple[str, ...] | None, fields: Sequence[str] | None) -> list[dict[str, Any]]: ...
    def reporter_ids_since(self, since: datetime) -> dict[str, list[int]]: ...
    def set_legal_hold(self, code: str, on: bool, by: int, event_id: str) -> bool: ...
    def record_export(self, by: int, days: int, region: str | None, personal: bool, rows: int) -> None: ...
    def rewind_state(self, name: str, field_name: str, to: datetime) -> None: ...


def upload(method: str, field: str, chat_id: int, data: bytes, filename: str, caption: str) -> BotCall:
    """A sendPhoto / sendDocument uploading bytes (multipart, through PTB's InputFile), never forwardable."""
    return BotCall(
        method=method,
        params={
            "chat_id": chat_id,
            field: InputFile(data, filename=filename),
            "caption": caption[:1024],
            "protect_content": True,
        },
    )


class Oversight:
    """Staff see their work; leadership sees the picture. Every request is authorised from the stored role."""

    def __init__(
        self,
        store: OversightStorePort,
        admin_ids: frozenset[int],
        clock: Callable[[], datetime],
        retention: timedelta,
    ) -> None:
        self.store = store
        self.admin_ids = admin_ids
        self.clock = clock
        self.retention = retention

    def member(self, user_id: int) -> StaffMember | None:
        """The person's staff record; the first admins (ADMIN_TELEGRAM_IDS) are admins even before /start."""
        stored = self.store.get_staff(user_id)
        if user_id in self.admin_ids:
            if stored is None:
                return StaffMember(user_id=user_id, role=Role.ADMIN, active=True)
            return StaffMember(**{**stored.__dict__, "role": Role.ADMIN, "active": True})
        return stored if stored is not None and stored.active else None

    # --- commands -----------------------------------------------------------------------------------------
    def command(self, update: Update, message: Message, lang: str, name: str, arg: str) -> Outcome | None:
        """Handle an oversight command (private chats only: the answers name cases)."""
        user = message.from_user
        assert user is not None
        chat_id = message.chat.id
        if message.chat.type != "private":
            return Outcome(body=send(chat_id, t(lang, "private_only"), reply_to=message.message_id))
        person = self.member(user.id)
        if person is None:
            return Outcome(body=send(chat_id, t(lang, "refuse_no_access")))
        lang = person.lang or lang
        person = StaffMember(**{**person.__dict__, "lang": lang})
        if name == "queue":
            return self.queue(person, chat_id, 0, None)
        if name in {"case", "find"}:
            return self.find(person, chat_id, arg, usage=f"{name}_usage")
        if name == "stats":
            return self.stats(person, chat_id, arg)
        if name == "export":
            return self.export(person, chat_id, arg)
        if name == "hold":
            return self.hold(update, person, chat_id, arg)
        return None

    def callback(self, update: Update, query: CallbackQuery, lang: str) -> Outcome:
        """A press on a queue button: q:p:<page> turns the page, q:c:<code> opens a case."""
        parts = (query.data or "").split(":")
        message = query.message
        person = self.member(query.from_user.id)
        if person is None or message is None or len(parts) != 3:
            return Outcome(body=answer(query.id, t(lang, "refuse_no_access"), alert=True))
        person = StaffMember(**{**person.__dict__, "lang": person.lang or lang})
        if parts[1] == "p" and parts[2].isdigit():
            outcome = self.queue(person, message.chat.id, int(parts[2]), message.message_id)
            return Outcome(direct=outcome.direct, body=answer(query.id))
        if parts[1] == "c":
            outcome = self.find(person, message.chat.id, parts[2], usage="case_usage")
            return Outcome(direct=[*outcome.direct, *([outcome.body] if outcome.body else [])], body=answer(query.id))
        return Outcome(body=answer(query.id, t(person.lang, "stale_button")))

    # --- /queue -------------------------------------------------------------------------------------------
    def queue(self, person: StaffMember, chat_id: int, page: int, message_id: int | None) -> Outcome:
        """The open cases this person may act on, urgent first then oldest, one page (a new message or an edit)."""
        lang = person.lang
        regions = tuple(person.regions) if person.role == Role.REGIONAL else None
        rows = self.store.open_cases(regions, QUEUE_FIELDS)
        mine = [
            r
            for r in rows
            if may_see(person, str(r.get("category")), str(r.get("region"))) and actions_for(person, cards.case_view(r))
        ]
        mine.sort(key=queue_order)
        if not mine:
            text, keyboard = t(lang, "queue_empty"), None
        else:
            pages = min(MAX_PAGES, math.ceil(len(mine) / PAGE_SIZE))
            page = max(0, min(page, pages - 1))
            shown = mine[page * PAGE_SIZE : (page + 1) * PAGE_SIZE]
            now = self.clock()
            lines = [t(lang, "queue_header", total=len(mine), page=page + 1, pages=pages)]
            lines += [self._queue_line(lang, r, now) for r in shown]
            text = "\n".join(lines)[:4096]
            keyboard = self._queue_keyboard(shown, page, pages)
        if message_id is not None:
            return Outcome(direct=[edit(chat_id, message_id, text, keyboard)])
        return Outcome(body=send(chat_id, text, keyboard))

    @staticmethod
    def _queue_line(lang: str, report: dict[str, Any], now: datetime) -> str:
        severity = str(report.get("severity", "normal"))
        line = t(
            lang,
            "queue_line",
            icon=cards.SEVERITY_ICON.get(severity, ""),
            code=report["id"],
            category=t(lang, f"cat_{report.get('category', 'other')}"),
            region=t(lang, f"region_{report['region']}") if report.get("region") else "—",
            age=cards.age_text(lang, report.get("created_at"), now),
            status=t(lang, f"status_{report.get('status', 'new')}"),
        )
        return f"⏰ {line}" if report.get("sla_escalated_at") and report.get("status") == "new" else line

    @staticmethod
    def _queue_keyboard(shown: list[dict[str, Any]], page: int, pages: int) -> Keyboard:
        opens = [
            button(f"{cards.SEVERITY_ICON.get(str(r.get('severity')), '')} {r['id']}", f"q:c:{r['id']}") for r in shown
        ]
        rows = [opens[i : i + 2] for i in range(0, len(opens), 2)]
        nav = []
        if page > 0:
            nav.append(button(f"◀ {page}", f"q:p:{page - 1}"))
        if page + 1 < pages:
            nav.append(button(f"{page + 2} ▶", f"q:p:{page + 1}"))
        if nav:
            rows.append(nav)
        return markup(rows)

    # --- /case, /find -------------------------------------------------------------------------------------
    def find(self, person: StaffMember, chat_id: int, arg: str, usage: str) -> Outcome:
        """A case by its code, or by a link to its content; with the card and the whole history."""
        lang = person.lang
        text = arg.strip()
        if not text:
            return Outcome(body=send(chat_id, t(lang, usage)))
        code = normalise_case_code(text)
        if code is None and usage == "find_usage":
            links = extract_urls(text) or [u for u in [canonical_url(text)] if u]
            found = self.store.case_of_content(content_key_for_url(links[0])) if links else None
            if found is None:
                return Outcome(body=send(chat_id, t(lang, "find_none")))
            code = found
        if code is None:
            return Outcome(body=send(chat_id, t(lang, usage)))
        report = self.store.get_report(code)
        if report is None:
            return Outcome(body=send(chat_id, t(lang, "case_not_found")))
        if not may_see(person, str(report.get("category")), str(report.get("region"))):
            return Outcome(body=send(chat_id, t(lang, "refuse_out_of_scope")))
        names = {p.user_id: p.name for p in self.store.all_staff()}
        assignee = report.get("assignee")
        owner = (names.get(assignee) or str(assignee)) if isinstance(assignee, int) else None
        card_text, keyboard = cards.render_card(report, person, self.clock(), owner)
        if report.get("legal_hold"):
            card_text += "\n" + t(lang, "case_legal_hold")
        if report.get("purged_at"):
            card_text += "\n" + t(lang, "case_purged")
        history = [t(lang, "history_header")]
        history += [self._history_line(lang, event, names) for event in self.store.events_of(code)]
        calls = [send(chat_id, part) for part in chunks(history)]
        card = send(chat_id, card_text[:4096], keyboard if keyboard["inline_keyboard"] else None)
        log.info("case opened", extra={"report_id": code, "by": person.user_id})
        return Outcome(direct=calls, body=card)

    @staticmethod
    def _history_line(lang: str, event: dict[str, Any], names: dict[int, str]) -> str:
        at = event.get("at")
        when = at.astimezone(KZ_TZ).strftime("%d.%m.%Y %H:%M") if isinstance(at, datetime) else "—"
        by = event.get("by")
        who = (names.get(by) or str(by)) if isinstance(by, int) else t(lang, "who_system")
        kind = str(event.get("type") or "")
        action = str(event.get("action") or "")
        note = event.get("note")
        if kind == "created":
            what = t(lang, "hist_created", source=t(lang, f"source_{note if note == 'group' else 'private'}"))
        elif kind == "transition":
            what = t(lang, "hist_transition", status=t(lang, f"status_{event.get('to', 'new')}"))
            prefix = {"escalate": "esc", "resolve": "res", "reject": "rej"}.get(action)
            if prefix and note:
                what += f" ({t(lang, f'{prefix}_{note}')})"
        elif kind == "note":
            what = (
                t(lang, "hist_note", text=str(event["text"])[:500])
                if event.get("text")
                else t(lang, "hist_note_purged")
            )
        elif kind == "evidence_view":
            what = t(lang, "hist_evidence_view")
        elif kind == "sla" and action in {"escalated", "reminded", "stale"}:
            what = t(lang, f"hist_sla_{action}")
        elif kind == "legal_hold":
            what = t(lang, "hist_hold_on" if action == "on" else "hist_hold_off")
        elif kind == "purged":
            what = t(lang, "hist_purged")
        else:
            what = kind.replace("_", " ") or "—"
        return t(lang, "history_line", time=when, who=who, what=what)

    # --- /stats ---------------------------------------------------------------------------------------------
    def scope_name(self, lang: str, regions: tuple[str, ...] | None) -> str:
        """The scope in words: all regions, or the regions' names."""
        if regions is None:
            return t(lang, "all_regions")
        return ", ".join(t(lang, f"region_{code}") for code in regions)

    def compute_stats(self, person: StaffMember, request: Request) -> tuple[Stats, tuple[str, ...] | None] | None:
        """The statistics this person may see for the request; None when the region asked is not theirs."""
        regions = scope_regions(person, request.region)
        if regions == ():
            return None
        until = self.clock()
        since = until - timedelta(days=request.days)
        rows = self.store.cases_created(since, until, regions, FACT_FIELDS)
        facts = [f for f in (facts_of(r) for r in rows) if f is not None]
        return compute(facts, since, until, regions), regions

    def stats(self, person: StaffMember, chat_id: int, arg: str) -> Outcome:
        """Counts by status, category and region, median times, as a chart and a short summary."""
        lang = person.lang
        request = parse_request(arg)
        if request.bad or request.personal:
            return Outcome(body=send(chat_id, t(lang, "stats_usage")))
        computed = self.compute_stats(person, request)
        if computed is None:
            return Outcome(body=send(chat_id, t(lang, "refuse_out_of_scope")))
        stats, regions = computed
        scope = self.scope_name(lang, regions)
        summary = summary_text(lang, stats, scope)
        log.info("stats", extra={"by": person.user_id, "days": request.days, "cases": stats.total})
        if stats.total == 0:
            return Outcome(body=send(chat_id, summary))
        from functions.services import charts

        png = charts.render(stats, lang, scope)
        caption = t(lang, "stats_caption", days=request.days, scope=scope)
        photo = upload("sendPhoto", "photo", chat_id, png, "qorgau-stats.png", caption)
        return Outcome(direct=[photo], body=send(chat_id, summary[:4096]))

    # --- /export --------------------------------------------------------------------------------------------
    def export(self, person: StaffMember, chat_id: int, arg: str) -> Outcome:
        """A spreadsheet of the cases in scope; reporter ids only when an admin asks for them (pii)."""
        lang = person.lang
        request = parse_request(arg)
        if request.bad:
            return Outcome(body=send(chat_id, t(lang, "export_usage")))
        if request.personal and person.role != Role.ADMIN:
            return Outcome(body=send(chat_id, t(lang, "export_pii_admins_only")))
        regions = scope_regions(person, request.region)
        if regions == ():
            return Outcome(body=send(chat_id, t(lang, "refuse_out_of_scope")))
        until = self.clock()
        since = until - timedelta(days=request.days)
        rows = [
            r
            for r in self.store.cases_created(since, until, regions, EXPORT_FIELDS)
            if may_see(person, str(r.get("category")), str(r.get("region")))
        ]
        rows.sort(key=lambda r: r.get("created_at") or until)
        reporters = self.store.reporter_ids_since(since) if request.personal else None
        facts = [f for f in (facts_of(r) for r in rows) if f is not None]
        stats = compute(facts, since, until, regions)
        scope = self.scope_name(lang, regions)
        from functions.services import export

        data = export.workbook(rows, stats, lang, scope, reporters)
        self.store.record_export(person.user_id, request.days, request.region, request.personal, len(rows))
        log.info(
            "export",
            extra={"by": person.user_id, "days": request.days, "rows": len(rows), "personal": request.personal},
        )
        day = until.astimezone(KZ_TZ).strftime("%Y%m%d")
        filename = f"qorgau-{request.days}d-{request.region or 'all'}-{day}.xlsx"
        caption = plural(lang, "export_caption", len(rows), rows=len(rows), days=request.days, scope=scope)
        if request.personal:
            caption += "\n" + t(lang, "export_personal_note")
        return Outcome(direct=[upload("sendDocument", "document", chat_id, data, filename, caption)])

    # --- /hold ----------------------------------------------------------------------------------------------
    def hold(self, update: Update, person: StaffMember, chat_id: int, arg: str) -> Outcome:
        """Admins put a case under legal hold (kept past retention) or release it."""
        lang = person.lang
        if person.role != Role.ADMIN:
            return Outcome(body=send(chat_id, t(lang, "admins_only")))
        parts = arg.split()
        code = normalise_case_code(parts[0]) if parts else None
        if code is None or len(parts) != 2 or parts[1].lower() not in {"on", "off"}:
            return Outcome(body=send(chat_id, t(lang, "hold_usage")))
        on = parts[1].lower() == "on"
        report = self.store.get_report(code)
        if report is None or not self.store.set_legal_hold(code, on, person.user_id, f"hold-{update.update_id}"):
            return Outcome(body=send(chat_id, t(lang, "case_not_found")))
        log.info("legal hold", extra={"report_id": code, "on": on, "by": person.user_id})
        if on:
            key = "hold_on_purged" if report.get("purged_at") else "hold_on"
            return Outcome(body=send(chat_id, t(lang, key, code=code)))
        closed_at = report.get("closed_at")
        expired = (
            report.get("status") in CLOSED_STATUSES
            and not report.get("purged_at")
            and isinstance(closed_at, datetime)
            and closed_at < self.clock() - self.retention
        )
        if expired:
            assert isinstance(closed_at, datetime)
            self.store.rewind_state("sla", "purge_through", closed_at)  # tick's next sweep purges it
            return Outcome(body=send(chat_id, t(lang, "hold_off_expired", code=code)))
        return Outcome(body=send(chat_id, t(lang, "hold_off", code=code)))


def median_text(lang: str, minutes: float | None) -> str:
    """A median duration, or 'no data'."""
    if minutes is None:
        return t(lang, "stats_no_data")
    return duration_text(lang, timedelta(minutes=minutes))


def summary_text(lang: str, stats: Stats, scope: str) -> str:
    """The short text that goes with the chart."""
    since = stats.since.astimezone(KZ_TZ).strftime("%d.%m.%Y")
    until = stats.until.astimezone(KZ_TZ).strftime("%d.%m.%Y")
    lines = [t(lang, "stats_header", days=stats.days, since=since, until=until, scope=scope)]
    if stats.total == 0:
        lines.append(t(lang, "stats_none"))
        return "\n".join(lines)
    lines.append(t(lang, "stats_total", n=stats.total))
    statuses = ", ".join(f"{t(lang, f'status_{s}')}: {stats.shown(n)}" for s, n in stats.by_status.items())
    lines.append(t(lang, "stats_by_status", list=statuses))
    lines.append(t(lang, "stats_by_category"))
    ordered = sorted(stats.by_category.items(), key=lambda item: -item[1])
    lines += [f"• {t(lang, f'cat_{c}')}: {stats.shown(n)}" for c, n in ordered[:MAX_CATEGORY_LINES]]
    busiest = sorted(((r, n) for r, n in stats.by_region.items() if n), key=lambda item: -item[1])
    if len(stats.by_region) > 1 and busiest:
        lines.append(t(lang, "stats_top_regions"))
        lines += [f"• {t(lang, f'region_{r}')}: {n}" for r, n in busiest[:5]]
    lines.append(t(lang, "stats_median_take", value=median_text(lang, stats.median_take_minutes), n=stats.taken))
    resolve = stats.median_resolve_hours * 60 if stats.median_resolve_hours is not None else None
    lines.append(t(lang, "stats_median_resolve", value=median_text(lang, resolve), n=stats.resolved))
    if stats.narrow:
        lines.append(t(lang, "stats_small_note"))
    return "\n".join(lines)


def wire(intake: Intake) -> None:
    """Register the oversight commands and the queue's buttons with the webhook's dispatcher."""
    from functions import bootstrap

    service = Oversight(
        bootstrap.oversight_store(),
        intake.admin_ids,
        intake.clock,
        timedelta(days=bootstrap.settings().retention_days),
    )
    for name in COMMANDS:
        intake.staff_commands[name] = service.command
    intake.staff_callbacks["q"] = service.callback


__all__ = ["Oversight", "summary_text", "wire"]
