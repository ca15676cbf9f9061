"""A project in a synced or network folder is noticed, and the coder told once."""

from __future__ import annotations

from pathlib import Path

import pytest

from qcode import Project
from qcode.core.shared_folder import where_synced
from tests.conftest import Cli
from tests.refusals import assert_refused

NO_MOUNTS = Path("/nonexistent/mounts")


def _in(folder: Path) -> Path:
    folder.mkdir(parents=True, exist_ok=True)
    return folder / "study.db"


@pytest.mark.parametrize(("layout", "expected"), [
    ({"Dropbox/.dropbox": "file"}, "a Dropbox folder"),
    ({"sync/.dropbox.cache": "dir"}, "a Dropbox folder"),
    ({"sync/.stfolder": "dir"}, "a Syncthing folder"),
    ({"sync/.sync_1a2b3c.db": "file"}, "a Nextcloud folder"),
    ({"sync/.sync/IgnoreList": "file"}, "a Resilio Sync folder"),
    ({"OneDrive - Contoso/": "dir"}, "a OneDrive folder"),
    ({"iCloud Drive/": "dir"}, "an iCloud folder"),
    ({"Library/CloudStorage/GoogleDrive-ann@example.org/": "dir"}, "a Google Drive folder"),
    ({"plain/": "dir"}, None),
])
def test_sync_clients_folders_are_recognised(tmp_path: Path, layout: dict[str, str],
                                             expected: str | None) -> None:
    (marker, kind), = layout.items()
    place = tmp_path / marker
    if kind == "dir":
        place.mkdir(parents=True)
    else:
        place.parent.mkdir(parents=True, exist_ok=True)
        place.write_text("")
    top = tmp_path / marker.split("/")[0]
    if marker.startswith("Library/"):
        top = place
    project = _in(top / "study" / "deeper")
    assert where_synced(project, mounts=NO_MOUNTS, environ={}) == expected


def test_network_file_systems_are_recognised_from_the_mounts_table(tmp_path: Path) -> None:
    share, local = tmp_path / "team share", tmp_path / "local"
    mounts = tmp_path / "mounts"
    escaped = str(share).replace(" ", "\\040")
    mounts.write_text(f"/dev/sda1 / ext4 rw 0 0\nserver:/export {escaped} nfs4 rw 0 0\n"
                      f"tmpfs {local} tmpfs rw 0 0\n")
    assert where_synced(_in(share / "study"), mounts=mounts, environ={}) == \
        "a network file system (nfs4)"
    assert where_synced(_in(local), mounts=mounts, environ={}) is None
    onedrive = tmp_path / "Work files"
    assert where_synced(_in(onedrive), mounts=NO_MOUNTS,
                        environ={"OneDriveCommercial": str(onedrive)}) == "a OneDrive folder"


def test_the_warning_is_given_once_and_keeps_output_clean(tmp_path: Path) -> None:
    folder = tmp_path / "Dropbox"
    folder.mkdir()
    (folder / ".dropbox").write_text("")
    cli = Cli(folder / "study.db")
    created = cli("init")
    assert created.exit_code == 0
    assert created.stderr.count("\n") == 1
    assert "is in a Dropbox folder" in created.stderr and "qcode sync" in created.stderr
    status = cli("status", "--json")
    assert status.exit_code == 0 and status.stderr == ""
    assert status.stdout.startswith("{")


def test_a_refusal_stays_one_line_and_the_warning_waits(tmp_path: Path) -> None:
    folder = tmp_path / "sync"
    folder.mkdir()
    (folder / ".stfolder").mkdir()
    Project.create(folder / "study.db").close()
    cli = Cli(folder / "study.db")
    assert_refused(cli("show", "no-such-document"), "no-such-document")
    shown = cli("status")
    assert shown.exit_code == 0 and "is in a Syncthing folder" in shown.stderr
    assert cli("status").stderr == ""
