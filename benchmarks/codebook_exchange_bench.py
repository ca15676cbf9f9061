"""Benchmark codebook exchange: reading real REFI-QDA files, writing and reading each
format, refusing hostile files, and diffing/merge-planning large diverged codebooks.

Run from the repository root:

    .venv/bin/python benchmarks/codebook_exchange_bench.py [--codes 5000]

Prints one line per figure (best of three runs, milliseconds).
"""

from __future__ import annotations

import argparse
import copy
import random
import sys
import tempfile
import time
import zipfile
from collections.abc import Callable
from pathlib import Path

ROOT = Path(__file__).resolve().parent.parent
sys.path.insert(0, str(ROOT))

from qcode.core.codebook.merge import plan_merge  # noqa: E402
from qcode.core.codebook.model import Codebook, CodeSpec  # noqa: E402
from qcode.core.errors import ImportFailed  # noqa: E402
from qcode.exchange.codebook_diff import diff_codebooks  # noqa: E402
from qcode.exchange.formats import read_codebook, save_codebook  # noqa: E402
from qcode.exchange.refi_qdc import read_refi  # noqa: E402

SAMPLES = ROOT / "tests" / "exchange" / "samples"


def best(run: Callable[[], object], repeat: int = 3) -> float:
    """Fastest of ``repeat`` runs, in milliseconds."""
    times = []
    for _ in range(repeat):
        start = time.perf_counter()
        run()
        times.append(time.perf_counter() - start)
    return min(times) * 1000


def synthetic(count: int, seed: int = 0) -> Codebook:
    """A codebook of ``count`` codes, themes of 20 children, with short definitions."""
    rng = random.Random(seed)
    words = ["state", "pressure", "funding", "law", "regional", "trust", "memory", "army",
             "police", "rights", "court", "press", "reform", "network", "youth", "church"]
    codes: list[CodeSpec] = []
    for theme in range(max(1, count // 21)):
        children = [CodeSpec(name=f"{' '.join(rng.sample(words, 3))} {theme}-{n}",
                             definition=" ".join(rng.choices(words, k=25))) for n in range(20)]
        codes.append(CodeSpec(name=f"theme {theme}", children=children))
    return Codebook(name="synthetic", codes=codes)


def diverge(book: Codebook, seed: int = 1) -> Codebook:
    """A copy with 5% renamed, 5% typo'd duplicates (new GUIDs), 5% re-described."""
    rng = random.Random(seed)
    other = copy.deepcopy(book)
    specs = [spec for spec, parent, _d in other.walk() if parent is not None]
    for spec in rng.sample(specs, len(specs) // 20):
        spec.name += " (revised)"
    for spec in rng.sample(specs, len(specs) // 20):
        spec.definition = (spec.definition or "") + " and more"
    parents = [spec for spec, parent, _d in other.walk() if parent is None]
    for spec in rng.sample(specs, len(specs) // 20):
        typo = spec.name[:3] + spec.name[4:]
        rng.choice(parents).children.append(CodeSpec(name=typo))
    return other


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--codes", type=int, default=5000)
    args = parser.parse_args()

    for sample in sorted(SAMPLES.glob("*.q*")):
        book = read_refi(sample)
        took = best(lambda s=sample: read_refi(s))
        print(f"read {sample.name}: {len(book)} codes in {took:.1f} ms")

    study = read_codebook(ROOT / "codebooks" / "ngos-power-ministries.yaml")
    with tempfile.TemporaryDirectory() as folder:
        for suffix in (".yaml", ".qdc", ".csv", ".md"):
            path = Path(folder) / f"study{suffix}"
            write = best(lambda p=path: save_codebook(study, p))
            line = f"study codebook ({len(study)} codes) {suffix}: write {write:.1f} ms"
            if suffix != ".md":
                line += f", read {best(lambda p=path: read_codebook(p)):.1f} ms"
            print(line)

        laughs = Path(folder) / "laughs.qdc"
        laughs.write_text('<?xml version="1.0"?>\n<!DOCTYPE x [<!ENTITY a "aaaaaaaaaa">'
                          + "".join(f'<!ENTITY a{i} "{("&a;" if i == 0 else f"&a{i-1};") * 10}">'
                                    for i in range(9)) + ']>\n<CodeBook>&a8;</CodeBook>')
        bomb = Path(folder) / "bomb.qdpx"
        with zipfile.ZipFile(bomb, "w", zipfile.ZIP_DEFLATED) as archive:
            archive.writestr("project.qde", b"\x00" * (64 * 1024 * 1024))

        def refuse(path: Path) -> None:
            try:
                read_refi(path)
            except ImportFailed:
                return
            raise AssertionError(f"{path} was accepted")

        print(f"refuse billion laughs: {best(lambda: refuse(laughs)):.2f} ms")
        print(f"refuse zip bomb (64 MB of zeros in {bomb.stat().st_size // 1024} KB): "
              f"{best(lambda: refuse(bomb)):.2f} ms")

    for name, book in (("MAXQDA sample", read_refi(SAMPLES / "maxqda-24__icls-themes.qdpx")),
                       (f"synthetic {args.codes}", synthetic(args.codes))):
        other = diverge(book)
        diff_ms = best(lambda b=book, o=other: diff_codebooks(b, o), repeat=1)
        plan_ms = best(lambda b=book, o=other: plan_merge(b, o, source="x"), repeat=1)
        plan = plan_merge(book, other, source="x")
        kinds: dict[str, int] = {}
        for proposal in plan.proposals:
            kinds[proposal.kind] = kinds.get(proposal.kind, 0) + 1
        print(f"{name} ({len(book)} vs {len(other)} codes): diff {diff_ms:.0f} ms, "
              f"merge plan {plan_ms:.0f} ms, proposals {kinds}")


if __name__ == "__main__":
    main()
