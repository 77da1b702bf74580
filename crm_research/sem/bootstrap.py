"""Nonparametric bootstrap of a fitted SEM: percentile and bias-corrected intervals.

Rows of the data are resampled with replacement; each resample is refitted
by the same ML engine, started at the full-sample estimates (a warm start:
the optimum moves little, so Fisher scoring needs a few steps only).  The
resampling, the processes, the progress bar and the interval rules are
:mod:`crm_research.core.resampling`'s: the indices are
``default_rng(seed).integers(0, n, size=(B, n))`` whatever the number of
processes, and the bias-corrected interval is NaN when every resample lies on
one side of the estimate.  Resamples whose fit does not converge are dropped
and counted (``result.boot_failed``), as lavaan does.

FIML fits (``missing="fiml"``, also with ``estimator="MLR"``) are bootstrapped
the same way, as lavaan's ``se = "bootstrap"`` with ``missing = "ml"``: the
rows (with their holes) are resampled and each resample is refitted by FIML
-- Fisher scoring (the expected information of each missing-data pattern)
from the full-sample estimates, a few steps --
and every intercept joins the bootstrapped rows.  An MLR fit's estimates are
ML's, so its bootstrap is the ML bootstrap (lavaan refuses ``estimator =
"MLR"`` with ``se = "bootstrap"``; ``estimator = "ML"`` gives the same
resamples).

References
----------
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
Chapman & Hall. (Percentile and bias-corrected intervals, ch. 13-14.)
Preacher, K. J., & Hayes, A. F. (2008). Asymptotic and resampling strategies for
assessing and comparing indirect effects in multiple mediator models.
*Behavior Research Methods*, 40(3), 879-891.
"""

from __future__ import annotations

import copy
import time

import numpy as np

from crm_research.core.optimize import minimize
from crm_research.core.resampling import bc_interval, bootstrap_map, percentile_interval
from crm_research.sem.estimation import fit_ml
from crm_research.sem.fiml import _Patterns, fiml_objective
from crm_research.sem.result import _defined_values, row_values

__all__ = ["run_bootstrap"]

# Gradient tolerance of a resample's fit: the estimates are then accurate to about 1e-7, far
# below bootstrap noise, and Fisher scoring (linear convergence) stops 2-3 times sooner.
BOOT_TOL = 1e-6
# starting and joining worker processes costs a few tenths of a second: worth it only when the refits
# take longer than that in all. Their cost grows with the model (about p^3), so it is measured, not guessed
PARALLEL_MIN_SECONDS = 1.0


class _Refit:
    """The statistic of one resample: every parameter-table row and defined parameter, refitted."""

    def __init__(self, spec, ram, raw, theta0):
        # a copy: the refits change the model's fixed exogenous block, the caller's must stay as fitted
        self.spec, self.ram, self.raw, self.theta0 = spec, copy.deepcopy(ram), raw, theta0

    def __call__(self, idx: np.ndarray) -> np.ndarray | None:
        spec, ram = self.spec, self.ram
        S = np.cov(self.raw[idx].T, bias=True)
        if np.linalg.eigvalsh(S).min() <= 0:
            return None
        exo = np.zeros((ram.m, ram.m))
        exo[: ram.p, : ram.p] = S
        ram.set_exo(exo)
        fit = fit_ml(ram, S, self.theta0, max_iter=200, tol=BOOT_TOL)
        if not fit.converged:
            return None
        vals = row_values(spec, ram, fit.theta)
        return np.concatenate([vals, _defined_values(spec, vals)])


def _min_parallel(refit, n: int, bootstrap: int) -> int:
    """The ``min_parallel`` of :func:`bootstrap_map`: 0 when the refits are worth worker processes.

    One refit on a resample of its own (from a fixed generator, apart from the seeded stream, so the
    replicates do not change) is timed; its result is not used.
    """
    idx = np.random.default_rng(0).integers(0, n, size=n)
    start = time.perf_counter()
    refit(idx)
    return 0 if bootstrap * (time.perf_counter() - start) > PARALLEL_MIN_SECONDS else bootstrap + 1


class _FIMLRefit:
    """The statistic of one FIML resample: model rows, intercepts, latent means (0) and defined parameters."""

    def __init__(self, spec, ram, Y, x0):
        self.spec, self.ram, self.Y, self.x0 = spec, ram, Y, x0

    def __call__(self, idx: np.ndarray) -> np.ndarray | None:
        spec, ram = self.spec, self.ram
        Yb = self.Y[idx]
        if np.isnan(Yb).all(axis=0).any():
            return None  # a variable with no observed value in this resample
        pat = _Patterns(Yb)
        q = spec.n_free
        try:
            opt = minimize(fiml_objective(ram, pat, q), self.x0, tol=BOOT_TOL, max_iter=200)
        except ValueError:
            return None
        if not opt.converged:
            return None
        vals = row_values(spec, ram, opt.x[:q])
        return np.concatenate([vals, opt.x[q:], np.zeros(len(spec.latent)), _defined_values(spec, vals)])


def _fiml_statistic(result):
    x0 = np.concatenate([result.fit.theta, result.implied_mean.to_numpy(float)])
    return _FIMLRefit(result.spec, result.ram, result.raw, x0)


def run_bootstrap(result, ram, raw, bootstrap: int, ci: float = 0.95, seed: int | None = None, n_jobs: int | None = 2,
                  progress: bool = True):
    """Bootstrap ``result`` in place: adds interval columns and ``boot_*`` attributes; returns ``result``.

    ``result`` is an ML fit (``raw`` its complete data) or a FIML fit
    (:class:`crm_research.sem.fiml.FIMLResult`, ``raw`` its rows with missing values).
    """
    from crm_research.sem.fiml import FIMLResult

    n_boot = bootstrap
    if isinstance(result, FIMLResult):
        statistic = _fiml_statistic(result)
    else:
        statistic = _Refit(result.spec, ram, raw, result.fit.theta)
    run = bootstrap_map(statistic, raw.shape[0], bootstrap=n_boot, seed=seed, n_jobs=n_jobs, progress=progress,
                        chunk_size=50, min_parallel=_min_parallel(statistic, raw.shape[0], n_boot),
                        desc="bootstrap")
    good = run.replicates.reshape(run.n_ok, len(result.estimates))
    result.boot_n = n_boot
    result.boot_failed = run.n_failed
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
    est["boot_se"] = run.se()
    est["perc_lower"], est["perc_upper"] = percentile_interval(good, ci)
    est["bc_lower"], est["bc_upper"] = bc_interval(good, point, ci)
    if run.n_failed:
        result.warnings.append(f"Bootstrap: {run.n_failed} of {n_boot} resamples did not converge and were "
                               f"dropped ({len(good)} used).")
    return result
