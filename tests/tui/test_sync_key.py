"""`S` in the app: sync through the team's shared folder, as `qcode sync` does."""

from __future__ import annotations

from pathlib import Path

from textual.widgets import Input
from tui_helpers import CODER, SIZE, answer, notifications, pilot_test, press, settle, status

from qcode import Project
from qcode.core.sync import sync
from qcode.tui import QcodeApp

DOC = "sieca-kozlowski-2009"


@pilot_test
async def test_s_merges_the_teams_copies_and_publishes_yours(study: Project,
                                                            tmp_path: Path) -> None:
    folder = tmp_path / "Dropbox"
    folder.mkdir()
    bob_file = tmp_path / "bob.db"
    study.backup(bob_file)
    with Project.open(bob_file) as bob:
        bob.tag([bob.paragraph(bob.document(DOC), "§17").id], [bob.code("foreign funding").id],
                coder="bob")
        sync(bob, folder, coder="bob")
    app = QcodeApp(study, CODER)
    async with app.run_test(size=SIZE) as pilot:
        await press(pilot, "S")
        await answer(pilot, str(folder))
        await settle(pilot)
        assert "synced: something came in; your copy published" in status(app)
        assert any("bob: 1 coding" in note for note in notifications(app))
        coders = {r[0] for r in study.conn.execute(
            "SELECT k.name FROM codings c JOIN coders k ON k.id = c.coder_id")}
        assert coders == {"bob"}
        assert sorted(p.name.split(".")[1] for p in folder.glob("*.qcode")) == ["alice", "bob"]
        # The app's own sync is not announced as someone else's change.
        assert app.check_for_changes() is None
        # Next time, the folder this machine syncs through is already filled in.
        await press(pilot, "S")
        assert app.screen.query_one(Input).value == str(folder.resolve())
        await press(pilot, "escape")
