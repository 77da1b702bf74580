"""SEM for ordinal (Likert) items: DWLS on polychoric correlations, equal to lavaan's WLSMV estimates.

A five-point item is not an interval measure: fitting its Pearson covariance
matrix by ML biases loadings downward and the chi-square upward when items
are skewed or have few categories (Flora & Curran, 2004).  The standard
remedy, lavaan's ``estimator = "WLSMV"`` (Muthén, du Toit & Spisic, 1997), is
implemented here:

1. thresholds and polychoric correlations of the items, two-step ML, with
   their asymptotic covariance ``Gamma`` (:mod:`.polychoric`);
2. diagonally weighted least squares: minimise
   ``F(theta) = sum_k w_k (s_k - sigma_k(theta))^2`` over the thresholds and
   correlations ``s``, with ``w_k = 1 / Gamma_kk``, in lavaan's default
   *delta* parameterization: the latent responses have unit variance, so the
   residual variances of the items are not parameters but
   ``1 - (explained variance)``;
3. robust ("sandwich") standard errors
   ``V = (D'WD)^-1 D'W Gamma W D (D'WD)^-1 / (N - 1)`` with ``D`` the
   Jacobian of the model's thresholds and correlations (lavaan's
   ``se = "robust.sem"``; for categorical data lavaan divides by ``N - 1``
   rather than ``N`` here and in the test statistic).

The thresholds are free parameters here (no equality constraints on them), so
they reproduce the sample thresholds exactly and the structural parameters
solve the weighted problem on the correlations alone.

What lavaan's WLSMV prints and this module provides: estimates, robust
standard errors, z, p-values and confidence intervals, ``std_all``, R², the
unscaled DWLS chi-square with its df and p-value, baseline chi-square, CFI,
TLI, RMSEA (with interval) and SRMR computed from it, the mean- and
variance-adjusted ("scaled-shifted") chi-square with its p-value, and the
"scaled" CFI, TLI and RMSEA computed from the scaled statistics, lavaan's
"robust" CFI/TLI/RMSEA (Savalei, 2021; ``cfi.robust``, ``rmsea.robust``),
modification indices (:func:`crm_research.sem.modindices.dwls_modification_indices`)
and the scaled-shifted difference test of nested fits
(:func:`crm_research.sem.compare.compare_models`, lavaan's ``lavTestLRT``).  Not
provided: WRMR, GFI/AGFI, log-likelihood, AIC and BIC (DWLS has no
likelihood), bootstrap, multiple groups, the theta parameterization, and
models with observed predictors (``fixed.x``) or items regressed on other
items.

References
----------
Flora, D. B., & Curran, P. J. (2004). An empirical evaluation of alternative
methods of estimation for confirmatory factor analysis with ordinal data.
*Psychological Methods*, 9(4), 466-491.
Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using
weighted least squares and quadratic estimating equations in latent variable
modeling with categorical and continuous outcomes. Unpublished manuscript.
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
*Journal of Statistical Software*, 48(2), 1-36.
Satorra, A., & Bentler, P. M. (1994). Corrections to test statistics and
standard errors in covariance structure analysis. In A. von Eye & C. C. Clogg
(Eds.), *Latent Variables Analysis* (pp. 399-419). Sage.
"""

from __future__ import annotations

import copy
import warnings as _warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMConvergenceWarning, CRMInputError
from crm_research.core.optimize import minimize
from crm_research.core.threads import single_thread
from crm_research.core.validation import examples_of
from crm_research.sem.estimation import RAM, MLFit
from crm_research.sem.fit import fit_indices
from crm_research.sem.model import prepare_raw_fit, start_values
from crm_research.sem.polychoric import PolychoricResult, _polychoric_arrays
from crm_research.sem.result import ParameterTable, SEMResult, _std_all, row_values

__all__ = ["fit_ordinal", "OrdinalSEMResult"]


@dataclass(repr=False, eq=False, kw_only=True)
class OrdinalSEMResult(SEMResult):
    """A CFA/SEM of ordinal items fitted by DWLS on polychoric correlations.

    Has the attributes of :class:`SEMResult` (``estimates`` with threshold
    rows ``item | t1`` added, ``fit_measures``, ``r2``, ``warnings``) plus
    ``polychoric`` (the :class:`~crm_research.sem.polychoric.PolychoricResult`
    the model was fitted to).  ``sample_cov`` and ``implied_cov`` hold the
    polychoric and the model-implied correlation matrices.
    """

    title: ClassVar[str] = ("Structural equation model for ordinal items (DWLS on polychoric correlations, "
                            "lavaan's WLSMV)")
    polychoric: PolychoricResult

    def _summary_tables(self):
        fm = self.fit_measures
        keys = ["n", "chisq", "df", "pvalue", "chisq_scaled", "df_scaled", "pvalue_scaled", "cfi", "tli", "rmsea",
                "rmsea_ci_lower", "rmsea_ci_upper", "srmr", "cfi_scaled", "tli_scaled", "rmsea_scaled", "cfi_robust",
                "tli_robust", "rmsea_robust", "rmsea_ci_lower_robust", "rmsea_ci_upper_robust"]
        keys = [k for k in keys if k in fm.index]
        fit_table = pd.DataFrame({"value": [float(fm[k]) for k in keys]}, index=keys)
        est = self.estimates.copy()
        est.insert(0, "parameter", est["lhs"] + " " + est["op"] + " " + est["rhs"])
        est = est.drop(columns=["lhs", "op", "rhs"]).set_index("parameter")
        tables = [
            (f"Model: {self.source}, N = {int(fm['n'])}, {self.iterations} iterations, "
             f"{'converged' if self.converged else 'NOT CONVERGED'}", fit_table),
            ("Parameter estimates (robust standard errors; std_all = completely standardized)", est),
        ]
        if len(self.r2):
            tables.append(("R-squared (of the latent responses)", self.r2.to_frame()))
        return tables

    def _summary_notes(self):
        notes = list(self.warnings)
        notes.append("chisq is the unscaled DWLS statistic and CFI/TLI/RMSEA are computed from it (lavaan's "
                     "'standard' columns); report chisq_scaled (mean- and variance-adjusted, lavaan's WLSMV test) "
                     "for the test of fit, and the robust CFI, TLI and RMSEA (cfi_robust, rmsea_robust).")
        return notes

    def modification_indices(self, min_mi: float = 0.0) -> pd.DataFrame:
        """Modification indices of a DWLS (WLSMV) fit, as lavaan's ``modindices``.

        Parameters
        ----------
        min_mi : float, default 0
            Keep rows with ``mi >= min_mi``.

        Returns
        -------
        pandas.DataFrame
            ``lhs, op, rhs, mi, epc, sepc_all`` (see
            :func:`crm_research.sem.modindices.dwls_modification_indices`).
        """
        from crm_research.core.validation import check_number
        from crm_research.sem.modindices import dwls_modification_indices

        min_mi = check_number(min_mi, "min_mi", "modification_indices", min_value=0)
        out = dwls_modification_indices(self)
        return out[out["mi"] >= min_mi].reset_index(drop=True)


def _check_structure(spec, func):
    """Refuse model features the delta parameterization here does not cover."""
    if spec.ov_x:
        raise CRMInputError(f"{func} with ordinal items cannot take observed predictors ({examples_of(spec.ov_x)}); "
                            "every observed variable must be an indicator of a latent variable.")
    indicators = {r.rhs for r in spec.rows if r.op == "=~"}
    for row in spec.rows:
        if row.op == "~" and (row.lhs in spec.observed or row.rhs in spec.observed):
            raise CRMInputError(f"{func} with ordinal items supports regressions among latent variables only; "
                                f"'{row.lhs} ~ {row.rhs}' involves an observed item.")
        if row.op == "~~" and row.lhs == row.rhs and row.lhs in spec.observed and row.user:
            raise CRMInputError(f"In the delta parameterization the residual variance of the ordinal item "
                                f"{row.lhs!r} is 1 minus its explained variance, not a parameter: remove "
                                f"'{row.lhs} ~~ {row.lhs}' from the model.")
    missing = [v for v in spec.observed if v not in indicators]
    if missing:
        raise CRMInputError(f"{func} with ordinal items needs every observed variable to be an indicator; "
                            f"{examples_of(missing)} is not.")


def _delta_spec(spec):
    """A copy of ``spec`` in which the items' residual variances are fixed (filled in after the fit)."""
    new = copy.deepcopy(spec)
    resid_rows = []
    for k, row in enumerate(new.rows):
        if row.op == "~~" and row.lhs == row.rhs and row.lhs in new.observed:
            row.free, row.index, row.value = False, -1, 0.0
            resid_rows.append(k)
    old_to_new: dict[int, int] = {}
    for row in new.rows:
        if row.index >= 0:
            row.index = old_to_new.setdefault(row.index, len(old_to_new))
    new.n_free = len(old_to_new)
    return new, resid_rows


def _first_loading_positive(spec, theta):
    """With ``std_lv`` a factor's sign is arbitrary: choose it so its first loading is positive, as lavaan does.

    Reversing a factor negates its loadings, the paths into and out of it and
    its covariances; the fit is unchanged.  A factor whose parameters share a
    label with another factor's is left as estimated.
    """
    theta = theta.copy()
    for lv in spec.latent:
        first = next((r for r in spec.rows if r.op == "=~" and r.lhs == lv), None)
        if first is None or first.index < 0 or theta[first.index] >= 0:
            continue
        idx = set()
        for r in spec.rows:
            if r.index < 0:
                continue
            touches = (r.op == "=~" and r.lhs == lv) or (
                r.op in ("~", "~~") and (r.lhs == lv) != (r.rhs == lv))
            if touches:
                idx.add(r.index)
        shared = any(r.index in idx and not ((r.op == "=~" and r.lhs == lv)
                                             or (r.op in ("~", "~~") and (r.lhs == lv) != (r.rhs == lv)))
                     for r in spec.rows)
        if not shared:
            theta[sorted(idx)] *= -1.0
    return theta


def _dwls_evaluate(ram, r, w, low):
    """The evaluate callback of :func:`crm_research.core.optimize.minimize` for ``F = sum w (r - sigma)^2``.

    The information is the Gauss-Newton matrix ``2 D' W D`` (``D`` the Jacobian
    of the model correlations), so scoring here is Gauss-Newton.
    """
    flat = low[0] * ram.p + low[1]

    def evaluate(theta, order):
        try:
            Sigma, B, C = ram.implied(theta)
        except np.linalg.LinAlgError:
            return np.inf, None, None
        e = r - Sigma[low]
        f = float(np.sum(w * e * e))
        if order == 0 or not np.isfinite(f):
            return (f if np.isfinite(f) else np.inf), None, None
        D = ram.delta(B, C)[flat]
        g = -2.0 * D.T @ (w * e)
        H = 2.0 * D.T @ (w[:, None] * D) if order == 2 else None
        return f, g, H

    return evaluate


def fit_ordinal(data, model, *, std_lv=False, ci=0.95, func="sem") -> OrdinalSEMResult:
    """Fit a CFA/SEM to ordinal items by DWLS on polychoric correlations (lavaan's WLSMV).

    Parameters
    ----------
    data : pandas.DataFrame
        One row per respondent; the model's observed variables are ordinal
        items (e.g. Likert answers 1-5).  Rows with a missing item are
        dropped (listwise).  Every observed variable is treated as ordered.
    model : str
        lavaan syntax.  Every observed variable must be an indicator of a
        latent variable; regressions (``~``) among latent variables, residual
        covariances between items, labels, equality constraints and ``:=``
        defined parameters are allowed.
    std_lv : bool, default False
        Fix latent variances at 1 instead of the first loadings.
    ci : float, default 0.95
        Confidence level of the intervals.
    func : str
        Name of the calling function, for error messages.

    Returns
    -------
    OrdinalSEMResult
        ``estimates`` (columns ``lhs, op, rhs, label, est, se, z, pvalue,
        ci_lower, ci_upper, std_all``; threshold rows have ``op == "|"`` and
        ``rhs`` ``t1, t2, ...``; the items' residual variances are fixed rows
        equal to ``1 - R²``), ``fit_measures`` (``npar, fmin, chisq, df,
        pvalue, chisq_scaled, df_scaled, pvalue_scaled,
        chisq_scaling_factor, chisq_shift, baseline_chisq, baseline_df,
        baseline_pvalue, baseline_chisq_scaled, cfi, tli, rmsea,
        rmsea_ci_lower, rmsea_ci_upper, rmsea_pvalue, cfi_scaled,
        tli_scaled, rmsea_scaled, rmsea_ci_lower_scaled,
        rmsea_ci_upper_scaled, rmsea_pvalue_scaled, cfi_robust, tli_robust,
        rni_robust, rmsea_robust, rmsea_ci_lower_robust, rmsea_ci_upper_robust,
        rmsea_pvalue_robust, srmr, n``  (the robust indices as lavaan's, Savalei
        2021: :func:`crm_research.sem.robust.catml_robust_indices`); ``loglik,
        aic, bic`` are NaN), ``r2``, ``polychoric``,
        ``summary()`` and ``plot()``.

    Raises
    ------
    CRMInputError
        For a syntax error, an unknown variable, an observed predictor or an
        item that indicates no latent variable, a model with negative degrees
        of freedom, or too few complete rows.

    Notes
    -----
    With ``s`` the ``p(p-1)/2`` polychoric correlations, ``w_k = 1/Gamma_kk``
    and ``sigma(theta)`` the off-diagonal of ``Lambda (I - B)^-1 Psi (I -
    B)^-T Lambda'``: ``F = sum_k w_k (s_k - sigma_k)^2``, minimised by
    Gauss-Newton (the shared optimiser, :mod:`crm_research.core.optimize`).
    ``chisq = (N - 1) F`` (lavaan's ``2 N fmin``: for categorical data lavaan
    uses ``N - 1`` here), ``df = p(p-1)/2 - q`` (thresholds are
    fitted exactly and count on both sides).  Robust covariance of the
    estimates: ``M Gamma M' / (N - 1)`` with ``M = (D'WD)^-1 D'W``.  Scaled-shifted
    test (Asparouhov & Muthén, 2010): with ``U = W - WD(D'WD)^-1D'W``,
    ``a = sqrt(df / tr((U Gamma)^2))``, ``b = df - a tr(U Gamma)``,
    ``chisq_scaled = a chisq + b``; the baseline (independence) model gets
    the same correction with ``U = W``, and ``cfi_scaled``, ``tli_scaled``,
    ``rmsea_scaled`` use the scaled statistics.  ``RMSEA = sqrt(max(chisq - df, 0) /
    ((N - 1) df))``; ``SRMR`` is the root mean square of the correlation
    residuals over the ``p(p+1)/2`` elements of the lower triangle
    (lavaan's ``srmr`` for ordinal data).

    References
    ----------
    Asparouhov, T., & Muthén, B. (2010). Simple second order chi-square
    correction. Mplus technical appendix.
    Muthén, B., du Toit, S. H. C., & Spisic, D. (1997). Robust inference using
    weighted least squares and quadratic estimating equations in latent
    variable modeling with categorical and continuous outcomes.
    Rosseel, Y. (2012). lavaan: An R package for structural equation
    modeling. *Journal of Statistical Software*, 48(2), 1-36.

    Examples
    --------
    >>> import crm_research as crm
    >>> bfi = crm.load_dataset("bfi")
    >>> fit = crm.cfa(bfi, "agree =~ A1 + A2 + A3 + A4 + A5", estimator="DWLS")
    >>> fit.fit_measures[["chisq_scaled", "df", "pvalue_scaled", "cfi", "rmsea"]].round(3)
    chisq_scaled     143.536
    df                 5.000
    pvalue_scaled      0.000
    cfi                0.991
    rmsea              0.071
    Name: value, dtype: float64
    """
    spec, clean, std_lv, ci = prepare_raw_fit(data, model, std_lv, ci, func, 10, _check_structure)
    obs = spec.observed
    complete = clean.dropna()
    dropped = len(clean) - len(complete)
    n = len(complete)
    if n < 10:
        raise CRMInputError(f"Only {n} complete row(s) remain in 'data' after listwise deletion; {func} needs at "
                            "least 10 for polychoric correlations.")
    pc = _polychoric_arrays(complete, obs, func)
    if dropped:
        pc.warnings.append(f"{dropped} row(s) with missing values were dropped (listwise deletion).")
    gamma = pc.nacov.to_numpy()
    n_th = len(pc.thresholds)
    p = len(obs)
    # lavaan's order of the correlations: below the diagonal, column by column
    jj, ii = np.triu_indices(p, 1)
    low = (ii, jj)
    R = pc.correlations.to_numpy()
    r = R[low]
    gamma_r = gamma[n_th:, n_th:]
    w = 1.0 / np.diag(gamma_r)

    dspec, resid_rows = _delta_spec(spec)
    q = dspec.n_free
    df = len(r) - q
    if df < 0:
        raise CRMInputError(f"The model is not identified: it has {q} free parameters besides the thresholds but "
                            f"only {len(r)} polychoric correlations, so the degrees of freedom would be {df}.")
    if q == 0:
        raise CRMInputError("The model has no free parameters to estimate.")
    ram = RAM(dspec)
    with single_thread():
        theta0 = start_values(dspec, R)
        evaluate = _dwls_evaluate(ram, r, w, low)
        opt = minimize(evaluate, theta0, tol=1e-10, flat_tol=1e-7, max_halvings=40)
        theta, F, converged, iterations, message, gnorm = (opt.x, opt.objective, opt.converged, opt.iterations,
                                                           opt.message, opt.grad_norm)
        D = ram.delta(*ram.implied(theta)[1:])[low[0] * ram.p + low[1]]
    if not converged:
        _warnings.warn(f"{func}: the DWLS estimation did not converge ({message}); the estimates are not "
                       "reliable.", CRMConvergenceWarning, stacklevel=3)

    if std_lv:
        theta = _first_loading_positive(dspec, theta)
    # delta parameterization: residual variance of each item = 1 - explained variance
    Sigma0, _, _ = ram.implied(theta)
    fspec = copy.deepcopy(dspec)
    for k in resid_rows:
        v = obs.index(fspec.rows[k].lhs)
        fspec.rows[k].value = 1.0 - Sigma0[v, v]
    fram = RAM(fspec)
    Sigma, B, C = fram.implied(theta)
    A, S_model = fram.matrices(theta)

    # robust (sandwich) covariance of the estimates
    WD = w[:, None] * D
    H = D.T @ WD
    warnings: list[str] = list(pc.warnings)
    try:
        H_inv = np.linalg.inv(H)
        M = H_inv @ WD.T
        vcov = M @ gamma_r @ M.T / (n - 1)
    except np.linalg.LinAlgError:
        vcov = np.full((q, q), np.nan)
        H_inv = None
        warnings.append("The DWLS information matrix is singular: standard errors cannot be computed. The model "
                        "may not be identified.")
    fit = MLFit(theta=theta, fmin=F, converged=converged, iterations=iterations, message=message, Sigma=Sigma, C=C,
                A=A, S_model=S_model, info=2.0 * H, grad_norm=gnorm)

    vals = row_values(fspec, fram, theta)
    std = _std_all(fspec, vals, C, S_model)
    table = ParameterTable(fspec, fram, theta, vcov, std, ci)
    rows = table.rows()
    for _, t in pc.thresholds.iterrows():
        se_t = np.sqrt(gamma[t.name, t.name] / (n - 1))
        rows.append(table.row(t["item"], "|", t["threshold"], "", t["est"], se_t, True, t["est"]))
    est_table = table.frame(rows + table.defined_rows())

    # -- fit measures --------------------------------------------------------------------------------
    # lavaan's categorical test statistic uses N - 1 (its fmin is chisq / 2N)
    chisq = float((n - 1) * F)
    b_chisq, b_df = float((n - 1) * np.sum(w * r * r)), len(r)
    fi = fit_indices(chisq, df, b_chisq, b_df, n - 1)
    resid = r - Sigma[low]
    srmr = float(np.sqrt(np.sum(resid**2) / (p * (p + 1) / 2)))
    chisq_scaled = a = shift = np.nan
    if H_inv is not None and df > 0:
        U = np.diag(w) - WD @ H_inv @ WD.T
        UG = U @ gamma_r
        tr1, tr2 = np.trace(UG), np.sum(UG * UG.T)
        a = float(np.sqrt(df / tr2))
        shift = float(df - a * tr1)
        chisq_scaled = a * chisq + shift
    # the same correction for the baseline (independence) model, whose U is W itself
    WG = w[:, None] * gamma_r
    a_b = float(np.sqrt(b_df / np.sum(WG * WG.T)))
    b_chisq_scaled = a_b * b_chisq + (b_df - a_b * np.trace(WG))
    # lavaan's "scaled" indices: the same formulas with both statistics scaled (NaN when they are not defined)
    fs = fit_indices(chisq_scaled, df, b_chisq_scaled, b_df, n - 1)
    scaled = {f"{k}_scaled": fs[k] for k in ("cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
                                              "rmsea_pvalue")}
    # lavaan's robust indices (cfi.robust, rmsea.robust ...; Savalei, 2021): the scaled ones above only plug the
    # scaled statistic into the normal formulas and can call a fit "good" that the robust indices do not
    from crm_research.sem.robust import catml_robust_indices

    robust = catml_robust_indices(R, Sigma, gamma_r, D, w, n, df)
    fm = pd.Series({
        "npar": q + n_th, "fmin": chisq / (2 * n), "chisq": chisq, "df": df, "pvalue": fi["pvalue"],
        "chisq_scaled": chisq_scaled, "df_scaled": df, "pvalue_scaled": fs["pvalue"],
        "chisq_scaling_factor": 1.0 / a if np.isfinite(a) else np.nan, "chisq_shift": shift,
        "baseline_chisq": b_chisq, "baseline_df": b_df, "baseline_pvalue": fi["baseline_pvalue"],
        "baseline_chisq_scaled": b_chisq_scaled,
        **{k: fi[k] for k in ("cfi", "tli", "nfi", "rfi", "ifi", "rni", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
                              "rmsea_pvalue")}, **scaled, **robust, "srmr": srmr, "loglik": np.nan, "aic": np.nan, "bic": np.nan, "n": n,
    }, dtype=float, name="value")

    pos = {v: i for i, v in enumerate(fspec.variables)}
    r2 = pd.Series({v: 1.0 - S_model[pos[v], pos[v]] / C[pos[v], pos[v]] for v in fspec.endogenous},
                   name="r2", dtype=float)
    if not converged:
        warnings.insert(0, f"NOT CONVERGED ({message}; largest gradient {gnorm:.2g}): do not report these "
                           "estimates.")
    for k in resid_rows:
        if vals[k] < 0:
            warnings.append(f"Heywood case: the residual variance of item {fspec.rows[k].lhs!r} is negative "
                            f"({vals[k]:.3f}); its standardized loading exceeds 1.")
    if spec.latent:
        lat = [pos[v] for v in spec.latent]
        if np.linalg.eigvalsh(C[np.ix_(lat, lat)]).min() <= 0:
            warnings.append("The covariance matrix of the latent variables is not positive definite (e.g. a "
                            "correlation between factors above 1): the factors are not distinct.")
    if df == 0:
        warnings.append("The model is saturated (df = 0): chi-square, CFI, TLI and RMSEA say nothing about fit.")
    source = "ordinal items, polychoric correlations" + (
        f" ({dropped} incomplete row(s) dropped listwise)" if dropped else "")
    return OrdinalSEMResult(
        estimates=est_table, fit_measures=fm, r2=r2, converged=converged, iterations=iterations, n=n, ci=ci,
        model=model, source=source, spec=fspec, ram=fram, fit=fit, S=R, sample_cov=pc.correlations.copy(),
        implied_cov=pd.DataFrame(Sigma, index=obs, columns=obs), vcov=vcov, raw=complete.to_numpy(float),
        polychoric=pc, warnings=warnings)
