"""The transcripts package reads one way: no module imports one that imports it back."""

from __future__ import annotations

import ast
from pathlib import Path

import tui.sources.transcripts as package

PACKAGE = "tui.sources.transcripts"
FOLDER = Path(package.__file__).parent


def _imports(path: Path) -> set[str]:
    """Every module of the package that ``path`` imports, at any depth (lazy imports too)."""
    found: set[str] = set()
    for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
        if isinstance(node, ast.ImportFrom) and node.module:
            names = [node.module] + [f"{node.module}.{alias.name}" for alias in node.names]
        elif isinstance(node, ast.Import):
            names = [alias.name for alias in node.names]
        else:
            continue
        found.update(n for n in names if n.startswith(PACKAGE + ".") and n.count(".") == 3)
    return found


def test_no_import_cycle_inside_the_transcripts_package() -> None:
    graph = {f"{PACKAGE}.{p.stem}": _imports(p) for p in FOLDER.glob("*.py")}
    assert f"{PACKAGE}.parallel" in graph and f"{PACKAGE}.source" in graph

    def reaches(start: str, goal: str, seen: set[str]) -> bool:
        for nxt in graph.get(start, set()):
            if nxt == goal or (nxt not in seen and reaches(nxt, goal, seen | {nxt})):
                return True
        return False

    cycles = [m for m in graph if reaches(m, m, {m})]
    assert cycles == []


def test_every_module_of_the_package_is_at_most_400_lines() -> None:
    long = {p.name: n for p in FOLDER.glob("*.py") if (n := len(p.read_text().splitlines())) > 400}
    assert long == {}
