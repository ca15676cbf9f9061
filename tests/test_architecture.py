"""The house's rules, checked: the core knows no UI, and no module imports itself back.

Every module under qcode/core, qcode/ingest, qcode/exchange and qcode/reports is imported
in a fresh interpreter and must not load textual or click; nor may the part of the CLI
that runs a scripted `qcode tag` without click (nor rich, there). The import graph is built
from the source (every ``import`` and ``from … import``, including those inside
functions and under ``TYPE_CHECKING``) and must have no cycle.
"""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
PACKAGE = ROOT / "qcode"
CORE_PACKAGES = ("qcode.core", "qcode.ingest", "qcode.exchange", "qcode.reports")


def module_name(path: Path) -> str:
    parts = path.relative_to(ROOT).with_suffix("").parts
    return ".".join(parts[:-1] if parts[-1] == "__init__" else parts)


def all_modules() -> dict[str, Path]:
    return {module_name(p): p for p in sorted(PACKAGE.rglob("*.py"))}


def core_modules() -> list[str]:
    return ["qcode"] + [m for m in all_modules() if m.startswith(CORE_PACKAGES)]


@pytest.mark.parametrize("module", core_modules())
def test_core_module_imports_no_ui(module: str) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "leaks = sorted(m for m in sys.modules if m.split('.')[0] in {'textual', 'click'})\n"
        "print(','.join(leaks))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip() == "", f"{module} pulls in {result.stdout.strip()}"


# The command line's click-free part: the entry point and what the scripted `qcode tag`
# runs without loading click (qcode.cli.scripted), rich or textual.
CLICK_FREE_CLI = ("qcode.cli", "qcode.cli.plain", "qcode.cli.tagging", "qcode.cli.scripted")


@pytest.mark.parametrize("module", CLICK_FREE_CLI)
def test_the_scripted_path_imports_no_ui_library(module: str) -> None:
    code = (
        "import importlib, sys\n"
        f"importlib.import_module({module!r})\n"
        "leaks = sorted(m for m in sys.modules\n"
        "               if m.split('.')[0] in {'textual', 'click', 'rich'})\n"
        "print(','.join(leaks))\n"
    )
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip() == "", f"{module} pulls in {result.stdout.strip()}"


def test_the_check_would_catch_a_leak() -> None:
    code = "from qcode.cli import main; import sys; print('click' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip() == "True"


def import_graph(modules: dict[str, Path]) -> dict[str, set[str]]:
    """module -> the qcode modules it imports (a ``from package import module`` counts
    as importing that module)."""
    graph: dict[str, set[str]] = {}
    for name, path in modules.items():
        found: set[str] = set()
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.ImportFrom) and node.module and node.level == 0:
                for alias in node.names:
                    child = f"{node.module}.{alias.name}"
                    found.add(child if child in modules else node.module)
            elif isinstance(node, ast.Import):
                found.update(alias.name for alias in node.names)
        graph[name] = {m for m in found if m in modules and m != name}
    return graph


def cycles(graph: dict[str, set[str]]) -> list[list[str]]:
    """The strongly connected components with more than one module (Tarjan)."""
    index: dict[str, int] = {}
    low: dict[str, int] = {}
    stack: list[str] = []
    on_stack: set[str] = set()
    found: list[list[str]] = []

    def visit(node: str) -> None:
        index[node] = low[node] = len(index)
        stack.append(node)
        on_stack.add(node)
        for target in sorted(graph[node]):
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
                found.append(sorted(component))

    for node in sorted(graph):
        if node not in index:
            visit(node)
    return found


def test_no_import_cycle_among_qcode_modules() -> None:
    found = cycles(import_graph(all_modules()))
    assert found == [], f"import cycles: {found}"


def test_the_cycle_check_finds_a_cycle(tmp_path: Path) -> None:
    a, b, c = tmp_path / "a.py", tmp_path / "b.py", tmp_path / "c.py"
    a.write_text("from pkg import b\n")
    b.write_text("def f():\n    from pkg.c import thing\n")
    c.write_text("from typing import TYPE_CHECKING\nif TYPE_CHECKING:\n    import pkg.a\n")
    graph = import_graph({"pkg.a": a, "pkg.b": b, "pkg.c": c})
    assert cycles(graph) == [["pkg.a", "pkg.b", "pkg.c"]]


def sql_calls(folder: Path) -> list[str]:
    """Places in ``folder`` that run SQL or reach for a project's connection: calls of
    ``execute``/``executemany``/``executescript`` and any ``.conn`` attribute."""
    found = []
    for path in sorted(folder.rglob("*.py")):
        for node in ast.walk(ast.parse(path.read_text(encoding="utf-8"))):
            if isinstance(node, ast.Attribute) and (
                    node.attr in {"execute", "executemany", "executescript", "conn"}):
                found.append(f"{path.name}:{node.lineno} .{node.attr}")
    return found


@pytest.mark.parametrize("front_end", ["tui", "cli"])
def test_front_ends_run_no_sql(front_end: str) -> None:
    """The TUI and the CLI are front ends: every rule and every query is the core's."""
    assert sql_calls(PACKAGE / front_end) == []


def test_the_sql_check_would_catch_a_query(tmp_path: Path) -> None:
    (tmp_path / "screen.py").write_text(
        "def f(project):\n    return project.conn.execute('SELECT 1')\n")
    assert len(sql_calls(tmp_path)) == 2
