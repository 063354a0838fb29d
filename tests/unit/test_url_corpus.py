"""The corpus of real URL shapes: one item always gets one form, different items never share one."""

from __future__ import annotations

import json
from collections import Counter, defaultdict
from pathlib import Path

import pytest

from functions.domain.urls import canonical_url, content_key_for_url, needs_resolving, platform_of

CORPUS_DIR = Path(__file__).resolve().parents[1] / "data" / "urls"
SHORT_LINKS = "short_links.jsonl"
# Platforms the takedown track names, with the fewest real shapes each must have in the corpus.
MINIMUM_PER_PLATFORM = {
    "youtube": 40, "instagram": 8, "tiktok": 15, "vk": 20, "ok": 10, "rutube": 10, "vimeo": 20,
    "dailymotion": 10, "twitch": 10, "reddit": 10, "likee": 3, "yappy": 2, "telegram": 10, "x": 20,
}  # fmt: skip


def load(name: str) -> list[dict[str, str | None]]:
    with (CORPUS_DIR / name).open(encoding="utf-8") as handle:
        return [json.loads(line) for line in handle if line.strip()]


ITEMS = [row for path in sorted(CORPUS_DIR.glob("*.jsonl")) if path.name != SHORT_LINKS for row in load(path.name)]
SHORT = load(SHORT_LINKS)
ALL = ITEMS + SHORT


def test_corpus_is_large_enough() -> None:
    assert len({row["url"] for row in ALL}) >= 300
    counts = Counter(row["platform"] for row in ITEMS)
    for platform, minimum in MINIMUM_PER_PLATFORM.items():
        assert counts[platform] >= minimum, platform


def test_every_line_is_complete() -> None:
    for row in ALL:
        assert set(row) == {"url", "canonical", "platform", "source"}
        assert row["url"] and row["canonical"] and row["source"]


@pytest.mark.parametrize("row", ALL, ids=lambda row: str(row["url"])[:80])
def test_canonical_form(row: dict[str, str]) -> None:
    canonical = canonical_url(row["url"])
    assert canonical == row["canonical"]
    assert canonical_url(canonical) == canonical
    assert platform_of(canonical) == row["platform"]


@pytest.mark.parametrize("row", ITEMS, ids=lambda row: str(row["url"])[:80])
def test_item_links_need_no_resolving(row: dict[str, str]) -> None:
    assert not needs_resolving(row["canonical"])


@pytest.mark.parametrize("row", SHORT, ids=lambda row: str(row["url"])[:80])
def test_short_links_need_resolving(row: dict[str, str]) -> None:
    canonical = canonical_url(row["url"])
    assert canonical is not None
    assert needs_resolving(canonical)


def test_one_item_one_form_and_items_never_share_one() -> None:
    forms: dict[str, set[str | None]] = defaultdict(set)
    for row in ALL:
        forms[str(row["canonical"])].add(canonical_url(str(row["url"])))
    assert all(len(found) == 1 for found in forms.values())
    produced = [next(iter(found)) for found in forms.values()]
    assert len(set(produced)) == len(forms)
    assert len({content_key_for_url(str(form)) for form in produced}) == len(forms)


def test_shapes_of_one_item_collapse() -> None:
    # Many items appear under several shapes (embed, share, mobile, legacy hosts); they must have collapsed.
    by_item = Counter(str(row["canonical"]) for row in ITEMS)
    shared = [item for item, count in by_item.items() if count > 1]
    assert len(shared) >= 20
    platforms = {platform_of(item) for item in shared}
    assert {"youtube", "tiktok", "vk", "twitch", "rutube", "telegram", "instagram"} <= platforms
