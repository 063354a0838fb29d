"""The drivers' view of the catalogs (devkit/catalog.py): labels and markers that match what the bot sends."""

from __future__ import annotations

import pytest

from devkit import catalog
from devkit.simulation import CONFIRMATIONS, GROUP_CONFIRMATIONS
from functions.domain.categories import Category
from functions.domain.regions import REGION_CODES
from functions.i18n import t


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_markers_are_in_every_message_made_from_the_template(lang: str) -> None:
    for key in CONFIRMATIONS + GROUP_CONFIRMATIONS:
        marker = catalog.marker(key, lang)
        assert len(marker) >= 10, (key, marker)
        assert marker in t(lang, key, code="R7K3M9Q")


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_markers_tell_confirmations_from_other_messages(lang: str) -> None:
    mine = CONFIRMATIONS + GROUP_CONFIRMATIONS
    others = [text for key, text in catalog.catalog_of(lang).items() if key not in mine]
    for key in mine:
        marker = catalog.marker(key, lang)
        assert not [text for text in others if marker in text], key


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_labels_come_from_the_catalog(lang: str) -> None:
    assert catalog.region_names(lang).keys() == set(REGION_CODES)
    assert catalog.region_name("71", "ru") == "город Астана"
    assert catalog.category_label(Category.VIOLENCE, lang) == t(lang, "cat_violence")
    assert catalog.danger_label(True, lang) == t(lang, "danger_yes")
    assert catalog.danger_label(False, lang) == t(lang, "danger_no")
    assert catalog.label("btn_send", lang) == t(lang, "btn_send")
