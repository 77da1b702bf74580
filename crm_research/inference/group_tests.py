"""Comparing customer groups: t-tests, Mann-Whitney, one-way ANOVA, Kruskal-Wallis and post hoc tests.

A thesis compares its construct scores across gender, age, education or
channel.  Two groups: Student's and Welch's t with Levene's test, and the
Mann-Whitney U test with the rank-biserial correlation.  Three or more: one-way
ANOVA (and Welch's ANOVA) with eta squared and a post hoc test (Tukey's HSD
when Levene's test accepts equal variances, Games-Howell otherwise), and
Kruskal-Wallis with epsilon squared and Dunn's post hoc test (Holm-adjusted).
Running many t-tests instead of one ANOVA inflates the chance of a false
positive: with 5 groups there are 10 pairs, and ``1 - 0.95**10 = 0.40``.

All statistics come from pingouin and equal R (``tests/reference/inferential``):
``t.test`` (``var.equal = TRUE`` and Welch), ``car::leveneTest`` (R's default
centres on the **median**, the Brown-Forsythe variant; pingouin's
``homoscedasticity`` passes scipy's default, also the median, so they agree),
``wilcox.test`` (continuity correction; exact only below 50 per group without
ties, as R), ``aov``, ``oneway.test``, ``TukeyHSD``,
``rstatix::games_howell_test``, ``kruskal.test`` and ``rstatix::dunn_test``
(pingouin has no Dunn test; it is computed here from the mean ranks with R's
tie correction, and Holm's adjustment is pingouin's ``multicomp``).
"""

from __future__ import annotations

import warnings
from collections.abc import Sequence
from dataclasses import dataclass
from functools import lru_cache
from itertools import combinations
from typing import ClassVar

import numpy as np
import pandas as pd
import pingouin as pg
from scipy import optimize, special, stats

from crm_research.core.errors import CRMInputError
from crm_research.core.validation import check_bool, check_columns, check_dataframe, check_number
from crm_research.inference.labels import BilingualResult
from crm_research.inference.normality import numeric_data

__all__ = ["compare_groups", "GroupComparison"]


@dataclass(repr=False, eq=False)
class GroupComparison(BilingualResult):
    """Group comparisons of one or more variables (:func:`compare_groups`).

    Attributes
    ----------
    tests : pandas.DataFrame
        One row per variable and test: ``variable, test, statistic, df1, df2,
        p, effect_size, effect, chosen`` (the test the decision rule picked).
        Two groups: ``levene``, ``student_t``, ``welch_t``, ``mann_whitney``
        (statistic = R's W, the U of the first group).  More groups: ``levene``,
        ``anova``, ``welch_anova``, ``kruskal``.
    posthoc : pandas.DataFrame
        With three or more groups, one row per pair and post hoc test
        (``tukey``, ``games_howell``, ``dunn``): ``variable, test, group1,
        group2, diff`` (mean of group2 minus mean of group1, as R's TukeyHSD;
        for Dunn the difference of mean ranks), ``ci_low, ci_high,
        statistic`` (t, or z for Dunn), ``p`` (unadjusted, Dunn only) and
        ``p_adj``, ``chosen``.
    descriptives : pandas.DataFrame
        ``n, mean, sd, median, mean_rank`` per variable and group.
    choice : pandas.DataFrame
        Per variable: ``parametric`` (bool), ``test``, ``post_hoc`` and the
        ``reason``.
    group_col : str
    level : float
    """

    title: ClassVar[str] = "Group comparisons"
    title_fa: ClassVar[str] = "مقایسه گروه‌ها"
    _caption_fa: ClassVar[dict[str, str]] = {"Decision": "انتخاب آزمون", "Tests": "آزمون‌ها",
                                              "Post hoc": "آزمون‌های تعقیبی", "Groups": "آماره‌های گروه‌ها"}
    tests: pd.DataFrame
    posthoc: pd.DataFrame
    descriptives: pd.DataFrame
    choice: pd.DataFrame
    group_col: str
    level: float

    def to_frame(self) -> pd.DataFrame:
        return self.tests.copy()

    def _summary_tables(self):
        out = [("Decision", self.choice), ("Tests", self.tests), ("Groups", self.descriptives)]
        if len(self.posthoc):
            out.append(("Post hoc", self.posthoc[self.posthoc["chosen"]]))
        return out

    def plot(self, ax=None):
        """Means with their standard errors per group, one line per variable."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(6, 4))
        d = self.descriptives.reset_index()
        for var, block in d.groupby("variable", sort=False):
            ax.errorbar(block["group"].astype(str), block["mean"], yerr=block["sd"] / np.sqrt(block["n"]),
                        marker="o", capsize=3, label=str(var))
        ax.set_xlabel(self.group_col)
        ax.set_ylabel("mean")
        ax.legend()
        return ax


# Gauss-Legendre nodes of the studentized-range integrals (see _qtukey)
_Z, _WZ = np.polynomial.legendre.leggauss(96)
_ZN = 8.5 * _Z
_ZW = 8.5 * _WZ * np.exp(-_ZN**2 / 2) / np.sqrt(2 * np.pi)
_PHI = special.ndtr(_ZN)
_S, _WS = np.polynomial.legendre.leggauss(96)


def _range_cdf(w, k: int) -> np.ndarray:
    """P(range of k independent standard normals <= w): k * integral phi(z) (Phi(z) - Phi(z - w))^(k-1) dz."""
    w = np.asarray(w, dtype=float)[..., None]
    inner = np.clip(_PHI - special.ndtr(_ZN - w), 0, None) ** (k - 1)
    return k * (inner * _ZW).sum(axis=-1)


def _ptukey(q: float, k: int, df: float) -> float:
    """Studentized-range CDF: the range CDF at q*s averaged over s = sqrt(chi2_df / df)."""
    if df > 1e5:
        return float(_range_cdf(q, k))
    lo, hi = np.sqrt(stats.chi2.ppf(1e-14, df) / df), np.sqrt(stats.chi2.isf(1e-14, df) / df)
    s = (hi - lo) / 2 * _S + (hi + lo) / 2
    logf = ((df / 2) * np.log(df / 2) + (df - 1) * np.log(s) - df * s**2 / 2 - special.gammaln(df / 2)
            + np.log(2))
    return float((np.exp(logf) * (hi - lo) / 2 * _WS * _range_cdf(q * s, k)).sum())


@lru_cache(maxsize=1024)
def _qtukey(p: float, k: int, df: float) -> float:
    """Studentized-range quantile (R's qtukey) for the Tukey and Games-Howell intervals.

    Equal to scipy's ``studentized_range.ppf`` to 1e-9, which takes about 0.4 s a call
    (ten pairs of five groups, for six variables, took half a minute); this takes 10 ms.
    """
    return optimize.brentq(lambda q: _ptukey(q, k, df) - p, 0.5, 50.0, xtol=1e-9)


def _dunn(values: pd.Series, groups: pd.Series, levels: list) -> pd.DataFrame:
    """Dunn's (1964) z for every pair, with R's (rstatix) tie correction and Holm's adjustment."""
    ranks = pd.Series(stats.rankdata(values), index=values.index)
    n = len(values)
    _, counts = np.unique(values, return_counts=True)
    ties = np.sum(counts**3 - counts) / (12 * (n - 1))
    mean_rank = ranks.groupby(groups).mean()
    size = groups.value_counts()
    rows = []
    for g1, g2 in combinations(levels, 2):
        diff = mean_rank[g2] - mean_rank[g1]
        se = np.sqrt((n * (n + 1) / 12 - ties) * (1 / size[g1] + 1 / size[g2]))
        z = diff / se
        rows.append({"group1": g1, "group2": g2, "diff": diff, "statistic": z, "p": 2 * stats.norm.sf(abs(z))})
    out = pd.DataFrame(rows)
    out["p_adj"] = pg.multicomp(out["p"].to_numpy(), method="holm")[1]
    return out


def _pairs(table: pd.DataFrame, levels: list, k: int, df_col: str | None, df_value: float | None,
           p_col: str, ci: float) -> pd.DataFrame:
    """pingouin's pairwise table in R's orientation (group2 - group1) with the studentized-range interval."""
    order = {g: i for i, g in enumerate(levels)}
    rows = []
    for _, r in table.iterrows():
        a, b = r["A"], r["B"]
        sign = 1.0
        if order[a] > order[b]:
            a, b, sign = b, a, -1.0
        diff = -sign * float(r["diff"])  # pingouin's diff is mean(A) - mean(B)
        df = float(r[df_col]) if df_col else df_value
        half = _qtukey(ci, k, df) / np.sqrt(2) * float(r["se"])
        rows.append({"group1": a, "group2": b, "diff": diff, "ci_low": diff - half, "ci_high": diff + half,
                     "statistic": diff / float(r["se"]), "p": np.nan, "p_adj": float(r[p_col])})
    return pd.DataFrame(rows)


def _check_groups(data: pd.DataFrame, value: str, group_col: str, x: pd.Series) -> tuple[pd.DataFrame, list]:
    d = pd.DataFrame({"y": x, "g": data[group_col]}).dropna()
    levels = sorted(d["g"].unique(), key=lambda v: (str(type(v)), v))
    if len(levels) < 2:
        raise CRMInputError(f"compare_groups: the grouping column {group_col!r} has {len(levels)} level(s) "
                            f"{levels!r} among the answers to {value!r}; at least 2 groups are needed.")
    size = d["g"].value_counts()
    small = size[size < 2]
    if len(small):
        raise CRMInputError(f"compare_groups: group(s) {list(small.index)!r} of {group_col!r} have a single "
                            f"respondent with an answer to {value!r}; every group needs at least 2 "
                            "(merge small groups first).")
    if d["y"].nunique() < 2:
        raise CRMInputError(f"compare_groups: all values of {value!r} are tied ({d['y'].iloc[0]!r}) in the "
                            "rows with a group; there is nothing to compare.")
    return d, levels


def compare_groups(data, value_cols: str | Sequence[str], group_col: str, *, parametric: bool | None = None,
                   level: float = 0.05, ci: float = 0.95) -> GroupComparison:
    """Compare one or more variables across the groups of one grouping column.

    Parameters
    ----------
    data : pandas.DataFrame
        Construct scores (or items) and the grouping variable, one row per respondent.
    value_cols : str or list of str
        The variables to compare.
    group_col : str
        The grouping variable (gender, age band, education, channel...).
        Rows where it or the compared variable is missing are left out.
    parametric : bool, optional
        ``None`` (default) decides for each variable: parametric tests when
        Shapiro-Wilk accepts normality in every group at ``level``,
        non-parametric otherwise, and says why in ``choice``.  ``True`` or
        ``False`` forces the choice.  All tests are computed either way; the
        decision marks which ones to report (``chosen``).
    level : float, default 0.05
        Significance level of the normality and Levene decisions.
    ci : float, default 0.95
        Confidence level of the Tukey and Games-Howell intervals.

    Returns
    -------
    GroupComparison

    Examples
    --------
    >>> import pandas as pd
    >>> import crm_research as crm
    >>> d = pd.DataFrame({"SAT": [3.5, 4, 4.5, 3, 4, 2.5, 3, 3.5, 2, 3],
    ...                   "gender": ["f"] * 5 + ["m"] * 5})
    >>> res = crm.compare_groups(d, "SAT", "gender")
    >>> res.tests[["test", "statistic", "p"]].round(3)
               test  statistic      p
    0        levene      0.000  1.000
    1     student_t      2.774  0.024
    2       welch_t      2.774  0.024
    3  mann_whitney     22.500  0.043
    """
    func = "compare_groups"
    data = check_dataframe(data, "data", func)
    if isinstance(value_cols, str):
        value_cols = [value_cols]
    value_cols = check_columns(data, value_cols, name="value_cols", func=func)
    (group_col,) = check_columns(data, [group_col], name="group_col", func=func)
    if group_col in value_cols:
        raise CRMInputError(f"{func}: {group_col!r} is both the grouping column and a compared variable.")
    if parametric is not None:
        parametric = check_bool(parametric, "parametric", func)
    level = check_number(level, "level", func, 0.0, 1.0, inclusive=(False, False))
    ci = check_number(ci, "ci", func, 0.0, 1.0, inclusive=(False, False))
    x = numeric_data(data, value_cols, func, min_n=2)
    tests, posthoc, desc, choice = [], [], [], []
    for var in value_cols:
        d, levels = _check_groups(data, var, group_col, x[var])
        k = len(levels)
        groups = [d.loc[d["g"] == g, "y"].to_numpy() for g in levels]
        ranks = pd.Series(stats.rankdata(d["y"]), index=d.index)
        for g, v in zip(levels, groups, strict=True):
            desc.append({"variable": var, "group": g, "n": len(v), "mean": v.mean(), "sd": v.std(ddof=1),
                         "median": np.median(v), "mean_rank": ranks[d["g"] == g].mean()})
        # decision: Shapiro-Wilk in every group (3 to 5000 answers), then Levene for the variances
        if parametric is None:
            shapiro = [float(pg.normality(v)["pval"].iloc[0]) if 3 <= len(v) <= 5000 and np.ptp(v) > 0 else np.nan
                       for v in groups]
            bad = [str(g) for g, p in zip(levels, shapiro, strict=True) if not p >= level]
            is_param = not bad
            reason = ("Shapiro-Wilk accepts normality in every group" if is_param else
                      f"Shapiro-Wilk rejects normality (or cannot test it) in group(s) {', '.join(bad)}")
        else:
            is_param = parametric
            reason = f"chosen by the caller (parametric={parametric})"
        lev = pg.homoscedasticity(d, dv="y", group="g", method="levene")  # scipy: center="median", as car
        lev_F, lev_p = float(lev["W"].iloc[0]), float(lev["pval"].iloc[0])
        equal_var = lev_p >= level
        rows = [{"test": "levene", "statistic": lev_F, "df1": k - 1, "df2": len(d) - k, "p": lev_p,
                 "effect_size": np.nan, "effect": ""}]
        if k == 2:
            a, b = groups
            na, nb = len(a), len(b)
            pooled = np.sqrt(((na - 1) * a.var(ddof=1) + (nb - 1) * b.var(ddof=1)) / (na + nb - 2))
            d_cohen = (a.mean() - b.mean()) / pooled
            st = pg.ttest(a, b, correction=False)
            we = pg.ttest(a, b, correction=True)
            exact = na < 50 and nb < 50 and d["y"].nunique() == len(d)
            mw = pg.mwu(a, b, method="exact" if exact else "asymptotic")
            rows += [
                {"test": "student_t", "statistic": float(st["T"].iloc[0]), "df1": float(st["dof"].iloc[0]),
                 "df2": np.nan, "p": float(st["p_val"].iloc[0]), "effect_size": d_cohen, "effect": "cohen_d"},
                {"test": "welch_t", "statistic": float(we["T"].iloc[0]), "df1": float(we["dof"].iloc[0]),
                 "df2": np.nan, "p": float(we["p_val"].iloc[0]), "effect_size": d_cohen, "effect": "cohen_d"},
                {"test": "mann_whitney", "statistic": float(mw["U_val"].iloc[0]), "df1": np.nan, "df2": np.nan,
                 "p": float(mw["p_val"].iloc[0]), "effect_size": float(mw["RBC"].iloc[0]),
                 "effect": "rank_biserial_r"},
            ]
            chosen = ("student_t" if equal_var else "welch_t") if is_param else "mann_whitney"
            post = "none (two groups)"
        else:
            with warnings.catch_warnings():  # pingouin 0.7 calls a pandas method deprecated in pandas 3.1
                warnings.simplefilter("ignore", DeprecationWarning)
                warnings.simplefilter("ignore", FutureWarning)
                aov = pg.anova(d, dv="y", between="g", detailed=True)
            ss_between, ss_within = float(aov["SS"].iloc[0]), float(aov["SS"].iloc[1])
            wel = pg.welch_anova(d, dv="y", between="g")
            kw = pg.kruskal(d, dv="y", between="g")
            H = float(kw["H"].iloc[0])
            rows += [
                {"test": "anova", "statistic": float(aov["F"].iloc[0]), "df1": k - 1, "df2": len(d) - k,
                 "p": float(aov["p_unc"].iloc[0]), "effect_size": ss_between / (ss_between + ss_within),
                 "effect": "eta_squared"},
                {"test": "welch_anova", "statistic": float(wel["F"].iloc[0]), "df1": k - 1,
                 "df2": float(wel["ddof2"].iloc[0]), "p": float(wel["p_unc"].iloc[0]),
                 "effect_size": np.nan, "effect": ""},
                # epsilon squared of Kruskal-Wallis: H / (n - 1) (Tomczak & Tomczak 2014)
                {"test": "kruskal", "statistic": H, "df1": k - 1, "df2": np.nan, "p": float(kw["p_unc"].iloc[0]),
                 "effect_size": H / (len(d) - 1), "effect": "epsilon_squared"},
            ]
            chosen = ("anova" if equal_var else "welch_anova") if is_param else "kruskal"
            post = ("tukey" if equal_var else "games_howell") if is_param else "dunn"
            dfe = len(d) - k
            tk = _pairs(pg.pairwise_tukey(d, dv="y", between="g"), levels, k, None, dfe, "p_tukey", ci)
            gh = _pairs(pg.pairwise_gameshowell(d, dv="y", between="g"), levels, k, "df", None, "pval", ci)
            dn = _dunn(d["y"], d["g"], levels)
            dn["ci_low"] = dn["ci_high"] = np.nan
            for name, table in (("tukey", tk), ("games_howell", gh), ("dunn", dn)):
                table.insert(0, "test", name)
                table.insert(0, "variable", var)
                table["chosen"] = name == post
                posthoc.append(table)
        if is_param and not equal_var:
            reason += f"; Levene's test rejects equal variances (p = {lev_p:.3f}), so the Welch version"
        elif is_param:
            reason += f"; Levene's test accepts equal variances (p = {lev_p:.3f})"
        for r in rows:
            r["variable"] = var
            r["chosen"] = r["test"] == chosen
            tests.append(r)
        choice.append({"variable": var, "parametric": bool(is_param), "test": chosen, "post_hoc": post,
                       "reason": reason})
    cols = ["variable", "test", "statistic", "df1", "df2", "p", "effect_size", "effect", "chosen"]
    post_cols = ["variable", "test", "group1", "group2", "diff", "ci_low", "ci_high", "statistic", "p", "p_adj",
                 "chosen"]
    posthoc_table = pd.concat(posthoc, ignore_index=True)[post_cols] if posthoc else pd.DataFrame(columns=post_cols)
    return GroupComparison(tests=pd.DataFrame(tests)[cols], posthoc=posthoc_table,
                           descriptives=pd.DataFrame(desc).set_index(["variable", "group"]),
                           choice=pd.DataFrame(choice).set_index("variable"), group_col=group_col, level=level)
