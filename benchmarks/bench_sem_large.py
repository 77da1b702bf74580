"""SEM speed on large models: a CFA and a 200-resample bootstrap at 24, 48 and 96 indicators.

The data are simulated (8 indicators per factor, 500 respondents, seed 2026) by :func:`make_cfa_data`;
``python benchmarks/bench_sem_large.py --write DIR`` writes them as CSV so that
``tests/reference/sem_large/lavaan_large.R`` and ``lavaan_mlr.R`` time lavaan on the very same data. Their
stored times (``lavaan_times.csv``, ``lavaan_mlr_times.csv``) are printed beside ours; lavaan's
200-resample bootstrap at 96 indicators is not timed (about 200 times its 19 s fit on this machine).
"""

from __future__ import annotations

import argparse
import sys
from pathlib import Path

import numpy as np
import pandas as pd

import crm_research as crm

REF = Path(__file__).resolve().parent.parent / "tests" / "reference" / "sem_large"
SIZES = (24, 48, 96)
PER_FACTOR = 8


def make_cfa_data(p: int, n: int = 500, seed: int = 2026) -> tuple[pd.DataFrame, str]:
    """Simulated CFA data (p indicators, p/8 correlated factors) and its lavaan model syntax."""
    rng = np.random.default_rng(seed)
    k = p // PER_FACTOR
    phi = 0.3 + 0.7 * np.eye(k)
    factors = rng.multivariate_normal(np.zeros(k), phi, size=n)
    loadings = rng.uniform(0.5, 0.85, size=p)
    x = loadings * factors[:, np.arange(p) // PER_FACTOR] + np.sqrt(1 - loadings**2) * rng.standard_normal((n, p))
    cols = [f"x{j + 1}" for j in range(p)]
    model = "\n".join(f"F{i + 1} =~ " + " + ".join(cols[i * PER_FACTOR:(i + 1) * PER_FACTOR]) for i in range(k))
    return pd.DataFrame(x.round(4), columns=cols), model


def _fit(p):
    data, model = make_cfa_data(p)
    crm.cfa(data, model)
    return len(data)


def _bootstrap(p):
    data, model = make_cfa_data(p)
    fit = crm.cfa(data, model, bootstrap=200, seed=1, n_jobs=2, progress=False)
    return 200 - fit.boot_failed


def _fit_mlr(p):
    data, model = make_cfa_data(p)
    crm.cfa(data, model, estimator="MLR")
    return len(data)


def _lavaan(task: str, p: int) -> str:
    """lavaan's stored time for the same task and size (R is not needed to run the benchmarks)."""
    times = pd.concat([pd.read_csv(REF / "lavaan_times.csv"), pd.read_csv(REF / "lavaan_mlr_times.csv")])
    hit = times[(times["task"] == task) & (times["p"] == p)]
    if hit.empty:
        return "lavaan: not timed (see lavaan_large.R)"
    return f"lavaan {hit['lavaan'].iloc[0]}: {hit['seconds'].iloc[0]:.3f} s"


BENCHMARKS = (
    [(f"SEM large: CFA fit, {p} indicators", f"500 rows, {p} items", lambda p=p: _fit(p),
      _lavaan("CFA fit", p)) for p in SIZES]
    + [(f"SEM large: bootstrap 200 resamples, {p} indicators (2 processes)", "200 refits",
        lambda p=p: _bootstrap(p), _lavaan("bootstrap 200 resamples (2 processes)", p)) for p in SIZES]
    + [(f"SEM large: CFA fit, MLR (robust SEs, scaled test), {p} indicators", f"500 rows, {p} items",
        lambda p=p: _fit_mlr(p), _lavaan("CFA fit, MLR", p)) for p in SIZES]
)


def main(argv=None) -> int:
    parser = argparse.ArgumentParser(description=__doc__, formatter_class=argparse.RawDescriptionHelpFormatter)
    parser.add_argument("--write", type=Path, required=True, help="folder for data<p>.csv and model<p>.lav")
    args = parser.parse_args(argv)
    args.write.mkdir(parents=True, exist_ok=True)
    for p in SIZES:
        data, model = make_cfa_data(p)
        data.to_csv(args.write / f"data{p}.csv", index=False)
        (args.write / f"model{p}.lav").write_text(model + "\n", encoding="utf-8")
    return 0


if __name__ == "__main__":
    sys.exit(main())
