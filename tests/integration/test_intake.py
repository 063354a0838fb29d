"""Reporting in a private chat, end to end: the double plays the reporter, Firestore and Pub/Sub are real."""

from __future__ import annotations

from concurrent.futures import ThreadPoolExecutor

from devkit.botapi_double.builders import make_album_updates, make_callback_update
from tests.integration.helpers import code_in, post_like_telegram, press, report_link, say, send_media, start
from tests.stack import ADMIN_ID, Stack


def reporters_of(stack: Stack, code: str) -> int:
    """How many reporter documents the case has (the count cards show)."""
    return len(list(stack.db.collection(f"reports/{code}/reporters").stream()))


class TestProfile:
    def test_start_asks_role_and_region_once_and_stores_them(self, stack: Stack) -> None:
        start(stack, 1001)  # the language first (issue 14), then who and where
        first = stack.last_bot_message(1001)
        assert "Кто вы?" in first["text"]
        press(stack, 1001, "Родитель")
        press(stack, 1001, "город Шымкент")
        profile = stack.doc("users/1001")
        assert profile is not None and profile["role"] == "parent" and profile["region"] == "79"
        saved = stack.last_bot_message(1001)["text"]
        assert "профиль сохранён" in saved and "не пересылайте" in saved  # the adult welcome, after the role
        say(stack, 1001, "/start")
        assert "Кто вы?" not in stack.last_bot_message(1001)["text"]

    def test_kazakh_user_gets_kazakh_text(self, stack: Stack) -> None:
        start(stack, 1002, lang="kk")
        assert "Сіз кімсіз?" in stack.last_bot_message(1002)["text"]


class TestReportFlow:
    def test_link_becomes_a_case_with_an_event(self, stack: Stack) -> None:
        events = stack.pull_subscription("reports")
        text = report_link(
            stack,
            2001,
            "смотрите https://www.tiktok.com/@someone/video/7300000000000000001?is_from_webapp=1",
            description="Драка у школы",
        )
        code = code_in(text)
        assert "Номер обращения" in text
        report = stack.doc(f"reports/{code}")
        assert report is not None
        assert report["status"] == "new" and report["category"] == "violence" and report["severity"] == "high"
        assert report["region"] == "71" and report["source"] == "private" and report["reporter_count"] == 1
        assert report["urls"] == ["https://tiktok.com/video/7300000000000000001"]
        assert report["description"] == "Драка у школы"
        assert stack.doc(f"reports/{code}/reporters/2001") is not None
        published = stack.pull(events)
        assert published[0]["data"]["type"] == "report.created"
        assert published[0]["data"]["report_id"] == code and published[0]["data"]["schema_version"] == 1

    def test_danger_now_makes_it_urgent_and_gives_helplines(self, stack: Stack) -> None:
        text = report_link(
            stack,
            2002,
            "https://youtu.be/abcdefghijk",
            category="Травля, в том числе в интернете",
            danger="Да, прямо сейчас",
        )
        report = stack.doc(f"reports/{code_in(text)}")
        assert report is not None and report["severity"] == "urgent" and report["child_in_danger"] is True
        assert "111" in text and "150" in text and "102" in text

    def test_album_is_one_report(self, stack: Stack) -> None:
        updates = make_album_updates(2003, ("photo", "video", "photo"))
        with ThreadPoolExecutor(3) as pool:  # Telegram sends album parts in parallel and re-sends on a 5xx
            results = list(pool.map(lambda u: post_like_telegram(stack, u), updates))
        assert all(r["status"] == 200 for r in results), results
        assert sum(1 for m in stack.double.messages(2003) if "О чём" in str(m.get("text"))) == 1
        press(stack, 2003, "Другое")
        press(stack, 2003, "Нет")
        press(stack, 2003, "город Алматы")
        assert "Материалов: 3" in stack.last_bot_message(2003)["text"]  # the summary: no evidence step (issue 14)
        press(stack, 2003, "Отправить")
        report = stack.doc(f"reports/{code_in(stack.last_bot_message(2003)['text'])}")
        assert report is not None and len(report["media"]) == 3

    def test_cancel_saves_nothing(self, stack: Stack) -> None:
        send_media(stack, 2004, "photo")
        press(stack, 2004, "Отменить")
        assert "Ничего не сохранено" in stack.last_bot_message(2004)["text"]
        assert stack.reports() == []
        say(stack, 2004, "/cancel")
        assert "нечего отменять" in stack.last_bot_message(2004)["text"]

    def test_description_too_long_is_refused_politely(self, stack: Stack) -> None:
        say(stack, 2005, "https://vk.com/wall-1_2")
        for label in ("Другое", "Нет", "город Астана", "✏️ Описание"):
            press(stack, 2005, label)
        say(stack, 2005, "а" * 1500)
        assert "слишком длинный" in stack.last_bot_message(2005)["text"]
        assert stack.reports() == []

    def test_done_without_evidence_is_refused(self, stack: Stack) -> None:
        say(stack, 2006, "/report")
        for label in ("Другое", "Нет", "город Астана"):
            press(stack, 2006, label)
        message = stack.last_bot_message(2006)
        stack.double.press_button(2006, 2006, message["message_id"], text="Готово")
        answers = stack.double.calls("answerCallbackQuery")
        assert "хотя бы одна" in answers[-1]["params"].get("text", "")

    def test_stale_button_after_the_flow_ended(self, stack: Stack) -> None:
        text = report_link(stack, 2007, "https://instagram.com/reel/ABCdef123")
        code_in(text)
        flow_message = stack.last_bot_message(2007)
        stack.double.post_update(make_callback_update(2007, flow_message["message_id"], "f:zzzzzz:cat:other", 2007))
        answers = stack.double.calls("answerCallbackQuery")
        assert "не действует" in answers[-1]["params"].get("text", "")
        assert len(stack.reports()) == 1

    def test_my_lists_reports_with_status(self, stack: Stack) -> None:
        code = code_in(report_link(stack, 2008, "https://t.me/somechannel/55"))
        say(stack, 2008, "/my")
        assert code in stack.last_bot_message(2008)["text"] and "получено" in stack.last_bot_message(2008)["text"]

    def test_unsupported_content_and_plain_text_get_an_answer(self, stack: Stack) -> None:
        say(stack, 2009, "привет")
        assert "/report" in stack.last_bot_message(2009)["text"]
        result = send_media(stack, 2009, "sticker")
        assert result["status"] == 200
        assert "ссылки, фото, видео" in stack.last_bot_message(2009)["text"]

    def test_lang_switch(self, stack: Stack) -> None:
        say(stack, 2010, "/lang")
        press(stack, 2010, "Қазақша")
        say(stack, 2010, "/help")
        assert "тәулік бойы" in stack.last_bot_message(2010)["text"]


class TestOneIncidentOneCase:
    def test_the_same_link_in_other_shapes_joins_the_case(self, stack: Stack) -> None:
        first = code_in(report_link(stack, 3001, "https://youtube.com/shorts/abcdefghijk"))
        events = stack.pull_subscription("reports")
        text = report_link(stack, 3002, "https://m.youtube.com/watch?v=abcdefghijk&utm_source=x")
        assert code_in(text) == first and "уже сообщали" in text
        report = stack.doc(f"reports/{first}")
        assert report is not None and reporters_of(stack, first) == 2 and len(stack.reports()) == 1
        assert report["reporter_count"] == 1  # a join does not write the case (fan-out and tick refresh the count)
        assert stack.pull(events)[0]["data"]["type"] == "report.joined"
        again = report_link(stack, 3002, "youtu.be/abcdefghijk")
        assert "уже сообщали об этом" in again
        assert reporters_of(stack, first) == 2

    def test_ten_users_at_the_same_moment_make_one_case(self, stack: Stack) -> None:
        users = list(range(3100, 3110))
        for user in users:  # everyone reaches the confirm step
            say(stack, user, "https://www.tiktok.com/@x/video/7311111111111111111")
            for label in ("Драка, насилие между детьми", "Нет", "город Астана"):
                press(stack, user, label)
        messages = {user: stack.last_bot_message(user)["message_id"] for user in users}
        with ThreadPoolExecutor(len(users)) as pool:
            results = list(pool.map(lambda u: stack.double.press_button(u, u, messages[u], text="Отправить"), users))
        assert all(r["status"] == 200 for r in results), results
        reports = stack.reports()
        assert len(reports) == 1 and reporters_of(stack, reports[0]["id"]) == 10
        codes = {code_in(stack.last_bot_message(user)["text"]) for user in users}
        assert codes == {reports[0]["id"]}

    def test_media_keyed_by_file_unique_id(self, stack: Stack) -> None:
        for user in (3201, 3202):
            send_media(stack, user, "video", file_unique_id="AgADsame-video")
            for label in ("Драка, насилие между детьми", "Нет", "город Астана", "Отправить"):
                press(stack, user, label)
        reports = stack.reports()
        assert len(reports) == 1 and reporters_of(stack, reports[0]["id"]) == 2


class TestGroups:
    GROUP = -100_500

    def test_only_an_admin_enables_a_group(self, stack: Stack) -> None:
        say(stack, 9001, "/enable_group", chat_id=self.GROUP)
        assert "только для администраторов" in stack.last_bot_message(self.GROUP)["text"]
        assert stack.doc(f"groups/{self.GROUP}") is None
        say(stack, ADMIN_ID, "/enable_group", chat_id=self.GROUP)
        assert stack.doc(f"groups/{self.GROUP}")["enabled"] is True  # type: ignore[index]

    def test_a_link_in_an_enabled_group_becomes_a_report_with_one_short_reply(self, stack: Stack) -> None:
        say(stack, ADMIN_ID, "/enable_group", chat_id=self.GROUP)
        start(stack, 9002)
        press(stack, 9002, "Педагог")
        press(stack, 9002, "город Алматы")
        say(stack, 9002, "вот видео https://www.instagram.com/reel/Grp123/?igsh=abc", chat_id=self.GROUP)
        reply = stack.last_bot_message(self.GROUP)
        code = code_in(reply["text"])
        report = stack.doc(f"reports/{code}")
        assert report is not None and report["source"] == "group" and report["region"] == "75"
        assert report["urls"] == ["https://instagram.com/p/Grp123"]
        say(stack, 9003, "https://instagram.com/reel/Grp123", chat_id=self.GROUP)
        assert stack.doc(f"reports/{code}")["reporter_count"] in (1, 2)  # type: ignore[index]

    def test_unknown_region_is_asked_with_buttons_only_the_author_may_press(self, stack: Stack) -> None:
        say(stack, ADMIN_ID, "/enable_group", chat_id=self.GROUP)
        say(stack, 9004, "https://vk.com/clip-1_5", chat_id=self.GROUP)
        question = stack.last_bot_message(self.GROUP)
        assert "регион" in question["text"] and stack.reports() == []
        stack.double.press_button(9005, self.GROUP, question["message_id"], text="город Астана")
        assert "не для вас" in stack.double.calls("answerCallbackQuery")[-1]["params"]["text"]
        assert stack.reports() == []
        stack.double.press_button(9004, self.GROUP, question["message_id"], text="город Астана")
        reports = stack.reports()
        assert len(reports) == 1 and reports[0]["region"] == "71" and reports[0]["source"] == "group"

    def test_messages_in_a_group_that_is_not_enabled_are_ignored(self, stack: Stack) -> None:
        say(stack, 9006, "https://vk.com/clip-1_6", chat_id=self.GROUP)
        assert stack.reports() == [] and stack.double.messages(self.GROUP) == []

    def test_the_bots_rights_in_a_group_are_remembered(self, stack: Stack) -> None:
        from devkit.botapi_double.builders import make_my_chat_member_update

        stack.double.post_update(make_my_chat_member_update(self.GROUP, stack.double.bot_id, "administrator"))
        group = stack.doc(f"groups/{self.GROUP}")
        assert group is not None and group["bot_status"] == "administrator"


class TestOutbox:
    def test_a_report_whose_event_could_not_be_published_is_published_by_tick(self, stack: Stack) -> None:
        from datetime import timedelta

        from functions import bootstrap
        from functions.domain.time import utcnow
        from functions.errors import TransientError

        class Down:
            def publish(self, *_: object, **__: object) -> str:
                raise TransientError("Pub/Sub unavailable")

        submitter = bootstrap.submitter()
        real = submitter.events
        submitter.events = Down()
        try:
            code = code_in(report_link(stack, 9101, "https://t.me/chan/4242"))
        finally:
            submitter.events = real
        assert stack.doc(f"reports/{code}")["fanout_pending"] is True  # type: ignore[index]
        events = stack.pull_subscription("reports")
        assert bootstrap.build(utcnow).ticker().run()["republished"] == 0
        later = bootstrap.build(lambda: utcnow() + timedelta(minutes=2)).ticker()
        assert later.run()["republished"] == 1
        published = stack.pull(events)
        assert published[0]["data"]["report_id"] == code and published[0]["data"]["type"] == "report.created"
