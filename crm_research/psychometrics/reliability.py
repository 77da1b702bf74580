"""Reliability of questionnaire scales: Cronbach's alpha, item analysis, omega, CR and AVE.

Numbers equal R's reference implementations: ``psych::alpha`` for alpha,
standardized alpha and the item statistics, ``psych::alpha.ci`` for Feldt's
interval, lavaan's standardized solution for CR/AVE and
``semTools::compRelSEM`` for omega (``tests/reference/psychometrics.R``).
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.validation import check_choice, check_ci, check_columns, check_constructs, check_dataframe
from crm_research.psychometrics.descriptives import ResponseTable, prepare_items

__all__ = ["cronbach_alpha", "AlphaResult", "item_analysis", "construct_reliability"]


def _alpha_from_cov(C: np.ndarray) -> float:
    k = C.shape[0]
    return k / (k - 1) * (1 - np.trace(C) / C.sum())


def _cov(x: pd.DataFrame, missing: str) -> np.ndarray:
    # pandas' cov is pairwise-complete like R's cov(use = "pairwise"); after a
    # listwise drop it is the ordinary covariance matrix.
    C = x.cov(ddof=1).to_numpy() if missing == "pairwise" else np.cov(x.to_numpy(), rowvar=False)
    if np.isnan(C).any():
        raise CRMInputError(
            "Some pairs of items were never answered together, so their covariance is undefined; "
            "use missing='listwise' or collect more data."
        )
    return C


def _alpha_if_deleted(C: np.ndarray) -> np.ndarray:
    """Alpha of the k-1 items left when each item is dropped, from the sums of ``C`` (no k sub-matrices)."""
    k = C.shape[0]
    if k <= 2:
        return np.full(k, np.nan)
    diag = np.diag(C)
    rest_total = C.sum() - 2 * C.sum(axis=0) + diag
    return (k - 1) / (k - 2) * (1 - (np.trace(C) - diag) / rest_total)


def _item_table(C: np.ndarray, x: pd.DataFrame) -> pd.DataFrame:
    sd = np.sqrt(np.diag(C))
    R = C / np.outer(sd, sd)
    diag, col_sums, total = np.diag(C), C.sum(axis=0), C.sum()
    rest_total = total - 2 * col_sums + diag  # variance of the total without the item
    values = x.to_numpy()
    return pd.DataFrame(
        {
            # NaN-skipping in numpy: the pairwise rows keep their gaps, and pandas' reductions cost as much as alpha
            "mean": np.nanmean(values, axis=0),
            "sd": np.nanstd(values, axis=0, ddof=1),
            "raw_r": col_sums / np.sqrt(diag * total),
            "r_drop": (col_sums - diag) / np.sqrt(diag * rest_total),
            "alpha_if_deleted": _alpha_if_deleted(C),
            "std_alpha_if_deleted": _alpha_if_deleted(R),
        },
        index=pd.Index(x.columns, name="item"),
    )


@dataclass(repr=False, eq=False)
class AlphaResult(Result):
    """Cronbach's alpha of one scale (:func:`cronbach_alpha`).

    Attributes
    ----------
    alpha : float
        Raw alpha (from covariances), ``psych::alpha``'s ``raw_alpha``.
    std_alpha : float
        Standardized alpha (from correlations), ``std.alpha``.
    ci_low, ci_high : float
        Feldt's confidence interval for alpha.
    average_r : float
        Mean inter-item correlation.
    n, n_items, n_dropped : int
        Respondents used, items, and rows dropped for missing answers.  With
        ``missing="pairwise"`` every respondent with at least one answer counts
        in ``n`` (which also enters Feldt's interval).
    items : pandas.DataFrame
        The item analysis (see :func:`item_analysis`).
    ci, missing : as requested
    """

    title: ClassVar[str] = "Cronbach's alpha"
    alpha: float
    std_alpha: float
    ci_low: float
    ci_high: float
    average_r: float
    n: int
    n_items: int
    n_dropped: int
    items: pd.DataFrame
    ci: float
    missing: str

    def __post_init__(self):
        if self.n_dropped:
            self.warnings.append(
                f"{self.n_dropped} row(s) with missing answers were dropped (listwise)."
                if self.missing == "listwise"
                else f"{self.n_dropped} row(s) with no answer on any item were dropped.")
        if self.alpha < 0:
            self.warnings.append(
                "Alpha is negative: some items correlate negatively with the rest; "
                "reverse-code negatively worded items first (crm.reverse_code)."
            )
        negative = self.items.index[self.items["r_drop"].to_numpy() < 0]
        if len(negative):
            self.warnings.append(
                f"Items with a negative corrected item-total correlation: {', '.join(map(str, negative))}; "
                "are they reverse-worded?"
            )

    def to_frame(self) -> pd.DataFrame:
        cols = ["alpha", "std_alpha", "ci_low", "ci_high", "average_r", "n", "n_items", "n_dropped"]
        return pd.DataFrame([{c: getattr(self, c) for c in cols}], index=pd.Index(["scale"]))

    def _summary_tables(self):
        return [(f"Alpha with {self.ci:.0%} Feldt interval", self.to_frame()), ("Item analysis", self.items)]

    def plot(self, ax=None):
        """Corrected item-total correlations (bars) with alpha if the item is deleted."""
        return _plot_items(self.items, self.alpha, ax)


def _plot_items(items: pd.DataFrame, alpha: float, ax=None):
    import matplotlib.pyplot as plt

    if ax is None:
        _, ax = plt.subplots(figsize=(6, 0.4 * len(items) + 1.5))
    labels = items.index.astype(str)
    colors = ["#c0392b" if r < 0.3 else "#2e86c1" for r in items["r_drop"]]
    ax.barh(labels, items["r_drop"], color=colors, label="corrected item-total r")
    ax.axvline(0.3, color="grey", ls=":", lw=1)
    ax.scatter(items["alpha_if_deleted"], labels, color="black", zorder=3, label="alpha if deleted")
    ax.axvline(alpha, color="black", ls="--", lw=1, label=f"alpha = {alpha:.3f}")
    ax.invert_yaxis()
    ax.set_xlim(min(0, float(items["r_drop"].min())) - 0.05, 1)
    ax.set_xlabel("correlation / alpha")
    ax.legend(loc="lower right", fontsize="small")
    return ax


def _scale_columns(data, items, func: str) -> tuple[pd.DataFrame, list[str]]:
    """The answers and the item columns of one scale (``items``, or every column of ``data`` when None).

    Before 0.2 the first argument was called ``items`` and held the item columns
    themselves; ``items=<DataFrame>`` without ``data`` still works for one release.
    """
    if data is None and isinstance(items, pd.DataFrame):
        warnings.warn(f"{func}(): pass the answers as 'data' (the first argument) and the item names as "
                      "'items'; 'items=<DataFrame>' stops working in the next release.", FutureWarning, stacklevel=3)
        data, items = items, None
    data = check_dataframe(data, "data", func)
    # the columns are named, not copied out (``data[items]`` cost a tenth of alpha): prepare_items reads them
    items = check_columns(data, list(data.columns) if items is None else items,
                          name="data" if items is None else "items", func=func)
    if len(items) < 2:
        raise CRMInputError(f"{func} needs at least two item columns. Got {len(items)}: {list(items)!r}.")
    return data, items


@positional_options
def cronbach_alpha(data=None, items: Sequence[str] | None = None, *, ci=0.95, missing="listwise",
                   scale=None) -> AlphaResult:
    """Cronbach's alpha, standardized alpha and Feldt's confidence interval.

    Parameters
    ----------
    data : pandas.DataFrame
        The answers, one row per respondent (reverse-coded already).
    items : list of str, optional
        The item columns of the scale (at least two); default all columns of ``data``.
    ci : float, default 0.95
        Confidence level of Feldt's interval.
    missing : {"listwise", "pairwise"}, default "listwise"
        ``"pairwise"`` uses pairwise-complete covariances, which is
        ``psych::alpha``'s own default.
    scale : tuple (min, max), optional
        The answer scale, e.g. ``(1, 5)``; answers outside it raise an error
        (a typing error such as 55, or a missing-value code such as 99).

    Returns
    -------
    AlphaResult
        ``alpha``, ``std_alpha``, ``ci_low``, ``ci_high``, ``average_r``, ``n``,
        ``n_items``, ``n_dropped`` and the ``items`` table of :func:`item_analysis`.

    Notes
    -----
    For :math:`k` items with covariance matrix :math:`C`,
    :math:`\\alpha = \\frac{k}{k-1}\\left(1 - \\frac{\\operatorname{tr} C}{\\mathbf 1' C \\mathbf 1}\\right)`;
    standardized alpha applies the same formula to the correlation matrix,
    :math:`k\\bar r / (1 + (k-1)\\bar r)`.  Feldt's interval:
    :math:`1 - (1-\\alpha) F_{1-q/2}` to :math:`1 - (1-\\alpha) F_{q/2}` with
    :math:`F` the F distribution on :math:`(n-1, (n-1)(k-1))` degrees of
    freedom and :math:`q = 1 -` ``ci``.  Alpha equals the reliability of the
    sum score only when the items are tau-equivalent (equal loadings) and
    errors are uncorrelated; otherwise it is a lower bound -- report omega
    too (:func:`construct_reliability`).

    References
    ----------
    Cronbach, L. J. (1951). Coefficient alpha and the internal structure of tests.
    *Psychometrika*, 16(3), 297-334.
    Feldt, L. S., Woodruff, D. J., & Salih, F. A. (1987). Statistical inference
    for coefficient alpha. *Applied Psychological Measurement*, 11(1), 93-103.
    Revelle, W. psych: Procedures for psychological, psychometric, and
    personality research (``alpha``, ``alpha.ci``).

    Examples
    --------
    >>> import crm_research as crm
    >>> bfi = crm.reverse_code(crm.load_dataset("bfi"), ["A1"], scale=(1, 6))
    >>> round(crm.cronbach_alpha(bfi, ["A1", "A2", "A3", "A4", "A5"]).alpha, 3)
    0.704
    """
    func = "cronbach_alpha"
    data, items = _scale_columns(data, items, func)
    ci = check_ci(ci, func)
    missing = check_choice(missing, "missing", ["listwise", "pairwise"], func)
    x, n_dropped = prepare_items(data, items, func, scale=scale, missing=missing, min_items=2)
    C = _cov(x, missing)
    k = C.shape[0]
    sd = np.sqrt(np.diag(C))
    R = C / np.outer(sd, sd)
    alpha = _alpha_from_cov(C)
    n = len(x)
    q = 1 - ci
    df1, df2 = n - 1, (n - 1) * (k - 1)
    values = {
        "alpha": float(alpha),
        "std_alpha": float(_alpha_from_cov(R)),
        "ci_low": float(1 - (1 - alpha) * stats.f.ppf(1 - q / 2, df1, df2)),
        "ci_high": float(1 - (1 - alpha) * stats.f.ppf(q / 2, df1, df2)),
        "average_r": float((R.sum() - k) / (k * (k - 1))),
        "n": n,
        "n_items": k,
        "n_dropped": n_dropped,
    }
    return AlphaResult(**values, items=_item_table(C, x), ci=ci, missing=missing)


@positional_options
def item_analysis(data=None, items: Sequence[str] | None = None, *, missing="listwise",
                  scale=None) -> ResponseTable:
    """Item statistics of one scale: corrected item-total correlation and alpha if deleted.

    Parameters
    ----------
    data : pandas.DataFrame
        The answers, one row per respondent (reverse-coded already).
    items : list of str, optional
        The item columns of the scale (at least two); default all columns of ``data``.
    missing : {"listwise", "pairwise"}, default "listwise"
    scale : tuple (min, max), optional
        The answer scale; answers outside it raise an error.

    Returns
    -------
    ResponseTable
        Indexed by item, columns ``mean``, ``sd``, ``raw_r`` (correlation with
        the total score), ``r_drop`` (corrected item-total correlation: with
        the total of the *other* items), ``alpha_if_deleted`` and
        ``std_alpha_if_deleted``; ``.n`` and ``.n_dropped`` give the
        respondents used and dropped.

    Notes
    -----
    From the covariance matrix :math:`C`:
    :math:`r_{drop,i} = (\\sum_j C_{ij} - C_{ii}) / \\sqrt{C_{ii}\\, \\mathbf 1' C_{-i,-i} \\mathbf 1}`,
    as ``psych::alpha``'s ``item.stats$r.drop``; ``alpha_if_deleted`` is
    ``alpha.drop$raw_alpha``.  An item with ``r_drop`` below about 0.3 is a
    candidate for revision (Nunnally & Bernstein, 1994), but drop items for
    content reasons, not only to raise alpha: alpha rises with the number of
    items and with redundant wording, and dropping by alpha capitalises on
    chance in the sample.

    References
    ----------
    Nunnally, J. C., & Bernstein, I. H. (1994). *Psychometric theory* (3rd ed.). McGraw-Hill.

    Examples
    --------
    >>> import crm_research as crm
    >>> bfi = crm.load_dataset("bfi")
    >>> crm.item_analysis(bfi, ["N1", "N2", "N3", "N4", "N5"])[["r_drop", "alpha_if_deleted"]].round(2)
          r_drop  alpha_if_deleted
    item
    N1      0.67              0.76
    N2      0.65              0.76
    N3      0.67              0.75
    N4      0.54              0.79
    N5      0.49              0.81
    """
    func = "item_analysis"
    data, items = _scale_columns(data, items, func)
    missing = check_choice(missing, "missing", ["listwise", "pairwise"], func)
    x, n_dropped = prepare_items(data, items, func, scale=scale, missing=missing, min_items=2)
    return ResponseTable.of(_item_table(_cov(x, missing), x), n=len(x), n_dropped=n_dropped)


def fit_measurement_model(data, constructs, func: str, missing: str = "listwise", scale=None, fit=None):
    """One CFA of all constructs with correlated factors, through ``crm.cfa`` (lavaan defaults).

    Returns ``(fit, constructs, x, n_dropped)``; raises if the model did not converge.  A ``fit``
    given by the caller (the researcher's own measurement model, e.g. with residual covariances)
    is used instead of fitting the default one, after checking that it holds every loading.
    """
    data = check_dataframe(data, "data", func)
    constructs = check_constructs(data, constructs, func, min_items=2)
    missing = check_choice(missing, "missing", ["listwise"], func)
    items = [i for its in constructs.values() for i in its]
    x, n_dropped = prepare_items(data, items, func, scale=scale, missing="listwise")
    if fit is not None:
        return _given_fit(fit, constructs, func), constructs, x, n_dropped
    from crm_research.sem import cfa  # the SEM layer is heavy; import it only when needed

    # construct names are the researcher's labels ("Customer Satisfaction", a Persian word with a
    # zero-width non-joiner, a number), not lavaan identifiers: the CFA uses neutral internal
    # names, mapped back in its estimates table below
    alias = {}
    for c in constructs:
        if c in x.columns:
            raise CRMInputError(
                f"Construct {c!r} in 'constructs' of {func} has the name of an item column; give the "
                "construct a name of its own (e.g. 'SAT' for items SAT1, SAT2 ...)."
            )
        k = len(alias) + 1
        while f"crm_f{k}" in data.columns or f"crm_f{k}" in alias.values():
            k += 1
        alias[c] = f"crm_f{k}"
    syntax = "\n".join(f"{alias[c]} =~ " + " + ".join(its) for c, its in constructs.items())
    # a non-converged CFA warns inside crm.cfa; we turn that into an error below and
    # pass every other warning (e.g. a negative variance) on to the user
    import warnings

    from crm_research.core.errors import CRMConvergenceWarning

    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        fit = cfa(x, syntax)
    back = {a: c for c, a in alias.items()}

    def user_names(text: str) -> str:
        # speak of the user's construct names, not the internal ones
        return re.sub(r"\bcrm_f\d+\b", lambda m: str(back.get(m.group(0), m.group(0))), text)

    for w in caught:
        if not issubclass(w.category, CRMConvergenceWarning):
            warnings.warn(user_names(str(w.message)), w.category, stacklevel=3)
    # the fit never leaves this module's callers, so relabelling its table is safe
    fit.estimates["lhs"] = fit.estimates["lhs"].map(lambda v: back.get(v, v))
    fit.estimates["rhs"] = fit.estimates["rhs"].map(lambda v: back.get(v, v))
    if not fit.converged:
        raise CRMInputError(
            f"{func}: the measurement model (CFA of {', '.join(constructs)}) did not converge, so its "
            "loadings cannot be used. Check for items with almost no variance, constructs with "
            "two items, or too few respondents."
        )
    # an improper solution (negative variance, standardized loading above 1) is only listed in
    # fit.warnings; CR and AVE computed from it are meaningless, so the user must hear of it
    improper = ("Heywood", "above 1", "not positive definite", "singular")
    for note in fit.warnings:
        if any(word in note for word in improper):
            warnings.warn(f"{func}: {user_names(note)}", UserWarning, stacklevel=3)
    return fit, constructs, x, n_dropped


def _given_fit(fit, constructs, func: str):
    """Check a caller's fitted measurement model: converged and loading every item on its construct."""
    from crm_research.sem.result import SEMResult

    if not isinstance(fit, SEMResult):
        raise CRMInputError(f"The 'fit' parameter of {func} must be a fitted CFA from crm.cfa. "
                            f"Got {type(fit).__name__}.")
    if not fit.converged:
        raise CRMInputError(f"The 'fit' parameter of {func}: the measurement model did not converge, so its "
                            "loadings cannot be used.")
    est = fit.estimates
    have = set(zip(est.loc[est["op"] == "=~", "lhs"], est.loc[est["op"] == "=~", "rhs"]))
    lost = [f"{c} =~ {i}" for c, its in constructs.items() for i in its if (c, i) not in have]
    if lost:
        raise CRMInputError(f"The 'fit' parameter of {func} has no loading {lost[0]!r}: fit the model of "
                            "'constructs' (same construct and item names).")
    return fit


def _residual_cov_sum(fit, items) -> float:
    """Sum over item pairs of the standardized residual covariances the model estimates (0 if none)."""
    est = fit.estimates
    rows = est[(est["op"] == "~~") & (est["lhs"] != est["rhs"]) & est["lhs"].isin(items) & est["rhs"].isin(items)]
    return float(rows["std_all"].sum())


def _loadings(fit, constructs) -> dict[str, pd.DataFrame]:
    est = fit.estimates
    out = {}
    for c, its in constructs.items():
        rows = est[(est["op"] == "=~") & (est["lhs"] == c)].set_index("rhs")
        out[c] = rows.loc[its]
    return out


@positional_options
def construct_reliability(data, constructs, *, missing="listwise", scale=None, fit=None) -> ResponseTable:
    """Alpha, omega, composite reliability (CR) and AVE of every construct.

    Parameters
    ----------
    data : pandas.DataFrame
        The answers (reverse-coded already).
    constructs : dict
        Construct name -> list of item columns, e.g.
        ``{"SAT": ["SAT1", "SAT2", "SAT3"], "LOY": [...]}``; at least two items
        each, no item in two constructs.
    missing : {"listwise"}, default "listwise"
        Rows with a missing answer on any item are dropped (reported as
        ``.n_dropped``).
    scale : tuple (min, max), optional
        The answer scale; answers outside it raise an error.
    fit : SEMResult, optional
        The researcher's measurement model already fitted by
        :func:`crm_research.cfa` on the same data (e.g. with residual
        covariances such as ``LOY3 ~~ LOY4``); used instead of fitting the
        default correlated-factors CFA, so the table describes that model.

    Returns
    -------
    ResponseTable
        Indexed by construct: ``n_items``, ``alpha`` (raw Cronbach's alpha),
        ``omega`` (``semTools::compRelSEM``), ``cr`` (composite reliability),
        ``ave`` (average variance extracted), ``sqrt_ave``, and the verdict
        columns ``cr_ok`` (CR >= 0.7) and ``ave_ok`` (AVE >= 0.5);
        ``.n`` and ``.n_dropped`` give the respondents used and dropped.

    Notes
    -----
    One CFA of all constructs with correlated factors (ML, lavaan's defaults,
    first loading fixed to 1) is fitted with :func:`crm_research.cfa`.  With
    the standardized loadings :math:`\\ell_i` of a construct,
    :math:`CR = (\\sum\\ell_i)^2 / ((\\sum\\ell_i)^2 + \\sum(1-\\ell_i^2))` and
    :math:`AVE = \\frac1k\\sum\\ell_i^2` (Fornell & Larcker, 1981).  When the
    model has residual covariances :math:`\\theta_{ij}` between items of a
    construct, the CR denominator adds :math:`2\\sum_{i<j}\\theta_{ij}`
    (standardized): correlated errors add to the variance of the sum
    score (Raykov, 2001).  Omega uses
    the unstandardized loadings :math:`\\lambda_i`, the factor variance
    :math:`\\psi` and the *observed* variance of the sum score, as
    ``semTools::compRelSEM(obs.var = TRUE)``:
    :math:`\\omega = (\\sum\\lambda_i)^2\\psi / \\mathbf 1' S \\mathbf 1`.
    CR >= 0.7 and AVE >= 0.5 are the usual thresholds (Hair et al., 2019).

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models
    with unobservable variables and measurement error. *Journal of Marketing
    Research*, 18(1), 39-50.
    Raykov, T. (2001). Bias of coefficient alpha for fixed congeneric
    measures with correlated errors. *Applied Psychological Measurement*,
    25(1), 69-76.
    McDonald, R. P. (1999). *Test theory: A unified treatment*. Erlbaum.
    Jorgensen, T. D., et al. semTools: Useful tools for structural equation
    modeling (``compRelSEM``).
    Hair, J. F., Black, W. C., Babin, B. J., & Anderson, R. E. (2019).
    *Multivariate data analysis* (8th ed.). Cengage.

    Examples
    --------
    >>> import crm_research as crm
    >>> df = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    >>> table = crm.construct_reliability(df, {"SAT": ["SAT1", "SAT2", "SAT3", "SAT4"],
    ...                                        "LOY": ["LOY1", "LOY2", "LOY3", "LOY4"]})
    >>> table[["alpha", "omega", "ave", "cr_ok", "ave_ok"]].round(2)
               alpha  omega   ave  cr_ok  ave_ok
    construct
    SAT         0.78   0.79  0.48   True   False
    LOY         0.80   0.80  0.51   True    True
    """
    func = "construct_reliability"
    fit, constructs, x, n_dropped = fit_measurement_model(data, constructs, func, missing, scale, fit)
    loads = _loadings(fit, constructs)
    est = fit.estimates
    # lavaan's sample covariance (divisor n) is what compRelSEM compares against
    S = np.cov(x.to_numpy(), rowvar=False, ddof=0)
    S = pd.DataFrame(S, index=x.columns, columns=x.columns)
    rows = {}
    for c, its in constructs.items():
        std = loads[c]["std_all"].to_numpy(dtype=float)
        lam = loads[c]["est"].to_numpy(dtype=float)
        psi = est[(est["op"] == "~~") & (est["lhs"] == c) & (est["rhs"] == c)]["est"].iloc[0]
        C = np.cov(x[its].to_numpy(), rowvar=False)
        cr = std.sum() ** 2 / (std.sum() ** 2 + np.sum(1 - std**2) + 2 * _residual_cov_sum(fit, its))
        ave = float(np.mean(std**2))
        rows[c] = {
            "n_items": len(its),
            "alpha": _alpha_from_cov(C),
            "omega": lam.sum() ** 2 * psi / S.loc[its, its].to_numpy().sum(),
            "cr": cr,
            "ave": ave,
            "sqrt_ave": np.sqrt(ave),
            "cr_ok": bool(cr >= 0.7),
            "ave_ok": bool(ave >= 0.5),
        }
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "construct"
    return ResponseTable.of(table, n=len(x), n_dropped=n_dropped)
