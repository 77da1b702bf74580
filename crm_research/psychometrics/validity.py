"""Discriminant validity: the Fornell-Larcker criterion and the HTMT ratio.

``fornell_larcker`` uses one CFA of all constructs (``crm.cfa``, equal to
lavaan); ``htmt`` equals ``semTools::htmt`` (``tests/reference/psychometrics.R``)
and ``htmt_intervals`` adds vectorised bootstrap percentile intervals, run by
:mod:`crm_research.core.resampling`.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.validation import (
    check_bool,
    check_ci,
    check_constructs,
    check_dataframe,
    check_int,
    check_seed,
)
from crm_research.psychometrics.descriptives import ResponseTable, prepare_items
from crm_research.psychometrics.reliability import _loadings, fit_measurement_model

__all__ = ["fornell_larcker", "htmt", "htmt_intervals", "HTMTResult"]


@positional_options
def fornell_larcker(data, constructs, *, missing="listwise", scale=None, fit=None) -> ResponseTable:
    """Fornell-Larcker table: sqrt(AVE) on the diagonal, latent correlations off it.

    Parameters
    ----------
    data : pandas.DataFrame
        The answers (reverse-coded already).
    constructs : dict
        Construct name -> list of item columns (at least two items each).
    missing : {"listwise"}, default "listwise"
    scale : tuple (min, max), optional
        The answer scale; answers outside it raise an error.
    fit : SEMResult, optional
        The researcher's measurement model already fitted by
        :func:`crm_research.cfa` (e.g. with residual covariances); used
        instead of fitting the default correlated-factors CFA.

    Returns
    -------
    ResponseTable
        Indexed by construct; one column per construct (the square table:
        :math:`\\sqrt{AVE}` on the diagonal, correlations between the latent
        constructs off it), then ``max_r`` (largest absolute correlation with
        another construct) and ``discriminant_ok`` (True when
        :math:`\\sqrt{AVE}` exceeds ``max_r``); ``.n`` and ``.n_dropped`` give
        the respondents used and dropped.

    Notes
    -----
    The criterion asks that every construct share more variance with its own
    items (AVE) than with any other construct (:math:`r^2`), i.e.
    :math:`\\sqrt{AVE_i} > |r_{ij}|` for all :math:`j \\ne i`.  Loadings and
    latent correlations come from one CFA of all constructs with correlated
    factors (lavaan's defaults).  Henseler et al. (2015) showed that the
    criterion often misses discriminant-validity problems when loadings are
    similar; report HTMT (:func:`htmt`) as well.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models
    with unobservable variables and measurement error. *Journal of Marketing
    Research*, 18(1), 39-50.
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for
    assessing discriminant validity in variance-based structural equation
    modeling. *Journal of the Academy of Marketing Science*, 43(1), 115-135.

    Examples
    --------
    >>> import crm_research as crm
    >>> df = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    >>> table = crm.fornell_larcker(df, {"SAT": ["SAT1", "SAT2", "SAT3", "SAT4"],
    ...                                  "LOY": ["LOY1", "LOY2", "LOY3", "LOY4"]})
    >>> table.round(3)  # doctest: +NORMALIZE_WHITESPACE
                 SAT    LOY  max_r  discriminant_ok
    construct
    SAT        0.692  0.587  0.587             True
    LOY        0.587  0.711  0.587             True
    """
    func = "fornell_larcker"
    fit, constructs, x, n_dropped = fit_measurement_model(data, constructs, func, missing, scale, fit)
    names = list(constructs)
    if len(names) < 2:
        raise CRMInputError(f"{func} compares constructs: 'constructs' must name at least two. Got {names!r}.")
    loads = _loadings(fit, constructs)
    est = fit.estimates
    table = pd.DataFrame(np.nan, index=pd.Index(names, name="construct"), columns=names)
    for c in names:
        std = loads[c]["std_all"].to_numpy(dtype=float)
        table.loc[c, c] = np.sqrt(np.mean(std**2))
    cov_rows = est[(est["op"] == "~~") & est["lhs"].isin(names) & est["rhs"].isin(names) & (est["lhs"] != est["rhs"])]
    for _, row in cov_rows.iterrows():
        table.loc[row["lhs"], row["rhs"]] = table.loc[row["rhs"], row["lhs"]] = float(row["std_all"])
    off = table.to_numpy().copy()
    np.fill_diagonal(off, np.nan)
    table["max_r"] = np.nanmax(np.abs(off), axis=1)
    table["discriminant_ok"] = np.diag(table[names].to_numpy()) > table["max_r"].to_numpy()
    return ResponseTable.of(table, n=len(x), n_dropped=n_dropped)


def _block_matrix(constructs: dict[str, list[str]], items: list[str]) -> np.ndarray:
    A = np.zeros((len(items), len(constructs)))
    pos = {item: i for i, item in enumerate(items)}
    for j, its in enumerate(constructs.values()):
        for item in its:
            A[pos[item], j] = 1.0
    return A


def _htmt_from_cor(R: np.ndarray, A: np.ndarray, htmt2: bool, absolute: bool) -> np.ndarray:
    """HTMT for one (p, p) or a stack (B, p, p) of correlation matrices."""
    if absolute or htmt2:
        R = np.abs(R)
    k = A.sum(axis=0)
    # an exactly zero correlation (integer answers make it possible) would give log 0 = -inf, and the
    # zero entries of A would then turn every mean into 0 * -inf = NaN; at the smallest positive float
    # the geometric mean stays (practically) 0, as it should
    V = np.log(np.maximum(R, np.finfo(float).tiny)) if htmt2 else R.copy()
    p = A.shape[0]
    diag = np.arange(p)
    V[..., diag, diag] = 0.0  # the diagonal never enters the means
    sums = np.einsum("pi,...pq,qj->...ij", A, V, A)
    counts = np.outer(k, k) - np.diag(k)  # within a block, k(k-1) off-diagonal cells
    means = sums / counts
    if htmt2:
        means = np.exp(means)
    mono = np.diagonal(means, axis1=-2, axis2=-1)
    return means / np.sqrt(mono[..., :, None] * mono[..., None, :])


def _cor_stack(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Correlation matrices of B weighted copies of X (weights = bootstrap counts)."""
    n, p = X.shape
    Xc = X - X.mean(axis=0)  # centring first keeps the moment formula accurate
    w = W / n
    m = w @ Xc  # (B, p) resample means
    cross = (w @ (Xc[:, :, None] * Xc[:, None, :]).reshape(n, p * p)).reshape(-1, p, p)
    C = cross - m[:, :, None] * m[:, None, :]
    sd = np.sqrt(np.diagonal(C, axis1=1, axis2=2))
    return C / (sd[:, :, None] * sd[:, None, :])


def _htmt_input(data, constructs, func, htmt2, absolute, missing, scale):
    """Checked answers (complete cases), block matrix and construct names."""
    data = check_dataframe(data, "data", func)
    constructs = check_constructs(data, constructs, func, min_items=2)
    htmt2 = check_bool(htmt2, "htmt2", func)
    absolute = check_bool(absolute, "absolute", func)
    if missing != "listwise":
        raise CRMInputError(f"The 'missing' parameter of {func} must be 'listwise'. Got {missing!r} instead.")
    items = [i for its in constructs.values() for i in its]
    x, n_dropped = prepare_items(data, items, func, scale=scale, missing="listwise")
    return x.to_numpy(), _block_matrix(constructs, items), list(constructs), htmt2, absolute, n_dropped


# bootstrap, ci and seed come first among the options: they were the first positional ones before 0.2
@positional_options
def htmt(data, constructs, *, bootstrap=0, ci=0.95, seed=None, htmt2=True, absolute=True, missing="listwise",
         scale=None) -> ResponseTable:
    """Heterotrait-monotrait ratio of correlations (HTMT).

    Parameters
    ----------
    data : pandas.DataFrame
        The answers (reverse-coded already).
    constructs : dict
        Construct name -> list of item columns (at least two items each, since
        the monotrait mean needs a pair of items).
    htmt2 : bool, default True
        Geometric means (HTMT2, Roemer et al. 2021; ``semTools::htmt``'s
        default) instead of the arithmetic means of Henseler et al. (2015).
    absolute : bool, default True
        Use absolute correlations, as ``semTools::htmt``.
    missing : {"listwise"}, default "listwise"
    scale : tuple (min, max), optional
        The answer scale; answers outside it raise an error.
    bootstrap, ci, seed
        Deprecated: the bootstrap intervals are :func:`htmt_intervals`, which
        returns them as an :class:`HTMTResult`.  ``bootstrap > 0`` still
        attaches them to ``df.attrs`` for this release, with a
        ``FutureWarning``.

    Returns
    -------
    ResponseTable
        Square table indexed and labelled by construct (1 on the diagonal),
        equal to ``semTools::htmt``; ``.n`` and ``.n_dropped`` give the
        respondents used and dropped.

    Notes
    -----
    With :math:`\\bar r_{ij}` the mean correlation between the items of
    constructs :math:`i` and :math:`j` (heterotrait-heteromethod) and
    :math:`\\bar r_{ii}` the mean correlation among the items of :math:`i`
    (monotrait-heteromethod), :math:`HTMT_{ij} = \\bar r_{ij} / \\sqrt{\\bar r_{ii}\\bar r_{jj}}`.
    HTMT2 replaces every arithmetic mean by a geometric mean.  Discriminant
    validity is supported when HTMT < 0.85 (conceptually distinct
    constructs) or < 0.90 (similar constructs), and when the upper bound of
    the bootstrap interval is below 1 (Henseler et al., 2015;
    :func:`htmt_intervals`).

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for
    assessing discriminant validity in variance-based structural equation
    modeling. *Journal of the Academy of Marketing Science*, 43(1), 115-135.
    Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 - an improved
    criterion for assessing discriminant validity in structural equation
    modeling. *Industrial Management & Data Systems*, 121(12), 2637-2650.

    Examples
    --------
    >>> import crm_research as crm
    >>> bfi = crm.reverse_code(crm.load_dataset("bfi"), ["E1", "E2"], scale=(1, 6))
    >>> table = crm.htmt(bfi, {"E": ["E1", "E2", "E3", "E4", "E5"], "N": ["N1", "N2", "N3", "N4", "N5"]})
    >>> round(float(table.loc["E", "N"]), 3)
    0.22
    """
    func = "htmt"
    bootstrap = check_int(bootstrap, "bootstrap", func, min_value=0)
    X, A, names, htmt2, absolute, n_dropped = _htmt_input(data, constructs, func, htmt2, absolute, missing, scale)
    H = _htmt_from_cor(np.corrcoef(X, rowvar=False), A, htmt2, absolute)
    table = ResponseTable.of(pd.DataFrame(H, index=pd.Index(names, name="construct"), columns=names),
                             n=len(X), n_dropped=n_dropped)
    if bootstrap:
        import warnings

        warnings.warn("htmt(bootstrap=...): the intervals are now crm.htmt_intervals(data, constructs, bootstrap=...), "
                      "which returns them as a result (.intervals, .ci_low, .ci_high); df.attrs stops carrying them "
                      "in the next release.", FutureWarning, stacklevel=2)
        res = htmt_intervals(data, constructs, bootstrap=bootstrap, ci=ci, seed=seed, htmt2=htmt2,
                             absolute=absolute, missing=missing, scale=scale)
        table.attrs.update({"ci_low": res.ci_low, "ci_high": res.ci_high, "intervals": res.intervals,
                            "bootstrap": bootstrap})
    return table


@dataclass(repr=False, eq=False)
class HTMTResult(Result):
    """HTMT with bootstrap percentile intervals (what :func:`htmt_intervals` returns).

    Attributes
    ----------
    table : DataFrame
        The square HTMT table (as :func:`htmt`).
    intervals : DataFrame
        One row per pair of constructs: ``construct_1``, ``construct_2``,
        ``htmt``, ``ci_low``, ``ci_high``, ``below_085``, ``below_090``,
        ``upper_below_1``.
    ci_low, ci_high : DataFrame
        The limits as square tables.
    n, n_dropped : int
        Respondents used and dropped (incomplete answers).
    bootstrap, n_failed : int
        Resamples drawn and resamples in which a construct's HTMT could not be
        computed (an item constant in the resample).
    ci : float
    seed : int or None
    htmt2 : bool
    """

    title: ClassVar[str] = "Discriminant validity: HTMT with bootstrap intervals"
    table: pd.DataFrame
    intervals: pd.DataFrame
    ci_low: pd.DataFrame
    ci_high: pd.DataFrame
    n: int
    n_dropped: int
    bootstrap: int
    n_failed: int
    ci: float
    seed: int | None
    htmt2: bool

    def __post_init__(self):
        if self.n_failed:
            self.warnings.append(f"In {self.n_failed} of {self.bootstrap} resamples an item was constant, so the "
                                 "HTMT of its construct was undefined; those resamples are left out of its intervals.")
        high = self.intervals[~self.intervals["upper_below_1"]]
        for _, r in high.iterrows():
            self.warnings.append(f"The upper limit of the HTMT interval of {r['construct_1']} and {r['construct_2']} "
                                 f"is {r['ci_high']:.3f} >= 1: discriminant validity is not established "
                                 "(Henseler et al., 2015).")

    def to_frame(self) -> pd.DataFrame:
        """The pairs table (``intervals``)."""
        return self.intervals.copy()

    def _summary_tables(self):
        return [("HTMT" + ("2 (geometric means)" if self.htmt2 else " (arithmetic means)"), self.table),
                (f"Bootstrap percentile {self.ci:.0%} intervals ({self.bootstrap} resamples, seed {self.seed})",
                 self.intervals.set_index(["construct_1", "construct_2"]))]

    def plot(self, ax=None):
        """Each pair's HTMT with its interval, against the 0.85, 0.90 and 1 thresholds."""
        import matplotlib.pyplot as plt

        iv = self.intervals
        if ax is None:
            _, ax = plt.subplots(figsize=(5.5, 0.35 * len(iv) + 1.5))
        y = np.arange(len(iv))
        xerr = [(iv["htmt"] - iv["ci_low"]).clip(lower=0), (iv["ci_high"] - iv["htmt"]).clip(lower=0)]
        ax.errorbar(iv["htmt"], y, xerr=xerr, fmt="o", capsize=3)
        ax.set_yticks(y, iv["construct_1"] + " - " + iv["construct_2"])
        for x, style in ((0.85, ":"), (0.90, "--"), (1.0, "-")):
            ax.axvline(x, color="grey", ls=style, lw=1)
        ax.invert_yaxis()
        ax.set_xlabel("HTMT")
        ax.set_title(f"HTMT with {self.ci:.0%} bootstrap intervals")
        return ax


class _HTMTStack:
    """Batch statistic: the HTMT of a block of resamples at once, from their resampling counts."""

    def __init__(self, X, A, htmt2, absolute):
        self.X, self.A, self.htmt2, self.absolute = X, A, htmt2, absolute

    def __call__(self, block: np.ndarray) -> np.ndarray:
        b, n = block.shape
        # how often each row is drawn in each resample (a row of counts per resample)
        W = np.bincount((block + (np.arange(b) * n)[:, None]).ravel(), minlength=b * n).reshape(b, n).astype(float)
        with np.errstate(divide="ignore", invalid="ignore"):
            return _htmt_from_cor(_cor_stack(self.X, W), self.A, self.htmt2, self.absolute)


def htmt_intervals(data, constructs, *, bootstrap=None, ci=0.95, seed=None, htmt2=True, absolute=True,
                   missing="listwise", scale=None, n_jobs=1, progress=False) -> HTMTResult:
    """HTMT with bootstrap percentile intervals (Henseler et al., 2015: the upper limit should be below 1).

    Parameters
    ----------
    data : pandas.DataFrame
        The answers (reverse-coded already).
    constructs : dict
        Construct name -> list of item columns (at least two items each).
    bootstrap : int, optional
        Resamples; default 2000 (200 in fast mode).
    ci : float, default 0.95
        Level of the percentile intervals.
    seed : int, optional
        Seed of the resampling (:mod:`crm_research.core.resampling`).
    htmt2, absolute, missing, scale
        As in :func:`htmt`.
    n_jobs : int, default 1
        Processes; one is usually enough, since all the resamples of a block
        are computed at once from the matrix of resampling counts.
    progress : bool, default False
        Show a progress bar.

    Returns
    -------
    HTMTResult
        ``table``, ``intervals`` (one row per pair: ``construct_1``,
        ``construct_2``, ``htmt``, ``ci_low``, ``ci_high``, ``below_085``,
        ``below_090``, ``upper_below_1``), ``ci_low`` and ``ci_high`` (square
        tables), ``n``, ``n_dropped``, ``bootstrap``, ``n_failed``.

    Notes
    -----
    Rows are resampled with replacement; the correlations of a resample are
    the weighted moments of the data with the resampling counts as weights,
    so a block of resamples is one matrix product.  The intervals are
    percentile intervals (numpy's linear quantiles); resamples in which an
    item is constant leave the HTMT of its construct undefined and are left
    out of that pair's interval.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for
    assessing discriminant validity in variance-based structural equation
    modeling. *Journal of the Academy of Marketing Science*, 43(1), 115-135.

    Examples
    --------
    >>> import crm_research as crm
    >>> df = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    >>> res = crm.htmt_intervals(df, {"SAT": ["SAT1", "SAT2", "SAT3", "SAT4"],
    ...                               "LOY": ["LOY1", "LOY2", "LOY3", "LOY4"]}, bootstrap=500, seed=1)
    >>> row = res.intervals.iloc[0]
    >>> bool(row["ci_low"] < row["htmt"] < row["ci_high"]), bool(row["upper_below_1"])
    (True, True)
    """
    from crm_research.core.fastmode import fast_mode
    from crm_research.core.resampling import bootstrap_map, percentile_interval

    func = "htmt_intervals"
    if bootstrap is None:
        bootstrap = 200 if fast_mode() else 2000
    bootstrap = check_int(bootstrap, "bootstrap", func, min_value=1)
    ci = check_ci(ci, func)
    seed = check_seed(seed, func)
    X, A, names, htmt2, absolute, n_dropped = _htmt_input(data, constructs, func, htmt2, absolute, missing, scale)
    H = _htmt_from_cor(np.corrcoef(X, rowvar=False), A, htmt2, absolute)
    n, p = X.shape
    # blocks keep the (block, n) count matrix and the (block, p, p) stack small
    chunk = max(1, min(bootstrap, 4_000_000 // max(n, p**2)))
    run = bootstrap_map(_HTMTStack(X, A, htmt2, absolute), n, bootstrap=bootstrap, seed=seed, batch=True,
                        chunk_size=chunk, n_jobs=n_jobs, progress=progress, desc="HTMT bootstrap")
    lo, hi = percentile_interval(run.replicates, ci)
    k = len(names)
    iu = np.triu_indices(k, 1)
    undefined = ~np.isfinite(run.replicates[:, iu[0], iu[1]]).all(axis=1)
    rows = [{"construct_1": names[i], "construct_2": names[j], "htmt": H[i, j], "ci_low": lo[i, j],
             "ci_high": hi[i, j], "below_085": bool(H[i, j] < 0.85), "below_090": bool(H[i, j] < 0.90),
             "upper_below_1": bool(hi[i, j] < 1)} for i, j in zip(*iu)]
    index = pd.Index(names, name="construct")
    return HTMTResult(
        table=ResponseTable.of(pd.DataFrame(H, index=index, columns=names), n=n, n_dropped=n_dropped),
        intervals=pd.DataFrame(rows),
        ci_low=pd.DataFrame(lo, index=index, columns=names), ci_high=pd.DataFrame(hi, index=index, columns=names),
        n=n, n_dropped=n_dropped, bootstrap=bootstrap, n_failed=int(undefined.sum()) + run.n_failed, ci=ci,
        seed=seed, htmt2=htmt2)
