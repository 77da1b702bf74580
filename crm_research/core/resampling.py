"""Resampling: one bootstrap runner and one set of interval rules for the whole package.

SEM, PLS-SEM, HTMT, segmentation stability and the loyalty-programme effect
all resample rows with replacement, recompute a statistic and read intervals
off the replicates.  They do it here:

* :func:`resample_indices` draws the row indices of every resample (ordinary,
  or within strata so that every group keeps its size);
* :func:`bootstrap_map` computes a statistic on each resample, on one or more
  processes, with one progress bar, and returns a declared
  :class:`BootstrapRun` (replicates, failed resamples, seed);
* :func:`percentile_interval`, :func:`bc_interval` and :func:`bca_interval`
  turn replicates into intervals, with one rule at the edge (below).

Reproducibility
---------------
A seed becomes ``numpy.random.SeedSequence(seed)``; the indices of all
resamples are drawn from one ``Generator(PCG64(...))`` of it in the calling
process, in resample order (``default_rng(seed)`` gives the same stream, so
``default_rng(seed).integers(0, n, size=(B, n))`` are the indices of a run).
Statistics that are random themselves (k-means starts) get one child seed
per resample from ``SeedSequence.spawn``.  Which process computes which
resample therefore never enters the result: ``n_jobs=1`` and ``n_jobs=2``
give identical replicates.  A run with ``seed=None`` records the entropy of
its sequence (``BootstrapRun.entropy``), so it can be repeated.

The edge rule of the bias-corrected intervals
---------------------------------------------
The bias correction is :math:`z_0 = \\Phi^{-1}(\\#\\{\\theta^*_b < \\hat\\theta\\} / B)`.
When every replicate lies on one side of the estimate, :math:`z_0 = \\pm\\infty`
and the interval is **NaN** (the percentile interval is still reported).
R's ``boot::boot.ci`` stops there ("estimated adjustment 'w' is infinite");
lavaan's ``bca.simple`` lets :math:`\\Phi(-\\infty) = 0` pick the smallest (or
largest) replicate for *both* limits, a zero-width interval beside the
estimate; clipping the share to (1e-12, 1 - 1e-12), as the PLS code once did,
gives the extreme replicates, a number fixed by the clip rather than by the
data.  An undefined correction is reported as undefined.  Replicates with no
spread at all (a fixed parameter) are the one exception: every interval is
that value, as in lavaan.  Non-finite replicates are left out per statistic,
as ``boot`` does.  Quantiles are numpy's linear interpolation.

References
----------
Efron, B., & Tibshirani, R. J. (1993). *An Introduction to the Bootstrap*.
Chapman & Hall. (Percentile, BC and BCa intervals, ch. 13-14; the jackknife
acceleration, eq. 14.15.)

Davison, A. C., & Hinkley, D. V. (1997). *Bootstrap Methods and their
Application*. Cambridge University Press. (Stratified resampling, sec. 3.7.)
"""

from __future__ import annotations

import contextlib
import math
import os
import sys
from collections import Counter
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.threads import single_thread
from crm_research.core.validation import check_bool, check_ci, check_int, param_error

__all__ = [
    "BootstrapRun",
    "bootstrap_map",
    "resample_indices",
    "percentile_interval",
    "bc_interval",
    "bca_interval",
    "jackknife",
    "FAILURES",
]

# What a resample may raise when it cannot be estimated (a singular matrix, a constant item, no
# convergence): counted as a failed resample.  Anything else is a bug and propagates.
FAILURES: tuple[type[BaseException], ...] = (ArithmeticError, np.linalg.LinAlgError, ValueError, RuntimeError)


# ----------------------------------------------------------------------------- indices
def _seed_sequence(seed) -> np.random.SeedSequence:
    if isinstance(seed, np.random.SeedSequence):
        return seed
    if isinstance(seed, np.random.Generator):
        return seed.bit_generator.seed_seq
    if seed is not None:
        seed = check_int(seed, "seed", "bootstrap_map", min_value=0)
    return np.random.SeedSequence(seed)


def _generator(seed, ss: np.random.SeedSequence | None = None) -> np.random.Generator:
    if isinstance(seed, np.random.Generator):
        return seed  # the caller's stream continues (its own draws before and after stay reproducible)
    return np.random.Generator(np.random.PCG64(ss if ss is not None else _seed_sequence(seed)))


def _strata_positions(strata, n: int) -> list[np.ndarray]:
    codes = pd.factorize(pd.Series(np.asarray(strata)), sort=True)[0]
    if len(codes) != n:
        raise param_error("strata", f"one group label per row ({n})", f"{len(codes)} labels", "resample_indices")
    if (codes < 0).any():
        raise CRMInputError("The 'strata' of resample_indices has missing labels; every row needs a group.")
    return [np.flatnonzero(codes == g) for g in range(codes.max() + 1)]


def _index_blocks(rng: np.random.Generator, n: int, bootstrap: int, chunk_size: int,
                  strata: list[np.ndarray] | None) -> Iterator[np.ndarray]:
    """Indices of ``bootstrap`` resamples in blocks of ``chunk_size`` rows, in resample order.

    Drawing a (b, n) block is the same stream as b draws of n (numpy draws element by element), so
    the blocks do not depend on ``chunk_size``; stratified resamples are drawn one by one for the
    same reason.
    """
    for start in range(0, bootstrap, chunk_size):
        b = min(chunk_size, bootstrap - start)
        if strata is None:
            yield rng.integers(0, n, size=(b, n))
        else:
            block = np.empty((b, n), dtype=np.int64)
            for r in range(b):
                block[r] = np.concatenate([pos[rng.integers(0, len(pos), size=len(pos))] for pos in strata])
            yield block


def resample_indices(n: int, bootstrap: int, *, seed=None, strata=None) -> np.ndarray:
    """Row indices of bootstrap resamples.

    Parameters
    ----------
    n : int
        Number of rows of the data.
    bootstrap : int
        Number of resamples.
    seed : int, optional
        Seed of ``numpy.random.SeedSequence``; a ``numpy.random.Generator``
        continues that stream.
    strata : array-like, optional
        A group label per row: each resample then draws within every group as
        many rows as the group has (stratified bootstrap), so group sizes stay
        fixed.  The rows of a resample come group by group (sorted labels).

    Returns
    -------
    numpy.ndarray
        ``(bootstrap, n)`` integer array, one resample per row; the same
        indices :func:`bootstrap_map` uses with the same arguments.

    Examples
    --------
    >>> import numpy as np
    >>> idx = resample_indices(5, 3, seed=1)
    >>> idx.shape
    (3, 5)
    >>> bool((idx == np.random.default_rng(1).integers(0, 5, size=(3, 5))).all())
    True
    >>> s = resample_indices(4, 2, seed=1, strata=["a", "b", "a", "b"])
    >>> bool(np.isin(s[:, :2], [0, 2]).all() and np.isin(s[:, 2:], [1, 3]).all())
    True
    """
    n = check_int(n, "n", "resample_indices", min_value=1)
    bootstrap = check_int(bootstrap, "bootstrap", "resample_indices", min_value=0)
    groups = None if strata is None else _strata_positions(strata, n)
    blocks = list(_index_blocks(_generator(seed), n, bootstrap, max(bootstrap, 1), groups))
    return np.vstack(blocks) if blocks else np.empty((0, n), dtype=np.int64)


# ----------------------------------------------------------------------------- the run
@dataclass(repr=False, eq=False)
class BootstrapRun(Result):
    """The replicates of a bootstrap, with what it took to get them.

    Attributes
    ----------
    replicates : numpy.ndarray
        ``(n_ok, ...)``: the statistic of every resample that could be
        computed, in resample order.
    ok : numpy.ndarray
        ``(bootstrap,)`` booleans: which resamples gave a replicate.
    seed : int or None
        The seed given.
    entropy : int or None
        Entropy of the seed sequence: ``SeedSequence(entropy)`` repeats a run
        made with ``seed=None``.
    n_jobs : int
        Processes used.
    failures : dict
        Why resamples failed: exception name (or ``"no result"``) -> count.
    bootstrap, n_failed : int
        Resamples requested and resamples that failed (never silently dropped:
        a summary warns about them).
    """

    title: ClassVar[str] = "Bootstrap run"
    replicates: np.ndarray
    ok: np.ndarray
    seed: int | None = None
    entropy: int | None = None
    n_jobs: int = 1
    failures: dict[str, int] = field(default_factory=dict)
    bootstrap: int = field(init=False)
    n_failed: int = field(init=False)

    def __post_init__(self):
        self.bootstrap = int(len(self.ok))
        self.n_failed = int(self.bootstrap - np.count_nonzero(self.ok))
        if self.n_failed:
            why = ", ".join(f"{k}: {v}" for k, v in sorted(self.failures.items()))
            rest = "; the intervals use the others." if self.n_failed < self.bootstrap else "; there are no intervals."
            self.warnings.append(f"{self.n_failed} of {self.bootstrap} resamples could not be computed"
                                 + (f" ({why})" if why else "") + rest)

    @property
    def n_ok(self) -> int:
        """Number of replicates."""
        return self.bootstrap - self.n_failed

    def se(self) -> np.ndarray:
        """Bootstrap standard error of every statistic (SD of the replicates, ddof=1)."""
        with np.errstate(invalid="ignore", divide="ignore"), _quiet():
            return np.std(self.replicates, axis=0, ddof=1)

    def interval(self, estimate=None, *, ci: float = 0.95, method: str = "percentile",
                 jackknife_values=None) -> tuple[np.ndarray, np.ndarray]:
        """Interval of every statistic: ``method`` is "percentile", "bc" or "bca" (see the module rules)."""
        if method == "percentile":
            return percentile_interval(self.replicates, ci)
        if estimate is None:
            raise param_error("estimate", f"the full-sample estimate (needed by method={method!r})", None,
                              "BootstrapRun.interval")
        if method == "bc":
            return bc_interval(self.replicates, estimate, ci)
        if method == "bca":
            return bca_interval(self.replicates, estimate, ci, jackknife_values=jackknife_values)
        raise param_error("method", "'percentile', 'bc' or 'bca'", method, "BootstrapRun.interval")

    def to_frame(self) -> pd.DataFrame:
        """One row per statistic (flattened): ``mean``, ``se``, 95% percentile ``ci_low`` / ``ci_high``."""
        flat = self.replicates.reshape(len(self.replicates), -1)
        lo, hi = percentile_interval(flat, 0.95)
        with _quiet():
            mean = np.nanmean(flat, axis=0) if len(flat) else np.full(flat.shape[1], np.nan)
        return pd.DataFrame({"statistic": np.arange(flat.shape[1]), "mean": mean,
                             "se": self.se().reshape(-1) if len(flat) else np.nan, "ci_low": lo, "ci_high": hi})

    def _summary_tables(self):
        head = pd.DataFrame({"value": [self.bootstrap, self.n_failed, self.seed, self.n_jobs]},
                            index=["resamples", "failed", "seed", "processes"])
        return [("Run", head.astype(str)), ("Replicates", self.to_frame().set_index("statistic"))]

    def plot(self, ax=None, statistic: int = 0):
        """Histogram of the replicates of one (flattened) statistic."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.2))
        vals = self.replicates.reshape(len(self.replicates), -1)[:, statistic]
        ax.hist(vals[np.isfinite(vals)], bins="auto")
        ax.set_xlabel(f"statistic {statistic}")
        ax.set_ylabel("resamples")
        ax.set_title(f"Bootstrap distribution ({self.n_ok} replicates)")
        return ax


@contextlib.contextmanager
def _quiet():
    import warnings

    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN columns and ddof warnings: NaN is the answer
        yield


# ----------------------------------------------------------------------------- the parallel map
def _progress_bar(total: int, desc: str, enabled: bool):
    if not enabled:
        return None
    import importlib.util

    # tqdm.auto draws a widget in Jupyter but only warns when ipywidgets is missing: text then
    if importlib.util.find_spec("ipywidgets") is not None:
        from tqdm.auto import tqdm
    else:
        from tqdm import tqdm

        if _in_notebook_kernel():
            # A text bar in a notebook writes every refresh to stderr, and a stored or rendered notebook
            # keeps each frame (dozens of pink boxes). One line on stdout instead: the bar is drawn when
            # it starts and when it ends, and the end overwrites the start (carriage return).
            import sys

            return tqdm(total=total, desc=desc, unit="resample", leave=True, file=sys.stdout,
                        mininterval=float("inf"), ascii=True)
    return tqdm(total=total, desc=desc, unit="resample", leave=False)


def _in_notebook_kernel() -> bool:
    """Whether the code runs in a Jupyter kernel (IPython's ZMQ shell), not a terminal."""
    import sys

    ipython = sys.modules.get("IPython")
    shell = ipython.get_ipython() if ipython is not None and hasattr(ipython, "get_ipython") else None
    return type(shell).__name__ == "ZMQInteractiveShell"


def _cloudpickle():
    """cloudpickle (a declared dependency): unlike pickle it also serialises closures and lambdas."""
    import cloudpickle

    return cloudpickle


def _run_block(statistic, block: np.ndarray, seeds, batch: bool, catch) -> tuple[list, list[str]]:
    """Compute the statistic on a block of resamples: (outputs or None, failure reasons)."""
    if isinstance(statistic, bytes):  # pickled by cloudpickle for a worker process
        statistic = _cloudpickle().loads(statistic)
    reasons: list[str] = []
    with single_thread():
        if batch:
            out = list(statistic(block) if seeds is None else statistic(block, seeds))
            if len(out) != len(block):
                raise RuntimeError(f"a batch statistic returned {len(out)} results for {len(block)} resamples")
        else:
            out = []
            for r, idx in enumerate(block):
                try:
                    out.append(statistic(idx) if seeds is None else statistic(idx, int(seeds[r])))
                except catch as exc:
                    out.append(None)
                    reasons.append(type(exc).__name__)
    reasons += ["no result"] * (sum(o is None for o in out) - len(reasons))
    return out, reasons


def _worker_pool(n_jobs: int):
    """A process pool for one :func:`bootstrap_map` call.

    ``concurrent.futures`` with the fork start method where the platform has it: the pool starts its
    workers and nothing else, and :meth:`~concurrent.futures.Executor.shutdown` joins them, so no process
    outlives the call. (joblib's pools also start a resource-tracker process that lives until the
    interpreter exits, and outlived ``crm-research report`` for a moment after it had finished.) Where
    there is no fork (Windows, and macOS by Python's default), the workers are spawned.
    """
    import multiprocessing
    from concurrent.futures import ProcessPoolExecutor

    method = "fork" if sys.platform == "linux" else "spawn"
    return ProcessPoolExecutor(max_workers=n_jobs, mp_context=multiprocessing.get_context(method))


def bootstrap_map(statistic: Callable[..., Any], n: int, *, bootstrap: int, seed=None, strata=None,
                  n_jobs: int | None = 1, progress: bool = True, batch: bool = False, child_seeds: bool = False,
                  chunk_size: int | None = None, min_parallel: int = 0,
                  catch: tuple[type[BaseException], ...] = FAILURES, desc: str = "bootstrap") -> BootstrapRun:
    """Compute ``statistic`` on bootstrap resamples of ``n`` rows, on one or more processes.

    Parameters
    ----------
    statistic : callable
        ``statistic(idx)`` with ``idx`` the row indices of one resample
        (length ``n``); returns an array (the same shape every time), or
        ``None`` when the resample cannot be estimated.  Raising one of
        ``catch`` also marks the resample as failed.  With ``batch=True`` it
        receives a ``(b, n)`` block and returns a sequence of ``b`` results (an
        entry may be ``None``).  With ``n_jobs > 1`` it is sent to the worker
        processes with cloudpickle (closures work).
    n : int
        Number of rows.
    bootstrap : int
        Number of resamples (0 gives an empty run).
    seed : int, optional
        Seed of the ``SeedSequence`` (see the module notes); a
        ``numpy.random.Generator`` continues the caller's stream.
    strata : array-like, optional
        Group label per row for a stratified bootstrap (:func:`resample_indices`).
    n_jobs : int, optional
        Processes; ``None`` means up to 2.  The replicates do not depend on it.
    progress : bool, default True
        One progress bar, whatever the number of processes.
    batch : bool, default False
        Pass blocks of resamples (for statistics that vectorise over resamples).
    child_seeds : bool, default False
        Also pass each resample its own seed (an int from ``SeedSequence.spawn``;
        a block of them with ``batch=True``), for statistics that are random.
    chunk_size : int, optional
        Resamples per task (default: about 80 tasks, at most 100 resamples
        each).  The replicates do not depend on it.
    min_parallel : int, default 0
        Below this many resamples the work stays in this process (starting
        workers costs about a second).
    catch : tuple of exception classes
        Exceptions counted as a failed resample (default :data:`FAILURES`).
    desc : str
        Label of the progress bar.

    Returns
    -------
    BootstrapRun
        Replicates of the resamples that worked, which ones failed and why,
        the seed and its entropy.

    Notes
    -----
    Worker processes come from a pool made for this call (:func:`_worker_pool`)
    and shut down, its processes joined, when the call ends, whether it ends
    normally or by an exception, so no process stays alive afterwards.  Every resample runs with one BLAS/OpenMP thread.

    Examples
    --------
    The mean of ten numbers, 200 resamples, on one process and on two:

    >>> import numpy as np
    >>> x = np.arange(10.0)
    >>> run = bootstrap_map(lambda idx: x[idx].mean(), len(x), bootstrap=200, seed=1, progress=False)
    >>> run.replicates.shape, run.n_failed
    ((200,), 0)
    >>> again = bootstrap_map(lambda idx: x[idx].mean(), len(x), bootstrap=200, seed=1, n_jobs=2,
    ...                       progress=False)
    >>> bool(np.array_equal(run.replicates, again.replicates))
    True
    >>> lo, hi = run.interval(ci=0.9)
    >>> bool(lo < 4.5 < hi)
    True

    A resample that cannot be computed is counted, not dropped silently:

    >>> def ratio(idx):
    ...     return None if x[idx].min() > 0 else x[idx].mean()
    >>> run = bootstrap_map(ratio, 10, bootstrap=50, seed=2, progress=False)
    >>> run.n_failed + len(run.replicates) == 50
    True
    """
    func = "bootstrap_map"
    if not callable(statistic):
        raise param_error("statistic", "a function of the resample indices", type(statistic).__name__, func)
    n = check_int(n, "n", func, min_value=1)
    bootstrap = check_int(bootstrap, "bootstrap", func, min_value=0)
    if n_jobs is None:
        n_jobs = min(2, os.cpu_count() or 1)
    n_jobs = check_int(n_jobs, "n_jobs", func, min_value=1)
    progress = check_bool(progress, "progress", func)
    if chunk_size is None:
        chunk_size = max(1, min(100, math.ceil(bootstrap / 80)))
    chunk_size = check_int(chunk_size, "chunk_size", func, min_value=1)
    groups = None if strata is None else _strata_positions(strata, n)
    ss = _seed_sequence(seed)
    rng = _generator(seed, ss)
    seeds = None
    if child_seeds:
        seeds = np.array([c.generate_state(1)[0] for c in ss.spawn(bootstrap)], dtype=np.int64)
    blocks = _index_blocks(rng, n, bootstrap, chunk_size, groups)
    n_blocks = math.ceil(bootstrap / chunk_size)

    def seeds_of(i):
        return None if seeds is None else seeds[i * chunk_size:(i + 1) * chunk_size]

    outputs: list = []
    reasons: list[str] = []
    bar = _progress_bar(bootstrap, desc, progress and bootstrap > 0)
    parallel = n_jobs > 1 and n_blocks > 1 and bootstrap >= min_parallel
    try:
        if not parallel:
            for i, block in enumerate(blocks):
                out, why = _run_block(statistic, block, seeds_of(i), batch, catch)
                outputs += out
                reasons += why
                if bar is not None:
                    bar.update(len(block))
        else:
            from concurrent.futures import as_completed

            payload = _cloudpickle().dumps(statistic)
            pool = _worker_pool(n_jobs)
            try:
                futures = [pool.submit(_run_block, payload, block, seeds_of(i), batch, catch)
                           for i, block in enumerate(blocks)]
                sizes = {f: min(chunk_size, bootstrap - i * chunk_size) for i, f in enumerate(futures)}
                for done in as_completed(futures):
                    if bar is not None:
                        bar.update(sizes[done])
                results = [f.result() for f in futures]  # in task order, so the replicates keep theirs
            finally:
                # joins the workers, also after an error or Ctrl-C (blocks not yet started are dropped)
                pool.shutdown(wait=True, cancel_futures=True)
            for out, why in results:
                outputs += out
                reasons += why
    finally:
        if bar is not None:
            bar.close()
    ok = np.array([o is not None for o in outputs], dtype=bool)
    kept = [np.asarray(o, dtype=float) for o in outputs if o is not None]
    replicates = np.stack(kept) if kept else np.empty((0,))
    return BootstrapRun(replicates, ok, seed=None if isinstance(seed, (np.random.Generator, np.random.SeedSequence))
                        else seed, entropy=ss.entropy, n_jobs=n_jobs if parallel else 1,
                        failures=dict(Counter(reasons)))


# ----------------------------------------------------------------------------- intervals
def _columns(replicates, estimate=None):
    reps = np.asarray(replicates, dtype=float)
    if reps.ndim == 0:
        raise param_error("replicates", "an array with one row per replicate", reps, "interval")
    shape = reps.shape[1:]
    flat = reps.reshape(reps.shape[0], -1)
    est = None
    if estimate is not None:
        est = np.broadcast_to(np.asarray(estimate, dtype=float), shape).reshape(-1)
    return flat, est, shape


def _tail(ci) -> float:
    return (1 - check_ci(ci, "interval")) / 2


def percentile_interval(replicates, ci: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Percentile interval: the (1-ci)/2 and (1+ci)/2 quantiles of every statistic.

    Parameters
    ----------
    replicates : array-like
        ``(B, ...)``, one replicate per row; non-finite values are left out
        per statistic.
    ci : float, default 0.95

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits, shaped like one replicate (numpy's linear
        interpolation; NaN where a statistic has no finite replicate).

    Examples
    --------
    >>> import numpy as np
    >>> lo, hi = percentile_interval(np.arange(1.0, 101.0)[:, None], 0.90)
    >>> round(float(lo[0]), 2), round(float(hi[0]), 2)
    (5.95, 95.05)
    """
    flat, _, shape = _columns(replicates)
    a = _tail(ci)
    if len(flat) == 0:
        nan = np.full(shape, np.nan)
        return nan, nan.copy()
    if np.isfinite(flat).all():
        lo, hi = np.quantile(flat, [a, 1 - a], axis=0)
    else:
        with _quiet():
            lo, hi = np.nanquantile(np.where(np.isfinite(flat), flat, np.nan), [a, 1 - a], axis=0)
    return lo.reshape(shape), hi.reshape(shape)


def _adjusted(flat, est, a: float, accel) -> tuple[np.ndarray, np.ndarray]:
    """BC (accel 0) and BCa limits, with the module's one edge rule."""
    from scipy.special import ndtr, ndtri

    z = ndtri(np.array([a, 1 - a]))
    lo = np.full(flat.shape[1], np.nan)
    hi = np.full(flat.shape[1], np.nan)
    for j in range(flat.shape[1]):
        col = flat[:, j]
        col = col[np.isfinite(col)]
        if len(col) == 0 or not np.isfinite(est[j]):
            continue
        if np.ptp(col) == 0:  # a fixed parameter: every interval is that value
            lo[j] = hi[j] = col[0]
            continue
        share = np.count_nonzero(col < est[j]) / len(col)
        if share <= 0 or share >= 1 or not np.isfinite(accel[j]):
            continue  # the edge rule (module docstring): the correction is undefined, so is the interval
        z0 = ndtri(share)
        if accel[j] == 0:  # BC; written as in Efron & Tibshirani's eq. 14.10, which keeps old results to the bit
            q = ndtr(2 * z0 + z)
        else:
            q = ndtr(z0 + (z0 + z) / (1 - accel[j] * (z0 + z)))
        lo[j], hi[j] = np.quantile(col, q)
    return lo, hi


def bc_interval(replicates, estimate, ci: float = 0.95) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected (BC) interval (Efron & Tibshirani, 1993, eq. 14.10 with zero acceleration).

    ``z0 = Phi^-1(share of replicates below the estimate)``; the limits are
    the quantiles ``Phi(2 z0 + z_{(1-ci)/2})`` and ``Phi(2 z0 + z_{(1+ci)/2})``
    of the replicates.  lavaan's ``boot.ci.type = "bca.simple"`` and SmartPLS's
    "bias-corrected" interval.

    Parameters
    ----------
    replicates : array-like
        ``(B, ...)``, one replicate per row.
    estimate : array-like
        The full-sample estimate of every statistic (shape of one replicate).
    ci : float, default 0.95

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits; NaN where every replicate is on one side of
        the estimate (the edge rule of this module), the common value where
        the replicates have no spread.

    Examples
    --------
    30 of 100 replicates below the estimate: ``z0 = Phi^-1(0.3)``:

    >>> import numpy as np
    >>> boot = np.arange(1.0, 101.0)[:, None]
    >>> lo, hi = bc_interval(boot, [30.5], 0.90)
    >>> round(float(lo[0]), 3), round(float(hi[0]), 3)
    (1.35, 72.719)
    >>> bc_interval(boot, [0.5], 0.90)[0]  # all replicates above the estimate
    array([nan])
    """
    flat, est, shape = _columns(replicates, estimate)
    lo, hi = _adjusted(flat, est, _tail(ci), np.zeros(flat.shape[1]))
    return lo.reshape(shape), hi.reshape(shape)


def bca_interval(replicates, estimate, ci: float = 0.95, *, jackknife_values) -> tuple[np.ndarray, np.ndarray]:
    """Bias-corrected and accelerated (BCa) interval (Efron & Tibshirani, 1993, ch. 14.3).

    The limits are the quantiles
    :math:`\\Phi(z_0 + (z_0 + z_\\alpha)/(1 - a(z_0 + z_\\alpha)))` of the
    replicates, with the acceleration from the jackknife values
    :math:`\\hat\\theta_{(i)}`: :math:`a = \\sum d_i^3 / (6 (\\sum d_i^2)^{3/2})`,
    :math:`d_i = \\bar\\theta_{(\\cdot)} - \\hat\\theta_{(i)}` (eq. 14.15; R's
    ``boot.ci(type = "bca")`` with jackknife influence values, and
    ``scipy.stats.bootstrap(method="BCa")``).

    Parameters
    ----------
    replicates : array-like
        ``(B, ...)``, one replicate per row.
    estimate : array-like
        Full-sample estimate of every statistic.
    ci : float, default 0.95
    jackknife_values : array-like
        ``(n, ...)``: the statistic with each row left out in turn
        (:func:`jackknife`).

    Returns
    -------
    (numpy.ndarray, numpy.ndarray)
        Lower and upper limits; NaN under the module's edge rule and where the
        acceleration is undefined (all jackknife values equal).

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([2.1, 3.4, 1.9, 5.6, 4.4, 2.8, 7.9, 3.3])
    >>> reps = x[resample_indices(len(x), 2000, seed=3)].mean(axis=1)
    >>> jack = jackknife(lambda idx: x[idx].mean(), len(x))
    >>> lo, hi = bca_interval(reps, x.mean(), 0.95, jackknife_values=jack)
    >>> bool(lo < x.mean() < hi)
    True
    """
    flat, est, shape = _columns(replicates, estimate)
    jack = np.asarray(jackknife_values, dtype=float)
    if jack.ndim == 0 or len(jack) < 2 or jack.reshape(len(jack), -1).shape[1] != flat.shape[1]:
        raise param_error("jackknife_values", "one leave-one-out value of every statistic per row (n >= 2 rows)",
                          jack.shape, "bca_interval")
    jack = jack.reshape(len(jack), -1)
    d = np.nanmean(jack, axis=0) - jack
    with np.errstate(invalid="ignore", divide="ignore"):
        accel = np.nansum(d**3, axis=0) / (6 * np.nansum(d**2, axis=0) ** 1.5)
    lo, hi = _adjusted(flat, est, _tail(ci), accel)
    return lo.reshape(shape), hi.reshape(shape)


def jackknife(statistic: Callable[[np.ndarray], Any], n: int) -> np.ndarray:
    """The statistic with each of the ``n`` rows left out in turn (for :func:`bca_interval`).

    Parameters
    ----------
    statistic : callable
        ``statistic(idx)`` as in :func:`bootstrap_map` (``idx`` has ``n - 1`` rows here).
    n : int

    Returns
    -------
    numpy.ndarray
        ``(n, ...)`` leave-one-out values.

    Examples
    --------
    >>> import numpy as np
    >>> x = np.array([1.0, 2.0, 6.0])
    >>> jackknife(lambda idx: x[idx].mean(), 3)
    array([4. , 3.5, 1.5])
    """
    n = check_int(n, "n", "jackknife", min_value=2)
    rows = np.arange(n)
    return np.stack([np.asarray(statistic(np.delete(rows, i)), dtype=float) for i in range(n)])

