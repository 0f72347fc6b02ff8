"""The package's shape: no import cycles, and each room imports only from rooms before it.

The import graph is read from the source with :mod:`ast` (nothing is imported), so
the test sees imports inside functions too; imports under ``if TYPE_CHECKING:`` are
left out, as they never run. A submodule does not count as importing its parent
package's ``__init__`` unless it names it.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE = Path(__file__).resolve().parents[1] / "riskmodel"

# design.md's flow: each room may import from rooms earlier in this list (or its own).
ROOMS = [
    "base",
    "metrics",
    "data",
    "data.synthetic",
    "cohort",
    "features",
    "frame",
    "splits",
    "models",
    "evaluation",
    "explain",
    "fairness",
    "reports",
    "scoring",
    "monitoring",
    "tracking",
    "spark",
    "jobs",
    "cli",
    "riskmodel",
]
# Rooms that sit side by side: neither may import the other.
PEERS = [{"frame", "splits"}, {"explain", "fairness"}]
# The one permitted backward edge: riskmodel.data re-exports the synthetic generator.
ALLOWED = {("riskmodel.data", "riskmodel.data.synthetic")}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


MODULES = {_module_name(p): p for p in PACKAGE.rglob("*.py")}


def _is_type_checking(node: ast.If) -> bool:
    test = node.test
    name = test.id if isinstance(test, ast.Name) else getattr(test, "attr", None)
    return name == "TYPE_CHECKING"


def _resolve(target: str) -> str | None:
    """The package module a dotted import target lands in (None outside the package)."""
    parts = target.split(".")
    while parts and ".".join(parts) not in MODULES:
        parts.pop()
    return ".".join(parts) if parts else None


def _imports(name: str) -> set[str]:
    path = MODULES[name]
    base = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
    found: set[str] = set()
    nodes = list(ast.iter_child_nodes(ast.parse(path.read_text())))
    while nodes:
        node = nodes.pop()
        if isinstance(node, ast.If) and _is_type_checking(node):
            nodes.extend(node.orelse)
            continue
        if isinstance(node, ast.Import):
            targets = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            if node.level:
                stem = base[: len(base) - node.level + 1]
                module = ".".join(stem + ([node.module] if node.module else []))
            else:
                module = node.module or ""
            targets = [module] + [
                f"{module}.{alias.name}"
                for alias in node.names
                if f"{module}.{alias.name}" in MODULES
            ]
        else:
            nodes.extend(ast.iter_child_nodes(node))
            continue
        found.update(
            m for t in targets if t.startswith("riskmodel") and (m := _resolve(t)) is not None
        )
    found.discard(name)
    return found


GRAPH = {name: _imports(name) for name in MODULES}


def _room(module: str) -> str:
    parts = module.split(".")
    if len(parts) == 1:
        return "riskmodel"
    if parts[1] == "exceptions" or parts[1].startswith("_"):
        return "base"
    if parts[1] == "data" and len(parts) > 2 and parts[2] == "synthetic":
        return "data.synthetic"
    return parts[1]


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected groups of more than one module (Tarjan's algorithm)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    groups: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in sorted(graph[v]):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            group = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                group.append(w)
                if w == v:
                    break
            if len(group) > 1:
                groups.append(sorted(group))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return groups


def test_cycle_finder_finds_a_planted_cycle():
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert _cycles(graph) == [["a", "b", "c"]]


def test_import_graph_sees_imports_inside_functions():
    # the train job imports the tracking package only inside the function that logs a run
    found = GRAPH["riskmodel.jobs._train"]
    assert any(target.startswith("riskmodel.tracking") for target in found)


def test_no_import_cycles():
    assert _cycles(GRAPH) == []


def test_every_module_belongs_to_a_known_room():
    assert {_room(m) for m in MODULES} <= set(ROOMS)


@pytest.mark.parametrize("room", sorted({_room(m) for m in MODULES}))
def test_rooms_import_only_from_rooms_before_them(room):
    rank = {r: i for i, r in enumerate(ROOMS)}
    wrong = sorted(
        f"{source} -> {target}"
        for source, targets in GRAPH.items()
        if _room(source) == room
        for target in targets
        if (source, target) not in ALLOWED
        and (
            rank[_room(target)] > rank[room]
            or {room, _room(target)} in PEERS
            and room != _room(target)
        )
    )
    assert wrong == []


def test_no_module_inside_the_package_imports_the_top_level_package():
    importers = sorted(m for m, targets in GRAPH.items() if "riskmodel" in targets)
    assert importers == []


def test_modules_stay_small():
    long = {
        name: n
        for name, path in MODULES.items()
        if (n := len(path.read_text().splitlines())) > 420
    }
    assert long == {}
