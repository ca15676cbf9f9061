"""Filtering the reader by theme (a code with its sub-codes, rolled up as reports roll
it up) and by speaker, and what the status line says about it."""

from __future__ import annotations

from pathlib import Path

import pytest
from textual.widgets import Label
from tui_helpers import CODER, SIZE, pilot_test, press, reader, reader_lines, status

from qcode import Project
from qcode.core.errors import NotFoundError
from qcode.ingest import read_document
from qcode.reports.filters import ReportFilter
from qcode.reports.frequencies import frequencies
from qcode.tui import QcodeApp
from qcode.tui.modals.filter_picker import FilterPicker

THEME = "state pressure on NGOs"
# Sub-codes of the theme, and the paragraphs each is put on (by alice, or by bob).
ALICE = {"2006 NGO law": ["§12", "§13"], "harassment and inspections": ["§13", "§14"]}
BOB = {"stigmatisation as a foreign element": ["§20"]}
THEIRS = {"§12", "§13", "§14", "§20"}

TRANSCRIPT = """INTERVIEWER: How did the cooperation start?

Anna Petrova: With a seminar in Kazan.

INTERVIEWER: And the police?

Anna Petrova: They came because they were told to.

Ivan Sidorov: I was there too.
"""


def code_theme(project: Project) -> None:
    document = project.documents()[0].document
    for coder, plan in ((CODER, ALICE), ("bob", BOB)):
        for name, refs in plan.items():
            ids = [project.paragraph(document, ref).id for ref in refs]
            project.tag(ids, [project.code(name).id], coder=coder)


def shown_refs(app: QcodeApp) -> set[str]:
    """The labels in the reader's gutter."""
    found = set()
    for line in reader_lines(app):
        head = line.split("▌")[0].split()
        if head and head[-1].startswith("§"):
            found.add(head[-1])
    return found


@pilot_test
async def test_a_theme_shows_the_paragraphs_of_its_sub_codes_as_the_report_counts(
    study: Project,
) -> None:
    code_theme(study)
    report = {row.code: row.paragraphs for row in frequencies(study, ReportFilter())}
    assert report[THEME] == len(THEIRS)  # the report's roll-up: 4 paragraphs
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f")
        assert isinstance(app.screen, FilterPicker)
        await press(pilot, *"state pressure", "enter")
        said = status(app)
        assert f"4 paragraphs carry {THEME!r} or its 4 sub-codes (F shows all)" in said
        assert f"only {THEME!r} +4 sub-codes" in said
        assert reader(app).position == (1, 4)
        refs = set()
        for _ in range(4):
            refs.add(reader(app).current.ref)  # type: ignore[union-attr]
            await press(pilot, "j")
        assert refs == THEIRS
        # Blind mode counts only alice's own codings.
        await press(pilot, "b")
        assert reader(app).position[1] == 3
        await press(pilot, "b", "F")
        assert reader(app).filter is None and "showing all paragraphs" in status(app)
        assert reader(app).position[1] == 56
        await press(pilot, "F")
        assert "no filter on" in status(app)


@pilot_test
async def test_a_sub_code_alone_and_one_paragraph_in_the_singular(study: Project) -> None:
    code_theme(study)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f", *"stigmatisation", "enter")
        said = status(app)
        assert "1 paragraph carries 'stigmatisation as a foreign element' (F shows" in said
        assert "sub-code" not in said
        assert shown_refs(app) == {"§20"}


@pilot_test
async def test_a_theme_no_paragraph_carries_yet_says_so(study: Project) -> None:
    """A theme nobody has used: the reader is empty, and the researcher is told why
    (and how to get the paragraphs back), not left with a blank screen."""
    app = QcodeApp(study, CODER)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f", *"state pressure", "enter")
        said = status(app)
        assert f"0 paragraphs carry {THEME!r} or its 4 sub-codes (F shows all)" in said
        assert reader(app).position[1] == 0
        shown = " ".join(line.strip() for line in reader_lines(app))
        assert f"No paragraph carries {THEME!r} +4 sub-codes." in shown  # wrapped, not cut
        assert any("Press F to show every paragraph again." in line
                   for line in reader_lines(app))
        await press(pilot, "F")
        assert reader(app).position[1] == 56


@pilot_test
async def test_a_speaker_filter_and_an_unknown_name(tmp_path: Path, project: Project) -> None:
    path = tmp_path / "kazan.txt"
    path.write_text(TRANSCRIPT, encoding="utf-8")
    document = project.add_document(read_document(path), coder=CODER)
    speakers = dict(project.speakers(document.id))
    assert speakers == {"INTERVIEWER": 2, "Anna Petrova": 2, "Ivan Sidorov": 1}
    app = QcodeApp(project, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f", *"anna", "enter")
        assert "2 turns by 'Anna Petrova' (F shows all)" in status(app)
        assert "only speaker 'Anna Petrova'" in status(app)
        text = "\n".join(reader_lines(app))
        assert "Kazan" in text and "told to" in text and "INTERVIEWER" not in text
        await press(pilot, "F", "f", *"qqqq", "enter")
        error = str(app.screen.query_one("#picker-hint", Label).render())
        assert error.startswith("No code or speaker 'qqqq' here") and "\n" not in error
        await press(pilot, "escape")
    # The rule in the core: an unknown speaker is one line with "did you mean".
    with pytest.raises(NotFoundError) as refused:
        project.speaker(document.id, "Ana Petrov")
    assert str(refused.value) == ("no speaker 'Ana Petrov' in 'kazan' "
                                  "(did you mean 'Anna Petrova'?)")
    assert project.speaker(document.id, "anna  petrova") == "Anna Petrova"


@pilot_test
async def test_the_status_line_never_wraps_at_80_columns_with_a_filter_on(
    study: Project,
) -> None:
    code_theme(study)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f", *"state pressure", "enter")
        lines = status(app).split("\n")
        assert len(lines) == 2 and all(len(line) <= 80 for line in lines)
        assert "§12 · 1/3 (1/4)" in lines[0] and "only 'state pressure" in lines[0]
        assert "4 paragraphs carry" in lines[1]  # the message line is not pushed out
        await press(pilot, "v", "j")
        lines = status(app).split("\n")
        assert len(lines) == 2 and all(len(line) <= 80 for line in lines)
        assert "§13 · 1/2 (2/4)" in lines[0] and "2 selected" in lines[0]
        assert app.screen.query_one("#status").size.height == 2


@pilot_test
async def test_on_a_wide_terminal_the_status_line_keeps_its_height_as_filters_come_and_go(
    study: Project,
) -> None:
    """From 120 columns on the message shares the place's line: one line, always, so
    a filter's long message or F never changes the reader's height (a new layout
    and a rewrap of the whole reader, for a key)."""
    code_theme(study)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=(160, 45)) as pilot:
        bar, body = reader(app), app.screen.query_one("#status")
        heights = {(bar.size.height, body.size.height)}
        await press(pilot, "f", *"state pressure", "enter")
        said = status(app)
        assert "\n" not in said and f"only {THEME!r} +4 sub-codes" in said
        # The whole message, the project's name given up for it.
        assert f"4 paragraphs carry {THEME!r} or its 4 sub-codes (F shows all)" in said
        heights.add((bar.size.height, body.size.height))
        await press(pilot, "F")
        assert "showing all paragraphs" in status(app) and "\n" not in status(app)
        heights.add((bar.size.height, body.size.height))
        assert heights == {(43, 1)}
