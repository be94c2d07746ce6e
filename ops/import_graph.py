"""The project's module import graph, its import cycles and its layering violations.

Run: python -m ops.import_graph [--dot] [--root DIR]

Prints every project module with the project modules it imports (with --dot, a graphviz
graph), then every import cycle and every break of the layering of DESIGN.md section 1, and
exits 1 when there is any. Imports are read with `ast`, so imports inside functions count;
relative imports are resolved. Imports under `if TYPE_CHECKING:` never run: they count for
layering, not for cycles.
"""

from __future__ import annotations

import argparse
import ast
import sys
from collections.abc import Iterable, Iterator
from dataclasses import dataclass, field
from pathlib import Path

PACKAGES = ("backend", "formengine", "graphql_schema", "permissions", "ops")


@dataclass(frozen=True)
class Import:
    source: str
    target: str
    line: int
    type_only: bool


@dataclass
class ImportGraph:
    modules: dict[str, Path] = field(default_factory=dict)
    imports: list[Import] = field(default_factory=list)

    def edges(self, *, runtime_only: bool = False) -> dict[str, set[str]]:
        graph: dict[str, set[str]] = {name: set() for name in self.modules}
        for edge in self.imports:
            if edge.source != edge.target and not (runtime_only and edge.type_only):
                graph[edge.source].add(edge.target)
        return graph


def module_name(root: Path, path: Path) -> str:
    parts = list(path.relative_to(root).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts.pop()
    return ".".join(parts)


def _is_type_checking(test: ast.expr) -> bool:
    return (isinstance(test, ast.Name) and test.id == "TYPE_CHECKING") or (
        isinstance(test, ast.Attribute) and test.attr == "TYPE_CHECKING"
    )


def _imported_names(tree: ast.Module) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
    """Every import statement anywhere in the module, and whether it is for type checking only."""

    def visit(node: ast.AST, type_only: bool) -> Iterator[tuple[ast.Import | ast.ImportFrom, bool]]:
        if isinstance(node, ast.Import | ast.ImportFrom):
            yield node, type_only
        if isinstance(node, ast.If) and _is_type_checking(node.test):
            for child in node.body:
                yield from visit(child, True)
            for child in node.orelse:
                yield from visit(child, type_only)
            return
        for nested in ast.iter_child_nodes(node):
            yield from visit(nested, type_only)

    yield from visit(tree, False)


def _resolve(name: str, modules: dict[str, Path]) -> str | None:
    """The most specific project module that `name` (a module or a name in one) refers to."""
    while name:
        if name in modules:
            return name
        name = name.rpartition(".")[0]
    return None


def _targets(
    statement: ast.Import | ast.ImportFrom, source: str, is_package: bool, modules: dict[str, Path]
) -> Iterable[str]:
    if isinstance(statement, ast.Import):
        return [alias.name for alias in statement.names]
    base = statement.module or ""
    if statement.level:
        anchor = source.split(".") if is_package else source.split(".")[:-1]
        anchor = anchor[: len(anchor) - (statement.level - 1)]
        base = ".".join([*anchor, base] if base else anchor)
    # `from package import module` imports the module; `from module import name`, the module.
    return [f"{base}.{alias.name}" if base else alias.name for alias in statement.names]


def build_graph(root: Path, packages: Iterable[str] = PACKAGES) -> ImportGraph:
    graph = ImportGraph()
    for package in packages:
        for path in sorted((root / package).rglob("*.py")):
            graph.modules[module_name(root, path)] = path
    for source, path in graph.modules.items():
        tree = ast.parse(path.read_text(encoding="utf-8"), filename=str(path))
        is_package = path.name == "__init__.py"
        for statement, type_only in _imported_names(tree):
            for name in _targets(statement, source, is_package, graph.modules):
                target = _resolve(name, graph.modules)
                if target is not None:
                    graph.imports.append(Import(source, target, statement.lineno, type_only))
    return graph


def strongly_connected(graph: dict[str, set[str]]) -> list[list[str]]:
    """Tarjan's algorithm, iteratively: the components of more than one module (cycles)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []
    counter = 0
    for start in sorted(graph):
        if start in index:
            continue
        work: list[tuple[str, Iterator[str]]] = [(start, iter(sorted(graph[start])))]
        index[start] = low[start] = counter
        counter += 1
        stack.append(start)
        on_stack.add(start)
        while work:
            node, children = work[-1]
            child = next(children, None)
            if child is not None:
                if child not in index:
                    index[child] = low[child] = counter
                    counter += 1
                    stack.append(child)
                    on_stack.add(child)
                    work.append((child, iter(sorted(graph[child]))))
                elif child in on_stack:
                    low[node] = min(low[node], index[child])
                continue
            work.pop()
            if work:
                low[work[-1][0]] = min(low[work[-1][0]], low[node])
            if low[node] == index[node]:
                component = []
                while True:
                    member = stack.pop()
                    on_stack.discard(member)
                    component.append(member)
                    if member == node:
                        break
                if len(component) > 1:
                    components.append(sorted(component))
    return sorted(components)


def shortest_cycle(graph: dict[str, set[str]], component: list[str]) -> list[str]:
    """One shortest cycle through the component's first module, as a path back to it."""
    members = set(component)
    start = component[0]
    previous: dict[str, str] = {}
    frontier = [start]
    while frontier:
        following = []
        for node in frontier:
            for child in sorted(graph[node] & members):
                if child == start:
                    path = [node]
                    while path[-1] != start:
                        path.append(previous[path[-1]])
                    return [*reversed(path), start]
                if child not in previous:
                    previous[child] = node
                    following.append(child)
        frontier = following
    return [start]


def layering_violations(graph: ImportGraph) -> list[str]:
    """Breaks of DESIGN.md section 1, one line per import."""

    def top(module: str) -> str:
        return module.split(".")[0]

    found = []
    for edge in graph.imports:
        source, target = top(edge.source), top(edge.target)
        if source == target:
            continue
        rule = None
        if source == "formengine":
            rule = "formengine imports nothing of ours"
        elif source == "backend" and target == "graphql_schema" and edge.source != "backend.urls":
            rule = "only backend.urls imports graphql_schema"
        elif source == "permissions" and target == "graphql_schema":
            rule = "permissions does not import graphql_schema"
        if rule:
            where = graph.modules[edge.source]
            found.append(f"{edge.source} -> {edge.target} ({where}:{edge.line}): {rule}")
    return sorted(set(found))


def render_text(graph: ImportGraph) -> str:
    return "\n".join(
        f"{module} -> {', '.join(sorted(targets)) or '(none)'}"
        for module, targets in sorted(graph.edges().items())
    )


def render_dot(graph: ImportGraph, cycles: list[list[str]]) -> str:
    in_cycle = {module for component in cycles for module in component}
    lines = ["digraph imports {", "  rankdir=LR;", "  node [shape=box, fontsize=10];"]
    for module in sorted(graph.modules):
        colour = ", color=red, fontcolor=red" if module in in_cycle else ""
        lines.append(f'  "{module}" [label="{module}"{colour}];')
    for module, targets in sorted(graph.edges().items()):
        for target in sorted(targets):
            lines.append(f'  "{module}" -> "{target}";')
    lines.append("}")
    return "\n".join(lines)


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--dot", action="store_true", help="print the graph for graphviz")
    parser.add_argument("--root", type=Path, default=Path(__file__).resolve().parent.parent)
    args = parser.parse_args(argv)

    graph = build_graph(args.root)
    runtime = graph.edges(runtime_only=True)
    cycles = strongly_connected(runtime)
    violations = layering_violations(graph)
    print(render_dot(graph, cycles) if args.dot else render_text(graph))
    report = sys.stderr if args.dot else sys.stdout
    print(f"\n{len(cycles)} import cycle(s)", file=report)
    for component in cycles:
        print(f"  cycle among {len(component)} modules: {', '.join(component)}", file=report)
        print(f"    e.g. {' -> '.join(shortest_cycle(runtime, component))}", file=report)
    print(f"{len(violations)} layering violation(s)", file=report)
    for violation in violations:
        print(f"  {violation}", file=report)
    return 1 if cycles or violations else 0


if __name__ == "__main__":
    sys.exit(main())
