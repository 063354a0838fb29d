"""Validation of reply_markup (inline and reply keyboards) with Telegram's error texts."""

from __future__ import annotations

import json
import re
from typing import Any

from .spec import ApiError, ShapeError, Spec, bad_request

INLINE_ACTIONS = (
    "url",
    "callback_data",
    "web_app",
    "login_url",
    "switch_inline_query",
    "switch_inline_query_current_chat",
    "switch_inline_query_chosen_chat",
    "copy_text",
    "callback_game",
    "pay",
)
MAX_BUTTONS = 100
_URL_RE = re.compile(r"^(?:(?:https?|tg|ton)://)?[^\s/$.?#][^\s]*$", re.IGNORECASE)
_SCHEME_RE = re.compile(r"^([a-z][a-z0-9+-]*):", re.IGNORECASE)


def decode_markup_param(value: Any) -> Any:
    """Decode reply_markup as it arrived (JSON string or object); raise Telegram's parse error."""
    if isinstance(value, str):
        try:
            return json.loads(value)
        except ValueError:
            raise bad_request("can't parse reply keyboard markup JSON object") from None
    return value


def validate_reply_markup(spec: Spec, value: Any, allowed: tuple[str, ...]) -> dict[str, Any]:
    """Check a decoded reply_markup; ``allowed`` lists the markup type names the method accepts."""
    if not isinstance(value, dict):
        raise bad_request("object expected as reply markup")
    if "inline_keyboard" in value:
        kind = "InlineKeyboardMarkup"
    elif "keyboard" in value:
        kind = "ReplyKeyboardMarkup"
    elif "remove_keyboard" in value or "hide_keyboard" in value:
        kind = "ReplyKeyboardRemove"
    elif "force_reply" in value:
        kind = "ForceReply"
    else:
        raise bad_request("can't parse reply keyboard markup JSON object")
    if kind not in allowed:
        raise bad_request("inline keyboard expected")
    if kind == "InlineKeyboardMarkup":
        _check_inline_keyboard(spec, value)
    elif kind == "ReplyKeyboardMarkup":
        _check_reply_keyboard(spec, value)
    rest = {k: v for k, v in value.items() if k not in ("inline_keyboard", "keyboard")}
    type_spec = spec.types[kind]
    for field in type_spec.fields:
        if field.name in ("inline_keyboard", "keyboard") or field.name not in rest:
            continue
        try:
            spec.check_value(field.types, rest[field.name], field.name)
        except ShapeError as err:
            raise bad_request(f"can't parse reply keyboard markup JSON object: {err}") from None
    return value


def _rows(value: dict[str, Any], field: str, type_name: str) -> list[list[Any]]:
    rows = value[field]
    if not isinstance(rows, list):
        raise bad_request(f'field "{field}" of the {type_name} must be an Array')
    for row in rows:
        if not isinstance(row, list):
            raise bad_request(f'field "{field}" of the {type_name} must be an Array of Arrays')
    if sum(len(row) for row in rows) > MAX_BUTTONS:
        raise bad_request("reply markup is too long")
    return rows


def _check_inline_keyboard(spec: Spec, value: dict[str, Any]) -> None:
    for row in _rows(value, "inline_keyboard", "InlineKeyboardMarkup"):
        for button in row:
            try:
                _check_inline_button(spec, button)
            except ShapeError as err:
                raise bad_request(f"can't parse inline keyboard button: {err}") from None


def _check_inline_button(spec: Spec, button: Any) -> None:
    if not isinstance(button, dict):
        raise ShapeError("InlineKeyboardButton must be an Object")
    if "text" not in button:
        raise ShapeError('Can\'t find field "text"')
    if not isinstance(button["text"], str):
        raise ShapeError('Field "text" must be of type String')
    if "style" in button and button["style"] not in ("danger", "success", "primary"):
        raise ShapeError("invalid button style specified")
    actions = [a for a in INLINE_ACTIONS if button.get(a) is not None and button.get(a) is not False]
    if not actions:
        raise ShapeError("Text buttons are unallowed in the inline keyboard")
    if len(actions) > 1:
        raise ShapeError(f"exactly one button type field must be specified, found {', '.join(actions)}")
    type_spec = spec.types["InlineKeyboardButton"]
    for field in type_spec.fields:
        if field.name in button and button[field.name] is not None:
            spec.check_value(field.types, button[field.name], field.name)
    if not button["text"].strip():
        raise ApiError(400, "Bad Request: BUTTON_TEXT_INVALID")
    action = actions[0]
    if action == "callback_data":
        size = len(button["callback_data"].encode("utf-8"))
        if not 1 <= size <= 64:
            raise ApiError(400, "Bad Request: BUTTON_DATA_INVALID")
    elif action == "url":
        _check_url(button["url"])
    elif action in ("web_app", "login_url"):
        _check_url(str(button[action].get("url", "")), https_only=action == "web_app")
    elif action == "pay" and button["pay"] is not True:
        raise ShapeError('Field "pay" must be True')


def _check_url(url: str, https_only: bool = False) -> None:
    scheme = _SCHEME_RE.match(url)
    if not url or not _URL_RE.match(url) or (scheme and scheme.group(1).lower() not in ("http", "https", "tg", "ton")):
        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")
    if https_only and not url.lower().startswith("https://"):
        raise ApiError(400, "Bad Request: BUTTON_URL_INVALID")


def _check_reply_keyboard(spec: Spec, value: dict[str, Any]) -> None:
    type_spec = spec.types["KeyboardButton"]
    for row in _rows(value, "keyboard", "ReplyKeyboardMarkup"):
        for button in row:
            if isinstance(button, str):
                continue
            try:
                if not isinstance(button, dict):
                    raise ShapeError("KeyboardButton must be a String or an Object")
                spec.check_object(type_spec, button)
            except ShapeError as err:
                raise bad_request(f"can't parse keyboard button: {err}") from None


def inline_markup(value: dict[str, Any] | None) -> dict[str, Any] | None:
    """The part of a reply_markup a Message shows: only inline keyboards are echoed back."""
    if value is not None and "inline_keyboard" in value:
        return {"inline_keyboard": value["inline_keyboard"]}
    return None


def callback_data_of(markup: dict[str, Any] | None, text: str) -> str | None:
    """The callback_data of the inline button with this text, if any."""
    if not markup:
        return None
    for row in markup.get("inline_keyboard", []):
        for button in row:
            if isinstance(button, dict) and button.get("text") == text and "callback_data" in button:
                return str(button["callback_data"])
    return None
