"""``SEMResult``: estimates, standardized solution, fit measures, R-squared, warnings."""

from __future__ import annotations

from dataclasses import dataclass
from typing import TYPE_CHECKING, ClassVar

import numpy as np
import pandas as pd

from crm_research.core.results import Result
from crm_research.core.syntax import evaluate_definition
from crm_research.sem.fit import fit_measures

if TYPE_CHECKING:
    from crm_research.sem.estimation import RAM, MLFit
    from crm_research.sem.model import ModelSpec

__all__ = ["SEMResult", "build_result", "add_intercepts"]

ESTIMATE_COLUMNS = ["lhs", "op", "rhs", "label", "est", "se", "z", "pvalue", "ci_lower", "ci_upper", "std_all"]


@dataclass(repr=False, eq=False, kw_only=True)
class SEMResult(Result):
    """A fitted CFA or SEM.

    Attributes
    ----------
    estimates : pandas.DataFrame
        One row per parameter (lavaan's ``parameterEstimates`` with
        ``standardizedSolution``'s ``est.std`` as ``std_all``): ``lhs, op,
        rhs, label, est, se, z, pvalue, ci_lower, ci_upper, std_all``; fixed
        parameters have ``se = 0`` and no ``z``; ``:=`` rows hold defined
        parameters with delta-method standard errors.  After a bootstrap, also
        ``boot_se, perc_lower, perc_upper, bc_lower, bc_upper``.
    fit_measures : pandas.Series
        lavaan's ``fitMeasures`` (underscored names, ``loglik`` for ``logl``).
    r2 : pandas.Series
        Explained variance of every endogenous variable.
    converged : bool
        Whether the optimiser met its tolerance (gradient below 1e-9).
    warnings : list of str
        Heywood cases, standardized loadings above 1, a non-positive-definite
        latent covariance matrix, few degrees of freedom, non-convergence.
    implied_cov, sample_cov : pandas.DataFrame
        Model-implied and sample (divisor N) covariance matrices.
    vcov : numpy.ndarray
        Covariance matrix of the free parameters (NaN when not identified).
    boot_n, boot_failed, boot_ci, boot_seed, boot_samples
        Filled in by the bootstrap: resamples drawn and failed, their
        interval level and seed, and the converged resamples' row values.
    """

    title: ClassVar[str] = "Structural equation model (ML)"
    estimates: pd.DataFrame
    fit_measures: pd.Series
    r2: pd.Series
    converged: bool
    iterations: int
    n: int
    ci: float
    model: str
    source: str
    spec: ModelSpec
    ram: RAM
    fit: MLFit
    S: np.ndarray
    sample_cov: pd.DataFrame
    implied_cov: pd.DataFrame
    vcov: np.ndarray
    raw: np.ndarray | None = None
    boot_n: int = 0
    boot_failed: int = 0
    boot_ci: float | None = None
    boot_seed: int | None = None
    boot_samples: np.ndarray | None = None

    # -- tables -----------------------------------------------------------------------------------
    def to_frame(self) -> pd.DataFrame:
        """The estimates table."""
        return self.estimates.copy()

    def _summary_tables(self):
        fm = self.fit_measures
        keys = ["n", "chisq", "df", "pvalue", "cfi", "tli", "rmsea", "rmsea_ci_lower", "rmsea_ci_upper",
                "rmsea_pvalue", "srmr", "aic", "bic", "loglik"]
        fit_table = pd.DataFrame({"value": [float(fm[k]) for k in keys]}, index=keys)
        tables = [
            (f"Model: {self.source}, N = {int(fm['n'])}, {self.iterations} iterations, "
             f"{'converged' if self.converged else 'NOT CONVERGED'}", fit_table),
        ]
        tables += _estimate_sections(self.estimates)
        if len(self.r2):
            tables.append(("R-squared", self.r2.to_frame()))
        return tables

    def _summary_notes(self):
        notes = list(self.warnings)
        if self.boot_n:
            notes.append(f"Bootstrap: {self.boot_n} resamples (seed {self.boot_seed}), {self.boot_failed} failed to "
                         f"converge; boot_se, percentile (perc_*) and bias-corrected (bc_*) {self.boot_ci:.0%} "
                         "intervals are in the estimates table.")
        notes.append("Cut-offs often quoted (Hu & Bentler, 1999): CFI/TLI >= .95, RMSEA <= .06, SRMR <= .08; "
                     "they are rules of thumb, not tests.")
        return notes

    # -- modification indices ---------------------------------------------------------------------
    def modification_indices(self, min_mi: float = 0.0) -> pd.DataFrame:
        """Modification indices: the chi-square drop expected from freeing one fixed parameter.

        Parameters
        ----------
        min_mi : float, default 0
            Keep rows with ``mi >= min_mi`` (3.84 is the 5% critical value of
            a chi-square with 1 df).

        Returns
        -------
        pandas.DataFrame
            Columns ``lhs, op, rhs, mi, epc, sepc_all``, sorted by ``mi``
            (largest first): ``mi`` is the score statistic, ``epc`` the
            expected parameter change, ``sepc_all`` the completely
            standardized expected change.  Candidates (lavaan's): cross-loadings
            (``=~``), residual covariances among indicators and missing
            covariances among latent variables (``~~``), missing regressions
            among latent variables and among observed variables of the
            structural part (``~``), and fixed loadings that would be
            identified if freed.  Paths *into* fixed.x covariates, which lavaan
            also lists, are left out.

        Notes
        -----
        With ``g`` the gradient of ``F`` at the estimates and ``H`` the
        expected information (in ``F`` units) of the free parameters (1) and
        the candidates (2): ``V = H22 - H21 H11^-1 H12``,
        ``mi = N g2^2 / (2 diag V)`` and ``epc = -g2 / diag V`` (Sörbom, 1989);
        lavaan's ``modindices`` uses the same definitions.  Candidates whose
        ``V`` is zero (freeing them would leave the model unidentified) are
        dropped, as lavaan does.

        References
        ----------
        Sörbom, D. (1989). Model modification. *Psychometrika*, 54(3), 371-384.
        """
        from crm_research.core.validation import check_number
        from crm_research.sem.modindices import modification_indices

        min_mi = check_number(min_mi, "min_mi", "modification_indices", min_value=0)
        out = modification_indices(self)
        return out[out["mi"] >= min_mi].reset_index(drop=True)

    def plot(self, ax=None, **kwargs):
        """Path diagram with standardized estimates; see :func:`crm_research.sem.plot.path_diagram`."""
        from crm_research.sem.plot import path_diagram

        return path_diagram(self, ax=ax, **kwargs)


def _estimate_sections(estimates: pd.DataFrame) -> list[tuple[str, pd.DataFrame]]:
    """The estimates split into lavaan's sections (loadings, regressions, covariances ...)."""
    est = estimates.copy()
    op, same = est["op"], est["lhs"] == est["rhs"]
    sections = [
        ("Latent variables (=~, std_all = completely standardized)", op == "=~"),
        ("Regressions (~)", op == "~"),
        ("Covariances (~~)", (op == "~~") & ~same),
        ("Intercepts and means (~1)", op == "~1"),
        ("Thresholds (|)", op == "|"),
        ("Variances (~~)", (op == "~~") & same),
        ("Defined parameters (:=)", op == ":="),
    ]
    covered = np.zeros(len(est), dtype=bool)
    out = []
    for caption, mask in sections:
        mask = mask.to_numpy()
        covered |= mask
        if mask.any():
            part = est[mask]
            part = part.set_index(part["lhs"] + " " + part["op"] + " " + part["rhs"]).drop(columns=["lhs", "op", "rhs"])
            part.index.name = None
            out.append((caption, part))
    if (~covered).any():
        part = est[~covered]
        out.append(("Other parameters", part.set_index(part["lhs"] + " " + part["op"] + " " + part["rhs"])))
    return out


def _std_all(spec, values, C, S_model):
    """Completely standardized value of every row (lavaan's std.all)."""
    pos = {v: i for i, v in enumerate(spec.variables)}
    total_sd = np.sqrt(np.abs(np.diag(C)))
    std = np.zeros(len(spec.rows))
    for k, row in enumerate(spec.rows):
        v = values[k]
        if row.op == "=~":
            std[k] = v * total_sd[pos[row.lhs]] / total_sd[pos[row.rhs]]
        elif row.op == "~":
            std[k] = v * total_sd[pos[row.rhs]] / total_sd[pos[row.lhs]]
        elif row.lhs == row.rhs:
            std[k] = v / C[pos[row.lhs], pos[row.lhs]]
        else:
            # a (residual) covariance becomes the correlation of the residuals, as lavaan's cov.std=TRUE
            i, j = pos[row.lhs], pos[row.rhs]
            std[k] = v / np.sqrt(abs(S_model[i, i]) * abs(S_model[j, j]))
    return std


def _defined_values(spec, row_values):
    """Values of the ':=' parameters given a value per row."""
    labels = {}
    for k, row in enumerate(spec.rows):
        if row.label and row.label not in labels:
            labels[row.label] = row_values[k]
    out = []
    for d in spec.definitions:
        try:
            val = float(evaluate_definition(d, labels))
        except (ZeroDivisionError, ValueError, OverflowError):
            val = np.nan
        labels[d.name] = val
        out.append(val)
    return np.array(out, dtype=float)


def row_values(spec, ram, theta):
    vals = np.empty(len(spec.rows))
    A, Smat = ram.matrices(theta)
    for k, (mat, i, j) in enumerate(spec.cells):
        vals[k] = A[i, j] if mat == "A" else Smat[i, j]
    return vals


class ParameterTable:
    """Builds lavaan's parameter table (``ESTIMATE_COLUMNS``) for ML, FIML and DWLS fits alike.

    ``rows()`` gives the model's rows with standard errors from ``vcov``;
    ``row()`` makes any extra row (means, thresholds); ``defined_rows()`` gives
    the ``:=`` parameters with delta-method standard errors (central-difference
    Jacobian of the definitions with respect to the free parameters).
    """

    def __init__(self, spec, ram, theta, vcov, std, ci):
        from scipy.stats import norm

        self.spec, self.ram, self.theta, self.vcov, self.std = spec, ram, theta, vcov, std
        self.values = row_values(spec, ram, theta)
        self._z = norm.ppf(1 - (1 - ci) / 2)
        self._norm = norm

    def row(self, lhs, op, rhs, label, est, se, free, std) -> list:
        zval = est / se if free and se > 0 else np.nan
        pval = 2 * self._norm.sf(abs(zval)) if np.isfinite(zval) else np.nan
        lo, hi = (est - self._z * se, est + self._z * se) if free else (est, est)
        return [lhs, op, rhs, label, est, se, zval, pval, lo, hi, std]

    def rows(self) -> list:
        out = []
        for k, r in enumerate(self.spec.rows):
            se = 0.0
            if r.index >= 0:
                v = self.vcov[r.index, r.index]
                se = np.sqrt(v) if np.isfinite(v) and v > 0 else np.nan
            out.append(self.row(r.lhs, r.op, r.rhs, r.label, self.values[k], se, r.index >= 0, self.std[k]))
        return out

    def defined_rows(self) -> list:
        spec, theta = self.spec, self.theta
        if not spec.definitions:
            return []
        J = np.zeros((len(spec.definitions), len(theta)))
        for t in range(len(theta)):
            h = 1e-6 * max(1.0, abs(theta[t]))
            up, dn = theta.copy(), theta.copy()
            up[t] += h
            dn[t] -= h
            J[:, t] = (_defined_values(spec, row_values(spec, self.ram, up))
                       - _defined_values(spec, row_values(spec, self.ram, dn))) / (2 * h)
        dse = np.sqrt(np.clip(np.einsum("ij,jk,ik->i", J, self.vcov, J), 0, None))
        dvals = _defined_values(spec, self.values)
        dstd = _defined_values(spec, self.std)
        return [self.row(d.name, ":=", d.expression.replace(" ", ""), d.name, est, se, True, st)
                for d, est, se, st in zip(spec.definitions, dvals, dse, dstd)]

    @staticmethod
    def frame(rows) -> pd.DataFrame:
        table = pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)
        for col in ESTIMATE_COLUMNS[:4]:
            table[col] = table[col].astype(object)
        return table


def scaled_inverse(H: np.ndarray, max_cond: float = 1e14) -> np.ndarray:
    """The inverse of an information matrix, computed on its unit-diagonal (Jacobi) scaling.

    inv(H) = D inv(D H D) D with D = diag(H)^(-1/2) is exact algebra; the scaled matrix's
    condition number says whether the model is identified whatever the variables' units
    (a spend in Tomans beside Likert items made the raw matrix look singular, so every
    standard error was NaN).  Raises ``LinAlgError`` when the scaled matrix is singular.
    """
    d = np.diag(H)
    if not np.all(np.isfinite(d)) or np.any(d <= 0):
        raise np.linalg.LinAlgError
    scale = 1 / np.sqrt(d)
    Hs = H * np.outer(scale, scale)
    cond = np.linalg.cond(Hs)
    if not np.isfinite(cond) or cond > max_cond:
        raise np.linalg.LinAlgError
    return np.linalg.inv(Hs) * np.outer(scale, scale)


def build_result(spec, ram, fit, S, n, ci, raw, source, func, model_text) -> SEMResult:
    """The :class:`SEMResult` of an ML fit: standard errors, parameter table, fit measures, R², warnings."""
    obs = spec.observed
    q = spec.n_free
    warnings: list[str] = []
    vcov = np.full((q, q), np.nan)
    try:
        vcov = (2.0 / n) * scaled_inverse(fit.info)
    except np.linalg.LinAlgError:
        warnings.append("The information matrix is singular: standard errors cannot be computed. The model may "
                        "not be identified (e.g. a latent variable with too few indicators or a loop of paths).")
    vals = row_values(spec, ram, fit.theta)
    std = _std_all(spec, vals, fit.C, fit.S_model)
    table = ParameterTable(spec, ram, fit.theta, vcov, std, ci)
    x_idx = [obs.index(v) for v in spec.ov_x]
    fm = fit_measures(S, fit.Sigma, n, q, fit.fmin, x_idx)
    pos = {v: i for i, v in enumerate(spec.variables)}
    r2 = {v: 1.0 - fit.S_model[pos[v], pos[v]] / fit.C[pos[v], pos[v]] for v in spec.endogenous}

    # -- warnings a thesis reader must see -------------------------------------------------------
    if not fit.converged:
        warnings.insert(0, f"NOT CONVERGED ({fit.message}; largest gradient {fit.grad_norm:.2g}): do not report "
                           "these estimates. Check the model, the start values and the data.")
    for k, row in enumerate(spec.rows):
        if row.op == "~~" and row.lhs == row.rhs and vals[k] < 0:
            warnings.append(f"Heywood case: the variance of {row.lhs!r} is negative ({vals[k]:.3f}). The model is "
                            "misspecified or the sample is too small for it.")
        if row.op == "=~" and abs(std[k]) > 1:
            warnings.append(f"The standardized loading of {row.rhs!r} on {row.lhs!r} is {std[k]:.3f}, above 1 in "
                            "absolute value (an improper solution).")
    if spec.latent:
        lat = [pos[v] for v in spec.latent]
        psi = fit.C[np.ix_(lat, lat)]
        if np.linalg.eigvalsh(psi).min() <= 0:
            warnings.append("The covariance matrix of the latent variables is not positive definite (e.g. a "
                            "correlation between factors above 1): the factors are not distinct.")
    df = int(fm["df"])
    if df == 0:
        warnings.append("The model is saturated (df = 0): it reproduces the data exactly, so chi-square, CFI, TLI "
                        "and RMSEA say nothing about fit.")
    elif df < 3:
        warnings.append(f"Only {df} degree(s) of freedom: the fit indices rest on very few constraints.")
    return SEMResult(
        estimates=table.frame(table.rows() + table.defined_rows()), fit_measures=fm,
        r2=pd.Series(r2, name="r2", dtype=float), converged=fit.converged, iterations=fit.iterations, n=n, ci=ci,
        model=model_text, source=source, spec=spec, ram=ram, fit=fit, S=S,
        sample_cov=pd.DataFrame(S, index=obs, columns=obs), implied_cov=pd.DataFrame(fit.Sigma, index=obs, columns=obs),
        vcov=vcov, raw=raw, warnings=warnings)


def add_intercepts(result: SEMResult) -> SEMResult:
    """Add the saturated mean structure of a complete-data fit in place (lavaan's ``meanstructure = TRUE``).

    The intercepts equal the sample means; their covariance is ``Sigma / N``
    for ML (expected information) and ``S / N`` for the robust estimators
    (sandwich); latent means are fixed at 0.  ``npar`` grows by ``p``, AIC
    and BIC follow, and SRMR/RMR average over the ``p`` zero mean residuals
    too (lavaan's ``srmr`` with a mean structure).
    """
    from scipy.stats import norm

    spec, raw, n = result.spec, result.raw, result.n
    p = len(spec.observed)
    mu = raw.mean(axis=0)
    robust = getattr(result, "estimator", "ML") in ("MLM", "MLR")
    cov = result.S if robust else result.fit.Sigma
    se = np.sqrt(np.diag(cov) / n)
    total_sd = np.sqrt(np.abs(np.diag(result.fit.C)))
    z = norm.ppf(1 - (1 - result.ci) / 2)
    labels = {m.lhs: m.label for m in spec.means}
    rows = []
    for i, v in enumerate(spec.observed):
        rows.append([v, "~1", "", labels.get(v, ""), mu[i], se[i], mu[i] / se[i], 2 * norm.sf(abs(mu[i] / se[i])),
                     mu[i] - z * se[i], mu[i] + z * se[i], mu[i] / total_sd[i]])
    for lv in spec.latent:
        rows.append([lv, "~1", "", "", 0.0, 0.0, np.nan, np.nan, 0.0, 0.0, 0.0])
    est = result.estimates
    defined = est["op"] == ":="
    means = pd.DataFrame(rows, columns=ESTIMATE_COLUMNS)
    extra = [c for c in est.columns if c not in ESTIMATE_COLUMNS]
    for c in extra:
        means[c] = np.nan
    table = pd.concat([est[~defined], means[est.columns], est[defined]], ignore_index=True)
    for col in ESTIMATE_COLUMNS[:4]:
        table[col] = table[col].astype(object)
    result.estimates = table
    fm = result.fit_measures
    npar = float(fm["npar"]) + p
    loglik = float(fm["loglik"])
    fm["npar"] = npar
    fm["aic"] = -2 * loglik + 2 * npar
    fm["bic"] = -2 * loglik + npar * np.log(n)
    fm["bic2"] = -2 * loglik + npar * np.log((n + 2) / 24)
    pstar = p * (p + 1) / 2
    for key in ("srmr", "rmr"):
        if key in fm.index:
            fm[key] = fm[key] * np.sqrt(pstar / (pstar + p))
    # GFI with the means among the moments (lavaan): the mean residuals are 0, the sample means enter the
    # denominator with the normal-theory weight 2 Sigma^-1 (the covariance block's is D'(Si kron Si)D)
    if "gfi" in fm.index and np.isfinite(fm["gfi"]):
        from crm_research.sem.fit import _ml_weighted_square

        Sigma = result.fit.Sigma
        Si = np.linalg.inv(Sigma)
        S = np.asarray(result.S, dtype=float)
        # vech(X)' D'(Si kron Si)D vech(X) = tr(X Si X Si): no p^4 Kronecker product
        fm["gfi"] = 1.0 - _ml_weighted_square(S - Sigma, Si, []) / (_ml_weighted_square(S, Si, [])
                                                                     + 2.0 * mu @ Si @ mu)
        df = float(fm["df"])
        fm["agfi"] = 1.0 - ((pstar + p) / df) * (1.0 - fm["gfi"]) if df > 0 else np.nan
    return result
