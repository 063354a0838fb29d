"""Oversight on the emulators: /queue /case /find /stats /export /hold, the SLA ladder, digest and retention."""

from __future__ import annotations

import io
import json
import os
import subprocess
import sys
from datetime import UTC, datetime, timedelta
from typing import Any

from functions import bootstrap
from functions.domain.codes import ALPHABET
from functions.domain.time import utcnow
from functions.domain.workflow import Role, StaffMember
from functions.services.access import Access
from functions.services.stats import Statistics
from functions.services.timed import TimedOversight
from tests.integration.helpers import code_in, report_link, say
from tests.integration.test_staff import add_staff, buttons, card
from tests.stack import ADMIN_ID, ROOT, Stack, wait_for

# 09:05 in Kazakhstan (UTC+5): the digest hour.
MORNING = datetime(2026, 3, 10, 4, 5, tzinfo=UTC)


def code_for(n: int) -> str:
    """A valid case code made from a number (R + 6 letters of the code alphabet)."""
    body = ""
    for _ in range(6):
        n, digit = divmod(n, len(ALPHABET))
        body += ALPHABET[digit]
    return "R" + body


def seed(
    stack: Stack,
    n: int,
    *,
    created: datetime,
    region: str = "71",
    category: str = "violence",
    severity: str = "high",
    status: str = "new",
    assignee: int | None = None,
    taken: datetime | None = None,
    closed: datetime | None = None,
    outcome: str | None = None,
    updated: datetime | None = None,
    **extra: Any,
) -> str:
    """Store a case directly, shaped as intake and staff store it; returns its code."""
    code = code_for(n)
    stack.db.collection("reports").document(code).set(
        {
            "status": status,
            "category": category,
            "severity": severity,
            "region": region,
            "urls": [f"https://t.me/chan/{n}"],
            "media": [],
            "reporter_count": 1,
            "source": "private",
            "assignee": assignee,
            "child_in_danger": False,
            "description": "описание",
            "reporter_role": "teacher",
            "content_keys": [],
            "group_chat_id": None,
            "group_message_ids": [],
            "fanout_pending": False,
            "version": 1,
            "created_at": created,
            "updated_at": updated or closed or taken or created,
            "taken_at": taken,
            "closed_at": closed,
            "outcome": outcome,
        }
        | extra
    )
    bootstrap.rollups().sync(code)  # what fan-out does with the case's event: statistics count it
    return code


def sla_at(moment: datetime, *, digest: bool = False) -> TimedOversight:
    """The oversight steps on a fixed clock (the digest only when the test is about it: the others would
    otherwise depend on whether they happen to run between 09:00 and 12:00 in Kazakhstan)."""
    sla = bootstrap.timed(lambda: moment)
    if not digest:
        sla.digest_hour = 99
    return sla


def oversight_at(moment: datetime) -> Statistics:
    """The statistics commands on a fixed clock (to read back the files they make)."""
    access = Access(bootstrap.cases(), frozenset({ADMIN_ID}))
    return Statistics(bootstrap.oversight_store(), access, lambda: moment, bootstrap.rollups())


def person(user_id: int, role: str, regions: tuple[str, ...] = (), lang: str = "ru") -> StaffMember:
    return StaffMember(user_id=user_id, role=Role(role), regions=regions, name=f"Officer {user_id}", lang=lang)


def upload_of(outcome: Any, field: str) -> bytes:
    """The bytes an oversight answer uploads (a FileUpload, sent as multipart by the gateway)."""
    call = outcome.direct[0]
    return bytes(call.params[field].data)


def export_file(moment: datetime, who: StaffMember, arg: str) -> bytes:
    """The spreadsheet the export target makes for this person (on a fixed clock), read from the Firestore
    emulator page by page as the target reads it."""
    from functions.adapters.firestore.exports import ExportStore
    from functions.domain.export_job import ExportJob
    from functions.domain.statistics import parse_request
    from functions.services.export_job import ExportRun

    request = parse_request(arg, 90)
    job = ExportJob(
        export_id="x-test", user_id=who.user_id, chat_id=who.user_id, days=request.days, personal=request.personal
    )
    store = ExportStore(bootstrap.firestore_client(), lambda: moment)
    access = Access(bootstrap.cases(), frozenset({ADMIN_ID}))
    run = ExportRun(store, access, bootstrap.telegram(), lambda: moment, page_size=5)
    return run.build(who, job.model_copy(update={"region": request.region})).data


def last_text(stack: Stack, chat_id: int) -> str:
    return str(stack.last_bot_message(chat_id).get("text") or "")


def texts_jobs(messages: list[dict[str, Any]], user_id: int) -> list[str]:
    return [m["data"]["text"] for m in messages if m["data"]["kind"] == "text" and m["data"]["recipient_id"] == user_id]


# --- /queue ---------------------------------------------------------------------------------------------------


class TestQueue:
    def test_scope_order_and_actionable_only(self, stack: Stack) -> None:
        now = utcnow()
        add_staff(9101, "regional", ("71",))
        add_staff(9102, "specialist")
        add_staff(9103, "child_safety")
        old_normal = seed(stack, 1, created=now - timedelta(days=3), severity="normal")
        new_urgent = seed(stack, 2, created=now - timedelta(minutes=5), severity="urgent", category="selfharm")
        mid_high = seed(stack, 3, created=now - timedelta(days=1))
        elsewhere = seed(stack, 4, created=now - timedelta(days=2), region="75")
        sexual = seed(stack, 5, created=now - timedelta(hours=1), severity="urgent", category="sexual")
        others = seed(stack, 6, created=now - timedelta(days=5), status="in_progress", assignee=9999, taken=now)
        mine = seed(stack, 7, created=now - timedelta(days=6), status="in_progress", assignee=9101, taken=now)
        closed = seed(stack, 8, created=now - timedelta(days=1), status="resolved", closed=now, outcome="child_helped")

        say(stack, 9101, "/queue")
        text = last_text(stack, 9101)
        order = [c for c in (new_urgent, mine, old_normal, mid_high) if c in text]
        assert order == [new_urgent, mine, old_normal, mid_high]
        assert text.index(new_urgent) < text.index(mine) < text.index(old_normal) < text.index(mid_high)
        for hidden in (elsewhere, sexual, others, closed):
            assert hidden not in text
        say(stack, 9102, "/queue")
        text = last_text(stack, 9102)
        assert elsewhere in text and sexual not in text and others not in text
        say(stack, 9103, "/queue")
        assert sexual in last_text(stack, 9103)
        say(stack, ADMIN_ID, "/queue")
        text = last_text(stack, ADMIN_ID)
        assert others in text and sexual in text and closed not in text  # admins may act on any open case

    def test_pages_and_opening_a_case_by_button(self, stack: Stack) -> None:
        now = utcnow()
        add_staff(9111, "regional", ("71",))
        codes = [seed(stack, 100 + i, created=now - timedelta(hours=30 - i)) for i in range(19)]
        say(stack, 9111, "/queue")
        first = stack.last_bot_message(9111)
        assert "1 из 3" in first["text"] and codes[0] in first["text"] and codes[8] not in first["text"]
        assert buttons(first)[-1] == "2 ▶"
        stack.double.press_button(9111, 9111, first["message_id"], text="2 ▶")
        second = stack.double.get_message(9111, first["message_id"])
        assert second is not None and "2 из 3" in second["text"] and codes[8] in second["text"]
        assert buttons(second)[-2:] == ["◀ 1", "3 ▶"]
        stack.double.press_button(9111, 9111, first["message_id"], text=f"🟠 {codes[9]}")
        opened = stack.last_bot_message(9111)
        assert codes[9] in opened["text"] and "Взять в работу" in buttons(opened)
        assert any("История обращения" in t for t in stack.bot_texts(9111))

    def test_people_without_access_and_group_chats(self, stack: Stack) -> None:
        say(stack, 9121, "/queue")
        assert "Нет доступа" in last_text(stack, 9121)
        add_staff(9122, "specialist")
        say(stack, 9122, "/stats", chat_id=-100777)
        assert "личном чате" in last_text(stack, -100777)


# --- /case and /find ------------------------------------------------------------------------------------------


class TestCaseAndFind:
    def test_case_history_and_find_by_link_within_scope(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(9201, "regional", ("71",))
        add_staff(9202, "regional", ("75",))
        code = code_in(report_link(stack, 9250, "https://www.tiktok.com/@kid/video/7333333333333333333?lang=ru"))
        mine = card(stack, 9201, code)
        stack.double.press_button(9201, 9201, mine["message_id"], text="Взять в работу")
        say(stack, 9201, f"/case {code.lower()}")
        history = next(t for t in stack.bot_texts(9201) if "История обращения" in t)
        assert "поступило (личный чат)" in history and "Officer 9201 · статус: в работе" in history
        assert code in last_text(stack, 9201)
        say(stack, 9201, "/find https://tiktok.com/@kid/video/7333333333333333333")
        assert code in last_text(stack, 9201)
        say(stack, 9202, f"/find {code}")
        assert "не найдено" in last_text(stack, 9202)  # as if not there (issue 11, hole 7)
        say(stack, 9201, "/find https://tiktok.com/@kid/video/7444444444444444444")
        assert "не найдено" in last_text(stack, 9201)
        say(stack, 9201, "/case")
        assert "/case R7K3M9Q" in last_text(stack, 9201)


# --- /stats ---------------------------------------------------------------------------------------------------


def seed_statistics(stack: Stack, now: datetime) -> None:
    """12 cases in Astana (71), 3 in Almaty city (75), 1 in Shymkent (79); one from long ago."""
    n = 300
    for i in range(12):
        created = now - timedelta(days=3, hours=i)
        taken = created + timedelta(hours=i + 1.5) if i < 4 else None  # 1.5, 2.5, 3.5, 4.5 h: median 3 h
        closed = now - timedelta(days=1) if i < 2 else None  # 48 and 49 h: median 2 days
        status = "resolved" if i < 2 else "in_progress" if i < 4 else "new"
        category = "bullying" if i < 9 else "selfharm"
        seed(
            stack,
            n,
            created=created,
            category=category,
            status=status,
            taken=taken,
            closed=closed,
            outcome="content_removed" if closed else None,
            assignee=9301 if taken else None,
        )
        n += 1
    for i in range(3):
        seed(stack, n, created=now - timedelta(days=10 + i), region="75", category="violence")
        n += 1
    seed(stack, n, created=now - timedelta(days=20), region="79", category="teacher")
    seed(stack, n + 1, created=now - timedelta(days=200), region="79", category="teacher")


class TestStats:
    def test_admin_gets_a_chart_and_a_summary_with_the_right_numbers(self, stack: Stack) -> None:
        from PIL import Image

        now = utcnow()
        seed_statistics(stack, now)
        say(stack, ADMIN_ID, "/stats 30d")
        photos = [c for c in stack.double.calls("sendPhoto", chat_id=ADMIN_ID) if c["status"] == 200]
        assert len(photos) == 1 and photos[0]["params"]["protect_content"] is True
        assert "все регионы" in photos[0]["params"]["caption"]
        summary = last_text(stack, ADMIN_ID)
        assert "Всего обращений: 16" in summary
        assert "Травля, в том числе в интернете: 9" in summary and "Самоповреждение, суицид: 3" in summary
        assert "город Астана: 12" in summary and "«<5»" not in summary
        assert "Медиана до взятия в работу: 3 ч (взято: 4)" in summary
        assert "Медиана до решения: 2 дн. (решено: 2)" in summary

        outcome = oversight_at(now).stats(person(ADMIN_ID, "admin"), ADMIN_ID, "30d")
        image = Image.open(io.BytesIO(upload_of(outcome, "photo")))
        assert image.format == "PNG" and image.size[0] > 800
        data = json.loads(image.text["qorgau"])
        assert data["total"] == 16
        regions = {r["code"]: r["count"] for r in data["regions"]}
        assert (regions["71"], regions["75"], regions["79"], regions["10"]) == (12, 3, 1, 0)
        received = {d["day"]: d["received"] for d in data["per_day"]}
        assert sum(int(v) for v in received.values()) == 16 and len(received) == 30  # today and the 29 days before

    def test_regional_officer_sees_their_region_with_small_counts_hidden(self, stack: Stack) -> None:
        now = utcnow()
        seed_statistics(stack, now)
        add_staff(9301, "regional", ("71",), lang="kk")
        say(stack, 9301, "/stats 30d")
        summary = last_text(stack, 9301)
        assert "Барлық өтініш: 12" in summary
        assert "Қудалау, соның ішінде интернетте: 9" in summary and "Өзіне зиян келтіру, суицид: <5" in summary
        assert "<5" in summary and "«<5»" in summary  # 3 self-harm cases in one region: shown as <5
        assert "Алматы" not in summary
        outcome = oversight_at(now).stats(person(9301, "regional", ("71",), "kk"), 9301, "30d")
        from PIL import Image

        data = json.loads(Image.open(io.BytesIO(upload_of(outcome, "photo"))).text["qorgau"])
        assert [r["code"] for r in data["regions"]] == ["71"]
        assert {d["received"] for d in data["per_day"]} <= {"0", "<5", "5", "6", "7", "8", "9", "10", "11", "12"}
        say(stack, 9301, "/stats 7d 75")
        assert "жауапкершілік аймағыңызға кірмейді" in last_text(stack, 9301)
        say(stack, 9301, "/stats 999d")
        assert "/stats [7d|30d|90d]" in last_text(stack, 9301)

    def test_officer_of_two_regions_sees_both_with_exact_counts(self, stack: Stack) -> None:
        now = utcnow()
        seed_statistics(stack, now)
        add_staff(9303, "regional", ("71", "75"))
        say(stack, 9303, "/stats 30d")
        summary = last_text(stack, 9303)
        assert "Всего обращений: 15" in summary and "Драка, насилие между детьми: 3" in summary
        assert "город Алматы: 3" in summary and "Шымкент" not in summary and "«<5»" not in summary

    def test_specialist_narrows_to_one_region_and_an_empty_period_has_no_chart(self, stack: Stack) -> None:
        now = utcnow()
        seed_statistics(stack, now)
        add_staff(9302, "specialist")
        say(stack, 9302, "/stats 90d 75")
        summary = last_text(stack, 9302)
        assert "Всего обращений: 3" in summary and "Драка, насилие между детьми: <5" in summary
        say(stack, 9302, "/stats 7d 79")
        assert "обращений нет" in last_text(stack, 9302)
        assert len([c for c in stack.double.calls("sendPhoto", chat_id=9302) if c["status"] == 200]) == 1


# --- /export --------------------------------------------------------------------------------------------------


def read_workbook(data: bytes) -> dict[str, list[tuple[Any, ...]]]:
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(data), read_only=True)
    return {sheet.title: [tuple(row) for row in sheet.iter_rows(values_only=True)] for sheet in book.worksheets}


class TestExport:
    def test_spreadsheet_rows_scope_and_no_personal_data(self, stack: Stack) -> None:
        now = utcnow()
        seed_statistics(stack, now)
        seed(stack, 900, created=now - timedelta(days=1), region="71", category="sexual", severity="urgent")
        add_staff(9401, "regional", ("71",))
        stack.connect_chain()  # exports → the export target
        say(stack, 9401, "/export 30d")
        sent = wait_for(
            lambda: [c for c in stack.double.calls("sendDocument", chat_id=9401) if c["status"] == 200], timeout=60
        )
        assert len(sent) == 1 and sent[0]["params"]["protect_content"] is True
        assert "12 обращений" in sent[0]["params"]["caption"]

        sheets = read_workbook(export_file(now, person(9401, "regional", ("71",)), "30d"))
        cases, summary = sheets["Обращения"], sheets["Сводка"]
        header, rows = cases[0], cases[1:]
        assert header[:4] == ("Номер", "Поступило", "Категория", "Важность") and "ID заявителей" not in header
        assert len(rows) == 12 and {r[4] for r in rows} == {"71"}  # the sexual case is not a regional's to see
        resolved = [r for r in rows if r[6] == "решено"]
        assert len(resolved) == 2 and all(r[7] == "контент удалён" and r[12] is not None for r in resolved)
        assert isinstance(rows[0][1], datetime)
        assert ("Всего обращений", 12) in summary and ("Самоповреждение, суицид", "<5") in summary

    def test_personal_data_only_when_an_admin_asks(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(9402, "specialist")
        code = code_in(report_link(stack, 9450, "https://vk.com/wall-77_1"))
        assert code_in(report_link(stack, 9451, "https://vk.com/wall-77_1")) == code
        say(stack, 9402, "/export 7d pii")
        assert "только администраторам" in last_text(stack, 9402)
        sheets = read_workbook(export_file(utcnow(), person(9402, "specialist"), "7d"))
        assert "ID заявителей" not in sheets["Обращения"][0]
        assert not any("9450" in str(cell) for row in sheets["Обращения"] for cell in row)
        sheets = read_workbook(export_file(utcnow(), person(ADMIN_ID, "admin"), "7d pii"))
        row = sheets["Обращения"][1]
        assert sheets["Обращения"][0][-1] == "ID заявителей" and row[-1] == "9450, 9451"
        say(stack, ADMIN_ID, "/export 7d pii")
        exports = wait_for(lambda: [d.to_dict() for d in stack.db.collection("exports").stream()], timeout=60)
        assert any(e["personal"] and e["by"] == ADMIN_ID and e["rows"] == 1 for e in exports)


# --- the SLA ladder, reminders and the digest ------------------------------------------------------------------


class TestSlaLadder:
    def test_urgent_case_not_taken_in_15_minutes_is_escalated_once(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(9501, "specialist", on_duty=True)
        add_staff(9502, "admin")
        add_staff(9503, "regional", ("71",))
        code = code_in(report_link(stack, 9550, "https://t.me/chan/9550", danger="Да, прямо сейчас"))
        for holder in (9501, 9502, 9503):
            card(stack, holder, code)
        add_staff(9504, "specialist", on_duty=True)  # came on duty after the case arrived: has no card yet
        add_staff(9505, "specialist", on_duty=False)
        created = stack.doc(f"reports/{code}")["created_at"]  # type: ignore[index]
        assert sla_at(created + timedelta(minutes=14)).run()["escalated"] == 0
        later = created + timedelta(minutes=16)
        assert sla_at(later).run()["escalated"] == 1
        nothing = {"escalated": 0, "reminded": 0, "first_contact": 0, "digests": 0, "purged": 0}
        assert sla_at(later).run() == nothing  # same minute
        assert sla_at(later + timedelta(minutes=1)).run()["escalated"] == 0  # next minute: already escalated
        report = stack.doc(f"reports/{code}")
        assert report is not None and report["sla_escalated_at"] and report["sla_pending"] is False
        for person_id in (9501, 9502):  # had a card: pushed again with an alert
            wait_for(lambda p=person_id: any("ждёт уже 16 мин" in t for t in stack.bot_texts(p)))
        wait_for(lambda: "Вовремя не взято" in card(stack, 9504, code)["text"])  # a new card, escalated
        wait_for(
            lambda: "Вовремя не взято" in str(stack.double.get_message(9503, card(stack, 9503, code)["message_id"]))
        )
        assert not any("ждёт уже" in t for t in stack.bot_texts(9503))  # the region's officer: card refreshed only
        assert stack.double.messages(9505) == []
        say(stack, 9502, f"/case {code}")
        assert any("срочное не взято вовремя" in t for t in stack.bot_texts(9502))

    def test_taken_urgent_cases_are_not_escalated(self, stack: Stack) -> None:
        now = utcnow()
        seed(stack, 1, created=now - timedelta(hours=1), severity="urgent", status="in_progress", assignee=1, taken=now)
        seed(stack, 2, created=now - timedelta(hours=1), severity="high")
        assert sla_at(now).escalate(now) == 0

    def test_reminders_to_region_and_owner_once(self, stack: Stack) -> None:
        now = utcnow()
        add_staff(9601, "regional", ("71",))
        add_staff(9602, "specialist", on_duty=True)
        add_staff(9603, "regional", ("75",), lang="kk")
        jobs = stack.pull_subscription("deliveries")
        untaken = seed(stack, 1, created=now - timedelta(hours=25))
        fresh = seed(stack, 2, created=now - timedelta(hours=2))
        stale = seed(
            stack,
            3,
            created=now - timedelta(days=9),
            status="in_progress",
            assignee=9602,
            updated=now - timedelta(days=8),
        )
        lively = seed(stack, 4, created=now - timedelta(days=9), status="in_progress", assignee=9602, updated=now)
        nobody = seed(stack, 5, created=now - timedelta(hours=30), region="10")  # no officer in region 10
        abroad = seed(stack, 6, created=now - timedelta(hours=26), region="75", severity="urgent", category="selfharm")
        assert sla_at(now).remind(now) == 4
        messages = stack.pull(jobs, expect=3)
        regional = texts_jobs(messages, 9601)
        assert len(regional) == 1 and untaken in regional[0] and fresh not in regional[0]
        assert "не взято в работу уже 25 ч" in regional[0] and "/queue" in regional[0]
        specialist = texts_jobs(messages, 9602)
        assert len(specialist) == 1 and stale in specialist[0] and nobody in specialist[0]
        assert lively not in specialist[0] and untaken not in specialist[0]
        assert "без изменений 8 дн." in specialist[0]
        kazakh = texts_jobs(messages, 9603)
        assert len(kazakh) == 1 and abroad in kazakh[0] and "Еске салу" in kazakh[0]
        assert sla_at(now + timedelta(minutes=1)).remind(now + timedelta(minutes=1)) == 0
        assert stack.pull(jobs, wait=1.5) == []
        report = stack.doc(f"reports/{untaken}")
        assert report is not None and report["sla_take_reminded_at"] and report["updated_at"] < now

    def test_reminders_reach_the_staff_chat(self, stack: Stack) -> None:
        stack.connect_chain()
        now = utcnow()
        add_staff(9611, "regional", ("71",))
        code = seed(stack, 1, created=now - timedelta(hours=25))
        assert sla_at(now).run()["reminded"] == 1
        wait_for(lambda: any(code in t and "Напоминание" in t for t in stack.bot_texts(9611)))
        assert sla_at(now).run()["reminded"] == 0


class TestDigest:
    def test_one_digest_per_person_at_nine_kazakhstan_time(self, stack: Stack) -> None:
        add_staff(9701, "regional", ("71",))
        add_staff(9702, "specialist")
        add_staff(9703, "regional", ("62",))  # nothing in Ulytau: no digest
        add_staff(9704, "admin")
        seed(stack, 1, created=MORNING - timedelta(hours=2))
        seed(stack, 2, created=MORNING - timedelta(hours=3), region="75", severity="urgent", category="selfharm")
        overdue = seed(stack, 3, created=MORNING - timedelta(days=2))
        seed(stack, 4, created=MORNING - timedelta(days=3), status="in_progress", assignee=9701, taken=MORNING)
        seed(stack, 5, created=MORNING - timedelta(days=3), status="resolved", closed=MORNING, outcome="child_helped")
        jobs = stack.pull_subscription("deliveries")
        assert sla_at(MORNING - timedelta(hours=1), digest=True).digest(MORNING - timedelta(hours=1)) == 0  # 08:05
        assert sla_at(MORNING, digest=True).digest(MORNING) == 2
        assert sla_at(MORNING, digest=True).digest(MORNING + timedelta(minutes=1)) == 0  # once a day
        messages = stack.pull(jobs, expect=2)
        assert sorted(m["data"]["recipient_id"] for m in messages) == [9701, 9702]
        regional = texts_jobs(messages, 9701)[0]
        assert "Сводка Qorgau на 10.03.2026" in regional
        assert "Новых за сутки: 1" in regional and "Открытых: 3 (получено: 2, в работе: 1" in regional
        assert "Просрочено: 1" in regional and overdue in regional and "не взято в работу уже 2 дн." in regional
        specialist = texts_jobs(messages, 9702)[0]
        assert "Новых за сутки: 2" in specialist and "Просрочено: 2" in specialist  # the urgent one too
        assert "срочное, не взято уже 3 ч" in specialist


# --- retention and legal hold ---------------------------------------------------------------------------------


class TestRetention:
    def _closed_real_case(self, stack: Stack, reporter: int, url: str, closed: datetime) -> str:
        code = code_in(report_link(stack, reporter, url, description="Мальчик из 5Б, зовут Арман"))
        assert code_in(report_link(stack, reporter + 1, url)) == code
        stack.db.collection("reports").document(code).update(
            {"status": "resolved", "outcome": "content_removed", "closed_at": closed}
        )
        bootstrap.cases().add_event(code, "note-1", {"type": "note", "by": 1, "text": "мама Армана: +7 700 000"})
        return code

    def test_purge_keeps_the_facts_and_legal_hold_keeps_everything(self, stack: Stack) -> None:
        now = utcnow()
        old = now - timedelta(days=400)
        purged = self._closed_real_case(stack, 9801, "https://youtu.be/aaaaaaaaaaa", old)
        held = self._closed_real_case(stack, 9811, "https://youtu.be/bbbbbbbbbbb", old)
        recent = self._closed_real_case(stack, 9821, "https://youtu.be/ccccccccccc", now - timedelta(days=100))
        say(stack, ADMIN_ID, f"/hold {held} on")
        assert "запрет на удаление" in last_text(stack, ADMIN_ID)
        before = stack.doc(f"reports/{purged}")
        assert before is not None and before["content_keys"]
        assert sla_at(now).run()["purged"] == 1
        report = stack.doc(f"reports/{purged}")
        assert report is not None and report["purged_at"]
        assert report["urls"] == [] and report["media"] == [] and report["description"] is None
        assert report["content_keys"] == [] and report["group_chat_id"] is None
        facts = {k: report[k] for k in ("status", "category", "severity", "region", "outcome", "reporter_count")}
        assert facts == {
            "status": "resolved",
            "category": "violence",
            "severity": "high",
            "region": "71",
            "outcome": "content_removed",
            "reporter_count": 2,
        }
        assert report["created_at"] == before["created_at"] and report["closed_at"] == before["closed_at"]
        assert list(stack.db.collection(f"reports/{purged}/reporters").stream()) == []
        assert all(stack.doc(f"content/{key}") is None for key in before["content_keys"])
        note = stack.doc(f"reports/{purged}/events/note-1")
        assert note is not None and note["text"] is None
        for kept in (held, recent):
            assert stack.doc(f"reports/{kept}")["description"]  # type: ignore[index]
            assert len(list(stack.db.collection(f"reports/{kept}/reporters").stream())) == 2
        assert sla_at(now + timedelta(minutes=1)).run()["purged"] == 0

        say(stack, ADMIN_ID, f"/hold {held} off")
        assert "будут удалены" in last_text(stack, ADMIN_ID)
        assert sla_at(now + timedelta(minutes=2)).run()["purged"] == 1
        assert stack.doc(f"reports/{held}")["purged_at"]  # type: ignore[index]
        say(stack, ADMIN_ID, f"/case {held}")
        history = next(t for t in reversed(stack.bot_texts(ADMIN_ID)) if "История" in t)
        assert "установлен запрет на удаление" in history and "удалены по сроку хранения" in history
        assert "мама Армана" not in history

    def test_statistics_still_count_purged_cases_and_only_admins_hold(self, stack: Stack) -> None:
        now = utcnow()
        code = seed(stack, 1, created=now - timedelta(days=5), status="rejected", closed=now, outcome="duplicate")
        assert bootstrap.oversight_store().purge_case(code) is True
        say(stack, ADMIN_ID, "/stats 7d")
        assert "Всего обращений: 1" in last_text(stack, ADMIN_ID)
        add_staff(9831, "specialist")
        say(stack, 9831, f"/hold {code} on")
        assert "только для администраторов" in last_text(stack, 9831)
        say(stack, ADMIN_ID, "/hold R22 on")
        assert "/hold R7K3M9Q on" in last_text(stack, ADMIN_ID)

    def test_purged_cards_no_longer_show_links(self, stack: Stack) -> None:
        stack.connect_chain()
        add_staff(9841, "regional", ("71",))
        code = code_in(report_link(stack, 9850, "https://x.com/someone/status/1234567890123"))
        first = card(stack, 9841, code)
        assert "x.com/i/status" in first["text"]
        stack.db.collection("reports").document(code).update(
            {"status": "rejected", "outcome": "not_relevant", "closed_at": utcnow() - timedelta(days=366)}
        )
        assert sla_at(utcnow()).run()["purged"] == 1
        wait_for(lambda: "x.com" not in str(stack.double.get_message(9841, first["message_id"])["text"]))  # type: ignore[index]


# --- tick: twice in the same minute does nothing twice ---------------------------------------------------------


class TestTick:
    def test_tick_target_runs_oversight_once_per_minute(self, stack: Stack) -> None:
        import httpx

        now = utcnow()
        seed(stack, 1, created=now - timedelta(minutes=30), severity="urgent", category="selfharm")
        first = httpx.post(f"{stack.functions.url}/tick", json={}, timeout=30).json()
        second = httpx.post(f"{stack.functions.url}/tick", json={}, timeout=30).json()
        # The same minute: the marker stops the second pass; the next minute: the case is marked escalated.
        assert (first["escalated"], second["escalated"]) == (1, 0)
        events = [e.id for e in stack.db.collection(f"reports/{code_for(1)}/events").stream()]
        assert events == ["sla-urgent"]


# --- import isolation -----------------------------------------------------------------------------------------

ISOLATION_SCRIPT = """
import json, sys
import main
from functions import bootstrap
from functions.webhook import telegram_webhook
import flask
app = flask.Flask("isolation")
updates = [
    {"update_id": 1, "message": {"message_id": 1, "date": 0, "chat": {"id": %(admin)d, "type": "private"},
     "from": {"id": %(admin)d, "is_bot": False, "first_name": "A"}, "text": "/queue",
     "entities": [{"type": "bot_command", "offset": 0, "length": 6}]}},
    {"update_id": 2, "message": {"message_id": 2, "date": 0, "chat": {"id": 5, "type": "private"},
     "from": {"id": 5, "is_bot": False, "first_name": "B"}, "text": "/help",
     "entities": [{"type": "bot_command", "offset": 0, "length": 5}]}},
]
statuses = []
for update in updates:
    with app.test_request_context("/", method="POST", json=update,
                                  headers={"X-Telegram-Bot-Api-Secret-Token": "%(secret)s"}):
        statuses.append(telegram_webhook(flask.request).status_code)
heavy = sorted({m.split(".")[0] for m in sys.modules if m.split(".")[0] in ("matplotlib", "openpyxl", "numpy", "PIL")})
print(json.dumps({"statuses": statuses, "heavy": heavy, "oversight": "functions.services.case_lookup" in sys.modules}))
"""


class TestImportIsolation:
    def test_import_main_and_a_normal_request_never_load_charts_or_spreadsheets(self, stack: Stack) -> None:
        from tests.stack import SECRET

        script = ISOLATION_SCRIPT % {"admin": ADMIN_ID, "secret": SECRET}
        result = subprocess.run(
            [sys.executable, "-c", script],
            check=False,
            cwd=ROOT,
            env=dict(os.environ),
            capture_output=True,
            text=True,
            timeout=120,
        )
        assert result.returncode == 0, result.stderr[-2000:]
        found = json.loads(result.stdout.strip().splitlines()[-1])
        assert found == {"statuses": [200, 200], "heavy": [], "oversight": True}
