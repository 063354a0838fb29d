"""The /export spreadsheet (XLSX): one row per case, and a summary sheet. openpyxl is imported only in here, lazily."""

from __future__ import annotations

import io
from collections.abc import Mapping, Sequence
from datetime import datetime
from typing import Any, Final

from functions.domain.case import Case
from functions.domain.case_rows import CaseRow
from functions.domain.models import Status
from functions.domain.statistics import Stats
from functions.domain.takedown import Takedown
from functions.domain.time import KZ_TZ
from functions.i18n import t
from functions.services import child_help_texts, takedown_texts

COLUMNS: Final[tuple[str, ...]] = (
    "code",
    "created",
    "category",
    "severity",
    "region_code",
    "region",
    "status",
    "outcome",
    "escalated_to",
    "taken",
    "closed",
    "minutes_to_take",
    "hours_to_close",
    "reporters",
    "source",
    "danger_now",
    "sla_escalated",
    "legal_hold",
    "purged",
)
PERSONAL_COLUMN: Final = "reporter_ids"
WIDTHS: Final[dict[str, int]] = {"code": 11, "created": 17, "category": 30, "region": 26, "status": 22, "outcome": 26}


def local(moment: object) -> datetime | None:
    """A stored time as Kazakhstan wall-clock time without a zone (Excel has no time zones)."""
    if not isinstance(moment, datetime):
        return None
    return moment.astimezone(KZ_TZ).replace(tzinfo=None, microsecond=0)


def outcome_text(lang: str, case: CaseRow) -> str:
    """The closing outcome in words ('' while open)."""
    if not case.outcome:
        return ""
    prefix = "res" if case.status == Status.RESOLVED else "rej"
    return t(lang, f"{prefix}_{case.outcome}")


def row_of(lang: str, case: CaseRow, reporters: dict[str, list[int]] | None) -> list[Any]:
    """One case as a spreadsheet row, in COLUMNS order (plus the reporter ids when asked for)."""
    created, taken = case.created_at, case.taken_at
    closed = case.closed_at if case.status in {Status.RESOLVED, Status.REJECTED} else None
    take_minutes = (
        round((taken - created).total_seconds() / 60, 1) if taken is not None and created is not None else None
    )
    close_hours = (
        round((closed - created).total_seconds() / 3600, 2) if closed is not None and created is not None else None
    )
    yes, no = t(lang, "word_yes"), t(lang, "word_no")
    region = case.region
    row: list[Any] = [
        case.code,
        local(created),
        t(lang, f"cat_{case.category}"),
        t(lang, f"severity_{case.severity}"),
        region,
        t(lang, f"region_{region}") if region else "",
        t(lang, f"status_{case.status.value}"),
        outcome_text(lang, case),
        t(lang, f"esc_{case.escalated_to}") if case.escalated_to else "",
        local(taken),
        local(closed),
        take_minutes,
        close_hours,
        case.reporter_count or 1,
        t(lang, f"source_{'group' if case.source == 'group' else 'private'}"),
        yes if case.child_in_danger else no,
        yes if case.sla_escalated_at else no,
        yes if case.legal_hold else no,
        yes if case.purged_at else no,
    ]
    if reporters is not None:
        row.append(", ".join(str(user_id) for user_id in sorted(reporters.get(case.code, []))))
    return row


def workbook(
    rows: list[CaseRow],
    stats: Stats,
    lang: str,
    scope: str,
    reporters: dict[str, list[int]] | None,
    links: Mapping[str, Sequence[Takedown]] | None = None,
) -> bytes:
    """The XLSX file: sheet 1 the cases (no reporter data unless `reporters` is given), sheet 2 the summary.

    Args:
        rows: the cases, already limited to what the person may see, in order.
        stats: the statistics of the same cases (the summary sheet follows the small-count rule).
        lang: kk or ru, for headers and values.
        scope: the scope in words.
        reporters: reporter Telegram ids by case, only for an admin who asked for personal data.
        links: the takedown records by case (the takedown columns come last, after the child track's), None to
            leave them out.

    Returns:
        The workbook's bytes.
    """
    writer = Writer(lang, personal=reporters is not None, links=links is not None)
    for case in rows:
        writer.add(case, reporters, links)
    return writer.finish(stats, scope)


class Writer:
    """The workbook written as the cases arrive (openpyxl's write-only mode: rows go to a temporary file, so
    memory stays flat however many there are); the summary sheet is written last, from the statistics, and the
    child track's sheet from the few cases that have a figure of that track (kept as they pass)."""

    def __init__(self, lang: str, *, personal: bool, links: bool) -> None:
        from openpyxl import Workbook
        from openpyxl.cell import WriteOnlyCell
        from openpyxl.styles import Font
        from openpyxl.utils import get_column_letter

        self.lang, self.links, self.rows = lang, links, 0
        self.child_rows: list[Case] = []
        self.book = Workbook(write_only=True)
        sheet = self.book.create_sheet(t(lang, "sheet_cases"))
        columns = list(COLUMNS)
        for index, name in enumerate(columns, start=1):
            sheet.column_dimensions[get_column_letter(index)].width = WIDTHS.get(name, 14)
        sheet.freeze_panes = "B2"
        bold = Font(bold=True)
        titles = [t(lang, f"col_{name}") for name in columns]
        titles += child_help_texts.export_headers(lang)  # the child track, then reporter ids if asked
        titles += [t(lang, f"col_{PERSONAL_COLUMN}")] if personal else []
        titles += takedown_texts.export_headers(lang) if links else []
        header = []
        for title in titles:
            cell = WriteOnlyCell(sheet, value=title)
            cell.font = bold
            header.append(cell)
        sheet.append(header)
        self.sheet = sheet

    def add(
        self,
        report: CaseRow,
        reporters: dict[str, list[int]] | None,
        links: Mapping[str, Sequence[Takedown]] | None,
    ) -> None:
        """One case as the next row (the person may see it: the caller checked)."""
        cells = takedown_texts.export_cells((links or {}).get(report.code, ())) if self.links else []
        row = row_of(self.lang, report, reporters)
        case = report.case()  # the child track's rules read a whole case
        child = child_help_texts.export_cells(self.lang, case)
        self.sheet.append(row[: len(COLUMNS)] + child + row[len(COLUMNS) :] + cells)
        self.rows += 1
        if report.child_help is not None or report.first_contact_at is not None:  # a figure of the child track
            self.child_rows.append(case)

    def discard(self) -> None:
        """An attempt that failed: close the rows' temporary file and delete it (a function's /tmp is memory)."""
        import contextlib

        with contextlib.suppress(Exception):
            self.sheet.close()
        writer = getattr(self.sheet, "_writer", None)
        if writer is not None and isinstance(getattr(writer, "out", None), str):
            with contextlib.suppress(OSError, ValueError):
                writer.cleanup()

    def finish(self, stats: Stats, scope: str) -> bytes:
        """The summary sheet, then the file's bytes."""
        lang = self.lang
        summary = self.book.create_sheet(t(lang, "sheet_summary"))
        summary.column_dimensions["A"].width = 40
        summary.column_dimensions["B"].width = 14
        summary.append([t(lang, "sum_scope"), scope])
        summary.append([t(lang, "sum_period"), f"{local(stats.since):%d.%m.%Y} — {local(stats.until):%d.%m.%Y}"])
        summary.append([t(lang, "sum_total"), stats.total])
        summary.append([])
        summary.append([t(lang, "sum_by_status")])
        for status, count in stats.by_status.items():
            summary.append([t(lang, f"status_{status}"), _count(stats, count)])
        summary.append([])
        summary.append([t(lang, "sum_by_category")])
        for category, count in stats.by_category.items():
            summary.append([t(lang, f"cat_{category}"), _count(stats, count)])
        summary.append([])
        summary.append([t(lang, "sum_by_region")])
        for region, count in stats.by_region.items():
            summary.append([t(lang, f"region_{region}"), count])
        summary.append([])
        take = round(stats.median_take_minutes, 1) if stats.median_take_minutes is not None else None
        resolve = round(stats.median_resolve_hours, 2) if stats.median_resolve_hours is not None else None
        summary.append([t(lang, "sum_median_take_minutes"), take])
        summary.append([t(lang, "sum_median_resolve_hours"), resolve])
        if stats.narrow:
            summary.append([t(lang, "stats_small_note")])
        child = self.book.create_sheet(t(lang, "ch_sheet"))  # the help-the-child track, by region
        child.column_dimensions["A"].width = 30
        for line in child_help_texts.summary_rows(lang, self.child_rows):
            child.append(line)
        buffer = io.BytesIO()
        self.book.save(buffer)
        return buffer.getvalue()


def _count(stats: Stats, count: int) -> int | str:
    """A breakdown count as a number, or '<5' where the small-count rule applies."""
    shown = stats.shown(count)
    return count if shown == str(count) else shown
