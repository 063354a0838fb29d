"""The words of issue 14: meaning errors stay fixed, kk and ru say the same, the UX texts fit Telegram's limits."""

from __future__ import annotations

import pytest

from functions.domain.workflow import ESCALATION_TARGETS
from functions.i18n import catalog, t
from functions.services.commands import staff_help
from functions.services.delivery import notice_text


def texts(lang: str) -> dict[str, str]:
    return catalog("kk" if lang == "kk" else "ru")


class TestMeaningErrorsStayFixed:
    @pytest.mark.parametrize(
        ("lang", "wrong"),
        [
            ("kk", "Рұқсат алынды"),  # "permission was obtained", the opposite of revoked
            ("kk", "рұқсаты алынды"),
            ("kk", "Рұқсатты алу"),
            ("kk", "шарасыз"),  # "hopeless"
            ("kk", "Зейін қойғаныңызға"),
            ("kk", "заңды түрде сақтау"),  # "store lawfully"
            ("kk", "Заңдық ұстау"),
            ("ru", "Юридическ"),  # a calque of "legal hold"
            ("ru", "удержани"),
            ("ru", "груминг"),
            ("ru", "челлендж"),
            ("ru", "кибербуллинг"),
            ("kk", "груминг"),
            ("kk", "челлендж"),
            ("kk", "кибербуллинг"),
            ("kk", "хат алмасу"),  # postal letters
            ("kk", "хат жазу"),
            ("kk", "Рақмет"),
            ("kk", "кезегіңіз"),  # reads as "your turn"
            ("kk", "Сенгеніңе"),
            ("kk", "Мұны өшіру"),
            ("kk", "солай олар"),  # a calque of «так они распространяются»
            ("ru", "Спасибо за внимательность"),
            ("ru", "в работе у:"),
            ("ru", "подростков"),  # 150 is «для детей и молодёжи» everywhere
            ("kk", "жасөспірімдерге арналған"),
            ("ru", "специалист по сексуальной"),  # reads as an expert *in* it
            ("ru", "специалистам по сексуальной"),
            ("kk", "жыныстық қанау жөніндегі маман"),
        ],
    )
    def test_wrong_wording_is_gone(self, lang: str, wrong: str) -> None:
        assert [key for key, text in texts(lang).items() if wrong in text] == []

    def test_russian_child_texts_are_gender_neutral(self) -> None:
        for key in ("role_child", "child_support", "child_contact_created", "crisis_helplines", "hist_evidence_view"):
            assert not any(mark in t("ru", key) for mark in ("(а)", "(на)", "(лась)")), key

    def test_kazakh_bullying_and_teacher_match_russian(self) -> None:
        assert "Травля" in t("ru", "cat_bullying") and "Қудалау" in t("kk", "cat_bullying")
        assert "Неэтичное" in t("ru", "cat_teacher") and "әдепке жат" in t("kk", "cat_teacher")
        assert "зорлық-зомбылық" in t("kk", "cat_violence")  # «зорлық» alone is read as rape


class TestSameThingEverywhere:
    def test_helpline_150_is_described_one_way(self) -> None:
        for lang, words in (("ru", "150 — телефон доверия для детей и молодёжи"),
                            ("kk", "150 — балалар мен жастарға арналған сенім телефоны")):  # fmt: skip
            mentioning = [key for key, text in texts(lang).items() if "\n150 — " in text]
            assert len(mentioning) >= 4
            assert all(words in texts(lang)[key] for key in mentioning), lang

    def test_111_offers_a_chat_not_letters(self) -> None:
        for key, text in texts("kk").items():
            if "\n111 — " in text:
                assert "чат" in text, key

    def test_thanks_spelled_one_way(self) -> None:
        assert any("Рахмет" in text for text in texts("kk").values())

    def test_committee_official_name(self) -> None:
        # The Committee for the Protection of Children's Rights of the Ministry of Education (since 2022 «Министерство
        # просвещения» / «Оқу-ағарту министрлігі») of the Republic of Kazakhstan, as the ministry names it.
        assert "Комитета по охране прав детей Министерства просвещения Республики Казахстан" in t("ru", "welcome")
        assert "Қазақстан Республикасы Оқу-ағарту министрлігі Балалардың құқықтарын қорғау комитетінің" in t(
            "kk", "welcome"
        )

    @pytest.mark.parametrize("lang", ["kk", "ru"])
    def test_one_escalation_notice_for_every_target_naming_none(self, lang: str) -> None:
        # issue 11, hole 5: a joiner may be the poster of the content, so no reporter hears where a case went
        assert "notice_escalated" not in texts(lang)
        texts_told = {notice_text(lang, "R7K3M9Q", "escalated", target) for target in ESCALATION_TARGETS}
        assert texts_told == {t(lang, "notice_escalated_generic", code="R7K3M9Q")}
        told = texts_told.pop().lower()
        assert "R7K3M9Q".lower() in told
        for target in ESCALATION_TARGETS:
            assert t(lang, f"esc_{target}").lower()[:5] not in told

    def test_crisis_helplines_for_a_child_and_for_an_adult(self) -> None:
        child, adult = t("ru", "crisis_helplines"), t("ru", "crisis_helplines_adult")
        assert "тебе" in child and "Позвони " in child
        assert "вам" in adult and "Позвоните" in adult and "тебе" not in adult
        kk_child, kk_adult = t("kk", "crisis_helplines"), t("kk", "crisis_helplines_adult")
        assert "саған" in kk_child and "сізге" in kk_adult and "саған" not in kk_adult
        for text in (child, adult, kk_child, kk_adult):
            assert all(number in text for number in ("111", "150", "102"))

    def test_the_childs_helplines_include_102(self) -> None:
        assert "102" in t("ru", "child_support") and "102" in t("kk", "child_support")


class TestUxTexts:
    def test_language_prompt_is_bilingual_and_the_same_in_both(self) -> None:
        prompt = t("kk", "lang_first_prompt")
        assert prompt == t("ru", "lang_first_prompt")
        assert "Тілді таңдаңыз" in prompt and "Выберите язык" in prompt

    @pytest.mark.parametrize("lang", ["kk", "ru"])
    def test_bot_descriptions_fit_telegram(self, lang: str) -> None:
        # setMyDescription: 0-512 characters; setMyShortDescription: 0-120 characters (Bot API).
        assert 0 < len(t(lang, "bot_description")) <= 512
        assert 0 < len(t(lang, "bot_short_description")) <= 120

    @pytest.mark.parametrize("lang", ["kk", "ru"])
    def test_staff_help_names_every_staff_command_and_notes(self, lang: str) -> None:
        text = staff_help("admin", lang)  # the admin's /help: every staff command (each role's: its menu's)
        for command in ("/queue", "/case", "/find", "/stats", "/export", "/merge", "/duty", "/hold", "/cleanup"):
            assert command in text
        assert ("ответьте на карточку" if lang == "ru" else "карточкасына жауап") in text

    @pytest.mark.parametrize("lang", ["kk", "ru"])
    def test_reopened_notice_and_expectations(self, lang: str) -> None:
        assert "R7K3M9Q" in t(lang, "notice_reopened", code="R7K3M9Q")
        assert t(lang, "notice_reopened", code="R") != t(lang, "notice_taken", code="R")
        expectations = t(lang, "help_expectations")
        assert len(expectations.split("\n")) == 4  # who sees it, what next, how long, the platform's button

    def test_cleanup_is_in_the_reporters_help(self) -> None:
        assert "/cleanup" in t("ru", "help") and "/cleanup" in t("kk", "help")
