"""The correlation matrix of a thesis: r, p and n per pair and a table with stars.

Pearson's r (or Spearman's rho) for every pair, each from the respondents who
answered both (pairwise deletion), through :func:`pingouin.corr`; equal to
R's ``cor.test`` (Pearson: t test and Fisher-z interval; Spearman: the t
approximation R uses when there are ties, as in every Likert data set).
With ``constructs`` the items are turned into construct scores and the
diagonal of the publication table shows the square root of each construct's
AVE (Fornell & Larcker 1981), so the same table serves the discriminant
validity check.
"""

from __future__ import annotations

from dataclasses import dataclass
from itertools import combinations
from typing import ClassVar

import numpy as np
import pandas as pd
import pingouin as pg

from crm_research.core.errors import CRMInputError
from crm_research.core.validation import check_choice, check_dataframe
from crm_research.inference.labels import BilingualResult
from crm_research.inference.normality import numeric_data
from crm_research.inference.scores import construct_scores
from crm_research.psychometrics.reliability import construct_reliability

__all__ = ["correlation_matrix", "CorrelationMatrix"]


def stars(p: float) -> str:
    """``"***"`` for p < .001, ``"**"`` for p < .01, ``"*"`` for p < .05, else ``""``.

    Examples
    --------
    >>> from crm_research.inference.correlations import stars
    >>> stars(0.003), stars(0.2)
    ('**', '')
    """
    if p < 0.001:
        return "***"
    if p < 0.01:
        return "**"
    if p < 0.05:
        return "*"
    return ""


@dataclass(repr=False, eq=False)
class CorrelationMatrix(BilingualResult):
    """Correlations of several variables (:func:`correlation_matrix`).

    Attributes
    ----------
    pairs : pandas.DataFrame
        One row per pair: ``var1, var2, n, r, ci_low, ci_high`` (95% Fisher-z
        interval; Pearson only), ``p``.
    r, p : pandas.DataFrame
        Square matrices of the coefficients and p-values.
    table : pandas.DataFrame
        The publication table: lower triangle ``r`` with stars (* p < .05,
        ** p < .01, *** p < .001), diagonal 1 or ``sqrt(AVE)`` (in brackets).
    method : str
    diagonal : str
        ``"1"`` or ``"sqrt_ave"``.
    """

    title: ClassVar[str] = "Correlation matrix"
    title_fa: ClassVar[str] = "ماتریس همبستگی"
    _caption_fa: ClassVar[dict[str, str]] = {"Correlations": "همبستگی‌ها"}
    pairs: pd.DataFrame
    r: pd.DataFrame
    p: pd.DataFrame
    table: pd.DataFrame
    method: str
    diagonal: str

    def __post_init__(self):
        note = "* p < .05, ** p < .01, *** p < .001 (two-tailed)"
        if self.diagonal == "sqrt_ave":
            note += "; diagonal: square root of AVE in brackets (Fornell & Larcker 1981)"
        self.warnings.append(note + ".")

    def to_frame(self) -> pd.DataFrame:
        return self.pairs.copy()

    def _summary_tables(self):
        return [("Correlations", self.table)]

    def plot(self, ax=None):
        """Heat map of the coefficients."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(1 + 0.6 * len(self.r), 0.8 + 0.6 * len(self.r)))
        im = ax.imshow(self.r.to_numpy(dtype=float), vmin=-1, vmax=1, cmap="RdBu_r")
        ax.set_xticks(range(len(self.r)), self.r.columns.astype(str), rotation=45)
        ax.set_yticks(range(len(self.r)), self.r.index.astype(str))
        ax.figure.colorbar(im, ax=ax)
        return ax


def correlation_matrix(data, items=None, *, method: str = "pearson", constructs=None) -> CorrelationMatrix:
    """Correlation matrix with p-values, n per pair and a publication table with stars.

    Parameters
    ----------
    data : pandas.DataFrame
        Construct scores or other numeric variables, or (with ``constructs``)
        the item answers.
    items : list of str, optional
        The variables to correlate (default: all numeric variables); ignored
        when ``constructs`` is given.
    method : {"pearson", "spearman"}
    constructs : dict, optional
        Construct name -> item columns: the construct scores
        (:func:`crm_research.construct_scores`, listwise) are correlated and
        the diagonal shows ``sqrt(AVE)`` (:func:`crm_research.construct_reliability`).

    Returns
    -------
    CorrelationMatrix

    Examples
    --------
    >>> import crm_research as crm
    >>> bfi = crm.load_dataset("bfi")
    >>> res = crm.correlation_matrix(bfi, ["A1", "A2", "A3"])
    >>> res.pairs[["var1", "var2", "n", "r"]].round(3)
      var1 var2     n      r
    0   A1   A2  2757 -0.340
    1   A1   A3  2759 -0.265
    2   A2   A3  2751  0.485
    >>> res.table.loc["A3", "A2"]
    '0.485***'
    """
    func = "correlation_matrix"
    data = check_dataframe(data, "data", func)
    method = check_choice(method, "method", ["pearson", "spearman"], func)
    diagonal = "1"
    if constructs is not None:
        x = construct_scores(data, constructs)
        ave = construct_reliability(data, constructs)["ave"]
        diagonal = "sqrt_ave"
    else:
        x = numeric_data(data, items, func, min_n=3)
    names = list(x.columns)
    if len(names) < 2:
        raise CRMInputError(f"{func} needs at least 2 variables; got {names}.")
    rows = []
    r = pd.DataFrame(np.eye(len(names)), index=names, columns=names)
    p = pd.DataFrame(np.zeros((len(names), len(names))), index=names, columns=names)
    for a, b in combinations(names, 2):
        both = x[[a, b]].dropna()
        if len(both) < 3:
            raise CRMInputError(f"{func}: only {len(both)} respondent(s) answered both {a!r} and {b!r}; "
                                "at least 3 needed.")
        if both[a].nunique() < 2 or both[b].nunique() < 2:
            raise CRMInputError(f"{func}: {a!r} or {b!r} is constant among the respondents who answered both.")
        res = pg.corr(both[a].to_numpy(), both[b].to_numpy(), method=method)
        rv, pv = float(res["r"].iloc[0]), float(res["p_val"].iloc[0])
        if method == "pearson":  # pingouin rounds its interval to 2 decimals: recompute it (Fisher z)
            z, se = np.arctanh(rv), 1 / np.sqrt(len(both) - 3)
            lo, hi = np.tanh(z - 1.959963984540054 * se), np.tanh(z + 1.959963984540054 * se)
        else:
            lo = hi = np.nan
        rows.append({"var1": a, "var2": b, "n": len(both), "r": rv, "ci_low": lo, "ci_high": hi, "p": pv})
        r.loc[a, b] = r.loc[b, a] = rv
        p.loc[a, b] = p.loc[b, a] = pv
    table = pd.DataFrame("", index=names, columns=names)
    for i, a in enumerate(names):
        table.loc[a, a] = f"({np.sqrt(ave[a]):.3f})" if diagonal == "sqrt_ave" else "1"
        for b in names[:i]:
            table.loc[a, b] = f"{r.loc[a, b]:.3f}{stars(p.loc[a, b])}"
    return CorrelationMatrix(pairs=pd.DataFrame(rows), r=r, p=p, table=table, method=method, diagonal=diagonal)
