"""RFM on DuckDB beside a plain DuckDB query: time and peak memory, each in a fresh process.

Issue 19 asks the DuckDB routes of :func:`crm.rfm` / :func:`crm.rfm_sql` to stay within 1.2x of a plain
DuckDB query in time *and* memory.  Memory can only be compared in separate processes, so every row runs
its route in a new Python process that first builds the synthetic log (the same one as
``bench_customer_analytics``), then resets the kernel's peak-RSS mark (``/proc/self/clear_refs``), runs
the route three times (its first run pays DuckDB's buffer allocation, which counts toward the
peak) and prints the best time and the peak resident memory above the log.  The
reference column is the plain query (``NTILE`` scores, no checks) measured the same way.
Linux only (``clear_refs``); elsewhere the rows report time alone.
"""

import functools
import json
import subprocess
import sys
from pathlib import Path

_ROOT = Path(__file__).resolve().parent.parent

_SCRIPT = r"""
import json, sys, time
import numpy as np, pandas as pd, duckdb
import crm_research as crm

n_rows, route = int(sys.argv[1]), sys.argv[2]
rng = np.random.default_rng(2001)
log = pd.DataFrame({
    "customer_id": rng.integers(1, n_rows // 10 + 1, n_rows),
    "order_date": np.datetime64("2022-01-01") + rng.integers(0, 3 * 365, n_rows).astype("timedelta64[D]"),
    "amount": np.round(rng.gamma(2.0, 40.0, n_rows), 2),
})
table = duckdb.connect()
table.execute("SET enable_progress_bar = false")  # the bar would print into the JSON line
table.execute("CREATE TABLE tx AS SELECT * FROM log")

PLAIN = '''
    WITH c AS (SELECT customer_id, DATE '2025-01-01' - MAX(order_date) AS recency, COUNT(*) AS frequency,
                      SUM(amount) AS monetary FROM tx GROUP BY customer_id)
    SELECT *, NTILE(5) OVER (ORDER BY recency DESC) AS r, NTILE(5) OVER (ORDER BY frequency) AS f,
           NTILE(5) OVER (ORDER BY monetary) AS m FROM c'''

def plain_frame():
    con = duckdb.connect()
    con.execute("SET enable_progress_bar = false")
    con.register("tx", log)
    con.execute(PLAIN).df()
    con.close()

ROUTES = {
    "rfm(engine='duckdb') on a DataFrame": lambda: crm.rfm(log, engine="duckdb"),
    "plain query on a DataFrame": plain_frame,
    "rfm_sql on a DuckDB table": lambda: crm.rfm_sql(table, table="tx"),
    "plain query on a DuckDB table": lambda: table.execute(PLAIN).df(),
}

def resident(field):
    with open("/proc/self/status") as status:
        return next(int(line.split()[1]) for line in status if line.startswith(field)) / 1024

run = ROUTES[route]
import crm_research.analytics.rfm  # noqa: E402,F401  the route's code is loaded before the baseline
try:
    with open("/proc/self/clear_refs", "w") as refs:
        refs.write("5")  # the peak-RSS mark restarts from the memory now held (the log and the table)
    base = resident("VmRSS:")
except OSError:
    base = None
best = float("inf")
for _ in range(3):
    start = time.perf_counter()
    run()
    best = min(best, time.perf_counter() - start)
peak = None if base is None else resident("VmHWM:") - base
print(json.dumps({"seconds": best, "peak_mb": peak}))
"""


@functools.cache
def _measure(n_rows: int, route: str) -> dict:
    done = subprocess.run([sys.executable, "-c", _SCRIPT, str(n_rows), route], capture_output=True, text=True,
                          cwd=_ROOT)
    if done.returncode:  # say why the child failed (e.g. out of memory) instead of only its exit status
        raise RuntimeError(f"{route}, {n_rows:,} rows: exit status {done.returncode}\n{done.stderr[-2000:]}")
    return json.loads([line for line in done.stdout.splitlines() if line.startswith("{")][-1])


def _text(measured: dict) -> str:
    memory = "" if measured["peak_mb"] is None else f", +{measured['peak_mb']:.0f} MB peak"
    return f"{measured['seconds']:.3f} s{memory}"


def _row(n_rows: int, route: str, plain: str):
    label = f"{n_rows:,} transactions"

    def run():
        return n_rows, _measure(n_rows, route)["seconds"]

    def reference():
        ours, theirs = _measure(n_rows, route), _measure(n_rows, plain)
        memory = ("" if ours["peak_mb"] is None else
                  f"; memory {ours['peak_mb']:.0f} vs {theirs['peak_mb']:.0f} MB "
                  f"({ours['peak_mb'] / max(theirs['peak_mb'], 1):.2f}x)")
        return (f"ours {_text(ours)}; {plain}: {_text(theirs)}; time "
                f"{ours['seconds'] / theirs['seconds']:.2f}x{memory}")

    return (f"RFM engines: {route} (fresh process, best of 3)", label, run, reference)


BENCHMARKS = [
    _row(n, route, plain)
    for n in (1_000_000, 10_000_000)
    for route, plain in (("rfm(engine='duckdb') on a DataFrame", "plain query on a DataFrame"),
                         ("rfm_sql on a DuckDB table", "plain query on a DuckDB table"))
]
