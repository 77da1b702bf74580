"""``crm.compare_models``: chi-square difference tests of nested models, as lavaan's ``lavTestLRT``.

For ML fits the difference of the chi-squares is itself a chi-square with the
difference of the degrees of freedom.  For robust fits (MLM, MLR) it is not:
the scaled statistics cannot simply be subtracted.  lavaan's default (and
ours) is the scaled difference of Satorra & Bentler (2001),
``T_d = (T0 - T1) / c_d`` with ``c_d = (df0 c0 - df1 c1) / (df0 - df1)``
(``T``: unscaled statistics, ``c``: scaling factors; model 0 the more
restricted one), which can give a negative ``c_d`` in small samples; the
"strictly positive" variant of Satorra & Bentler (2010) replaces ``c1`` by
the scaling factor of the larger model evaluated at the restricted model's
estimates.  For DWLS/WLSMV fits lavaan's default is the scaled-shifted
difference test of Satorra (2000) with Asparouhov & Muthén's (2010)
correction: with ``A`` the Jacobian of the restrictions that turn the larger
model into the smaller one, ``Delta``, ``W`` and ``Gamma`` of the larger
model, ``P = Delta' W Delta`` and
``U = W Delta P^-1 A' (A P^-1 A')^-1 A P^-1 Delta' W``:
``a = sqrt(m / tr((U Gamma)^2))``, ``b = m - a tr(U Gamma)`` and
``T_d = a (T0 - T1) + b`` on ``m = df0 - df1`` degrees of freedom.

References
----------
Satorra, A., & Bentler, P. M. (2001). A scaled difference chi-square test
statistic for moment structure analysis. *Psychometrika*, 66(4), 507-514.
Satorra, A., & Bentler, P. M. (2010). Ensuring positiveness of the scaled
difference chi-square test statistic. *Psychometrika*, 75(2), 243-248.
Chen, F. F. (2007). Sensitivity of goodness of fit indexes to lack of
measurement invariance. *Structural Equation Modeling*, 14(3), 464-504.
Satorra, A. (2000). Scaled and adjusted restricted tests in multi-sample
analysis of moment structures. In R. D. H. Heijmans, D. S. G. Pollock, &
A. Satorra (Eds.), *Innovations in Multivariate Statistical Analysis*
(pp. 233-247). Kluwer.
Asparouhov, T., & Muthén, B. (2010). Simple second order chi-square
correction. Mplus technical appendix.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.validation import check_choice
from crm_research.sem.result import SEMResult, row_values

__all__ = ["ModelComparison", "compare_models"]

METHODS = ["default", "standard", "satorra.bentler.2001", "satorra.bentler.2010", "satorra.2000"]


@dataclass(repr=False, eq=False)
class ModelComparison(Result):
    """Nested models compared by chi-square difference tests (lavaan's ``lavTestLRT``).

    Attributes
    ----------
    table : pandas.DataFrame
        One row per model, sorted by degrees of freedom (least restricted
        first), with lavaan's columns ``df, aic, bic, chisq, chisq_diff,
        df_diff, pvalue`` (``rmsea`` of the difference for ML fits), and
        ``cfi, cfi_diff`` (plus ``cfi_robust, cfi_robust_diff`` for robust
        fits) for Chen's (2007) criterion; differences are against the model
        above.
    method : str
        ``"standard"``, ``"satorra.bentler.2001"``, ``"satorra.bentler.2010"``
        or ``"satorra.2000"`` (DWLS/WLSMV fits, scaled and shifted).
    estimator : str
        The estimator of the fits.
    """

    title: ClassVar[str] = "Model comparison (chi-square difference tests)"
    table: pd.DataFrame
    method: str
    estimator: str

    def to_frame(self) -> pd.DataFrame:
        """The comparison table."""
        return self.table.copy()

    def plot(self, ax=None):
        """CFI of each model (robust CFI too for MLM/MLR), with Chen's .01 band below the first model."""
        import matplotlib.pyplot as plt

        if ax is None:
            _, ax = plt.subplots(figsize=(5, 3.5))
        t = self.table
        x = range(len(t))
        ax.plot(x, t["cfi"], marker="o", label="CFI")
        if "cfi_robust" in t.columns:
            ax.plot(x, t["cfi_robust"], marker="s", label="robust CFI")
        ax.axhspan(t["cfi"].iloc[0] - 0.01, t["cfi"].iloc[0], color="tab:green", alpha=0.15,
                   label="within .01 of the first model")
        ax.set_xticks(list(x), list(t.index))
        ax.set_ylabel("CFI")
        ax.legend(loc="lower left")
        ax.set_title("Nested models")
        return ax

    def _summary_tables(self):
        label = {"standard": "ordinary chi-square difference",
                 "satorra.bentler.2001": "scaled difference, Satorra & Bentler (2001)",
                 "satorra.bentler.2010": "scaled difference, Satorra & Bentler (2010)",
                 "satorra.2000": "scaled and shifted difference, Satorra (2000)"}[self.method]
        return [(f"Estimator {self.estimator}; {label}", self.table)]

    def _summary_notes(self):
        notes = ["Each row is tested against the row above (the less restricted model); a small p-value says the "
                 "added constraints worsen the fit."]
        notes.append("Chen (2007): for invariance constraints, a drop in CFI larger than .01 (with RMSEA rising "
                     "by more than .015) signals non-invariance.")
        return notes


def _estimator(fit) -> str:
    return getattr(fit, "estimator", "ML")


def _is_multigroup(fit) -> bool:
    # multigroup.MultiGroupSEMResult, recognised by its fields: multigroup.py imports this module
    # (measurement_invariance compares its steps here), so this module cannot import it back
    return type(fit).__name__ == "MultiGroupSEMResult" and hasattr(fit, "group_sizes")


def _is_ordinal(fit) -> bool:
    return type(fit).__name__ == "OrdinalSEMResult" and hasattr(fit, "polychoric")


def _key(lhs, op, rhs):
    return (min(lhs, rhs), op, max(lhs, rhs)) if op == "~~" else (lhs, op, rhs)


def _theta_at(big: SEMResult, small: SEMResult) -> np.ndarray:
    """The free parameters of ``big`` at the estimates of the nested ``small`` (the 'M10' model)."""
    vals = row_values(small.spec, small.ram, small.fit.theta)
    lookup = {_key(r.lhs, r.op, r.rhs): vals[k] for k, r in enumerate(small.spec.rows)}
    theta = np.array(big.fit.theta, float)
    for r in big.spec.rows:
        if r.index < 0:
            continue
        k = _key(r.lhs, r.op, r.rhs)
        if k not in lookup:
            raise CRMInputError(f"compare_models: the parameter '{r.lhs} {r.op} {r.rhs}' of the larger model is not in "
                                "the smaller one; method='satorra.bentler.2010' needs models nested by constraints "
                                "on the same parameters.")
        theta[r.index] = lookup[k]
    return theta


def compare_models(*fits, method: str = "default", names=None) -> ModelComparison:
    r"""Compare nested models by (scaled) chi-square difference tests, equal to lavaan's ``lavTestLRT``.

    Parameters
    ----------
    *fits : SEMResult or MultiGroupSEMResult
        Two or more models fitted to the same data with the same estimator
        (``crm.sem``/``crm.cfa``: ML, MLM or MLR, complete data or FIML,
        or DWLS/WLSMV on ordinal items;
        multi-group fits of the same groups, e.g. the steps of
        :func:`crm_research.sem.multigroup.measurement_invariance`), in any
        order.
    method : {"default", "standard", "satorra.bentler.2001", "satorra.bentler.2010", "satorra.2000"}
        ``"default"``: ordinary difference for ML, Satorra-Bentler (2001)
        for MLM/MLR, Satorra (2000) scaled and shifted for DWLS/WLSMV
        (lavaan's defaults).  ``"satorra.bentler.2010"`` is not available for
        FIML or multi-group fits; ``"satorra.2000"`` is for DWLS/WLSMV fits
        only (and the only method for them).
    names : list of str, optional
        Model names for the table (default ``model1, model2, ...`` in the
        order given).

    Returns
    -------
    ModelComparison
        ``table`` (lavaan's ``Df, AIC, BIC, Chisq, Chisq diff, Df diff,
        Pr(>Chisq)`` as ``df, aic, bic, chisq, chisq_diff, df_diff, pvalue``;
        ``rmsea`` for ML; ``cfi, cfi_diff``) and ``summary()``.

    Raises
    ------
    CRMInputError
        Fewer than two fits, fits of different data (sample size, variables
        or sample moments differ) or estimators, a multi-group and a
        single-group fit, models with equal degrees of freedom, a restricted
        model that fits better than the larger one, or (DWLS) a smaller model
        whose free parameters are not parameters of the larger one (not
        nested).

    Notes
    -----
    Models are sorted by degrees of freedom and each is compared with the one
    above it.  ``chisq`` is the unscaled statistic (as lavaan prints it);
    ``chisq_diff`` is ``T0 - T1`` for ML and ``(T0 - T1) / c_d`` for robust
    fits; ``rmsea = sqrt(G) sqrt(max(0, (chisq_diff - df_diff) / (N df_diff)))``
    with ``G`` groups.

    Examples
    --------
    >>> import crm_research as crm
    >>> survey = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    >>> full = crm.sem(survey, crm.ecrm_survey_model(), estimator="MLR")
    >>> orthogonal = crm.sem(survey, crm.ecrm_survey_model() + "\nOPR ~~ 0*ANL", estimator="MLR")
    >>> cmp = crm.compare_models(full, orthogonal, names=["full", "orthogonal"])
    >>> cmp.table[["df", "chisq_diff", "df_diff", "pvalue"]].round(3)
                   df  chisq_diff  df_diff  pvalue
    full        196.0         NaN      NaN     NaN
    orthogonal  197.0      40.845      1.0     0.0
    """
    method = check_choice(method, "method", METHODS, "compare_models")
    if len(fits) < 2:
        raise CRMInputError(f"compare_models needs at least two fitted models; got {len(fits)}.")
    multigroup = [_is_multigroup(f) for f in fits]
    for k, f in enumerate(fits):
        if not (isinstance(f, SEMResult) or multigroup[k]):
            raise CRMInputError(f"compare_models: argument {k + 1} is a {type(f).__name__}, not a model fitted by "
                                "crm.sem, crm.cfa or crm.multigroup_sem.")
    if any(multigroup) and not all(multigroup):
        raise CRMInputError("compare_models: a multi-group model cannot be nested in a single-group one; compare "
                            "models fitted to the same groups.")
    if names is None:
        names = [f"model{k + 1}" for k in range(len(fits))]
    names = [str(x) for x in names]
    if len(names) != len(fits) or len(set(names)) != len(names):
        raise CRMInputError(f"compare_models: 'names' must give {len(fits)} different names, one per model; got "
                            f"{names}.")
    ordinal = [_is_ordinal(f) for f in fits]
    if any(ordinal) and not all(ordinal):
        raise CRMInputError("compare_models: the models were fitted with different estimators (DWLS/WLSMV on "
                            "ordinal items and ML); refit them with the same one.")
    est = {"WLSMV" if o else _estimator(f) for f, o in zip(fits, ordinal)}
    if len(est) > 1:
        raise CRMInputError(f"compare_models: the models were fitted with different estimators {sorted(est)}; refit "
                            "them with the same one.")
    estimator = est.pop()
    first = fits[0]
    fiml = [hasattr(f, "h1_mean") for f in fits]
    if all(multigroup):
        for nm, f in zip(names[1:], fits[1:]):
            if (f.group_col != first.group_col or list(f.groups) != list(first.groups)
                    or list(f.group_sizes) != list(first.group_sizes)):
                raise CRMInputError(f"compare_models: {nm!r} was not fitted to the same groups as {names[0]!r} "
                                    f"({f.group_col!r}: {dict(zip(f.groups, f.group_sizes))} vs "
                                    f"{first.group_col!r}: {dict(zip(first.groups, first.group_sizes))}).")
    for nm, f in zip(names[1:], fits[1:] if not all(multigroup) else ()):
        if f.n != first.n or sorted(f.spec.observed) != sorted(first.spec.observed) or fiml[0] != hasattr(f, "h1_mean"):
            raise CRMInputError(f"compare_models: {nm!r} was not fitted to the same data as {names[0]!r} (sample size "
                                f"{f.n} vs {first.n}, or other variables, or another missing-data method). Nested "
                                "models must share their data and observed variables.")
        order = [f.spec.observed.index(v) for v in first.spec.observed]
        if not np.allclose(f.S[np.ix_(order, order)], first.S, rtol=1e-8, atol=1e-10):
            raise CRMInputError(f"compare_models: {nm!r} and {names[0]!r} have different sample covariances: they "
                                "were fitted to different data.")
    if method == "default":
        method = ("satorra.2000" if all(ordinal) else "standard" if estimator == "ML"
                  else "satorra.bentler.2001")
    if all(ordinal) and method != "satorra.2000":
        raise CRMInputError(f"compare_models: DWLS/WLSMV fits are compared by method='satorra.2000' (lavaan's "
                            f"default for them); got method={method!r}.")
    if method == "satorra.2000" and not all(ordinal):
        raise CRMInputError("compare_models: method='satorra.2000' is for DWLS/WLSMV fits of ordinal items.")
    if method != "standard" and estimator == "ML":
        raise CRMInputError(f"compare_models: method={method!r} needs robust fits (estimator='MLM' or 'MLR').")
    if method == "satorra.bentler.2010" and (any(fiml) or all(multigroup)):
        raise CRMInputError("compare_models: method='satorra.bentler.2010' is not available for FIML or "
                            "multi-group fits; use 'satorra.bentler.2001'.")

    order = sorted(range(len(fits)), key=lambda k: float(fits[k].fit_measures["df"]))
    rows = []
    for pos, k in enumerate(order):
        f = fits[k]
        fm = f.fit_measures
        row = {"df": float(fm["df"]), "aic": float(fm.get("aic", np.nan)), "bic": float(fm.get("bic", np.nan)),
               "chisq": float(fm["chisq"]),
               "chisq_diff": np.nan, "df_diff": np.nan, "pvalue": np.nan}
        if method == "standard":
            row["rmsea"] = np.nan
        row["cfi"] = float(fm["cfi"])
        row["cfi_diff"] = np.nan
        if "cfi_robust" in fm.index:
            row["cfi_robust"], row["cfi_robust_diff"] = float(fm["cfi_robust"]), np.nan
        if pos:
            big = fits[order[pos - 1]]
            row.update(_difference(big, f, names[order[pos - 1]], names[k], method))
            row["cfi_diff"] = row["cfi"] - float(big.fit_measures["cfi"])
            if "cfi_robust" in row:
                row["cfi_robust_diff"] = row["cfi_robust"] - float(big.fit_measures["cfi_robust"])
        rows.append(row)
    table = pd.DataFrame(rows, index=[names[k] for k in order])
    return ModelComparison(table=table, method=method, estimator=estimator)


def _difference(big, small, big_name, small_name, method) -> dict:
    from scipy.stats import chi2

    fb, fs = big.fit_measures, small.fit_measures
    r1, r0 = int(fb["df"]), int(fs["df"])
    t1, t0 = float(fb["chisq"]), float(fs["chisq"])
    m = r0 - r1
    if m == 0:
        raise CRMInputError(f"compare_models: {big_name!r} and {small_name!r} have the same degrees of freedom "
                            f"({r0}); they cannot be nested unless identical. Compare such models by AIC/BIC.")
    if t0 < t1 - 1e-6 * max(1.0, t1):
        raise CRMInputError(f"compare_models: the more restricted model {small_name!r} (df {r0}) fits better than "
                            f"{big_name!r} (df {r1}): chi-square {t0:.3f} < {t1:.3f}. The models are not nested.")
    out = {"df_diff": float(m)}
    if method == "satorra.2000":
        diff = _satorra_2000(big, small, big_name, small_name, t0 - t1, m)
    elif method == "standard":
        diff = t0 - t1
        n = float(big.n)
        groups = len(big.groups) if _is_multigroup(big) else 1
        out["rmsea"] = float(np.sqrt(groups) * np.sqrt(max(0.0, (diff - m) / (n * m))))
    else:
        c1 = float(fb["chisq_scaling_factor"]) if r1 > 0 else 1.0
        c0 = float(fs["chisq_scaling_factor"])
        if method == "satorra.bentler.2010":
            from crm_research.sem.robust import scaling_factor

            if r1 > 0:
                theta10 = _theta_at(big, small)
                x_idx = [big.spec.observed.index(v) for v in big.spec.ov_x]
                c1 = scaling_factor(big.ram, theta10, big.S, big.raw, big.estimator, r1, x_idx=x_idx)["c"]
        cd = (r0 * c0 - r1 * c1) / m
        diff = (t0 - t1) / cd if cd > 0 else np.nan
    out["chisq_diff"] = float(diff)
    out["pvalue"] = float(chi2.sf(diff, m)) if np.isfinite(diff) else np.nan
    return out


def _correlation_jacobian(fit) -> np.ndarray:
    """Derivatives of the implied polychoric correlations (below the diagonal, column by column) by the free
    parameters of a DWLS fit, at its estimates (the thresholds are separate parameters that these do not
    involve)."""
    p = len(fit.spec.observed)
    jj, ii = np.triu_indices(p, 1)
    return fit.ram.delta(*fit.ram.implied(fit.fit.theta)[1:])[ii * p + jj]


def _restrictions(big, small, big_name, small_name, m) -> np.ndarray:
    """``A``: the restrictions that turn ``big`` into ``small``, as lavaan's ``lav_test_diff_A(method =
    "delta")``: the rows span the orthogonal complement of ``H = Delta1^+ Delta0`` (each model's Jacobian at
    its own estimates)."""
    D1, D0 = _correlation_jacobian(big), _correlation_jacobian(small)
    H = np.linalg.pinv(D1) @ D0
    u, sv, _ = np.linalg.svd(H, full_matrices=True)
    rank = int(np.sum(sv > 1e-8 * max(1.0, sv.max(initial=0.0))))
    A = u[:, rank:].T
    if A.shape[0] != m:
        raise CRMInputError(f"compare_models: {small_name!r} is not a restriction of {big_name!r} ({A.shape[0]} "
                            f"restrictions found for a difference of {m} degrees of freedom): the models are not "
                            "nested.")
    return A


def _satorra_2000(big, small, big_name, small_name, t_diff, m) -> float:
    """The scaled-shifted difference test of DWLS fits (lavaan's ``lav_test_diff_Satorra2000`` with
    ``scaled.shifted = TRUE``): see the module docstring."""
    pc = big.polychoric
    gamma = pc.nacov.to_numpy(float)
    n_th = len(pc.thresholds)
    gamma_r = gamma[n_th:, n_th:]
    w = 1.0 / np.diag(gamma_r)
    D = _correlation_jacobian(big)
    A = _restrictions(big, small, big_name, small_name, m)
    WD = w[:, None] * D
    P_inv = np.linalg.inv(D.T @ WD)
    APA = A @ P_inv @ A.T
    proj = P_inv @ A.T @ np.linalg.pinv(APA) @ A @ P_inv
    UG = WD @ proj @ WD.T @ gamma_r
    tr1, tr2 = float(np.trace(UG)), float(np.sum(UG * UG.T))
    a = np.sqrt(m / tr2)
    return float(t_diff * a + (m - a * tr1))
