"""Customer lifetime value with buy-till-you-die models: BG/NBD and Gamma-Gamma.

* :func:`fit_bgnbd`: the beta-geometric/negative-binomial model of repeat
  purchasing (Fader, Hardie & Lee 2005), fitted by maximum likelihood.  It gives
  each customer's probability of still being "alive" and expected purchases.
* :func:`fit_gamma_gamma`: the Gamma-Gamma model of average spend per
  transaction (Fader, Hardie & Lee 2005b; Fader & Hardie 2013).
* :func:`clv`: discounted expected value of each customer over a horizon in
  months, combining the two models.

The input is the customer-by-sufficient-statistic table made by
:func:`crm_research.summarize_transactions` (``frequency`` = repeat purchases,
``recency``, ``T``, ``monetary_value``), whose ``time_unit`` the fitted model
keeps; a fitted model also keeps the names of the columns it was fitted on, so
``p_alive``, ``predict`` and :func:`clv` read a summary with the same names.  The likelihoods are written out here,
vectorised with :mod:`scipy.special`, because no maintained Python library
returns these maximum-likelihood estimates: ``lifetimes`` is archived, and
PyMC-Marketing's defaults give posterior (MAP) estimates under priors.  The
estimates reproduce the published CDNOW values (see ``tests/test_clv.py``).
"""

from __future__ import annotations

import copy as _copy
import warnings
from dataclasses import dataclass, field
from typing import Any, ClassVar

import numpy as np
import pandas as pd
from scipy import optimize, special, stats

from crm_research.analytics.rfm import TransactionSummary
from crm_research.core.deprecation import positional_options
from crm_research.core.errors import CRMConvergenceWarning, CRMInputError
from crm_research.core.resampling import percentile_interval
from crm_research.core.results import DeclaredTable, Result
from crm_research.core.transactions import check_date, check_transactions
from crm_research.core.validation import (
    check_ci,
    check_columns,
    check_dataframe,
    check_int,
    check_number,
    check_seed,
    examples_of,
    param_error,
)

__all__ = ["fit_bgnbd", "fit_gamma_gamma", "clv", "BGNBDResult", "GammaGammaResult", "TrackingTable", "CLVTable"]

_DAYS_PER_UNIT = {"D": 1.0, "W": 7.0, "M": 365.25 / 12.0}
_DAYS_PER_MONTH = 365.25 / 12.0


# --------------------------------------------------------------------------- input checks


def _times(t: Any, func: str) -> np.ndarray:
    """Float array of time spans ``t``; text, missing, infinite or negative values raise."""
    try:
        values = np.asarray(t, dtype=float)
    except (TypeError, ValueError):
        raise param_error("t", "a number >= 0 or an array of such numbers", t, func) from None
    if np.any(values < 0) or not np.all(np.isfinite(values)):
        raise param_error("t", "finite and >= 0", t, func)
    return values


def _summary_columns(
    summary: Any, cols: dict[str, str], func: str, min_rows: int = 1
) -> dict[str, np.ndarray]:
    """Float arrays of the named columns, after checking every value."""
    check_dataframe(summary, "summary", func, min_rows=min_rows)
    check_columns(summary, list(cols.values()), name="columns", func=func, params=[f"{r}_col" for r in cols])
    out = {}
    for role, col in cols.items():
        series = summary[col]
        if pd.api.types.is_bool_dtype(series) or not pd.api.types.is_numeric_dtype(series):
            raise CRMInputError(
                f"Column {col!r} (the {role} column of {func}) must be numeric. Got dtype {series.dtype}."
            )
        values = series.to_numpy(dtype="float64", na_value=np.nan)
        bad = ~np.isfinite(values)
        if bad.any():
            raise CRMInputError(
                f"Column {col!r} (the {role} column of {func}) has {int(bad.sum())} missing or infinite value(s) "
                f"(rows {examples_of(series.index[bad])})."
            )
        negative = values < 0
        if negative.any():
            raise CRMInputError(
                f"Column {col!r} (the {role} column of {func}) has {int(negative.sum())} negative value(s) "
                f"(rows {examples_of(series.index[negative])}); it must be >= 0."
            )
        out[role] = values
    if "frequency" in out:
        x = out["frequency"]
        frac = x != np.round(x)
        if frac.any():
            raise CRMInputError(
                f"Column {cols['frequency']!r} (the frequency column of {func}) must hold whole numbers of repeat "
                f"purchases; {int(frac.sum())} value(s) are not (rows {examples_of(summary.index[frac])})."
            )
    if "recency" in out and "T" in out:
        x, tx, T = out.get("frequency"), out["recency"], out["T"]
        # Summaries rounded to 2 decimals (as published) may show recency a hair above T.
        late = tx > T + 1e-6 * np.maximum(1.0, T) + 0.006
        if late.any():
            raise CRMInputError(
                f"Column {cols['recency']!r} exceeds {cols['T']!r} in {int(late.sum())} row(s) "
                f"(rows {examples_of(summary.index[late])}): the last purchase cannot come after the end of "
                "the calibration period. Check that recency is measured from the first purchase."
            )
        if x is not None:
            odd = (x == 0) & (tx > 0)
            if odd.any():
                raise CRMInputError(
                    f"{int(odd.sum())} customer(s) have no repeat purchase but recency > 0 (rows "
                    f"{examples_of(summary.index[odd])}). In buy-till-you-die summaries recency is the time "
                    "from the first to the last purchase, so it is 0 when frequency is 0; use "
                    "crm.summarize_transactions to build the table."
                )
    return out


def _check_time_unit(time_unit: Any, func: str) -> str | None:
    if time_unit is not None and time_unit not in _DAYS_PER_UNIT:
        raise CRMInputError(
            f"The 'time_unit' parameter of {func} must be one of 'D', 'W', 'M' (the unit of recency and T). "
            f"Got {time_unit!r} instead."
        )
    return time_unit


def _resolve_time_unit(summary: Any, time_unit: Any, func: str, fitted: str | None = None) -> str | None:
    """The one time unit that the argument, the summary and (with ``fitted``) the model agree on.

    A unit stated in two places that differ is an error: recency and T measured in
    days but read as weeks would value every customer 7 times too high.
    """
    stated = {}
    if fitted is not None:
        stated["the fitted model"] = fitted
    if isinstance(summary, TransactionSummary) and summary.time_unit is not None:
        stated["the summary (from summarize_transactions)"] = summary.time_unit
    if time_unit is not None:
        stated["the 'time_unit' parameter"] = _check_time_unit(time_unit, func)
    units = set(stated.values())
    if len(units) > 1:
        raise CRMInputError(
            f"{func}: the time unit of recency and T is stated differently by "
            + " and ".join(f"{where} ({unit!r})" for where, unit in stated.items())
            + ". Use one unit: refit the model on a summary in the unit you want, or drop the conflicting argument."
        )
    return units.pop() if units else None


# --------------------------------------------------------------------------- fitting helpers


# A likelihood over more distinct customer histories than this is first maximised on a random sample of
# _WARM_CUSTOMERS customers; from that optimum, with its curvature, the fit on all of them needs a few Newton
# iterations instead of a hundred BFGS ones (a 1M-customer Pareto/NBD fit took minutes from a cold start).
_WARM_ROWS = 20_000
_WARM_CUSTOMERS = 50_000


def _distinct_rows(*columns: np.ndarray, weight: np.ndarray | None = None) -> tuple[list[np.ndarray], np.ndarray]:
    """Distinct rows of equal-length columns (sorted as ``np.unique(axis=0)``) and their total weight.

    Customers with the same history share one likelihood term, so each is evaluated once and
    weighted by how many customers (or, with ``weight``, how much weight) share it.
    """
    frame = pd.DataFrame(dict(enumerate(columns)))
    frame["w"] = 1.0 if weight is None else weight
    counts = frame.groupby(list(range(len(columns))), sort=True)["w"].sum()
    keys = counts.index.to_frame(index=False).to_numpy(dtype=float)
    return [keys[:, i] for i in range(len(columns))], counts.to_numpy(dtype=float)


def _weighted_mle(loglik, columns: list[np.ndarray], weight: np.ndarray, start: np.ndarray, names: list[str],
                  n: int, ci: float):
    """:func:`_mle` of ``sum(weight * loglik(exp(z), *columns))``, warm-started on a sample when the data are large."""
    def make(cols, w):
        def negll(z):
            with np.errstate(all="ignore"):
                total = -(w * loglik(np.exp(z), *cols)).sum()
            return total if np.isfinite(total) else 1e300

        return negll

    warm = None
    if len(weight) > _WARM_ROWS:
        # a multinomial draw of customers: how many of the sample have each distinct history
        k = np.random.default_rng(0).multinomial(_WARM_CUSTOMERS, weight / weight.sum()).astype(float)
        keep = k > 0
        warm = (make([c[keep] for c in columns], k[keep]), _WARM_CUSTOMERS)
    return _mle(make(columns, weight), start, names, n, ci, warm=warm)


def _warm_newton(fun, warm, start):
    """Maximise on a sample of customers, then take Newton steps on all of them with the sample's curvature.

    The per-customer Hessian of a random sample of 50,000 customers is close to that of all of
    them, so :func:`crm_research.core.optimize.minimize` with that fixed information (updated by
    BFGS near the optimum) and central-difference gradients needs a handful of iterations on the
    full data.  Returns None (the caller fits from ``start``) when the sample fit fails.
    """
    from statsmodels.tools.numdiff import approx_hess3

    from crm_research.core.optimize import minimize

    warm_negll, warm_n = warm
    warm_fun = lambda z: warm_negll(z) / warm_n  # noqa: E731
    res = optimize.minimize(warm_fun, start, method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
    if not (np.all(np.isfinite(res.x)) and res.fun < 1e290):
        return None
    info = approx_hess3(res.x, warm_fun)
    info = (info + info.T) / 2
    try:
        np.linalg.cholesky(info)
    except np.linalg.LinAlgError:
        return None
    h = 1e-5  # central differences on the log scale: error about 1e-10 per customer

    def evaluate(z, order):
        f = fun(z)
        if order == 0 or not np.isfinite(f):
            return (f if np.isfinite(f) else np.inf), None, None
        eye = np.eye(len(z)) * h
        g = np.array([(fun(z + e) - fun(z - e)) / (2 * h) for e in eye])
        return f, g, info

    if not np.isfinite(fun(res.x)):
        return None
    out = minimize(evaluate, res.x, tol=1e-8, max_iter=100, fallback=False)
    return optimize.OptimizeResult(x=out.x, fun=out.objective, message=f"Newton from a sample fit: {out.message}")


def _mle(negll, start: np.ndarray, names: list[str], n: int, ci: float, warm=None):
    """Minimise negll over log-parameters; return (params, table, loglik, converged, message, vcov_log).

    scipy's BFGS does the work; a start that stalls it is polished by Nelder-Mead and BFGS
    again.  Standard errors come from the numerical Hessian of statsmodels (central
    differences), via the delta method.  ``warm = (negll_sample, n_sample)``, the same
    likelihood on a sample of customers, is maximised first (see :func:`_warm_newton`).
    """
    from statsmodels.tools.numdiff import approx_hess3

    scale = 1.0 / n  # per-customer objective keeps the tolerances meaningful for any sample size
    fun = lambda z: negll(z) * scale  # noqa: E731
    res = None
    with np.errstate(all="ignore"):
        if warm is not None:
            res = _warm_newton(fun, warm, start)
        if res is None:
            res = optimize.minimize(fun, start, method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
        grad = optimize.approx_fprime(res.x, fun, 1e-7)
        if not np.max(np.abs(grad)) < 1e-5:
            # A rough start can stall BFGS; a derivative-free pass followed by BFGS recovers it.
            res = optimize.minimize(fun, res.x, method="Nelder-Mead",
                                    options={"xatol": 1e-10, "fatol": 1e-13, "maxiter": 20000, "maxfev": 40000})
            res = optimize.minimize(fun, res.x, method="BFGS", options={"gtol": 1e-9, "maxiter": 2000})
            grad = optimize.approx_fprime(res.x, fun, 1e-7)
        z = res.x
        hess = approx_hess3(z, negll)
    converged = bool(np.all(np.isfinite(z)) and np.max(np.abs(grad)) < 1e-5)
    est = np.exp(z)
    try:
        cov_log = np.linalg.inv(hess)
        se_log = np.sqrt(np.diag(cov_log))
    except np.linalg.LinAlgError:
        cov_log, se_log = None, np.full(len(z), np.nan)
    crit = stats.norm.ppf(0.5 + ci / 2)
    cov = pd.DataFrame(cov_log if np.all(np.isfinite(se_log)) else np.full((len(z), len(z)), np.nan),
                       index=names, columns=names)
    table = pd.DataFrame(
        {
            "estimate": est,
            "se": est * se_log,  # delta method: d exp(z) = exp(z) dz
            "ci_low": np.exp(z - crit * se_log),
            "ci_high": np.exp(z + crit * se_log),
        },
        index=pd.Index(names, name="parameter"),
    )
    return (pd.Series(est, index=names, name="estimate"), table, float(-negll(z)), converged, str(res.message),
            cov)


# --------------------------------------------------------------------------- BG/NBD


def _bgnbd_loglik(params, x, tx, T) -> np.ndarray:
    """Per-customer BG/NBD log-likelihood (Fader, Hardie & Lee 2005, eq. 6), in log-sum-exp form."""
    r, alpha, a, b = params
    common = special.gammaln(r + x) - special.gammaln(r) + r * np.log(alpha)
    beta_ab = special.betaln(a, b)
    term1 = special.betaln(a, b + x) - beta_ab - (r + x) * np.log(alpha + T)
    has_repeat = x > 0
    # The second term exists only for repeat buyers; b + x - 1 > 0 there.
    term2 = np.where(
        has_repeat,
        special.betaln(a + 1, np.where(has_repeat, b + x - 1, 1.0)) - beta_ab - (r + x) * np.log(alpha + tx),
        -np.inf,
    )
    return common + np.logaddexp(term1, term2)


class TrackingTable(DeclaredTable):
    """Cumulative repeat purchases per time unit, actual vs expected (:meth:`BGNBDResult.tracking`).

    A DataFrame (columns ``actual`` and ``expected``) that also states the
    cohort's first purchase date ``start``, the ``calibration_end`` date and
    ``calibration_end_time``, the calibration end in the model's time units since
    ``start`` (where :meth:`BGNBDResult.plot_tracking` draws its marker).
    """

    _metadata: ClassVar[list[str]] = ["start", "calibration_end", "calibration_end_time"]
    start: pd.Timestamp | None = None
    calibration_end: pd.Timestamp | None = None
    calibration_end_time: float | None = None


@dataclass(repr=False, eq=False)
class BGNBDResult(Result):
    """A fitted BG/NBD model.

    Attributes
    ----------
    params : pandas.Series
        Maximum-likelihood estimates of ``r``, ``alpha``, ``a``, ``b``.
    table : pandas.DataFrame
        ``estimate``, ``se`` (from the inverse Hessian, delta method), ``ci_low``,
        ``ci_high`` (Wald intervals on the log scale, so they stay positive).
    loglik : float
        Maximised log-likelihood.
    n : int
        Number of customers.
    converged : bool
    message : str
        The optimiser's message.
    time_unit : str or None
        Unit of recency and T ('W', 'D' or 'M') when known; :func:`clv` uses it and
        refuses a different one.
    summary_data : pandas.DataFrame
        The calibration summary the model was fitted to, with the columns renamed
        frequency, recency, T (and, when present, the holdout columns).
    ci : float
        Confidence level of the intervals in ``table``.
    frequency_col, recency_col, T_col : str
        The columns the model was fitted on: a summary DataFrame given to
        ``p_alive``, ``predict`` or :func:`clv` is read by these names.
    vcov_log : pandas.DataFrame or None
        Asymptotic covariance of the log-parameters (inverse Hessian); :func:`clv`
        draws from it for its intervals.  None when the Hessian is singular.
    """

    title: ClassVar[str] = "BG/NBD model (Fader, Hardie & Lee 2005)"
    short_name: ClassVar[str] = "BG/NBD"
    param_names: ClassVar[tuple[str, ...]] = ("r", "alpha", "a", "b")
    params: pd.Series
    table: pd.DataFrame
    loglik: float
    n: int
    converged: bool
    message: str
    time_unit: str | None
    summary_data: pd.DataFrame
    ci: float
    frequency_col: str = "frequency"
    recency_col: str = "recency"
    T_col: str = "T"
    vcov_log: pd.DataFrame | None = None

    def __post_init__(self) -> None:
        if not self.converged:
            self.warnings.append(f"The optimiser did not converge ({self.message}); treat the estimates with care.")

    @property
    def columns(self) -> dict[str, str]:
        """Role -> column of the summary the model was fitted on (frequency, recency, T)."""
        return {"frequency": self.frequency_col, "recency": self.recency_col, "T": self.T_col}

    # -- tables
    def to_frame(self) -> pd.DataFrame:
        """Parameter table: estimate, se, ci_low, ci_high."""
        return self.table.copy()

    def fit_measures(self) -> pd.Series:
        """``loglik``, ``aic``, ``bic``, ``n``."""
        k = 4
        return pd.Series({"loglik": self.loglik, "aic": 2 * k - 2 * self.loglik,
                          "bic": k * np.log(self.n) - 2 * self.loglik, "n": float(self.n)})

    def _summary_tables(self):
        return [("Parameters", self.table), ("Fit", self.fit_measures().to_frame("value"))]

    def _summary_notes(self):
        unit = {"W": "weeks", "D": "days", "M": "months"}.get(self.time_unit, "the summary's time unit")
        notes = [
            f"r, alpha: gamma heterogeneity of purchase rates (mean rate r/alpha = "
            f"{self.params['r'] / self.params['alpha']:.3f} per unit of {unit}); "
            f"a, b: beta heterogeneity of the drop-out probability after each purchase (mean a/(a+b) = "
            f"{self.params['a'] / (self.params['a'] + self.params['b']):.3f})."
        ]
        return notes + super()._summary_notes()

    # -- predictions
    def _p(self):
        return tuple(float(self.params[k]) for k in self.param_names)

    def expected_purchases(self, t) -> np.ndarray | float:
        """Expected number of purchases of a new customer in (0, t]:  E[X(t)].

        Notes
        -----
        .. math:: E[X(t)] = \\frac{a+b-1}{a-1}\\left[1 - \\left(\\frac{\\alpha}{\\alpha+t}\\right)^r
           {}_2F_1\\!\\left(r, b; a+b-1; \\frac{t}{\\alpha+t}\\right)\\right]

        (Fader, Hardie & Lee 2005, eq. 9).
        """
        t = _times(t, "expected_purchases")
        r, alpha, a, b = self._p()
        z = t / (alpha + t)
        out = (a + b - 1) / (a - 1) * (1 - (alpha / (alpha + t)) ** r * special.hyp2f1(r, b, a + b - 1, z))
        return float(out) if out.ndim == 0 else out

    def _xtT(self, frequency, recency, T, func):
        if isinstance(frequency, pd.DataFrame):
            data = frequency
            v = _summary_columns(data, self.columns, func)
            return v["frequency"], v["recency"], v["T"], data.index
        if recency is None or T is None:
            raise CRMInputError(
                f"{func} needs either a summary DataFrame (columns frequency, recency, T) or the three "
                "values frequency, recency and T."
            )
        values = {}
        for name, given in (("frequency", frequency), ("recency", recency), ("T", T)):
            try:
                values[name] = np.atleast_1d(np.asarray(given, dtype=float))
            except (TypeError, ValueError):
                raise param_error(name, "a number or an array of numbers", given, func) from None
        shapes = [v.shape for v in values.values()]
        try:
            values = dict(zip(values, np.broadcast_arrays(*values.values()), strict=True))  # a scalar T serves all
        except ValueError:
            values = None
        if values is None or values["T"].ndim != 1:
            raise CRMInputError(f"The 'frequency', 'recency' and 'T' parameters of {func} must be numbers or 1-D "
                                f"arrays of equal length; got shapes {shapes}.")
        frame = pd.DataFrame(values)
        v = _summary_columns(frame, {"frequency": "frequency", "recency": "recency", "T": "T"}, func)
        return v["frequency"], v["recency"], v["T"], None

    @staticmethod
    def _shape(values, index):
        if index is not None:
            return pd.Series(values, index=index)
        return float(values[0]) if len(values) == 1 else values

    def p_alive(self, frequency, recency=None, T=None) -> pd.Series | np.ndarray | float:
        """Probability that a customer with history (x, t_x, T) is still active.

        Pass a summary DataFrame (with the columns the model was fitted on) or three values/arrays.

        Notes
        -----
        .. math:: P(\\text{alive}\\mid x, t_x, T) = \\left[1 + \\delta_{x>0}\\frac{a}{b+x-1}
           \\left(\\frac{\\alpha+T}{\\alpha+t_x}\\right)^{r+x}\\right]^{-1}

        Under the BG/NBD a customer with no repeat purchase is always "alive" (P = 1):
        drop-out can only happen right after a purchase.
        """
        x, tx, T, index = self._xtT(frequency, recency, T, "p_alive")
        r, alpha, a, b = self._p()
        log_ratio = np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0)) + (r + x) * (
            np.log(alpha + T) - np.log(alpha + tx))
        p = np.where(x > 0, 1.0 / (1.0 + np.exp(np.minimum(log_ratio, 700))), 1.0)
        return self._shape(p, index)

    def conditional_expected_purchases(self, t, frequency, recency=None, T=None) -> pd.Series | np.ndarray | float:
        """Expected purchases in the next ``t`` time units for a customer with history (x, t_x, T).

        Notes
        -----
        .. math:: E[Y(t)\\mid x, t_x, T] = \\frac{\\frac{a+b+x-1}{a-1}\\left[1 -
           \\left(\\frac{\\alpha+T}{\\alpha+T+t}\\right)^{r+x}
           {}_2F_1\\!\\left(r+x, b+x; a+b+x-1; \\frac{t}{\\alpha+T+t}\\right)\\right]}
           {1 + \\delta_{x>0}\\frac{a}{b+x-1}\\left(\\frac{\\alpha+T}{\\alpha+t_x}\\right)^{r+x}}

        (Fader, Hardie & Lee 2005, eq. 10).
        """
        t = check_number(t, "t", "conditional_expected_purchases", min_value=0.0)
        x, tx, T, index = self._xtT(frequency, recency, T, "conditional_expected_purchases")
        return self._shape(self._conditional(t, x, tx, T), index)

    def _conditional(self, t, x, tx, T) -> np.ndarray:
        """FHL (2005) eq. 10, vectorised over customers and (optionally) over t."""
        r, alpha, a, b = self._p()
        z = t / (alpha + T + t)
        num = (a + b + x - 1) / (a - 1) * (
            1 - ((alpha + T) / (alpha + T + t)) ** (r + x) * special.hyp2f1(r + x, b + x, a + b + x - 1, z))
        log_ratio = np.log(a) - np.log(np.where(x > 0, b + x - 1, 1.0)) + (r + x) * (
            np.log(alpha + T) - np.log(alpha + tx))
        den = 1.0 + np.where(x > 0, np.exp(np.minimum(log_ratio, 700)), 0.0)
        return num / den

    def predict(self, summary: pd.DataFrame, t: float) -> pd.DataFrame:
        """Per-customer ``p_alive`` and ``expected_purchases`` over the next ``t`` time units."""
        return pd.DataFrame({"p_alive": self.p_alive(summary),
                             "expected_purchases": self.conditional_expected_purchases(t, summary)})

    def probability_of_purchases(self, t, n_max: int) -> pd.DataFrame:
        """P(X(t) = x) for x = 0..n_max-1 and P(X(t) >= n_max), for each t (rows) (FHL 2005, eq. 8)."""
        n_max = check_int(n_max, "n_max", "probability_of_purchases", min_value=1)
        t = np.atleast_1d(_times(t, "probability_of_purchases"))
        r, alpha, a, b = self._p()
        beta_ab = special.betaln(a, b)
        log_q = np.log(t / (alpha + t))  # -inf at t = 0 is fine: only used for x >= 1
        log_p = r * (np.log(alpha) - np.log(alpha + t))
        cols = {}
        # running sum of the NBD probabilities P(NBD(t) = j) for j < x
        nbd_cum = np.zeros_like(t)
        with np.errstate(divide="ignore", invalid="ignore"):
            for x in range(n_max):
                log_nbd = special.gammaln(r + x) - special.gammaln(r) - special.gammaln(x + 1) + log_p + (
                    x * log_q if x else 0.0)
                nbd = np.exp(log_nbd)
                prob = np.exp(special.betaln(a, b + x) - beta_ab) * nbd
                if x > 0:
                    prob = prob + np.exp(special.betaln(a + 1, b + x - 1) - beta_ab) * (1 - nbd_cum)
                nbd_cum = nbd_cum + nbd
                cols[str(x)] = prob
        out = pd.DataFrame(cols, index=pd.Index(t, name="t"))
        out[f"{n_max}+"] = np.clip(1 - out.sum(axis=1), 0, 1)
        return out

    def frequency_table(self, n_max: int = 7) -> pd.DataFrame:
        """Observed vs expected number of customers making 0, 1, ..., n_max+ repeat purchases in calibration.

        The expected count sums each customer's P(X(T_i) = x) (FHL 2005, Figure 2).
        """
        n_max = check_int(n_max, "n_max", "frequency_table", min_value=1, max_value=100)
        data = self.summary_data
        probs = self.probability_of_purchases(data["T"].to_numpy(), n_max)
        x = data["frequency"].to_numpy()
        labels = [str(i) for i in range(n_max)] + [f"{n_max}+"]
        observed = [int((x == i).sum()) for i in range(n_max)] + [int((x >= n_max).sum())]
        return pd.DataFrame({"observed": observed, "expected": probs.sum(axis=0).to_numpy()},
                            index=pd.Index(labels, name="repeat_purchases"))

    @positional_options
    def calibration_holdout(self, summary: pd.DataFrame | None = None, *, n_max: int = 7) -> pd.DataFrame:
        """Mean holdout purchases, actual vs predicted, by number of calibration repeat purchases.

        Needs the holdout columns made by :func:`crm_research.summarize_transactions` with
        ``calibration_end`` (``frequency_holdout``, ``duration_holdout``).  Returns columns
        ``customers``, ``actual``, ``predicted`` indexed by calibration frequency
        (0, 1, ..., ``n_max``+), as in FHL (2005, Figure 4).
        """
        data = self.summary_data if summary is None else summary
        cols = {"frequency": "frequency", "recency": "recency", "T": "T"} if summary is None else self.columns
        n_max = check_int(n_max, "n_max", "calibration_holdout", min_value=1, max_value=100)
        check_dataframe(data, "summary", "calibration_holdout")
        missing = [c for c in ("frequency_holdout", "duration_holdout") if c not in data.columns]
        if missing:
            raise CRMInputError(
                f"calibration_holdout needs the holdout columns {missing} in the summary; build it with "
                "crm.summarize_transactions(..., calibration_end=...)."
            )
        v = _summary_columns(data, {**cols, "holdout duration": "duration_holdout"}, "calibration_holdout")
        # each customer's own holdout length (equal for all when made by summarize_transactions)
        predicted = self._conditional(v["holdout duration"], v["frequency"], v["recency"], v["T"])
        x = v["frequency"]
        group = np.minimum(x, n_max).astype(int)
        labels = [str(i) for i in range(n_max)] + [f"{n_max}+"]
        frame = pd.DataFrame({"group": group, "actual": data["frequency_holdout"].to_numpy(dtype=float),
                              "predicted": predicted})
        out = frame.groupby("group").agg(customers=("actual", "size"), actual=("actual", "mean"),
                                         predicted=("predicted", "mean"))
        out = out.reindex(range(n_max + 1))
        out.index = pd.Index(labels, name="calibration_frequency")
        out["customers"] = out["customers"].fillna(0).astype("int64")
        return out

    @positional_options
    def tracking(self, transactions: pd.DataFrame, customer_col: str, date_col: str, calibration_end, *,
                 observation_end=None, same_day_as_one: bool = True) -> TrackingTable:
        """Cumulative repeat purchases per time unit, actual vs expected (FHL 2005, Figure 3).

        The expected curve sums :meth:`expected_purchases` over customers from each one's
        first purchase.  Only customers whose first purchase falls on or before
        ``calibration_end`` count (the cohort the model describes).  Returns a
        :class:`TrackingTable`: columns ``actual`` and ``expected`` (cumulative),
        indexed by time since the first date.
        """
        func = "tracking"
        if self.time_unit is None:
            raise CRMInputError(
                "tracking needs the time unit of the model; fit it with fit_bgnbd(..., time_unit='W')."
            )
        clean = check_transactions(transactions, customer_col=customer_col, date_col=date_col, func=func)
        log = pd.DataFrame({"customer": clean[customer_col].array, "date": clean[date_col].to_numpy()})
        cal_end = check_date(calibration_end, "calibration_end", func)
        obs_end = log["date"].max() if observation_end is None else check_date(observation_end, "observation_end", func)
        if same_day_as_one:
            log = log.assign(date=log["date"].dt.normalize()).drop_duplicates(["customer", "date"])
        log = log[log["date"] <= obs_end]
        first = log.groupby("customer")["date"].min()
        cohort = first[first <= cal_end]
        log = log[log["customer"].isin(cohort.index)]
        start = cohort.min()
        unit = pd.Timedelta(days=_DAYS_PER_UNIT[self.time_unit])
        is_repeat = log.duplicated("customer", keep="first")
        repeat_times = ((log.loc[is_repeat, "date"] - start) / unit).to_numpy()
        horizon = int(np.floor((obs_end - start) / unit))
        grid = np.arange(1, horizon + 1, dtype=float)
        actual = np.array([(repeat_times < g).sum() for g in grid], dtype=float)
        births = ((cohort - start) / unit).value_counts()
        expected = np.zeros_like(grid)
        for s, count in births.items():
            age = np.clip(grid - s, 0, None)
            expected += count * np.asarray(self.expected_purchases(age))
        unit_name = {"W": "weeks", "D": "days", "M": "months"}[self.time_unit]
        out = pd.DataFrame({"actual": actual, "expected": expected},
                           index=pd.Index(grid, name=f"{unit_name} since {start.date()}"))
        return TrackingTable.of(out, start=start, calibration_end=cal_end,
                                calibration_end_time=float((cal_end - start) / unit))

    # -- plots
    @positional_options
    def plot(self, ax=None, *, n_max: int = 7):
        """Observed vs expected calibration frequency distribution (bar chart)."""
        import matplotlib.pyplot as plt

        table = self.frequency_table(n_max=n_max)
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        pos = np.arange(len(table))
        ax.bar(pos - 0.2, table["observed"], width=0.4, label="observed")
        ax.bar(pos + 0.2, table["expected"], width=0.4, label=f"{self.short_name} expected")
        ax.set_xticks(pos, table.index)
        ax.set_xlabel("repeat purchases in the calibration period")
        ax.set_ylabel("customers")
        ax.set_title(f"{self.short_name}: calibration-period fit")
        ax.legend()
        return ax

    @positional_options
    def plot_calibration_holdout(self, summary: pd.DataFrame | None = None, *, n_max: int = 7, ax=None):
        """Mean holdout purchases by calibration frequency, actual vs predicted (FHL 2005, Figure 4)."""
        import matplotlib.pyplot as plt

        table = self.calibration_holdout(summary, n_max=n_max)
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        ax.plot(table.index, table["actual"], "o-", label="actual")
        ax.plot(table.index, table["predicted"], "s--", label=f"{self.short_name} prediction")
        ax.set_xlabel("repeat purchases in the calibration period")
        ax.set_ylabel("mean purchases in the holdout period")
        ax.set_title("Calibration vs holdout")
        ax.legend()
        return ax

    @positional_options
    def plot_tracking(self, transactions, customer_col, date_col, calibration_end, *, observation_end=None, ax=None,
                      same_day_as_one: bool = True):
        """Cumulative repeat purchases, actual vs expected, with the calibration end marked (FHL 2005, Fig. 3)."""
        import matplotlib.pyplot as plt

        table = self.tracking(transactions, customer_col, date_col, calibration_end,
                              observation_end=observation_end, same_day_as_one=same_day_as_one)
        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        ax.plot(table.index, table["actual"], "-", label="actual")
        ax.plot(table.index, table["expected"], "--", label=f"{self.short_name} expected")
        ax.axvline(table.calibration_end_time, color="grey", ls=":", label="end of calibration")
        ax.set_xlabel(table.index.name)
        ax.set_ylabel("cumulative repeat purchases")
        ax.set_title("Tracking: cumulative repeat purchases")
        ax.legend()
        return ax


@positional_options
def fit_bgnbd(
    summary: pd.DataFrame,
    frequency_col: str = "frequency",
    recency_col: str = "recency",
    T_col: str = "T",
    *,
    time_unit: str | None = None,
    ci: float = 0.95,
) -> BGNBDResult:
    """Fit the BG/NBD model of repeat purchasing by maximum likelihood.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per customer, e.g. from :func:`crm_research.summarize_transactions`.
    frequency_col, recency_col, T_col : str
        Number of repeat purchases :math:`x`, time of the last purchase measured from
        the first :math:`t_x`, and time from the first purchase to the end of the
        calibration period :math:`T`.
    time_unit : {"W", "D", "M"}, optional
        Unit of recency and T; read from the summary when it came from
        :func:`~crm_research.summarize_transactions` (giving a different one is an
        error).  The model keeps it for :func:`clv` and :meth:`BGNBDResult.tracking`.
    ci : float, default 0.95
        Confidence level of the parameter intervals.

    Returns
    -------
    BGNBDResult
        ``params`` (r, alpha, a, b), ``table`` (estimate, se, ci_low, ci_high),
        ``loglik``, ``time_unit`` and the column names it was fitted on; methods ``p_alive``, ``expected_purchases``,
        ``conditional_expected_purchases``, ``predict``, ``frequency_table``,
        ``calibration_holdout``, ``tracking`` and plots.

    Notes
    -----
    While active, a customer buys at Poisson rate :math:`\\lambda \\sim \\text{Gamma}(r, \\alpha)`;
    after each purchase he or she drops out with probability
    :math:`p \\sim \\text{Beta}(a, b)`.  The likelihood of one customer is

    .. math:: L = \\frac{B(a, b+x)}{B(a,b)}\\frac{\\Gamma(r+x)\\alpha^r}{\\Gamma(r)(\\alpha+T)^{r+x}}
       + \\delta_{x>0}\\frac{B(a+1, b+x-1)}{B(a,b)}\\frac{\\Gamma(r+x)\\alpha^r}{\\Gamma(r)(\\alpha+t_x)^{r+x}}

    and is evaluated as :math:`\\log\\Gamma` and :math:`\\log B` terms joined by
    log-sum-exp, which stays accurate for heavy buyers.  The four parameters are
    estimated on the log scale (so they stay positive) by Nelder-Mead followed by
    BFGS; standard errors come from the numerical Hessian (delta method).  On the
    CDNOW sample this gives r = 0.243, alpha = 4.414, a = 0.793, b = 2.426 and
    log-likelihood -9582.4, as published.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). "Counting your customers" the easy
    way: An alternative to the Pareto/NBD model. *Marketing Science*, 24(2), 275-284.

    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005). Implementing the BG/NBD model for
    customer base analysis in Excel. http://brucehardie.com/notes/004/

    Examples
    --------
    >>> import crm_research as crm
    >>> s = crm.load_dataset("cdnow_summary")
    >>> m = crm.fit_bgnbd(s, time_unit="W")
    >>> m.params.round(3).tolist()
    [0.243, 4.414, 0.793, 2.426]

    With other column names the model remembers them:

    >>> renamed = s.rename(columns={"frequency": "x", "recency": "t_x", "T": "age"})
    >>> m2 = crm.fit_bgnbd(renamed, "x", "t_x", "age", time_unit="W")
    >>> round(float(m2.p_alive(renamed).iloc[0]), 4) == round(float(m.p_alive(s).iloc[0]), 4)
    True
    """
    func = "fit_bgnbd"
    ci = check_ci(ci, func)
    v = _summary_columns(summary, {"frequency": frequency_col, "recency": recency_col, "T": T_col}, func,
                         min_rows=4)
    time_unit = _resolve_time_unit(summary, time_unit, func)
    x, tx, T = v["frequency"], v["recency"], v["T"]
    if not (T > 0).any():
        raise CRMInputError(f"{func}: T (column {T_col!r}) is 0 for every customer, so no customer was observed "
                            "for any time after the first purchase; the model cannot be estimated. Choose an "
                            "observation end after the first purchases.")
    if not (x > 0).any():
        raise CRMInputError(f"{func}: no customer made a repeat purchase, so the model cannot be estimated.")

    # Customers with the same (x, t_x, T) share one likelihood term: evaluate each distinct
    # history once and weight it (all one-time buyers of a cohort share a handful of T values).
    columns, weight = _distinct_rows(x, tx, T)

    # Start from a moment-style guess: mean purchase rate and a drop-out probability of 1/4.
    rate = max(x.sum() / T.sum(), 1e-3)
    start = np.log([1.0, 1.0 / rate, 1.0, 3.0])
    params, table, loglik, converged, message, cov = _weighted_mle(_bgnbd_loglik, columns, weight, start,
                                                                   ["r", "alpha", "a", "b"], len(x), ci)
    if not converged:
        warnings.warn(f"{func}: the optimiser did not converge ({message})", CRMConvergenceWarning, stacklevel=2)
    data = pd.DataFrame({"frequency": x, "recency": tx, "T": T}, index=summary.index)
    for extra in ("frequency_holdout", "duration_holdout"):
        if extra in summary.columns:
            data[extra] = summary[extra].to_numpy()
    return BGNBDResult(params, table, loglik, len(x), converged, message, time_unit, data, ci,
                       frequency_col=frequency_col, recency_col=recency_col, T_col=T_col, vcov_log=cov)


# --------------------------------------------------------------------------- Gamma-Gamma


def _gg_loglik(params, x, m) -> np.ndarray:
    """Log density of the observed average spend m given x transactions (Fader & Hardie 2013, eq. 4)."""
    p, q, v = params
    px = p * x
    return (special.gammaln(px + q) - special.gammaln(px) - special.gammaln(q) + q * np.log(v)
            + (px - 1) * np.log(m) + px * np.log(x) - (px + q) * np.log(v + x * m))


@dataclass(repr=False, eq=False)
class GammaGammaResult(Result):
    """A fitted Gamma-Gamma spend model.

    Attributes
    ----------
    params : pandas.Series
        ``p``, ``q``, ``v`` (Fader & Hardie write the last one :math:`\\gamma`).
    table : pandas.DataFrame
        ``estimate``, ``se``, ``ci_low``, ``ci_high``.
    loglik : float
    n : int
        Number of repeat buyers the model was fitted to.
    converged : bool
    message : str
    independence : pandas.Series
        Pearson correlation of frequency and average spend among repeat buyers
        (``r``, ``pvalue``, ``n``): the model assumes they are independent.
    population_mean : float
        Expected average spend of a randomly chosen customer, :math:`p v / (q - 1)`
        (infinite when ``q <= 1``).
    summary_data : pandas.DataFrame
        The repeat buyers fitted (columns frequency, monetary_value).
    frequency_col, monetary_col : str
        The columns the model was fitted on; a summary given to
        :meth:`conditional_expected_average_profit` or :func:`clv` is read by these names.
    vcov_log : pandas.DataFrame or None
        Asymptotic covariance of log p, log q, log v (inverse Hessian).
    """

    title: ClassVar[str] = "Gamma-Gamma spend model (Fader, Hardie & Lee 2005b)"
    params: pd.Series
    table: pd.DataFrame
    loglik: float
    n: int
    converged: bool
    message: str
    independence: pd.Series
    summary_data: pd.DataFrame
    frequency_col: str = "frequency"
    monetary_col: str = "monetary_value"
    vcov_log: pd.DataFrame | None = None
    population_mean: float = field(init=False)

    def __post_init__(self) -> None:
        p, q, v = (float(self.params[k]) for k in ("p", "q", "v"))
        self.population_mean = p * v / (q - 1) if q > 1 else np.inf
        if not self.converged:
            self.warnings.append(f"The optimiser did not converge ({self.message}); treat the estimates with care.")
        if q <= 1:
            self.warnings.append("q <= 1: the model implies an infinite mean spend; check for extreme amounts.")
        if self.independence["pvalue"] < 0.05 and abs(self.independence["r"]) >= 0.3:
            self.warnings.append(
                f"Frequency and average spend are correlated (r = {self.independence['r']:.2f}); the Gamma-Gamma "
                "model assumes independence, so its CLV predictions may be biased.")

    @property
    def columns(self) -> dict[str, str]:
        """Role -> column of the summary the model was fitted on (frequency, monetary)."""
        return {"frequency": self.frequency_col, "monetary": self.monetary_col}

    def to_frame(self) -> pd.DataFrame:
        """Parameter table: estimate, se, ci_low, ci_high."""
        return self.table.copy()

    def _summary_tables(self):
        extra = pd.Series({"loglik": self.loglik, "n (repeat buyers)": float(self.n),
                           "population mean spend": self.population_mean,
                           "corr(frequency, spend)": self.independence["r"],
                           "corr p-value": self.independence["pvalue"]})
        return [("Parameters", self.table), ("Fit and independence check", extra.to_frame("value"))]

    def conditional_expected_average_profit(self, frequency, monetary_value=None) -> pd.Series | np.ndarray | float:
        """Expected average spend per transaction given x repeat purchases with mean spend m.

        Pass a summary DataFrame (with the columns the model was fitted on) or two values/arrays.
        Customers with x = 0 get the population mean :math:`p v/(q-1)`.

        Notes
        -----
        .. math:: E[Z\\mid x, \\bar z] = \\frac{q-1}{px+q-1}\\cdot\\frac{pv}{q-1}
           + \\frac{px}{px+q-1}\\,\\bar z

        a weighted average of the population mean and the customer's own mean
        (Fader, Hardie & Lee 2005b, eq. 5).
        """
        func = "conditional_expected_average_profit"
        if isinstance(frequency, pd.DataFrame):
            vals = _summary_columns(frequency, self.columns, func)
            index = frequency.index
        else:
            if monetary_value is None:
                raise CRMInputError(f"{func} needs a summary DataFrame or both frequency and monetary_value.")
            frame = pd.DataFrame({"frequency": np.atleast_1d(np.asarray(frequency, dtype=float)),
                                  "monetary_value": np.atleast_1d(np.asarray(monetary_value, dtype=float))})
            vals = _summary_columns(frame, {"frequency": "frequency", "monetary": "monetary_value"}, func)
            index = None
        x, m = vals["frequency"], vals["monetary"]
        p, q, v = (float(self.params[k]) for k in ("p", "q", "v"))
        out = (p * (v + x * m)) / (p * x + q - 1)
        if index is not None:
            return pd.Series(out, index=index, name="expected_average_spend")
        return float(out[0]) if len(out) == 1 else out

    @positional_options
    def plot(self, ax=None, *, bins: int = 40):
        """Histogram of observed average spend with the density the model implies (FH 2013, Figure 2)."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(7, 4))
        x, m = self.summary_data["frequency"].to_numpy(), self.summary_data["monetary_value"].to_numpy()
        upper = np.quantile(m, 0.99)
        # Scale the histogram by all customers (not only those shown) so it is comparable with the density.
        edges = np.linspace(0, upper, bins + 1)
        ax.hist(m[m <= upper], bins=edges, weights=np.full((m <= upper).sum(), 1.0 / (len(m) * (edges[1] - edges[0]))),
                alpha=0.5, label="observed (repeat buyers)")
        grid = np.linspace(max(upper / 500, 1e-6), upper, 300)
        p = tuple(float(self.params[k]) for k in ("p", "q", "v"))
        dens = np.exp(_gg_loglik(p, x[None, :], grid[:, None])).mean(axis=1)
        ax.plot(grid, dens, label="Gamma-Gamma density")
        ax.set_xlabel("average spend per repeat transaction")
        ax.set_ylabel("density")
        ax.set_title("Gamma-Gamma: observed vs implied average spend")
        ax.legend()
        return ax


@positional_options
def fit_gamma_gamma(
    summary: pd.DataFrame,
    frequency_col: str = "frequency",
    monetary_col: str = "monetary_value",
    *,
    ci: float = 0.95,
) -> GammaGammaResult:
    """Fit the Gamma-Gamma model of average spend per transaction by maximum likelihood.

    Parameters
    ----------
    summary : pandas.DataFrame
        One row per customer with the number of repeat purchases and their mean amount
        (from :func:`crm_research.summarize_transactions`).  Only customers with at
        least one repeat purchase enter the fit, as in Fader, Hardie & Lee (2005b);
        the others carry no repeat spend to learn from.
    frequency_col, monetary_col : str
        Number of repeat purchases :math:`x` and their mean amount :math:`\\bar z` (> 0).
    ci : float, default 0.95
        Confidence level of the parameter intervals.

    Returns
    -------
    GammaGammaResult
        ``params`` (p, q, v), ``table``, ``loglik``, ``independence`` (correlation of
        frequency and spend), ``population_mean``; ``conditional_expected_average_profit``.

    Notes
    -----
    Each transaction value is :math:`\\text{Gamma}(p, \\nu)`, so the mean of x values is
    :math:`\\text{Gamma}(px, \\nu x)`; :math:`\\nu \\sim \\text{Gamma}(q, v)` across customers.
    Integrating over :math:`\\nu`,

    .. math:: f(\\bar z\\mid x) = \\frac{\\Gamma(px+q)}{\\Gamma(px)\\Gamma(q)}
       \\frac{v^q\\,\\bar z^{px-1}x^{px}}{(v+x\\bar z)^{px+q}}.

    The model assumes average spend is independent of purchase frequency; the
    correlation between them is reported so the assumption can be checked
    (FHL 2005b found 0.11 on CDNOW).  On the CDNOW repeat buyers the estimates are
    p = 6.25, q = 3.74, v = 15.44, as published.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: Using iso-value curves
    for customer base analysis. *Journal of Marketing Research*, 42(4), 415-430.

    Fader, P. S., & Hardie, B. G. S. (2013). The Gamma-Gamma model of monetary value.
    http://brucehardie.com/notes/025/

    Colombo, R., & Jiang, W. (1999). A stochastic RFM model. *Journal of Interactive
    Marketing*, 13(3), 2-12.

    Examples
    --------
    >>> import crm_research as crm
    >>> tx = crm.load_dataset("cdnow_transactions")
    >>> ids = crm.load_dataset("cdnow_summary")["master_customer_id"]
    >>> s = crm.summarize_transactions(tx[tx["customer_id"].isin(ids)], "customer_id", "date", "amount",
    ...                                calibration_end="1997-09-30")
    >>> gg = crm.fit_gamma_gamma(s)
    >>> gg.params.round(2).tolist()
    [6.25, 3.74, 15.44]

    (The published summary file rounds the averages to cents; fitted to it, v is 15.448.)
    """
    func = "fit_gamma_gamma"
    ci = check_ci(ci, func)
    v = _summary_columns(summary, {"frequency": frequency_col, "monetary": monetary_col}, func)
    x, m = v["frequency"], v["monetary"]
    repeat = x > 0
    zero_spend = repeat & (m <= 0)
    if zero_spend.any():
        raise CRMInputError(
            f"{func}: {int(zero_spend.sum())} repeat buyer(s) have an average spend of 0 in {monetary_col!r} "
            f"(rows {examples_of(summary.index[zero_spend])}); the Gamma-Gamma model needs positive amounts. "
            "Remove free orders, or leave these customers out, before fitting."
        )
    x, m = x[repeat], m[repeat]
    if len(x) < 10:
        raise CRMInputError(
            f"{func} needs at least 10 customers with a repeat purchase to estimate 3 parameters; "
            f"the summary has {len(x)}."
        )

    # Method-of-moments-ish start: p from the spread of spend, q = 3, v so that the mean matches.
    mean_m = m.mean()
    start = np.log([max(mean_m**2 / max(m.var(), 1e-9), 0.5), 3.0, 2.0 * mean_m / max(mean_m**2 / max(m.var(),
                                                                                         1e-9), 0.5)])
    columns, weight = _distinct_rows(x, m)
    params, table, loglik, converged, message, cov = _weighted_mle(_gg_loglik, columns, weight, start,
                                                                   ["p", "q", "v"], len(x), ci)
    if not converged:
        warnings.warn(f"{func}: the optimiser did not converge ({message})", CRMConvergenceWarning, stacklevel=2)
    if np.ptp(x) > 0 and np.ptp(m) > 0:
        corr = stats.pearsonr(x, m)
        independence = pd.Series({"r": float(corr.statistic), "pvalue": float(corr.pvalue), "n": float(len(x))})
    else:
        independence = pd.Series({"r": np.nan, "pvalue": np.nan, "n": float(len(x))})
    data = pd.DataFrame({"frequency": x, "monetary_value": m}, index=summary.index[repeat])
    return GammaGammaResult(params, table, loglik, len(x), converged, message, independence, data,
                            frequency_col=frequency_col, monetary_col=monetary_col, vcov_log=cov)


# --------------------------------------------------------------------------- CLV


class CLVTable(DeclaredTable):
    """Per-customer CLV (:func:`clv`) that also states the total and its interval.

    Declared attributes: ``total`` (sum of ``clv``), ``total_ci_low`` and
    ``total_ci_high`` (NaN without ``bootstrap``), ``horizon`` (months),
    ``time_unit`` (of the model's recency and T), ``bootstrap`` and ``ci``.
    """

    _metadata: ClassVar[list[str]] = ["total", "total_ci_low", "total_ci_high", "horizon", "time_unit",
                                      "bootstrap", "ci"]
    total: float | None = None
    total_ci_low: float | None = None
    total_ci_high: float | None = None
    horizon: int | None = None
    time_unit: str | None = None
    bootstrap: int | None = None
    ci: float | None = None


@positional_options
def clv(
    bgnbd: BGNBDResult,
    gamma_gamma: GammaGammaResult,
    summary: pd.DataFrame,
    *,
    horizon: int = 12,
    discount_rate: float = 0.01,
    margin: float = 1.0,
    time_unit: str | None = None,
    bootstrap: int = 0,
    ci: float = 0.95,
    seed: int | None = None,
) -> CLVTable:
    """Discounted expected value of each customer over the next ``horizon`` months, with intervals.

    Parameters
    ----------
    bgnbd : BGNBDResult
        From :func:`fit_bgnbd`.
    gamma_gamma : GammaGammaResult
        From :func:`fit_gamma_gamma`.
    summary : pandas.DataFrame
        Customers to value, with the columns the two models were fitted on
        (by default ``frequency``, ``recency``, ``T``, ``monetary_value``).
    horizon : int, default 12
        Number of months ahead.
    discount_rate : float, default 0.01
        Discount rate *per month* (0.01 is about 12.7% a year).
    margin : float, default 1.0
        Profit margin applied to spend (1.0 values revenue; 0.3 values a 30% margin).
    time_unit : {"W", "D", "M"}, optional
        Unit of recency and T; default: the one the BG/NBD model recorded (or the
        summary's, from :func:`~crm_research.summarize_transactions`).  A unit that
        contradicts the fitted model or the summary is an error.  The horizon is
        converted to the model's unit (a month is 365.25/12 days); a model fitted in
        weeks is never read as days.
    bootstrap : int, default 0
        Number of parametric-bootstrap draws for the intervals: each draw takes the
        parameters of both models from the asymptotic normal distribution of their
        maximum-likelihood estimates (on the log scale, covariance = inverse
        Hessian) and recomputes every CLV.  0 gives point estimates only.
    ci : float, default 0.95
        Confidence level of the percentile intervals.
    seed : int, optional
        Seed of the draws.

    Returns
    -------
    CLVTable
        Indexed like ``summary``: ``p_alive``, ``expected_purchases`` (over the horizon,
        undiscounted), ``expected_average_spend`` (Gamma-Gamma), ``clv``
        (discounted, times ``margin``) and, with ``bootstrap``, ``ci_low`` and
        ``ci_high``.  It also states ``total`` (the sum of ``clv``), ``total_ci_low``,
        ``total_ci_high``, ``horizon``, ``time_unit``, ``bootstrap`` and ``ci``.

    Notes
    -----
    With :math:`u` time units per month and :math:`E[Y(t)]` the BG/NBD conditional
    expectation,

    .. math:: \\text{CLV} = \\text{margin}\\cdot E[Z\\mid x,\\bar z]\\sum_{m=1}^{H}
       \\frac{E[Y(mu)] - E[Y((m-1)u)]}{(1+d)^m},

    i.e. the purchases expected in month :math:`m`, valued at the expected spend and
    discounted to today, as in the ``customer_lifetime_value`` function of the
    ``lifetimes`` package.  Purchases and spend are multiplied, which the Gamma-Gamma
    independence assumption justifies.

    References
    ----------
    Fader, P. S., Hardie, B. G. S., & Lee, K. L. (2005b). RFM and CLV: Using iso-value curves
    for customer base analysis. *Journal of Marketing Research*, 42(4), 415-430.

    Gupta, S., Hanssens, D., Hardie, B., et al. (2006). Modeling customer lifetime value.
    *Journal of Service Research*, 9(2), 139-155.

    Examples
    --------
    >>> import crm_research as crm
    >>> s = crm.load_dataset("cdnow_summary")
    >>> values = crm.clv(crm.fit_bgnbd(s, time_unit="W"), crm.fit_gamma_gamma(s), s, horizon=12,
    ...                  bootstrap=200, seed=1)
    >>> bool((values["ci_low"] <= values["clv"]).all() and values.total_ci_low < values.total < values.total_ci_high)
    True

    Notes on the intervals: they reflect the uncertainty of the estimated
    parameters, not the randomness of each customer's future purchases (a
    prediction interval would be much wider); the total's interval comes from the
    same draws, so it accounts for the correlation between customers.
    """
    func = "clv"
    if not isinstance(bgnbd, BGNBDResult):
        raise CRMInputError(f"The 'bgnbd' parameter of {func} must be a fitted transaction model from crm.fit_bgnbd, "
                            f"crm.fit_pareto_nbd or crm.fit_mbgnbd. Got {type(bgnbd).__name__} instead.")
    if not isinstance(gamma_gamma, GammaGammaResult):
        raise CRMInputError(f"The 'gamma_gamma' parameter of {func} must be a GammaGammaResult from "
                            f"crm.fit_gamma_gamma. Got {type(gamma_gamma).__name__} instead.")
    horizon = check_int(horizon, "horizon", func, min_value=1, max_value=1200)
    discount_rate = check_number(discount_rate, "discount_rate", func, min_value=0.0, max_value=1.0)
    margin = check_number(margin, "margin", func, min_value=0.0, max_value=1.0)
    _summary_columns(summary, {**bgnbd.columns, "monetary": gamma_gamma.monetary_col}, func)
    if gamma_gamma.frequency_col != bgnbd.frequency_col:
        _summary_columns(summary, {"frequency": gamma_gamma.frequency_col}, func)
    unit = _resolve_time_unit(summary, time_unit, func, fitted=bgnbd.time_unit)
    if unit is None:
        raise CRMInputError(
            f"{func} needs the time unit of recency and T to count months: pass time_unit='W' (weeks), 'D' or 'M', "
            "or fit the model on a table from crm.summarize_transactions (which records it)."
        )
    bootstrap = check_int(bootstrap, "bootstrap", func, min_value=0, max_value=100_000)
    ci = check_ci(ci, func)
    seed = check_seed(seed, func)
    per_month = _DAYS_PER_MONTH / _DAYS_PER_UNIT[unit]
    v = _summary_columns(summary, bgnbd.columns, func)
    gg_v = _summary_columns(summary, gamma_gamma.columns, func)
    # customers with the same history share one value: compute each distinct history once
    histories, inverse = np.unique(np.column_stack([v["frequency"], v["recency"], v["T"], gg_v["frequency"],
                                                    gg_v["monetary"]]), axis=0, return_inverse=True)
    inverse = inverse.ravel()
    x, tx, T, gx, gm = histories.T
    discount = (1.0 + discount_rate) ** -np.arange(1, horizon + 1)

    def values(model, spend_model):
        spend = np.atleast_1d(spend_model.conditional_expected_average_profit(gx, gm))
        cumulative = np.vstack([np.zeros(len(x))] + [model._conditional(m * per_month, x, tx, T)
                                                     for m in range(1, horizon + 1)])
        return margin * spend * (discount @ np.diff(cumulative, axis=0)), cumulative[-1], spend

    value, purchases, spend = (a[inverse] for a in values(bgnbd, gamma_gamma))
    out = pd.DataFrame({"p_alive": bgnbd.p_alive(summary).to_numpy(), "expected_purchases": purchases,
                        "expected_average_spend": np.atleast_1d(spend), "clv": value}, index=summary.index)
    total_low = total_high = np.nan
    if bootstrap:
        draws = np.empty((bootstrap, len(x)))  # one column per distinct history
        rng = np.random.default_rng(seed)
        models = []
        for model in (bgnbd, gamma_gamma):
            if model.vcov_log is None or not np.all(np.isfinite(model.vcov_log.to_numpy())):
                raise CRMInputError(f"{func}: the {model.title} has no usable covariance matrix of its estimates "
                                    "(singular Hessian), so intervals cannot be drawn; use bootstrap=0.")
            z = rng.multivariate_normal(np.log(model.params.to_numpy()), model.vcov_log.to_numpy(), size=bootstrap)
            models.append((model, np.exp(z)))
        for b in range(bootstrap):
            drawn = []
            for model, params in models:
                copy_ = _copy.copy(model)
                copy_.params = pd.Series(params[b], index=model.params.index)
                drawn.append(copy_)
            with np.errstate(all="ignore"):
                draws[b] = values(*drawn)[0]
        low, high = percentile_interval(draws, ci)
        out["ci_low"], out["ci_high"] = low[inverse], high[inverse]
        weights = np.bincount(inverse, minlength=len(x))
        total_low, total_high = percentile_interval((draws @ weights)[:, None], ci)
        total_low, total_high = float(total_low[0]), float(total_high[0])
    return CLVTable.of(out, total=float(value.sum()), total_ci_low=total_low, total_ci_high=total_high,
                       horizon=horizon, time_unit=unit, bootstrap=bootstrap, ci=ci)
