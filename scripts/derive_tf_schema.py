"""Write infra/schema/google-6.50-subset.json: the provider schema of only the google types infra/ uses."""

from __future__ import annotations

import argparse
import gzip
import hashlib
import json
import sys
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any, Final

if __package__ in (None, ""):  # run as a file (python scripts/derive_tf_schema.py): make `scripts` importable
    sys.path.insert(0, str(Path(__file__).resolve().parent.parent))

from scripts.check_tf_schema import (
    DEFAULT_INFRA_DIR,
    DEFAULT_SUBSET,
    GOOGLE_PREFIX,
    REPO_ROOT,
    SCHEMA_KINDS,
    iter_declared,
    load_config,
    schema_kind,
)

FULL_SCHEMA_NAME: Final = "google-provider-6.50.0.schema.json.gz"
DEFAULT_FULL_SCHEMA: Final = REPO_ROOT.parent / "shared" / "terraform" / FULL_SCHEMA_NAME
PROVIDER: Final = "registry.terraform.io/hashicorp/google"
PROVIDER_VERSION: Final = "6.50.0"
# What the checker needs of an attribute; descriptions and the rest are dropped to keep the file small.
ATTRIBUTE_KEYS: Final = ("type", "required", "optional", "computed", "deprecated", "write_only")


def slim_block(block: Mapping[str, Any]) -> dict[str, Any]:
    """A schema block without descriptions: attribute flags and types, nested blocks with their limits."""
    slim: dict[str, Any] = {}
    attributes = {
        name: {key: spec[key] for key in ATTRIBUTE_KEYS if key in spec}
        for name, spec in sorted(block.get("attributes", {}).items())
    }
    if attributes:
        slim["attributes"] = attributes
    nested: dict[str, Any] = {}
    for name, spec in sorted(block.get("block_types", {}).items()):
        entry: dict[str, Any] = {"nesting_mode": spec["nesting_mode"]}
        for key in ("min_items", "max_items"):
            if key in spec:
                entry[key] = spec[key]
        entry["block"] = slim_block(spec.get("block", {}))
        nested[name] = entry
    if nested:
        slim["block_types"] = nested
    return slim


def derive(infra_dir: Path, full_schema: Path) -> str:
    """The subset JSON text for the google types declared in infra_dir."""
    raw = full_schema.read_bytes()
    provider = json.loads(gzip.decompress(raw))["provider_schemas"][PROVIDER]
    used: dict[str, set[str]] = {kind: set() for kind in SCHEMA_KINDS}
    for declared in iter_declared(load_config(infra_dir)):
        if declared.type.startswith(GOOGLE_PREFIX):
            used[schema_kind(declared.kind)].add(declared.type)
    subset: dict[str, Any] = {
        "provider": PROVIDER,
        "version": PROVIDER_VERSION,
        "derived_from": f"{full_schema.name} sha256:{hashlib.sha256(raw).hexdigest()}",
        "derived_by": "scripts/derive_tf_schema.py",
    }
    for kind, types in used.items():
        # An unknown type is left out here; scripts/check_tf_schema.py then reports it.
        known = provider[kind]
        subset[kind] = {name: slim_block(known[name]["block"]) for name in sorted(types) if name in known}
    return json.dumps(subset, indent=1, sort_keys=False) + "\n"


def main(argv: Sequence[str] | None = None) -> int:
    """Command line: write the subset, or with --check compare it with the committed file."""
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--infra-dir", type=Path, default=DEFAULT_INFRA_DIR)
    parser.add_argument(
        "--full-schema",
        type=Path,
        default=DEFAULT_FULL_SCHEMA,
        help="terraform providers schema -json output, gzipped",
    )
    parser.add_argument("--output", type=Path, default=DEFAULT_SUBSET)
    parser.add_argument("--check", action="store_true", help="fail if the committed subset is not up to date")
    args = parser.parse_args(argv)
    text = derive(args.infra_dir, args.full_schema)
    if args.check:
        current = args.output.read_text(encoding="utf-8") if args.output.exists() else ""
        if current != text:
            sys.stdout.write(f"{args.output} is out of date: run scripts/derive_tf_schema.py\n")
            return 1
        sys.stdout.write(f"{args.output}: up to date\n")
        return 0
    args.output.parent.mkdir(parents=True, exist_ok=True)
    args.output.write_text(text, encoding="utf-8")
    sys.stdout.write(f"wrote {args.output} ({len(text.encode())} bytes)\n")
    return 0


if __name__ == "__main__":
    sys.exit(main())
