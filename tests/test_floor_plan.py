"""The floor plan of ``handlers/``: a kernel at the root, capability packages over it.

Read from the source (every import, including those inside functions): the kernel imports no
capability, the capabilities import one another without a cycle, and the root holds only the
kernel and ``app`` (which assembles the program and so may import every capability).
"""

from __future__ import annotations

import ast
from collections.abc import Mapping
from pathlib import Path

HANDLERS = Path(__file__).resolve().parent.parent / "handlers"

KERNEL = {
    "audit",
    "calendars",
    "charts",
    "context",
    "dispatcher",
    "flowstate",
    "i18n",
    "logsafe",
    "markup",
    "messaging",
    "numbers",
    "outbox",
    "pacing",
    "profile",
    "program",
    "replies",
    "routes",
    "screening",
    "telemetry",
    "texts",
    "timing",
}
"""The root's modules and packages every capability may use. A new one belongs here only if
no single capability owns it; otherwise it goes in that capability's package."""

COMPOSITION_ROOT = "app"
CAPABILITIES = {
    "account",
    "checkins",
    "circles",
    "crisis",
    "dashboard",
    "goals",
    "matching",
    "mentoring",
    "privacy",
    "reporting",
    "resources",
    "training",
}


def unit_of(module: str) -> str:
    """``handlers.checkins.flow`` -> ``checkins``; ``handlers.outbox`` -> ``outbox``."""
    return module.split(".")[1]


def imports_of(path: Path) -> set[str]:
    """Every ``handlers.*`` module the file imports, at any depth of the file."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            if node.module == "handlers":
                found.update(f"handlers.{alias.name}" for alias in node.names)
            elif node.module.startswith("handlers."):
                found.add(node.module)
        elif isinstance(node, ast.Import):
            found.update(a.name for a in node.names if a.name.startswith("handlers."))
    return found


def unit_graph() -> dict[str, set[str]]:
    """Which top-level unit of ``handlers/`` imports which others."""
    graph: dict[str, set[str]] = {}
    for path in HANDLERS.rglob("*.py"):
        parts = path.relative_to(HANDLERS).with_suffix("").parts
        if parts == ("__init__",):
            continue
        unit = parts[0]
        targets = {unit_of(module) for module in imports_of(path)}
        graph.setdefault(unit, set()).update(targets - {unit})
    return graph


def find_cycle(graph: Mapping[str, set[str]]) -> list[str] | None:
    """A cycle in ``graph`` as a path that ends where it starts, or None."""
    state: dict[str, str] = {}
    stack: list[str] = []

    def visit(node: str) -> list[str] | None:
        state[node] = "open"
        stack.append(node)
        for nxt in sorted(graph.get(node, ())):
            if state.get(nxt) == "open":
                return [*stack[stack.index(nxt) :], nxt]
            if nxt not in state and (cycle := visit(nxt)):
                return cycle
        stack.pop()
        state[node] = "done"
        return None

    for node in sorted(graph):
        if node not in state and (cycle := visit(node)):
            return cycle
    return None


def test_the_root_holds_only_the_kernel_the_capabilities_and_app() -> None:
    units = {p.stem for p in HANDLERS.glob("*.py")} | {
        p.name for p in HANDLERS.iterdir() if p.is_dir() and (p / "__init__.py").exists()
    }
    units.discard("__init__")
    assert units == KERNEL | CAPABILITIES | {COMPOSITION_ROOT}


def test_the_kernel_imports_no_capability() -> None:
    graph = unit_graph()
    leaks = {unit: sorted(graph[unit] & CAPABILITIES) for unit in KERNEL if graph.get(unit)}
    assert {unit: found for unit, found in leaks.items() if found} == {}


def test_capability_packages_import_each_other_without_a_cycle() -> None:
    graph = unit_graph()
    capability_graph = {c: graph.get(c, set()) & CAPABILITIES for c in CAPABILITIES}
    assert find_cycle(capability_graph) is None
    assert all(COMPOSITION_ROOT not in graph.get(unit, set()) for unit in CAPABILITIES | KERNEL)


def test_the_cycle_check_finds_a_cycle_when_there_is_one() -> None:
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": {"a"}}) == ["a", "b", "c", "a"]
    assert find_cycle({"a": {"b"}, "b": {"c"}, "c": set()}) is None
    assert unit_of("handlers.checkins.flow") == "checkins"


def test_the_core_names_no_platform() -> None:
    """Platform facts are declared by messengers or asked through ports, never branched on
    by name (``PLATFORM_NAMES``' display text in the linking texts is not a branch)."""
    patterns: tuple[str, ...] = ('platform == "', 'platform != "', '== "telegram"', '== "discord"')
    patterns += ('["p"] == "', '"telegram" ==', '"discord" ==')
    found = [
        f"{path.relative_to(HANDLERS)}:{number}"
        for path in sorted(HANDLERS.rglob("*.py"))
        for number, line in enumerate(path.read_text(encoding="utf-8").splitlines(), start=1)
        if any(pattern in line for pattern in patterns)
    ]
    assert found == []
