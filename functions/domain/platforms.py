"""Where each platform takes reports of harmful content (shown on staff cards, never sent to reporters)."""

from __future__ import annotations

from typing import Final

from functions.domain.urls import platform_of

REPORT_PAGES: Final[dict[str, str]] = {
    "tiktok": "https://www.tiktok.com/legal/report",
    "instagram": "https://help.instagram.com/contact/383679321740945",
    "youtube": "https://support.google.com/youtube/answer/2802027",
    "vk": "https://vk.com/support?act=new",
    "telegram": "https://telegram.org/faq#q-there-39s-illegal-content-on-telegram-how-do-i-take-it-down",
    "x": "https://help.x.com/forms/safety-and-sensitive-content",
    "facebook": "https://www.facebook.com/help/reportlinks",
}


def report_pages(urls: list[str]) -> list[tuple[str, str]]:
    """(platform, reporting page) for the hosts of these links, each platform once, in order."""
    seen: dict[str, str] = {}
    for url in urls:
        platform = platform_of(url)
        if platform is not None and platform in REPORT_PAGES and platform not in seen:
            seen[platform] = REPORT_PAGES[platform]
    return list(seen.items())
