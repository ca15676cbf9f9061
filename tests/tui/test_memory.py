"""The cycle collector runs between key presses, not in them (qcode.tui.memory)."""

from __future__ import annotations

import asyncio
import gc
from collections.abc import Iterator
from typing import Any

import pytest
from tui_helpers import CODER, pilot_test, settle

from qcode import Project
from qcode.tui import QcodeApp, memory


@pytest.fixture
def collections() -> Iterator[list[int]]:
    """The generation of every collection from now on, in order."""
    seen: list[int] = []

    def record(phase: str, info: dict[str, Any]) -> None:
        if phase == "start":
            seen.append(info["generation"])

    before = gc.get_threshold()
    gc.set_threshold(*memory.THRESHOLDS)  # as while the app runs
    gc.callbacks.append(record)
    try:
        yield seen
    finally:
        gc.callbacks.remove(record)
        gc.set_threshold(*before)


def _litter(count: int) -> list[list[int]]:
    """``count`` young container objects."""
    return [[n] for n in range(count)]


def test_tidy_collects_the_young_once_there_are_enough(collections: list[int]) -> None:
    gc.collect()
    collections.clear()
    kept = _litter(memory.YOUNG * 2)
    memory.tidy()
    assert collections == [1]
    assert gc.get_count()[0] < memory.YOUNG
    collections.clear()
    memory.tidy()  # nothing new since: nothing to do (no full collection is due)
    assert collections == []
    assert len(kept) == memory.YOUNG * 2


def test_a_due_full_collection_waits_for_a_quiet_second(
        collections: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    clock = [1000.0]
    monkeypatch.setattr(memory, "_clock", lambda: clock[0])
    gc.collect()
    for _ in range(memory.FULL_AFTER):
        gc.collect(1)
    collections.clear()
    memory.after_key()  # a key: busy
    memory.tidy()  # nothing young, but a key came just now
    clock[0] += memory.QUIET / 2
    memory.tidy()
    assert 2 not in collections
    kept = _litter(memory.YOUNG * 2)
    clock[0] += memory.QUIET * 0.9
    memory.tidy()  # young work: collected, and busy again
    assert collections == [1]
    clock[0] += memory.QUIET * 0.9
    memory.tidy()
    assert collections == [1]
    clock[0] += memory.QUIET * 0.2
    memory.tidy()  # a quiet second, and a full collection is due
    assert collections == [1, 2]
    assert gc.get_count()[2] == 0
    assert kept


@pilot_test
async def test_keys_leave_their_garbage_to_the_ticks_between_them(
        study: Project, collections: list[int], monkeypatch: pytest.MonkeyPatch) -> None:
    """Twenty moves at 160×45, a key every 0.15 s (a fast reader): every collection in
    that time is the timer's, between keys, and what the keys left is collected."""
    ours = 0
    tidy = memory.tidy

    def counted() -> None:
        nonlocal ours
        before = len(collections)
        tidy()
        ours += len(collections) - before

    monkeypatch.setattr(memory, "tidy", counted)
    app = QcodeApp(study, CODER)
    async with app.run_test(size=(160, 45)) as pilot:
        await settle(pilot)
        await asyncio.sleep(0.3)  # the first screen's settle() (a full collection) done
        assert gc.get_threshold()[0] >= 10 * memory.YOUNG
        collections.clear()
        ours = 0
        for key in ["j"] * 10 + ["k"] * 10:
            await pilot.press(key)
            await asyncio.sleep(0.15)
        assert collections, "nothing was collected"
        assert ours == len(collections), "a collection ran during a key press"
        assert gc.get_count()[0] < 20 * memory.YOUNG
