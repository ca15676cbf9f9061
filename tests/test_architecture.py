"""The core knows no UI: importing it never loads textual or click."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parent.parent
CORE_PACKAGES = ["qcode", "qcode.core", "qcode.ingest", "qcode.exchange", "qcode.reports"]


def core_modules() -> list[str]:
    modules = []
    for package in CORE_PACKAGES:
        folder = ROOT / Path(*package.split("."))
        if not folder.is_dir():
            continue
        for path in sorted(folder.glob("*.py")):
            if package == "qcode" and path.stem not in {"__init__"}:
                continue
            name = package if path.stem == "__init__" else f"{package}.{path.stem}"
            modules.append(name)
    return modules


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


def test_the_check_would_catch_a_leak() -> None:
    code = "import qcode.cli, sys; print('click' in sys.modules)"
    result = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True,
                            cwd=ROOT, check=True)
    assert result.stdout.strip() == "True"
