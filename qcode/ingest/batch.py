"""Reading many files at once: in order, in worker processes when there are enough
files to pay for them (parsing is CPU work; writing stays in the one writer)."""

from __future__ import annotations

import multiprocessing
import os
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import ProcessPoolExecutor
from functools import partial
from pathlib import Path

from qcode.core.errors import QcodeError
from qcode.ingest import read_document
from qcode.ingest.model import ParsedDocument

# Below this many files a pool costs more to start than it saves.
POOL_THRESHOLD = 16


def _read(path: Path, encoding: str | None) -> ParsedDocument | QcodeError:
    try:
        return read_document(path, encoding=encoding)
    except QcodeError as exc:  # carried back to the caller, in order, not raised here
        return exc


def read_documents(
    paths: Sequence[Path],
    *,
    encoding: str | None = None,
    workers: int | None = None,
    progress: Callable[[Path], None] | None = None,
) -> Iterator[tuple[Path, ParsedDocument | QcodeError]]:
    """Parse ``paths`` in order, yielding (path, document or the error it gave).

    With many files they are parsed by ``workers`` processes (default: one per CPU);
    ``progress`` is called after each file.
    """
    count = workers if workers is not None else (os.cpu_count() or 1)
    if count <= 1 or len(paths) < POOL_THRESHOLD or "fork" not in _methods():
        for path in paths:
            result = _read(path, encoding)
            if progress:
                progress(path)
            yield path, result
        return
    context = multiprocessing.get_context("fork")
    with ProcessPoolExecutor(max_workers=count, mp_context=context) as pool:
        results = pool.map(partial(_read, encoding=encoding), paths, chunksize=8)
        for path, result in zip(paths, results, strict=True):
            if progress:
                progress(path)
            yield path, result


def _methods() -> list[str]:
    return multiprocessing.get_all_start_methods()
