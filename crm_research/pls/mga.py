"""Multi-group analysis of a PLS-SEM model: MICOM and the comparison of paths between two groups.

A comparison of path coefficients between groups (men and women, online and branch customers) is
meaningful only when the composites mean the same thing in both groups: the measurement invariance of
composite models (MICOM; Henseler, Ringle & Sarstedt, 2016), three steps:

1. configural invariance: the same indicators, data treatment and algorithm settings in every group
   (established by estimating one model file with one set of options);
2. compositional invariance: the composite scores formed with each group's weights correlate (c) on the
   pooled data no less than the 5% quantile of c under random permutations of the group labels;
3. equal means and variances of the composite scores (pooled weights) between the groups, by
   permutation intervals.

Partial invariance (steps 1-2) allows the comparison of paths; full invariance (1-3) also the pooling of
the data.  Path differences are then tested by the permutation test (Chin & Dibbern, 2010), Henseler's
PLS-MGA (Henseler, Ringle & Sinkovics, 2009), and the parametric and Welch-Satterthwaite t tests that
SmartPLS also prints (Sarstedt, Henseler & Ringle, 2011).

Every re-estimation uses the correlation-matrix PLS kernel of :mod:`crm_research.pls.bootstrap` for
composite models (the one the bootstrap uses), and :func:`crm_research.pls_sem` otherwise; permutations
run through :func:`crm_research.core.resampling.bootstrap_map` (seeded, one or more processes).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.validation import check_choice, check_ci, check_columns, check_dataframe, check_int, check_seed

__all__ = ["micom", "MICOMResult", "pls_mga", "PLSMGAResult"]


class _Groups:
    """A model estimated per group on the correlation-matrix kernel (or by pls_sem for other models)."""

    def __init__(self, data: pd.DataFrame, model: str, group_col: str, func: str, **options):
        from crm_research.pls.bootstrap import CorrPLS
        from crm_research.pls.estimate import pls_sem

        data = check_dataframe(data, "data", func, min_rows=3)
        check_columns(data, [group_col], name="group_col", func=func)
        labels = data[group_col]
        if labels.isna().any():
            raise CRMInputError(f"The 'group_col' column {group_col!r} has {int(labels.isna().sum())} missing "
                                "value(s); assign every respondent to a group (or drop them) first.")
        levels = list(pd.unique(labels))
        if len(levels) < 2:
            raise CRMInputError(f"The 'group_col' column {group_col!r} has a single level ({levels[0]!r}); a "
                                "multi-group analysis compares two groups.")
        if len(levels) > 2:
            raise CRMInputError(f"The 'group_col' column {group_col!r} has {len(levels)} levels {levels}; MICOM "
                                "and PLS-MGA compare two groups at a time: pass the rows of two groups (e.g. "
                                "data[data[group_col].isin([a, b])]), once for each pair.")
        try:
            levels = sorted(levels)
        except TypeError:
            pass
        self.pooled = pls_sem(data.drop(columns=[group_col]), model, progress=False, **options)
        kept = self.pooled.scores.index  # listwise deletion may drop respondents: the groups follow the fit
        data, labels = data.loc[kept], labels.loc[kept]
        spec = self.pooled.spec
        n_items = len(spec.items)
        sizes = {getattr(g, "item", lambda g=g: g)(): int((labels == g).sum()) for g in levels}
        small = {g: s for g, s in sizes.items() if s <= n_items}
        if small:
            raise CRMInputError(
                f"Group(s) {small} of {group_col!r} have no more respondents than the model has indicators "
                f"({n_items}); each group must be larger than the number of indicators for its own estimation "
                "(and much larger for a meaningful comparison: Hair et al., 2022, ch. 1 on sample size).")
        self.levels, self.sizes, self.model, self.options, self.spec = levels, sizes, model, options, spec
        self.group = (labels == levels[0]).to_numpy()
        self.data = data.drop(columns=[group_col]).reset_index(drop=True)
        fit = self.pooled.engine_model
        self.kernel = None
        if not (spec.interactions or spec.higher_order or self.pooled.consistent):
            try:
                self.kernel = CorrPLS.from_model(fit)
            except ValueError:
                self.kernel = None
        self.values = np.asarray(fit.rawdata.values, dtype=float)
        self.names = list(fit.constructs)
        self.paths = [(f, t) for f, t, _ in spec.paths]
        # pooled data, mean-replaced and standardized, in the kernel's item order: MICOM's step-2 scores
        if self.kernel is not None:
            x = self.values[:, self.kernel.perm]
            x = np.where(np.isnan(x), np.nanmean(x, axis=0), x)
            self.z = (x - x.mean(axis=0)) / x.std(axis=0, ddof=1)

    def fit(self, mask: np.ndarray):
        """Weights (p, k) and the path vector of the rows in ``mask`` (None when the group cannot be estimated)."""
        idx = {c: i for i, c in enumerate(self.names)}
        if self.kernel is not None:
            out = self.kernel.fit(self.values[mask])
            if out is None:
                return None
            paths, _, w, _, _ = out
            return w, np.array([paths[idx[f], idx[t]] for f, t in self.paths])
        from crm_research.pls.estimate import pls_sem

        try:
            res = pls_sem(self.data[mask], self.model, progress=False, **self.options)
        except CRMInputError:
            return None
        est = res.paths.set_index(["from", "to"])["est"]
        return None, np.array([est[p] for p in self.paths])


def _permutation_run(groups: _Groups, statistic, permutations: int, seed, n_jobs, progress, desc: str):
    """Replicates of ``statistic(mask)`` over random reassignments of the group labels (sizes kept)."""
    from crm_research.core.resampling import bootstrap_map

    base = groups.group

    def one(_idx, child_seed):
        mask = base[np.random.default_rng(child_seed).permutation(len(base))]
        return statistic(mask)

    return bootstrap_map(one, len(base), bootstrap=permutations, seed=seed, n_jobs=n_jobs, progress=progress,
                         child_seeds=True, min_parallel=200, desc=desc)


@dataclass(repr=False, eq=False)
class MICOMResult(Result):
    """Measurement invariance of composite models (MICOM), steps 1-3, for two groups.

    Attributes
    ----------
    groups : dict
        Group label -> number of respondents (the first label is group 1).
    configural : DataFrame
        ``criterion, established`` (step 1).
    compositional : DataFrame
        ``construct, c, c_q05`` (5% quantile of the permutation distribution), ``pvalue``,
        ``invariant`` (step 2).
    means, variances : DataFrame
        ``construct, diff`` (group 1 - group 2 of the pooled-weight scores; for variances the difference of
        the log variances), ``ci_low, ci_high`` (permutation percentile interval), ``pvalue``, ``equal``
        (step 3).
    invariance : DataFrame
        ``construct, partial, full`` per construct.
    permutations, seed
    """

    title: ClassVar[str] = "MICOM: measurement invariance of composite models"
    groups: dict
    configural: pd.DataFrame
    compositional: pd.DataFrame
    means: pd.DataFrame
    variances: pd.DataFrame
    invariance: pd.DataFrame
    permutations: int
    seed: int | None

    def to_frame(self) -> pd.DataFrame:
        return self.invariance.copy()

    def _summary_tables(self):
        return [("Step 1: configural invariance", self.configural.set_index("criterion")),
                ("Step 2: compositional invariance (c >= 5% quantile)", self.compositional.set_index("construct")),
                ("Step 3a: equal means (difference within the permutation interval)",
                 self.means.set_index("construct")),
                ("Step 3b: equal variances (log-variance difference within the interval)",
                 self.variances.set_index("construct")),
                ("Invariance", self.invariance.set_index("construct"))]

    def plot(self, ax=None, *, lang: str = "en"):
        """Step 2: each construct's c against the 5% quantile of its permutation distribution."""
        import matplotlib.pyplot as plt

        from crm_research.core.plotting import check_lang, label, style

        lang = check_lang(lang, func="MICOMResult.plot")
        t = self.compositional
        with style(lang):
            if ax is None:
                _, ax = plt.subplots(figsize=(6.5, 3.8))
            x = np.arange(len(t))
            ax.bar(x, t["c"], color=["#2c5d8a" if ok else "#c0392b" for ok in t["invariant"]],
                   label=label("c (original)", "c (نمونه اصلی)", lang))
            ax.scatter(x, t["c_q05"], marker="_", s=400, color="0.1", zorder=3,
                       label=label("5% quantile of permutations", "چارک ۵٪ جایگشت‌ها", lang))
            ax.set_xticks(x, t["construct"])
            ax.set_ylim(min(0.9, float(t["c_q05"].min()) - 0.02), 1.001)
            ax.set_ylabel("c")
            ax.set_title(label("MICOM step 2: compositional invariance", "میکام، گام ۲: ناوردایی ترکیبی", lang))
            ax.legend(fontsize=8)
        return ax

    def _summary_notes(self):
        return [f"{self.permutations} permutations (seed {self.seed}); groups {self.groups}. Partial invariance "
                "(steps 1 and 2) allows comparing path coefficients between the groups; full invariance (also "
                "step 3) allows pooling the data (Henseler, Ringle & Sarstedt, 2016)."] + list(self.warnings)


def micom(data, model, group_col, *, permutations: int = 5000, seed: int | None = None, ci: float = 0.95, n_jobs: int | None = 1,
          progress: bool = True, **options) -> MICOMResult:
    """MICOM: measurement invariance of composite models between two groups (Henseler et al., 2016).

    Parameters
    ----------
    data : pandas.DataFrame
        The respondents of both groups, with the items and ``group_col``.  Not modified.
    model : str
        The model syntax of :func:`crm_research.pls_sem`.
    group_col : str
        Column with the group of each respondent (exactly two levels).
    permutations : int, default 5000
        Random reassignments of the group labels (Henseler et al. recommend 5,000).
    seed : int, optional
        Seed of the permutations.
    ci : float, default 0.95
        Level of the step-3 permutation intervals (step 2 uses the 1 - ci quantile, one-sided).
    n_jobs : int, optional
        Processes (default 1; ``None`` for up to 2).
    progress : bool, default True
        Show a progress bar.
    **options
        Further options of :func:`crm_research.pls_sem` (``scheme``, ``missing``, ``max_iter``...).

    Returns
    -------
    MICOMResult

    Raises
    ------
    CRMInputError
        A group column with one level (or more than two), a group no larger than the number of indicators,
        missing group labels.

    Notes
    -----
    Step 2: :math:`c = \\mathrm{cor}(X w^{(1)}, X w^{(2)})` on the pooled standardized data :math:`X` with the
    weights of each group; invariance when :math:`c` is not below the 5% quantile of its permutation
    distribution (p = share of permutations with a smaller c).  Step 3: with the pooled weights, the
    difference of the groups' mean scores and of their log variances, each against the percentile interval
    of its permutation distribution (p two-sided: the share of permutations at least as far from zero).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2016). Testing measurement invariance of composites using
    partial least squares. *International Marketing Review*, 33(3), 405-431.

    Examples
    --------
    >>> import crm_research as crm
    >>> d = crm.load_dataset("corp_rep")
    >>> m = crm.micom(d.drop(columns="serviceprovider"), '''
    ...     COMP =~ comp_1 + comp_2 + comp_3
    ...     LIKE =~ like_1 + like_2 + like_3
    ...     CUSL =~ cusl_1 + cusl_2 + cusl_3
    ...     CUSL ~ COMP + LIKE''', "servicetype", permutations=100, seed=1, progress=False)
    >>> m.invariance.columns.tolist()
    ['construct', 'partial', 'full']
    """
    func = "micom"
    permutations = check_int(permutations, "permutations", func, min_value=20)
    seed = check_seed(seed, func)
    ci = check_ci(ci, func)
    groups = _Groups(data, model, group_col, func, **options)
    if groups.kernel is None:
        raise CRMInputError("micom needs a model of first-order composites (modes A and B) estimated with PLS "
                            "(no interaction terms, higher-order constructs or consistent=True): test the "
                            "invariance of the measurement model without them.")
    z, g = groups.z, groups.group
    k = len(groups.names)
    pooled_w = _pooled_weights(groups)
    scores = z @ pooled_w  # standardized composite scores of the pooled model

    def stat(mask):
        a, b = groups.fit(mask), groups.fit(~mask)
        if a is None or b is None:
            return None
        s1, s2 = z @ a[0], z @ b[0]
        c = np.array([np.corrcoef(s1[:, j], s2[:, j])[0, 1] for j in range(k)])
        mean_d = scores[mask].mean(axis=0) - scores[~mask].mean(axis=0)
        var_d = np.log(scores[mask].var(axis=0, ddof=1)) - np.log(scores[~mask].var(axis=0, ddof=1))
        return np.concatenate([c, mean_d, var_d])

    observed = stat(g)
    if observed is None:
        raise CRMInputError("The model cannot be estimated in one of the groups (a constant item in the group).")
    run = _permutation_run(groups, stat, permutations, seed, n_jobs, progress, "MICOM permutations")
    reps = run.replicates.reshape(run.n_ok, 3 * k)
    from crm_research.core.resampling import percentile_interval

    c, c_perm = observed[:k], reps[:, :k]
    q05 = np.quantile(c_perm, 1 - ci, axis=0)
    comp = pd.DataFrame({"construct": groups.names, "c": c, "c_q05": q05,
                         # a single-item construct has c = 1 in every permutation: never "smaller" by rounding
                         "pvalue": (c_perm < c - 1e-10).mean(axis=0), "invariant": c >= q05 - 1e-10})
    step3 = {}
    for key, sl in (("means", slice(k, 2 * k)), ("variances", slice(2 * k, 3 * k))):
        obs, perm = observed[sl], reps[:, sl]
        lo, hi = percentile_interval(perm, ci)
        step3[key] = pd.DataFrame({"construct": groups.names, "diff": obs, "ci_low": lo, "ci_high": hi,
                                   "pvalue": (np.abs(perm) >= np.abs(obs)).mean(axis=0),
                                   "equal": (obs >= lo) & (obs <= hi)})
    configural = pd.DataFrame({"criterion": ["same indicators and model in both groups",
                                             "same data treatment (missing data, coding)",
                                             "same algorithm settings (weighting scheme, stopping rule)"],
                               "established": [True, True, True]})
    partial = comp["invariant"].to_numpy()
    full = partial & step3["means"]["equal"].to_numpy() & step3["variances"]["equal"].to_numpy()
    inv = pd.DataFrame({"construct": groups.names, "partial": partial, "full": full})
    res = MICOMResult(groups=groups.sizes, configural=configural, compositional=comp, means=step3["means"],
                      variances=step3["variances"], invariance=inv, permutations=int(run.n_ok), seed=seed)
    if run.n_failed:
        res.warnings.append(f"{run.n_failed} permutations could not be estimated and were skipped.")
    bad = comp.loc[~comp["invariant"], "construct"].tolist()
    if bad:
        res.warnings.append(f"Compositional invariance is not established for {bad}: do not compare paths "
                            "involving these constructs between the groups.")
    return res


def _pooled_weights(groups: _Groups) -> np.ndarray:
    out = groups.kernel.fit(groups.values)
    return out[2]


@dataclass(repr=False, eq=False)
class PLSMGAResult(Result):
    """Comparison of the path coefficients of two groups.

    Attributes
    ----------
    paths : DataFrame
        ``from, to, est_1, est_2`` (each group's path), ``diff`` (group 1 - group 2), ``pvalue`` (two-sided,
        by ``method``), ``significant``; with a bootstrap also ``se_1, se_2``; the permutation test adds
        ``ci_low, ci_high`` (permutation interval of the difference); Henseler's method gives
        ``pvalue_one_sided`` (the probability that group 1's path is not larger, as seminr and SmartPLS 3
        print it).
    groups : dict
        Group label -> respondents (the first label is group 1).
    method, resamples, seed, level
    """

    title: ClassVar[str] = "PLS multi-group analysis (path differences)"
    paths: pd.DataFrame
    groups: dict
    method: str
    resamples: int
    seed: int | None
    level: float

    def to_frame(self) -> pd.DataFrame:
        return self.paths.copy()

    def _summary_tables(self):
        return [(f"Path differences ({self.method})", self.paths.set_index(["from", "to"]))]

    def plot(self, ax=None, *, lang: str = "en"):
        """Each path in the two groups, side by side; significant differences marked with *."""
        import matplotlib.pyplot as plt

        from crm_research.core.plotting import check_lang, label, style

        lang = check_lang(lang, func="PLSMGAResult.plot")
        t = self.paths
        names = list(self.groups)
        with style(lang):
            if ax is None:
                _, ax = plt.subplots(figsize=(7, 3.8))
            x = np.arange(len(t))
            ax.bar(x - 0.2, t["est_1"], 0.4, label=label("group", "گروه", lang) + f" {names[0]}")
            ax.bar(x + 0.2, t["est_2"], 0.4, label=label("group", "گروه", lang) + f" {names[1]}")
            ax.set_xticks(x, [f"{a}->{b}" + ("*" if sig else "") for a, b, sig in
                              zip(t["from"], t["to"], t["significant"])], rotation=30, ha="right")
            ax.axhline(0, color="0.3", lw=0.8)
            ax.set_ylabel(label("path coefficient", "ضریب مسیر", lang))
            ax.set_title(label(f"Multi-group analysis ({self.method}; * p < {self.level:g})",
                               f"تحلیل چندگروهی ({self.method})", lang))
            ax.legend(fontsize=8)
        return ax

    def _summary_notes(self):
        names = list(self.groups)
        return [f"Group 1 = {names[0]!r} (n = {self.groups[names[0]]}), group 2 = {names[1]!r} "
                f"(n = {self.groups[names[1]]}); {self.resamples} resamples (seed {self.seed}). Establish "
                "MICOM partial invariance (crm.micom) before comparing paths."] + list(self.warnings)


def pls_mga(data, model, group_col, *, method: str = "permutation", permutations: int = 5000, bootstrap: int = 5000,
            seed: int | None = None, level: float = 0.05, n_jobs: int | None = 1, progress: bool = True,
            **options) -> PLSMGAResult:
    """Compare the path coefficients of a PLS-SEM model between two groups.

    Parameters
    ----------
    data : pandas.DataFrame
        Both groups' respondents with the items and ``group_col``.  Not modified.
    model : str
        The model syntax of :func:`crm_research.pls_sem`.
    group_col : str
        Column with the group of each respondent (exactly two levels).
    method : {"permutation", "henseler", "parametric", "welch"}, default "permutation"
        "permutation": the share of random reassignments of the group labels with an absolute path
        difference at least as large (Chin & Dibbern, 2010); "henseler": Henseler's PLS-MGA from each
        group's bootstrap distribution (Henseler et al., 2009), two-sided p = 2 min(p, 1 - p) of the one-sided
        probability; "parametric": t test with pooled bootstrap standard errors, n1 + n2 - 2 df (Keil et al.,
        2000); "welch": Welch-Satterthwaite t test for unequal variances (Sarstedt et al., 2011).
    permutations : int, default 5000
        Permutations of the "permutation" method.
    bootstrap : int, default 5000
        Bootstrap resamples per group of the other methods.
    seed : int, optional
    level : float, default 0.05
        Significance level of the ``significant`` column.
    n_jobs : int, optional
    progress : bool, default True
    **options
        Further options of :func:`crm_research.pls_sem`.

    Returns
    -------
    PLSMGAResult

    Raises
    ------
    CRMInputError
        A group column with one level (or more than two), a group no larger than the number of indicators.

    Notes
    -----
    Parametric: :math:`t = (b_1 - b_2) / \\left[\\sqrt{\\tfrac{(n_1-1)^2}{n_1+n_2-2} se_1^2 +
    \\tfrac{(n_2-1)^2}{n_1+n_2-2} se_2^2}\\, \\sqrt{1/n_1 + 1/n_2}\\right]` with :math:`n_1+n_2-2` df.
    Welch-Satterthwaite: :math:`t = (b_1 - b_2)/\\sqrt{\\tfrac{n_1-1}{n_1} se_1^2 + \\tfrac{n_2-1}{n_2}
    se_2^2}` with :math:`df = \\left(\\tfrac{n_1-1}{n_1} se_1^2 + \\tfrac{n_2-1}{n_2} se_2^2\\right)^2 /
    \\left(\\tfrac{n_1-1}{n_1^2} se_1^4 + \\tfrac{n_2-1}{n_2^2} se_2^4\\right) - 2`.  Henseler:
    :math:`P(b_1 \\le b_2) = 1 - J^{-2}\\sum_{i,j}\\Theta(2\\bar b_1 - b^*_{1i} - 2\\bar b_2 + b^*_{2j})`
    (seminr's ``estimate_pls_mga``).

    References
    ----------
    Chin, W. W., & Dibbern, J. (2010). An introduction to a permutation based procedure for multi-group PLS
    analysis. In V. Esposito Vinzi et al. (Eds.), *Handbook of Partial Least Squares* (pp. 171-193). Springer.

    Henseler, J., Ringle, C. M., & Sinkovics, R. R. (2009). The use of partial least squares path modeling in
    international marketing. *Advances in International Marketing*, 20, 277-319.

    Keil, M., et al. (2000). A cross-cultural study on escalation of commitment behavior in software
    projects. *MIS Quarterly*, 24(2), 299-325.

    Sarstedt, M., Henseler, J., & Ringle, C. M. (2011). Multigroup analysis in partial least squares (PLS)
    path modeling: Alternative methods and empirical results. *Advances in International Marketing*, 22,
    195-218.

    Examples
    --------
    >>> import crm_research as crm
    >>> d = crm.load_dataset("corp_rep").drop(columns="serviceprovider")
    >>> m = crm.pls_mga(d, '''
    ...     COMP =~ comp_1 + comp_2 + comp_3
    ...     LIKE =~ like_1 + like_2 + like_3
    ...     CUSL =~ cusl_1 + cusl_2 + cusl_3
    ...     CUSL ~ COMP + LIKE''', "servicetype", permutations=100, seed=1, progress=False)
    >>> m.paths[["from", "to"]].values.tolist()
    [['COMP', 'CUSL'], ['LIKE', 'CUSL']]
    """
    from scipy import stats

    func = "pls_mga"
    method = check_choice(method, "method", ["permutation", "henseler", "parametric", "welch"], func)
    permutations = check_int(permutations, "permutations", func, min_value=20)
    bootstrap = check_int(bootstrap, "bootstrap", func, min_value=20)
    seed = check_seed(seed, func)
    if not 0 < float(level) < 1:
        raise CRMInputError(f"The 'level' parameter of {func} must be between 0 and 1. Got {level!r} instead.")
    groups = _Groups(data, model, group_col, func, **options)
    g = groups.group
    one, two = groups.fit(g), groups.fit(~g)
    if one is None or two is None:
        raise CRMInputError("The model cannot be estimated in one of the groups (a constant item in the group).")
    b1, b2 = one[1], two[1]
    table = pd.DataFrame({"from": [f for f, _ in groups.paths], "to": [t for _, t in groups.paths],
                          "est_1": b1, "est_2": b2, "diff": b1 - b2})
    warnings: list[str] = []
    if method == "permutation":
        from crm_research.core.resampling import percentile_interval

        def stat(mask):
            a, b = groups.fit(mask), groups.fit(~mask)
            return None if a is None or b is None else a[1] - b[1]

        run = _permutation_run(groups, stat, permutations, seed, n_jobs, progress, "MGA permutations")
        perm = run.replicates.reshape(run.n_ok, len(groups.paths))
        table["pvalue"] = (np.abs(perm) >= np.abs(table["diff"].to_numpy())).mean(axis=0)
        lo, hi = percentile_interval(perm, 1 - level)
        table["ci_low"], table["ci_high"] = lo, hi
        resamples = run.n_ok
    else:
        draws = []
        for k, mask in enumerate((g, ~g)):
            draws.append(_group_bootstrap(groups, mask, bootstrap, None if seed is None else seed + k, n_jobs,
                                          progress))
        j = min(len(draws[0]), len(draws[1]))
        d1, d2 = draws[0][:j], draws[1][:j]
        se1, se2 = d1.std(axis=0, ddof=1), d2.std(axis=0, ddof=1)
        table["se_1"], table["se_2"] = se1, se2
        n1, n2 = groups.sizes[groups.levels[0]], groups.sizes[groups.levels[1]]
        diff = table["diff"].to_numpy()
        if method == "henseler":
            one_sided = np.array([henseler_p(d1[:, i], d2[:, i]) for i in range(d1.shape[1])])
            table["pvalue_one_sided"] = one_sided
            table["pvalue"] = np.minimum(1.0, 2 * np.minimum(one_sided, 1 - one_sided))
        elif method == "parametric":
            pooled = np.sqrt((n1 - 1) ** 2 / (n1 + n2 - 2) * se1**2 + (n2 - 1) ** 2 / (n1 + n2 - 2) * se2**2)
            t = diff / (pooled * np.sqrt(1 / n1 + 1 / n2))
            table["t"], table["df"] = t, float(n1 + n2 - 2)
            table["pvalue"] = 2 * stats.t.sf(np.abs(t), n1 + n2 - 2)
        else:
            v = (n1 - 1) / n1 * se1**2 + (n2 - 1) / n2 * se2**2
            t = diff / np.sqrt(v)
            df = v**2 / ((n1 - 1) / n1**2 * se1**4 + (n2 - 1) / n2**2 * se2**4) - 2
            table["t"], table["df"] = t, df
            table["pvalue"] = 2 * stats.t.sf(np.abs(t), df)
        resamples = j
    table["significant"] = table["pvalue"] < level
    return PLSMGAResult(paths=table, groups=groups.sizes, method=method, resamples=int(resamples), seed=seed,
                        level=float(level), warnings=warnings)


def henseler_p(boot1, boot2) -> float:
    """Henseler's one-sided PLS-MGA p value, P(b1 <= b2), from two bootstrap distributions of equal length."""
    b1 = np.asarray(boot1, dtype=float)
    b2 = np.asarray(boot2, dtype=float)
    left = 2 * b1.mean() - b1 - 2 * b2.mean()
    return float(1 - np.count_nonzero(left[:, None] + b2[None, :] > 0) / (len(b1) * len(b2)))


def _group_bootstrap(groups: _Groups, mask: np.ndarray, bootstrap: int, seed, n_jobs, progress) -> np.ndarray:
    """Bootstrap path draws (B, paths) of one group, resampling within the group."""
    from crm_research.core.resampling import bootstrap_map

    rows = np.flatnonzero(mask)
    ix = {c: i for i, c in enumerate(groups.names)}
    pairs = [(ix[f], ix[t]) for f, t in groups.paths]

    def stat(idx):
        out = groups.kernel.fit(groups.values[rows[idx]])
        return None if out is None else np.array([out[0][a, b] for a, b in pairs])

    if groups.kernel is None:
        from crm_research.pls.estimate import pls_sem

        fit = pls_sem(groups.data[mask], groups.model, bootstrap=bootstrap, seed=seed, n_jobs=n_jobs,
                      progress=progress, **groups.options)
        ix = {c: i for i, c in enumerate(fit.constructs)}
        return np.stack([fit.boot_draws.paths[:, ix[f], ix[t]] for f, t in groups.paths], axis=1)
    run = bootstrap_map(stat, len(rows), bootstrap=bootstrap, seed=seed, n_jobs=n_jobs, progress=progress,
                        min_parallel=200, desc="MGA group bootstrap")
    return run.replicates.reshape(run.n_ok, len(groups.paths))
