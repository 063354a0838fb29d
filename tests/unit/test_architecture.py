"""The layout's rules, checked on the source: dependencies point one way, no cycles, no module too big."""

from __future__ import annotations

import ast
from pathlib import Path
from typing import Final

import pytest

ROOT: Final = Path(__file__).resolve().parents[2]
PACKAGE: Final = ROOT / "functions"
MAX_LINES: Final = 400
# Forbidden in services/ and domain/: they take plain models and ports, never a client, framework or the wiring.
FORBIDDEN: Final = ("telegram", "google", "flask", "httpx", "functions.bootstrap", "functions.adapters")
# None left: functions/domain/urls.py became the package functions/domain/urls/ (issue 13).
TOO_BIG_FOR_NOW: Final[frozenset[str]] = frozenset()


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def modules() -> dict[str, Path]:
    return {module_name(path): path for path in sorted(PACKAGE.rglob("*.py"))}


def imports_of(path: Path) -> set[str]:
    """Every module an import statement in the file names, at any depth (deferred imports count too)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    found: set[str] = set()
    for node in ast.walk(tree):
        if isinstance(node, ast.Import):
            found.update(alias.name for alias in node.names)
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:  # relative: resolved against the file's package
                package = module_name(path) if path.name == "__init__.py" else module_name(path).rsplit(".", 1)[0]
                anchor = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*anchor, *([base] if base else [])])
            found.add(base)
            found.update(f"{base}.{alias.name}" for alias in node.names)
    return found


def internal_graph() -> dict[str, set[str]]:
    """functions module -> the functions modules it imports."""
    known = modules()
    return {name: {m for m in imports_of(path) if m in known and m != name} for name, path in known.items()}


def cycle_in(graph: dict[str, set[str]]) -> list[str] | None:
    """One import cycle, as a path that ends where it starts, or None."""
    state: dict[str, int] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = 1
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == 1:
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state:
                found = visit(nxt)
                if found:
                    return found
        stack.pop()
        state[node] = 2
        return None

    for node in sorted(graph):
        if node not in state:
            found = visit(node)
            if found:
                return found
    return None


class TestDependencyDirection:
    @pytest.mark.parametrize("layer", ["services", "domain"])
    def test_inner_layers_import_no_client_framework_adapter_or_wiring(self, layer: str) -> None:
        offences = [
            f"{name} imports {imported}"
            for name, path in modules().items()
            if name.startswith(f"functions.{layer}")
            for imported in sorted(imports_of(path))
            if any(imported == bad or imported.startswith(bad + ".") for bad in FORBIDDEN)
        ]
        assert offences == []

    def test_domain_imports_only_the_standard_library_pydantic_and_itself(self) -> None:
        import sys

        allowed = set(sys.stdlib_module_names) | {"pydantic", "__future__"}
        offences = [
            f"{name} imports {imported}"
            for name, path in modules().items()
            if name.startswith("functions.domain")
            for imported in sorted(imports_of(path))
            if not imported.startswith("functions.domain") and imported.split(".")[0] not in allowed
        ]
        assert offences == []

    def test_no_module_loads_modules_by_name(self) -> None:
        offences = [
            name for name, path in modules().items() if "importlib" in {m.split(".")[0] for m in imports_of(path)}
        ]
        assert offences == []


class TestShape:
    def test_no_import_cycle(self) -> None:
        assert cycle_in(internal_graph()) is None

    def test_the_cycle_finder_finds_a_cycle(self) -> None:
        assert cycle_in({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
        assert cycle_in({"a": {"b"}, "b": set()}) is None

    def test_no_module_over_the_limit(self) -> None:
        sizes = {
            str(path.relative_to(ROOT)): len(path.read_text(encoding="utf-8").splitlines())
            for path in modules().values()
        }
        assert {p: n for p, n in sizes.items() if n > MAX_LINES and p not in TOO_BIG_FOR_NOW} == {}

    def test_the_forbidden_import_check_sees_deferred_imports(self, tmp_path: Path) -> None:
        sample = PACKAGE / "services" / "router.py"
        assert "functions.services.sessions" in imports_of(sample)
        deferred = tmp_path / "deferred.py"
        deferred.write_text("def f() -> None:\n    from telegram import Update\n", encoding="utf-8")
        assert "telegram" in imports_of(deferred)
