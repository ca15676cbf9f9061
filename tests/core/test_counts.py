"""The counts a project keeps (qcode.core.store.counts) match the codings after every
kind of change, whichever program made it.

Expected figures are counted here, in plain Python, from the rows of ``codings``,
``paragraphs`` and ``codes``: nothing of qcode's counting is reused to check it.
"""

from __future__ import annotations

import contextlib
import random
import re
import sqlite3
from collections import defaultdict
from pathlib import Path
from typing import Any

from qcode import Project
from qcode.core import transcript_edit as te
from qcode.core.model import Block, compose
from qcode.core.store import counts
from qcode.core.store.runs import document_runs
from qcode.exchange.formats import read_codebook
from qcode.reports.frequencies import frequencies
from tests.conftest import CODEBOOK, CODER, Cli

BOB = "bob"


def raw(conn: sqlite3.Connection) -> dict[str, Any]:
    """Every figure the kept counts serve, counted from the raw rows."""
    parents = dict(conn.execute("SELECT id, parent_id FROM codes").fetchall())
    coders = dict(conn.execute("SELECT name, id FROM coders").fetchall())
    own: dict[int, set[int]] = defaultdict(set)
    rolled: dict[int, set[int]] = defaultdict(set)
    own_codings: dict[int, int] = defaultdict(int)
    rolled_codings: dict[int, int] = defaultdict(int)
    own_docs: dict[int, set[int]] = defaultdict(set)
    rolled_docs: dict[int, set[int]] = defaultdict(set)
    by_coder: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    progress: dict[int, dict[int, set[int]]] = defaultdict(lambda: defaultdict(set))
    progress_codings: dict[int, dict[int, int]] = defaultdict(lambda: defaultdict(int))
    cells: dict[tuple[int, int], set[int]] = defaultdict(set)
    for doc, par, code, coder in conn.execute(
            "SELECT p.document_id, k.paragraph_id, k.code_id, k.coder_id "
            "FROM codings k JOIN paragraphs p ON p.id = k.paragraph_id"):
        own[code].add(par)
        own_codings[code] += 1
        own_docs[code].add(doc)
        by_coder[coder][code] += 1
        for who in (coder, 0):
            progress[who][doc].add(par)
            progress_codings[who][doc] += 1
        node: int | None = code
        while node is not None:
            rolled[node].add(par)
            rolled_codings[node] += 1
            rolled_docs[node].add(doc)
            cells[(node, doc)].add(par)
            node = parents[node]
    ids = [r[0] for r in conn.execute("SELECT id FROM paragraphs ORDER BY id")]
    owner = dict(conn.execute("SELECT id, document_id FROM paragraphs").fetchall())
    runs: list[list[int]] = []
    for pid in ids:
        if runs and runs[-1][0] == owner[pid]:
            runs[-1][2], runs[-1][3] = pid, runs[-1][3] + 1
        else:
            runs.append([owner[pid], pid, pid, 1])
    return {
        "parents": parents, "coders": coders, "own": own, "rolled": rolled,
        "own_codings": own_codings, "rolled_codings": rolled_codings,
        "own_docs": own_docs, "rolled_docs": rolled_docs, "by_coder": by_coder,
        "progress": progress, "progress_codings": progress_codings, "cells": cells,
        "runs": [tuple(r) for r in runs],
    }


def assert_counts(project: Project) -> None:
    """Everything read from the kept counts equals a count of the raw rows."""
    want = raw(project.conn)
    assert project.code_counts() == {c: len(s) for c, s in want["own"].items() if s}
    for name, coder_id in want["coders"].items():
        assert project.code_counts(name) == {
            c: n for c, n in want["by_coder"][coder_id].items() if n}
    for name in [None, *want["coders"]]:
        who = 0 if name is None else want["coders"][name]
        listed = {d.document.id: (d.coded, d.codings) for d in project.documents(name)}
        assert {d: v for d, v in listed.items() if v != (0, 0)} == {
            d: (len(s), want["progress_codings"][who][d])
            for d, s in want["progress"][who].items()}
    assert [(r.document_id, r.low, r.high, r.paragraphs)
            for r in document_runs(project.conn)] == want["runs"]
    for row in frequencies(project):
        code = project.code(row.guid).id
        assert (row.paragraphs, row.documents, row.codings) == (
            len(want["rolled"][code]), len(want["rolled_docs"][code]),
            want["rolled_codings"][code]), row.path
        assert (row.own_paragraphs, row.own_documents, row.own_codings) == (
            len(want["own"][code]), len(want["own_docs"][code]), want["own_codings"][code])
    names = {d.document.name: d.document.id for d in project.documents()}
    for row in frequencies(project, by="document"):
        code, doc = project.code(row.guid).id, names[str(row.group)]
        assert row.paragraphs == len(want["cells"][(code, doc)]), (row.path, row.group)


def kept_and_fresh(project: Project) -> None:
    """After a qcode write: nothing pending, and the tables equal a full recount."""
    assert project.conn.execute("SELECT COUNT(*) FROM count_stale").fetchone()[0] == 0
    assert project.conn.execute("SELECT COUNT(*) FROM count_log").fetchone()[0] == 0
    assert counts.differences(project.conn) == []
    assert_counts(project)


def interview(name: str, paragraphs: int, seed: int) -> Any:
    rng = random.Random(seed)
    return compose(name, [Block("paragraph", f"{name} answer {i}: the "
                                f"{rng.choice(['police', 'law', 'funding'])} again.")
                          for i in range(paragraphs)])


def test_counts_follow_every_kind_of_change(study: Project) -> None:
    """Tags, bulk tags, untags, undo and redo, code moves, merges and deletions,
    a transcript correction and a removed document: after each, the kept counts equal
    a recount and every figure read from them equals a count of the raw rows."""
    project, rng = study, random.Random(7)
    # Documents long enough to span several blocks, and a short one between them.
    for name, size in (("long-a", 1300), ("short", 40), ("long-b", 700)):
        project.add_document(interview(name, size, len(name)), coder=CODER)
    kept_and_fresh(project)
    ids = [r[0] for r in project.conn.execute("SELECT id FROM paragraphs")]
    codable = [c.id for c in project.codes() if c.codable]
    pairs = {(rng.choice(ids), rng.choice(codable)) for _ in range(4000)}
    project.tag_many(sorted(pairs), coder=CODER, summary="bulk")
    # Bob agrees on some of Alice's codings and adds his own.
    project.tag_many(sorted(rng.sample(sorted(pairs), 800)) +
                     [(rng.choice(ids), rng.choice(codable)) for _ in range(300)], coder=BOB)
    kept_and_fresh(project)
    project.tag([ids[5], ids[900]], [codable[0], codable[3]], coder=CODER)
    project.untag([p for p, _ in sorted(pairs)[:50]], codable[:5], coder=CODER)
    kept_and_fresh(project)
    project.undo(coder=CODER)
    kept_and_fresh(project)
    project.redo(coder=CODER)
    kept_and_fresh(project)
    # A sub-code moves to another theme: both themes' roll-ups change.
    leaves = [c for c in project.codes() if c.parent_id is not None]
    themes = [c for c in project.codes() if c.parent_id is None]
    moved = next(c for c in leaves if project.code_counts().get(c.id))
    project.move_code(moved, next(t for t in themes if t.id != moved.parent_id), coder=CODER)
    kept_and_fresh(project)
    project.undo(coder=CODER)
    kept_and_fresh(project)
    project.merge_codes(project.code(codable[1]), project.code(codable[2]), coder=CODER)
    kept_and_fresh(project)
    project.delete_code(project.code(codable[4]), coder=CODER)
    kept_and_fresh(project)
    # A transcript correction splits a coded paragraph of the article.
    article = project.documents()[0].document
    text = te.render(project, article)
    paragraph = project.paragraphs(article.id)[3].text
    cut = paragraph.index(" ", len(paragraph) // 2)
    edit = te.plan(project, article, text.replace(
        paragraph, paragraph[:cut] + "\n\n" + paragraph[cut + 1:], 1))
    te.apply(project, edit, coder=CODER)
    kept_and_fresh(project)
    project.remove_document(project.document("short"), coder=CODER)
    kept_and_fresh(project)
    project.undo(coder=CODER)
    kept_and_fresh(project)


def test_another_program_writing_is_counted_before_qcode_writes_again(
        study: Project) -> None:
    """A coding inserted with the sqlite3 shell (no qcode) is in every figure at once,
    and the next qcode write recounts its block."""
    project = study
    paragraph = project.paragraphs(project.documents()[0].document.id)[2]
    code = next(c for c in project.codes() if c.codable)
    before = project.code_counts().get(code.id, 0)
    other = sqlite3.connect(project.path)
    with other:
        coder = other.execute("SELECT id FROM coders").fetchone()[0]
        other.execute(
            "INSERT INTO codings (guid, paragraph_id, code_id, coder_id, created_at) "
            "VALUES ('outside-1', ?, ?, ?, '2026-12-03')", (paragraph.id, code.id, coder))
    other.close()
    assert project.conn.execute("SELECT COUNT(*) FROM count_log").fetchone()[0] == 1
    assert project.code_counts()[code.id] == before + 1
    assert_counts(project)
    project.tag([paragraph.id], [next(c.id for c in project.codes()
                                      if c.codable and c.id != code.id)], coder=CODER)
    kept_and_fresh(project)


def test_an_upgraded_project_has_its_counts(project_path: Path) -> None:
    """A project from before the counts existed (schema 11) gets them, exact, when the
    next qcode opens it."""
    with Project.create(project_path) as project:
        project.add_document(interview("one", 600, 1), coder=CODER)
        project.add_document(interview("two", 300, 2), coder=CODER)
        project.load_codebook(read_codebook(CODEBOOK), coder=CODER)
        ids = [r[0] for r in project.conn.execute("SELECT id FROM paragraphs")]
        codable = [c.id for c in project.codes() if c.codable]
        project.tag_many([(p, codable[p % len(codable)]) for p in ids], coder=CODER)
        project.tag_many([(p, codable[p % 7]) for p in ids[::3]], coder=BOB)
    old = sqlite3.connect(project_path, isolation_level=None)
    for kind, name in old.execute("SELECT type, name FROM sqlite_master "
                                  "WHERE name LIKE 'count%' AND type IN ('table', 'trigger')"
                                  ).fetchall():
        old.execute(f"DROP {kind} IF EXISTS {name}")
    old.execute("DELETE FROM schema_migrations WHERE version = 13")
    old.close()
    with Project.open(project_path) as upgraded:
        assert upgraded.conn.execute("SELECT COUNT(*) FROM count_cells").fetchone()[0] > 0
        kept_and_fresh(upgraded)


def test_check_finds_counts_out_of_step_and_repair_recounts(study: Project, cli: Cli
                                                          ) -> None:
    """Counts changed behind qcode's back (a trigger dropped, a row edited) are a
    problem `qcode check` names, and `--repair` recounts them."""
    project = study
    ids = [p.id for p in project.paragraphs(project.documents()[0].document.id)]
    project.tag(ids[:10], [next(c.id for c in project.codes() if c.codable)], coder=CODER)
    project.conn.execute("UPDATE count_cells SET rolled_paragraphs = rolled_paragraphs + 3")
    project.close()
    result = cli("check")
    assert result.exit_code != 0
    assert "kept counts out of step" in result.output
    repaired = cli("check", "--repair")
    assert "recounted the kept counts" in repaired.output
    with Project.open(project.path) as again:
        kept_and_fresh(again)


def test_counting_a_change_reads_only_what_it_touched(study: Project) -> None:
    """Every statement the refresh runs after a tag, a bulk tag and a code move reads
    codings and paragraphs through an index, never by scanning the table: an
    auto-coding took 12 s while a probe into an untyped scratch table scanned."""
    project, rng = study, random.Random(3)
    project.add_document(interview("big", 2000, 5), coder=CODER)
    ids = [r[0] for r in project.conn.execute("SELECT id FROM paragraphs")]
    codable = [c.id for c in project.codes() if c.codable]
    project.tag_many(sorted({(rng.choice(ids), rng.choice(codable)) for _ in range(3000)}),
                     coder=CODER)
    statements: list[str] = []
    project.conn.set_trace_callback(statements.append)
    try:
        project.tag([ids[7]], [codable[0]], coder=BOB)
        project.tag_many([(p, codable[1]) for p in rng.sample(ids, 300)], coder=BOB)
        leaves = [c for c in project.codes() if c.parent_id is not None]
        themes = [c for c in project.codes() if c.parent_id is None]
        project.move_code(leaves[0], next(t for t in themes if t.id != leaves[0].parent_id),
                          coder=CODER)
    finally:
        project.conn.set_trace_callback(None)
    counting = [s for s in statements
                if s.lstrip().startswith("INSERT INTO") and "count_" in s.split("(")[0]]
    assert len(counting) >= 6
    for sql in counting:
        rows = {r[0]: (r[1], r[3]) for r in project.conn.execute("EXPLAIN QUERY PLAN " + sql)}
        scans = [detail for parent, detail in rows.values()
                 if re.match(r"SCAN (k|p|codings|paragraphs)\b", detail)
                 or (detail.startswith("SCAN") and _correlated(rows, parent))]
        assert scans == [], (sql, [d for _p, d in rows.values()])


def _correlated(rows: dict[int, tuple[int, str]], node: int) -> bool:
    """Whether a plan node lies inside a correlated subquery (run once per outer row)."""
    while node in rows:
        node, detail = rows[node]
        if detail.startswith("CORRELATED"):
            return True
    return False


def exact(project: Project) -> None:
    """Nothing pending, and every kept table equals a recount of everything."""
    conn = project.conn
    assert conn.execute("SELECT COUNT(*) FROM count_log").fetchone()[0] == 0
    assert conn.execute("SELECT COUNT(*) FROM count_stale").fetchone()[0] == 0
    assert counts.differences(conn) == []


def three_levels(project: Project) -> None:
    """Codes three deep (themes, sub-codes, sub-sub-codes; every one codable), next to
    the study codebook's two levels."""
    for t in range(2):
        theme = project.add_code(f"theme {t}", coder=CODER)
        for s in range(2):
            sub = project.add_code(f"sub {t}.{s}", coder=CODER, parent=theme)
            for leaf in range(2):
                project.add_code(f"leaf {t}.{s}.{leaf}", coder=CODER, parent=sub)


def test_random_changes_are_counted_exactly(study: Project) -> None:
    """A long random run of bulk tags, tags, untags, undos and redos by three coders,
    over a two- and a three-level tree, codings on a code and its ancestors on one
    paragraph, and changes made inside one transaction that cancel (a coding removed
    and put back, added and removed, moved to another coder or code): after every
    step the kept counts equal a full recount."""
    project, rng = study, random.Random(11)
    project.add_document(interview("long", 1100, 3), coder=CODER)
    three_levels(project)
    ids = [r[0] for r in project.conn.execute("SELECT id FROM paragraphs")]
    # Few paragraphs and codes, so steps keep landing on codings already there.
    hot = rng.sample(ids, 120) + ids[500:530]
    coders = [CODER, BOB, "carol"]
    for _step in range(60):
        # (An undo may take back one of the codes added: the codebook is read anew.)
        codes = [c.id for c in project.codes() if c.codable]
        coder = rng.choice(coders)
        action = rng.choice(["bulk", "bulk", "tag", "untag", "undo", "redo", "cancel"])
        if action == "bulk":
            project.tag_many(sorted({(rng.choice(hot), rng.choice(codes))
                                     for _ in range(rng.randint(1, 400))}), coder=coder)
        elif action == "tag":
            project.tag(rng.sample(hot, 3), rng.sample(codes, 2), coder=coder)
        elif action == "untag":
            project.untag(rng.sample(hot, 60), rng.sample(codes, 6), coder=coder)
        elif action in ("undo", "redo"):
            with contextlib.suppress(Exception):
                getattr(project, action)(coder=coder)
        else:
            cancel_out(project, rng)
        exact(project)
    assert_counts(project)


def cancel_out(project: Project, rng: random.Random) -> None:
    """One transaction of raw writes (as another program would make them, through the
    triggers) where some changes undo others."""
    with project.writing() as conn:
        rows = conn.execute("SELECT id, guid, paragraph_id, code_id, coder_id, created_at "
                            "FROM codings ORDER BY random() LIMIT 30").fetchall()
        coders = [r[0] for r in conn.execute("SELECT id FROM coders")]
        codes = [r[0] for r in conn.execute("SELECT id FROM codes")]
        for row in rows[:10]:  # removed and put back: nothing changes
            conn.execute("DELETE FROM codings WHERE id = ?", (row[0],))
            conn.execute("INSERT INTO codings (guid, paragraph_id, code_id, coder_id, "
                         "created_at) VALUES (?, ?, ?, ?, ?)", tuple(row[1:]))
        for row in rows[10:20]:  # moved to another coder or code, if free there
            column, value = rng.choice([("coder_id", rng.choice(coders)),
                                        ("code_id", rng.choice(codes))])
            conn.execute(f"UPDATE OR IGNORE codings SET {column} = ? WHERE id = ?",
                         (value, row[0]))
        for row in rows[20:]:  # removed, and another coding added and removed
            conn.execute("DELETE FROM codings WHERE id = ?", (row[0],))
            conn.execute("INSERT OR IGNORE INTO codings (guid, paragraph_id, code_id, "
                         "coder_id, created_at) VALUES (?, ?, ?, ?, '2026-12-04')",
                         (f"{row[1]}-x", row[2], rng.choice(codes), row[4]))
            conn.execute("DELETE FROM codings WHERE guid = ?", (f"{row[1]}-x",))


def test_ids_too_large_to_pack_are_recounted(study: Project) -> None:
    """A coder id no qcode would make (written by another program) still counts
    exactly: the blocks it touches are recounted whole."""
    project = study
    paragraph = project.paragraphs(project.documents()[0].document.id)[1]
    code = next(c for c in project.codes() if c.codable)
    with project.writing() as conn:
        conn.execute("INSERT INTO coders (id, guid, name, created_at) "
                     "VALUES (?, 'huge', 'huge', '2026-12-04')", (1 << 62,))
        conn.execute("INSERT INTO codings (guid, paragraph_id, code_id, coder_id, "
                     "created_at) VALUES ('big', ?, ?, ?, '2026-12-04')",
                     (paragraph.id, code.id, 1 << 62))
    exact(project)
    project.tag([paragraph.id], [code.id], coder=CODER)
    exact(project)
    assert_counts(project)


def test_a_coding_of_no_known_code_counts_where_a_recount_counts_it(study: Project
                                                                     ) -> None:
    """Another program's coding of a code id not in the codebook (its foreign keys
    off) rolls up to no code, in the kept counts as in a recount; the coder's progress
    still counts it."""
    project = study
    paragraph = project.paragraphs(project.documents()[0].document.id)[4]
    other = sqlite3.connect(project.path)
    with other:
        coder = other.execute("SELECT id FROM coders").fetchone()[0]
        other.execute("INSERT INTO codings (guid, paragraph_id, code_id, coder_id, "
                      "created_at) VALUES ('unknown', ?, 99999, ?, '2026-12-04')",
                      (paragraph.id, coder))
    other.close()
    project.tag([paragraph.id], [next(c.id for c in project.codes() if c.codable)],
                coder=CODER)
    exact(project)
