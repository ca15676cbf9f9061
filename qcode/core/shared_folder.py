"""Is the project file where two machines could write it at once? Then say so, once.

SQLite keeps a project consistent across processes of one machine with file locks. A
sync client (Dropbox, OneDrive, Syncthing, iCloud, Google Drive, Nextcloud) copies
the file between machines without them, and a network file system's locks are often
unreliable: two machines writing one project that way corrupt it. The way to work as
a team across machines is ``qcode sync``, which keeps each project on its own disk.

A folder is taken to be synced when it or a folder above it carries a sync client's
mark (Dropbox's ``.dropbox``, Syncthing's ``.stfolder``, Nextcloud's ``.sync_*.db``,
Resilio's ``.sync``), or has a name sync clients give their folders (``OneDrive -
Contoso``, ``iCloud Drive``, ``Google Drive``, macOS's ``Library/CloudStorage``); it is
on a network file system when ``/proc/mounts`` (Linux) says so for the longest mount
point above it. Looking costs a few ``stat`` calls, so every command can afford it.
"""

from __future__ import annotations

import os
import re
from collections.abc import Mapping
from operator import methodcaller
from pathlib import Path

from qcode.core import settings

# A file or folder a sync client keeps at the top of the folders it manages.
_MARKERS = ((".dropbox", "Dropbox"), (".dropbox.cache", "Dropbox"), (".stfolder", "Syncthing"),
            (".sync/IgnoreList", "Resilio Sync"), (".owncloudsync.log", "Nextcloud"))
# Nextcloud and ownCloud keep their journal as .sync_<id>.db (older clients ._sync_).
_JOURNALS = (".sync_", "._sync_")
# Folder names sync clients choose (compared case-insensitively).
_NAMES = (("onedrive", "OneDrive"), ("icloud drive", "iCloud"), ("iclouddrive", "iCloud"),
          ("mobile documents", "iCloud"), ("google drive", "Google Drive"),
          ("my drive", "Google Drive"), ("dropbox", "Dropbox"), ("box sync", "Box"))
# macOS puts every File Provider client's folders in ~/Library/CloudStorage.
_CLOUD_STORAGE = "cloudstorage"
NETWORK_FILESYSTEMS = frozenset({
    "nfs", "nfs4", "cifs", "smb", "smb2", "smb3", "smbfs", "afs", "ncpfs", "9p", "ceph",
    "glusterfs", "lustre", "gpfs", "beegfs", "davfs", "webdav", "sshfs", "fuse.sshfs",
    "fuse.rclone", "fuse.davfs2", "fuse.gvfsd-fuse", "fuse.s3fs", "fuse.gcsfuse",
    "fuse.onedriver", "fuse.google-drive-ocamlfuse", "fuse.glusterfs", "fuse.cephfs"})
WARNED = "warned"
_OCTAL = re.compile(r"\\([0-7]{3})")


def where_synced(path: Path, *, mounts: Path = Path("/proc/mounts"),
                 environ: Mapping[str, str] | None = None) -> str | None:
    """What syncs or shares the folder holding ``path`` ("a Dropbox folder", "a network
    file system (nfs4)"), or None for a folder on this machine's own disk."""
    environ = os.environ if environ is None else environ
    try:
        folder = path.resolve().parent
    except OSError:
        return None
    for root in (environ.get(k) for k in ("OneDrive", "OneDriveCommercial",
                                           "OneDriveConsumer")):
        if root and folder.is_relative_to(Path(root)):
            return "a OneDrive folder"
    for place in (folder, *folder.parents):
        client = _client_at(place)
        if client is not None:
            return f"{'an' if client.startswith('i') else 'a'} {client} folder"
    fstype = _filesystem(folder, mounts)
    if fstype is not None and fstype.lower() in NETWORK_FILESYSTEMS:
        return f"a network file system ({fstype})"
    return None


def _client_at(place: Path) -> str | None:
    name = place.name.casefold()
    if place.parent.name.casefold() == _CLOUD_STORAGE and name:
        provider = place.name.split("-", 1)[0]
        return {"googledrive": "Google Drive", "onedrive": "OneDrive"}.get(
            provider.casefold(), provider)
    for prefix, client in _NAMES:
        if name == prefix or name.startswith((f"{prefix} -", f"{prefix} (")):
            return client
    for marker, client in _MARKERS:
        if os.path.lexists(place / marker):
            return client
    try:
        names = os.listdir(place)
    except OSError:
        return None
    # The prefix test runs in C (filter, methodcaller): a folder above the project may
    # hold hundreds of entries (a /tmp), and every command looks.
    if any(name.endswith(".db") for name in filter(methodcaller("startswith", _JOURNALS), names)):
        return "Nextcloud"
    return None


def _filesystem(folder: Path, mounts: Path) -> str | None:
    """The type of the file system holding ``folder``, from a mounts table."""
    try:
        lines = mounts.read_text(encoding="utf-8", errors="replace").splitlines()
    except OSError:
        return None
    best: tuple[int, str] | None = None
    here = str(folder)
    for line in lines:
        fields = line.split()
        if len(fields) < 3:
            continue
        # The table writes a space, tab, newline or backslash as octal (\040).
        text = fields[1]
        if "\\" in text:
            text = _OCTAL.sub(lambda m: chr(int(m[1], 8)), text)
        # The kernel writes mount points absolute and normalised, so one above the folder
        # is a prefix of its path: a string test passes over the others before the exact
        # comparison (a Path per line was most of the cost of every command's look).
        if not here.startswith(text.rstrip("/")):
            continue
        point = Path(text)
        if folder == point or folder.is_relative_to(point):
            depth = len(point.parts)
            if best is None or depth >= best[0]:
                best = (depth, fields[2])
    return best[1] if best else None


def pending_warning(path: Path, *, mounts: Path = Path("/proc/mounts"),
                    environ: Mapping[str, str] | None = None) -> str | None:
    """The warning for a project in a synced folder or on a network file system, unless
    this machine has given it for this file before (:func:`mark_warned`)."""
    found = where_synced(path, mounts=mounts, environ=environ)
    if found is None or str(path.resolve()) in _warned():
        return None
    return (f"{path} is in {found}: two machines opening one project there can corrupt "
            "it. Keep the project on your own disk and share your work with `qcode sync "
            "FOLDER` (README: Coding as a team). This is said once.")


def mark_warned(path: Path) -> None:
    """Remember (in the state folder) that the warning about ``path`` was given."""
    data = settings.read_state(settings.SYNC_STATE)
    data[WARNED] = {**_warned(data), str(path.resolve()): True}
    settings.write_state(settings.SYNC_STATE, data)


def first_warning(path: Path, *, mounts: Path = Path("/proc/mounts"),
                  environ: Mapping[str, str] | None = None) -> str | None:
    """:func:`pending_warning`, remembered as given."""
    message = pending_warning(path, mounts=mounts, environ=environ)
    if message is not None:
        mark_warned(path)
    return message


def _warned(data: dict[str, object] | None = None) -> dict[str, object]:
    found = (settings.read_state(settings.SYNC_STATE) if data is None else data).get(WARNED)
    return found if isinstance(found, dict) else {}
