"""The names of a sync folder's files, and the checks on a private copy of one."""

from __future__ import annotations

import os
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.sync_files import (
    SkipFile,
    header,
    private_copy,
    publish,
    published_name,
    scan,
    slug,
    stamp,
)

GUID = "1AD201E7-D7FE-4936-A20C-358805F1D8D7"
OTHER = "962502BB-94DC-4C83-8CD5-5DB46B898E9F"


def test_a_coders_name_becomes_a_safe_file_name() -> None:
    # The same person (the identity rule folds case, accents, spaces and dashes) gets
    # the same file on every machine.
    assert slug("Alice") == slug("alice") == "alice"
    assert slug("Ann Lee") == slug("ann_lee") == slug("Ann-Lee") == "ann-lee"
    assert slug("Zoë") == "zoe"
    assert slug("Мария") == "мария"
    # Punctuation a file system might refuse becomes a dash, with a hash so two
    # different names never share a file.
    assert slug("o'brien") != slug("o brien") == "o-brien"
    assert slug("o'brien").startswith("o-brien-")
    assert all(ch.isalnum() or ch == "-" for ch in slug("a/b\\c:d*e?f.g"))
    assert slug("../../etc") != ".." and "/" not in slug("../../etc")
    assert len(slug("x" * 300)) <= 48 and slug("x" * 300) != slug("x" * 299)
    assert published_name(GUID, "Ann Lee") == f"{GUID}.ann-lee.qcode"


def test_sync_clients_copies_are_recognised(tmp_path: Path) -> None:
    names = {
        f"{GUID}.bob.qcode": ("coder", "bob", None, None),
        f"{GUID}.carol.qcode": ("coder", "carol", None, None),
        f"{GUID}.bob (conflicted copy 2026-12-03).qcode": ("copy", None, "bob", "Dropbox"),
        f"{GUID}.bob (Carol's conflicted copy 2026-12-03).qcode":
            ("copy", None, "bob", "Dropbox"),
        f"{GUID}.bob.sync-conflict-20261203-123456-ABCDEFG.qcode":
            ("copy", None, "bob", "Syncthing"),
        f"{GUID}.carol-LAPTOP-7.qcode": ("copy", None, "carol", "OneDrive"),
        f"{GUID}.bob (conflicted copy 2026-12-03 123456).qcode":
            ("copy", None, "bob", "Nextcloud"),
        f"{GUID}.bob (1).qcode": ("copy", None, "bob", "sync client"),
        f"{OTHER}.erin.qcode": ("foreign", None, None, None),
        "study.qcode": ("unnamed", None, None, None),
    }
    for name in names:
        (tmp_path / name).write_bytes(b"x")
    # Not .qcode files, partials, hidden files and folders are none of the sync's business.
    for name in (f"{GUID}.bob.qcode.host-1.backup-partial", "notes.txt",
                 f".{GUID}.bob.qcode", f".syncthing.{GUID}.bob.qcode.tmp"):
        (tmp_path / name).write_bytes(b"x")
    (tmp_path / f"{GUID}.dave.qcode").mkdir()
    found = {f.name: (f.kind, f.slug, f.of, f.client) for f in scan(tmp_path, GUID)}
    assert found == names
    kinds = [f.kind for f in scan(tmp_path, GUID)]
    assert kinds == sorted(kinds, key=["coder", "copy", "unnamed", "foreign"].index)


def test_a_private_copy_is_refused_unless_whole(tmp_path: Path, project: Project) -> None:
    folder, private = tmp_path / "share", tmp_path / "private"
    folder.mkdir()
    private.mkdir()
    target = folder / published_name(GUID, "bob")
    mark = publish(project.conn, target, {"coder": "bob"})
    assert stamp(header(target)) == mark
    assert stamp(header(project.path)) is None  # a project is not a publication
    whole = target.read_bytes()
    assert private_copy(target, private).read_bytes() == whole
    cases = {
        b"": "incomplete: the file is empty (still syncing?)",
        whole[:60]: "incomplete: 60 bytes arrived (still syncing?)",
        whole[: len(whole) - 1]: f"incomplete: {len(whole) - 1:,} of {len(whole):,} bytes "
                                 "arrived (still syncing?)",
        b"PK\x03\x04 a zip file": "not a qcode project (not an SQLite database)",
    }
    for content, reason in cases.items():
        target.write_bytes(content)
        with pytest.raises(SkipFile) as refused:
            private_copy(target, private)
        assert str(refused.value) == reason
    target.unlink()
    os.mkfifo(target)
    with pytest.raises(SkipFile, match="named pipe"):
        private_copy(target, private)
