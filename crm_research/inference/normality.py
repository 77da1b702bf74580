"""Normality tests of questionnaire variables or construct scores.

A thesis tests the normality of every variable before choosing between
parametric and non-parametric tests.  Three tests, each equal to R:

- ``"lilliefors"``: the Kolmogorov-Smirnov statistic with the mean and
  standard deviation estimated from the data, judged against Lilliefors'
  (1967) distribution (``nortest::lillie.test``; p-value by Dallal &
  Wilkinson's 1986 approximation, as nortest computes it; SPSS's "Tests of
  Normality" table reports the same statistic with a "Lilliefors
  Significance Correction" but truncates p at .200);
- ``"ks"``: the same statistic judged against the classical Kolmogorov
  distribution (``stats::ks.test(x, "pnorm", mean(x), sd(x))``).  This is the
  common mistake: the classical distribution assumes the mean and sd were
  known in advance, so with estimated ones its p-value is far too large and
  the test almost never rejects normality.  It is offered only to show the
  difference;
- ``"shapiro"``: Shapiro-Wilk (``stats::shapiro.test``, Royston's 1995
  algorithm, through :func:`pingouin.normality`), the most powerful of the
  three; defined for 3 to 5000 values.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import stats

from crm_research.core.errors import CRMInputError
from crm_research.core.validation import (
    check_choice,
    check_columns,
    check_dataframe,
    check_number,
    check_numeric_columns,
)
from crm_research.inference.labels import BilingualResult
from crm_research.psychometrics.descriptives import _skew_kurt

__all__ = ["normality", "NormalityResult"]


def numeric_data(data, items, func: str, *, min_n: int = 3) -> pd.DataFrame:
    """Validated float copy of ``items`` (all numeric columns when None); constant columns refused."""
    data = check_dataframe(data, "data", func)
    if items is None:
        items = [c for c in data.columns if pd.api.types.is_numeric_dtype(data[c])]
        if not items:
            raise CRMInputError(f"{func}: 'data' has no numeric column; pass 'items'.")
    elif isinstance(items, str):
        items = [items]
    items = check_columns(data, items, name="items", func=func)
    x = check_numeric_columns(data, items, name="data", func=func, allow_constant=False)
    for col in x.columns:
        n = int(x[col].notna().sum())
        if n < min_n:
            raise CRMInputError(f"{func}: column {col!r} has {n} non-missing value(s); at least {min_n} needed.")
    return x


def lilliefors(x) -> tuple[float, float]:
    """Lilliefors' test of normality: ``(D, p)``, equal to ``nortest::lillie.test``.

    The p-value is Dallal & Wilkinson's (1986) approximation (for p < 0.1) and
    Stephens' (1974) modified statistic otherwise, exactly as nortest computes it.

    Examples
    --------
    >>> from crm_research.inference.normality import lilliefors
    >>> d, p = lilliefors([2.1, 3.4, 1.9, 5.6, 4.4, 3.3, 2.8, 4.0, 3.1, 2.5])
    >>> round(d, 4), round(p, 4)
    (0.168, 0.5866)
    """
    x = np.sort(np.asarray(x, dtype=float))
    x = x[~np.isnan(x)]
    n = len(x)
    if n < 5:
        raise CRMInputError(f"lilliefors needs at least 5 values; got {n}.")
    p = stats.norm.cdf((x - x.mean()) / x.std(ddof=1))
    i = np.arange(1, n + 1)
    k = max(np.max(i / n - p), np.max(p - (i - 1) / n))
    kd, nd = (k, n) if n <= 100 else (k * (n / 100) ** 0.49, 100)
    pvalue = np.exp(-7.01256 * kd**2 * (nd + 2.78019) + 2.99587 * kd * np.sqrt(nd + 2.78019)
                    - 0.122119 + 0.974598 / np.sqrt(nd) + 1.67997 / nd)
    if pvalue > 0.1:
        kk = (np.sqrt(n) - 0.01 + 0.85 / np.sqrt(n)) * k
        if kk <= 0.302:
            pvalue = 1.0
        elif kk <= 0.5:
            pvalue = 2.76773 - 19.828315 * kk + 80.709644 * kk**2 - 138.55152 * kk**3 + 81.218052 * kk**4
        elif kk <= 0.9:
            pvalue = -4.901232 + 40.662806 * kk - 97.490286 * kk**2 + 94.029866 * kk**3 - 32.355711 * kk**4
        elif kk <= 1.31:
            pvalue = 6.198765 - 19.558097 * kk + 23.186922 * kk**2 - 12.234627 * kk**3 + 2.423045 * kk**4
        else:
            pvalue = 0.0
    return float(k), float(pvalue)


def _ks_classical(x: np.ndarray) -> tuple[float, float]:
    """KS against N(mean, sd) with the Kolmogorov distribution, as ``stats::ks.test``."""
    n = len(x)
    exact = n < 100 and len(np.unique(x)) == n  # R's rule for the exact distribution (Marsaglia, Tsang & Wang 2003)
    res = stats.kstest(x, "norm", args=(x.mean(), x.std(ddof=1)), method="exact" if exact else "asymp")
    d = float(res.statistic)
    if exact:
        return d, float(res.pvalue)
    return d, float(stats.kstwobign.sf(np.sqrt(n) * d))  # R's asymptotic p: the Kolmogorov limit distribution


@dataclass(repr=False, eq=False)
class NormalityResult(BilingualResult):
    """Normality tests of several variables (:func:`normality`).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per variable: ``n, mean, sd, skewness, kurtosis`` (SPSS's
        type-2 estimates, ``psych::describe(type = 2)``; kurtosis is excess
        kurtosis), ``statistic`` (D or W), ``p``, ``normal`` (``p >= level``).
    method : str
        ``"lilliefors"``, ``"ks"`` or ``"shapiro"``.
    level : float
        The significance level.
    """

    title: ClassVar[str] = "Normality tests"
    title_fa: ClassVar[str] = "آزمون نرمال بودن متغیرها"
    table: pd.DataFrame
    method: str
    level: float

    def __post_init__(self):
        if self.method == "ks":
            self.warnings.append(
                "Kolmogorov-Smirnov with the mean and sd estimated from the data but judged against the "
                "classical Kolmogorov distribution: the p-values are too large (the test is far too lenient). "
                "Report Lilliefors' correction (method='lilliefors') or Shapiro-Wilk instead.")
        bad = self.table.index[~self.table["normal"]]
        if len(bad):
            self.warnings.append(
                f"Not normal at the {self.level:g} level: {', '.join(map(str, bad))}. With a few hundred "
                "respondents even small departures are significant; also look at skewness and kurtosis "
                "(|skewness| < 2 and |kurtosis| < 7 are tolerable for ML estimation, Curran, West & Finch 1996).")

    @property
    def all_normal(self) -> bool:
        """True when no variable departs from normality at ``level``."""
        return bool(self.table["normal"].all())

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def plot(self, ax=None):
        """Normal Q-Q plot of nothing stored: draws the p-values against the level instead."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.35 * len(self.table) + 1.5))
        ax.barh(self.table.index.astype(str), self.table["p"], color="tab:blue")
        ax.axvline(self.level, color="tab:red", linestyle="--", label=f"level = {self.level:g}")
        ax.invert_yaxis()
        ax.set_xlabel(f"p ({self.method})")
        ax.legend()
        return ax


def normality(data, items=None, *, method: str = "lilliefors", level: float = 0.05) -> NormalityResult:
    """Test every variable (item or construct score) for normality.

    Parameters
    ----------
    data : pandas.DataFrame
        Items or construct scores (see :func:`crm_research.construct_scores`),
        one row per respondent.  Each variable uses its non-missing values.
    items : list of str, optional
        The variables to test; default: all numeric variables.
    method : {"lilliefors", "ks", "shapiro"}
        See the module notes.  ``"lilliefors"`` (the default) is what SPSS
        reports as Kolmogorov-Smirnov in its "Tests of Normality" table.
    level : float, default 0.05
        A variable is ``normal`` when ``p >= level``.

    Returns
    -------
    NormalityResult

    Examples
    --------
    >>> import crm_research as crm
    >>> bfi = crm.load_dataset("bfi")
    >>> res = crm.normality(bfi, ["A2", "C1"], method="shapiro")
    >>> res.table[["n", "statistic"]].round(3)
                 n  statistic
    variable
    A2        2773      0.837
    C1        2779      0.879
    """
    func = "normality"
    method = check_choice(method, "method", ["lilliefors", "ks", "shapiro"], func)
    level = check_number(level, "level", func, 0.0, 1.0, inclusive=(False, False))
    x = numeric_data(data, items, func, min_n=5)
    rows = {}
    for col in x.columns:
        v = x[col].dropna().to_numpy()
        if method == "shapiro":
            if len(v) > 5000:
                raise CRMInputError(f"normality: column {col!r} has {len(v)} values; Shapiro-Wilk is defined "
                                    "for 3 to 5000 (as in R). Use method='lilliefors'.")
            res = pg.normality(v, method="shapiro")
            stat, p = float(res["W"].iloc[0]), float(res["pval"].iloc[0])
        elif method == "lilliefors":
            stat, p = lilliefors(v)
        else:
            stat, p = _ks_classical(v)
        skew, kurt = _skew_kurt(v, 2)
        rows[col] = {"n": len(v), "mean": v.mean(), "sd": v.std(ddof=1), "skewness": skew, "kurtosis": kurt,
                     "statistic": stat, "p": p, "normal": bool(p >= level)}
    table = pd.DataFrame.from_dict(rows, orient="index")
    table.index.name = "variable"
    return NormalityResult(table=table, method=method, level=level)
