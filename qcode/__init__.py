"""qcode: terminal-first qualitative coding for interview research.

The library API is :class:`qcode.Project`; the CLI (``qcode``) and the terminal UI are
thin front ends over it.
"""

from qcode.core.errors import QcodeError
from qcode.core.project import Project

__version__ = "0.1.0"

__all__ = ["Project", "QcodeError", "__version__"]
