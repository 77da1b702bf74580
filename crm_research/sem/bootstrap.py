"""Nonparametric bootstrap of a fitted SEM: percentile and bias-corrected intervals.

Rows of the data are resampled with replacement; each resample is refitted
by the same ML engine, started at the full-sample estimates (a warm start:
the optimum moves little, so Fisher scoring needs a few steps only).  The
resample indices are drawn up front from one seeded generator, so the result
does not depend on the number of processes.  Resamples whose fit does not
converge are dropped and counted (``result.boot_failed``), as lavaan does.

References
----------
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
Chapman & Hall. (Percentile and bias-corrected intervals, ch. 13-14.)
Preacher, K. J., & Hayes, A. F. (2008). Asymptotic and resampling strategies for
assessing and comparing indirect effects in multiple mediator models.
*Behavior Research Methods*, 40(3), 879-891.
"""

from __future__ import annotations

import numpy as np

from crm_research.sem.estimation import fit_ml, single_thread_blas
from crm_research.sem.result import _defined_values, row_values

__all__ = ["run_bootstrap", "percentile_interval", "bc_interval"]

# Gradient tolerance of a resample's fit: the estimates are then accurate to about 1e-7, far
# below bootstrap noise, and Fisher scoring (linear convergence) stops 2-3 times sooner.
BOOT_TOL = 1e-6
PARALLEL_MIN = 500


def percentile_interval(boot: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval: the (1-ci)/2 and (1+ci)/2 quantiles of each column (linear interpolation)."""
    a = (1 - ci) / 2
    return np.quantile(boot, a, axis=0), np.quantile(boot, 1 - a, axis=0)


def bc_interval(boot: np.ndarray, est: np.ndarray, ci: float) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected interval (Efron & Tibshirani, 1993, eq. 14.10 with zero acceleration).

    ``z0 = Phi^-1(share of resamples below the estimate)``; the bounds are the
    quantiles ``Phi(2 z0 + z_{(1-ci)/2})`` and ``Phi(2 z0 + z_{(1+ci)/2})``.
    """
    from scipy.stats import norm

    a = (1 - ci) / 2
    lo = np.full(boot.shape[1], np.nan)
    hi = np.full(boot.shape[1], np.nan)
    for j in range(boot.shape[1]):
        col = boot[:, j]
        if np.ptp(col) == 0:  # a fixed parameter
            lo[j] = hi[j] = col[0]
            continue
        share = np.mean(col < est[j])
        if share <= 0 or share >= 1:
            continue  # the estimate lies outside every resample: no bias correction possible
        z0 = norm.ppf(share)
        q_lo, q_hi = norm.cdf(2 * z0 + norm.ppf(a)), norm.cdf(2 * z0 + norm.ppf(1 - a))
        lo[j], hi[j] = np.quantile(col, q_lo), np.quantile(col, q_hi)
    return lo, hi


def _run_chunk(spec, ram, raw, index_rows, theta0):
    """Refit the model on each resample; returns (values, converged flags)."""
    with single_thread_blas():
        return _refit_all(spec, ram, raw, index_rows, theta0)


def _refit_all(spec, ram, raw, index_rows, theta0):
    n_rows = len(spec.rows) + len(spec.definitions)
    out = np.full((len(index_rows), n_rows), np.nan)
    ok = np.zeros(len(index_rows), dtype=bool)
    for b, idx in enumerate(index_rows):
        X = raw[idx]
        S = np.cov(X.T, bias=True)
        try:
            if np.linalg.eigvalsh(S).min() <= 0:
                continue
            exo = np.zeros((ram.m, ram.m))
            exo[: ram.p, : ram.p] = S
            ram.set_exo(exo)
            fit = fit_ml(ram, S, theta0, max_iter=200, tol=BOOT_TOL)
        except (np.linalg.LinAlgError, RuntimeError, ValueError):
            continue
        if not fit.converged:
            continue
        vals = row_values(spec, ram, fit.theta)
        out[b, : len(spec.rows)] = vals
        out[b, len(spec.rows):] = _defined_values(spec, vals)
        ok[b] = True
    return out, ok


def run_bootstrap(result, ram, raw, n_boot, ci=0.95, seed=None, n_jobs=2, progress=True, chunk_size=50):
    """Bootstrap ``result`` in place: adds interval columns and ``boot_*`` attributes."""
    import copy

    rng = np.random.default_rng(seed)
    n = raw.shape[0]
    indices = rng.integers(0, n, size=(n_boot, n))
    spec = result.spec
    theta0 = result.fit.theta
    chunks = [indices[i:i + chunk_size] for i in range(0, n_boot, chunk_size)]
    n_jobs = max(1, int(n_jobs))
    bar = None
    if progress:
        try:
            import importlib.util

            # tqdm.auto draws a widget in Jupyter but only warns when ipywidgets is missing: use text then
            if importlib.util.find_spec("ipywidgets") is not None:
                from tqdm.auto import tqdm
            else:
                from tqdm import tqdm

            bar = tqdm(total=n_boot, desc="bootstrap", unit="resample", leave=False)
        except ImportError:  # tqdm is a dependency, but a missing bar must not stop the analysis
            bar = None
    parts = []
    # starting worker processes costs a second or two (more on a busy machine): not worth it for a few
    # hundred refits of a few milliseconds each
    if n_jobs == 1 or len(chunks) == 1 or n_boot < PARALLEL_MIN:
        local = copy.deepcopy(ram)
        for ch in chunks:
            parts.append(_run_chunk(spec, local, raw, ch, theta0))
            if bar is not None:
                bar.update(len(ch))
    else:
        from joblib import Parallel, delayed

        gen = Parallel(n_jobs=n_jobs, return_as="generator")(
            delayed(_run_chunk)(spec, copy.deepcopy(ram), raw, ch, theta0) for ch in chunks)
        for ch, part in zip(chunks, gen):
            parts.append(part)
            if bar is not None:
                bar.update(len(ch))
    if bar is not None:
        bar.close()
    values = np.vstack([p[0] for p in parts])
    ok = np.concatenate([p[1] for p in parts])
    good = values[ok]
    failed = int((~ok).sum())
    result.boot_n = n_boot
    result.boot_failed = failed
    result.boot_ci = ci
    result.boot_seed = seed
    est = result.estimates
    result.boot_samples = good
    if len(good) < 10:
        result.warnings.append(f"Bootstrap: only {len(good)} of {n_boot} resamples converged; no bootstrap "
                               "intervals are reported.")
        for col in ("boot_se", "perc_lower", "perc_upper", "bc_lower", "bc_upper"):
            est[col] = np.nan
        return result
    point = est["est"].to_numpy(float)
    plo, phi = percentile_interval(good, ci)
    blo, bhi = bc_interval(good, point, ci)
    est["boot_se"] = good.std(axis=0, ddof=1)
    est["perc_lower"], est["perc_upper"] = plo, phi
    est["bc_lower"], est["bc_upper"] = blo, bhi
    if failed:
        result.warnings.append(f"Bootstrap: {failed} of {n_boot} resamples did not converge and were dropped "
                               f"({len(good)} used).")
    return result
