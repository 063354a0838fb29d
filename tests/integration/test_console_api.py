"""The staff console's API over HTTP against the emulators: sign-in, every endpoint's authorisation (role x
region x restricted category) and hostile input (forged, expired, replayed initData; bad tokens; bad params)."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

import pytest

from functions.domain.console import issue_token, session_key
from functions.domain.time import utcnow
from tests.integration.console_helpers import call, console_url, init_data, sign_in
from tests.integration.helpers import say
from tests.integration.test_oversight import code_for, seed
from tests.integration.test_staff import add_staff
from tests.stack import ADMIN_ID, TOKEN, Stack, wait_for

OFFICER_71 = 811_071
OFFICER_75 = 811_075
SPECIALIST = 811_100
CHILD_SAFETY = 811_200
STRANGER = 811_999


@pytest.fixture
def world(stack: Stack) -> dict[str, str]:
    """Staff of every role and five open cases: Astana (71), Almaty (75), a restricted one in 71, an urgent one
    in Shymkent (79), one closed."""
    add_staff(OFFICER_71, "regional", ("71",))
    add_staff(OFFICER_75, "regional", ("75",))
    add_staff(SPECIALIST, "specialist", on_duty=True)
    add_staff(CHILD_SAFETY, "child_safety")
    now = utcnow()
    return {
        "a71": seed(stack, 1, created=now - timedelta(hours=30), region="71"),
        "a75": seed(stack, 2, created=now - timedelta(hours=5), region="75"),
        "sexual": seed(stack, 3, created=now - timedelta(hours=60), region="71", category="sexual"),
        "urgent": seed(stack, 4, created=now - timedelta(hours=1), region="79", severity="urgent"),
        "closed": seed(stack, 5, created=now - timedelta(hours=2), region="71", status="resolved"),
    }


def codes(stack: Stack, token: str, **params: str) -> list[str]:
    response = call(stack, "GET", "api/queue", token, **params)
    assert response.status_code == 200, response.text
    return [row["code"] for row in response.json()["cases"]]


class TestPage:
    def test_the_page_has_a_strict_policy_and_no_inline_script_or_secret(self, stack: Stack) -> None:
        response = call(stack, "GET", "")
        assert response.status_code == 200
        csp = response.headers["Content-Security-Policy"]
        assert "script-src 'self'" in csp and "default-src 'none'" in csp and "unsafe" not in csp
        html = response.text
        assert "<script>" not in html and "<script src=" in html and "http" not in html
        for name in ("app.js", "app.css", "vendor/uPlot.iife.min.js", "i18n/kk.json"):
            part = call(stack, "GET", name)
            assert part.status_code == 200 and TOKEN not in part.text, name
            assert part.headers["X-Content-Type-Options"] == "nosniff"

    def test_catalogs_are_served_with_the_same_keys_in_both_languages(self, stack: Stack) -> None:
        kk, ru = call(stack, "GET", "i18n/kk.json").json(), call(stack, "GET", "i18n/ru.json").json()
        assert set(kk) == set(ru) and "console_tab_queue" in kk and "region_71" in kk and "status_new" in kk
        assert kk["console_tab_queue"] != ru["console_tab_queue"]

    @pytest.mark.parametrize(
        "path", ["nope", "%2E%2E/main.py", "vendor/%2E%2E/app.js", "i18n/en.json", "api/nope", "webapp/app.js"]
    )
    def test_unknown_paths_are_404_json(self, stack: Stack, path: str) -> None:
        response = call(stack, "GET", path, "x")
        assert response.status_code in {401, 404}
        assert response.json()["ok"] is False


class TestSignIn:
    def test_staff_get_a_session_token_bound_to_them(self, stack: Stack, world: dict[str, str]) -> None:
        response = call(stack, "POST", "api/session", body={"init_data": init_data(OFFICER_71)})
        assert response.status_code == 200
        data = response.json()
        assert data["user"] == {"id": OFFICER_71, "role": "regional", "regions": ["71"], "lang": "ru"}
        assert response.headers["Cache-Control"] == "no-store" and "set-cookie" not in response.headers
        me = call(stack, "GET", "api/me", data["token"]).json()
        assert me["id"] == OFFICER_71

    def test_forged_initdata_is_refused(self, stack: Stack, world: dict[str, str]) -> None:
        forged = init_data(OFFICER_71, token="1000001:another-bots-token")
        response = call(stack, "POST", "api/session", body={"init_data": forged})
        assert response.status_code == 401 and response.json()["error"] == "initData forged"
        tampered = init_data(OFFICER_71).replace(str(OFFICER_71), str(ADMIN_ID))
        assert call(stack, "POST", "api/session", body={"init_data": tampered}).status_code == 401

    def test_expired_initdata_is_refused(self, stack: Stack, world: dict[str, str]) -> None:
        old = init_data(OFFICER_71, at=utcnow() - timedelta(minutes=6))
        response = call(stack, "POST", "api/session", body={"init_data": old})
        assert response.status_code == 401 and response.json()["error"] == "initData expired"
        future = init_data(OFFICER_71, at=utcnow() + timedelta(hours=1))
        assert call(stack, "POST", "api/session", body={"init_data": future}).status_code == 401

    def test_replayed_initdata_is_refused(self, stack: Stack, world: dict[str, str]) -> None:
        once = init_data(OFFICER_71)
        assert call(stack, "POST", "api/session", body={"init_data": once}).status_code == 200
        again = call(stack, "POST", "api/session", body={"init_data": once})
        assert again.status_code == 401 and again.json()["error"] == "initData already used"

    def test_a_stranger_is_not_let_in(self, stack: Stack, world: dict[str, str]) -> None:
        response = call(stack, "POST", "api/session", body={"init_data": init_data(STRANGER)})
        assert response.status_code == 403 and response.json()["error"] == "not a staff member"

    @pytest.mark.parametrize(
        "body",
        [None, {}, {"init_data": 5}, {"init_data": ""}, {"init_data": "x" * 5000}, {"init_data": "%%%"}, [1, 2]],
    )
    def test_bad_bodies_get_a_clear_4xx(self, stack: Stack, body: Any) -> None:
        response = call(stack, "POST", "api/session", body=body)
        assert 400 <= response.status_code < 500
        assert response.json()["ok"] is False and "Traceback" not in response.text

    def test_not_json_and_wrong_method(self, stack: Stack) -> None:
        url = console_url(stack) + "api/session"
        import httpx

        assert httpx.post(url, content=b"{", headers={"Content-Type": "application/json"}).status_code == 400
        assert httpx.post(url, content=b"init_data=x").status_code == 415
        assert httpx.get(url).status_code == 405
        assert httpx.post(url, content=b"x" * 20_000, headers={"Content-Type": "application/json"}).status_code == 413


class TestTokens:
    @pytest.mark.parametrize("header", ["", "Bearer", "Bearer x.y", "Basic abc", "Bearer " + "a" * 500 + ".b"])
    def test_missing_or_garbage_tokens_are_refused(self, stack: Stack, header: str) -> None:
        import httpx

        response = httpx.get(console_url(stack) + "api/queue", headers={"Authorization": header} if header else {})
        assert response.status_code == 401 and response.json()["ok"] is False

    def test_a_token_of_another_key_or_past_its_time_is_refused(self, stack: Stack, world: dict[str, str]) -> None:
        other = issue_token(session_key("1:other"), ADMIN_ID, utcnow() + timedelta(minutes=5), "n")
        assert call(stack, "GET", "api/queue", other).status_code == 401
        expired = issue_token(session_key(TOKEN), ADMIN_ID, utcnow() - timedelta(seconds=1), "n")
        assert call(stack, "GET", "api/queue", expired).status_code == 401
        fresh = issue_token(session_key(TOKEN), ADMIN_ID, utcnow() + timedelta(minutes=5), "n")
        assert call(stack, "GET", "api/queue", fresh).status_code == 200

    def test_a_revoked_persons_next_request_is_refused(self, stack: Stack, world: dict[str, str]) -> None:
        token = sign_in(stack, SPECIALIST)
        assert call(stack, "GET", "api/queue", token).status_code == 200
        say(stack, ADMIN_ID, f"/revoke {SPECIALIST}")
        wait_for(lambda: (stack.doc(f"staff/{SPECIALIST}") or {}).get("active") is False)
        for path in ("api/queue", "api/dashboard", f"api/cases/{world['a71']}"):
            response = call(stack, "GET", path, token)
            assert response.status_code == 403 and response.json()["error"] == "no staff access"


class TestQueue:
    def test_an_officer_sees_only_their_region_and_nothing_restricted(
        self, stack: Stack, world: dict[str, str]
    ) -> None:
        token = sign_in(stack, OFFICER_71)
        assert codes(stack, token) == [world["a71"]]
        assert call(stack, "GET", "api/queue", token, region="75").status_code == 403

    def test_a_specialist_sees_every_region_but_no_restricted_case(self, stack: Stack, world: dict[str, str]) -> None:
        token = sign_in(stack, SPECIALIST)
        assert codes(stack, token) == [world["urgent"], world["a71"], world["a75"]]  # urgent first, then oldest
        assert codes(stack, token, region="75") == [world["a75"]]

    @pytest.mark.parametrize("who", [ADMIN_ID, CHILD_SAFETY])
    def test_admins_and_child_safety_see_the_restricted_case(
        self, stack: Stack, world: dict[str, str], who: int
    ) -> None:
        token = sign_in(stack, who)
        assert codes(stack, token) == [world["urgent"], world["sexual"], world["a71"], world["a75"]]

    def test_filters(self, stack: Stack, world: dict[str, str]) -> None:
        token = sign_in(stack, ADMIN_ID)
        assert codes(stack, token, severity="urgent") == [world["urgent"]]
        assert codes(stack, token, category="sexual") == [world["sexual"]]
        assert codes(stack, token, age="lt24h") == [world["urgent"], world["a75"]]
        assert codes(stack, token, age="lt48h") == [world["a71"]]
        assert codes(stack, token, age="older") == [world["sexual"]]
        assert codes(stack, token, owner="unassigned", region="71") == [world["sexual"], world["a71"]]
        assert codes(stack, token, owner="mine") == []
        rows = call(stack, "GET", "api/queue", token).json()["cases"]
        first = rows[0]
        assert first["age"] == "lt24h" and first["severity"] == "urgent"
        assert {a["action"] for a in first["actions"]} == {"take", "reject"}

    @pytest.mark.parametrize(
        "params",
        [{"status": "nope"}, {"region": "99"}, {"age": "1h"}, {"owner": "his"}, {"cursor": "abc"}, {"color": "red"}],
    )
    def test_bad_params_are_400(self, stack: Stack, world: dict[str, str], params: dict[str, str]) -> None:
        token = sign_in(stack, ADMIN_ID)
        response = call(stack, "GET", "api/queue", token, **params)
        assert response.status_code == 400 and response.json()["ok"] is False

    def test_cursor_paging_walks_every_case_once(self, stack: Stack) -> None:
        now = utcnow()
        made = {
            seed(stack, 100 + i, created=now - timedelta(minutes=i), severity="urgent" if i % 7 == 0 else "normal")
            for i in range(47)
        }
        token = sign_in(stack, ADMIN_ID)
        seen: list[str] = []
        cursor = ""
        pages = 0
        while True:
            params = {"cursor": cursor} if cursor else {}
            data = call(stack, "GET", "api/queue", token, **params).json()
            seen += [row["code"] for row in data["cases"]]
            pages += 1
            if not data["next"]:
                break
            cursor = data["next"]
        assert sorted(seen) == sorted(made) and len(seen) == len(set(seen))
        assert pages == 3
        urgent = [c for c in seen if c in {code_for(100 + i) for i in range(0, 47, 7)}]
        assert seen[: len(urgent)] == urgent


class TestActions:
    def test_take_once_then_the_second_is_told_who_has_it(self, stack: Stack, world: dict[str, str]) -> None:
        officer, specialist = sign_in(stack, OFFICER_71), sign_in(stack, SPECIALIST)
        body = {"action": "take", "request_id": "req-00000001"}
        taken = call(stack, "POST", f"api/cases/{world['a71']}/action", officer, body)
        assert taken.status_code == 200 and taken.json()["status"] == "in_progress"
        late = call(stack, "POST", f"api/cases/{world['a71']}/action", specialist, body | {"request_id": "req-2222222"})
        assert late.status_code == 409 and "Officer 811071" in late.json()["error"]
        assert (stack.doc(f"reports/{world['a71']}") or {})["assignee"] == OFFICER_71
        events = [e.to_dict() for e in stack.db.collection(f"reports/{world['a71']}/events").stream()]
        assert [e["by"] for e in events if e.get("type") == "transition"] == [OFFICER_71]
        mine = call(stack, "GET", "api/queue", officer, owner="mine").json()["cases"]
        assert [row["code"] for row in mine] == [world["a71"]] and mine[0]["mine"] is True

    def test_out_of_scope_and_restricted_cases_answer_as_absent(self, stack: Stack, world: dict[str, str]) -> None:
        officer = sign_in(stack, OFFICER_71)
        body = {"action": "take", "request_id": "req-00000003"}
        for code in (world["a75"], world["sexual"], "RZZZZZZ"):
            response = call(stack, "POST", f"api/cases/{code}/action", officer, body)
            assert response.status_code == 404 and response.json()["error"] == "case not found"
        assert (stack.doc(f"reports/{world['a75']}") or {})["status"] == "new"

    @pytest.mark.parametrize(
        "body",
        [
            {"action": "fly", "request_id": "req-00000004"},
            {"action": "resolve", "argument": 5, "request_id": "req-00000004"},
            {"action": "take"},
            {"action": "take", "request_id": "x"},
        ],
    )
    def test_bad_actions_are_400(self, stack: Stack, world: dict[str, str], body: dict[str, Any]) -> None:
        token = sign_in(stack, ADMIN_ID)
        response = call(stack, "POST", f"api/cases/{world['a71']}/action", token, body)
        assert response.status_code == 400

    def test_an_illegal_transition_gets_the_bots_words(self, stack: Stack, world: dict[str, str]) -> None:
        token = sign_in(stack, SPECIALIST)
        body = {"action": "resolve", "argument": "content_removed", "request_id": "req-00000005"}
        response = call(stack, "POST", f"api/cases/{world['a75']}/action", token, body)
        assert response.status_code == 409 and response.json()["error"]


class TestCaseFile:
    def test_an_officer_opens_their_case_with_its_history(self, stack: Stack, world: dict[str, str]) -> None:
        officer = sign_in(stack, OFFICER_71)
        call(
            stack, "POST", f"api/cases/{world['a71']}/action", officer, {"action": "take", "request_id": "req-0000006"}
        )
        data = call(stack, "GET", f"api/cases/{world['a71']}", officer).json()
        assert data["status"] == "in_progress" and data["status_only"] is False
        assert data["facts"]["region"] == "71" and data["facts"]["mine"] is True
        assert data["facts"]["description"] == "описание"
        assert any(line["kind"] == "transition" for line in data["history"])
        assert "media" not in data and all("file_id" not in str(v) for v in data.values())

    def test_out_of_scope_is_404(self, stack: Stack, world: dict[str, str]) -> None:
        officer = sign_in(stack, OFFICER_71)
        for code in (world["a75"], world["sexual"], "RZZZZZZ"):
            assert call(stack, "GET", f"api/cases/{code}", officer).status_code == 404

    @pytest.mark.parametrize("code", ["<script>", "a" * 41, "R%2F..%2F"])
    def test_hostile_codes_are_404(self, stack: Stack, world: dict[str, str], code: str) -> None:
        token = sign_in(stack, ADMIN_ID)
        assert call(stack, "GET", f"api/cases/{code}", token).status_code == 404

    def test_a_restricted_case_shows_only_its_status_except_to_child_safety(
        self, stack: Stack, world: dict[str, str]
    ) -> None:
        admin = call(stack, "GET", f"api/cases/{world['sexual']}", sign_in(stack, ADMIN_ID)).json()
        assert admin["status_only"] is True and set(admin) <= {
            "ok",
            "code",
            "status",
            "created_at",
            "restricted",
            "status_only",
        }
        safety = call(stack, "GET", f"api/cases/{world['sexual']}", sign_in(stack, CHILD_SAFETY)).json()
        assert safety["status_only"] is False and safety["facts"]["description"] is None
        assert all(link["url"] is None for link in safety["links"])

    def test_evidence_goes_to_the_persons_chat_protected_and_audited(self, stack: Stack, world: dict[str, str]) -> None:
        stack.connect_chain()  # the evidence pages go out through deliver
        token = sign_in(stack, SPECIALIST)
        response = call(stack, "POST", f"api/cases/{world['a71']}/evidence", token, {"request_id": "req-evidence-1"})
        assert response.status_code == 200 and response.json()["queued"] >= 1  # pages sent by deliver
        sent = wait_for(lambda: [m for m in stack.double.messages(SPECIALIST) if world["a71"] in str(m.get("text"))])
        assert sent[-1].get("protect_content") is True and "https://t.me/chan/1" in sent[-1]["text"]
        events = [e.to_dict() for e in stack.db.collection(f"reports/{world['a71']}/events").stream()]
        assert [e["by"] for e in events if e.get("type") == "evidence_view"] == [SPECIALIST]

    def test_evidence_of_a_restricted_case_is_refused_to_an_admin(self, stack: Stack, world: dict[str, str]) -> None:
        token = sign_in(stack, ADMIN_ID)
        response = call(stack, "POST", f"api/cases/{world['sexual']}/evidence", token, {"request_id": "req-evidence-2"})
        assert response.status_code == 403
        assert stack.double.messages(ADMIN_ID) == []


class TestMenuButton:
    def test_onboarding_sets_the_console_menu_button_and_revoking_resets_it(
        self, stack: Stack, monkeypatch: pytest.MonkeyPatch
    ) -> None:
        from functions import bootstrap

        monkeypatch.setenv("CONSOLE_URL", "https://console.test/")
        bootstrap.reset()
        try:
            say(stack, ADMIN_ID, "/invite specialist")
            code = stack.bot_texts(ADMIN_ID)[-1].split("?start=inv_")[1].split()[0]
            say(stack, 811_500, f"/start inv_{code}")
            button = wait_for(lambda: stack.double.menu_button(811_500))
            assert button["type"] == "web_app" and button["web_app"] == {"url": "https://console.test/"}
            say(stack, ADMIN_ID, "/revoke 811500")
            wait_for(lambda: stack.double.menu_button(811_500) is None)
        finally:
            monkeypatch.delenv("CONSOLE_URL")
            bootstrap.reset()


class TestDashboard:
    @pytest.mark.parametrize("who", [ADMIN_ID, OFFICER_71, SPECIALIST])
    def test_the_numbers_are_those_of_stats(self, stack: Stack, world: dict[str, str], who: int) -> None:
        token = sign_in(stack, who)
        data = call(stack, "GET", "api/dashboard", token, days="30").json()
        say(stack, who, "/stats")
        summary = wait_for(lambda: [t for t in stack.bot_texts(who) if t.startswith(data["summary"][:20])])
        assert summary[-1] == data["summary"]
        if who == OFFICER_71:
            assert data["scope"] == ["71"] and set(data["open_by_region"]) == {"71"}
            assert call(stack, "GET", "api/dashboard", token, region="75").status_code == 403
        if who == ADMIN_ID:
            assert data["total"] == 5 and data["open_by_region"]["79"] == 1

    def test_the_small_count_rule_applies_as_in_stats(self, stack: Stack, world: dict[str, str]) -> None:
        data = call(stack, "GET", "api/dashboard", sign_in(stack, OFFICER_71), days="30").json()
        assert data["narrow"] is True and set(data["by_status"].values()) == {"<5"}

    @pytest.mark.parametrize(
        "params", [{"days": "0"}, {"days": "ab"}, {"days": "30", "region": "zz"}, {"days": "99999"}, {"x": "1"}]
    )
    def test_bad_params_are_400(self, stack: Stack, world: dict[str, str], params: dict[str, str]) -> None:
        assert call(stack, "GET", "api/dashboard", sign_in(stack, ADMIN_ID), **params).status_code == 400
