"""Derive the small Bot API subset the Bot API double validates against from the full bot-api.json spec."""

from __future__ import annotations

import argparse
import json
import re
import sys
from pathlib import Path
from typing import Any

REPO_ROOT = Path(__file__).resolve().parent.parent
DEFAULT_SOURCE = REPO_ROOT.parent / "shared" / "telegram" / "bot-api.json"
DEFAULT_OUT = REPO_ROOT / "devkit" / "botapi_double" / "bot_api_subset.json"

METHODS: tuple[str, ...] = (
    "getMe",
    "getUpdates",
    "setWebhook",
    "deleteWebhook",
    "getWebhookInfo",
    "setMyCommands",
    "deleteMyCommands",
    "getMyCommands",
    "setChatMenuButton",
    "getChatMenuButton",
    "setMyDescription",
    "setMyShortDescription",
    "sendMessage",
    "sendPhoto",
    "sendVideo",
    "sendDocument",
    "sendAnimation",
    "sendAudio",
    "sendVoice",
    "sendVideoNote",
    "sendMediaGroup",
    "copyMessage",
    "forwardMessage",
    "editMessageText",
    "editMessageReplyMarkup",
    "deleteMessage",
    "deleteMessages",
    "answerCallbackQuery",
    "getChat",
    "getChatMember",
    "getChatAdministrators",
    "sendChatAction",
    "leaveChat",
)

# Answer types the double fills in (ChatMember defaults for getChatMember, ChatFullInfo's gift types).
EXTRA_TYPES: tuple[str, ...] = ("ChatMember", "AcceptedGiftTypes", "InputMedia")

_LIMIT_RE = re.compile(r"(\d+)-(\d+) (characters|bytes)")
_MUST_BE_RE = re.compile(r'(?:must be|always) "?([a-z_]+)\b')
_ONE_OF_RE = re.compile(r"[Mm]ust be one of ([^.]*)")


def _base_type(type_name: str) -> str:
    while type_name.startswith("Array of "):
        type_name = type_name[len("Array of ") :]
    return type_name


def _field(raw: dict[str, Any]) -> dict[str, Any]:
    out: dict[str, Any] = {
        "name": raw["name"],
        "types": list(raw["types"]),
        "required": bool(raw["required"]),
    }
    description = str(raw.get("description", ""))
    limit = _LIMIT_RE.search(description)
    if limit:
        out["limit"] = {"min": int(limit.group(1)), "max": int(limit.group(2)), "unit": limit.group(3)}
        if "after entit" in description:
            out["limit"]["after_entities_parsing"] = True
    one_of = _ONE_OF_RE.search(description)
    if one_of and raw["types"] == ["String"]:
        values = re.findall(r'"([^"]+)"', one_of.group(1))
        if values:
            out["enum"] = values
    return out


def _discriminator(type_entry: dict[str, Any]) -> str | None:
    for field in type_entry.get("fields", [])[:1]:
        if field["name"] in ("type", "status"):
            match = _MUST_BE_RE.search(str(field.get("description", "")))
            if match:
                return match.group(1)
    return None


def derive(
    spec: dict[str, Any], methods: tuple[str, ...] = METHODS, extra_types: tuple[str, ...] = EXTRA_TYPES
) -> dict[str, Any]:
    """Return the subset document: the chosen methods and the closure of the types they reference."""
    all_methods: dict[str, Any] = spec["methods"]
    all_types: dict[str, Any] = spec["types"]
    out_methods: dict[str, Any] = {}
    pending: list[str] = list(extra_types)
    for name in methods:
        entry = all_methods[name]
        fields = [_field(f) for f in entry.get("fields", [])]
        out_methods[name] = {"returns": list(entry.get("returns", [])), "fields": fields}
        for f in fields:
            pending.extend(_base_type(t) for t in f["types"])
    out_types: dict[str, Any] = {}
    while pending:
        name = pending.pop()
        if name in out_types or name not in all_types:
            continue
        entry = all_types[name]
        t_out: dict[str, Any] = {"fields": [_field(f) for f in entry.get("fields", [])]}
        if entry.get("subtypes"):
            t_out["subtypes"] = list(entry["subtypes"])
            first = all_types[entry["subtypes"][0]].get("fields", [])
            if first and first[0]["name"] in ("type", "status"):
                t_out["discriminator_field"] = first[0]["name"]
            pending.extend(entry["subtypes"])
        if entry.get("subtype_of"):
            t_out["subtype_of"] = list(entry["subtype_of"])
            disc = _discriminator(entry)
            if disc:
                t_out["discriminator"] = disc
        out_types[name] = t_out
        for f in t_out["fields"]:
            pending.extend(_base_type(t) for t in f["types"])
    return {
        "version": spec.get("version"),
        "release_date": spec.get("release_date"),
        "derived_by": "scripts/derive_bot_api.py",
        "all_method_names": sorted(all_methods),
        "methods": out_methods,
        "types": dict(sorted(out_types.items())),
    }


def _compact(value: Any) -> str:
    return json.dumps(value, ensure_ascii=False, separators=(",", ":"))


def _dump(subset: dict[str, Any]) -> str:
    """Serialise with one line per field: small, and diffs stay readable."""
    lines = ["{"]
    for key in ("version", "release_date", "derived_by", "all_method_names"):
        lines.append(f" {_compact(key)}:{_compact(subset[key])},")
    for section in ("methods", "types"):
        lines.append(f" {_compact(section)}:{{")
        entries = list(subset[section].items())
        for index, (name, entry) in enumerate(entries):
            head = {k: v for k, v in entry.items() if k != "fields"}
            lines.append(f"  {_compact(name)}:{{" + "".join(f"{_compact(k)}:{_compact(v)}," for k, v in head.items()))
            fields = entry.get("fields", [])
            lines.append('   "fields":[' + ("" if fields else "]"))
            for f_index, field in enumerate(fields):
                lines.append("    " + _compact(field) + ("," if f_index < len(fields) - 1 else "]"))
            lines.append("  }" + ("," if index < len(entries) - 1 else ""))
        lines.append(" }" + ("," if section == "methods" else ""))
    lines.append("}")
    text = "\n".join(lines) + "\n"
    if json.loads(text) != subset:
        raise RuntimeError("compact serialisation does not round-trip")
    return text


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--source", type=Path, default=DEFAULT_SOURCE, help="full bot-api.json")
    parser.add_argument("--out", type=Path, default=DEFAULT_OUT, help="subset JSON to write")
    args = parser.parse_args(argv)
    spec = json.loads(args.source.read_text(encoding="utf-8"))
    subset = derive(spec)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(_dump(subset), encoding="utf-8")
    counts = f"{len(subset['methods'])} methods, {len(subset['types'])} types"
    sys.stderr.write(f"wrote {args.out} ({counts}, {subset['version']})\n")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
