"""Plans that do not depend on luck: the queries the terminal UI runs before its first
screen stay index-driven for a coder with many codings, with or without SQLite's
statistics (a project is not ANALYZEd unless qcode does it).

The project is built the way a team makes one: documents imported, then one coder's
60,000 codings and another's few through the public API. Two measures, neither a
timing: every plan reads the big tables through an index (no full scan, and no
per-document pass over a coder's codings), and the SQLite virtual-machine steps the
first screen takes for the heavy coder grow with that coder's codings, not with
documents × codings (the collapse issue 11 reported took 20–25 s here).
"""

from __future__ import annotations

import asyncio
import random
import re
import shutil
import sqlite3
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.codebook.model import Codebook, CodeSpec
from qcode.core.model import Block, compose
from qcode.tui.app import QcodeApp

# Minutes, not seconds: `pytest -m "not slow"` is the quick loop.
pytestmark = pytest.mark.slow

DOCUMENTS, PARAGRAPHS, HEAVY_CODINGS = 200, 200, 60_000
BIG_TABLES = ("codings", "paragraphs", "events", "memos", "document_attributes")
# Every SQLite VM step is one opcode; counted every STEP opcodes.
STEP = 1000


@pytest.fixture(scope="module")
def heavy_project(tmp_path_factory: pytest.TempPathFactory) -> Path:
    path = tmp_path_factory.mktemp("plans") / "heavy.db"
    rng = random.Random(11)
    with Project.create(path, name="heavy") as project:
        codes = [CodeSpec(name=f"theme {t}", children=[CodeSpec(name=f"theme {t} aspect {a}")
                                                       for a in range(4)]) for t in range(8)]
        project.load_codebook(Codebook(name="plans", codes=codes), coder="lead")
        with project.bulk():
            for n in range(DOCUMENTS):
                blocks = [Block("paragraph", f"Interview {n} answer {i}: the regional police "
                                f"chief and {rng.choice(['funding', 'law', 'prison'])}.")
                          for i in range(PARAGRAPHS)]
                project.add_document(compose(f"interview-{n:03d}", blocks), coder="lead")
        paragraphs = [p for d in project.documents() for p in
                      project.paragraph_outline(d.document.id)]
        ids = [row[0] for row in paragraphs]
        codable = [c.id for c in project.codes() if c.codable]
        pairs: set[tuple[int, int]] = set()
        while len(pairs) < HEAVY_CODINGS:
            pairs.add((rng.choice(ids), rng.choice(codable)))
        project.tag_many(sorted(pairs), coder="heavy", summary="bulk")
        project.tag_many([(ids[0], codable[0]), (ids[1], codable[1])], coder="light",
                          summary="two")
    return path


@contextmanager
def recorded(conn: sqlite3.Connection) -> Iterator[tuple[list[str], list[int]]]:
    """The statements run on ``conn`` and the VM steps they took (in STEPs)."""
    statements: list[str] = []
    steps = [0]

    def count() -> int:
        steps[0] += 1
        return 0

    conn.set_trace_callback(statements.append)
    conn.set_progress_handler(count, STEP)
    try:
        yield statements, steps
    finally:
        conn.set_trace_callback(None)
        conn.set_progress_handler(None, 0)


def first_screen(path: Path, coder: str) -> tuple[list[str], int]:
    """Open the app for ``coder`` and let it paint its first screen."""
    project = Project.open(path)
    try:
        with recorded(project.conn) as (statements, steps):

            async def run() -> None:
                app = QcodeApp(project, coder, remember=False)
                async with app.run_test(size=(100, 30)) as pilot:
                    await pilot.pause()

            asyncio.run(run())
        return list(statements), steps[0] * STEP
    finally:
        project.close()


def plan(conn: sqlite3.Connection, sql: str) -> list[str]:
    return [row[3] for row in conn.execute("EXPLAIN QUERY PLAN " + sql)]


def bad_lines(lines: list[str]) -> list[str]:
    """Plan lines that read a big table without an index, or a coder's codings
    without narrowing them to paragraphs (the per-document pass)."""
    tables = "|".join(BIG_TABLES)
    correlated = any("CORRELATED" in line for line in lines)
    unindexed = re.compile(rf"SCAN ({tables})\b(?! USING (COVERING )?INDEX)")
    coder_only = re.compile(r"(SEARCH|SCAN) \w+ USING (COVERING )?INDEX \w+ \(coder_id=\?\)$")
    return [line for line in lines
            if unindexed.match(line) or (correlated and coder_only.match(line))]


@pytest.fixture(params=["no statistics", "after ANALYZE"])
def project_file(request: pytest.FixtureRequest, heavy_project: Path,
                 tmp_path: Path) -> Path:
    path = tmp_path / "copy.db"
    shutil.copy(heavy_project, path)
    if request.param == "after ANALYZE":
        conn = sqlite3.connect(path)
        conn.execute("ANALYZE")
        conn.close()
    return path


def test_every_first_screen_query_reads_through_an_index(project_file: Path) -> None:
    statements, _steps = first_screen(project_file, "heavy")
    selects = [s for s in statements if s.lstrip().upper().startswith(("SELECT", "WITH"))]
    assert len(selects) >= 8  # the screen really ran: codebook, documents, paragraphs…
    conn = sqlite3.connect(project_file)
    try:
        problems = {s[:120]: bad for s in selects if (bad := bad_lines(plan(conn, s)))}
    finally:
        conn.close()
    assert problems == {}


def test_first_screen_work_follows_the_coder_s_codings(project_file: Path) -> None:
    _statements, light = first_screen(project_file, "light")
    _statements, heavy = first_screen(project_file, "heavy")
    # Counting a coder's codings costs a few dozen VM steps each; a pass over them per
    # document (200 documents) would cost thousands each.
    assert heavy - light < 60 * HEAVY_CODINGS, (light, heavy)


def test_the_plan_check_would_catch_the_per_document_scan(heavy_project: Path,
                                                          tmp_path: Path) -> None:
    path = tmp_path / "old-index.db"
    shutil.copy(heavy_project, path)
    conn = sqlite3.connect(path)
    try:
        # The documents listing as it was, on the coder index as it was (coder, code,
        # paragraph): per document, a pass over all of the coder's codings.
        conn.execute("CREATE INDEX old_coder ON codings (coder_id, code_id, paragraph_id)")
        lines = plan(conn, "SELECT d.id, (SELECT COUNT(*) FROM codings c INDEXED BY old_coder "
                           "JOIN paragraphs p ON p.id = c.paragraph_id "
                           "WHERE p.document_id = d.id AND c.coder_id = 2) FROM documents d")
        assert bad_lines(lines) != []
        assert bad_lines(plan(conn, "SELECT * FROM codings WHERE memo IS NOT NULL")) != []
    finally:
        conn.close()
