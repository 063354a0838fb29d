"""The derived Bot API subset (methods, types) and Telegram-style decoding and type checking of parameters."""

from __future__ import annotations

import json
import re
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

SUBSET_PATH = Path(__file__).with_name("bot_api_subset.json")
_INT_RE = re.compile(r"^[+-]?\d+$")
_PRIMITIVES = {"Integer", "Float", "Boolean", "String", "True", "InputFile"}


class ApiError(Exception):
    """A Bot API error answer: HTTP status, description and optional ResponseParameters."""

    def __init__(self, code: int, description: str, parameters: dict[str, Any] | None = None) -> None:
        super().__init__(description)
        self.code = code
        self.description = description
        self.parameters = parameters

    def body(self) -> dict[str, Any]:
        out: dict[str, Any] = {"ok": False, "error_code": self.code, "description": self.description}
        if self.parameters:
            out["parameters"] = self.parameters
        return out


def bad_request(message: str) -> ApiError:
    """A 400 answer with Telegram's "Bad Request: " prefix."""
    return ApiError(400, f"Bad Request: {message}")


class ShapeError(ValueError):
    """A JSON value does not match the Bot API type (message in Telegram's JSON-parser wording)."""


@dataclass(frozen=True)
class UploadedFile:
    """A file uploaded in a multipart/form-data request."""

    filename: str
    content_type: str
    size: int

    def describe(self) -> dict[str, Any]:
        return {"uploaded_file": self.filename, "content_type": self.content_type, "size": self.size}


@dataclass(frozen=True)
class FieldSpec:
    """One parameter of a method or field of a type."""

    name: str
    types: tuple[str, ...]
    required: bool
    limit: tuple[int, int, str] | None = None
    after_entities: bool = False
    enum: tuple[str, ...] | None = None


@dataclass(frozen=True)
class TypeSpec:
    """A Bot API object type (fields) or union type (subtypes)."""

    name: str
    fields: tuple[FieldSpec, ...]
    subtypes: tuple[str, ...] = ()
    discriminator: str | None = None
    discriminator_field: str = "type"

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


@dataclass(frozen=True)
class MethodSpec:
    """A Bot API method and its parameters."""

    name: str
    fields: tuple[FieldSpec, ...]
    returns: tuple[str, ...]

    def field(self, name: str) -> FieldSpec | None:
        return next((f for f in self.fields if f.name == name), None)


def _field(raw: Mapping[str, Any]) -> FieldSpec:
    limit = raw.get("limit")
    enum = raw.get("enum")
    return FieldSpec(
        name=str(raw["name"]),
        types=tuple(raw["types"]),
        required=bool(raw["required"]),
        limit=(int(limit["min"]), int(limit["max"]), str(limit["unit"])) if limit else None,
        after_entities=bool(limit and limit.get("after_entities_parsing")),
        enum=tuple(enum) if enum else None,
    )


def _type_label(type_name: str) -> str:
    if type_name.startswith("Array of "):
        return "Array"
    if type_name in ("Integer", "Float"):
        return "Number"
    if type_name in ("Boolean", "True"):
        return "Boolean"
    if type_name in ("String", "InputFile"):
        return "String"
    return "Object"


class Spec:
    """The Bot API subset loaded from bot_api_subset.json."""

    def __init__(self, document: Mapping[str, Any]) -> None:
        self.version = str(document.get("version", ""))
        self.methods: dict[str, MethodSpec] = {}
        for name, entry in document["methods"].items():
            fields = tuple(_field(f) for f in entry.get("fields", []))
            self.methods[name.lower()] = MethodSpec(name, fields, tuple(entry.get("returns", [])))
        self.types: dict[str, TypeSpec] = {}
        for name, entry in document["types"].items():
            self.types[name] = TypeSpec(
                name=name,
                fields=tuple(_field(f) for f in entry.get("fields", [])),
                subtypes=tuple(entry.get("subtypes", [])),
                discriminator=entry.get("discriminator"),
                discriminator_field=str(entry.get("discriminator_field", "type")),
            )
        self.all_methods = {str(n).lower(): str(n) for n in document.get("all_method_names", [])}

    @classmethod
    def load(cls, path: Path = SUBSET_PATH) -> Spec:
        return cls(json.loads(path.read_text(encoding="utf-8")))

    # ---- nested JSON values (objects inside parameters) ----

    def check_value(self, types: Sequence[str], value: Any, name: str) -> Any:
        """Check value against any of the Bot API types; raise ShapeError in Telegram's wording."""
        first_error: ShapeError | None = None
        for type_name in types:
            try:
                return self._check_one(type_name, value, name)
            except ShapeError as err:
                first_error = first_error or err
        if first_error is not None and len(types) == 1:
            raise first_error
        labels = sorted({_type_label(t) for t in types})
        if len(labels) == 1 and first_error is not None:
            raise first_error
        raise ShapeError(f'Field "{name}" must be of type {" or ".join(labels)}')

    def _check_one(self, type_name: str, value: Any, name: str) -> Any:
        if type_name.startswith("Array of "):
            if not isinstance(value, list):
                raise ShapeError(f'Field "{name}" must be of type Array')
            inner = type_name[len("Array of ") :]
            return [self._check_one(inner, item, name) for item in value]
        if type_name == "Integer":
            if isinstance(value, bool) or not isinstance(value, int):
                raise ShapeError(f'Field "{name}" must be of type Number')
            return value
        if type_name == "Float":
            if isinstance(value, bool) or not isinstance(value, (int, float)):
                raise ShapeError(f'Field "{name}" must be of type Number')
            return value
        if type_name in ("Boolean", "True"):
            if not isinstance(value, bool):
                raise ShapeError(f'Field "{name}" must be of type Boolean')
            return value
        if type_name in ("String", "InputFile"):
            if not isinstance(value, str):
                raise ShapeError(f'Field "{name}" must be of type String')
            return value
        spec = self.types.get(type_name)
        if spec is None:
            return value
        if not isinstance(value, dict):
            raise ShapeError(f'Field "{name}" must be of type Object')
        return self.check_object(spec, value)

    def check_object(self, spec: TypeSpec, value: dict[str, Any]) -> dict[str, Any]:
        """Check a JSON object against a type (resolving a union type through its discriminator)."""
        if spec.subtypes:
            key = spec.discriminator_field
            kind = value.get(key)
            if not isinstance(kind, str):
                raise ShapeError(
                    f'Can\'t find field "{key}"' if kind is None else f'Field "{key}" must be of type String'
                )
            for sub in spec.subtypes:
                sub_spec = self.types.get(sub)
                if sub_spec is not None and sub_spec.discriminator == kind:
                    return self.check_object(sub_spec, value)
            raise ShapeError(f'Unsupported type "{kind}" of {spec.name}')
        for f in spec.fields:
            if f.name not in value or value[f.name] is None:
                if f.required:
                    raise ShapeError(f'Can\'t find field "{f.name}"')
                continue
            self.check_value(f.types, value[f.name], f.name)
            if spec.discriminator is not None and f is spec.fields[0] and value[f.name] != spec.discriminator:
                raise ShapeError(f'Field "{f.name}" must be "{spec.discriminator}"')
            if f.enum is not None and value[f.name] not in f.enum:
                raise ShapeError(f'Field "{f.name}" must be one of {", ".join(f.enum)}')
            if f.limit is not None and isinstance(value[f.name], str) and not f.after_entities:
                low, high, unit = f.limit
                size = len(value[f.name].encode("utf-8")) if unit == "bytes" else len(value[f.name])
                if not low <= size <= high:
                    raise ShapeError(f'Field "{f.name}" must be {low}-{high} {unit} long')
        return value

    # ---- top-level parameters ----

    def decode_params(
        self,
        method: MethodSpec,
        raw: Mapping[str, Any],
        files: Mapping[str, UploadedFile],
        typed: bool,
        skip: Sequence[str] = (),
    ) -> dict[str, Any]:
        """Decode and type-check the method's parameters (unknown ones are ignored, like Telegram does).

        ``typed`` is true for a JSON body (values keep their JSON types); otherwise every value is a string
        (query string, form-urlencoded, multipart). Empty values count as absent, as in Telegram.
        Parameters named in ``skip`` are returned undecoded for the caller to check.
        """
        out: dict[str, Any] = {}
        for f in method.fields:
            if f.name in files and "InputFile" in f.types:
                out[f.name] = files[f.name]
                continue
            if f.name not in raw:
                continue
            value = raw[f.name]
            if value is None or value == "":
                continue
            if f.name in skip:
                out[f.name] = value
                continue
            out[f.name] = self._decode_param(f, value, typed)
        return out

    def _decode_param(self, f: FieldSpec, value: Any, typed: bool) -> Any:
        human = f.name.replace("_", " ")
        scalar = [t for t in f.types if t in _PRIMITIVES]
        structured = [t for t in f.types if t not in _PRIMITIVES]
        if isinstance(value, str):
            for type_name in scalar:
                converted = _convert_string(type_name, value, typed)
                if converted is not None:
                    return converted
            if structured:
                try:
                    decoded = json.loads(value)
                except ValueError:
                    raise bad_request(f"can't parse {human} JSON object") from None
                return self._check_structured(f, structured, decoded, human)
            raise bad_request(f'field "{f.name}" must be of type {_type_label(scalar[0])}')
        for type_name in scalar:
            if type_name == "Integer" and isinstance(value, int) and not isinstance(value, bool):
                return value
            if type_name == "Float" and isinstance(value, (int, float)) and not isinstance(value, bool):
                return value
            if type_name in ("Boolean", "True") and isinstance(value, bool):
                return value
        if structured and isinstance(value, (dict, list)):
            return self._check_structured(f, structured, value, human)
        labels = " or ".join(sorted({_type_label(t) for t in f.types}))
        raise bad_request(f'field "{f.name}" must be of type {labels}')

    def _check_structured(self, f: FieldSpec, types: list[str], value: Any, human: str) -> Any:
        try:
            return self.check_value(types, value, f.name)
        except ShapeError as err:
            raise bad_request(f"can't parse {human}: {err}") from None


def _convert_string(type_name: str, value: str, typed: bool) -> Any:
    """Convert a string parameter to the type, or None if it does not fit."""
    if type_name in ("String", "InputFile"):
        return value
    if type_name == "Integer":
        return int(value) if _INT_RE.match(value.strip()) else None
    if type_name == "Float":
        try:
            return float(value)
        except ValueError:
            return None
    if type_name in ("Boolean", "True"):
        if typed:
            return None
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
        return None
    return None
