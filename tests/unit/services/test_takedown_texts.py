"""What /stats, the digest and /export say of the takedown track (kk and ru from the catalogs)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest

from functions.domain.liveness import Answer
from functions.domain.takedown import Takedown, new_record, reported, with_check
from functions.services import takedown_texts

T0 = datetime(2026, 3, 2, 9, 0, tzinfo=UTC)
H = timedelta(hours=1)
TT = "https://tiktok.com/video/7301234567890123456"
YT = "https://youtube.com/watch?v=AbCdEfGh1_-"


def removed_after(hours: int, code: str = "R7K3M9Q", url: str = TT) -> Takedown:
    record = reported(new_record(code, url, T0, "71", "violence"), by=1, at=T0 + H, reference="TT-1")
    record = with_check(record, T0 + hours * H, Answer.GONE)
    return with_check(record, T0 + (hours + 2) * H, Answer.GONE)


@pytest.mark.parametrize("lang", ["kk", "ru"])
def test_stats_lines_per_platform(lang: str) -> None:
    now = T0 + timedelta(days=10)
    up = with_check(new_record("R2222222", YT, T0, "71", "violence"), T0 + H, Answer.LIVE)
    lines = takedown_texts.stats_lines(lang, [removed_after(10), removed_after(30), up], now)
    text = "\n".join(lines)
    assert "TikTok" in text and "YouTube" in text and "p90" in text and "50%" in text
    assert takedown_texts.stats_lines(lang, [], now) == []


def test_the_digest_lists_the_links_up_longest() -> None:
    now = T0 + timedelta(days=9)
    old = with_check(new_record("R2222222", YT, T0, "71", "violence"), T0 + H, Answer.LIVE)
    new = with_check(new_record("R3333333", TT, now - 3 * H, "71", "violence"), now, Answer.LIVE)
    lines = takedown_texts.digest_lines("ru", [new, removed_after(5), old], now)
    assert lines[0] == "Дольше всего доступны:"
    assert lines[1].startswith("R2222222 · YouTube · 9 д") and lines[2].startswith("R3333333 · TikTok")
    assert takedown_texts.digest_lines("ru", [removed_after(5)], now) == []


def test_export_cells_of_a_case() -> None:
    cells = takedown_texts.export_cells([removed_after(10), removed_after(30, url=YT)])
    links, removed, first_notice, references, done_at, hours = cells
    assert (links, removed, references, hours) == (2, 2, "TT-1", 30.0)
    assert first_notice == datetime(2026, 3, 2, 15, 0) and done_at == datetime(2026, 3, 3, 20, 0)
    assert takedown_texts.export_cells([]) == [0, 0, None, None, None, None]
    assert len(takedown_texts.export_headers("kk")) == len(takedown_texts.EXPORT_COLUMNS)
