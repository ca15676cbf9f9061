"""Other processes' writes appear on screen: another coder's codings, the same coder's
tags from a terminal, documents added or removed elsewhere — without the cursor or
the selection moving."""

from __future__ import annotations

from pathlib import Path

from tui_helpers import CODER, SIZE, code_labels, options, pilot_test, press, reader, status

from qcode import Project
from qcode.core.model import Event
from qcode.ingest import read_document
from qcode.tui import QcodeApp
from qcode.tui.live import describe


def chips_of(app: QcodeApp, ref: str) -> str:
    """The lines of one paragraph as the reader draws them (text and chips)."""
    widget = reader(app)
    width = widget.size.width - 1
    lines = [widget.render_line(y).crop(0, width).text.rstrip()
             for y in range(widget.size.height)]
    start = next(i for i, line in enumerate(lines) if line.lstrip().startswith(ref + " "))
    block = []
    for line in lines[start:]:
        if not line.strip():
            break
        block.append(line)
    return "\n".join(block)


def code_label(app: QcodeApp, name: str) -> str:
    """The codebook pane's entry for a code (key, name, count)."""
    return next(label for label in code_labels(app) if name in label)


@pilot_test
async def test_another_coders_tag_appears_without_moving_the_cursor(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "j", "j", "v", "j")  # on §4, §3–§4 selected
        before = reader(app).selected_ids()
        assert "funding · bob" not in chips_of(app, "§3")
        with Project.open(study.path) as other:
            document = other.document("sieca-kozlowski-2009")
            other.tag([other.paragraph(document, "§3").id], [other.code("foreign funding").id],
                      coder="bob")
        message = app.check_for_changes()
        await pilot.pause()
        assert message == ("updated: another coder's changes (bob: tag sieca-kozlowski-2009 "
                           "§3 with 'foreign funding')")
        assert message in status(app)
        assert "foreign funding · bob" in chips_of(app, "§3")
        assert reader(app).current.ref == "§4"  # type: ignore[union-attr]
        assert reader(app).selected_ids() == before
        # Nothing new: the next look finds nothing and leaves the status alone.
        assert app.check_for_changes() is None


@pilot_test
async def test_the_same_coder_tagging_from_a_terminal_updates_counts_and_progress(
    study: Project,
) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        assert code_label(app, "regional variation").rstrip().endswith("regional variation")
        assert options(app, "#document-list")[0].rstrip().endswith("0/56")
        with Project.open(study.path) as other:
            document = other.document("sieca-kozlowski-2009")
            ids = [other.paragraph(document, ref).id for ref in ("§1", "§2")]
            other.tag(ids, [other.code("regional variation").id], coder=CODER)
        app.check_for_changes()
        await pilot.pause()
        assert code_label(app, "regional variation").split()[-2:] == ["variation", "2"]
        assert options(app, "#document-list")[0].rstrip().endswith("2/56")
        assert "updated: your changes from another window" in status(app)
        # The app's own coder can undo that tag here: it is theirs.
        await press(pilot, "u")
        assert code_label(app, "regional variation").rstrip().endswith("regional variation")
        await press(pilot, "ctrl+l")
        assert "refreshed: nothing changed elsewhere" in status(app)


@pilot_test
async def test_the_apps_own_writes_are_not_news(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "5", "j", "6")
        assert app.check_for_changes() is None
        assert "tagged §2" in status(app)


@pilot_test
async def test_documents_added_and_removed_elsewhere(study: Project, tmp_path: Path) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        source = tmp_path / "melnikova.txt"
        source.write_text("Q: How do you work?\n\nA: With the ministry.\n", encoding="utf-8")
        with Project.open(study.path) as other:
            other.add_document(read_document(source), coder="bob")
        app.check_for_changes()
        await pilot.pause()
        entries = options(app, "#document-list")
        assert entries[0].lstrip().startswith("melnikova") and entries[0].rstrip().endswith("0/2")
        assert entries[1].startswith("▸ sieca-kozlowski-2009")
        assert reader(app).current.ref == "§1"  # type: ignore[union-attr]
        with Project.open(study.path) as other:
            other.remove_document(other.document("sieca-kozlowski-2009"), coder="bob")
        app.check_for_changes()
        await pilot.pause()
        assert reader(app).current is None
        entries = options(app, "#document-list")
        assert len(entries) == 1 and entries[0].lstrip().startswith("melnikova")


def test_the_message_names_who_changed_what() -> None:
    def event(number: int, coder: str, summary: str) -> Event:
        return Event(number, "2024-01-01T00:00:00", coder, "do", "tag", summary, None)

    one = [event(1, "bob", "tag doc §1 with 'x'")]
    assert describe(one, "alice") == "updated: another coder's changes (bob: tag doc §1 with 'x')"
    many = [event(1, "bob", "a"), event(2, "carol", "b"), event(3, "bob", "c"),
            event(4, "alice", "d")]
    assert describe(many, "alice") == "updated: another coder's changes (3 by bob, carol)"
    assert describe([event(5, "alice", "d")], "alice") == (
        "updated: your changes from another window (d)")
    assert describe([], "alice") == "updated: changes made elsewhere"
