"""A progress bar for an import: counts, time left, and a Cancel that stops cleanly.

The import runs in a thread worker (:func:`qcode.tui.importing.run_import`) on a
connection of its own; after each file it posts its progress here and then checks
whether the worker was cancelled, so a cancel takes effect between two whole
documents. The modal closes itself with the :class:`ImportResult` once the worker
has stopped, whatever the reason.
"""

from __future__ import annotations

from pathlib import Path
from typing import ClassVar

from textual import work
from textual.app import ComposeResult
from textual.binding import Binding, BindingType
from textual.containers import Vertical
from textual.widgets import Button, Label, ProgressBar
from textual.worker import Worker, get_current_worker

from qcode.tui.importing import ImportResult, run_import
from qcode.tui.modals.dialog import Dialog
from qcode.tui.wording import plural


class ImportProgress(Dialog[ImportResult]):
    """Imports ``files`` into the project at ``path`` as ``coder``."""

    BINDINGS: ClassVar[list[BindingType]] = [Binding("escape", "cancel", "Cancel")]

    def __init__(self, path: Path, files: list[Path], coder: str) -> None:
        super().__init__()
        self.path = path
        self.files = files
        self.coder = coder
        self.phase = ""
        self.done = 0
        self.worker: Worker[None] | None = None

    def compose(self) -> ComposeResult:
        """Title, what is happening, the bar, the file just done, Cancel."""
        count = len(self.files)
        with Vertical(classes="dialog progress"):
            yield Label(f"Importing {count} file{'s' if count != 1 else ''}",
                        classes="dialog-title")
            yield Label("starting…", id="progress-counts")
            yield ProgressBar(total=count, show_eta=True, id="progress-bar")
            yield Label("", id="progress-file")
            yield Button("Cancel", id="progress-cancel", variant="error")
            yield Label("Every file is read and checked before the first is written. Esc "
                        "or Cancel stops between two documents: each one written stays "
                        "whole.", classes="hint")

    def on_mount(self) -> None:
        """Start the import."""
        self.worker = self.run()

    @work(thread=True, exclusive=True, group="import")
    def run(self) -> None:
        """Import off the UI thread; close with the result when it ends."""
        worker = get_current_worker()
        result = run_import(self.path, self.files, coder=self.coder,
                            step=lambda phase, file, total: self.app.call_from_thread(
                                self.advance, phase, file, total),
                            stop=lambda: worker.is_cancelled)
        self.app.call_from_thread(self.dismiss, result)

    def advance(self, phase: str, file: Path, total: int) -> None:
        """One more file read or written."""
        bar = self.query_one("#progress-bar", ProgressBar)
        if phase != self.phase:
            # A new phase restarts the bar, and with it the time-left estimate.
            self.phase, self.done = phase, 0
            bar.update(total=None)
            bar.update(total=total, progress=0)
        self.done += 1
        bar.update(progress=self.done)
        if self.worker is not None and self.worker.is_cancelled:
            verb = "cancelling"
        else:
            verb = "reading and checking" if phase == "reading" else phase
        self.query_one("#progress-counts", Label).update(
            f"{verb}: {self.done} of {plural(total, 'file')}")
        self.query_one("#progress-file", Label).update(file.name)

    def on_button_pressed(self, event: Button.Pressed) -> None:
        """The Cancel button."""
        event.stop()
        self.action_cancel()

    def action_cancel(self) -> None:
        """Ask the import to stop after the current document."""
        if self.worker is not None and not self.worker.is_cancelled:
            self.worker.cancel()
            self.query_one("#progress-counts", Label).update(
                f"cancelling after the current document ({self.done} done)…")
            self.query_one("#progress-cancel", Button).disabled = True
