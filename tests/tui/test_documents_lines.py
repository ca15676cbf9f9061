"""The documents pane makes a document's line again only when what it shows changed:
a tag remakes the open document's line, not every document's."""

from __future__ import annotations

from pathlib import Path
from typing import Any

from tui_helpers import CODER, SIZE, pilot_test, press

from qcode import Project
from qcode.ingest import read_document
from qcode.tui import QcodeApp
from qcode.tui.widgets import documents
from qcode.tui.widgets.documents import DocumentsPane


@pilot_test
async def test_a_tag_remakes_the_open_documents_line_only(study: Project, tmp_path: Path,
                                                          monkeypatch: Any) -> None:
    for name in ("second", "third"):
        source = tmp_path / f"{name}.txt"
        source.write_text(f"A: The {name} interview.\n\nB: Yes.", encoding="utf-8")
        study.add_document(read_document(source), coder=CODER)
    made: list[str] = []
    entry_line = documents.entry_line

    def counting(summary: Any, is_open: bool, width: int, counted: bool = True) -> Any:
        made.append(summary.document.name)
        return entry_line(summary, is_open, width, counted)

    monkeypatch.setattr(documents, "entry_line", counting)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        assert len(study.documents()) == 3
        pane = app.screen.query_one(DocumentsPane)
        before = [str(text) for _id, text in pane.options.entries]
        made.clear()
        await press(pilot, "1")
        open_name = app.session.view.document.name  # type: ignore[union-attr]
        assert made == [open_name]
        after = [str(text) for _id, text in pane.options.entries]
        changed = [b for b, a in zip(before, after, strict=True) if a != b]
        assert len(changed) == 1 and open_name in changed[0]
