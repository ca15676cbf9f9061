"""What every refusal test checks: one line on stderr, the exit status, and the project
exactly as before (by its rows, or byte for byte when SQLite cannot even read it)."""

from __future__ import annotations

import contextlib
import hashlib
import os
import sqlite3
import subprocess
from collections.abc import Iterator
from pathlib import Path
from typing import Any

import pytest


def digest(path: Path) -> str:
    """Content of the project as rows (the file itself may be checkpointed)."""
    uri = path.resolve().as_uri()
    # Without a -wal the file is the whole project: read it as immutable, which leaves
    # no -shm behind (and works in a read-only folder).
    wal = Path(f"{path}-wal")
    immutable = "" if wal.exists() and wal.stat().st_size else "&immutable=1"
    conn = sqlite3.connect(f"{uri}?mode=ro{immutable}", uri=True)
    tables = [r[0] for r in conn.execute("SELECT name FROM sqlite_master WHERE type='table'")]
    h = hashlib.sha256()
    for table in sorted(tables):
        for row in conn.execute(f"SELECT * FROM {table} ORDER BY 1"):
            h.update(repr(row).encode())
    conn.close()
    return h.hexdigest()


def file_bytes(path: Path) -> dict[str, bytes]:
    """The project file and its -wal, byte for byte (the -shm is an index, not data; an
    empty -wal, which a reader may leave, holds nothing)."""
    found = {}
    for suffix in ("", "-wal", "-journal"):
        sidecar = Path(f"{path}{suffix}")
        if sidecar.exists() and (not suffix or sidecar.stat().st_size):
            found[suffix or "db"] = sidecar.read_bytes()
    return found


def assert_refused(result: Any, *fragments: str, code: int = 2) -> str:
    """One line on stderr holding every fragment, exit status ``code``, no traceback.
    Works for click's CliRunner results and for finished subprocesses."""
    exit_code = getattr(result, "exit_code", getattr(result, "returncode", None))
    stdout = getattr(result, "stdout", "") or ""
    stderr = result.stderr
    if isinstance(stderr, bytes):
        stderr = stderr.decode()
    assert exit_code == code, (exit_code, stdout, stderr)
    assert "Traceback" not in stderr + stdout, stderr
    assert stderr.count("\n") == 1 and stderr.endswith("\n"), repr(stderr)
    for fragment in fragments:
        assert fragment in stderr, (fragment, stderr)
    return str(stderr)


@contextlib.contextmanager
def unwritable(*paths: Path) -> Iterator[None]:
    """Make files or folders unwritable for this process, root included.

    As a user, mode bits do it. Root ignores them, but not the immutable attribute
    (``chattr +i``), which a folder also honours: no file can be created in it. The
    attribute is always removed again, or pytest could not clean up."""
    if os.geteuid() != 0:
        modes = {p: p.stat().st_mode for p in paths}
        for p in paths:
            p.chmod(0o555 if p.is_dir() else 0o444)
        try:
            yield
        finally:
            for p, mode in modes.items():
                p.chmod(mode)
        return
    done: list[Path] = []
    try:
        for p in paths:
            result = subprocess.run(["chattr", "+i", str(p)], capture_output=True, check=False)
            if result.returncode != 0:
                pytest.skip(f"running as root and cannot make {p} immutable here: "
                            f"{result.stderr.decode().strip()}")
            done.append(p)
        assert all(not os.access(p, os.W_OK) for p in paths), "still writable"
        yield
    finally:
        for p in done:
            subprocess.run(["chattr", "-i", str(p)], check=False)
