"""No import circle in the product or the replay.

Every import counts: at module level, under ``if TYPE_CHECKING:`` and inside functions. A circle
hidden by a late import still ties two modules together, so the structure a reader sees (which
module builds on which) would not be the structure the code has.
"""

from __future__ import annotations

import ast
from pathlib import Path

import hippique_assets
import hippique_replay

PACKAGES = {
    "hippique_assets": Path(hippique_assets.__file__).parent,
    "hippique_replay": Path(hippique_replay.__file__).parent,
}


def _module_name(package: str, root: Path, path: Path) -> str:
    parts = [package, *path.relative_to(root).with_suffix("").parts]
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def _modules() -> dict[str, Path]:
    return {
        _module_name(package, root, path): path
        for package, root in PACKAGES.items()
        for path in sorted(root.rglob("*.py"))
    }


def _resolve(module: str, node: ast.ImportFrom) -> str:
    if node.level == 0:
        return node.module or ""
    base = module.split(".")[: -node.level] if node.level else []
    return ".".join([*base, *([node.module] if node.module else [])])


def _imports(module: str, path: Path, known: set[str]) -> set[str]:
    """The known modules ``module`` imports, wherever in the file the import statement stands."""
    found: set[str] = set()
    is_package = path.name == "__init__.py"
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"), str(path))):
        if isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        elif isinstance(node, ast.ImportFrom):
            # A relative import in a package's __init__ is relative to the package itself.
            target = _resolve(module + ".__init__" if is_package else module, node)
            names = [target, *(f"{target}.{alias.name}" for alias in node.names)]
        else:
            continue
        found |= {name for name in names if name in known and name != module}
    return found


def import_graph() -> dict[str, set[str]]:
    modules = _modules()
    known = set(modules)
    return {module: _imports(module, path, known) for module, path in modules.items()}


def find_cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components of more than one module (Tarjan), each sorted."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    components: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph.get(node, ())):
            if target not in index:
                visit(target)
                low[node] = min(low[node], low[target])
            elif target in on_stack:
                low[node] = min(low[node], index[target])
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

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return components


def test_the_graph_sees_late_imports(tmp_path: Path) -> None:
    graph = {"a": {"b"}, "b": {"c"}, "c": {"a"}, "d": {"a"}}
    assert find_cycles(graph) == [["a", "b", "c"]]
    source = "from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    from pkg import b\ndef f():\n    import pkg.c\n"
    path = tmp_path / "a.py"
    path.write_text(source, encoding="utf-8")
    assert _imports("pkg.a", path, {"pkg", "pkg.a", "pkg.b", "pkg.c"}) == {"pkg", "pkg.b", "pkg.c"}


def test_no_import_circle() -> None:
    graph = import_graph()
    assert len(graph) > 100, "the walk found too few modules"
    cycles = find_cycles(graph)
    assert not cycles, "import circles:\n" + "\n".join(" <-> ".join(c) for c in cycles)
