"""What the double records of each call: the parameters as sent, and filters over the record."""

from __future__ import annotations

import copy
import json
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from .spec import UploadedFile


@dataclass(frozen=True)
class CallRecord:
    """What the record of a call says besides its answer."""

    method: str
    params: dict[str, Any]
    via_webhook: bool
    http_method: str
    fault: str | None


def chat_key(value: Any) -> str | None:
    if value is None:
        return None
    text = str(value).strip()
    return str(int(text)) if re.match(r"^-?\d+$", text) else text


def call_matches(call: Mapping[str, Any], method: str | None, chat_id: int | str | None) -> bool:
    if method is not None and str(call["method"]).lower() != method.lower():
        return False
    if chat_id is None:
        return True
    return chat_key(call["params"].get("chat_id")) == chat_key(chat_id)


def shown_params(raw: Mapping[str, Any], files: Mapping[str, UploadedFile]) -> dict[str, Any]:
    shown: dict[str, Any] = {}
    for key, value in raw.items():
        if isinstance(value, str) and value[:1] in ("{", "["):
            try:
                shown[key] = json.loads(value)
                continue
            except ValueError:
                pass
        shown[key] = copy.deepcopy(value)
    for key, upload in files.items():
        shown[key] = upload.describe()
    return shown


def shown_decoded(decoded: Mapping[str, Any]) -> dict[str, Any]:
    return {k: (v.describe() if isinstance(v, UploadedFile) else copy.deepcopy(v)) for k, v in decoded.items()}
