"""Run the benchmarks and print a table: task, size, seconds, rows/s.

Each ``benchmarks/bench_*.py`` defines ``BENCHMARKS``: a list of
``(task, size, func)`` or ``(task, size, func, reference)``; ``func()`` does the
work once and returns the number of rows it processed (or None); ``reference``
is a peer's stored time for the same task (e.g. "lavaan 0.890 s"), printed
beside ours, or a function returning that text, called only when the row runs
(a peer timed on this machine, e.g. pingouin).  A ``func`` that times its work
itself (in a fresh process, to measure memory) returns ``(rows, seconds)``.  Timings are the best of ``--repeat`` runs
(wall clock), because shared machines are noisy.

    python benchmarks/run.py                 # everything
    python benchmarks/run.py -k rfm -k clv    # tasks whose name contains one of these
    python benchmarks/run.py --markdown       # a Markdown table, for notes and the README
"""

from __future__ import annotations

import argparse
import importlib.util
import sys
import time
from pathlib import Path

HERE = Path(__file__).resolve().parent


def load_benchmarks():
    for path in sorted(HERE.glob("bench_*.py")):
        spec = importlib.util.spec_from_file_location(path.stem, path)
        module = importlib.util.module_from_spec(spec)
        spec.loader.exec_module(module)
        for task, size, func, *reference in module.BENCHMARKS:
            yield path.stem, task, size, func, (reference[0] if reference else "")


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("-k", action="append", default=[], help="run tasks whose name contains this text")
    parser.add_argument("--repeat", type=int, default=1, help="runs per task; the best is reported")
    parser.add_argument("--markdown", action="store_true", help="print a Markdown table")
    args = parser.parse_args(argv)

    rows = []
    for _, task, size, func, reference in load_benchmarks():
        if args.k and not any(k.lower() in task.lower() for k in args.k):
            continue
        best, n_rows = float("inf"), None
        for _ in range(max(1, args.repeat)):
            start = time.perf_counter()
            n_rows = func()
            elapsed = time.perf_counter() - start
            if isinstance(n_rows, tuple):  # (rows, seconds): a row timed in its own process reports its time
                n_rows, elapsed = n_rows
            best = min(best, elapsed)
        rate = f"{n_rows / best:,.0f}" if n_rows else ""
        reference = reference() if callable(reference) else reference
        rows.append((task, size, f"{best:.3f}", rate, reference))
        if not args.markdown:
            print(f"{task:<58} {size:>22} {best:>9.3f} s {rate:>14}  {reference}", flush=True)
    if args.markdown:
        print("| task | size | seconds | rows/s | reference |\n| --- | --- | ---: | ---: | --- |")
        for row in rows:
            print("| " + " | ".join(row) + " |")
    return 0


if __name__ == "__main__":
    sys.exit(main())
