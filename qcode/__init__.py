"""qcode: terminal-first qualitative coding for interview research.

The library API is :class:`qcode.Project`; the CLI (``qcode``) and the terminal UI are
thin front ends over it.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

__version__ = "0.1.0"

if TYPE_CHECKING:
    from qcode.core.errors import QcodeError
    from qcode.core.project import Project


def __getattr__(name: str) -> Any:
    # Loaded on first use: `qcode --version` or a command that never opens a project
    # need not import the whole library.
    if name == "Project":
        from qcode.core.project import Project

        return Project
    if name == "QcodeError":
        from qcode.core.errors import QcodeError

        return QcodeError
    raise AttributeError(f"module 'qcode' has no attribute {name!r}")


__all__ = ["Project", "QcodeError", "__version__"]
