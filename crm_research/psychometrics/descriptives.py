"""Item descriptives for Likert questionnaires, reverse coding and Mardia's tests.

A questionnaire thesis reports, before any model, a table of every item
(mean, standard deviation, skewness, kurtosis, answer frequencies, floor and
ceiling effects) and a test of multivariate normality, because that decides
between maximum likelihood and a robust estimator.  The numbers here equal
``psych::describe`` and ``psych::mardia`` (``tests/reference/psychometrics.R``).

The helper :func:`prepare_items` is shared by the reliability, validity and
EFA modules: it validates item columns, reads Persian digits and applies the
missing-value rule, so every analysis treats bad input the same way.  A
table computed from the prepared answers is a :class:`ResponseTable`, which
states how many respondents it used and dropped.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
from scipy import stats

from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMInputError
from crm_research.core.results import DeclaredTable, Result
from crm_research.core.validation import (
    check_choice,
    check_columns,
    check_dataframe,
    check_numeric_columns,
    check_scale,
)

__all__ = ["item_descriptives", "ItemDescriptives", "mardia", "MardiaResult", "ResponseTable"]


class ResponseTable(DeclaredTable):
    """A table computed from questionnaire answers, with the respondents it used.

    A DataFrame (:func:`crm_research.item_analysis`,
    :func:`crm_research.construct_reliability`, :func:`crm_research.fornell_larcker`,
    :func:`crm_research.htmt`) that also states ``n``, the respondents used, and
    ``n_dropped``, the rows dropped for missing answers (before 0.2 these were
    ``df.attrs["n"]`` and ``df.attrs["n_dropped"]``).

    Examples
    --------
    >>> import crm_research as crm
    >>> table = crm.item_analysis(crm.load_dataset("bfi"), ["N1", "N2", "N3"])
    >>> table.n, table.n_dropped
    (2748, 52)
    """

    _metadata: ClassVar[list[str]] = ["n", "n_dropped"]
    n: int | None = None
    n_dropped: int | None = None


def prepare_items(
    data,
    items: Sequence[str] | None,
    func: str,
    *,
    scale=None,
    missing: str = "listwise",
    min_items: int = 1,
    name: str = "data",
) -> tuple[pd.DataFrame, int]:
    """Validated float copy of the item columns and the number of rows dropped.

    ``missing="listwise"`` keeps the rows answered on every item;
    ``"pairwise"`` keeps every row (each statistic then uses the answers it
    can).  Rows with no answer at all are dropped in both cases.
    """
    data = check_dataframe(data, name, func)
    missing = check_choice(missing, "missing", ["listwise", "pairwise"], func)
    if items is None:
        # checked here so that a repeated column name is blamed on the data argument, not on a
        # 'columns' parameter the calling function does not have
        items = check_columns(data, list(data.columns), name=name, func=func)
    else:
        items = check_columns(data, items, name="items", func=func)
    if len(items) < min_items:
        raise CRMInputError(
            f"{func} needs at least {min_items} items; got {len(items)}: {list(items)!r}."
        )
    if scale is not None:
        scale = check_scale(scale, func)
    x = check_numeric_columns(data, items, name=name, func=func, allow_constant=False, scale=scale)
    # the row drop and the constant check run on the numpy block: in pandas they cost a third of cronbach_alpha
    block = x.to_numpy()
    gaps = np.isnan(block)
    keep = ~gaps.any(axis=1) if missing == "listwise" else ~gaps.all(axis=1)
    # a new frame over the kept rows of the block (boolean indexing of the frame copies it twice)
    kept = x if keep.all() else pd.DataFrame(block[keep], index=x.index[keep], columns=x.columns)
    if len(kept) < 3:
        raise CRMInputError(
            f"Only {len(kept)} row(s) of '{name}' are usable with missing={missing!r} "
            f"({len(x) - len(kept)} dropped for missing answers); {func} needs at least 3."
        )
    # an item can become constant once incomplete rows are dropped (max == min: one pass over the block)
    rows = kept.to_numpy()
    with np.errstate(invalid="ignore"):
        constant = kept.columns[np.fmax.reduce(rows, axis=0) == np.fmin.reduce(rows, axis=0)]
    if len(constant):
        raise CRMInputError(
            f"Column {constant[0]!r} of '{name}' is constant in the {len(kept)} rows kept after "
            f"dropping missing values (missing={missing!r}); it carries no information."
        )
    return kept, len(x) - len(kept)


def _skew_kurt(x: np.ndarray, kind: int) -> tuple[float, float]:
    """Skewness and excess kurtosis of one item, the three types of Joanes & Gill (1998)."""
    n = len(x)
    d = x - x.mean()
    m2 = np.mean(d**2)
    g1 = np.mean(d**3) / m2**1.5
    g2 = np.mean(d**4) / m2**2 - 3.0
    if kind == 1:
        return g1, g2
    if kind == 2:
        skew = g1 * np.sqrt(n * (n - 1)) / (n - 2) if n > 2 else np.nan
        kurt = ((n + 1) * g2 + 6) * (n - 1) / ((n - 2) * (n - 3)) if n > 3 else np.nan
        return skew, kurt
    factor = (n - 1) / n
    return g1 * factor**1.5, (g2 + 3) * factor**2 - 3


@dataclass(repr=False, eq=False)
class ItemDescriptives(Result):
    """Item descriptive statistics (:func:`item_descriptives`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per item: ``n, missing, mean, sd, median, min, max, skewness,
        kurtosis, floor_pct, ceiling_pct``.
    frequencies : pandas.DataFrame
        Counts of every answer (columns) per item (rows); missing answers in
        the column ``missing``.
    percentages : pandas.DataFrame
        The same as percentages of the answers given.
    n_dropped : int
        Rows dropped for missing answers (with ``missing="pairwise"`` only the
        rows with no answer at all).
    skew_type, scale, missing : as requested
    """

    title: ClassVar[str] = "Item descriptives"
    table: pd.DataFrame
    frequencies: pd.DataFrame
    percentages: pd.DataFrame
    n_dropped: int
    skew_type: int
    scale: tuple | None
    missing: str = "listwise"

    def __post_init__(self):
        table = self.table
        flagged = table.index[(table["skewness"].abs() > 2) | (table["kurtosis"].abs() > 7)]
        if len(flagged):
            self.warnings.append(
                "Strongly non-normal items (|skewness| > 2 or |kurtosis| > 7, Curran, West & Finch "
                f"1996): {', '.join(map(str, flagged))}; consider a robust estimator (MLR)."
            )
        if self.n_dropped:
            self.warnings.append(
                f"{self.n_dropped} row(s) with missing answers were dropped (listwise)."
                if self.missing == "listwise"
                else f"{self.n_dropped} row(s) with no answer on any item were dropped.")

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _summary_tables(self):
        return [("Items", self.table), ("Answer frequencies", self.frequencies)]

    def plot(self, ax=None):
        """Stacked horizontal bars of the answer percentages of every item."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 0.35 * len(self.percentages) + 1.5))
        pct = self.percentages.drop(columns="missing", errors="ignore")
        cmap = plt.get_cmap("RdYlGn", max(len(pct.columns), 2))
        left = np.zeros(len(pct))
        for i, col in enumerate(pct.columns):
            ax.barh(pct.index.astype(str), pct[col].to_numpy(), left=left, color=cmap(i), label=str(col))
            left += pct[col].to_numpy()
        ax.invert_yaxis()
        ax.set_xlabel("% of answers")
        ax.legend(title="answer", bbox_to_anchor=(1.01, 1), loc="upper left", fontsize="small")
        return ax


@positional_options
def item_descriptives(data, items=None, *, scale=None, missing="listwise", skew_type=2) -> ItemDescriptives:
    """Descriptive statistics and answer frequencies of questionnaire items.

    Parameters
    ----------
    data : pandas.DataFrame
        The answers (one row per respondent).
    items : list of str, optional
        Item columns; default all columns.
    scale : tuple (min, max), optional
        The answer scale.  Values outside it raise an error, every answer
        category gets a frequency column (even unused ones) and floor/ceiling
        are the shares at the scale ends (default: at the observed min/max).
    missing : {"listwise", "pairwise"}, default "listwise"
        ``"pairwise"`` describes each item from all its answers.
    skew_type : {1, 2, 3}, default 2
        Estimator of skewness and kurtosis (Joanes & Gill, 1998): 2 is SPSS's
        and Excel's (and ``psych::describe(type=2)``), 3 is ``psych``'s default,
        1 the moment estimator ``g1``/``g2`` of older textbooks.

    Returns
    -------
    ItemDescriptives
        ``table`` columns: ``n`` (answers used), ``missing``, ``mean``, ``sd``
        (n - 1 denominator), ``median``, ``min``, ``max``, ``skewness``,
        ``kurtosis`` (excess, 0 for a normal distribution), ``floor_pct`` and
        ``ceiling_pct`` (percent of answers at the lowest/highest category).

    Notes
    -----
    With :math:`m_r = \\frac1n\\sum (x_i-\\bar x)^r`, :math:`g_1 = m_3/m_2^{3/2}`
    and :math:`g_2 = m_4/m_2^2 - 3`.  Type 2: :math:`G_1 = g_1\\sqrt{n(n-1)}/(n-2)`,
    :math:`G_2 = \\frac{n-1}{(n-2)(n-3)}[(n+1)g_2 + 6]`.  Type 3:
    :math:`b_1 = g_1((n-1)/n)^{3/2}`, :math:`b_2 = (g_2+3)(1-1/n)^2 - 3`.
    Floor or ceiling effects are usually flagged when more than 15% of the
    answers sit at an end of the scale (Terwee et al., 2007).

    References
    ----------
    Joanes, D. N., & Gill, C. A. (1998). Comparing measures of sample skewness and
    kurtosis. *The Statistician*, 47(1), 183-189.
    Terwee, C. B., et al. (2007). Quality criteria were proposed for measurement
    properties of health status questionnaires. *J. Clin. Epidemiol.*, 60(1), 34-42.
    Curran, P. J., West, S. G., & Finch, J. F. (1996). The robustness of test
    statistics to nonnormality and specification error in confirmatory factor
    analysis. *Psychological Methods*, 1(1), 16-29.

    Examples
    --------
    >>> import crm_research as crm
    >>> bfi = crm.load_dataset("bfi")
    >>> crm.item_descriptives(bfi, ["A1", "A2", "A3"], scale=(1, 6)).table[["n", "missing", "mean", "sd"]].round(2)
             n  missing  mean    sd
    item
    A1    2736       16  2.41  1.41
    A2    2736       27  4.80  1.17
    A3    2736       26  4.60  1.30
    """
    func = "item_descriptives"
    skew_type = check_choice(skew_type, "skew_type", [1, 2, 3], func)
    x, n_dropped = prepare_items(data, items, func, scale=scale, missing=missing)
    raw = check_numeric_columns(data, list(x.columns), func=func)
    rows = {}
    if scale is not None:
        low, high = check_scale(scale, func)
        if float(low).is_integer() and float(high).is_integer():
            # every scale point gets a column; an in-range answer between points (2.5, e.g. an
            # averaged double answer) gets its own, so no answer is left out of the percentages
            categories = sorted(set(np.arange(low, high + 1)) | set(pd.unique(x.stack())))
        else:
            categories = sorted(pd.unique(x.stack()))
    else:
        categories = sorted(pd.unique(x.stack()))
    freq = {}
    for col in x.columns:
        v = x[col].dropna().to_numpy()
        skew, kurt = _skew_kurt(v, skew_type)
        lo = scale[0] if scale is not None else v.min()
        hi = scale[1] if scale is not None else v.max()
        rows[col] = {
            "n": len(v),
            "missing": int(raw[col].isna().sum()),
            "mean": v.mean(),
            "sd": v.std(ddof=1),
            "median": float(np.median(v)),
            "min": v.min(),
            "max": v.max(),
            "skewness": skew,
            "kurtosis": kurt,
            "floor_pct": 100 * np.mean(v == lo),
            "ceiling_pct": 100 * np.mean(v == hi),
        }
        counts = pd.Series(v).value_counts()
        freq[col] = {c: int(counts.get(c, 0)) for c in categories}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "item"
    frequencies = pd.DataFrame.from_dict(freq, orient="index")
    frequencies.columns = [int(c) if float(c).is_integer() else c for c in frequencies.columns]
    percentages = 100 * frequencies.div(frequencies.sum(axis=1), axis=0)
    frequencies["missing"] = table["missing"]
    frequencies.index.name = percentages.index.name = "item"
    return ItemDescriptives(table, frequencies, percentages, n_dropped, skew_type, scale,
                            check_choice(missing, "missing", ["listwise", "pairwise"], func))


@dataclass(repr=False, eq=False)
class MardiaResult(Result):
    """Mardia's multivariate skewness and kurtosis (:func:`mardia`).

    Attributes
    ----------
    b1p, b2p : float
        Mardia's multivariate skewness and kurtosis.
    skew, p_skew : float
        Skewness statistic :math:`n b_{1,p}/6` and its chi-square p-value.
    small_skew, p_small : float
        Small-sample corrected skewness statistic and its p-value.
    kurtosis, p_kurt : float
        Kurtosis z statistic and its two-sided p-value.
    n, n_items, n_dropped : int
    df_skew : float
        Degrees of freedom of the skewness test.
    distances : pandas.Series
        Each respondent's Mahalanobis distance (for a Q-Q plot, outliers).
    """

    title: ClassVar[str] = "Mardia's tests of multivariate normality"
    b1p: float
    b2p: float
    skew: float
    small_skew: float
    p_skew: float
    p_small: float
    kurtosis: float
    p_kurt: float
    n: int
    n_items: int
    df_skew: float
    distances: pd.Series
    n_dropped: int

    def __post_init__(self):
        if self.n_dropped:
            self.warnings.append(f"{self.n_dropped} row(s) with missing answers were dropped (listwise).")
        if self.p_skew < 0.05 or self.p_kurt < 0.05:
            self.warnings.append(
                "Multivariate normality is rejected: report robust (MLR / Satorra-Bentler) "
                "standard errors and test statistics rather than plain ML."
            )

    def to_frame(self) -> pd.DataFrame:
        return pd.DataFrame(
            {
                "statistic": [self.b1p, self.b2p],
                "test": [self.skew, self.kurtosis],
                "df": [self.df_skew, np.nan],
                "pvalue": [self.p_skew, self.p_kurt],
            },
            index=pd.Index(["skewness", "kurtosis"], name="mardia"),
        )

    def plot(self, ax=None):
        """Chi-square Q-Q plot of the squared Mahalanobis distances."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 5))
        d2 = np.sort(self.distances.to_numpy() ** 2)
        q = stats.chi2.ppf((np.arange(1, len(d2) + 1) - 0.5) / len(d2), self.n_items)
        ax.scatter(q, d2, s=8)
        lim = [0, max(q.max(), d2.max())]
        ax.plot(lim, lim, color="grey", lw=1)
        ax.set_xlabel(f"chi-square({self.n_items}) quantile")
        ax.set_ylabel("squared Mahalanobis distance")
        return ax


def mardia(data, items=None) -> MardiaResult:
    """Mardia's tests of multivariate skewness and kurtosis.

    Parameters
    ----------
    data : pandas.DataFrame
        The answers.
    items : list of str, optional
        Item columns (default all columns).  Rows with a missing answer are
        dropped (listwise), as in ``psych::mardia``.

    Returns
    -------
    MardiaResult
        ``b1p, b2p, skew, small_skew, p_skew, p_small, kurtosis, p_kurt, n,
        n_items, df_skew`` and the Mahalanobis ``distances``.

    Notes
    -----
    With centred data :math:`X` and :math:`S` the covariance matrix (n - 1),
    :math:`D = X S^{-1} X'`, :math:`b_{1,p} = \\sum_{ij} D_{ij}^3 / n^2` and
    :math:`b_{2,p} = \\sum_i D_{ii}^2 / n`.  Then :math:`n b_{1,p}/6 \\sim
    \\chi^2_{p(p+1)(p+2)/6}` and :math:`(b_{2,p} - p(p+2))\\sqrt{n / (8p(p+2))}
    \\sim N(0,1)`.  The small-sample skewness multiplies by
    :math:`k = (p+1)(n+1)(n+3) / (n((n+1)(p+1) - 6))`.  These equal
    ``psych::mardia``.

    References
    ----------
    Mardia, K. V. (1970). Measures of multivariate skewness and kurtosis with
    applications. *Biometrika*, 57(3), 519-530.

    Examples
    --------
    >>> import crm_research as crm
    >>> crm.mardia(crm.load_dataset("bfi"), [f"A{i}" for i in range(1, 6)]).to_frame()[["statistic", "df"]].round(2)
              statistic    df
    mardia
    skewness       5.26  35.0
    kurtosis      45.03   NaN
    """
    func = "mardia"
    x, n_dropped = prepare_items(data, items, func, min_items=2)
    xv = x.to_numpy()
    n, p = xv.shape
    if n <= p:
        raise CRMInputError(f"mardia needs more complete rows than items; got {n} rows for {p} items.")
    xc = xv - xv.mean(axis=0)
    S = np.cov(xv, rowvar=False)
    try:
        Sinv = np.linalg.inv(S)
    except np.linalg.LinAlgError:
        raise CRMInputError(
            "The items' covariance matrix is singular (an item is a linear combination of others); "
            "Mardia's tests need it inverted."
        ) from None
    D = xc @ Sinv @ xc.T
    b1p = float(np.sum(D**3) / n**2)
    b2p = float(np.sum(np.diag(D) ** 2) / n)
    df = p * (p + 1) * (p + 2) / 6
    k = (p + 1) * (n + 1) * (n + 3) / (n * ((n + 1) * (p + 1) - 6))
    skew = n * b1p / 6
    small = n * k * b1p / 6
    kurt = (b2p - p * (p + 2)) * np.sqrt(n / (8 * p * (p + 2)))
    values = {
        "b1p": b1p,
        "b2p": b2p,
        "skew": skew,
        "small_skew": small,
        "p_skew": float(stats.chi2.sf(skew, df)),
        "p_small": float(stats.chi2.sf(small, df)),
        "kurtosis": float(kurt),
        "p_kurt": float(2 * stats.norm.sf(abs(kurt))),
        "n": n,
        "n_items": p,
        "df_skew": df,
    }
    distances = pd.Series(np.sqrt(np.diag(D)), index=x.index, name="mahalanobis")
    return MardiaResult(**values, distances=distances, n_dropped=n_dropped)
