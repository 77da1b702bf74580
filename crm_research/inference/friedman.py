"""Friedman's test ranking several variables answered by the same respondents.

"Which e-CRM dimension is strongest in this company?" is answered by
Friedman's test of the dimensions' scores and their mean ranks (SPSS's
"Ranks" table), with Kendall's coefficient of concordance W as the effect
size.  Equal to R's ``friedman.test`` (with its correction for ties) and
``rstatix::friedman_effsize`` (``W = chi2 / (n (k - 1))``).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import pandas as pd
import pingouin as pg

from crm_research.core.errors import CRMInputError
from crm_research.inference.labels import BilingualResult
from crm_research.inference.normality import numeric_data

__all__ = ["friedman_ranking", "FriedmanResult"]


@dataclass(repr=False, eq=False)
class FriedmanResult(BilingualResult):
    """Friedman's test and the mean ranks (:func:`friedman_ranking`).

    Attributes
    ----------
    test : pandas.DataFrame
        One row: ``n, chisq, df, p, kendall_w``.
    ranks : pandas.DataFrame
        One row per variable, strongest first: ``mean_rank, rank, mean``.
    n_dropped : int
        Respondents dropped for a missing answer (Friedman needs complete rows).
    """

    title: ClassVar[str] = "Friedman test: ranking the variables"
    title_fa: ClassVar[str] = "آزمون فریدمن: رتبه‌بندی متغیرها"
    _caption_fa: ClassVar[dict[str, str]] = {"Test": "آزمون", "Mean ranks": "میانگین رتبه‌ها"}
    test: pd.DataFrame
    ranks: pd.DataFrame
    n_dropped: int

    def __post_init__(self):
        if self.n_dropped:
            self.warnings.append(f"{self.n_dropped} respondent(s) with a missing answer were dropped.")

    def to_frame(self) -> pd.DataFrame:
        return self.ranks.copy()

    def _summary_tables(self):
        return [("Test", self.test), ("Mean ranks", self.ranks)]

    def plot(self, ax=None):
        """Horizontal bars of the mean ranks."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.4 * len(self.ranks) + 1.5))
        ax.barh(self.ranks.index.astype(str), self.ranks["mean_rank"], color="tab:blue")
        ax.invert_yaxis()
        ax.set_xlabel("mean rank")
        return ax


def friedman_ranking(data, items=None) -> FriedmanResult:
    """Friedman chi-square, Kendall's W and the mean rank of every variable.

    Parameters
    ----------
    data : pandas.DataFrame
        Scores of the same respondents on several variables (e.g. the e-CRM
        dimensions' construct scores); respondents with a missing answer are
        dropped.
    items : list of str, optional
        The variables to rank (at least 2); default: all numeric variables.

    Returns
    -------
    FriedmanResult

    Examples
    --------
    >>> import pandas as pd
    >>> import crm_research as crm
    >>> d = pd.DataFrame({"OPR": [4, 3, 5, 4, 4], "ANL": [3, 3, 4, 2, 3], "EMP": [5, 4, 4, 3, 5]})
    >>> res = crm.friedman_ranking(d)
    >>> res.test[["chisq", "df", "kendall_w"]].round(3)
          chisq  df  kendall_w
    test  5.444   2      0.544
    >>> res.ranks["rank"].to_dict()
    {'EMP': 1, 'OPR': 2, 'ANL': 3}
    """
    func = "friedman_ranking"
    x = numeric_data(data, items, func, min_n=2)
    if x.shape[1] < 2:
        raise CRMInputError(f"{func} needs at least 2 variables to rank; got {list(x.columns)}.")
    complete = x.dropna()
    if len(complete) < 2:
        raise CRMInputError(f"{func}: only {len(complete)} respondent(s) answered every variable; at least 2 needed.")
    ranks = complete.rank(axis=1)
    if (ranks.nunique(axis=1) == 1).all():
        raise CRMInputError(f"{func}: every respondent gave all variables the same value (all ties); "
                            "there is nothing to rank.")
    res = pg.friedman(complete.reset_index(drop=True))  # wide format: rows = respondents
    n, k = complete.shape
    chisq = float(res["Q"].iloc[0])
    test = pd.DataFrame({"n": [n], "chisq": [chisq], "df": [k - 1], "p": [float(res["p_unc"].iloc[0])],
                         "kendall_w": [chisq / (n * (k - 1))]}, index=["test"])
    mean_rank = ranks.mean()
    table = pd.DataFrame({"mean_rank": mean_rank, "mean": complete.mean()}).sort_values("mean_rank", ascending=False)
    table.insert(1, "rank", range(1, k + 1))
    table.index.name = "variable"
    return FriedmanResult(test=test, ranks=table, n_dropped=len(x) - n)
