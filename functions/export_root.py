"""The export target's part of the composition root (the webhook's half, ExportStart, is wired by bootstrap).

Built from bootstrap's shared client, gateway and access; openpyxl is imported only when a spreadsheet is
written.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from functions import bootstrap
from functions.domain.time import utcnow

if TYPE_CHECKING:
    from functions.services.export_job import ExportRun


def export_run() -> ExportRun:
    """The export target's use case: the cases page by page into one spreadsheet, sent once."""

    def make() -> ExportRun:
        from functions.adapters.firestore.exports import ExportStore
        from functions.services.export_job import ExportRun

        services, config = bootstrap._default, bootstrap.settings()
        store = ExportStore(bootstrap.firestore_client(), utcnow)
        links = services.takedown().store().links_since
        every = config.export_progress_seconds
        return ExportRun(store, services.access(), bootstrap.telegram(), utcnow, links, every)

    return bootstrap._once(bootstrap._built, "export_run", make)
