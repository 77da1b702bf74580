"""Full-information maximum likelihood (FIML) for data with missing values, as lavaan's ``missing = "ml"``.

Listwise deletion throws away every respondent who skipped one item and is
biased unless the values are missing completely at random.  FIML uses every
observed value: each respondent contributes the normal likelihood of the
items he or she answered (Arbuckle, 1996), and the estimates are consistent
when the values are missing at random (Enders & Bandalos, 2001).

Computation, grouped by missing-data pattern ``g`` (``n_g`` rows observing
the variables ``o``, with mean ``ybar_g`` and divisor-``n_g`` covariance
``S_g``):

* log-likelihood ``l = -1/2 sum_g n_g [k_g log(2 pi) + log|Sigma_oo| +
  tr(Sigma_oo^-1 (S_g + d_g d_g'))]``, ``d_g = ybar_g - mu_o``;
* the model has free intercepts (``x ~ 1``) and latent means fixed at 0, as
  lavaan adds them with ``missing = "ml"``, so ``mu = nu``;
* ``-l / N`` is minimised by Newton steps (the Hessian by central
  differences of the analytic gradient) with step halving, the optimiser of
  the SEM family (:mod:`crm_research.core.optimize`, BFGS as its fall-back);
* standard errors from the inverse observed information (the Hessian of
  ``-l``, by central differences of the analytic gradient), lavaan's default
  for ``missing = "ml"``;
* the saturated ("h1") model -- unrestricted means and covariances -- by the
  EM algorithm (Dempster, Laird & Rubin, 1977); ``chisq = 2 (l_h1 - l)``;
* the baseline model: free means and variances, no covariances (its
  likelihood factorises by variable).

Robust (MLR) standard errors, the scaled statistic and lavaan's FIML-corrected robust CFI/RMSEA
(Zhang & Savalei, 2023): :func:`crm_research.sem.robust.robust_fiml` (``estimator="MLR",
missing="fiml"``); the bootstrap: :mod:`crm_research.sem.bootstrap`.
Modification indices: :func:`crm_research.sem.modindices.fiml_modification_indices`.
Not provided yet: observed predictors (``fixed.x``; lavaan then conditions
on them) and regressions among observed variables.

References
----------
Arbuckle, J. L. (1996). Full information estimation in the presence of
incomplete data. In G. A. Marcoulides & R. E. Schumacker (Eds.), *Advanced
Structural Equation Modeling* (pp. 243-277). Erlbaum.
Dempster, A. P., Laird, N. M., & Rubin, D. B. (1977). Maximum likelihood
from incomplete data via the EM algorithm. *Journal of the Royal Statistical
Society B*, 39(1), 1-38.
Enders, C. K., & Bandalos, D. L. (2001). The relative performance of full
information maximum likelihood estimation for missing data in structural
equation models. *Structural Equation Modeling*, 8(3), 430-457.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
*Journal of Statistical Software*, 48(2), 1-36.
"""

from __future__ import annotations

import warnings as _warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMConvergenceWarning, CRMInputError
from crm_research.core.optimize import minimize
from crm_research.core.threads import single_thread
from crm_research.core.validation import examples_of
from crm_research.sem.estimation import RAM, MLFit, _NonConvergence, dense_information, fit_ml, logdet_inverse
from crm_research.sem.fit import fit_indices
from crm_research.sem.model import prepare_raw_fit, start_values
from crm_research.sem.result import ParameterTable, SEMResult, _std_all, row_values, scaled_inverse

__all__ = ["fit_fiml", "FIMLResult", "em_saturated"]

_LOG2PI = np.log(2 * np.pi)


@dataclass(repr=False, eq=False, kw_only=True)
class FIMLResult(SEMResult):
    """A CFA/SEM fitted by full-information ML on incomplete data.

    Has the attributes of :class:`SEMResult` (``estimates`` with intercept
    rows ``x ~1``, ``fit_measures``, ``r2``, ``warnings``) plus
    ``h1_mean`` and ``h1_cov`` (the EM estimates of the unrestricted means
    and covariances, lavaan's ``sampstat.h1``), ``implied_mean`` and
    ``n_patterns`` (number of distinct missing-data patterns).
    """

    title: ClassVar[str] = "Structural equation model (full-information ML, missing data)"
    h1_mean: pd.Series
    h1_cov: pd.DataFrame
    implied_mean: pd.Series
    n_patterns: int

    def modification_indices(self, min_mi: float = 0.0) -> pd.DataFrame:
        """Modification indices with the observed information, as lavaan's ``modindices`` for FIML fits.

        Parameters
        ----------
        min_mi : float, default 0
            Keep rows with ``mi >= min_mi``.

        Returns
        -------
        pandas.DataFrame
            ``lhs, op, rhs, mi, epc, sepc_all`` (see
            :func:`crm_research.sem.modindices.fiml_modification_indices`).
        """
        from crm_research.core.validation import check_number
        from crm_research.sem.modindices import fiml_modification_indices

        min_mi = check_number(min_mi, "min_mi", "modification_indices", min_value=0)
        pat = _Patterns(self.raw)
        _, _, grad_sigma = _loglik_grad(pat, self.implied_mean.to_numpy(float), self.fit.Sigma)
        out = fiml_modification_indices(self, pat, grad_sigma)
        return out[out["mi"] >= min_mi].reset_index(drop=True)


class _Patterns:
    """Rows grouped by missing-data pattern, with each pattern's sufficient statistics."""

    def __init__(self, Y: np.ndarray):
        observed = ~np.isnan(Y)
        keys, inverse = np.unique(observed, axis=0, return_inverse=True)
        inverse = np.asarray(inverse).ravel()
        self.groups = []
        for g, key in enumerate(keys):
            rows = Y[inverse == g][:, key]
            n_g = len(rows)
            ybar = rows.mean(axis=0)
            dev = rows - ybar
            self.groups.append((np.flatnonzero(key), n_g, ybar, dev.T @ dev / n_g, rows))
        self.n = len(Y)
        self.p = Y.shape[1]


def _loglik(pat: _Patterns, mu, Sigma):
    ll = 0.0
    for o, n_g, ybar, S_g, _ in pat.groups:
        pd_parts = logdet_inverse(Sigma[np.ix_(o, o)])
        if pd_parts is None:
            return -np.inf
        logdet, Si = pd_parts
        d = ybar - mu[o]
        ll += -0.5 * n_g * (len(o) * _LOG2PI + logdet + np.sum(Si * (S_g + np.outer(d, d))))
    return float(ll)


def _loglik_grad(pat: _Patterns, mu, Sigma):
    """Log-likelihood and its derivatives with respect to mu and (the unconstrained entries of) Sigma."""
    p = pat.p
    gS = np.zeros((p, p))
    gm = np.zeros(p)
    ll = 0.0
    for o, n_g, ybar, S_g, _ in pat.groups:
        pd_parts = logdet_inverse(Sigma[np.ix_(o, o)])
        if pd_parts is None:
            return -np.inf, None, None
        logdet, Si = pd_parts
        d = ybar - mu[o]
        C = S_g + np.outer(d, d)
        ll += -0.5 * n_g * (len(o) * _LOG2PI + logdet + np.sum(Si * C))
        gS[np.ix_(o, o)] += 0.5 * n_g * (Si @ C @ Si - Si)
        gm[o] += n_g * (Si @ d)
    return float(ll), gm, gS


def em_saturated(pat: _Patterns, *, max_iter: int = 20000,
                 tol: float = 1e-11) -> tuple[np.ndarray, np.ndarray, float, bool]:
    """EM estimates of the unrestricted mean vector and covariance matrix, and their log-likelihood.

    Returns ``(mu, Sigma, loglik, converged)``.  Each E-step replaces the
    missing values of a row by their regression on the observed ones and
    adds the conditional covariance to the cross-products (Dempster, Laird &
    Rubin, 1977); iterations stop when the log-likelihood changes by less
    than ``tol`` (relative).
    """
    p = pat.p
    # start: available-case means and variances
    sums, counts, sq = np.zeros(p), np.zeros(p), np.zeros(p)
    for o, n_g, ybar, _S_g, _ in pat.groups:
        sums[o] += n_g * ybar
        counts[o] += n_g
    mu = sums / counts
    for o, n_g, ybar, S_g, _ in pat.groups:
        sq[o] += n_g * (np.diag(S_g) + (ybar - mu[o]) ** 2)
    Sigma = np.diag(sq / counts)
    ll_old = _loglik(pat, mu, Sigma)
    ll = ll_old
    converged = False
    for _ in range(max_iter):
        T1 = np.zeros(p)
        T2 = np.zeros((p, p))
        for o, n_g, _ybar, _S_g, rows in pat.groups:
            m = np.setdiff1d(np.arange(p), o)
            if len(m) == 0:
                T1 += rows.sum(axis=0)
                T2 += rows.T @ rows
                continue
            Soo = Sigma[np.ix_(o, o)]
            B = np.linalg.solve(Soo, Sigma[np.ix_(o, m)]).T  # regression of the missing on the observed
            yhat = np.empty((n_g, p))
            yhat[:, o] = rows
            yhat[:, m] = mu[m] + (rows - mu[o]) @ B.T
            cond = Sigma[np.ix_(m, m)] - B @ Sigma[np.ix_(o, m)]
            T1 += yhat.sum(axis=0)
            T2 += yhat.T @ yhat
            T2[np.ix_(m, m)] += n_g * cond
        mu = T1 / pat.n
        Sigma = T2 / pat.n - np.outer(mu, mu)
        ll = _loglik(pat, mu, Sigma)
        if abs(ll - ll_old) < tol * max(1.0, abs(ll)):
            converged = True
            break
        ll_old = ll
    return mu, Sigma, ll, converged


def _check_structure(spec, func):
    if spec.ov_x:
        raise CRMInputError(f"{func} with missing='fiml' does not support observed predictors (fixed.x) yet: "
                            f"{examples_of(spec.ov_x)}. Make them indicators of a latent variable or use "
                            "missing='listwise'.")
    for row in spec.rows:
        if row.op == "~" and row.lhs in spec.observed and row.rhs in spec.observed:
            raise CRMInputError(f"{func} with missing='fiml' does not support regressions among observed variables "
                                f"yet ('{row.lhs} ~ {row.rhs}'); use missing='listwise'.")


def _num_hessian(grad, x, rel=1e-5):
    q = len(x)
    H = np.zeros((q, q))
    for t in range(q):
        h = rel * max(1.0, abs(x[t]))
        up, dn = x.copy(), x.copy()
        up[t] += h
        dn[t] -= h
        H[:, t] = (grad(up) - grad(dn)) / (2 * h)
    return 0.5 * (H + H.T)


def fiml_estimates(spec, ram, theta, mu, vcov_all, ci) -> pd.DataFrame:
    """The estimates table of a FIML fit: model rows, intercepts (``~1``, latent means fixed at 0), defined
    parameters; ``vcov_all`` is the covariance of ``(theta, mu)`` (normal-theory or robust)."""
    q = len(theta)
    _, _, C = ram.implied(theta)
    _, S_model = ram.matrices(theta)
    vals = row_values(spec, ram, theta)
    std = _std_all(spec, vals, C, S_model)
    table = ParameterTable(spec, ram, theta, vcov_all[:q, :q], std, ci)
    total_sd = np.sqrt(np.abs(np.diag(C)))
    rows = table.rows()
    mean_labels = {m.lhs: m.label for m in spec.means}
    for i, v in enumerate(spec.observed):
        s_i = vcov_all[q + i, q + i]
        rows.append(table.row(v, "~1", "", mean_labels.get(v, ""), mu[i], np.sqrt(s_i) if s_i > 0 else np.nan, True,
                              mu[i] / total_sd[i]))
    for lv in spec.latent:
        rows.append(table.row(lv, "~1", "", "", 0.0, 0.0, False, 0.0))
    return table.frame(rows + table.defined_rows())


def fit_fiml(data, model, *, std_lv=False, ci=0.95, func="sem") -> FIMLResult:
    """Fit a CFA/SEM by full-information ML using every observed value (lavaan's ``missing = "ml"``).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; missing answers are NaN (or empty cells).
        Rows missing every model variable are dropped, as in lavaan.
    model : str
        lavaan syntax.  Observed predictors (``fixed.x``) and regressions
        among observed variables are not supported yet.
    std_lv : bool, default False
        Fix latent variances at 1 instead of the first loadings.
    ci : float, default 0.95
        Confidence level of the intervals.
    func : str
        Name of the calling function, for error messages.

    Returns
    -------
    FIMLResult
        ``estimates`` (``lhs, op, rhs, label, est, se, z, pvalue, ci_lower,
        ci_upper, std_all``, with ``x ~1`` intercept rows and latent means
        fixed at 0), ``fit_measures`` (``npar, fmin, chisq, df, pvalue,
        baseline_chisq, baseline_df, baseline_pvalue, cfi, tli, loglik,
        unrestricted_loglik, aic, bic, bic2, n, rmsea, rmsea_ci_lower,
        rmsea_ci_upper, rmsea_pvalue, srmr, srmr_nomean``), ``r2``,
        ``h1_mean``, ``h1_cov``, ``implied_mean``, ``implied_cov``,
        ``n_patterns``, ``summary()`` and ``plot()``.

    Raises
    ------
    CRMInputError
        For syntax errors, unknown variables, unsupported model features,
        negative degrees of freedom, or fewer than 3 usable rows.

    Notes
    -----
    ``chisq = 2 (l_h1 - l)`` with ``l_h1`` the EM log-likelihood of the
    unrestricted model; ``df = p(p+1)/2 - q`` (the ``p`` intercepts are free
    on both sides); ``npar = q + p``; ``AIC = -2 l + 2 npar``,
    ``BIC = -2 l + npar log N``; CFI, TLI and RMSEA (divisor ``N``) as for
    complete data with the baseline model of free means and variances.
    ``srmr`` (lavaan's ``srmr_bentler``) includes the standardized mean
    residuals ``(ybar_i - mu_i) / s_i`` and the residual correlations
    ``(s_ij - sigma_ij) / (s_i s_j)``, ``ybar`` and ``s`` from the EM
    estimates, over ``p(p+1)/2 + p`` elements; ``srmr_nomean`` leaves the means
    out.  Standard errors: ``sqrt(diag(H^-1))`` with ``H`` the observed
    information (Hessian of ``-l``).

    References
    ----------
    Arbuckle, J. L. (1996). Full information estimation in the presence of
    incomplete data. In G. A. Marcoulides & R. E. Schumacker (Eds.),
    *Advanced Structural Equation Modeling* (pp. 243-277). Erlbaum.
    Rosseel, Y. (2012). lavaan: An R package for structural equation
    modeling. *Journal of Statistical Software*, 48(2), 1-36.

    Examples
    --------
    >>> import crm_research as crm
    >>> from crm_research.sem.fiml import fit_fiml
    >>> survey = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    >>> fit = crm.sem(survey, crm.ecrm_survey_model(), missing="fiml")
    >>> fit.fit_measures[["chisq", "df", "cfi", "rmsea"]].round(3)
    chisq    220.909
    df       196.000
    cfi        0.991
    rmsea      0.018
    Name: value, dtype: float64
    """
    spec, clean, std_lv, ci = prepare_raw_fit(data, model, std_lv, ci, func, 3, _check_structure,
                                              allow_means=True)
    obs = spec.observed
    Y = clean.to_numpy(float)
    empty = np.isnan(Y).all(axis=1)
    Y = Y[~empty]
    n, p = Y.shape
    if n < 3:
        raise CRMInputError(f"Only {n} row(s) of 'data' have an observed value; {func} needs more.")
    pat = _Patterns(Y)
    q = spec.n_free
    df = p * (p + 1) // 2 - q
    if df < 0:
        raise CRMInputError(f"The model is not identified: it has {q} free parameters but only {p * (p + 1) // 2} "
                            f"observed variances and covariances, so the degrees of freedom would be {df}.")
    if q == 0:
        raise CRMInputError("The model has no free parameters to estimate.")
    ram = RAM(spec)
    warnings: list[str] = []
    if empty.any():
        warnings.append(f"{int(empty.sum())} row(s) with no observed model variable were dropped.")

    with single_thread():
        h1_mu, h1_S, ll_h1, em_ok = em_saturated(pat)
        if not em_ok:
            warnings.append("The EM algorithm for the unrestricted model did not converge: chi-square and the fit "
                            "indices may be off.")
        # start: the complete-data ML fit to the EM covariance matrix, which is close to the FIML solution
        try:
            theta0 = fit_ml(ram, h1_S, start_values(spec, h1_S)).theta
        except _NonConvergence:
            theta0 = start_values(spec, h1_S)
        x0 = np.concatenate([theta0, h1_mu])

        # Newton: the observed information (Hessian of -l / N) by central differences of the gradient
        evaluate = fiml_objective(ram, pat, q, observed=True)

        def gradient(x):
            return evaluate(x, 1)[1]

        opt = minimize(evaluate, x0, tol=1e-9)
        x = opt.x
        H = _num_hessian(gradient, x)
        gnorm = opt.grad_norm
    converged = opt.converged
    message = opt.message if converged else f"{opt.message} (largest gradient {gnorm:.2g})"
    if not converged:
        _warnings.warn(f"{func}: the FIML estimation did not converge; the estimates are not reliable.",
                       CRMConvergenceWarning, stacklevel=3)
    theta, mu = x[:q], x[q:]
    Sigma, B, C = ram.implied(theta)
    A, S_model = ram.matrices(theta)
    ll = _loglik(pat, mu, Sigma)

    try:
        vcov_all = scaled_inverse(H * n, max_cond=np.inf)  # scale-free; FIML's own checks follow
        if not np.all(np.isfinite(vcov_all)) or np.any(np.diag(vcov_all) <= 0):
            raise np.linalg.LinAlgError
    except np.linalg.LinAlgError:
        vcov_all = np.full((q + p, q + p), np.nan)
        warnings.append("The information matrix is singular: standard errors cannot be computed. The model may "
                        "not be identified.")
    vcov = vcov_all[:q, :q]

    fit = MLFit(theta=theta, fmin=float(2 * (ll_h1 - ll) / n), converged=converged,
                iterations=opt.iterations, message=message, Sigma=Sigma, C=C, A=A, S_model=S_model,
                info=H[:q, :q] * 2.0, grad_norm=gnorm)
    vals = row_values(spec, ram, theta)
    est_table = fiml_estimates(spec, ram, theta, mu, vcov_all, ci)

    # -- fit measures --------------------------------------------------------------------------------
    npar = q + p
    chisq = max(float(2 * (ll_h1 - ll)), 0.0)
    # baseline: independent variables with free means and variances -> per-variable ML on observed values
    ll_b = 0.0
    for j in range(p):
        yj = Y[~np.isnan(Y[:, j]), j]
        ll_b += -0.5 * len(yj) * (_LOG2PI + np.log(np.var(yj)) + 1.0)
    b_chisq, b_df = float(2 * (ll_h1 - ll_b)), p * (p - 1) // 2
    fi = fit_indices(chisq, df, b_chisq, b_df, n)
    sd = np.sqrt(np.diag(h1_S))
    iu = np.triu_indices(p)
    rcor = ((h1_S - Sigma) / np.outer(sd, sd))[iu]
    rmean = (h1_mu - mu) / sd
    srmr = float(np.sqrt((np.sum(rcor**2) + np.sum(rmean**2)) / (len(rcor) + p)))
    srmr_nomean = float(np.sqrt(np.mean(rcor**2)))
    fm = pd.Series({
        "npar": npar, "fmin": chisq / (2 * n), "chisq": chisq, "df": df, "pvalue": fi["pvalue"],
        "baseline_chisq": b_chisq, "baseline_df": b_df, "baseline_pvalue": fi["baseline_pvalue"],
        **{k: fi[k] for k in ("cfi", "tli", "nfi", "rfi", "ifi", "rni")},
        "loglik": ll, "unrestricted_loglik": ll_h1,
        "aic": -2 * ll + 2 * npar, "bic": -2 * ll + npar * np.log(n),
        "bic2": -2 * ll + npar * np.log((n + 2) / 24), "n": n,
        **{k: fi[k] for k in ("rmsea", "rmsea_ci_lower", "rmsea_ci_upper", "rmsea_pvalue")},
        "srmr": srmr, "srmr_nomean": srmr_nomean,
    }, dtype=float, name="value")

    pos = {v: i for i, v in enumerate(spec.variables)}
    r2 = pd.Series({v: 1.0 - S_model[pos[v], pos[v]] / C[pos[v], pos[v]] for v in spec.endogenous}, name="r2",
                   dtype=float)
    if not converged:
        warnings.insert(0, f"NOT CONVERGED ({message}): do not report these estimates.")
    for k, row in enumerate(spec.rows):
        if row.op == "~~" and row.lhs == row.rhs and vals[k] < 0:
            warnings.append(f"Heywood case: the variance of {row.lhs!r} is negative ({vals[k]:.3f}).")
    if df == 0:
        warnings.append("The model is saturated (df = 0): chi-square, CFI, TLI and RMSEA say nothing about fit.")
    n_missing = int(np.isnan(Y).sum())
    h1_cov = pd.DataFrame(h1_S, index=obs, columns=obs)
    return FIMLResult(
        estimates=est_table, fit_measures=fm, r2=r2, converged=converged, iterations=opt.iterations, n=n, ci=ci,
        model=model,
        source=f"raw data with {n_missing} missing value(s) in {len(pat.groups)} pattern(s), full-information ML",
        spec=spec, ram=ram, fit=fit, S=h1_S, sample_cov=h1_cov, implied_cov=pd.DataFrame(Sigma, index=obs, columns=obs),
        vcov=vcov, raw=Y, h1_mean=pd.Series(h1_mu, index=obs, name="mean"), h1_cov=h1_cov,
        implied_mean=pd.Series(mu, index=obs, name="mean"), n_patterns=len(pat.groups), warnings=warnings)


def _fiml_information(pat, Sigma, delta, q):
    """Expected information of ``-l / N`` over ``(theta, mu)``: per missing-data pattern, the normal
    information of the observed block (the mean and covariance parts are orthogonal)."""
    p = pat.p
    Dv = delta.reshape(p, p, q)
    H = np.zeros((q + p, q + p))
    for o, n_g, _ybar, _S_g, _rows in pat.groups:
        Si = np.linalg.inv(Sigma[np.ix_(o, o)])
        Do = Dv[np.ix_(o, o)].reshape(len(o) ** 2, q)
        H[:q, :q] += 0.5 * n_g * dense_information(Si, Do)
        H[np.ix_(q + o, q + o)] += n_g * Si
    return H / pat.n


def fiml_objective(ram, pat, q, *, observed=False):
    """``evaluate(x, order)`` of ``-l / N`` over ``x = (theta, mu)`` for :func:`core.optimize.minimize`.

    The curvature is the expected information (Fisher scoring: the bootstrap refits) or, with
    ``observed=True``, the observed one by central differences of the gradient (Newton: the full fit,
    whose standard errors use it).
    """
    n = pat.n

    def evaluate(x, order):
        theta, mu = x[:q], x[q:]
        Sigma, B, C = ram.implied(theta)
        if order == 0:
            ll = _loglik(pat, mu, Sigma)
            return (-ll / n if np.isfinite(ll) else np.inf), None, None
        ll, gm, gS = _loglik_grad(pat, mu, Sigma)
        if gm is None:
            return np.inf, None, None
        delta = ram.delta(B, C)
        g = -np.concatenate([delta.T @ gS.reshape(-1), gm]) / n
        if order < 2:
            return -ll / n, g, None
        return -ll / n, g, (_num_hessian(gradient, x) if observed else _fiml_information(pat, Sigma, delta, q))

    def gradient(x):
        return evaluate(x, 1)[1]

    return evaluate
