"""The chart and the spreadsheet of /stats and /export, read back with their own libraries."""

from __future__ import annotations

import io
import json
from datetime import datetime, timedelta
from typing import Any

from functions.domain.case_rows import CaseRow
from functions.domain.statistics import compute
from tests.unit.builders import NOW, fact


class TestFiles:
    def _stats(self, regions: tuple[str, ...] | None) -> Any:
        facts = [
            fact(i, region="71" if i < 7 else "75", category="bullying" if i < 3 else "violence") for i in range(9)
        ]
        in_scope = [f for f in facts if regions is None or f.region in regions]  # the store applies the scope
        return compute(in_scope, NOW - timedelta(days=7), NOW, regions)

    def test_chart_opens_and_carries_its_numbers_never_small_ones(self) -> None:
        from PIL import Image

        from functions.services import charts

        png = charts.render(self._stats(None), "kk", "барлық өңірлер")
        image = Image.open(io.BytesIO(png))
        assert image.format == "PNG" and image.size[0] >= 900
        data = json.loads(image.text["qorgau"])
        assert {r["code"]: r["count"] for r in data["regions"]}["71"] == 7 and len(data["regions"]) == 20
        assert data["regions"][0]["name"] == "Астана қаласы"
        assert sum(int(d["received"]) for d in data["per_day"]) == 9
        narrow = json.loads(Image.open(io.BytesIO(charts.render(self._stats(("75",)), "ru", "x"))).text["qorgau"])
        assert {d["received"] for d in narrow["per_day"]} <= {"0", "<5"}  # 2 cases on one day in one region

    def test_spreadsheet_opens_with_the_right_rows_and_no_personal_data_unless_given(self) -> None:
        from openpyxl import load_workbook

        from functions.services import child_help_texts, export

        rows = [
            {"id": "R2", "status": "resolved", "category": "bullying", "severity": "normal", "region": "71",
             "created_at": NOW - timedelta(hours=5), "taken_at": NOW - timedelta(hours=4), "closed_at": NOW,
             "outcome": "child_helped", "reporter_count": 2, "source": "group",
             "child_help": {"need": "needed", "referral": "line_150", "outcome": "referred"},
             "first_contact_at": NOW - timedelta(hours=4, minutes=30)},
            {"id": "R3", "status": "new", "category": "sexual", "severity": "urgent", "region": "75",
             "created_at": NOW - timedelta(hours=1), "sla_escalated_at": NOW},
        ]  # fmt: skip
        stored = [CaseRow.from_document(str(r["id"]), r) for r in rows]
        stats = self._stats(None)
        plain = load_workbook(io.BytesIO(export.workbook(stored, stats, "ru", "все", None)), read_only=True)
        cases = [tuple(r) for r in plain.worksheets[0].iter_rows(values_only=True)]
        columns = [*export.COLUMNS, *child_help_texts.EXPORT_COLUMNS]
        assert len(cases) == 3 and len(cases[0]) == len(columns)
        first = dict(zip(columns, cases[1], strict=True))
        assert first["code"] == "R2" and first["outcome"] == "ребёнку оказана помощь"
        assert first["created"] == datetime(2026, 3, 10, 4, 5) and first["minutes_to_take"] == 60
        assert first["hours_to_close"] == 5 and first["reporters"] == 2 and first["source"] == "группа"
        second = dict(zip(columns, cases[2], strict=True))
        assert second["sla_escalated"] == "да" and second["closed"] is None
        assert first["ch_col_need"] == "нужна" and first["ch_col_referral"] == "телефон доверия 150"
        assert first["ch_col_minutes"] == 30 and first["ch_col_outcome"] == "передан специалистам"
        assert first["ch_col_first_contact"] == datetime(2026, 3, 10, 4, 35)
        assert not second["ch_col_need"] and second["ch_col_first_contact"] is None
        child = [tuple(r) for r in plain.worksheets[2].iter_rows(values_only=True)]
        assert plain.worksheets[2].title == "Помощь детям"
        assert child[1] == ("город Астана", 1, 1, 100, 30, 30, 1) and child[-1][0] == "Все регионы"
        personal = export.workbook(stored, stats, "kk", "барлығы", {"R2": [7, 5]})
        sheet = load_workbook(io.BytesIO(personal), read_only=True).worksheets[0]
        table = [tuple(r) for r in sheet.iter_rows(values_only=True)]
        assert table[0][-1] == "Хабарлағандардың id-лері" and table[1][-1] == "5, 7" and not table[2][-1]
