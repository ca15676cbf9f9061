"""kill -9 during `qcode edit`: the project holds the old text and codings or the new,
never a mix, and stays healthy (issue 16)."""

from __future__ import annotations

import hashlib
import random
import shutil
import sqlite3
from pathlib import Path

import pytest

from qcode import Project
from qcode.core import transcript_edit as te
from qcode.core.store.check import check
from tests.robustness.test_concurrency import make_project
from tests.robustness.test_crash import run_and_kill

pytestmark = pytest.mark.slow

PARAGRAPHS = 3000


def state(path: Path) -> str:
    """The text, paragraphs and codings (GUIDs of copied codings are new each time)."""
    conn = sqlite3.connect(path)
    h = hashlib.sha256()
    for query in (
            "SELECT sha256 FROM documents",
            'SELECT ordinal, label, text, start, "end", preceding FROM paragraphs '
            "ORDER BY ordinal",
            "SELECT p.ordinal, g.code_id, g.coder_id, g.spans FROM codings g "
            "JOIN paragraphs p ON p.id = g.paragraph_id ORDER BY 1, 2, 3"):
        for row in conn.execute(query):
            h.update(repr(row).encode())
    conn.close()
    return h.hexdigest()


def corrected(path: Path, folder: Path) -> Path:
    """A correction that moves every paragraph: a new first paragraph, a split of a
    coded one, a join, a word fixed near the end."""
    with Project.open(path) as project:
        doc = project.documents()[0].document
        ids = [p.id for p in project.paragraphs(doc.id)]
        project.tag(ids[::3], [project.codes()[0].id], coder="alice")
        text = te.render(project, doc)
    text = text.replace("[[§1]]\n", "[[new]]\nA first paragraph the transcriber missed.\n\n"
                        "[[§1]]\n", 1)
    text = text.replace("Paragraph number 301 of", "Paragraph number 301\n\nof", 1)
    text = text.replace("transcript.\n\n[[§1201]]\n", "transcript. ", 1)
    text = text.replace("number 2900 of the shared", "number 2900 of the common", 1)
    out = folder / "corrected.txt"
    out.write_text(text, encoding="utf-8")
    return out


def test_kill_during_edit_leaves_the_old_or_the_new_state(tmp_path: Path) -> None:
    path = make_project(tmp_path, PARAGRAPHS)
    source = corrected(path, tmp_path)
    before = state(path)
    finished = tmp_path / "finished.db"
    shutil.copy(path, finished)
    with Project.open(finished) as project:
        doc = project.documents()[0].document
        te.apply(project, te.plan(project, doc, source.read_text()), coder="alice")
    after = state(finished)
    assert after != before
    outcomes = []
    for round_ in range(4):
        copy = tmp_path / f"round{round_}.db"
        shutil.copy(path, copy)
        said = run_and_kill(
            ["edit", "-p", str(copy), "edit", "shared", "--from", str(source), "--yes",
             "--coder", "alice"],
            module="tests.robustness.worker", marker="applying ", after=1,
            delay=random.Random(round_).uniform(0, 0.02))
        assert said, "the kill must come after the edit started applying its changes"
        with Project.open(copy) as project:
            report = check(project.conn)
            assert report.healthy, report.problems
        outcome = state(copy)
        assert outcome in (before, after), "an edit lands whole or not at all"
        outcomes.append(outcome == after)
    assert False in outcomes, "at least one kill must land mid-edit (and roll it back)"
