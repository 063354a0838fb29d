"""The console's dashboard times by region against the emulators: time to take, to first contact and to removal
of each region are the figures `/stats <days>d <region>` shows for that region (the same Statistics code, the same
roll-ups and takedown records), and the dashboard of one region has the very summary /stats sends."""

from __future__ import annotations

from datetime import timedelta
from typing import Any

from functions.adapters.firestore.takedowns import TakedownStore
from functions.domain.takedown import TakedownState, new_record
from functions.domain.time import utcnow
from functions.i18n import t
from functions.services.stats import median_text
from functions.services.takedown_texts import platform_name
from functions.services.texts import duration_text
from tests.integration.console_helpers import call, sign_in
from tests.integration.helpers import say
from tests.integration.test_console_api import OFFICER_71
from tests.integration.test_oversight import seed
from tests.integration.test_staff import add_staff
from tests.stack import ADMIN_ID, Stack, wait_for

TIKTOK = "https://www.tiktok.com/@someone/video/7300000000000000001"


def seed_times(stack: Stack) -> dict[str, str]:
    """Astana (71): three cases taken after 1, 2 and 4 h, first contacts after 30 and 90 min, two TikTok links
    (one removed 5 h after intake); Almaty (75): one case taken after 3 h."""
    now = utcnow()
    made: dict[str, str] = {}
    for n, (take_hours, contact_minutes) in enumerate(((1, 30), (2, 90), (4, None)), start=21):
        created = now - timedelta(hours=10 + n)
        made[f"c{n}"] = seed(
            stack,
            n,
            created=created,
            status="in_progress",
            assignee=ADMIN_ID,
            taken=created + timedelta(hours=take_hours),
            first_contact_at=created + timedelta(minutes=contact_minutes) if contact_minutes else None,
        )
    created = now - timedelta(hours=8)
    made["a75"] = seed(
        stack, 31, created=created, region="75", status="in_progress", taken=created + timedelta(hours=3)
    )
    links = TakedownStore(stack.db, utcnow)
    intake = now - timedelta(hours=31)
    for i, removed in enumerate((True, False)):
        record = new_record(made["c21"], f"{TIKTOK}{i}", intake, region="71", category="violence")
        if removed:
            record = record.model_copy(
                update={"state": TakedownState.REMOVED, "removed_at": intake + timedelta(hours=5)}
            )
        else:
            record = record.model_copy(update={"state": TakedownState.LIVE})
        links.save_link(record)
    return made


def stats_text(stack: Stack, who: int, arg: str) -> str:
    """The summary /stats sends for an argument (the message after the chart)."""
    before = len(stack.bot_texts(who))
    say(stack, who, f"/stats {arg}")
    texts = wait_for(lambda: [x for x in stack.bot_texts(who)[before:] if x.startswith(t("ru", "stats_header")[:6])])
    return texts[-1]


def region_row(data: dict[str, Any], code: str) -> dict[str, Any]:
    return next(row for row in data["times_by_region"] if row["region"] == code)


def minutes(value: float | None) -> str:
    return duration_text("ru", timedelta(minutes=value)) if value is not None else "—"


def test_times_by_region_are_the_figures_of_stats_for_that_region(stack: Stack) -> None:
    seed_times(stack)
    token = sign_in(stack, ADMIN_ID)
    data = call(stack, "GET", "api/dashboard", token, days="30").json()
    for code in ("71", "75"):
        row = region_row(data, code)
        text = stats_text(stack, ADMIN_ID, f"30d {code}")
        take = t("ru", "stats_median_take", value=median_text("ru", row["median_take_minutes"]), n=row["taken"])
        assert take in text.splitlines()
        if row["contacts"]:
            contact = t(
                "ru",
                "stats_ch_contact",
                median=minutes(row["median_contact_minutes"]),
                p90=minutes(row["p90_contact_minutes"]),
                n=row["contacts"],
            )
            assert contact in text.splitlines()
        if row["links"]:
            line = t("ru", "td_stats_platform", platform=platform_name("tiktok"), removed=row["removed"],
                     links=row["links"], reported=0)  # fmt: skip
            assert line in text.splitlines()
    astana, almaty = region_row(data, "71"), region_row(data, "75")
    assert (astana["cases"], astana["taken"]) == (3, 3) and 60 <= astana["median_take_minutes"] <= 240  # histograms
    assert astana["contacts"] == 2 and astana["median_contact_minutes"] is not None
    assert (astana["links"], astana["removed"], astana["median_removal_hours"]) == (2, 1, 5)
    assert (almaty["cases"], almaty["taken"], almaty["contacts"], almaty["links"]) == (1, 1, 0, 0)
    assert almaty["median_contact_minutes"] is None and almaty["median_removal_hours"] is None


def test_one_regions_dashboard_has_the_summary_of_stats_with_the_child_track(stack: Stack) -> None:
    seed_times(stack)
    add_staff(OFFICER_71, "regional", ("71",))
    data = call(stack, "GET", "api/dashboard", sign_in(stack, OFFICER_71), days="30").json()
    assert data["scope"] == ["71"] and [row["region"] for row in data["times_by_region"]] == ["71"]
    assert t("ru", "stats_ch_header") in data["summary"]  # the child track's lines, as /stats has them
    assert data["summary"] == stats_text(stack, OFFICER_71, "30d")
    assert data["narrow"] is True and set(data["by_status"].values()) == {"<5"}  # the small-count rule
