"""The /stats chart: bars by region and a line over time, as a PNG. matplotlib is imported only in here, lazily."""

from __future__ import annotations

import io
import json
import math
import os
import tempfile
from typing import Any, Final

from functions.domain.statistics import SMALL_COUNT, Stats
from functions.i18n import t

WIDTH_INCHES: Final = 9.0
DPI: Final = 110
BAR_COLOR: Final = "#2f6db3"
RECEIVED_COLOR: Final = "#c0392b"
CLOSED_COLOR: Final = "#27ae60"


def chart_data(stats: Stats, lang: str) -> dict[str, Any]:
    """What the chart shows, as it may be shown ('<5' where the small-count rule applies); also written into the
    PNG's text chunk ('qorgau'), so that anyone (and the tests) can read the numbers back."""
    regions = sorted(stats.by_region.items(), key=lambda item: (-item[1], item[0]))
    return {
        "days": stats.days,
        "total": stats.total,
        "regions": [{"code": code, "name": t(lang, f"region_{code}"), "count": count} for code, count in regions],
        "per_day": [
            {"day": day.isoformat(), "received": stats.shown(received), "closed": stats.shown(closed)}
            for day, received, closed in stats.per_day
        ],
    }


def render(stats: Stats, lang: str, scope: str) -> bytes:
    """The chart as PNG bytes: a horizontal bar per region, then cases received and closed per day.

    Args:
        stats: the computed statistics (already limited to the person's scope).
        lang: kk or ru, for every label.
        scope: the scope in words, for the title.

    Returns:
        A PNG (Agg backend, no display, no global pyplot state: safe in a threaded server).
    """
    os.environ.setdefault("MPLCONFIGDIR", os.path.join(tempfile.gettempdir(), "matplotlib"))
    from matplotlib.backends.backend_agg import FigureCanvasAgg
    from matplotlib.figure import Figure
    from matplotlib.ticker import MaxNLocator

    data = chart_data(stats, lang)
    regions = list(reversed(data["regions"]))  # barh draws bottom-up: the busiest region on top
    height = 2.6 + 0.28 * max(len(regions), 1) + 3.2
    figure = Figure(figsize=(WIDTH_INCHES, height), dpi=DPI, layout="constrained")
    FigureCanvasAgg(figure)
    bars_axes, line_axes = figure.subplots(
        2, 1, gridspec_kw={"height_ratios": [0.28 * max(len(regions), 1) + 0.8, 3.0]}
    )
    figure.suptitle(t(lang, "chart_title", days=stats.days, scope=scope, total=stats.total), fontsize=12)

    names = [r["name"] for r in regions]
    counts = [r["count"] for r in regions]
    bars_axes.barh(names, counts, color=BAR_COLOR)
    for index, count in enumerate(counts):
        if count:
            bars_axes.text(count, index, f" {count}", va="center", fontsize=8)
    bars_axes.set_title(t(lang, "chart_by_region"), fontsize=10, loc="left")
    bars_axes.xaxis.set_major_locator(MaxNLocator(integer=True))
    bars_axes.tick_params(axis="y", labelsize=8)
    bars_axes.margins(x=0.12)

    days = [day.strftime("%d.%m") for day, _, _ in stats.per_day]
    received = [_plotted(item["received"]) for item in data["per_day"]]
    closed = [_plotted(item["closed"]) for item in data["per_day"]]
    positions = list(range(len(days)))
    line_axes.plot(positions, received, marker="o", markersize=3, color=RECEIVED_COLOR, label=t(lang, "chart_received"))
    line_axes.plot(positions, closed, marker="o", markersize=3, color=CLOSED_COLOR, label=t(lang, "chart_closed"))
    step = max(1, len(days) // 10)
    line_axes.set_xticks(positions[::step], days[::step], fontsize=8)
    if stats.narrow:  # counts 1-4 are drawn inside a band labelled "<5", never as their value
        line_axes.axhspan(0.5, SMALL_COUNT - 0.5, color="#999999", alpha=0.15, label=t(lang, "chart_small"))
        top = max([SMALL_COUNT, *received, *closed])
        stride = max(SMALL_COUNT, SMALL_COUNT * math.ceil(top / (SMALL_COUNT * 6)))
        ticks = [0.0, SMALL_COUNT / 2, *range(SMALL_COUNT, int(top) + stride, stride)]
        line_axes.set_yticks(ticks, ["0", "<5", *(str(int(tick)) for tick in ticks[2:])])
        line_axes.set_ylim(0, ticks[-1] + 0.5)
    else:
        line_axes.yaxis.set_major_locator(MaxNLocator(integer=True))
        line_axes.set_ylim(bottom=0)
    line_axes.set_title(t(lang, "chart_per_day"), fontsize=10, loc="left")
    line_axes.legend(fontsize=8, loc="upper left")
    line_axes.grid(alpha=0.3)

    buffer = io.BytesIO()
    figure.savefig(buffer, format="png", metadata={"qorgau": json.dumps(data, ensure_ascii=False)})
    return buffer.getvalue()


def _plotted(shown: str) -> float:
    """The height a shown count is drawn at: its value, or the middle of the '<5' band."""
    return SMALL_COUNT / 2 if shown == "<5" else float(shown)
