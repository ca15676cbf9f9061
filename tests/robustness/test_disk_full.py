"""A full disk: one clear line, exit 2, and the project as it was before the command.

Needs a tiny file system: mounts a 1.5 MB tmpfs (root only; skipped elsewhere)."""

from __future__ import annotations

import json
import os
import subprocess
from collections.abc import Iterator
from pathlib import Path

import pytest

from qcode import Project
from qcode.core.store.check import check
from tests.conftest import Cli

# Minutes, not seconds: `pytest -m "not slow"` is the quick loop.
pytestmark = pytest.mark.slow


@pytest.fixture
def tiny_disk(tmp_path: Path) -> Iterator[Path]:
    mount = tmp_path / "tiny"
    mount.mkdir()
    if os.geteuid() != 0:
        pytest.skip("mounting a small file system needs root")
    done = subprocess.run(["mount", "-t", "tmpfs", "-o", "size=1536k", "tmpfs", str(mount)],
                          capture_output=True, check=False)
    if done.returncode != 0:
        pytest.skip(f"cannot mount tmpfs here: {done.stderr.decode().strip()}")
    try:
        yield mount
    finally:
        subprocess.run(["umount", "-l", str(mount)], check=False)


def test_import_onto_a_full_disk(tiny_disk: Path, tmp_path: Path) -> None:
    cli = Cli(tiny_disk / "project.db")
    assert cli("init").exit_code == 0
    failure = None
    imported = 0
    for n in range(200):
        transcript = tmp_path / f"interview{n:03d}.txt"
        transcript.write_text("\n\n".join(
            f"A: Paragraph {i} of interview {n}: " + "слово " * 40 for i in range(60)),
            encoding="utf-8")
        result = cli("import", str(transcript))
        if result.exit_code != 0:
            failure = result
            break
        imported += 1
    assert failure is not None, "the disk never filled up"
    assert failure.exit_code == 2
    assert "disk is full" in failure.stderr
    assert failure.stderr.count("\n") == 1
    assert imported > 0
    subprocess.run(["rm", "-f", *map(str, tiny_disk.glob("*.bak"))], check=False)
    documents = json.loads(cli("documents", "--json").output)
    assert len(documents) == imported
    assert all(d["paragraphs"] == 60 for d in documents)
    with Project.open(cli.path, readonly=True) as project:
        assert check(project.conn).healthy
