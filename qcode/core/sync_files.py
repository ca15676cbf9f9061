"""The files of a shared sync folder: their names, publishing one, and taking a private,
checked copy of another.

Each coder publishes one file, ``<project-guid>.<coder>.qcode`` (the coder's name made
safe for every file system: :func:`slug`). Sync clients add their own variants when two
versions meet — Dropbox ``… (conflicted copy 2026-12-03).qcode`` (or ``(Bob's conflicted
copy …)``), Syncthing ``….sync-conflict-20261203-123456-ABCDEFG.qcode``, OneDrive
``…-LAPTOP.qcode``, Nextcloud and Google Drive ``… (1).qcode`` — which :func:`scan`
recognises as copies of the coder's file.

A published file says who published it and from which copy of the project, in its
``meta`` table (``sync_publication``) and, readable without opening it as a database,
in its SQLite header (``application_id`` marks a published file, ``user_version``
holds the publication's stamp): a machine knows its own publications by their stamps.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import re
import secrets
import shutil
import socket
import sqlite3
from collections.abc import Callable
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from qcode.core import settings
from qcode.core.errors import QcodeError
from qcode.core.ids import fold, now
from qcode.core.project_file import ProjectFile
from qcode.core.store.backup import partial_name, remove_stale_partials
from qcode.core.store.db import SQLITE_HEADER, translate
from qcode.core.textfile import open_regular

SUFFIX = ".qcode"
# "qcod" in the header's application_id: a file qcode published into a sync folder.
APPLICATION_ID = 0x71636F64
PUBLICATION = "sync_publication"
# How many of its own publications a machine remembers (older ones are long replaced).
REMEMBERED = 20
# Pages per step of a publication copied in steps (to show progress).
STEP_PAGES = 64
_HEADER = 100
_SLUG_MAX = 48
# Nextcloud and ownCloud: "name (conflicted copy 2026-12-03 123456).ext".
_NEXTCLOUD = re.compile(r"conflicted copy \d{4}-\d{2}-\d{2} \d{6}\)$")
_SYNCTHING = re.compile(r"^(?P<base>.+)\.sync-conflict-\d{8}-\d{6}(?:-[0-9A-Za-z]+)?$")
_GUID_PREFIX = re.compile(r"^(?P<guid>[0-9A-F]{8}-[0-9A-F]{4}-[0-9A-F]{4}-[0-9A-F]{4}-"
                          r"[0-9A-F]{12})\.(?P<rest>.+)$")


class SkipFile(QcodeError):
    """A file of the shared folder that cannot be merged this time; the message says
    why in a few words (the sync names the file)."""


def slug(coder: str) -> str:
    """A coder's name as it goes into a file name: folded as the coder identity rule
    folds names (case, accents, spaces and dashes), other punctuation turned into
    dashes, with a short hash when that loses a distinction ("o'brien" vs "o brien")."""
    folded = fold(coder)
    safe = re.sub(r"-{2,}", "-", "".join(ch if ch.isalnum() else "-" for ch in folded))
    safe = safe.strip("-") or "coder"
    lossy = safe != folded.replace(" ", "-") or len(safe) > _SLUG_MAX
    if lossy:
        digest = hashlib.sha256(folded.encode("utf-8")).hexdigest()[:6]
        safe = f"{safe[:_SLUG_MAX - 7]}-{digest}"
    return safe


def published_name(project_guid: str, coder: str) -> str:
    """The file a coder publishes: ``<project-guid>.<coder>.qcode``."""
    return f"{project_guid}.{slug(coder)}{SUFFIX}"


@dataclass(frozen=True)
class SharedFile:
    """One ``.qcode`` file of the shared folder, as its name describes it.

    ``kind``: "coder" (a coder's published file), "copy" (a sync client's variant of
    one, ``of`` saying whose and ``client`` which client made it), "foreign" (named for
    another project) or "unnamed" (any other ``.qcode`` file: its content decides)."""

    path: Path
    kind: str
    slug: str | None = None
    of: str | None = None
    client: str | None = None

    @property
    def name(self) -> str:
        """The file's name in the folder."""
        return self.path.name


def scan(folder: Path, project_guid: str) -> list[SharedFile]:
    """The folder's ``.qcode`` files (regular files only), classified by name; coders'
    files first, then copies, then the rest, each group by name."""
    found: list[SharedFile] = []
    try:
        entries = sorted(folder.iterdir())
    except OSError as exc:
        raise QcodeError(f"{folder}: cannot list the sync folder ({exc.strerror})") from exc
    names: list[tuple[Path, str]] = []
    for path in entries:
        if not path.name.endswith(SUFFIX) or path.name.startswith("."):
            continue
        with contextlib.suppress(OSError):
            if path.is_file():
                names.append((path, path.name[:-len(SUFFIX)]))
    coders = set()
    for _path, stem in names:
        match = _GUID_PREFIX.match(stem)
        if match and match["guid"] == project_guid and match["rest"] == _as_slug(match["rest"]):
            coders.add(match["rest"])
    for path, stem in names:
        match = _GUID_PREFIX.match(stem)
        if match is None:
            found.append(SharedFile(path, "unnamed"))
        elif match["guid"] != project_guid:
            found.append(SharedFile(path, "foreign"))
        elif match["rest"] in coders:
            found.append(SharedFile(path, "coder", slug=match["rest"]))
        else:
            of, client = _variant(match["rest"], coders)
            found.append(SharedFile(path, "copy", of=of, client=client))
    order = {"coder": 0, "copy": 1, "unnamed": 2, "foreign": 3}
    return sorted(found, key=lambda f: (order[f.kind], f.name))


def _as_slug(rest: str) -> str:
    """``rest`` if it could be a :func:`slug` (lower case, letters, digits, dashes)."""
    ok = rest and rest == rest.lower() and all(ch.isalnum() or ch == "-" for ch in rest)
    return rest if ok else ""


def _variant(rest: str, coders: set[str]) -> tuple[str | None, str]:
    """Whose file a sync client's variant copies, and which client's naming it has."""
    syncthing = _SYNCTHING.match(rest)
    if syncthing:
        return syncthing["base"], "Syncthing"
    if " (" in rest and rest.endswith(")"):
        base, note = rest.split(" (", 1)
        if _NEXTCLOUD.search(note):
            return base, "Nextcloud"
        return base, "Dropbox" if "conflicted copy" in note else "sync client"
    # OneDrive adds "-MACHINE"; the longest coder whose file it extends.
    for coder in sorted(coders, key=len, reverse=True):
        if rest.startswith(coder + "-"):
            return coder, "OneDrive"
    return None, "sync client"


# -- reading a header without opening the database -------------------------------------

def header(path: Path) -> bytes:
    """The first 100 bytes of a regular file (fewer when it is shorter)."""
    try:
        with open_regular(path, what="a project") as handle:
            return handle.read(_HEADER)
    except QcodeError as exc:
        raise SkipFile(str(exc).split(": ", 1)[-1]) from exc
    except OSError as exc:
        raise SkipFile(f"cannot be read ({exc.strerror})") from exc


def stamp(head: bytes) -> int | None:
    """The publication stamp of a published file's header, or None for any other file."""
    if len(head) < _HEADER or not head.startswith(SQLITE_HEADER):
        return None
    if int.from_bytes(head[68:72], "big") != APPLICATION_ID:
        return None
    return int.from_bytes(head[60:64], "big")


def expected_size(head: bytes) -> int | None:
    """The database's size as its header states it (page size × page count), or None
    when the header does not vouch for it (SQLite before 3.7.0 wrote no count)."""
    page_size = int.from_bytes(head[16:18], "big")
    page_size = 65536 if page_size == 1 else page_size
    pages = int.from_bytes(head[28:32], "big")
    valid_for, changes = int.from_bytes(head[92:96], "big"), int.from_bytes(head[24:28], "big")
    if not pages or valid_for != changes:
        return None
    return page_size * pages


# -- a private copy ------------------------------------------------------------------

def private_copy(source: Path, into: Path) -> Path:
    """Copy ``source`` into the folder ``into`` and check it arrived whole.

    The copy is taken from one open file: a publisher's rename-into-place meanwhile
    leaves this reader on the version it opened, and a sync client still writing the
    file changes its size or time, which is caught. Raises :class:`SkipFile` for an
    empty, cut-short or changing file, or one that is not an SQLite database."""
    target = into / "copy.qcode"
    try:
        with open_regular(source, what="a project") as handle:
            before = os.fstat(handle.fileno())
            with open(target, "wb") as out:
                shutil.copyfileobj(handle, out, 1024 * 1024)
                copied = out.tell()
            after = os.fstat(handle.fileno())
    except SkipFile:
        raise
    except QcodeError as exc:
        raise SkipFile(str(exc).split(": ", 1)[-1]) from exc
    except OSError as exc:
        raise SkipFile(f"cannot be read ({exc.strerror})") from exc
    if (before.st_size, before.st_mtime_ns) != (after.st_size, after.st_mtime_ns) \
            or copied != after.st_size:
        raise SkipFile("incomplete: it changed while being read (still syncing?)")
    if copied == 0:
        raise SkipFile("incomplete: the file is empty (still syncing?)")
    with open(target, "rb") as check:
        head = check.read(_HEADER)
    if not head.startswith(SQLITE_HEADER) and not SQLITE_HEADER.startswith(head):
        raise SkipFile("not a qcode project (not an SQLite database)")
    size = expected_size(head) if len(head) == _HEADER else None
    if len(head) < _HEADER or (size is not None and copied < size):
        total = f" of {size:,}" if size else ""
        raise SkipFile(f"incomplete: {copied:,}{total} bytes arrived (still syncing?)")
    return target


# -- publishing ----------------------------------------------------------------------

def publish(conn: sqlite3.Connection, target: Path, publication: dict[str, Any], *,
            step: Callable[[int, int], None] | None = None) -> int:
    """Write a consistent snapshot of the open project to ``target``; returns its stamp.

    SQLite's online backup API copies the project (other processes may be writing)
    into a partial file beside the target, named for this process; the copy is made a
    single self-contained file (rollback journal, not WAL: no ``-wal`` or ``-shm``
    beside it for a sync client to carry), stamped, flushed to disk, and renamed over
    ``target`` in one step, so the folder never holds half a published file under its
    name. What a killed publish left is removed by the next one.

    ``step(remaining, pages)`` copies in steps of :data:`STEP_PAGES` pages and reports
    each (a writer between two steps makes the copy start again); without it the copy
    is one step, one consistent read however busy the project is."""
    folder = target.parent
    remove_stale_partials(folder)
    partial = partial_name(target)
    mark = secrets.randbelow(2**31 - 1) + 1
    try:
        dest = sqlite3.connect(partial, isolation_level=None)
        try:
            if step is None:
                conn.backup(dest)
            else:
                conn.backup(dest, pages=STEP_PAGES,
                            progress=lambda _status, remaining, total: step(remaining, total))
            dest.execute("PRAGMA journal_mode = DELETE")
            dest.execute("BEGIN IMMEDIATE")
            details = {**publication, "stamp": mark, "host": socket.gethostname(),
                       "published_at": now()}
            dest.execute("INSERT OR REPLACE INTO meta (key, value) VALUES (?, ?)",
                         (PUBLICATION, json.dumps(details, ensure_ascii=False)))
            dest.execute(f"PRAGMA user_version = {mark}")
            dest.execute(f"PRAGMA application_id = {APPLICATION_ID}")
            dest.execute("COMMIT")
        finally:
            dest.close()
        with open(partial, "rb") as written:
            os.fsync(written.fileno())
        os.replace(partial, target)
        _sync_folder(folder)
    except (sqlite3.Error, OSError) as exc:
        for leftover in (partial, Path(f"{partial}-journal")):
            with contextlib.suppress(OSError):
                leftover.unlink()
        raise translate(exc, target) from exc
    return mark


def _sync_folder(folder: Path) -> None:
    """Make the rename itself durable (where the system lets a folder be flushed)."""
    with contextlib.suppress(OSError, AttributeError):
        fd = os.open(folder, os.O_RDONLY)
        try:
            os.fsync(fd)
        finally:
            os.close(fd)


def publication_of(meta_value: str | None) -> dict[str, Any]:
    """The ``sync_publication`` record of a published file (empty for others)."""
    try:
        data = json.loads(meta_value) if meta_value else {}
    except ValueError:
        return {}
    return data if isinstance(data, dict) else {}


# -- what this machine remembers ----------------------------------------------------


class MachineRecord:
    """What this machine remembers of syncing one project file as one coder
    (bookkeeping in the state folder's ``sync.json``): the stamps of its publications,
    the project's latest event when the last was made, and which publications of
    others it merged whole."""

    def __init__(self, guid: str, path: Path, me: str) -> None:
        self.key = f"{guid}|{path.resolve()}|{me}"
        entry = _published().get(self.key)
        entry = entry if isinstance(entry, dict) else {}
        stamps = entry.get("stamps")
        self.stamps: list[int] = [s for s in stamps if isinstance(s, int)] \
            if isinstance(stamps, list) else []
        event = entry.get("event")
        self.event: int | None = event if isinstance(event, int) else None
        merged = entry.get("merged")
        self.merged: dict[str, Any] = merged if isinstance(merged, dict) else {}
        self.saved = bool(entry)

    @property
    def last(self) -> int | None:
        """The stamp of the latest publication from here."""
        return self.stamps[-1] if self.stamps else None

    def remember(self, mark: int, event: int) -> None:
        """Record a publication."""
        self.stamps = [*self.stamps, mark][-REMEMBERED:]
        self.event = event

    def merged_now(self, name: str, mark: int, project: ProjectFile) -> None:
        """Record that the file ``name``, publication ``mark``, was merged whole, and
        the project's latest event just after."""
        latest = project.log(limit=1)
        self.merged[name] = [mark, latest[0].id, latest[0].at] if latest else [mark, 0, ""]

    def unchanged(self, name: str, mark: int, project: ProjectFile) -> bool:
        """Whether ``name`` is the very publication merged last time into this project
        as it still descends from that merge: the event that was latest then is still
        in the log as it was (a project restored from an older backup has lost it, and
        merges the file again). Merging it again would bring nothing: a file speaks
        only for its coder, and a coder's rows here come from nowhere else."""
        found = self.merged.get(name)
        if not isinstance(found, list) or len(found) != 3 or found[0] != mark:
            return False
        if not found[1]:
            return project.latest_event_id() == 0
        return bool(project.conn.execute(
            "SELECT 1 FROM events WHERE id = ? AND at = ?", (found[1], found[2])).fetchone())

    def save(self, present: set[str]) -> None:
        """Write the record (forgetting files no longer in the folder)."""
        self.merged = {k: v for k, v in self.merged.items() if k in present}
        data = settings.read_state(settings.SYNC_STATE)
        published = data.get("published")
        published = published if isinstance(published, dict) else {}
        published[self.key] = {"stamps": self.stamps, "event": self.event,
                               "merged": self.merged}
        data["published"] = published
        self.saved = settings.write_state(settings.SYNC_STATE, data)


def _published() -> dict[str, Any]:
    """Every record of this machine's publications, keyed by project, file and coder."""
    found = settings.read_state(settings.SYNC_STATE).get("published")
    return found if isinstance(found, dict) else {}
