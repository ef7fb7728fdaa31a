"""Value-set registry costs, each as a ratio measured in this run (no absolute thresholds).

Run: ``.venv/bin/python bench/bench_valuesets.py``. Each measurement starts a fresh
interpreter so module caches do not hide import costs.
"""

from __future__ import annotations

import subprocess
import sys
import time

PROBES = {
    "bare interpreter": "pass",
    "import dmpkit.valuesets": "import dmpkit.valuesets",
    "list() (index only)": "from dmpkit.valuesets import registry; registry.list()",
    "get('J66')": "from dmpkit.valuesets import registry; registry.get('J66')",
    "load every set": (
        "from dmpkit.valuesets import registry\n"
        "for i in registry.list(mappings=False): registry.get(i.key)"
    ),
    "search('imagerie') cold": "from dmpkit.valuesets import registry; registry.search('imagerie')",
}
RUNS = 5


def _seconds(code: str) -> float:
    best = float("inf")
    for _ in range(RUNS):
        start = time.perf_counter()
        subprocess.run([sys.executable, "-c", code], check=True)
        best = min(best, time.perf_counter() - start)
    return best


def main() -> None:
    timings = {label: _seconds(code) for label, code in PROBES.items()}
    base = timings["bare interpreter"]
    listing = timings["list() (index only)"]
    for label, seconds in timings.items():
        print(
            f"{label:28s} {seconds / base:5.2f}x bare interpreter, {seconds / listing:5.2f}x list()"
        )
    from dmpkit.valuesets import registry

    warm_start = time.perf_counter()
    registry.search("imagerie")
    first = time.perf_counter() - warm_start
    warm_start = time.perf_counter()
    registry.search("imagerie")
    second = time.perf_counter() - warm_start
    print(f"search, second call vs first (folded text cached): {second / first:5.2f}x")


if __name__ == "__main__":
    main()
