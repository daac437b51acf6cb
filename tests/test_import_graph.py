"""The import graph drawn from the source with `ast`: no circles, and no arrow against the pipeline.

Every import counts, at module level, inside functions and under `TYPE_CHECKING` alike: a circle that
only mypy walks still means two modules that cannot be read (or moved) one without the other. An edge
goes to the module an import statement names, and to `pkg.name` when `from pkg import name` names a
submodule. The parent packages Python runs implicitly are not edges: a package's `__init__` re-exporting
its own modules is how a stage shows its surface.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1] / "evaluator"

#: Stages that must not import a later stage or the command line (the pipeline of docs/architecture.md).
FORBIDDEN = [
    ("evaluator.grading", "evaluator.run", "grading takes what it needs as arguments (presets, prices)"),
    ("evaluator.grading", "evaluator.cli", "only the command line knows the command line"),
    ("evaluator.metrics", "evaluator.cli", "only the command line knows the command line"),
    ("evaluator.benchmarks", "evaluator.cli", "only the command line knows the command line"),
    ("evaluator.backends", "evaluator.cli", "only the command line knows the command line"),
    ("evaluator.reports", "evaluator.cli", "only the command line knows the command line"),
    ("evaluator.run", "evaluator.cli", "only the command line knows the command line"),
    ("evaluator.imports", "evaluator.cli", "only the command line knows the command line"),
]


def _modules(root: Path = ROOT) -> dict[str, Path]:
    found = {}
    for path in root.rglob("*.py"):
        parts = path.relative_to(root.parent).with_suffix("").parts
        found[".".join(parts[:-1] if parts[-1] == "__init__" else parts)] = path
    return found


def import_graph(root: Path = ROOT) -> dict[str, set[str]]:
    """module -> the project modules it imports (see the module docstring for what counts)."""
    modules = _modules(root)
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        package = name.split(".") if path.name == "__init__.py" else name.split(".")[:-1]
        targets: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Import):
                targets.update(alias.name for alias in node.names)
            elif isinstance(node, ast.ImportFrom):
                base = node.module or ""
                if node.level:
                    base = ".".join(package[: len(package) - node.level + 1] + ([node.module] if node.module else []))
                targets.add(base)
                targets.update(f"{base}.{alias.name}" for alias in node.names)
        graph[name] = {t for t in targets if t in modules and t != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for nxt in sorted(graph[node]):
            if nxt not in index:
                visit(nxt)
                low[node] = min(low[node], low[nxt])
            elif nxt in on_stack:
                low[node] = min(low[node], index[nxt])
        if low[node] == index[node]:
            component = []
            while True:
                top = stack.pop()
                on_stack.discard(top)
                component.append(top)
                if top == node:
                    break
            if len(component) > 1:
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_the_import_graph_has_no_circles() -> None:
    assert cycles(import_graph()) == []


@pytest.mark.parametrize(("source", "target", "why"), FORBIDDEN, ids=[f"{s}->{t}" for s, t, _ in FORBIDDEN])
def test_no_arrow_against_the_pipeline(source: str, target: str, why: str) -> None:
    graph = import_graph()
    wrong = sorted(f"{module} -> {t}" for module, targets in graph.items() if module.startswith(source + ".")
                   or module == source for t in targets if t == target or t.startswith(target + "."))
    assert wrong == [], why


def test_the_checker_sees_every_kind_of_import(tmp_path: Path) -> None:
    """A circle hidden in a function, under TYPE_CHECKING or behind a relative import is still found."""
    pkg = tmp_path / "evaluator" / "stage"
    pkg.mkdir(parents=True)
    (tmp_path / "evaluator" / "__init__.py").write_text("")
    (pkg / "__init__.py").write_text("")
    (pkg / "a.py").write_text("def f():\n    from evaluator.stage import b\n")
    (pkg / "b.py").write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from .c import X\n")
    (pkg / "c.py").write_text("from evaluator.stage.a import f\nX = 1\n")
    (pkg / "d.py").write_text("import evaluator.stage.a\n")
    graph = import_graph(tmp_path / "evaluator")
    assert graph["evaluator.stage.d"] == {"evaluator.stage.a"}
    assert cycles(graph) == [["evaluator.stage.a", "evaluator.stage.b", "evaluator.stage.c"]]


def test_the_top_level_is_the_stages_plus_a_few_shared_modules() -> None:
    """The command line is one package; besides `__init__` at most six top-level modules remain."""
    modules = sorted(p.name for p in ROOT.glob("*.py") if p.name != "__init__.py")
    assert len(modules) <= 6, modules
    assert (ROOT / "cli" / "__init__.py").is_file()
    assert not any(name.startswith("_cli") or name == "cli.py" for name in modules), modules
