"""The reader underlines the exact selection of a coding that came from another tool,
inside its paragraph (a paragraph coded whole, as qcode codes, is not underlined)."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import CODER, SIZE, pilot_test, press, reader, settle

from qcode import Project
from qcode.exchange.refi_qdpx import import_qdpx
from qcode.tui import QcodeApp
from tests.exchange.test_spans_editing import field_file


def underlined(app: QcodeApp) -> str:
    widget = reader(app)
    found = []
    for y in range(widget.size.height):
        for segment in widget.render_line(y):
            if segment.style is not None and segment.style.underline:
                found.append(segment.text)
    return "".join(found)


@pilot_test
async def test_exact_selections_are_underlined(project: Project, tmp_path: Path) -> None:
    import_qdpx(project, field_file(tmp_path), coder=CODER)
    project.tag([project.paragraph(project.document("interview one"), 4).id],
                [project.code("Relations").id], coder=CODER)
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        shown = underlined(app)
        # ¶1's piece of the selection across paragraphs, the two selections in ¶2,
        # the end of the selection in ¶3
        assert "ministry." in shown and "Second" in shown and "goes" in shown
        assert "Third" in shown and "ends" in shown
        # ¶2 carries a piece covering it all (nothing singled out there) and ¶4 was
        # coded whole in qcode: neither is underlined as a whole
        assert "Fourth" not in shown and "one 🙂🙂" not in shown
        await press(pilot, "b")  # blind mode: only the coder's own codings
        await settle(pilot)
        assert underlined(app) == ""  # the selections are Alice Field's, not alice's
