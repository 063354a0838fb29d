"""Button labels show whole on a phone, and staff buttons are distinct, capitalised verbs.

The limits (functions/i18n BUTTON_CHARS) come from how Telegram's clients draw inline keyboards. Telegram for Android
(the phone most reporters and officers in Kazakhstan use) draws button text in Roboto Medium at 15 dp
(Theme.chat_botButtonPaint) and cuts it with an ellipsis to the button width minus about 10 dp of padding on each
side; a message's keyboard grows to nearly the width of the chat, about 330 dp on a common 360 dp phone, with 5 dp
between buttons. Cyrillic text in that font averages about 8.5 dp a character (Kazakh letters Ә, Ғ, Қ, Ң, Ө, Ұ, Ү, Һ,
І as wide as Russian ones), so:
  full row:        330 - 20            = 310 dp -> 36 characters; 34 allowed (a margin for wide letters)
  half row (2):    (330 - 5) / 2 - 20  = 142 dp -> 16 characters
  third row (3):   (330 - 10) / 3 - 20 =  86 dp -> 10 characters
Telegram for iOS (16 pt on a 375 pt screen) fits at least as much. Characters are counted as Python code points,
so an emoji with a variation selector counts twice: on the safe side.
"""

from __future__ import annotations

import re
from datetime import UTC, datetime
from typing import Any

import pytest

from functions.domain.case import Case
from functions.domain.categories import Category
from functions.domain.child_help import CHILD_OUTCOMES, REFERRALS, Need
from functions.domain.models import REPORTER_ROLES, Status
from functions.domain.regions import REGION_CODES
from functions.domain.workflow import ESCALATION_TARGETS, REJECTIONS, RESOLUTIONS, Role, StaffMember
from functions.i18n import BUTTON_CHARS, button_fits, catalog, t
from functions.services import cards, child_help_texts, keyboards

LANGS = ("kk", "ru")

# Every catalog key used as a button label, with the most buttons that may share its row (1 = a row of its own).
REPORTER_BUTTONS: dict[str, int] = {
    **{f"cat_{c.value}": 1 for c in Category},
    **{f"role_{r}": 1 for r in REPORTER_ROLES if r != "child"},  # paired only when both fit half a row
    "role_child": 1,
    **{f"region_btn_{code}": 1 for code in REGION_CODES},  # paired only when both fit half a row
    "danger_yes": 1,
    "danger_no": 2,
    "danger_unsure": 2,
    "btn_done": 2,
    "btn_skip": 2,
    "btn_send": 2,
    "btn_cancel": 2,
    "btn_lang_kk": 2,
    "btn_lang_ru": 2,
    "btn_region_unknown": 1,
    "btn_withdraw": 1,
    "btn_add_to_case": 1,
    "btn_describe_later": 1,
    "btn_withdraw_yes": 1,
    "btn_edit_desc": 2,
    "btn_add_more": 2,
    "btn_add_link": 2,
    "btn_edit_region": 2,
    "btn_flow_back": 2,
    "btn_child_contact": 1,
    "btn_child_no": 1,
    "btn_conv_answer": 1,
    "btn_conv_not_now": 1,
    "btn_conv_phone": 1,
    "btn_phone_send": 1,  # a reply-keyboard button (Telegram's contact request), a row of its own
}
STAFF_BUTTONS: dict[str, int] = {
    "btn_take": 1,
    "btn_escalate": 2,
    "btn_resolve": 2,
    "btn_reject": 1,
    "btn_reopen": 1,
    "btn_evidence": 1,
    "btn_evidence_confirm": 1,
    "btn_back": 1,
    "btn_mute": 1,
    "btn_invite_cancel": 1,
    "btn_td_reported": 1,
    "btn_td_check": 1,
    "btn_recategorise": 1,
    **{f"btn_esc_{a}": 1 for a in ESCALATION_TARGETS},
    **{f"btn_res_{a}": 1 for a in RESOLUTIONS},
    **{f"btn_rej_{a}": 1 for a in REJECTIONS},
    "btn_write_reporter": 1,
    "btn_conv_first": 1,
    "btn_conv_all": 1,
    "btn_conv_reply": 1,
    "btn_ch_need": 1,
    "btn_ch_referral": 2,
    "btn_ch_outcome": 2,
    "btn_ch_contact": 1,
    **{f"btn_ch_need_{n.value}": 1 for n in Need},
    **{f"btn_ch_ref_{r}": 1 for r in REFERRALS},
    **{f"btn_ch_out_{o}": 1 for o in CHILD_OUTCOMES},
}
BUTTONS = REPORTER_BUTTONS | STAFF_BUTTONS
LOOKS_LIKE_A_BUTTON = re.compile(r"^(btn_|cat_|role_|region_btn_|danger_(yes|no|unsure)$)")


def rows_of(keyboard: dict[str, Any]) -> list[list[dict[str, str]]]:
    rows: list[list[dict[str, str]]] = keyboard["inline_keyboard"]
    return rows


def reporter_keyboards(lang: str) -> list[dict[str, Any]]:
    return [
        keyboards.categories(lang, "abcdef"),
        keyboards.danger(lang, "abcdef"),
        keyboards.roles(lang, "abcdef"),
        keyboards.regions(lang, "abcdef", "region", None),
        *[keyboards.regions(lang, "abcdef", "region", code) for code in REGION_CODES],
        keyboards.evidence_done(lang, "abcdef"),
        keyboards.skip_description(lang, "abcdef"),
        keyboards.confirm(lang, "abcdef"),
        keyboards.languages(),
    ]


def staff_keyboards(lang: str) -> list[dict[str, Any]]:
    admin = StaffMember(user_id=1, role=Role.ADMIN, lang=lang)
    built = []
    for status in Status:
        report = Case.from_document(
            "R7K3M9Q",
            {
                "status": status.value,
                "category": "bullying",
                "region": "71",
                "assignee": 1,
                "urls": ["https://t.me/x/1"],
            },
        )
        built.append(cards.card_keyboard(report, admin))
        built += [cards.card_keyboard(report, admin, menu) for menu in ("escalate", "resolve", "reject")]
        child = report.model_copy(update={"child_request": True})
        built.append(cards.card_keyboard(child, admin))
    built += [child_help_texts.menu_keyboard(lang, "R7K3M9Q", menu) for menu in ("need", "ref", "out")]
    return built


class TestButtonLimits:
    def test_limits_are_the_documented_ones(self) -> None:
        assert BUTTON_CHARS == {1: 34, 2: 16, 3: 10}
        assert button_fits("x" * 16, 2) and not button_fits("x" * 17, 2) and not button_fits("x", 4)

    def test_every_button_key_is_classified(self) -> None:
        for lang in LANGS:
            looks = {key for key in catalog(lang) if LOOKS_LIKE_A_BUTTON.match(key)}
            assert looks <= set(BUTTONS), sorted(looks - set(BUTTONS))
            assert set(BUTTONS) <= set(catalog(lang))

    @pytest.mark.parametrize("lang", LANGS)
    @pytest.mark.parametrize("key", sorted(BUTTONS))
    def test_every_label_fits_its_row(self, lang: str, key: str) -> None:
        label = t(lang, key)
        assert button_fits(label, BUTTONS[key]), f"{lang} {key}: {len(label)} > {BUTTON_CHARS[BUTTONS[key]]}: {label}"

    @pytest.mark.parametrize("lang", LANGS)
    def test_built_keyboards_fit_a_phone(self, lang: str) -> None:
        for keyboard in reporter_keyboards(lang) + staff_keyboards(lang):
            for row in rows_of(keyboard):
                for button in row:
                    assert button_fits(button["text"], len(row)), f"{lang}: {button['text']} in a row of {len(row)}"

    @pytest.mark.parametrize("lang", LANGS)
    def test_labels_in_one_keyboard_are_distinct(self, lang: str) -> None:
        for keyboard in reporter_keyboards(lang) + staff_keyboards(lang):
            labels = [button["text"] for row in rows_of(keyboard) for button in row]
            assert len(labels) == len(set(labels)), labels


class TestRoleKeyboard:
    @pytest.mark.parametrize("lang", LANGS)
    def test_the_child_option_has_a_row_of_its_own_first(self, lang: str) -> None:
        rows = rows_of(keyboards.roles(lang, "abcdef"))
        assert [b["callback_data"] for b in rows[0]] == ["f:abcdef:role:child"]
        assert "18" in rows[0][0]["text"]
        assert sorted(b["callback_data"].rsplit(":", 1)[1] for row in rows for b in row) == sorted(REPORTER_ROLES)

    def test_russian_child_label_is_gender_neutral(self) -> None:
        for key in ("role_child", "child_support", "child_contact_created", "crisis_helplines"):
            assert "(а)" not in t("ru", key) and "(на)" not in t("ru", key) and "(лась)" not in t("ru", key)

    @pytest.mark.parametrize("lang", LANGS)
    def test_staff_cards_name_the_child_in_their_own_words(self, lang: str) -> None:
        assert t(lang, "card_role_child") != t(lang, "role_child")
        staff = StaffMember(user_id=1, role=Role.ADMIN, lang=lang)
        report = Case.from_document(
            "R7K3M9Q", {"status": "new", "category": "bullying", "region": "71", "reporter_role": "child"}
        )
        text, _, _ = cards.card_message(report, staff, now=datetime(2026, 1, 1, tzinfo=UTC), owner_name=None)
        assert t(lang, "card_role_child") in text and t(lang, "role_child") not in text


class TestStaffButtons:
    @pytest.mark.parametrize("lang", LANGS)
    def test_capitalised(self, lang: str) -> None:
        for key in STAFF_BUTTONS:
            first = next(ch for ch in t(lang, key) if ch.isalpha())
            assert first.isupper(), f"{lang} {key}: {t(lang, key)}"

    @pytest.mark.parametrize("lang", LANGS)
    def test_distinct_from_each_other_and_from_the_reporters_buttons(self, lang: str) -> None:
        staff = [t(lang, key) for key in STAFF_BUTTONS]
        assert len(staff) == len(set(staff))
        reporter = {t(lang, key) for key in REPORTER_BUTTONS}
        assert not set(staff) & reporter
        first_words = {t(lang, key).split()[0].rstrip("…:") for key in ("btn_escalate", "btn_resolve", "btn_reject")}
        assert len(first_words) == 3
        assert t(lang, "btn_send").rstrip("…") not in {w.rstrip("…") for w in first_words}

    @pytest.mark.parametrize("lang", LANGS)
    def test_sub_menu_options_start_with_their_menu_verb(self, lang: str) -> None:
        resolve = t(lang, "btn_resolve").rstrip("…")
        reject = t(lang, "btn_reject").rstrip("…")
        assert all(t(lang, f"btn_res_{a}").startswith(resolve + ":") for a in RESOLUTIONS)
        assert all(t(lang, f"btn_rej_{a}").startswith(reject + ":") for a in REJECTIONS)

    def test_a_resolved_case_is_a_state_not_a_button(self) -> None:
        assert t("ru", "btn_resolve") != "Решено…" and t("ru", "status_resolved") == "решено"
