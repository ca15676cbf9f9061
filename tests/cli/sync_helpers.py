"""A team of coders on separate machines with a synced folder, for the sync tests.

Each coder has their own project file, their own state folder (what a machine
remembers) and their own view of the shared folder; :meth:`Team.relay` plays the sync
client, carrying each view's newest version of every file to the other views (copied
beside, then renamed, as sync clients do). :func:`dump` is the logical content of a
project, read with plain SQL here rather than through qcode, so the tests compare
projects by what they hold, not by how qcode reads them.
"""

from __future__ import annotations

import os
import shutil
import sqlite3
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from click.testing import CliRunner, Result

from qcode.cli import main

DOC = "sieca-kozlowski-2009"


@dataclass
class Machine:
    """One coder's laptop: their project, their state folder, their view of the share."""

    coder: str
    project: Path
    state: Path
    folder: Path

    def __call__(self, *args: str) -> Result:
        return CliRunner().invoke(
            main, ["-p", str(self.project), *args], catch_exceptions=False,
            env={"QCODE_CODER": self.coder, "XDG_STATE_HOME": str(self.state)})

    def sync(self, *args: str) -> Result:
        result = self("sync", str(self.folder), *args)
        assert result.exit_code == 0, (result.output, result.stderr)
        return result


class Team:
    """Coders, each with a copy of ``lead`` (the project everyone started from)."""

    def __init__(self, root: Path, lead: Path, coders: list[str]) -> None:
        self.machines: dict[str, Machine] = {}
        for coder in coders:
            home = root / coder
            (home / "Dropbox" / "study").mkdir(parents=True)
            project = home / "study.db"
            shutil.copy(lead, project)
            self.machines[coder] = Machine(coder, project, home / "state",
                                           home / "Dropbox" / "study")

    def __getitem__(self, coder: str) -> Machine:
        return self.machines[coder]

    def relay(self) -> None:
        """Carry the newest version of every file in any view to every other view."""
        newest: dict[str, Path] = {}
        for machine in self.machines.values():
            for path in machine.folder.iterdir():
                if not path.is_file() or ".backup-partial" in path.name:
                    continue
                best = newest.get(path.name)
                if best is None or path.stat().st_mtime_ns > best.stat().st_mtime_ns:
                    newest[path.name] = path
        for name, source in newest.items():
            for machine in self.machines.values():
                target = machine.folder / name
                if target == source or (target.exists()
                                        and target.read_bytes() == source.read_bytes()):
                    continue
                partial = machine.folder / f".{name}.relay"
                shutil.copy2(source, partial)
                os.replace(partial, target)

    def round(self) -> dict[str, str]:
        """Everyone syncs in turn, the sync client carrying files after each; returns
        what each sync printed."""
        said = {}
        for coder, machine in self.machines.items():
            said[coder] = machine.sync().output
            self.relay()
        return said


def dump(path: Path) -> dict[str, Any]:
    """What a project holds, by identities that are the same in every copy: documents
    by name and hash, paragraphs by document and ordinal, codes by GUID (with their
    name, parent's GUID, colour, folder flag and texts; not their sibling order), coders
    by name, and the codings, memos and review marks on them."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    one = conn.execute
    codes = {r[0]: r for r in one(
        "SELECT c.guid, c.name, p.guid, c.colour, c.codable, c.short, c.definition, "
        "c.when_to_use, c.when_not_to_use, c.example, c.example_ref "
        "FROM codes c LEFT JOIN codes p ON p.id = c.parent_id")}
    codings = set(one(
        "SELECT d.name, COALESCE(p.label, '¶' || p.ordinal), c.guid, k.name, g.memo "
        "FROM codings g "
        "JOIN paragraphs p ON p.id = g.paragraph_id JOIN documents d ON d.id = p.document_id "
        "JOIN codes c ON c.id = g.code_id JOIN coders k ON k.id = g.coder_id"))
    memos = set(one(
        "SELECT m.target, CASE m.target "
        "  WHEN 'document' THEN (SELECT name FROM documents WHERE id = m.target_id) "
        "  WHEN 'paragraph' THEN (SELECT d.name || ' ' || COALESCE(p.label, '¶' || p.ordinal) "
        "      FROM paragraphs p "
        "      JOIN documents d ON d.id = p.document_id WHERE p.id = m.target_id) "
        "  WHEN 'code' THEN (SELECT guid FROM codes WHERE id = m.target_id) END, "
        "k.name, m.text FROM memos m LEFT JOIN coders k ON k.id = m.coder_id"))
    reviews = set(one("SELECT d.name, k.name FROM reviews r JOIN documents d "
                      "ON d.id = r.document_id JOIN coders k ON k.id = r.coder_id"))
    documents = set(one("SELECT name, sha256 FROM documents"))
    attributes = set(one("SELECT d.name, a.key, a.value FROM document_attributes a "
                         "JOIN documents d ON d.id = a.document_id"))
    coders = {r[0] for r in one("SELECT name FROM coders")}
    conn.close()
    return {"codes": codes, "codings": codings, "memos": memos, "reviews": reviews,
            "documents": documents, "attributes": attributes, "coders": coders}


def events(path: Path) -> int:
    """How many events the project's log holds."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return int(conn.execute("SELECT COUNT(*) FROM events").fetchone()[0])
    finally:
        conn.close()


def code_guid(path: Path, name: str) -> str:
    """The GUID of the code called ``name`` in a project."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return str(conn.execute("SELECT guid FROM codes WHERE name = ?", (name,)).fetchone()[0])
    finally:
        conn.close()


def project_guid(path: Path) -> str:
    """The project's GUID, as its published files are named."""
    conn = sqlite3.connect(f"{path.resolve().as_uri()}?mode=ro", uri=True)
    try:
        return str(conn.execute("SELECT value FROM meta WHERE key = 'guid'").fetchone()[0])
    finally:
        conn.close()
