"""The package is arranged in layers and every import points down.

Read CONTRIBUTING.md ("Layers") for the rule.  This test reads the source with
``ast`` (every import, including the ones inside functions that keep
``import crm_research`` light) and fails on an arrow that points up, on a
sideways arrow between two packages of the same layer that is not declared
below, and on any import cycle between modules.
"""

from __future__ import annotations

import ast
from pathlib import Path

import pytest

PACKAGE_ROOT = Path(__file__).resolve().parents[1] / "crm_research"

# top-level folder (or module) of crm_research -> layer; lower layers never import higher ones
LAYERS: dict[str, int] = {
    "core": 0,
    "data": 1,
    "psychometrics": 2,
    "sem": 2,
    "pls": 2,
    "analytics": 2,
    "frameworks": 3,
    "inference": 3,
    "report": 4,
    "notebooks": 5,
    "course": 5,
    "cli": 6,
}

# sideways arrows inside one layer, each with its reason
ALLOWED_PEERS: dict[tuple[str, str], str] = {
    ("psychometrics", "sem"): "composite reliability, AVE and Fornell-Larcker are read off a fitted CFA",
    ("course", "notebooks"): "the course pack is built from the notebook series that notebooks.find_notebooks lists",
}


def _module_name(path: Path) -> str:
    parts = list(path.relative_to(PACKAGE_ROOT.parent).with_suffix("").parts)
    if parts[-1] == "__init__":
        parts = parts[:-1]
    return ".".join(parts)


def _imports(path: Path) -> list[tuple[int, str]]:
    """(line, absolute module) for every import of crm_research in one file."""
    module = _module_name(path)
    package = module if path.name == "__init__.py" else module.rpartition(".")[0]
    out = []
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom):
            if node.level:
                base = package.split(".")
                base = base[: len(base) - (node.level - 1)]
                target = ".".join(base + ([node.module] if node.module else []))
            else:
                target = node.module or ""
            if target.startswith("crm_research"):
                if node.module is None or target == "crm_research":
                    # "from crm_research import x" / "from . import x": x may be a submodule
                    out += [(node.lineno, f"{target}.{alias.name}") for alias in node.names]
                else:
                    out.append((node.lineno, target))
        elif isinstance(node, ast.Import):
            out += [(node.lineno, a.name) for a in node.names if a.name.startswith("crm_research")]
    return out


def _files():
    return sorted(p for p in PACKAGE_ROOT.rglob("*.py"))


def _top(module: str) -> str | None:
    parts = module.split(".")
    return parts[1] if len(parts) > 1 else None


def test_every_top_level_folder_has_a_layer():
    tops = {p.relative_to(PACKAGE_ROOT).parts[0].removesuffix(".py") for p in _files()} - {"__init__"}
    assert tops <= set(LAYERS), f"give these a layer in tests/test_layers.py and CONTRIBUTING.md: {tops - set(LAYERS)}"


def test_imports_point_down():
    wrong = []
    for path in _files():
        src = _top(_module_name(path))
        if src is None:  # crm_research/__init__.py is the facade above every layer
            continue
        for line, target in _imports(path):
            dst = _top(target)
            if dst is None or dst == src or dst not in LAYERS:
                continue
            if LAYERS[dst] > LAYERS[src] or (LAYERS[dst] == LAYERS[src] and (src, dst) not in ALLOWED_PEERS):
                wrong.append(f"{path.relative_to(PACKAGE_ROOT.parent)}:{line}: {src} (layer {LAYERS[src]}) "
                             f"imports {target} (layer {LAYERS[dst]})")
    assert not wrong, "imports that point up or sideways:\n" + "\n".join(wrong)


def _graph() -> dict[str, set[str]]:
    modules = {_module_name(p) for p in _files()}
    graph: dict[str, set[str]] = {}
    for path in _files():
        name = _module_name(path)
        edges = set()
        for _, target in _imports(path):
            # "from crm_research.x import y" where y is a function: the edge goes to crm_research.x
            while target and target not in modules:
                target = target.rpartition(".")[0]
            if target and target != name:
                edges.add(target)
        graph[name] = edges
    return graph


def _cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """Strongly connected components with more than one module (Tarjan)."""
    index, low, stack, on_stack, out = {}, {}, [], set(), []
    counter = [0]

    def visit(v):
        index[v] = low[v] = counter[0]
        counter[0] += 1
        stack.append(v)
        on_stack.add(v)
        for w in graph.get(v, ()):
            if w not in index:
                visit(w)
                low[v] = min(low[v], low[w])
            elif w in on_stack:
                low[v] = min(low[v], index[w])
        if low[v] == index[v]:
            comp = []
            while True:
                w = stack.pop()
                on_stack.discard(w)
                comp.append(w)
                if w == v:
                    break
            if len(comp) > 1:
                out.append(sorted(comp))

    for v in sorted(graph):
        if v not in index:
            visit(v)
    return out


def _package_inits(graph):
    # a package's __init__ importing its own modules, and those modules importing a sibling, is not a
    # cycle of design: drop the edges from a module up to the __init__ of a package that contains it
    return {m: {t for t in edges if not m.startswith(t + ".")} for m, edges in graph.items()}


def test_no_import_cycles():
    cycles = _cycles(_package_inits(_graph()))
    assert not cycles, "import cycles: " + "; ".join(" <-> ".join(c) for c in cycles)


@pytest.mark.parametrize("bad", [
    "from crm_research.report import sections\n",
    "from ..report.sections import Chapter\n",
])
def test_the_checker_catches_an_upward_import(tmp_path, bad, monkeypatch):
    # the rule must be able to fail: a core module importing the report is flagged
    fake = tmp_path / "crm_research" / "core"
    fake.mkdir(parents=True)
    (fake / "bad.py").write_text(bad, encoding="utf-8")
    monkeypatch.setattr(__import__(__name__), "PACKAGE_ROOT", tmp_path / "crm_research")
    with pytest.raises(AssertionError, match="points up|imports"):
        test_imports_point_down()


def test_the_checker_catches_a_cycle():
    assert _cycles({"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}) == [["a", "b", "c"]]
