"""Deployable targets: functions-framework loads this module and registers each target by name."""

from functions.deliver import deliver
from functions.fanout import fan_out
from functions.tick import tick
from functions.webhook import telegram_webhook

__all__ = ["deliver", "fan_out", "telegram_webhook", "tick"]
