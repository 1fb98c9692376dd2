"""The package's shape: data flows one way, and the module-level imports have no cycle."""

from __future__ import annotations

import ast
from pathlib import Path

PACKAGE = Path(__file__).resolve().parents[1] / "reportgen"


def _modules() -> dict[str, Path]:
    out = {}
    for path in PACKAGE.rglob("*.py"):
        parts = path.relative_to(PACKAGE.parent).with_suffix("").parts
        name = ".".join(parts[:-1] if parts[-1] == "__init__" else parts)
        out[name] = path
    return out


def _imports(name: str, path: Path, modules: dict[str, Path]) -> set[str]:
    """The package modules ``name`` imports when it is loaded (module level, not under
    ``TYPE_CHECKING``; imports inside functions run later and cannot form a load cycle)."""
    tree = ast.parse(path.read_text(encoding="utf-8"))
    package = name if path.name == "__init__.py" else name.rsplit(".", 1)[0]
    found: set[str] = set()
    for node in tree.body:
        if isinstance(node, ast.If) and "TYPE_CHECKING" in ast.unparse(node.test):
            continue
        if isinstance(node, ast.Import):
            found |= {a.name for a in node.names if a.name in modules}
        elif isinstance(node, ast.ImportFrom):
            base = node.module or ""
            if node.level:
                parts = package.split(".")[: len(package.split(".")) - node.level + 1]
                base = ".".join([*parts, base] if base else parts)
            subs = {f"{base}.{a.name}" for a in node.names if f"{base}.{a.name}" in modules}
            found |= subs
            if base in modules and len(subs) < len(node.names):
                found.add(base)
    return found


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    out: list[list[str]] = []

    def visit(v: str) -> None:
        index[v] = low[v] = len(index)
        stack.append(v)
        on_stack.add(v)
        for w in graph[v]:
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            component = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                component.append(w)
                if w == v:
                    break
            if len(component) > 1:
                out.append(sorted(component))

    for v in graph:
        if v not in index:
            visit(v)
    return out


def test_the_package_has_no_import_cycle() -> None:
    modules = _modules()
    graph = {name: _imports(name, path, modules) for name, path in modules.items()}
    assert _cycles(graph) == []


def test_the_cycle_finder_finds_a_cycle() -> None:
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]


def test_charts_and_render_read_the_analysis_only_through_the_week() -> None:
    """Charts and the page are views of the WeekAnalysis: they import no signal, phase or
    other analysis module, so they cannot compute a number of their own."""
    modules = _modules()
    offenders = []
    for name, path in modules.items():
        if not name.startswith(("reportgen.charts", "reportgen.render")):
            continue
        tree = ast.parse(path.read_text(encoding="utf-8"))
        for node in ast.walk(tree):
            target = None
            if isinstance(node, ast.ImportFrom):
                target = node.module or ""
            elif isinstance(node, ast.Import):
                target = node.names[0].name
            if target and target.startswith("reportgen.analysis") and \
                    target != "reportgen.analysis.week":
                offenders.append(f"{name} imports {target}")
    assert offenders == []


def test_analysis_and_views_never_import_the_sources() -> None:
    """Data flows one way (sources -> store -> analysis -> views): nothing downstream of the
    store imports a source module (it would also load the HTTP client into every build)."""
    modules = _modules()
    offenders = [
        f"{name} imports {target}"
        for name, path in modules.items()
        if name.startswith(("reportgen.analysis", "reportgen.charts", "reportgen.render",
                            "reportgen.brief", "reportgen.site"))
        for target in _imports(name, path, modules)
        if target.startswith("reportgen.sources")
    ]
    assert offenders == []
