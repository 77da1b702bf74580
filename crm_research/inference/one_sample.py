"""One-sample test of each variable's mean against the scale midpoint.

"Is the state of e-CRM in this company above average?" is answered in a
Persian thesis by a one-sample t-test of each construct score against the
midpoint of the Likert scale (3 on a 1-5 scale), or by the Wilcoxon
signed-rank test when the scores are far from normal.  Equal to R's
``t.test(x, mu = 3)`` and ``wilcox.test(x, mu = 3)`` (with R's default
continuity correction; R's exact distribution when there are fewer than 50
non-zero differences and no ties).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats

from crm_research.core.errors import CRMInputError
from crm_research.core.validation import check_choice, check_ci, check_number, check_scale
from crm_research.inference.labels import BilingualResult
from crm_research.inference.normality import numeric_data

__all__ = ["one_sample_test", "OneSampleResult"]

_READING = {"above": "above the midpoint", "below": "below the midpoint", "not different": "not different from the midpoint"}


@dataclass(repr=False, eq=False)
class OneSampleResult(BilingualResult):
    """One-sample tests against ``mu`` (:func:`one_sample_test`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per variable: ``n, mean, sd, mu, statistic`` (t, or V = the
        sum of the ranks of the positive differences, as R), ``df`` (NaN for
        Wilcoxon), ``p``, ``mean_diff`` and its interval ``ci_low, ci_high``
        (the t interval of ``mean - mu``), ``cohen_d`` (``(mean - mu) / sd``)
        and ``reading`` ("above / not different from / below the midpoint").
    method, alternative : str
    mu, ci, level : float
    """

    title: ClassVar[str] = "One-sample tests against the midpoint"
    title_fa: ClassVar[str] = "آزمون تک‌نمونه‌ای در مقایسه با میانه طیف"
    table: pd.DataFrame
    method: str
    alternative: str
    mu: float
    ci: float
    level: float

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax=None):
        """Each mean with its interval, and the midpoint as a dashed line."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.4 * len(self.table) + 1.5))
        t = self.table
        y = np.arange(len(t))
        ax.errorbar(t["mean"], y, xerr=[t["mean_diff"] - t["ci_low"], t["ci_high"] - t["mean_diff"]],
                    fmt="o", capsize=3)
        ax.axvline(self.mu, color="tab:red", linestyle="--", label=f"mu = {self.mu:g}")
        ax.set_yticks(y, t.index.astype(str))
        ax.invert_yaxis()
        ax.set_xlabel("mean")
        ax.legend()
        return ax


def _signed_rank(d: np.ndarray, alternative: str) -> tuple[float, float]:
    """R's wilcox.test(x, mu): V and p (zeros dropped; exact below 50 without ties)."""
    d = d[d != 0]  # never empty: a constant variable was refused by numeric_data
    ranks = stats.rankdata(np.abs(d))
    v = float(ranks[d > 0].sum())
    exact = len(d) < 50 and len(np.unique(np.abs(d))) == len(d)
    res = pg.wilcoxon(d, alternative=alternative, method="exact" if exact else "approx", correction=not exact)
    return v, float(res["p_val"].iloc[0])


def one_sample_test(data, items=None, *, mu: float = 3, scale=None, alternative: str = "two-sided",
                    method: str = "t", ci: float = 0.95, level: float = 0.05) -> OneSampleResult:
    """Test each variable's mean (or median) against a value, usually the scale midpoint.

    Parameters
    ----------
    data : pandas.DataFrame
        Construct scores (:func:`crm_research.construct_scores`) or items;
        each variable uses its non-missing values.
    items : list of str, optional
        The variables to test; default: all numeric variables.
    mu : float, default 3
        The test value: the midpoint of a 1-5 scale.
    scale : tuple, optional
        ``(min, max)`` of the answers; then ``mu`` must lie inside the scale
        and every value too.
    alternative : {"two-sided", "greater", "less"}
        ``"greater"`` asks "is the mean above mu?" (one-tailed).
    method : {"t", "wilcoxon"}
        One-sample t-test (pingouin's ``ttest``) or Wilcoxon signed-rank test
        (pingouin's ``wilcoxon``), for variables far from normal.
    ci : float, default 0.95
        Confidence level of the interval of ``mean - mu``.
    level : float, default 0.05
        Significance level used for the ``reading``.

    Returns
    -------
    OneSampleResult

    Examples
    --------
    >>> import pandas as pd
    >>> import crm_research as crm
    >>> scores = pd.DataFrame({"EMP": [4, 3.5, 4, 2.5, 5, 4.5, 3, 4]})
    >>> res = crm.one_sample_test(scores, mu=3, scale=(1, 5))
    >>> res.table[["mean", "statistic", "p"]].round(3)
               mean  statistic      p
    variable
    EMP       3.812      2.876  0.024
    >>> res.table.loc["EMP", "reading"]
    'above the midpoint'
    """
    func = "one_sample_test"
    method = check_choice(method, "method", ["t", "wilcoxon"], func)
    alternative = check_choice(alternative, "alternative", ["two-sided", "greater", "less"], func)
    ci = check_ci(ci, func)
    level = check_number(level, "level", func, 0.0, 1.0, inclusive=(False, False))
    mu = check_number(mu, "mu", func)
    x = numeric_data(data, items, func, min_n=2)
    if scale is not None:
        low, high = check_scale(scale, func)
        if not low <= mu <= high:
            raise CRMInputError(f"{func}: mu={mu:g} lies outside the scale [{low:g}, {high:g}]; the midpoint "
                                f"of that scale is {(low + high) / 2:g}.")
        outside = [c for c in x.columns if ((x[c] < low) | (x[c] > high)).any()]
        if outside:
            raise CRMInputError(f"{func}: column(s) {outside} have values outside the scale [{low:g}, {high:g}].")
    rows = {}
    for col in x.columns:
        v = x[col].dropna().to_numpy()
        n, mean, sd = len(v), v.mean(), v.std(ddof=1)
        se = sd / np.sqrt(n)
        q = stats.t.ppf(0.5 + ci / 2, n - 1)
        if method == "t":
            res = pg.ttest(v, mu, alternative=alternative)
            stat, df, p = float(res["T"].iloc[0]), float(n - 1), float(res["p_val"].iloc[0])
        else:
            stat, p = _signed_rank(v - mu, alternative)
            df = np.nan
        if p < level:
            reading = "above" if mean > mu else "below"
        else:
            reading = "not different"
        rows[col] = {"n": n, "mean": mean, "sd": sd, "mu": mu, "statistic": stat, "df": df, "p": p,
                     "mean_diff": mean - mu, "ci_low": mean - mu - q * se, "ci_high": mean - mu + q * se,
                     "cohen_d": (mean - mu) / sd, "reading": _READING[reading]}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "variable"
    return OneSampleResult(table=table, method=method, alternative=alternative, mu=mu, ci=ci, level=level)
