"""The terminal UI (Textual). Imports the core; the core never imports this."""

from qcode.tui.app import QcodeApp, run

__all__ = ["QcodeApp", "run"]
