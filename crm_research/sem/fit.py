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

__all__ = ["fit_measures", "rmsea_interval"]


def rmsea_interval(chisq: float, df: int, n: int, level: float = 0.90) -> tuple[float, float]:
    """Confidence interval of the RMSEA from the noncentral chi-square (Browne & Cudeck, 1993)."""
    from scipy.optimize import brentq
    from scipy.stats import chi2, ncx2

    if df <= 0:
        return 0.0, 0.0
    lo_p, hi_p = 1 - (1 - level) / 2, (1 - level) / 2

    def cdf(lam):
        return chi2.cdf(chisq, df) if lam <= 0 else ncx2.cdf(chisq, df, lam)

    def solve(target):
        if cdf(0.0) < target:
            return 0.0
        upper = max(chisq, 1.0)
        while cdf(upper) > target:
            upper *= 2
        return brentq(lambda lam: cdf(lam) - target, 0.0, upper, xtol=1e-12)

    lam_lo, lam_hi = solve(lo_p), solve(hi_p)
    return float(np.sqrt(lam_lo / (n * df))), float(np.sqrt(lam_hi / (n * df)))


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


def _duplication(p: int) -> np.ndarray:
    """Duplication matrix D with vec(X) = D vech(X), vech in upper-triangle row order."""
    iu = np.triu_indices(p)
    D = np.zeros((p * p, len(iu[0])))
    for k, (i, j) in enumerate(zip(*iu)):
        D[i * p + j, k] = 1.0
        D[j * p + i, k] = 1.0
    return D


def fit_measures(S, Sigma, n: int, npar: int, fmin: float, x_idx: list[int]) -> pd.Series:
    """lavaan's ``fitMeasures`` for an ML fit of a covariance structure.

    Notes
    -----
    With ``F`` the minimised ML discrepancy and ``N`` the sample size:
    ``chisq = N F``; ``df = p(p+1)/2 - npar`` (fixed.x covariances counted on
    neither side); ``CFI = 1 - max(chisq - df, 0) / max(chisq - df, chisq_b - df_b, 0)``;
    ``TLI = (chisq_b/df_b - chisq/df) / (chisq_b/df_b - 1)``;
    ``RMSEA = sqrt(max(chisq - df, 0) / (N df))`` with a 90% interval from the
    noncentral chi-square and the p-value of close fit (RMSEA <= .05);
    ``SRMR = sqrt(mean over i <= j of ((s_ij - sigma_ij) / sqrt(s_ii s_jj))^2)``;
    ``loglik = -N/2 (p log(2 pi) + log|Sigma| + tr(S Sigma^-1))``;
    ``AIC = -2 loglik + 2 npar``, ``BIC = -2 loglik + npar log N``.
    """
    from scipy.stats import chi2, ncx2

    p = S.shape[0]
    nx = len(x_idx)
    moments = p * (p + 1) // 2 - nx * (nx + 1) // 2
    df = moments - npar
    chisq = max(float(n * fmin), 0.0)
    pvalue = float(chi2.sf(chisq, df)) if df > 0 else np.nan
    b_chisq, b_df = baseline_chisq(S, n, x_idx)
    b_p = float(chi2.sf(b_chisq, b_df)) if b_df > 0 else np.nan
    d, db = chisq - df, b_chisq - b_df
    denom = max(d, db, 0.0)
    cfi = 1.0 - max(d, 0.0) / denom if denom > 0 else 1.0
    rni = 1.0 - d / db if db != 0 else np.nan
    if df > 0 and b_df > 0:
        tli = (b_chisq / b_df - chisq / df) / (b_chisq / b_df - 1.0)
        rfi = (b_chisq / b_df - chisq / df) / (b_chisq / b_df)
    else:
        tli, rfi = 1.0, np.nan
    nfi = (b_chisq - chisq) / b_chisq
    ifi = (b_chisq - chisq) / (b_chisq - df) if b_chisq != df else np.nan
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
    if df > 0:
        rmsea = float(np.sqrt(max(d, 0.0) / (n * df)))
        lo, hi = rmsea_interval(chisq, df, n)
        rmsea_p = float(ncx2.sf(chisq, df, n * df * 0.05**2))
    else:
        rmsea, lo, hi, rmsea_p = 0.0, 0.0, 0.0, np.nan
    iu = np.triu_indices(p)
    resid = (S - Sigma)[iu]
    sd = np.sqrt(np.diag(S))
    srmr = float(np.sqrt(np.mean((resid / np.outer(sd, sd)[iu]) ** 2)))
    rmr = float(np.sqrt(np.mean(resid**2)))
    # GFI with the normal-theory ML weight (Joreskog & Sorbom): e' V e / o' V o with e = vech(S - Sigma),
    # o = vech(S), V = D'(Si kron Si)D / 2; like lavaan, the fixed.x block of covariates is left out
    keep = np.array([not (i in x_idx and j in x_idx) for i, j in zip(*iu)])
    D = _duplication(p)[:, keep]
    V = D.T @ np.kron(Si, Si) @ D
    e, o = resid[keep], S[iu][keep]
    gfi = 1.0 - (e @ V @ e) / (o @ V @ o)
    agfi = 1.0 - (p * (p + 1) / (2.0 * df)) * (1.0 - gfi) if df > 0 else np.nan
    return pd.Series({
        "npar": npar, "fmin": fmin / 2, "chisq": chisq, "df": df, "pvalue": pvalue,
        "baseline_chisq": b_chisq, "baseline_df": b_df, "baseline_pvalue": b_p,
        "cfi": cfi, "tli": tli, "nfi": nfi, "rfi": rfi, "ifi": ifi, "rni": rni,
        "loglik": loglik, "unrestricted_loglik": uloglik, "aic": aic, "bic": bic, "bic2": bic2, "n": n,
        "rmsea": rmsea, "rmsea_ci_lower": lo, "rmsea_ci_upper": hi, "rmsea_pvalue": rmsea_p,
        "rmr": rmr, "srmr": srmr, "gfi": gfi, "agfi": agfi,
    }, dtype=float, name="value")
