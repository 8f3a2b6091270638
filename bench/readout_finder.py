"""How fast the readout finder reads: a megabyte of readouts, and pathological inputs.

    .venv/bin/python -m bench.readout_finder

Prints seconds per input (no Django needed)."""

from __future__ import annotations

import datetime
import time
from pathlib import Path

import yaml

from readouts import find_candidates

DATA = Path(__file__).resolve().parent.parent / "tests" / "data" / "readouts" / "dev"


def main() -> None:
    texts = [
        yaml.safe_load(p.read_text(encoding="utf-8"))["text"] for p in sorted(DATA.glob("*.yaml"))
    ]
    block = "\n\n".join(texts)
    inputs = {
        "1 MB of readouts": "\n\n".join([block] * (1_000_000 // len(block) + 1))[:1_000_000],
        "40,000 modals": "will " * 40_000,
        "10,000 cues in one sentence": "The sides agreed to " * 10_000,
        "200,000 characters, one word": "x" * 200_000,
    }
    today = datetime.date(2026, 1, 22)
    for name, text in inputs.items():
        started = time.perf_counter()
        found = find_candidates(text, today=today)
        print(f"{name:>32}: {time.perf_counter() - started:6.2f} s, {len(found)} candidates")


if __name__ == "__main__":
    main()
