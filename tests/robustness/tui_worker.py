"""The terminal UI in a separate process, tagging paragraph after paragraph by key.

Run as ``python -m tests.robustness.tui_worker PROJECT``; after each tag it reads the
status line the researcher would see and prints ``shown LABEL`` (flushed) once the
screen acknowledges the tag.
"""

from __future__ import annotations

import asyncio
import sys

from qcode import Project
from qcode.tui import QcodeApp
from qcode.tui.screens.main import MainScreen
from qcode.tui.widgets.status import StatusBar


async def tag_everything(path: str) -> None:
    project = Project.open(path)
    app = QcodeApp(project, "alice", remember=False)
    async with app.run_test(size=(100, 30)) as pilot:
        await pilot.pause()
        screen = next(s for s in app.screen_stack if isinstance(s, MainScreen))
        for _ in range(project.paragraph_count(project.documents()[0].document.id)):
            await pilot.press("1")
            await pilot.pause()
            line = screen.query_one(StatusBar).plain
            if "tagged" in line:
                label = line.split("tagged ", 1)[1].split(" with", 1)[0]
                print(f"shown {label}", flush=True)
            await pilot.press("j")
            await pilot.pause()


if __name__ == "__main__":
    asyncio.run(tag_everything(sys.argv[1]))
