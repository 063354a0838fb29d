"""An instance's first report builds only what a report needs: the staff side of the router (lookups, statistics,
exports, the takedown track) waits for the first staff command, button or reply (issue 10's cold start)."""

from __future__ import annotations

import json
import os
import subprocess
import sys

from devkit.botapi_double.builders import make_text_update
from tests.integration.helpers import press, say, start
from tests.stack import ADMIN_ID, ROOT, SECRET, Stack

GROUP = -100_910
STAFF_MODULES = (
    "functions.services.case_lookup",
    "functions.services.stats",
    "functions.services.export_job",
    "functions.services.takedown_actions",
    "functions.services.notes",
)

FIRST_REQUESTS = """
import json, sys
import flask
import main
app = flask.Flask("cold")
statuses, built = [], []
for update in json.loads(sys.argv[1]):
    headers = {"X-Telegram-Bot-Api-Secret-Token": sys.argv[2]}
    with app.test_request_context("/", method="POST", json=update, headers=headers):
        statuses.append(main.telegram_webhook(flask.request).status_code)
    built.append(sorted(m for m in json.loads(sys.argv[3]) if m in sys.modules))
print(json.dumps({"statuses": statuses, "built": built}))
"""


class TestFirstReport:
    def test_a_group_report_and_a_plain_message_leave_the_staff_side_unbuilt_until_a_staff_command(
        self, stack: Stack
    ) -> None:
        say(stack, ADMIN_ID, "/enable_group", chat_id=GROUP)
        start(stack, 9911)
        press(stack, 9911, "Педагог")
        press(stack, 9911, "город Астана")
        updates = [
            make_text_update(9911, "https://vk.com/clip-91_1", GROUP, message_id=5, update_id=910_001),
            make_text_update(9912, "привет", message_id=6, update_id=910_002),
            make_text_update(ADMIN_ID, "/queue", message_id=7, update_id=910_003),
        ]
        argv = [sys.executable, "-c", FIRST_REQUESTS, json.dumps(updates), SECRET, json.dumps(STAFF_MODULES)]
        done = subprocess.run(argv, check=False, cwd=ROOT, env=dict(os.environ), capture_output=True, text=True)
        assert done.returncode == 0, done.stderr[-2000:]
        found = json.loads(done.stdout.strip().splitlines()[-1])
        assert found["statuses"] == [200, 200, 200]
        assert found["built"][:2] == [[], []]  # the report and the plain message: no staff module imported
        assert found["built"][2] == sorted(STAFF_MODULES)  # /queue builds the whole staff side
        assert len(stack.reports()) == 1  # the group report was stored
