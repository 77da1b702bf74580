"""Fit measures, standardized solution and modification indices, as lavaan defines them.

All formulas follow lavaan 0.6 (``fitMeasures``, ``standardizedSolution``,
``modindices``) with ``N`` the number of observations (not N - 1), because
lavaan's ML uses the normal likelihood.

References
----------
Bentler, P. M. (1990). Comparative fit indexes in structural models.
*Psychological Bulletin*, 107(2), 238-246.
Browne, M. W., & Cudeck, R. (1993). Alternative ways of assessing model fit.
In K. A. Bollen & J. S. Long (Eds.), *Testing Structural Equation Models*
(pp. 136-162). Sage.
Hu, L., & Bentler, P. M. (1999). Cutoff criteria for fit indexes in covariance
structure analysis. *Structural Equation Modeling*, 6(1), 1-55.
Sörbom, D. (1989). Model modification. *Psychometrika*, 54(3), 371-384.
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.core.deprecation import renamed_arguments

__all__ = ["fit_indices", "fit_measures", "rmsea_interval"]


# lavaan's all.equal(x, 0): |x| below R's default tolerance counts as zero
_ZERO = 1.5e-8


@renamed_arguments(level="ci")
def rmsea_interval(chisq: float, df: float, n: float, *, ci: float = 0.90, groups: int = 1,
                   c_hat: float = 1.0) -> tuple[float, float]:
    """Confidence interval of the RMSEA from the noncentral chi-square (Browne & Cudeck, 1993), as lavaan.

    Parameters
    ----------
    chisq, df : float
        Test statistic and its degrees of freedom.
    n : float
        Sample size (lavaan's ``N``: ``N - 1`` for categorical data).
    ci : float, default 0.90
        Confidence level.
    groups : int, default 1
        Number of groups; the bounds are multiplied by ``sqrt(groups)``
        (Steiger, 1998).
    c_hat : float, default 1
        Scaling factor of a robust (MLM/MLR) statistic: with ``chisq`` the
        scaled statistic, the bounds are ``sqrt(c_hat lambda / (N df))``
        (lavaan's robust RMSEA interval, Brosseau-Liard, Savalei & Li, 2012).

    Returns
    -------
    tuple of float
        ``(lower, upper)``; ``(0, 0)`` when ``df < 1``, ``NaN`` for
        non-finite input.

    Examples
    --------
    >>> [round(v, 4) for v in rmsea_interval(85.306, 24, 301)]
    [0.0714, 0.1137]
    """
    from scipy.optimize import brentq
    from scipy.stats import chi2, ncx2

    if not all(np.isfinite([chisq, df, n])):
        return np.nan, np.nan
    if df < 1:
        return 0.0, 0.0

    def cdf(lam):
        return chi2.cdf(chisq, df) if lam <= 0 else ncx2.cdf(chisq, df, lam)

    def root(target, upper):
        try:
            return brentq(lambda lam: cdf(lam) - target, 0.0, upper, xtol=1e-12)
        except ValueError:
            return np.nan

    scale = np.sqrt(groups) * np.sqrt(c_hat) / np.sqrt(n * df)
    hi_p, lo_p = 1 - (1 - ci) / 2, (1 - ci) / 2
    # lavaan's lav_fit_rmsea_ci: the lower bound is 0 when even lambda = 0 leaves the statistic below its
    # upper quantile (searched on [0, chisq]); the upper bound is searched on [0, max(N, 4 chisq)] and is 0
    # when the statistic is below the lower quantile at lambda = 0 or the root lies beyond that range
    lower = 0.0 if cdf(0.0) < hi_p else float(np.sqrt(root(hi_p, chisq)) * scale)
    big = max(n, 4 * chisq)
    upper = 0.0 if (cdf(big) > lo_p or cdf(0.0) < lo_p) else float(np.sqrt(root(lo_p, big)) * scale)
    return lower, upper


def fit_indices(chisq: float, df: float, baseline_chisq: float, baseline_df: float, n: float, *,
                groups: int = 1, ci: float = 0.90, close: float = 0.05, c_hat: float = 1.0,
                c_hat_null: float = 1.0, chisq_scaled: float | None = None) -> dict[str, float]:
    """Chi-square p-values, incremental fit indices and the RMSEA, with lavaan's rules at the edges.

    The one place these indices are computed: ML, FIML, DWLS (unscaled and
    scaled statistics) and multi-group fits all call it.

    Parameters
    ----------
    chisq, df : float
        The model's test statistic and degrees of freedom.
    baseline_chisq, baseline_df : float
        The same for the baseline (independence) model.
    n : float
        Sample size in the RMSEA (lavaan's ``N``: the total over groups;
        ``N - 1`` for categorical data).
    groups : int, default 1
        Number of groups: RMSEA and its interval are multiplied by
        ``sqrt(groups)`` and the close-fit null by ``1 / groups`` (Steiger,
        1998; lavaan).
    ci : float, default 0.90
        Level of the RMSEA interval.
    close : float, default 0.05
        RMSEA of "close fit" tested by ``rmsea_pvalue``.
    c_hat, c_hat_null : float, default 1
        Scaling factors of a robust (MLM/MLR) statistic for the model and
        the baseline.  Different from 1, the *robust* indices are returned
        (lavaan's ``cfi.robust``, ``tli.robust``, ``rni.robust``,
        ``rmsea.robust``): ``chisq`` and ``baseline_chisq`` stay the unscaled
        statistics and ``df`` is replaced by ``c_hat df`` in the
        noncentrality (Brosseau-Liard & Savalei, 2014, eq. 15;
        Brosseau-Liard, Savalei & Li, 2012).
    chisq_scaled : float, optional
        With ``c_hat``: the scaled statistic, used by the robust RMSEA
        interval and its p-value as lavaan does.

    Returns
    -------
    dict
        ``pvalue, baseline_pvalue, cfi, tli, nfi, rfi, ifi, rni, rmsea,
        rmsea_ci_lower, rmsea_ci_upper, rmsea_pvalue``.

    Notes
    -----
    With ``X2, df`` the model's and ``X2b, dfb`` the baseline's statistics:

    * ``CFI = 1 - max(X2 - df, 0) / max(X2 - df, X2b - dfb, 0)``, 1 when both are 0;
    * ``TLI = 1 - ((X2 - df) dfb) / ((X2b - dfb) df)``;
    * ``NFI = (X2b - X2) / X2b``; ``RFI = (X2b/dfb - X2/df) / (X2b/dfb)``;
      ``IFI = (X2b - X2) / (X2b - df)``; ``RNI = 1 - (X2 - df) / (X2b - dfb)``;
    * ``RMSEA = sqrt(G) sqrt(max(X2 / (N df) - 1 / N, 0))``, its interval by
      :func:`rmsea_interval`, ``rmsea_pvalue = P(chi2(df, ncp) > X2)`` with
      ``ncp = N df close^2 / G``.

    The edge cases follow lavaan 0.6 (``lav_fit_cfi.R``, ``lav_fit_rmsea.R``)
    rather than any one textbook, so that every number equals lavaan's also
    for saturated models and perfectly fitting ones.

    References
    ----------
    Bentler, P. M. (1990). Comparative fit indexes in structural models.
    *Psychological Bulletin*, 107(2), 238-246.
    Steiger, J. H. (1998). A note on multiple sample extensions of the RMSEA
    fit index. *Structural Equation Modeling*, 5(4), 411-419.

    Examples
    --------
    >>> fi = fit_indices(85.306, 24, 918.852, 36, 301)
    >>> {k: round(fi[k], 3) for k in ("cfi", "tli", "rmsea", "rmsea_pvalue")}
    {'cfi': 0.931, 'tli': 0.896, 'rmsea': 0.092, 'rmsea_pvalue': 0.001}

    A saturated model (df = 0): lavaan reports CFI = TLI = 1 and RMSEA = 0.

    >>> fi = fit_indices(0.0, 0, 918.852, 36, 301)
    >>> fi["cfi"], fi["tli"], fi["rmsea"], fi["pvalue"]
    (1.0, 1.0, 0.0, nan)
    """
    from scipy.stats import chi2, ncx2

    x2, d, x2b, db = float(chisq), float(df), float(baseline_chisq), float(baseline_df)
    keys = ["pvalue", "baseline_pvalue", "cfi", "tli", "nfi", "rfi", "ifi", "rni", "rmsea", "rmsea_ci_lower",
            "rmsea_ci_upper", "rmsea_pvalue"]
    if not all(np.isfinite([x2, d, x2b, db, n])):
        # lavaan: NA in, NA out (e.g. a scaled statistic that could not be computed)
        return dict.fromkeys(keys, np.nan)
    out = {
        # a chi-square with 0 df is the constant 0: there is nothing to test (lavaan prints NA)
        "pvalue": float(chi2.sf(x2, d)) if d > 0 else np.nan,
        "baseline_pvalue": float(chi2.sf(x2b, db)) if db > 0 else np.nan,
    }
    # robust indices (lavaan): the expected value of the statistic under H0 is c_hat * df, not df
    robust = d > 0 and c_hat != 1 and c_hat_null != 1 and np.isfinite(c_hat) and np.isfinite(c_hat_null)
    cd, cdb = (c_hat * d, c_hat_null * db) if robust else (d, db)
    # CFI: a model whose misfit is no larger than its df fits perfectly (1), also when the baseline does
    t1, t2 = max(x2 - cd, 0.0), max(x2 - cd, x2b - cdb, 0.0)
    out["cfi"] = 1.0 if abs(t1) < _ZERO and abs(t2) < _ZERO else 1.0 - t1 / t2
    # TLI (lavaan >= 0.5-21): no max(0, .), so TLI may exceed 1; a saturated model (df = 0) or a baseline
    # with X2b = dfb, where the ratio is undefined, gets 1 as in lavaan
    t1, t2 = (x2 - cd) * db, (x2b - cdb) * d
    out["tli"] = 1.0 - t1 / t2 if d > 0 and abs(t2) > 0 else 1.0
    # NFI: undefined when the baseline has fewer df than the model or fits perfectly; 1 when saturated
    if d > db or abs(x2b) < _ZERO:
        out["nfi"] = np.nan
    else:
        out["nfi"] = (x2b - x2) / x2b if d > 0 else 1.0
    # RFI: lavaan caps it at 1 when either ratio difference is negative, and gives 1 for df = 0
    if d > db:
        out["rfi"] = np.nan
    elif d > 0 and db > 0:
        r1, r2 = x2b / db - x2 / d, x2b / db
        out["rfi"] = 1.0 if (r1 < 0 or r2 < 0) else r1 / r2
    else:
        out["rfi"] = 1.0
    # IFI: 1 when the baseline statistic is below the model's df, undefined when equal to it
    t1, t2 = x2b - x2, x2b - d
    out["ifi"] = 1.0 if t2 < 0 else (np.nan if abs(t2) < _ZERO else t1 / t2)
    # RNI: CFI without the max(0, .); undefined when the baseline's noncentrality is 0
    t2 = x2b - cdb
    out["rni"] = np.nan if abs(t2) < _ZERO else 1.0 - (x2 - cd) / t2
    # RMSEA: 0 for a saturated model (lavaan), and its p-value of close fit undefined there
    c = c_hat if robust else 1.0
    # the robust interval and p-value take the scaled statistic (lavaan's lav_fit_rmsea_ci with c.hat)
    x2_ci = float(chisq_scaled) if robust and chisq_scaled is not None else x2
    if d > 0:
        out["rmsea"] = float(np.sqrt(max(x2 / n / d - c / n, 0.0)) * np.sqrt(groups))
        out["rmsea_pvalue"] = float(ncx2.sf(x2_ci, d, n * d * close**2 / (c * groups)))
    else:
        out["rmsea"], out["rmsea_pvalue"] = 0.0, np.nan
    out["rmsea_ci_lower"], out["rmsea_ci_upper"] = rmsea_interval(x2_ci, d, n, ci=ci, groups=groups, c_hat=c)
    return {k: out[k] for k in keys}


def baseline_chisq(S: np.ndarray, n: int, x_idx: list[int]) -> tuple[float, int]:
    """Independence model: free variances, and a saturated block for fixed.x covariates."""
    p = S.shape[0]
    Sb = np.diag(np.diag(S))
    if x_idx:
        ix = np.ix_(x_idx, x_idx)
        Sb[ix] = S[ix]
    _, ld_b = np.linalg.slogdet(Sb)
    _, ld_s = np.linalg.slogdet(S)
    f = ld_b + np.trace(S @ np.linalg.inv(Sb)) - ld_s - p
    nx = len(x_idx)
    df = p * (p - 1) // 2 - nx * (nx - 1) // 2
    return float(n * f), int(df)


def _vech_weight(Si: np.ndarray) -> np.ndarray:
    """``D' (Si kron Si) D`` for vech in upper-triangle row order, built entry by entry.

    With ``D`` the duplication matrix (``vec(X) = D vech(X)``), the entry for the moments ``(i, j)`` and
    ``(k, l)`` is ``(s_ik s_jl + s_il s_jk) m_ij m_kl / 2`` with ``m = 2`` off the diagonal and 1 on it:
    p^4/4 products, where the Kronecker form takes p^4 memory for ``Si kron Si`` and p^6 time.
    """
    i, j = np.triu_indices(Si.shape[0])
    m = np.where(i == j, 1.0, 2.0)
    W = Si[np.ix_(i, i)] * Si[np.ix_(j, j)] + Si[np.ix_(i, j)] * Si[np.ix_(j, i)]
    W *= np.outer(m, m) / 2.0
    return W


def _vech_sum(X: np.ndarray, p: int) -> np.ndarray:
    """``X @ D`` for rows ``X`` of vec'd p x p matrices: vech (upper-triangle row order) of ``X + X'`` with the
    diagonal once, i.e. the duplication-matrix product by indexing (``D`` itself is p^2 x p^2/2 numbers)."""
    i, j = np.triu_indices(p)
    upper, lower = i * p + j, j * p + i
    return X[..., upper] + np.where(i == j, 0.0, 1.0) * X[..., lower]


def _ml_weighted_square(X: np.ndarray, Si: np.ndarray, x_idx: list[int]) -> float:
    """``vech(X)' D'(Si kron Si)D vech(X)`` over the non-fixed.x moments, computed as ``tr(X Si X Si)``.

    ``D vech(X) = vec(X)`` for a symmetric ``X``, so the quadratic form in the normal-theory weight is a
    trace of two p x p products; the Kronecker form costs p^4 memory and p^6 time. Like lavaan, the
    moments among fixed.x covariates are left out, i.e. zeroed in ``X``.
    """
    X = np.array(X, dtype=float)
    idx = np.asarray(x_idx, dtype=int)
    X[np.ix_(idx, idx)] = 0.0
    XSi = X @ Si
    return float(np.einsum("ij,ji->", XSi, XSi))


def fit_measures(S, Sigma, n: int, npar: int, fmin: float, x_idx: list[int]) -> pd.Series:
    """lavaan's ``fitMeasures`` for an ML fit of a covariance structure.

    Notes
    -----
    With ``F`` the minimised ML discrepancy and ``N`` the sample size:
    ``chisq = N F``; ``df = p(p+1)/2 - npar`` (fixed.x covariances counted on
    neither side); CFI, TLI, NFI, RFI, IFI, RNI and the RMSEA with its 90%
    interval and p-value of close fit from :func:`fit_indices`;
    ``SRMR = sqrt(mean over i <= j of ((s_ij - sigma_ij) / sqrt(s_ii s_jj))^2)``;
    ``loglik = -N/2 (p log(2 pi) + log|Sigma| + tr(S Sigma^-1))``;
    ``AIC = -2 loglik + 2 npar``, ``BIC = -2 loglik + npar log N``.
    """
    p = S.shape[0]
    nx = len(x_idx)
    moments = p * (p + 1) // 2 - nx * (nx + 1) // 2
    df = moments - npar
    chisq = max(float(n * fmin), 0.0)
    b_chisq, b_df = baseline_chisq(S, n, x_idx)
    fi = fit_indices(chisq, df, b_chisq, b_df, n)
    _, ld_sigma = np.linalg.slogdet(Sigma)
    _, ld_s = np.linalg.slogdet(S)
    Si = np.linalg.inv(Sigma)
    loglik = -n / 2 * (p * np.log(2 * np.pi) + ld_sigma + np.trace(S @ Si))
    uloglik = -n / 2 * (p * np.log(2 * np.pi) + ld_s + p)
    if nx:
        # with fixed.x the likelihood is conditional on the covariates (lavaan): drop their marginal part
        _, ld_x = np.linalg.slogdet(S[np.ix_(x_idx, x_idx)])
        lx = -n / 2 * (nx * np.log(2 * np.pi) + ld_x + nx)
        loglik -= lx
        uloglik -= lx
    aic = -2 * loglik + 2 * npar
    bic = -2 * loglik + npar * np.log(n)
    bic2 = -2 * loglik + npar * np.log((n + 2) / 24)
    iu = np.triu_indices(p)
    resid = (S - Sigma)[iu]
    sd = np.sqrt(np.diag(S))
    srmr = float(np.sqrt(np.mean((resid / np.outer(sd, sd)[iu]) ** 2)))
    rmr = float(np.sqrt(np.mean(resid**2)))
    # GFI with the normal-theory ML weight (Joreskog & Sorbom): 1 - e'Ve / o'Vo with e = vech(S - Sigma),
    # o = vech(S), V = D'(Si kron Si)D
    gfi = 1.0 - _ml_weighted_square(S - Sigma, Si, x_idx) / _ml_weighted_square(S, Si, x_idx)
    agfi = 1.0 - (p * (p + 1) / (2.0 * df)) * (1.0 - gfi) if df > 0 else np.nan
    return pd.Series({
        "npar": npar, "fmin": fmin / 2, "chisq": chisq, "df": df, "pvalue": fi["pvalue"],
        "baseline_chisq": b_chisq, "baseline_df": b_df, "baseline_pvalue": fi["baseline_pvalue"],
        **{k: fi[k] for k in ("cfi", "tli", "nfi", "rfi", "ifi", "rni")},
        "loglik": loglik, "unrestricted_loglik": uloglik, "aic": aic, "bic": bic, "bic2": bic2, "n": n,
        **{k: fi[k] for k in ("rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_pvalue")},
        "rmr": rmr, "srmr": srmr, "gfi": gfi, "agfi": agfi,
    }, dtype=float, name="value")
