"""The staff console in headless Chromium (Selenium), window.Telegram.WebApp stubbed by the test with initData
signed by the test token, against the emulators: what each person sees, the take race with the bot, the case
file's tracks and conversation, the dashboard against /stats, revocation, refused initData; screenshots at
phone size, light and dark, into artifacts/screenshots/."""

from __future__ import annotations

import json
import os
import shutil
import time
from collections.abc import Iterator
from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from typing import Any

import pytest

from devkit.botapi_double.builders import make_callback_update
from functions import bootstrap
from functions.domain import callbacks
from functions.domain.takedown import TakedownState, new_record
from functions.domain.time import utcnow
from tests.integration.console_helpers import console_url, init_data
from tests.integration.helpers import say
from tests.integration.test_oversight import seed
from tests.integration.test_staff import add_staff
from tests.stack import ADMIN_ID, ROOT, Stack, wait_for

CHROMIUM = shutil.which("chromium") or shutil.which("chromium-browser")
DRIVER = shutil.which("chromedriver")
SHOTS = ROOT / "artifacts" / "screenshots"
PHONE = (390, 844)
OFFICER_71 = 812_071
SPECIALIST = 812_100
THEMES: dict[str, dict[str, str]] = {
    "light": {
        "bg_color": "#ffffff",
        "text_color": "#000000",
        "hint_color": "#707579",
        "link_color": "#2481cc",
        "button_color": "#2481cc",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#f1f1f4",
    },
    "dark": {
        "bg_color": "#17212b",
        "text_color": "#f5f5f5",
        "hint_color": "#708499",
        "link_color": "#6ab3f3",
        "button_color": "#5288c1",
        "button_text_color": "#ffffff",
        "secondary_bg_color": "#232e3c",
    },
}

if not (CHROMIUM and DRIVER):
    if os.environ.get("CI"):
        raise RuntimeError("chromium and chromium-driver are required in CI (.ci/run installs them)")
    pytest.skip(
        "chromium / chromedriver not installed (apt-get install chromium chromium-driver)", allow_module_level=True
    )


class Browser:
    """One headless Chromium at phone size, opening the console as a chosen person."""

    def __init__(self) -> None:
        from selenium import webdriver
        from selenium.webdriver.chrome.service import Service

        options = webdriver.ChromeOptions()
        options.binary_location = str(CHROMIUM)
        for argument in ("--headless=new", "--no-sandbox", "--disable-dev-shm-usage", "--disable-gpu"):
            options.add_argument(argument)
        options.add_argument(f"--window-size={PHONE[0]},{PHONE[1]}")
        self.driver = webdriver.Chrome(service=Service(str(DRIVER)), options=options)
        self.driver.set_page_load_timeout(30)
        metrics = {"width": PHONE[0], "height": PHONE[1], "deviceScaleFactor": 2, "mobile": True}
        self.driver.execute_cdp_cmd("Emulation.setDeviceMetricsOverride", metrics)
        self._script: str | None = None

    def open(self, stack: Stack, user_id: int, *, theme: str = "light", data: str | None = None) -> None:
        """Load the console with window.Telegram.WebApp stubbed as Telegram's client would provide it."""
        stub = {
            "initData": data if data is not None else init_data(user_id),
            "initDataUnsafe": {"user": {"id": user_id, "language_code": "ru"}},
            "themeParams": THEMES[theme],
            "colorScheme": theme,
        }
        source = (
            "window.Telegram = {WebApp: Object.assign(" + json.dumps(stub) + ", {ready() {}, expand() {},"
            " showConfirm(text, done) { done(true); }, BackButton: {show() {}, hide() {}, onClick() {}}})};"
        )
        if self._script is not None:
            self.driver.execute_cdp_cmd("Page.removeScriptToEvaluateOnNewDocument", {"identifier": self._script})
        added = self.driver.execute_cdp_cmd("Page.addScriptToEvaluateOnNewDocument", {"source": source})
        self._script = str(added["identifier"])
        self.driver.get(console_url(stack))

    def find(self, css: str, timeout: float = 20.0) -> Any:
        from selenium.webdriver.common.by import By
        from selenium.webdriver.support import expected_conditions
        from selenium.webdriver.support.ui import WebDriverWait

        return WebDriverWait(self.driver, timeout).until(
            expected_conditions.presence_of_element_located((By.CSS_SELECTOR, css))
        )

    def all(self, css: str) -> list[Any]:
        from selenium.webdriver.common.by import By

        return list(self.driver.find_elements(By.CSS_SELECTOR, css))

    def codes(self) -> list[str]:
        self.find("#queue")
        wait_for(lambda: not self.all("main > p.hint") or self.all("#queue article") or "пока" in self.text())
        return [str(a.get_attribute("data-code")) for a in self.all("#queue article")]

    def text(self) -> str:
        return str(self.driver.find_element("css selector", "main").text)

    def shot(self, name: str) -> None:
        time.sleep(0.3)  # the last paint
        SHOTS.mkdir(parents=True, exist_ok=True)
        self.driver.save_screenshot(str(SHOTS / f"{name}.png"))

    def quit(self) -> None:
        self.driver.quit()


@pytest.fixture(scope="module")
def browser() -> Iterator[Browser]:
    made = Browser()
    try:
        yield made
    finally:
        made.quit()


@pytest.fixture
def cases(stack: Stack) -> dict[str, str]:
    add_staff(OFFICER_71, "regional", ("71",))
    add_staff(SPECIALIST, "specialist", on_duty=True)
    now = utcnow()
    made = {
        "a71": seed(stack, 11, created=now - timedelta(hours=30), region="71"),
        "a71_new": seed(stack, 12, created=now - timedelta(hours=3), region="71", severity="urgent"),
        "a75": seed(stack, 13, created=now - timedelta(hours=5), region="75"),
        "old79": seed(stack, 14, created=now - timedelta(days=3), region="79", category="bullying"),
    }
    return made


def conversation_and_links(stack: Stack, code: str) -> None:
    """The case's two tracks as the bot leaves them: a link removed, one live; a reporter's message and the
    committee's answer; a child waiting for first contact."""
    now = utcnow()
    events = stack.db.collection(f"reports/{code}/events")
    events.document("msg-in").set(
        {"type": "message", "dir": "in", "reporter": 1, "role": "parent", "text": "Видео всё ещё висит", "at": now}
    )
    events.document("msg-out").set(
        {"type": "message", "dir": "out", "by": SPECIALIST, "text": "Спасибо, мы написали площадке", "at": now}
    )
    stack.db.document(f"reports/{code}").update({"child_request": True})
    store = bootstrap._default.takedown().store()
    removed = new_record(code, "https://t.me/chan/11", now - timedelta(hours=20), region="71")
    live = new_record(code, "https://www.tiktok.com/@x/video/7300000000000000011", now - timedelta(hours=20), "71")
    store.track([removed, live])
    store.save_link(removed.model_copy(update={"state": TakedownState.REMOVED, "removed_at": now}))


class TestConsoleInTheBrowser:
    def test_an_officer_sees_only_their_region(self, stack: Stack, browser: Browser, cases: dict[str, str]) -> None:
        browser.open(stack, OFFICER_71)
        assert browser.codes() == [cases["a71_new"], cases["a71"]]
        assert browser.find("html").get_attribute("class") == ""
        browser.shot("queue-light")
        browser.open(stack, OFFICER_71, theme="dark")
        assert browser.codes() == [cases["a71_new"], cases["a71"]]
        assert "dark" in str(browser.find("html").get_attribute("class"))
        browser.shot("queue-dark")

    def test_the_track_filters_narrow_the_queue(self, stack: Stack, browser: Browser, cases: dict[str, str]) -> None:
        from selenium.webdriver.support.ui import Select

        stack.db.document(f"reports/{cases['a71']}").update({"contact_pending": True, "child_request": True})
        stack.db.document(f"reports/{cases['a71_new']}").update({"content_state": "live"})
        browser.open(stack, OFFICER_71)
        assert browser.codes() == [cases["a71_new"], cases["a71"]]
        Select(browser.find("select[name=child]")).select_by_value("contact_pending")
        wait_for(lambda: browser.codes() == [cases["a71"]])
        assert "ждёт первого контакта" in browser.find(f"article[data-code='{cases['a71']}']").text
        Select(browser.find("select[name=child]")).select_by_value("")
        Select(browser.find("select[name=content]")).select_by_value("live")
        wait_for(lambda: browser.codes() == [cases["a71_new"]])
        Select(browser.find("select[name=content]")).select_by_value("removed")
        wait_for(lambda: browser.codes() == [])
        Select(browser.find("select[name=content]")).select_by_value("")

    def test_take_in_the_console_racing_a_take_in_the_bot(
        self, stack: Stack, browser: Browser, cases: dict[str, str]
    ) -> None:
        code = cases["a71"]
        browser.open(stack, OFFICER_71)
        browser.codes()
        button = browser.find(f'article[data-code="{code}"] button[data-action="take"]')
        message = {
            "message_id": 5,
            "date": int(time.time()),
            "chat": {"id": SPECIALIST, "type": "private"},
            "text": code,
        }
        press = make_callback_update(SPECIALIST, 5, callbacks.case("take", code), SPECIALIST, message=message)
        with ThreadPoolExecutor(2) as pool:
            in_bot = pool.submit(stack.double.post_update, press)
            pool.submit(button.click).result()
            assert in_bot.result()["status"] == 200
        report = wait_for(
            lambda: (
                (stack.doc(f"reports/{code}") or {}) if (stack.doc(f"reports/{code}") or {}).get("assignee") else None
            )
        )
        assert report["assignee"] in {OFFICER_71, SPECIALIST} and report["status"] == "in_progress"
        time.sleep(1.0)  # whichever lost has been answered
        events = [e.to_dict() or {} for e in stack.db.collection(f"reports/{code}/events").stream()]
        takes = [e for e in events if e.get("type") == "transition" and e.get("action") == "take"]
        assert len(takes) == 1 and takes[0]["by"] == report["assignee"]

    def test_the_case_file_shows_both_tracks_and_the_conversation(
        self, stack: Stack, browser: Browser, cases: dict[str, str]
    ) -> None:
        code = cases["a71"]
        conversation_and_links(stack, code)
        for theme in ("light", "dark"):
            browser.open(stack, OFFICER_71, theme=theme)
            browser.codes()
            browser.find(f'article[data-code="{code}"] h3 a').click()
            browser.find("#history li")
            text = browser.text()
            assert "Видео всё ещё висит" in text and "Спасибо, мы написали площадке" in text
            assert "https://t.me/chan/11 — удалено" in text and "7300000000000000011 — ещё не проверено" in text
            assert browser.find("#child").text and "первый контакт" in browser.find("#child").text.lower()
            assert not browser.all("img, video, audio, iframe")
            browser.shot(f"case-{theme}")

    def test_the_dashboard_equals_stats(self, stack: Stack, browser: Browser, cases: dict[str, str]) -> None:
        browser.open(stack, ADMIN_ID)
        browser.codes()
        browser.find("#tab-dashboard").click()
        summary = browser.find("#summary-text").text
        tiles = {t.get_attribute("data-region"): t.text for t in browser.all("#tiles .tile")}
        assert len(tiles) == 20 and tiles["71"].endswith("2") and tiles["75"].endswith("1")
        say(stack, ADMIN_ID, "/stats")
        bot = wait_for(lambda: [t for t in stack.bot_texts(ADMIN_ID) if t.startswith(summary[:20])])
        assert bot[-1].split() == summary.split()
        assert browser.find("#total").get_attribute("data-total") == "4"
        browser.shot("dashboard-light")
        browser.open(stack, ADMIN_ID, theme="dark")
        browser.codes()
        browser.find("#tab-dashboard").click()
        browser.find("#chart canvas")
        browser.shot("dashboard-dark")

    def test_a_revoked_persons_next_request_is_refused(
        self, stack: Stack, browser: Browser, cases: dict[str, str]
    ) -> None:
        browser.open(stack, SPECIALIST)
        assert cases["a75"] in browser.codes()
        say(stack, ADMIN_ID, f"/revoke {SPECIALIST}")
        wait_for(lambda: (stack.doc(f"staff/{SPECIALIST}") or {}).get("active") is False)
        browser.find("#tab-dashboard").click()
        assert "Доступ закрыт" in browser.find("#refused").text

    @pytest.mark.parametrize("kind", ["forged", "expired", "replayed"])
    def test_refused_initdata(self, stack: Stack, browser: Browser, cases: dict[str, str], kind: str) -> None:
        if kind == "forged":
            data = init_data(OFFICER_71, token="1000001:not-the-bot")
        elif kind == "expired":
            data = init_data(OFFICER_71, at=utcnow() - timedelta(minutes=10))
        else:
            data = init_data(OFFICER_71)
            browser.open(stack, OFFICER_71, data=data)
            browser.codes()
        browser.open(stack, OFFICER_71, data=data)
        refused = browser.find("#refused").text
        assert {"forged": "forged", "expired": "expired", "replayed": "already used"}[kind] in refused
        assert not browser.all("#queue article")
