"""A big project's first screen is drawn before the counts are read: the codebook's
counts and the documents' progress follow from a worker, shown as being counted until
then (never as zeros), and a change made meanwhile is never lost from them."""

from __future__ import annotations

import asyncio
import threading
from collections.abc import Iterator
from typing import Any

import pytest
from textual.widgets import Label
from tui_helpers import (
    CODER,
    SIZE,
    code_labels,
    main_screen,
    options,
    pilot_test,
    press,
    settle,
)

from qcode import Project
from qcode.tui import QcodeApp
from qcode.tui import app as app_module
from qcode.tui.modals.attributes import AttributesDialog
from qcode.tui.session import Session


class Held:
    """Makes the worker's count wait (after reading) until ``release``; later counts
    run straight through."""

    def __init__(self) -> None:
        self.read = threading.Event()
        self.go = threading.Event()
        self.calls = 0

    def release(self) -> None:
        self.go.set()


@pytest.fixture
def held(monkeypatch: pytest.MonkeyPatch) -> Iterator[Held]:
    """Every project counts after the first screen; its first count is held."""
    monkeypatch.setattr(app_module, "COUNT_LATER_FROM", 0)
    holder = Held()
    original = Session.read_counts

    def read_counts(self: Session, reader: Project) -> Any:
        result = original(self, reader)
        holder.calls += 1
        if holder.calls == 1:
            holder.read.set()
            holder.go.wait(10)
        return result

    monkeypatch.setattr(Session, "read_counts", read_counts)
    yield holder
    holder.release()  # never leave a worker thread waiting


async def wait_for(event: threading.Event) -> None:
    for _ in range(1000):
        if event.is_set():
            return
        await asyncio.sleep(0.005)
    raise TimeoutError


def title(app: QcodeApp) -> str:
    return str(main_screen(app).query_one("#codebook-title", Label).render())


def own_counts(study: Project) -> dict[int, int]:
    return study.code_counts(CODER)


@pilot_test
async def test_counts_show_as_pending_then_right(study: Project, held: Held) -> None:
    code = next(c for c in study.codes() if c.codable)
    study.tag([study.paragraphs(study.documents()[0].document.id)[2].id], [code.id],
              coder=CODER)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(held.read)
        await pilot.pause()
        assert not app.session.counted
        assert "counting…" in title(app)
        # No count is shown while counting, and no progress: "…", not "0/56".
        assert not any(label.rstrip()[-1:].isdigit() for label in code_labels(app))
        entry = options(app, "#document-list")[0].rstrip()
        assert entry.endswith("…") and "/56" not in entry
        held.release()
        await settle(pilot)
        assert app.session.counted and app.session.counts == own_counts(study)
        assert "counting…" not in title(app)
        assert any(label.split()[-1] == "1" and code.name[:6] in label
                   for label in code_labels(app))
        assert options(app, "#document-list")[0].rstrip().endswith("1/56")


@pilot_test
async def test_a_tag_while_counting_is_in_the_counts(study: Project, held: Held) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        # The count has read the project; a tag is committed before it is handed over.
        await wait_for(held.read)
        await press(pilot, "1")
        code = app.session.on_key(1)
        assert code is not None and own_counts(study) == {code.id: 1}
        assert not app.session.counted  # still unknown: not "1" from a guess
        held.release()
        await settle(pilot)
        await settle(pilot)  # the stale count was dropped and read again
        assert app.session.counted and held.calls == 2
        assert app.session.counts == own_counts(study)
        assert options(app, "#document-list")[0].rstrip().endswith("1/56")


@pilot_test
async def test_attributes_while_counting_say_so(study: Project, held: Held) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await wait_for(held.read)
        await press(pilot, "d", "a")
        assert isinstance(app.screen, AttributesDialog)
        assert not app.screen.counted
        held.release()
        await settle(pilot)


@pilot_test
async def test_a_small_project_is_counted_before_its_first_screen(study: Project) -> None:
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE):
        assert app.session.counted and "counting…" not in title(app)
