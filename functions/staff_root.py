"""The staff side of the router, composed for bootstrap and built on first use: a report never needs it.

Commands, buttons and notes of staff: /queue /case /find, /stats and /export, the card's takedown and child-track
buttons, replies to cards. Their modules (cards and queues, roll-up statistics, export jobs, the takedown track)
are imported when the first staff command, button or reply arrives, not at an instance's first report.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Mapping
from datetime import datetime, timedelta
from typing import TYPE_CHECKING, Any

from functions.config import Settings

if TYPE_CHECKING:
    from functions.adapters.firestore.oversight import OversightStore
    from functions.adapters.firestore.rollups import RollupStore
    from functions.adapters.firestore.stores import CaseStore
    from functions.services.access import Access
    from functions.services.router import StaffButton, StaffCommand, StaffDesk, StaffReply
    from functions.services.staff_admin import StaffAdmin
    from functions.takedown_root import TakedownWiring


class LazyStaffDesk:
    """A StaffDesk built by `build` on the first access to any of its parts (once per instance)."""

    def __init__(self, build: Callable[[], StaffDesk]) -> None:
        self._build = build
        self._desk: StaffDesk | None = None
        self._lock = threading.Lock()

    def _get(self) -> StaffDesk:
        desk = self._desk
        if desk is None:
            with self._lock:
                if self._desk is None:
                    self._desk = self._build()
                desk = self._desk
        return desk

    @property
    def commands(self) -> Mapping[str, StaffCommand]:
        """Staff commands by name."""
        return self._get().commands

    @property
    def buttons(self) -> Mapping[str, StaffButton]:
        """Staff buttons by callback prefix."""
        return self._get().buttons

    @property
    def reply(self) -> StaffReply | None:
        """A staff member's reply to a card (a note)."""
        return self._get().reply


def staff_desk(
    config: Settings,
    cases: CaseStore,
    access: Access,
    oversight: OversightStore,
    rollups: RollupStore,
    takedown: TakedownWiring,
    telegram: Callable[[], Any],
    publisher: Any,
    clock: Callable[[], datetime],
    admin: StaffAdmin,
    case_commands: Mapping[str, StaffCommand],
    child_button: StaffButton,
    case_button: StaffButton,
) -> StaffDesk:
    """Every staff command, button and the notes, with the lookups, statistics and exports they use."""
    from functions.services.case_lookup import COMMANDS as LOOKUP_COMMANDS
    from functions.services.case_lookup import CaseLookup
    from functions.services.export_job import ExportStart
    from functions.services.notes import Notes
    from functions.services.router import StaffDesk
    from functions.services.staff_admin import COMMANDS as ADMIN_COMMANDS
    from functions.services.stats import COMMANDS as STATS_COMMANDS
    from functions.services.stats import Statistics

    lookup = CaseLookup(oversight, access, clock, timedelta(days=config.retention_days))
    exports = ExportStart(telegram, publisher, config.exports_topic)  # telegram: built on first use
    links_since = takedown.store().links_since
    statistics = Statistics(oversight, access, clock, rollups, config.exports_per_hour, links_since, exports)
    commands: dict[str, StaffCommand] = dict.fromkeys(ADMIN_COMMANDS, admin.command)
    commands |= case_commands  # /merge, /mute, /unmute
    commands |= dict.fromkeys(LOOKUP_COMMANDS, lookup.command)
    commands |= dict.fromkeys(STATS_COMMANDS, statistics.command)
    commands["help"] = admin.menu.help
    takedown_actions = takedown.actions()
    commands["ref"] = takedown_actions.command
    buttons = {"s": case_button, "q": lookup.button, "t": takedown_actions.button, "h": child_button}
    buttons["i"] = admin.button
    return StaffDesk(commands=commands, buttons=buttons, reply=Notes(cases, access).reply)
