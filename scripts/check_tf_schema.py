"""Check infra/*.tf offline against the google provider schema subset (names, required values, references)."""

from __future__ import annotations

import argparse
import difflib
import json
import re
import sys
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Final

import hcl2
from hcl2 import SerializationOptions

REPO_ROOT: Final = Path(__file__).resolve().parent.parent
DEFAULT_INFRA_DIR: Final = REPO_ROOT / "infra"
DEFAULT_SUBSET: Final = DEFAULT_INFRA_DIR / "schema" / "google-6.50-subset.json"

# A parsed configuration: .tf file name -> python-hcl2 document.
Config = Mapping[str, dict[str, Any]]
SCHEMA_KINDS: Final = ("resource_schemas", "data_source_schemas")

# Types served by hashicorp/google (and google-beta, which shares the names) are checked against the subset.
GOOGLE_PREFIX: Final = "google_"

TOP_LEVEL_BLOCKS: Final = frozenset(
    {
        "resource",
        "data",
        "variable",
        "output",
        "locals",
        "terraform",
        "provider",
        "module",
        "moved",
        "import",
        "check",
        "removed",
    }
)
RESOURCE_META: Final = frozenset(
    {"count", "for_each", "depends_on", "lifecycle", "provider", "provisioner", "connection"}
)
DATA_META: Final = frozenset({"count", "for_each", "depends_on", "lifecycle", "provider"})
LIFECYCLE_KEYS: Final = frozenset(
    {
        "create_before_destroy",
        "prevent_destroy",
        "ignore_changes",
        "replace_triggered_by",
        "precondition",
        "postcondition",
    }
)
DYNAMIC_KEYS: Final = frozenset({"for_each", "iterator", "labels", "content"})

# Hand-written schemas of the non-google types this configuration uses (hashicorp/archive 2.7, from its
# documentation, and Terraform's built-in terraform_data), in the shape of `terraform providers schema -json`.
# Types of other providers are skipped with a note.
OTHER_PROVIDER_SCHEMAS: Final[dict[str, dict[str, dict[str, Any]]]] = {
    "data_source_schemas": {
        "archive_file": {
            "attributes": {
                "type": {"type": "string", "required": True},
                "output_path": {"type": "string", "required": True},
                "source_dir": {"type": "string", "optional": True},
                "source_file": {"type": "string", "optional": True},
                "source_content": {"type": "string", "optional": True},
                "source_content_filename": {"type": "string", "optional": True},
                "excludes": {"type": ["set", "string"], "optional": True},
                "output_file_mode": {"type": "string", "optional": True},
                "id": {"type": "string", "computed": True},
                "output_size": {"type": "number", "computed": True},
                "output_md5": {"type": "string", "computed": True},
                "output_sha": {"type": "string", "computed": True},
                "output_sha256": {"type": "string", "computed": True},
                "output_base64sha256": {"type": "string", "computed": True},
                "output_sha512": {"type": "string", "computed": True},
                "output_base64sha512": {"type": "string", "computed": True},
            },
            "block_types": {
                "source": {
                    "nesting_mode": "set",
                    "block": {
                        "attributes": {
                            "content": {"type": "string", "required": True},
                            "filename": {"type": "string", "required": True},
                        }
                    },
                }
            },
        }
    },
    # terraform_data is built into Terraform itself (terraform.io/builtin/terraform): nothing to download.
    "resource_schemas": {
        "terraform_data": {
            "attributes": {
                "input": {"type": "dynamic", "optional": True},
                "triggers_replace": {"type": "dynamic", "optional": True},
                "output": {"type": "dynamic", "computed": True},
                "id": {"type": "string", "computed": True},
            }
        }
    },
}

_PARSE_OPTIONS: Final = SerializationOptions(strip_string_quotes=True, with_comments=False)
_RESOURCE_REF: Final = re.compile(
    r"(?<![\w.])(?P<type>(?:google|archive|terraform)_\w+)\.(?P<name>[A-Za-z_][\w-]*)(?P<index>\[[^\]]*\])?"
    r"(?P<path>(?:\.[A-Za-z_]\w*|\[[^\]]*\])*)"
)
_DATA_REF: Final = re.compile(
    r"(?<![\w.])data\.(?P<type>\w+)\.(?P<name>[A-Za-z_][\w-]*)(?P<index>\[[^\]]*\])?"
    r"(?P<path>(?:\.[A-Za-z_]\w*|\[[^\]]*\])*)"
)
_NAMED_REF: Final = re.compile(r"(?<![\w.])(?P<kind>var|local)\.(?P<name>[A-Za-z_][\w-]*)")
_PATH_STEP: Final = re.compile(r"\.([A-Za-z_]\w*)|\[[^\]]*\]")


@dataclass
class Report:
    """Problems (make the check fail) and notes (informational) found in a configuration."""

    errors: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)


@dataclass(frozen=True)
class Declared:
    """A resource or data source declared in the configuration."""

    kind: str  # "resource" or "data"
    type: str
    name: str
    body: dict[str, Any]
    file: str


def load_schema_subset(path: Path) -> dict[str, dict[str, Any]]:
    """Read the committed schema subset written by scripts/derive_tf_schema.py."""
    data: dict[str, Any] = json.loads(path.read_text(encoding="utf-8"))
    return {kind: dict(data.get(kind, {})) for kind in SCHEMA_KINDS}


def parse_tf(text: str) -> dict[str, Any]:
    """Parse HCL text with python-hcl2 v8: values unquoted, blocks marked with __is_block__."""
    parsed: dict[str, Any] = hcl2.loads(text, serialization_options=_PARSE_OPTIONS)
    return parsed


def load_config(infra_dir: Path) -> dict[str, dict[str, Any]]:
    """Parse every .tf file directly in infra_dir (Terraform reads one directory, not sub-directories)."""
    return {path.name: parse_tf(path.read_text(encoding="utf-8")) for path in sorted(infra_dir.glob("*.tf"))}


def is_block_list(value: object) -> bool:
    """True when an hcl2 value is a list of blocks (not an attribute holding a list of objects)."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(isinstance(item, dict) and item.get("__is_block__") is True for item in value)
    )


def is_labelled_block_list(value: object) -> bool:
    """True for a list of labelled blocks, as python-hcl2 gives `dynamic "name" { ... }`: [{label: block}]."""
    return (
        isinstance(value, list)
        and bool(value)
        and all(
            isinstance(item, dict)
            and all(isinstance(inner, dict) and inner.get("__is_block__") is True for inner in item.values())
            for item in value
        )
    )


def body_items(body: Mapping[str, Any]) -> Iterator[tuple[str, Any]]:
    """The keys of a block body, without python-hcl2's own markers."""
    for key, value in body.items():
        if not key.startswith("__"):
            yield key, value


def iter_labelled(config: Config, kind: str) -> Iterator[tuple[str, str, dict[str, Any]]]:
    """(file, label, body) for every single-label block of a kind (variable, output)."""
    for file, doc in config.items():
        for entry in doc.get(kind, []):
            for label, body in body_items(entry):
                yield file, label, body


def iter_declared(config: Config) -> Iterator[Declared]:
    """Every resource and data source of the configuration."""
    for file, doc in config.items():
        for kind in ("resource", "data"):
            for entry in doc.get(kind, []):
                for type_name, named in body_items(entry):
                    for name, body in body_items(named):
                        yield Declared(kind, type_name, name, body, file)


def iter_locals(config: Config) -> Iterator[tuple[str, str, Any]]:
    """(file, name, value) of every local value."""
    for file, doc in config.items():
        for block in doc.get("locals", []):
            for name, value in body_items(block):
                yield file, name, value


def _suggest(name: str, choices: Sequence[str]) -> str:
    close = difflib.get_close_matches(name, choices, n=1, cutoff=0.75)
    return f" (did you mean {close[0]!r}?)" if close else ""


def _is_expression(value: object) -> bool:
    return isinstance(value, str) and "${" in value.replace("$${", "")


def _check_type(value: object, cty: object, where: str, report: Report) -> None:
    """Reject literals that cannot convert to the attribute's type; expressions are not evaluated."""
    if value is None or _is_expression(value) or cty == "dynamic":
        return
    if cty == "string":
        if isinstance(value, list | dict):
            report.errors.append(f"{where}: expects a string, got a {type(value).__name__}")
    elif cty == "number":
        if isinstance(value, bool | list | dict):
            report.errors.append(f"{where}: expects a number, got {value!r}")
        elif isinstance(value, str):
            try:
                float(value)
            except ValueError:
                report.errors.append(f"{where}: expects a number, got {value!r}")
    elif cty == "bool":
        if not isinstance(value, bool) and value not in ("true", "false"):
            report.errors.append(f"{where}: expects a bool, got {value!r}")
    elif isinstance(cty, list) and len(cty) == 2 and cty[0] in ("list", "set"):
        if not isinstance(value, list):
            report.errors.append(f"{where}: expects a {cty[0]}, got {value!r}")
        else:
            for index, item in enumerate(value):
                _check_type(item, cty[1], f"{where}[{index}]", report)
    elif isinstance(cty, list) and len(cty) == 2 and cty[0] == "map":
        if not isinstance(value, dict):
            report.errors.append(f"{where}: expects a map, got {value!r}")
        else:
            for key, item in value.items():
                _check_type(item, cty[1], f"{where}[{key!r}]", report)


def check_block(
    body: Mapping[str, Any], schema: Mapping[str, Any], where: str, meta: frozenset[str], report: Report
) -> None:
    """Check one block body against its schema block, recursively."""
    attributes: dict[str, Any] = schema.get("attributes", {})
    blocks: dict[str, Any] = schema.get("block_types", {})
    names = sorted([*attributes, *blocks])
    counts: dict[str, int] = {}
    dynamic: set[str] = set()
    for key, value in body_items(body):
        here = f"{where}.{key}"
        if key in meta:
            if key == "lifecycle" and is_block_list(value):
                for block in value:
                    for inner, _ in body_items(block):
                        if inner not in LIFECYCLE_KEYS:
                            report.errors.append(f"{here}: unknown lifecycle argument {inner!r}")
            continue
        if key == "dynamic" and is_labelled_block_list(value):
            for block in value:
                for label, dyn_body in body_items(block):
                    dyn_where = f"{where}.dynamic[{label!r}]"
                    if label not in blocks:
                        report.errors.append(f"{dyn_where}: unknown block {label!r}{_suggest(label, names)}")
                        continue
                    dynamic.add(label)
                    for inner, _ in body_items(dyn_body):
                        if inner not in DYNAMIC_KEYS:
                            report.errors.append(f"{dyn_where}: unknown dynamic-block argument {inner!r}")
                    contents = dyn_body.get("content")
                    if not is_block_list(contents):
                        report.errors.append(f"{dyn_where}: has no content block")
                        continue
                    for content in contents:
                        check_block(content, blocks[label]["block"], f"{where}.{label}", frozenset(), report)
            continue
        if is_block_list(value):
            if key in attributes:
                report.errors.append(f"{here}: is an attribute, written as a block (use `{key} = ...`)")
            elif key not in blocks:
                report.errors.append(f"{here}: unknown block{_suggest(key, names)}")
            else:
                counts[key] = len(value)
                for index, block in enumerate(value):
                    suffix = f"[{index}]" if len(value) > 1 else ""
                    check_block(block, blocks[key]["block"], f"{here}{suffix}", frozenset(), report)
            continue
        if key in blocks:
            report.errors.append(f"{here}: is a block, written as an attribute (use `{key} {{ ... }}`)")
        elif key not in attributes:
            report.errors.append(f"{here}: unknown attribute{_suggest(key, names)}")
        else:
            spec = attributes[key]
            if spec.get("computed") and not spec.get("optional") and not spec.get("required"):
                report.errors.append(f"{here}: is read-only (computed by the provider)")
            if spec.get("deprecated"):
                report.notes.append(f"{here}: is deprecated in the provider")
            _check_type(value, spec.get("type"), here, report)
    for name, spec in attributes.items():
        if spec.get("required") and name not in body:
            report.errors.append(f"{where}: missing required attribute {name!r}")
    for name, spec in blocks.items():
        if name in dynamic:
            continue
        found = counts.get(name, 0)
        min_items = int(spec.get("min_items") or 0)
        max_items = spec.get("max_items")
        if found < min_items:
            report.errors.append(f"{where}: missing required block {name!r} (at least {min_items})")
        if max_items is not None and found > int(max_items):
            report.errors.append(f"{where}: block {name!r} given {found} times, at most {max_items} allowed")


def _expressions(value: object) -> Iterator[str]:
    """The ${...} expressions inside a parsed value (strings, lists, maps), escapes ($${) skipped."""
    if isinstance(value, str):
        index = 0
        while True:
            start = value.find("${", index)
            if start < 0:
                return
            if start > 0 and value[start - 1] == "$":
                index = start + 2
                continue
            depth, cursor = 0, start + 1
            while cursor < len(value):
                char = value[cursor]
                if char == "{":
                    depth += 1
                elif char == "}":
                    depth -= 1
                    if depth == 0:
                        break
                cursor += 1
            yield value[start + 2 : cursor]
            index = cursor + 1
    elif isinstance(value, list):
        for item in value:
            yield from _expressions(item)
    elif isinstance(value, dict):
        for key, item in value.items():
            if not key.startswith("__"):
                yield from _expressions(key)
                yield from _expressions(item)


def _check_path(path: str, schema: Mapping[str, Any], ref: str, where: str, report: Report) -> None:
    """Check the attribute path after a resource reference (.attr, .block[0].attr) against its schema."""
    block: Mapping[str, Any] | None = schema
    for match in _PATH_STEP.finditer(path):
        step = match.group(1)
        if step is None or block is None:
            continue  # an index, or inside an attribute's own value (map/object), which is not checked
        attributes = block.get("attributes", {})
        blocks = block.get("block_types", {})
        if step in attributes:
            block = None
        elif step in blocks:
            block = blocks[step]["block"]
        else:
            names = sorted([*attributes, *blocks])
            report.errors.append(f"{where}: {ref} has no attribute {step!r}{_suggest(step, names)}")
            return


def check_references(config: Config, schemas: Mapping[str, Mapping[str, Any]], report: Report) -> None:
    """Every var., local., data. and resource reference names something declared, with a real attribute."""
    variables = {label for _, label, _ in iter_labelled(config, "variable")}
    local_names = {name for _, name, _ in iter_locals(config)}
    declared = {(d.kind, d.type, d.name) for d in iter_declared(config)}
    for file, doc in config.items():
        # A moved block's `from` names an address that is no longer declared: check_moved checks those blocks.
        for expression in _expressions({key: value for key, value in doc.items() if key != "moved"}):
            for match in _NAMED_REF.finditer(expression):
                kind, name = match.group("kind"), match.group("name")
                known = variables if kind == "var" else local_names
                if name not in known:
                    hint = _suggest(name, sorted(known))
                    report.errors.append(f"{file}: {kind}.{name} is not declared{hint}")
            for pattern, kind in ((_RESOURCE_REF, "resource"), (_DATA_REF, "data")):
                for match in pattern.finditer(expression):
                    type_name, name = match.group("type"), match.group("name")
                    ref = f"{'data.' if kind == 'data' else ''}{type_name}.{name}"
                    if (kind, type_name, name) not in declared:
                        report.errors.append(f"{file}: {ref} is referenced but not declared")
                        continue
                    type_schema = schemas[schema_kind(kind)].get(type_name)
                    if type_schema is not None:
                        _check_path(match.group("path"), type_schema, ref, file, report)


_ADDRESS: Final = re.compile(r'\$\{(?P<type>\w+)\.(?P<name>[A-Za-z_][\w-]*)(?:\["(?P<key>[^"\]]*)"\])?\}')
_LOCAL_MAP: Final = re.compile(r"\$\{(?:merge\()?(?P<names>local\.\w+(?:, *local\.\w+)*)\)?\}")


def _for_each_keys(config: Config, body: Mapping[str, Any]) -> set[str] | None:
    """The instance keys of a resource whose for_each is `local.X` or `merge(local.X, ...)` of literal maps."""
    match = _LOCAL_MAP.fullmatch(str(body.get("for_each", "")))
    if match is None:
        return None
    values = {name: value for _, name, value in iter_locals(config)}
    keys: set[str] = set()
    for name in re.findall(r"local\.(\w+)", match.group("names")):
        value = values.get(name)
        if not isinstance(value, dict):
            return None
        keys.update(key for key in value if not key.startswith("__"))
    return keys


def check_moved(config: Config, report: Report) -> None:
    """A moved block goes from an address no longer declared to a declared one of the same type (and, where the
    resource's for_each is a literal map of locals, to one of its keys); no address is moved twice."""
    declared = {(d.type, d.name): d.body for d in iter_declared(config) if d.kind == "resource"}
    moved_from: dict[str, str] = {}
    for file, doc in config.items():
        for block in doc.get("moved", []):
            ends = {end: _ADDRESS.fullmatch(str(block.get(end, ""))) for end in ("from", "to")}
            source, target = ends["from"], ends["to"]
            if source is None or target is None:
                report.errors.append(f"{file}: moved block needs `from` and `to` resource addresses: {block}")
                continue
            where = f"{file}: moved {source.group(0)[2:-1]} -> {target.group(0)[2:-1]}"
            if source.group("type") != target.group("type"):
                report.errors.append(f"{where}: a resource can only move to the same type")
            if source.group("key") is None and (source.group("type"), source.group("name")) in declared:
                report.errors.append(f"{where}: {source.group('type')}.{source.group('name')} is still declared")
            body = declared.get((target.group("type"), target.group("name")))
            if body is None:
                report.errors.append(f"{where}: the target is not declared")
            elif target.group("key") is not None:
                keys = _for_each_keys(config, body)
                if keys is not None and target.group("key") not in keys:
                    report.errors.append(f"{where}: {target.group('key')!r} is not a key of its for_each")
            if source.group(0) in moved_from:
                report.errors.append(f"{where}: also moved in {moved_from[source.group(0)]}")
            moved_from[source.group(0)] = file


def schema_kind(kind: str) -> str:
    """The key of the provider schema that describes a block kind ("resource" or "data")."""
    return "resource_schemas" if kind == "resource" else "data_source_schemas"


def _node_references(value: object) -> set[str]:
    """Graph nodes (resource.T.N, data.T.N, local.N) a value refers to."""
    found: set[str] = set()
    for expression in _expressions(value):
        for match in _NAMED_REF.finditer(expression):
            if match.group("kind") == "local":
                found.add(f"local.{match.group('name')}")
        for kind, pattern in (("resource", _RESOURCE_REF), ("data", _DATA_REF)):
            found.update(f"{kind}.{m.group('type')}.{m.group('name')}" for m in pattern.finditer(expression))
    return found


def check_cycles(config: Config, report: Report) -> None:
    """Resources, data sources and locals must not depend on themselves (Terraform's "Cycle" error)."""
    graph: dict[str, set[str]] = {}
    for declared in iter_declared(config):
        graph[f"{declared.kind}.{declared.type}.{declared.name}"] = _node_references(declared.body)
    for _, name, value in iter_locals(config):
        graph[f"local.{name}"] = _node_references(value)
    done: set[str] = set()
    path: list[str] = []

    def visit(node: str) -> None:
        if node in path:
            cycle = [*path[path.index(node) :], node]
            report.errors.append(f"dependency cycle: {' -> '.join(cycle)}")
            return
        if node in done or node not in graph:
            return
        path.append(node)
        for target in sorted(graph[node]):
            visit(target)
        path.pop()
        done.add(node)

    for node in sorted(graph):
        visit(node)


def _schema_for(declared: Declared, subset: Mapping[str, dict[str, Any]]) -> dict[str, Any] | None:
    kind = schema_kind(declared.kind)
    found = subset[kind].get(declared.type) or OTHER_PROVIDER_SCHEMAS[kind].get(declared.type)
    return found


def check_config(config: Config, subset: Config) -> Report:
    """Check a parsed configuration (file name -> hcl2 document) against the schema subset."""
    report = Report()
    schemas = {kind: {**subset[kind], **OTHER_PROVIDER_SCHEMAS[kind]} for kind in SCHEMA_KINDS}
    for file, doc in config.items():
        for top in doc:
            if not top.startswith("__") and top not in TOP_LEVEL_BLOCKS:
                report.errors.append(f"{file}: unknown top-level block {top!r}")
        for entry in doc.get("provider", []):
            for label, _ in body_items(entry):
                report.notes.append(f"{file}: provider {label!r} not checked (its schema is not in the file)")
    seen: dict[tuple[str, str, str], str] = {}
    for declared in iter_declared(config):
        address = f"{'data.' if declared.kind == 'data' else ''}{declared.type}.{declared.name}"
        key = (declared.kind, declared.type, declared.name)
        if key in seen:
            report.errors.append(f"{declared.file}: {address} is also declared in {seen[key]}")
        seen[key] = declared.file
        schema = _schema_for(declared, subset)
        if schema is None:
            if declared.type.startswith(GOOGLE_PREFIX):
                kind = "resource" if declared.kind == "resource" else "data source"
                hint = _suggest(declared.type, sorted(subset[schema_kind(declared.kind)]))
                report.errors.append(
                    f"{declared.file}: {address}: unknown {kind} type {declared.type!r}{hint}"
                    " (or missing from the subset: run scripts/derive_tf_schema.py)"
                )
            else:
                report.notes.append(f"{declared.file}: {address}: no schema for this provider, not checked")
            continue
        meta = RESOURCE_META if declared.kind == "resource" else DATA_META
        check_block(declared.body, schema, f"{declared.file}: {address}", meta, report)
    for file, label, body in iter_labelled(config, "variable"):
        for required in ("type", "description"):
            if required not in body:
                report.errors.append(f"{file}: variable {label!r} has no {required}")
    for file, label, body in iter_labelled(config, "output"):
        if "description" not in body:
            report.errors.append(f"{file}: output {label!r} has no description")
    check_references(config, schemas, report)
    check_moved(config, report)
    check_cycles(config, report)
    return report


def check_directory(infra_dir: Path, subset_path: Path = DEFAULT_SUBSET) -> Report:
    """Parse and check every .tf file of a directory; a file that does not parse is an error."""
    config: dict[str, dict[str, Any]] = {}
    report = Report()
    for path in sorted(infra_dir.glob("*.tf")):
        try:
            config[path.name] = parse_tf(path.read_text(encoding="utf-8"))
        except Exception as error:  # any parser failure is reported, not raised
            report.errors.append(f"{path.name}: does not parse: {type(error).__name__}: {error}")
    if not config and not report.errors:
        report.errors.append(f"{infra_dir}: no .tf files")
    checked = check_config(config, load_schema_subset(subset_path))
    report.errors.extend(checked.errors)
    report.notes.extend(checked.notes)
    return report


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: check a directory, print problems, exit 1 if there are any."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("infra_dir", nargs="?", type=Path, default=DEFAULT_INFRA_DIR)
    parser.add_argument("--schema", type=Path, default=DEFAULT_SUBSET, help="schema subset JSON")
    args = parser.parse_args(argv)
    report = check_directory(args.infra_dir, args.schema)
    for note in report.notes:
        sys.stdout.write(f"note: {note}\n")
    for error in report.errors:
        sys.stdout.write(f"error: {error}\n")
    files = len(list(args.infra_dir.glob("*.tf")))
    verdict = f"{len(report.errors)} problem(s)" if report.errors else "ok"
    sys.stdout.write(f"check_tf_schema: {files} file(s) in {args.infra_dir}: {verdict}\n")
    return 1 if report.errors else 0


if __name__ == "__main__":
    sys.exit(main())
