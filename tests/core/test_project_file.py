"""The project file: creation, pragmas, migrations, and refusing what it cannot open."""

from __future__ import annotations

import sqlite3
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.errors import ProjectError
from qcode.core.store import schema
from qcode.core.store.schema import Migration
from tests.refusals import unwritable


def test_new_project_uses_wal_and_foreign_keys(project: Project) -> None:
    assert project.conn.execute("PRAGMA journal_mode").fetchone()[0] == "wal"
    assert project.conn.execute("PRAGMA foreign_keys").fetchone()[0] == 1
    assert schema.current_version(project.conn) == schema.LATEST
    names = [r[0] for r in project.conn.execute("SELECT name FROM schema_migrations ORDER BY version")]
    assert names[0] == "initial"
    assert project.meta("guid") is not None


def test_indexes_cover_what_reports_group_and_join_by(project: Project) -> None:
    def indexed(table: str) -> set[str]:
        columns = set()
        for index in project.conn.execute(f"PRAGMA index_list({table})"):
            first = project.conn.execute(f"PRAGMA index_info({index[1]})").fetchone()
            columns.add(first[2])
        return columns

    assert {"code_id", "coder_id", "paragraph_id"} <= indexed("codings")
    assert "document_id" in indexed("paragraphs")
    assert "key" in indexed("document_attributes")
    assert "parent_id" in indexed("codes")


def test_create_refuses_an_existing_file(project_path: Path) -> None:
    Project.create(project_path).close()
    with pytest.raises(ProjectError, match="already exists"):
        Project.create(project_path)


@pytest.mark.parametrize(
    ("content", "message"),
    [(b"hello, not a database", "not a qcode project"), (b"", "not a qcode project")],
)
def test_open_refuses_what_is_not_a_project(tmp_path: Path, content: bytes, message: str) -> None:
    path = tmp_path / "x.db"
    path.write_bytes(content)
    with pytest.raises(ProjectError, match=message):
        Project.open(path)
    assert path.read_bytes() == content


def test_open_refuses_another_sqlite_database(tmp_path: Path) -> None:
    path = tmp_path / "other.db"
    sqlite3.connect(path).execute("CREATE TABLE t (x)").connection.close()
    with pytest.raises(ProjectError, match="an SQLite file of something else"):
        Project.open(path)


def test_open_missing_says_how_to_create(tmp_path: Path) -> None:
    with pytest.raises(ProjectError, match="qcode init"):
        Project.open(tmp_path / "nope.db")


def test_newer_project_is_refused_unchanged(project: Project) -> None:
    project.conn.execute(
        "INSERT INTO schema_migrations VALUES (?, 'from the future', 'now')", (schema.LATEST + 1,)
    )
    path = project.path
    project.close()
    before = path.read_bytes()
    with pytest.raises(ProjectError, match="newer qcode"):
        Project.open(path)
    assert path.read_bytes() == before


def one_version_behind(project: Project, monkeypatch: pytest.MonkeyPatch
                       ) -> tuple[Path, Migration]:
    """Close ``project`` and make this qcode one schema version newer than it (a
    migration adding a table ``extra``): the project is now from the previous qcode."""
    path = project.path
    project.close()
    future = Migration(schema.LATEST + 1, "test extra table", "CREATE TABLE extra (x TEXT);")
    monkeypatch.setattr(schema, "MIGRATIONS", (*schema.MIGRATIONS, future))
    monkeypatch.setattr(schema, "LATEST", future.version)
    return path, future


def test_older_project_is_backed_up_then_migrated(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, future = one_version_behind(project, monkeypatch)
    with Project.open(path) as migrated:
        assert schema.current_version(migrated.conn) == future.version
        migrated.conn.execute("SELECT x FROM extra")
    backups = list(path.parent.glob(f"{path.name}.before-schema-{future.version}.*.bak"))
    assert len(backups) == 1
    old = sqlite3.connect(backups[0])
    assert old.execute("SELECT MAX(version) FROM schema_migrations").fetchone()[0] == future.version - 1


def test_a_reading_command_upgrades_an_older_project_it_may_write(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`qcode show` or `report` on a project from the previous qcode: upgraded (backup
    first) as any writing command would, then read, instead of "needs upgrading"."""
    path, future = one_version_behind(project, monkeypatch)
    with Project.open(path, readonly=True) as reading:
        assert reading.readonly
        assert schema.current_version(reading.conn) == future.version
    assert len(list(path.parent.glob(f"{path.name}.before-schema-{future.version}.*.bak"))) == 1


def test_an_older_project_that_may_not_be_written_is_refused_in_one_line(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    path, _future = one_version_behind(project, monkeypatch)
    before = path.read_bytes()
    with unwritable(path), pytest.raises(ProjectError,
                                         match=r"needs upgrading .* but is read-only"):
        Project.open(path, readonly=True)
    assert path.read_bytes() == before


def test_readonly_project_refuses_writes(study: Project) -> None:
    path = study.path
    study.close()
    with Project.open(path, readonly=True) as readonly:
        doc = readonly.document("sieca-kozlowski-2009")
        with pytest.raises(ProjectError, match="read-only"):
            readonly.tag([readonly.paragraph(doc, "§1").id], [readonly.code("foreign funding").id],
                         coder="alice")
        assert readonly.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == 0


def test_locked_project_fails_clearly(study: Project, monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("QCODE_BUSY_TIMEOUT_MS", "100")
    other = sqlite3.connect(study.path, isolation_level=None)
    other.execute("BEGIN EXCLUSIVE")
    try:
        with Project.open(study.path) as waiting:
            doc = waiting.document("sieca-kozlowski-2009")
            with pytest.raises(ProjectError, match="locked by another qcode process"):
                waiting.tag([waiting.paragraph(doc, "§1").id],
                            [waiting.code("foreign funding").id], coder="alice")
    finally:
        other.execute("ROLLBACK")
        other.close()
    assert study.conn.execute("SELECT COUNT(*) FROM codings").fetchone()[0] == 0


def test_backup_is_a_consistent_copy(study: Project, tmp_path: Path) -> None:
    target = study.backup(tmp_path / "copy.db")
    with Project.open(target) as copy:
        assert copy.status()["paragraphs"] == study.status()["paragraphs"]
    with pytest.raises(ProjectError, match="already exists"):
        study.backup(target)


def test_an_open_compares_the_schema_only_when_sqlite_says_it_changed(
    project: Project, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Every open for writing used to rebuild the schema in memory to compare it with
    the file. Now the comparison runs only when SQLite's schema count moved since the
    last whole one, and a dropped index is still caught on the next open."""
    from qcode.core.store import health

    path = project.path
    project.close()
    compared: list[int] = []
    real = health.missing_objects
    monkeypatch.setattr(health, "missing_objects",
                        lambda conn: compared.append(1) or real(conn))
    with Project.open(path) as again:
        assert not again.readonly
    assert compared == []
    other = sqlite3.connect(path)
    other.execute("DROP INDEX codings_coder")
    other.commit()
    other.close()
    with Project.open(path) as damaged:
        assert damaged.readonly
        assert "index codings_coder is missing" in str(damaged.readonly_reason)
    assert compared == [1]
