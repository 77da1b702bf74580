"""Campaign analytics: the primer's campaign process, from scoring to response handling.

The process (score the database, test the offer on a small cell of about 5%,
decide on the roll-out, handle responses) becomes these functions:

* :func:`response_model` scores customers for their likelihood to respond
  (the same cross-validated machinery as :func:`crm_research.analytics.churn.churn_model`);
* :func:`draw_test_cell` draws the test cell; :func:`required_cell_size` says how large
  it must be for a given precision;
* :func:`campaign_test` estimates the response rate with a confidence interval and
  compares it with the :func:`break_even_rate` to decide the roll-out;
* :func:`uplift_model` (two-model uplift) and :func:`qini_curve` find the customers
  whom the offer actually moves, judged against a randomised control cell;
* :func:`negative_responses` analyses why offers were refused;
* :func:`winback_timing` compares win-back success by the week of contact.

statsmodels, scikit-learn and matplotlib are imported inside the functions.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.analytics.churn import (
    PropensityResult,
    _fit_propensity,
    _float_scores,
    _plot_style,
)
from crm_research.core.deprecation import positional_options, renamed_arguments
from crm_research.core.errors import CRMInputError
from crm_research.core.results import DeclaredTable, Result
from crm_research.core.threads import single_thread
from crm_research.core.validation import (
    check_choice,
    check_ci,
    check_columns,
    check_dataframe,
    check_int,
    check_number,
    check_numeric_columns,
    check_seed,
    examples_of,
    param_error,
)

__all__ = [
    "break_even_rate",
    "required_cell_size",
    "draw_test_cell",
    "campaign_test",
    "response_model",
    "qini_curve",
    "QiniCurve",
    "uplift_model",
    "negative_responses",
    "winback_timing",
    "CampaignTestResult",
    "UpliftResult",
    "NegativeResponseResult",
    "WinbackTimingResult",
]

CI_METHODS = ("wilson", "beta", "agresti_coull", "normal", "jeffreys")


def break_even_rate(cost_per_contact: float, margin_per_response: float) -> float:
    """The response rate at which a campaign just pays for itself.

    Parameters
    ----------
    cost_per_contact : float
        Cost of reaching one customer (mailing, call, SMS), > 0.
    margin_per_response : float
        Contribution margin earned from one response (after the offer's discount), > 0.

    Returns
    -------
    float
        ``cost_per_contact / margin_per_response``. Above 1 the campaign cannot pay.

    Notes
    -----
    Profit per contact is :math:`r \\cdot m - c`, zero at :math:`r^* = c/m` (Hughes 2005;
    Blattberg, Kim & Neslin 2008, ch. 11).

    References
    ----------
    Blattberg, R. C., Kim, B.-D., & Neslin, S. A. (2008). *Database Marketing:
    Analyzing and Managing Customers*. Springer.

    Examples
    --------
    >>> break_even_rate(2.0, 50.0)
    0.04
    """
    c = check_number(cost_per_contact, "cost_per_contact", "break_even_rate", 0.0, None, (False, True))
    m = check_number(margin_per_response, "margin_per_response", "break_even_rate", 0.0, None, (False, True))
    return c / m


@positional_options
def required_cell_size(expected_rate: float, half_width: float, *, ci: float = 0.95) -> int:
    """Customers needed in a test cell to estimate a response rate within +/- ``half_width``.

    Notes
    -----
    Normal approximation: :math:`n = z_{1-(1-ci)/2}^2\\, p(1-p) / h^2`, rounded up
    (Cochran 1977, ch. 4). Use the break-even rate's neighbourhood as ``expected_rate``.

    References
    ----------
    Cochran, W. G. (1977). *Sampling Techniques* (3rd ed.). Wiley.

    Examples
    --------
    >>> required_cell_size(0.05, 0.01)
    1825
    """
    from scipy import stats

    p = check_number(expected_rate, "expected_rate", "required_cell_size", 0.0, 1.0, (False, False))
    h = check_number(half_width, "half_width", "required_cell_size", 0.0, 1.0, (False, False))
    z = stats.norm.ppf(0.5 + check_ci(ci, "required_cell_size") / 2)
    return int(math.ceil(z**2 * p * (1 - p) / h**2))


@renamed_arguments(strata="strata_col")
@positional_options
def draw_test_cell(data: pd.DataFrame, *, share: float = 0.05, seed: int | None = None,
                   strata_col: str | None = None) -> pd.DataFrame:
    """Draw a random test cell (about ``share`` of the targets), the primer's ~5% test.

    Parameters
    ----------
    data : pandas.DataFrame
        The selected targets, one row per customer. Not modified.
    share : float, default 0.05
        Fraction to draw, in (0, 1).
    seed : int, optional
        Random seed.
    strata_col : str, optional
        Column to stratify on (e.g. score decile or segment): the same share is drawn
        within each stratum (rounded), so the test cell mirrors the roll-out.

    Returns
    -------
    pandas.DataFrame
        A copy of the drawn rows (original index kept), in the original order.
    """
    func = "draw_test_cell"
    data = check_dataframe(data, func=func)
    share = check_number(share, "share", func, 0.0, 1.0, (False, False))
    seed = check_seed(seed, func)
    rng = np.random.default_rng(seed)
    if strata_col is None:
        n = max(1, round(share * len(data)))
        pos = np.sort(rng.choice(len(data), n, replace=False))
        return data.iloc[pos].copy()
    check_columns(data, [strata_col], name="strata_col", func=func)
    if data[strata_col].isna().any():
        bad = data.index[data[strata_col].isna()]
        raise CRMInputError(f"Column {strata_col!r} ('strata_col') has {len(bad)} missing value(s) (rows {examples_of(bad)}).")
    keep = np.zeros(len(data), dtype=bool)
    codes = pd.factorize(data[strata_col])[0]
    for c in np.unique(codes):
        pos = np.flatnonzero(codes == c)
        n = round(share * len(pos))
        if n:
            keep[rng.choice(pos, n, replace=False)] = True
    if not keep.any():
        raise CRMInputError(
            f"{func}: share={share} of every stratum of {strata_col!r} rounds to 0 customers (largest stratum: "
            f"{int(np.bincount(codes).max())} rows), so the test cell would be empty. Use a larger share or "
            "coarser strata."
        )
    return data.iloc[np.flatnonzero(keep)].copy()


@positional_options
def campaign_test(
    responders: int,
    contacted: int,
    cost_per_contact: float,
    margin_per_response: float,
    *,
    ci: float = 0.95,
    method: str = "wilson",
    rollout_size: int | None = None,
) -> CampaignTestResult:
    """Estimate the test cell's response rate and decide the roll-out against break-even.

    Parameters
    ----------
    responders, contacted : int
        Responses and customers contacted in the test cell.
    cost_per_contact, margin_per_response : float
        See :func:`break_even_rate`.
    ci : float, default 0.95
        Confidence level of the interval.
    method : {"wilson", "beta", "agresti_coull", "normal", "jeffreys"}
        Interval of statsmodels' ``proportion_confint``: Wilson score (default) or
        ``"beta"`` = Clopper-Pearson exact.
    rollout_size : int, optional
        Customers in the roll-out; adds the expected profit of rolling out.

    Returns
    -------
    CampaignTestResult
        ``table`` (one row: ``responders``, ``contacted``, ``response_rate``, ``ci_low``,
        ``ci_high``, ``break_even``, ``profit_per_contact`` and its ``_low``/``_high`` bounds,
        and with ``rollout_size`` ``rollout_profit`` and its bounds), ``decision`` and ``reason``.

    Notes
    -----
    Decision rule: **roll out** if the lower confidence limit exceeds the break-even
    rate :math:`c/m`; **do not roll out** if the upper limit is below it; otherwise the
    test is **inconclusive** (enlarge the cell, see :func:`required_cell_size`). Profit per
    contact at rate r is :math:`r m - c`.

    References
    ----------
    Wilson, E. B. (1927). Probable inference, the law of succession, and statistical
    inference. *JASA*, 22(158), 209-212.

    Clopper, C. J., & Pearson, E. S. (1934). The use of confidence or fiducial limits
    illustrated in the case of the binomial. *Biometrika*, 26(4), 404-413.

    Blattberg, R. C., Kim, B.-D., & Neslin, S. A. (2008). *Database Marketing*. Springer.
    """
    from statsmodels.stats.proportion import proportion_confint

    func = "campaign_test"
    contacted = check_int(contacted, "contacted", func, min_value=1)
    responders = check_int(responders, "responders", func, min_value=0, max_value=contacted)
    c = check_number(cost_per_contact, "cost_per_contact", func, 0.0, None, (False, True))
    m = check_number(margin_per_response, "margin_per_response", func, 0.0, None, (False, True))
    ci = check_ci(ci, func)
    method = check_choice(method, "method", CI_METHODS, func)
    if rollout_size is not None:
        rollout_size = check_int(rollout_size, "rollout_size", func, min_value=1)
    rate = responders / contacted
    low, high = proportion_confint(responders, contacted, alpha=1 - ci, method=method)
    be = c / m
    row = {"responders": responders, "contacted": contacted, "response_rate": rate, "ci_low": float(low),
           "ci_high": float(high), "break_even": be, "profit_per_contact": rate * m - c,
           "profit_per_contact_low": low * m - c, "profit_per_contact_high": high * m - c}
    if rollout_size is not None:
        row.update({"rollout_profit": rollout_size * (rate * m - c), "rollout_profit_low": rollout_size * (low * m - c),
                    "rollout_profit_high": rollout_size * (high * m - c)})
    level = f"{ci:.0%}"
    if low > be:
        decision = "roll out"
        reason = f"the {level} interval [{low:.2%}, {high:.2%}] lies above the break-even rate {be:.2%}"
    elif high < be:
        decision = "do not roll out"
        reason = f"the {level} interval [{low:.2%}, {high:.2%}] lies below the break-even rate {be:.2%}"
    else:
        decision = "inconclusive: enlarge the test cell"
        reason = f"the {level} interval [{low:.2%}, {high:.2%}] contains the break-even rate {be:.2%}"
    return CampaignTestResult(pd.DataFrame([row]), decision, reason, method)


# the decisions of campaign_test, as the Persian figure writes them
_DECISIONS_FA = {
    "roll out": "اجرای گسترده",
    "do not roll out": "بدون اجرای گسترده",
    "inconclusive: enlarge the test cell": "بی‌نتیجه: سلول آزمون را بزرگ‌تر کنید",
}


@dataclass(repr=False, eq=False)
class CampaignTestResult(Result):
    """Test-cell response rate, its interval, the break-even rate and the roll-out decision."""

    title: ClassVar[str] = "Campaign test cell"
    table: pd.DataFrame
    decision: str
    reason: str
    method: str

    @property
    def response_rate(self) -> float:
        return float(self.table["response_rate"].iloc[0])

    def to_frame(self) -> pd.DataFrame:
        return self.table.copy()

    def _summary_tables(self):
        return [("Test cell", self.table.T.rename(columns={0: "value"}))]

    def _summary_notes(self):
        return [f"Decision: {self.decision} ({self.reason}).", f"Interval: {self.method}."] + list(self.warnings)

    def plot(self, ax=None, *, lang: str = "en"):
        """The response rate with its interval against the break-even line.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.
        lang : {"en", "fa"}, default "en"
            Language of the title, axis label and legend; "fa" writes them in Persian,
            with Persian digits on the axis.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        from crm_research.core.plotting import check_lang, label, persian_ticks

        lang = check_lang(lang, "lang", "CampaignTestResult.plot")
        with _plot_style(lang):
            if ax is None:
                _, ax = plt.subplots(figsize=(5, 2.5))
            t = self.table.iloc[0]
            # max(0, .): at a rate of 0 or 1 the Wilson limit can miss it by a rounding error (matplotlib refuses < 0)
            ax.errorbar([t["response_rate"]], [0], xerr=[[max(0.0, t["response_rate"] - t["ci_low"])],
                                                        [max(0.0, t["ci_high"] - t["response_rate"])]],
                        fmt="o", capsize=6, label=label("test-cell response rate", "نرخ پاسخ سلول آزمون", lang))
            ax.axvline(t["break_even"], color="#D55E00", ls="--", label=label("break-even rate", "نرخ سربه‌سر", lang))
            ax.set_yticks([])
            ax.set_xlabel(label("response rate", "نرخ پاسخ", lang))
            ax.set_title(label(f"Decision: {self.decision}",
                               f"تصمیم: {_DECISIONS_FA.get(self.decision, self.decision)}", lang))
            if lang == "fa":  # the house style draws legends without a frame: keep the break-even line off the text
                ax.legend(fontsize=8, loc="upper right", frameon=True)
            else:
                ax.legend(fontsize=8, loc="upper right")
            persian_ticks(ax, lang, "x")
        return ax


@renamed_arguments(target="target_col")
@positional_options
def response_model(data: pd.DataFrame, features, target_col: str = "responded", *, models=("logistic", "gbm"),
                   cv: int = 5, seed: int | None = None, bins: int = 10) -> PropensityResult:
    """Score customers for their likelihood to respond to an offer (the primer's scoring step).

    Same arguments and result as :func:`crm_research.analytics.churn.churn_model`, with
    ``target_col`` a 0/1 response column of past campaign data; use
    :meth:`PropensityResult.predict` to score the customers of the next campaign and
    ``gains`` to see how deep to go into the list.
    """
    return _fit_propensity(data, features, target_col, models, cv, seed, bins, "response_model", "response")


# ----------------------------------------------------------------------------- uplift


def _check_binary(values, name, func) -> np.ndarray:
    s = pd.Series(values)
    if s.isna().any():
        raise CRMInputError(f"'{name}' of {func} has {int(s.isna().sum())} missing value(s) "
                            f"(rows {examples_of(s.index[s.isna()])}).")
    vals = set(pd.unique(s).tolist())
    if not vals <= {0, 1}:
        raise CRMInputError(f"'{name}' of {func} must be 0/1 or True/False. Got values {examples_of(sorted(vals, key=str))}.")
    return s.astype(int).to_numpy()


class QiniCurve(DeclaredTable):
    """The table :func:`qini_curve` returns; ``qini_area`` is the area between the curve and random targeting."""

    _metadata: ClassVar[list[str]] = ["qini_area"]
    qini_area: float | None = None


def qini_curve(response, treatment, score) -> QiniCurve:
    """The Qini curve: incremental responders as more customers are targeted, best uplift scores first.

    Parameters
    ----------
    response : array of 0/1
        Observed response.
    treatment : array of 0/1
        1 = contacted (treated), 0 = randomised control.
    score : array of float
        Predicted uplift (higher = target first).

    Returns
    -------
    QiniCurve
        One row per distinct score (plus a starting row of zeros): ``n`` (customers
        targeted), ``fraction``, ``n_treated``, ``n_control``, ``responders_treated``,
        ``responders_control``, ``qini`` (incremental responders) and ``random`` (the
        straight line of random targeting); ``.qini_area`` is the area between
        the curve and the random line.

    Notes
    -----
    With customers ordered by score, among the top :math:`\\phi` share
    :math:`Q(\\phi) = R_T(\\phi) - R_C(\\phi)\\, N_T(\\phi) / N_C(\\phi)` (Radcliffe 2007),
    where R are responders and N customers in the treated (T) and control (C) groups;
    the ratio term is 0 while no control customer is included. Customers with tied
    scores enter together. Random targeting gives :math:`\\phi\\, Q(1)`. The area between
    the curve and that line (trapezoid rule over :math:`\\phi`) is the (unnormalised)
    Qini coefficient: positive when the model ranks persuadable customers first.

    References
    ----------
    Radcliffe, N. J. (2007). Using control groups to target on predicted lift:
    Building and assessing uplift models. *Direct Marketing Analytics Journal*, 1, 14-21.

    Examples
    --------
    >>> q = qini_curve([1, 0, 0, 1], [1, 0, 1, 0], [0.9, 0.8, 0.3, 0.1])
    >>> q["qini"].tolist()
    [0.0, 1.0, 1.0, 1.0, 0.0]
    >>> q.qini_area
    0.75
    """
    func = "qini_curve"
    y = _check_binary(response, "response", func)
    t = _check_binary(treatment, "treatment", func)
    s = _float_scores(score, "score", func)
    if s.ndim != 1 or not (len(y) == len(t) == len(s)):
        raise CRMInputError(f"'response', 'treatment' and 'score' of {func} must have equal length; "
                            f"got {len(y)}, {len(t)}, {len(s)}.")
    if np.isnan(s).any():
        raise CRMInputError(f"'score' of {func} has {int(np.isnan(s).sum())} missing value(s).")
    if t.sum() == 0 or t.sum() == len(t):
        raise CRMInputError(f"{func} needs both treated (1) and control (0) customers in 'treatment'.")
    order = np.argsort(-s, kind="stable")
    y, t, s = y[order], t[order], s[order]
    nt, nc = np.cumsum(t), np.cumsum(1 - t)
    rt, rc = np.cumsum(y * t), np.cumsum(y * (1 - t))
    # keep the last position of each run of tied scores
    last = np.r_[s[1:] != s[:-1], True]
    nt, nc, rt, rc = nt[last], nc[last], rt[last], rc[last]
    n = np.flatnonzero(last) + 1
    with np.errstate(divide="ignore", invalid="ignore"):
        qini = rt - np.where(nc > 0, rc * nt / np.where(nc > 0, nc, 1), 0.0)
    frame = pd.DataFrame({"n": np.r_[0, n], "fraction": np.r_[0, n / len(y)], "n_treated": np.r_[0, nt],
                          "n_control": np.r_[0, nc], "responders_treated": np.r_[0, rt],
                          "responders_control": np.r_[0, rc], "qini": np.r_[0.0, qini]})
    frame["random"] = frame["fraction"] * frame["qini"].iloc[-1]
    gap = (frame["qini"] - frame["random"]).to_numpy()
    frac = frame["fraction"].to_numpy()
    return QiniCurve.of(frame, qini_area=float(np.sum((gap[1:] + gap[:-1]) / 2 * np.diff(frac))))


@positional_options
def uplift_model(
    data: pd.DataFrame,
    features,
    treatment_col: str,
    response_col: str,
    *,
    model: str = "logistic",
    cv: int = 5,
    seed: int | None = None,
    segment_col: str | None = None,
    ci: float = 0.95,
    bins: int = 10,
) -> UpliftResult:
    """Two-model uplift: who responds *because* of the offer, judged against a control cell.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per targeted customer, with a randomised treatment/control flag. Not modified.
    features : list of str
        Numeric predictors (e.g. RFM, segment dummies); no missing values.
    treatment_col : str
        0/1 (or bool) column: 1 = contacted, 0 = held-out control.
    response_col : str
        0/1 (or bool) response.
    model : {"logistic", "gbm"}
        Classifier used for both response models (see :func:`crm_research.analytics.churn.churn_model`).
    cv : int, default 5
        Folds: every customer's uplift score comes from models that did not see them.
    seed : int, optional
        Seed of the folds (and the boosting model).
    segment_col : str, optional
        Column whose groups get an observed-uplift table (e.g. a segment).
    ci : float, default 0.95
        Confidence level of the observed uplift intervals.
    bins : int, default 10
        Bins of the uplift-by-decile table.

    Returns
    -------
    UpliftResult
        ``scores`` (out-of-fold ``p_treated``, ``p_control``, ``uplift`` per customer),
        ``qini`` (:func:`qini_curve`), ``qini_area``, ``overall`` (observed uplift with
        ``ci_low``/``ci_high``), ``deciles`` (by predicted uplift: ``bin``, ``n``,
        ``predicted_uplift``, ``rate_treated``, ``rate_control``, ``observed_uplift``),
        and with ``segment_col`` ``by_segment`` (``n_treated``, ``n_control``,
        ``rate_treated``, ``rate_control``, ``observed_uplift``, ``ci_low``, ``ci_high``,
        ``predicted_uplift``).

    Notes
    -----
    The two-model (T-learner) estimate is
    :math:`\\hat\\tau(x) = \\hat P(y=1 \\mid x, T=1) - \\hat P(y=1 \\mid x, T=0)`, with one
    classifier fitted on treated and one on control customers (Hansotia & Rukstales
    2002; Lo 2002). Observed uplift in a group is the difference of response rates,
    with Newcombe's hybrid-score interval (statsmodels ``confint_proportions_2indep``).
    Only a randomised control cell makes the difference causal.

    References
    ----------
    Hansotia, B., & Rukstales, B. (2002). Incremental value modeling. *Journal of
    Interactive Marketing*, 16(3), 35-46.

    Lo, V. S. Y. (2002). The true lift model. *ACM SIGKDD Explorations*, 4(2), 78-86.

    Radcliffe, N. J. (2007). Using control groups to target on predicted lift.
    *Direct Marketing Analytics Journal*, 1, 14-21.

    Newcombe, R. G. (1998). Interval estimation for the difference between independent
    proportions. *Statistics in Medicine*, 17(8), 873-890.
    """
    from sklearn.base import clone
    from sklearn.model_selection import StratifiedKFold
    from statsmodels.stats.proportion import confint_proportions_2indep

    from crm_research.analytics.churn import MODELS, _make_model

    func = "uplift_model"
    data = check_dataframe(data, func=func, min_rows=20)
    features = check_columns(data, features, name="features", func=func)
    check_columns(data, [treatment_col], name="treatment_col", func=func)
    check_columns(data, [response_col], name="response_col", func=func)
    for col in (treatment_col, response_col):
        if col in features:
            raise CRMInputError(f"Column {col!r} is listed in 'features' of {func}; it must not be a predictor.")
    X = check_numeric_columns(data, features, func=func, allow_missing=False).to_numpy(dtype=float)
    t = _check_binary(data[treatment_col], treatment_col, func)
    y = _check_binary(data[response_col], response_col, func)
    model = check_choice(model, "model", MODELS, func)
    cv = check_int(cv, "cv", func, min_value=2)
    seed = check_seed(seed, func)
    ci = check_ci(ci, func)
    bins = check_int(bins, "bins", func, min_value=2, max_value=len(y))
    strata = 2 * t + y
    counts = np.bincount(strata, minlength=4)
    if counts.min() < cv:
        names = ["control non-responders", "control responders", "treated non-responders", "treated responders"]
        raise CRMInputError(
            f"{func} needs at least {cv} customers in each of {', '.join(names)} for {cv}-fold cross-fitting; "
            f"got {dict(zip(names, counts.tolist()))}."
        )
    if segment_col is not None:
        check_columns(data, [segment_col], name="segment_col", func=func)

    p1, p0 = np.empty(len(y)), np.empty(len(y))
    # one OpenMP thread: boosting spin-waits on shared cores (see crm_research.analytics.segmentation)
    with single_thread():
        for train, test in StratifiedKFold(n_splits=cv, shuffle=True, random_state=seed).split(X, strata):
            tr1, tr0 = train[t[train] == 1], train[t[train] == 0]
            m1 = clone(_make_model(model, seed)).fit(X[tr1], y[tr1])
            m0 = clone(_make_model(model, seed)).fit(X[tr0], y[tr0])
            p1[test] = m1.predict_proba(X[test])[:, 1]
            p0[test] = m0.predict_proba(X[test])[:, 1]
    uplift = p1 - p0
    scores = pd.DataFrame({"p_treated": p1, "p_control": p0, "uplift": uplift}, index=data.index)
    qini = qini_curve(y, t, uplift)

    def observed(mask):
        n1, n0 = int(t[mask].sum()), int((1 - t[mask]).sum())
        r1, r0 = int((y * t)[mask].sum()), int((y * (1 - t))[mask].sum())
        row = {"n_treated": n1, "n_control": n0, "rate_treated": r1 / n1 if n1 else np.nan,
               "rate_control": r0 / n0 if n0 else np.nan}
        row["observed_uplift"] = row["rate_treated"] - row["rate_control"]
        if n1 and n0:
            lo, hi = confint_proportions_2indep(r1, n1, r0, n0, method="newcomb", compare="diff", alpha=1 - ci)
        else:
            lo = hi = np.nan
        row.update({"ci_low": float(lo), "ci_high": float(hi), "predicted_uplift": float(uplift[mask].mean())})
        return row

    overall = pd.DataFrame([observed(np.ones(len(y), dtype=bool))])
    order = np.argsort(-uplift, kind="stable")
    dec_rows = []
    for b, idx in enumerate(np.array_split(order, bins), start=1):
        mask = np.zeros(len(y), dtype=bool)
        mask[idx] = True
        r = observed(mask)
        dec_rows.append({"bin": b, "n": len(idx), "predicted_uplift": r["predicted_uplift"],
                         "rate_treated": r["rate_treated"], "rate_control": r["rate_control"],
                         "observed_uplift": r["observed_uplift"]})
    by_segment = None
    if segment_col is not None:
        seg = data[segment_col]
        rows = []
        for level in pd.unique(seg.dropna()):
            r = observed((seg == level).to_numpy())
            rows.append({segment_col: level, **r})
        by_segment = pd.DataFrame(rows).sort_values("observed_uplift", ascending=False, kind="stable")
        by_segment = by_segment.reset_index(drop=True)
    return UpliftResult(scores=scores, qini=qini, qini_area=qini.qini_area, overall=overall,
                        deciles=pd.DataFrame(dec_rows), by_segment=by_segment, model=model, cv=cv, ci=ci)


@dataclass(repr=False, eq=False)
class UpliftResult(Result):
    """Two-model uplift scores, Qini curve and observed uplift by decile and segment."""

    title: ClassVar[str] = "Uplift model (two-model approach)"
    scores: pd.DataFrame
    qini: pd.DataFrame
    qini_area: float
    overall: pd.DataFrame
    deciles: pd.DataFrame
    by_segment: pd.DataFrame | None
    model: str
    cv: int
    ci: float

    def to_frame(self) -> pd.DataFrame:
        """Observed uplift by segment if a segment column was given, otherwise by predicted-uplift decile."""
        return (self.by_segment if self.by_segment is not None else self.deciles).copy()

    def _summary_tables(self):
        tables = [("Overall (treated vs control)", self.overall),
                  ("By predicted-uplift decile (out-of-fold)", self.deciles.set_index("bin"))]
        if self.by_segment is not None:
            tables.append(("By segment", self.by_segment.set_index(self.by_segment.columns[0])))
        return tables

    def _summary_notes(self):
        return [f"Qini area (incremental responders above random targeting): {self.qini_area:.3f}.",
                f"Model: {self.model}, {self.cv}-fold cross-fitting; intervals {self.ci:.0%} (Newcombe)."]

    def plot(self, ax=None, *, lang: str = "en"):
        """The Qini curve against random targeting.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.
        lang : {"en", "fa"}, default "en"
            Language of the title, axis labels and legend; "fa" writes them in Persian,
            with Persian digits on the axes.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        from crm_research.core.plotting import check_lang, label, ltr, number, persian_ticks

        lang = check_lang(lang, "lang", "UpliftResult.plot")
        with _plot_style(lang):
            if ax is None:
                _, ax = plt.subplots(figsize=(5.5, 4))
            area = number(f"{self.qini_area:.1f}", lang)
            # ltr(): a negative area keeps its minus sign on the left inside the Persian label
            ax.plot(self.qini["fraction"], self.qini["qini"],
                    label=label(f"uplift model (area {area})", f"مدل اثر افزایشی (مساحت {ltr(area)})", lang))
            ax.plot(self.qini["fraction"], self.qini["random"], ":", color="grey",
                    label=label("random targeting", "هدف‌گذاری تصادفی", lang))
            ax.set_xlabel(label("share of customers targeted (highest predicted uplift first)",
                                "سهم مشتریان هدف‌گذاری‌شده (بیشترین اثر افزایشی پیش‌بینی‌شده نخست)", lang))
            ax.set_ylabel(label("incremental responders", "پاسخ‌دهندگان افزوده", lang))
            ax.set_title(label("Qini curve", "منحنی کیونی", lang))
            ax.legend(fontsize=8)
            persian_ticks(ax, lang)
        return ax


# ----------------------------------------------------------------------------- responses


@positional_options
def negative_responses(data: pd.DataFrame, reason_col: str = "refusal_reason", group_col: str | None = None, *,
                       ci: float = 0.95) -> NegativeResponseResult:
    """Why offers were refused: shares of refusal reasons, with intervals, overall and by group.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per contacted non-responder; rows without a reason (not asked) are
        counted but left out of the shares. Not modified.
    reason_col : str, default "refusal_reason"
        The stated reason (e.g. price, fit, timing, channel, privacy).
    group_col : str, optional
        Compare reasons across groups (segment, campaign); adds a chi-square test of independence.
    ci : float, default 0.95
        Confidence level of the Wilson intervals of the shares.

    Returns
    -------
    NegativeResponseResult
        ``reasons`` (``reason``, ``count``, ``share``, ``ci_low``, ``ci_high``), ``n_with_reason``,
        ``n_without_reason``; with ``group_col``: ``by_group`` (row shares) and ``test``
        (``chisq``, ``df``, ``pvalue``, ``cramers_v``).

    Notes
    -----
    Shares are among non-responders who gave a reason; Wilson intervals per reason.
    The chi-square test (scipy ``chi2_contingency``) asks whether the mix of reasons
    differs between groups; Cramér's :math:`V = \\sqrt{\\chi^2 / (n (\\min(r, c) - 1))}`.
    A "price" refusal calls for a different offer, a "fit" refusal for different
    targeting: the primer's point that negative responses inform the next campaign.

    References
    ----------
    Wilson, E. B. (1927). *JASA*, 22(158), 209-212.

    Cramér, H. (1946). *Mathematical Methods of Statistics*. Princeton University Press.
    """
    from scipy.stats import chi2_contingency
    from statsmodels.stats.proportion import proportion_confint

    func = "negative_responses"
    data = check_dataframe(data, func=func)
    check_columns(data, [reason_col], name="reason_col", func=func)
    ci = check_ci(ci, func)
    reason = data[reason_col].astype("object").where(data[reason_col].notna(), None)
    has = reason.notna()
    n_with = int(has.sum())
    if n_with == 0:
        raise CRMInputError(f"Column {reason_col!r} has no recorded reason; nothing to analyse.")
    counts = reason[has].astype(str).value_counts()
    low, high = proportion_confint(counts.to_numpy(), n_with, alpha=1 - ci, method="wilson")
    reasons = pd.DataFrame({"reason": counts.index, "count": counts.to_numpy(), "share": counts.to_numpy() / n_with,
                            "ci_low": low, "ci_high": high})
    by_group = test = None
    if group_col is not None:
        check_columns(data, [group_col], name="group_col", func=func)
        g = data.loc[has, group_col]
        if g.isna().any():
            bad = g.index[g.isna()]
            raise CRMInputError(f"Column {group_col!r} has {len(bad)} missing value(s) among rows with a reason "
                                f"(rows {examples_of(bad)}).")
        table = pd.crosstab(g.astype(str).to_numpy(), reason[has].astype(str).to_numpy())
        table.index.name, table.columns.name = group_col, "reason"
        table = table[[c for c in counts.index if c in table.columns]]
        by_group = table.div(table.sum(axis=1), axis=0)
        by_group.insert(0, "n", table.sum(axis=1))
        if table.shape[0] > 1 and table.shape[1] > 1:
            chisq, pvalue, df, _ = chi2_contingency(table.to_numpy())
            v = math.sqrt(chisq / (table.to_numpy().sum() * (min(table.shape) - 1)))
            test = pd.DataFrame([{"chisq": chisq, "df": int(df), "pvalue": pvalue, "cramers_v": v}])
    return NegativeResponseResult(reasons, n_with, int((~has).sum()), by_group, test, ci)


@dataclass(repr=False, eq=False)
class NegativeResponseResult(Result):
    """Shares of refusal reasons with intervals, optionally compared across groups."""

    title: ClassVar[str] = "Negative responses: why offers were refused"
    reasons: pd.DataFrame
    n_with_reason: int
    n_without_reason: int
    by_group: pd.DataFrame | None
    test: pd.DataFrame | None
    ci: float

    def to_frame(self) -> pd.DataFrame:
        return self.reasons.copy()

    def _summary_tables(self):
        tables = [("Refusal reasons", self.reasons.set_index("reason"))]
        if self.by_group is not None:
            tables.append(("Share of each reason by group", self.by_group))
        if self.test is not None:
            tables.append(("Chi-square test: do reasons differ between groups?", self.test))
        return tables

    def _summary_notes(self):
        return [f"{self.n_with_reason} refusals with a reason; {self.n_without_reason} without (not asked or "
                f"not answered) are left out of the shares. Intervals: Wilson {self.ci:.0%}."]

    def plot(self, ax=None, *, lang: str = "en"):
        """Bar chart of reason shares with intervals.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.
        lang : {"en", "fa"}, default "en"
            Language of the title and axis label; "fa" writes them in Persian, with Persian
            digits on the share axis, and lays the chart out right to left (reasons on the
            right, bars growing leftwards). The reasons are the data's own labels.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        from crm_research.core.plotting import check_lang, label, persian_ticks, rtl_axes

        lang = check_lang(lang, "lang", "NegativeResponseResult.plot")
        with _plot_style(lang):
            if ax is None:
                _, ax = plt.subplots(figsize=(5.5, 3.5))
            r = self.reasons
            ax.barh(r["reason"], r["share"], xerr=[r["share"] - r["ci_low"], r["ci_high"] - r["share"]], capsize=4)
            ax.invert_yaxis()
            ax.set_xlabel(label("share of refusals", "سهم ردها", lang))
            ax.set_title(label("Why offers were refused", "چرا پیشنهادها رد شدند؟", lang))
            if lang == "fa":
                rtl_axes(ax)
                ax.invert_xaxis()
                persian_ticks(ax, lang, "x")
        return ax


@positional_options
def winback_timing(data: pd.DataFrame, week_col: str, response_col: str, *, first: int = 1, compare: int = 4,
                   ci: float = 0.95) -> WinbackTimingResult:
    """Win-back success by the week of contact after defection, and the week-1 / week-4 ratio.

    Parameters
    ----------
    data : pandas.DataFrame
        One row per contacted defector. Not modified.
    week_col : str
        Week of the contact after defection (1 = first week).
    response_col : str
        0/1 (or bool): the customer came back.
    first, compare : int, default 1 and 4
        The weeks whose response rates are compared (the primer: first vs fourth week).
    ci : float, default 0.95
        Confidence level.

    Returns
    -------
    WinbackTimingResult
        ``by_week`` (``week``, ``contacted``, ``won_back``, ``rate``, ``ci_low``,
        ``ci_high``) and ``ratio`` (``rate_first``, ``rate_compare``, ``ratio``, ``ci_low``,
        ``ci_high``).

    Notes
    -----
    Rates have Wilson intervals; the ratio of two independent proportions has the
    log (Katz) interval of statsmodels ``confint_proportions_2indep(compare="ratio",
    method="log")``. The primer's claim is a ratio of about four. The comparison is
    causal only when the week of contact was assigned at random.

    References
    ----------
    Katz, D., Baptista, J., Azen, S. P., & Pike, M. C. (1978). Obtaining confidence
    intervals for the risk ratio in cohort studies. *Biometrics*, 34(3), 469-474.

    Griffin, J., & Lowenstein, M. W. (2001). *Customer Winback*. Jossey-Bass.
    """
    from statsmodels.stats.proportion import confint_proportions_2indep, proportion_confint

    func = "winback_timing"
    data = check_dataframe(data, func=func)
    check_columns(data, [week_col, response_col], name="columns", func=func, params=["week_col", "response_col"])
    week = check_numeric_columns(data, [week_col], func=func, allow_missing=False)[week_col]
    if not np.all(week == np.round(week)) or (week < 1).any():
        bad = week.index[(week != np.round(week)) | (week < 1)]
        raise CRMInputError(f"Column {week_col!r} must hold whole weeks >= 1; {len(bad)} row(s) do not "
                            f"(rows {examples_of(bad)}, values {examples_of(week[bad])}).")
    y = _check_binary(data[response_col], response_col, func)
    ci = check_ci(ci, func)
    first = check_int(first, "first", func, min_value=1)
    compare = check_int(compare, "compare", func, min_value=1)
    frame = pd.DataFrame({"week": week.astype(int).to_numpy(), "y": y})
    g = frame.groupby("week")["y"].agg(["size", "sum"]).rename(columns={"size": "contacted", "sum": "won_back"})
    low, high = proportion_confint(g["won_back"].to_numpy(), g["contacted"].to_numpy(), alpha=1 - ci, method="wilson")
    by_week = g.reset_index().assign(rate=lambda f: f["won_back"] / f["contacted"], ci_low=low, ci_high=high)
    for w, name in ((first, "first"), (compare, "compare")):
        if w not in set(by_week["week"]):
            raise param_error(name, f"a week present in {week_col!r} ({sorted(by_week['week'].tolist())})", w, func)
    a = by_week.set_index("week").loc[first]
    b = by_week.set_index("week").loc[compare]
    if b["won_back"] == 0:
        lo = hi = ratio = np.nan
    elif a["won_back"] == 0:
        # the Katz interval works on log counts and is undefined at 0 (statsmodels divides by zero)
        ratio, lo, hi = 0.0, np.nan, np.nan
    else:
        ratio = a["rate"] / b["rate"]
        lo, hi = confint_proportions_2indep(int(a["won_back"]), int(a["contacted"]), int(b["won_back"]),
                                            int(b["contacted"]), compare="ratio", method="log", alpha=1 - ci)
    ratio_t = pd.DataFrame([{"week_first": first, "week_compare": compare, "rate_first": a["rate"],
                             "rate_compare": b["rate"], "ratio": ratio, "ci_low": float(lo), "ci_high": float(hi)}])
    return WinbackTimingResult(by_week, ratio_t, ci)


@dataclass(repr=False, eq=False)
class WinbackTimingResult(Result):
    """Win-back response by week of contact and the ratio of two weeks."""

    title: ClassVar[str] = "Win-back timing"
    by_week: pd.DataFrame
    ratio: pd.DataFrame
    ci: float

    def to_frame(self) -> pd.DataFrame:
        return self.by_week.copy()

    def _summary_tables(self):
        return [("Win-back rate by week of contact", self.by_week.set_index("week")),
                ("Ratio of response rates", self.ratio)]

    def plot(self, ax=None, *, lang: str = "en"):
        """Win-back rate by week with intervals.

        Parameters
        ----------
        ax : matplotlib.axes.Axes, optional
            Where to draw; a new figure when omitted.
        lang : {"en", "fa"}, default "en"
            Language of the title and axis labels; "fa" writes them in Persian, with Persian
            digits on the axes.

        Returns
        -------
        matplotlib.axes.Axes
        """
        import matplotlib.pyplot as plt

        from crm_research.core.plotting import check_lang, label, persian_ticks

        lang = check_lang(lang, "lang", "WinbackTimingResult.plot")
        with _plot_style(lang):
            if ax is None:
                _, ax = plt.subplots(figsize=(5.5, 3.5))
            w = self.by_week
            # clipped: at a rate of 0 or 1 the Wilson limit can miss the rate by a rounding error, and
            # matplotlib refuses negative error bars
            yerr = [(w["rate"] - w["ci_low"]).clip(lower=0), (w["ci_high"] - w["rate"]).clip(lower=0)]
            ax.errorbar(w["week"], w["rate"], yerr=yerr, fmt="o-", capsize=4)
            ax.set_xlabel(label("week of contact after defection", "هفتهٔ تماس پس از ریزش", lang))
            ax.set_ylabel(label("share won back", "سهم مشتریان بازگشته", lang))
            ax.set_title(label("Win-back success falls with delay",
                               "موفقیت بازگرداندن مشتری با تأخیر کم می‌شود", lang))
            persian_ticks(ax, lang)
        return ax
