"""Deployable targets: functions-framework loads this module and registers each target by name.

Each handler runs as its target (functions/topology.py), so a publish or a secret read that the target is not
declared for fails locally as it would under the cloud's IAM.
"""

from functions.console import console as _console
from functions.deliver import deliver as _deliver
from functions.exporter import export as _export
from functions.fanout import fan_out as _fan_out
from functions.tick import tick as _tick
from functions.topology import serving
from functions.webhook import telegram_webhook as _telegram_webhook

telegram_webhook = serving("telegram_webhook")(_telegram_webhook)
fan_out = serving("fan_out")(_fan_out)
deliver = serving("deliver")(_deliver)
tick = serving("tick")(_tick)
export = serving("export")(_export)
console = serving("console")(_console)

__all__ = ["console", "deliver", "export", "fan_out", "telegram_webhook", "tick"]
