"""The dialogs opened again and again (``f``, ``/``) are built once and kept; each
opening shows them as new."""

from __future__ import annotations

from typing import Any

from textual.widgets import Input, Label, OptionList
from textual.widgets._footer import FooterKey
from tui_helpers import CODER, SIZE, pilot_test, press, settle

from qcode import Project
from qcode.tui import QcodeApp
from qcode.tui.modals.filter_picker import FilterPicker
from qcode.tui.modals.search import READY, SearchModal


def mounts(app: QcodeApp, kind: type[Any]) -> int:
    """How many option lists of this dialog kind have been mounted so far."""
    return sum(1 for node in app._registry if isinstance(node, OptionList)
               and isinstance(node.screen, kind))


@pilot_test
async def test_the_filter_list_is_built_once_and_shown_as_new_each_time(
    study: Project,
) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f")
        first = app.screen
        assert isinstance(first, FilterPicker)
        everything = first.options.option_count
        await press(pilot, *"qqqq", "enter")
        assert "No code or speaker 'qqqq'" in str(first.query_one("#picker-error",
                                                                  Label).content)
        await press(pilot, "escape", "f")
        assert app.screen is first and mounts(app, FilterPicker) == 1
        assert first.query_one("#picker-input", Input).value == ""
        assert first.options.option_count == everything
        assert first.options.highlighted == 0
        assert str(first.query_one("#picker-error", Label).content) == ""
        # A code added meanwhile is offered.
        await press(pilot, "escape")
        study.add_code("a code added since", coder=CODER)
        app.check_for_changes(force=True)
        await press(pilot, "f")
        assert first.options.option_count == everything + 1


@pilot_test
async def test_the_search_is_built_once_and_opens_empty(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "slash")
        first = app.screen
        assert isinstance(first, SearchModal)
        first.run_search("police")
        await settle(pilot)
        assert first.hits
        await press(pilot, "tab")  # to the hit list
        assert not first.query_one("#search-input", Input).has_focus
        await press(pilot, "escape", "slash")
        assert app.screen is first and mounts(app, SearchModal) == 1
        assert first.query_one("#search-input", Input).value == ""
        assert first.hits == [] and first.query_one(OptionList).option_count == 0
        assert first.query_one("#search-input", Input).has_focus
        assert str(first.query_one("#search-summary", Label).content) == READY


@pilot_test
async def test_the_speakers_are_counted_once_per_document_shown(
    study: Project, monkeypatch: Any,
) -> None:
    counted: list[int] = []
    speakers = study.speakers

    def counting(document_id: int | None = None) -> list[tuple[str, int]]:
        counted.append(document_id or 0)
        return speakers(document_id)

    monkeypatch.setattr(study, "speakers", counting)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "f", "escape", "f", "escape")
        assert len(counted) == 1
        app.check_for_changes(force=True)  # text corrected elsewhere: count again
        await press(pilot, "f", "escape")
        assert len(counted) == 2



@pilot_test
async def test_the_footer_is_not_rebuilt_when_a_dialog_opens_and_closes(
    study: Project,
) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await settle(pilot)
        coding = app.screen
        keys = list(coding.query(FooterKey))
        shown = [key.description for key in keys]
        assert "Tag" in shown
        for key in ("f", "escape", "slash", "escape"):
            await press(pilot, key)
            assert list(coding.query(FooterKey)) == keys  # the very same widgets
        # Keys that do change are shown: the codebook pane has keys of its own.
        await press(pilot, "t")
        now = [key.description for key in coding.query(FooterKey)]
        assert "Add" in now and now != shown
        await press(pilot, "escape")
        assert [key.description for key in coding.query(FooterKey)] == shown


@pilot_test
async def test_the_filter_list_reopened_after_esc_keeps_its_options_and_lines_grow(
    study: Project,
) -> None:
    """Reopened unchanged, the list keeps its options (and what it has drawn of
    them); an error longer than its label's line gets the room it needs."""
    app = QcodeApp(study, CODER)
    async with app.run_test(size=(80, 24)) as pilot:
        await press(pilot, "f")
        picker = app.screen
        assert isinstance(picker, FilterPicker)
        before = list(picker.options.options)
        await press(pilot, "down", "down", "escape", "f")
        assert list(picker.options.options) == before  # the very same Option objects
        assert picker.options.highlighted == 0
        error = picker.query_one("#picker-error", Label)
        for typed in ("zz", "a name nobody gave to any code"):
            await press(pilot, *typed, "enter")
            await settle(pilot)
            said = str(error.content)
            assert f"No code or speaker {typed!r}" in said
            assert error.size.width >= len(said)  # laid out again when it grew
            await press(pilot, "escape", "f")
            assert str(error.content) == ""
