"""Structured mean structures in one group: fixed intercepts (``x1 ~ 0*1``), equal intercepts
(``x1 ~ i*1; x2 ~ i*1``) and latent means (``F ~ 1``), as lavaan fits them.

A saturated mean structure (every intercept free, latent means 0) leaves the
covariance fit unchanged and is added by
:func:`crm_research.sem.result.add_intercepts`.  A mean structure with
restrictions is part of the model: ML then minimises, for complete data with
sample mean ``xbar`` and biased covariance ``S``,

``F = log|Sigma| + tr(S Sigma^-1) - log|S| - p + (xbar - mu)' Sigma^-1 (xbar - mu)``,
``mu`` the observed part of ``(I - A)^-1 m`` (``m``: intercepts and latent means),

which is the multi-group discrepancy of :mod:`crm_research.sem.multigroup` with
one group; that module's engine fits it (one optimiser, one set of formulas),
with lavaan's ``chisq = N F`` on ``p(p+1)/2 + p`` moments, its SRMR over the
covariance and mean residuals, and (``estimator="MLM"/"MLR"``) the robust
standard errors and scaled statistics of
:func:`crm_research.sem.robust.multigroup_scaling`.

References
----------
Rosseel, Y. (2012). lavaan: An R package for structural equation modeling.
*Journal of Statistical Software*, 48(2), 1-36.
Sörbom, D. (1974). A general method for studying differences in factor means
and factor structure between groups. *British Journal of Mathematical and
Statistical Psychology*, 27(2), 229-239.
"""

from __future__ import annotations

import copy
import warnings as _warnings
from dataclasses import dataclass
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMConvergenceWarning, CRMInputError
from crm_research.core.results import Result
from crm_research.core.threads import single_thread
from crm_research.sem.estimation import RAM
from crm_research.sem.model import ModelSpec, start_values
from crm_research.sem.multigroup import _build, _evaluate, _Group, _optimize, fit_and_estimate_tables

__all__ = ["MeanStructureResult", "fit_mean_structure", "has_structured_means"]


@dataclass(repr=False, eq=False, kw_only=True)
class MeanStructureResult(Result):
    """A one-group model whose mean structure has restrictions (fixed or equal intercepts, latent means).

    Attributes
    ----------
    estimates : pandas.DataFrame
        lavaan's ``parameterEstimates``: ``lhs, op, rhs, label, est, se, z,
        pvalue, ci_lower, ci_upper, std_all``, with an ``~1`` row for every
        observed and latent variable.
    fit_measures : pandas.Series
        ``npar, chisq, df, pvalue, baseline_chisq, baseline_df, cfi, tli,
        loglik, unrestricted_loglik, aic, bic, n, rmsea (+ interval), srmr``;
        with ``estimator="MLM"/"MLR"`` also ``chisq_scaled,
        chisq_scaling_factor, cfi_robust, tli_robust, rmsea_robust`` ...
    estimator : str
        ``"ML"``, ``"MLM"`` or ``"MLR"``.
    converged : bool
    iterations : int
    n : int
    model : str
        The lavaan syntax.
    warnings : list of str
    """

    title: ClassVar[str] = "Structural equation model with a mean structure"
    estimates: pd.DataFrame
    fit_measures: pd.Series
    estimator: str
    converged: bool
    iterations: int
    n: int
    model: str

    def to_frame(self) -> pd.DataFrame:
        return self.estimates.copy()

    def plot(self, ax=None):
        """The estimated intercepts and latent means (op ``~1``) with their confidence intervals."""
        import matplotlib.pyplot as plt

        rows = self.estimates[self.estimates["op"] == "~1"]
        if ax is None:
            _, ax = plt.subplots(figsize=(6, 0.3 * len(rows) + 1.5))
        y = np.arange(len(rows))
        ax.errorbar(rows["est"], y, xerr=[rows["est"] - rows["ci_lower"], rows["ci_upper"] - rows["est"]],
                    fmt="o", capsize=3)
        ax.set_yticks(y, rows["lhs"])
        ax.invert_yaxis()
        ax.set_xlabel("estimate (intercept / latent mean)")
        ax.set_title("Mean structure")
        return ax

    def _summary_tables(self):
        fit, est = fit_and_estimate_tables(self.fit_measures, self.estimates, self.estimator)
        return [(f"Estimator {self.estimator}, N = {self.n}; "
                 f"{'converged' if self.converged else 'NOT CONVERGED'}", fit),
                ("Parameter estimates (intercepts and latent means: op '~1')", est)]


def has_structured_means(spec: ModelSpec) -> bool:
    """Whether the syntax restricts the mean structure: a fixed intercept, a latent mean, or a label shared
    by two intercepts."""
    labels = [m.label for m in spec.means if m.label]
    return (any(not m.free for m in spec.means) or any(m.lhs in spec.latent for m in spec.means)
            or len(labels) != len(set(labels)))


def fit_mean_structure(spec: ModelSpec, raw: np.ndarray, *, estimator: str = "ML", ci: float = 0.95,
                       func: str = "sem", model: str = "") -> MeanStructureResult:
    """Fit a one-group model with a restricted mean structure by ML (MLM/MLR: robust SEs and statistics).

    Parameters
    ----------
    spec : ModelSpec
        The model (:func:`crm_research.sem.model.build_spec` with
        ``structured_means=True``); ``spec.means`` holds the ``~1`` rows of
        the syntax.  Observed variables without one have a free intercept,
        latent variables without one a mean fixed at 0 (lavaan's defaults).
    raw : numpy.ndarray
        Complete data (N x p) in the order of ``spec.observed``.
    estimator : {"ML", "MLM", "MLR"}
    ci : float, default 0.95
    func : str
        The caller's name, for messages.
    model : str
        The syntax, kept on the result.

    Returns
    -------
    MeanStructureResult

    Examples
    --------
    >>> import crm_research as crm
    >>> hs = crm.load_dataset("holzinger1939")
    >>> fit = crm.cfa(hs, "visual =~ x1 + x2 + x3\\nx1 ~ 0*1\\nvisual ~ 1")
    >>> fit.estimates.query("op == '~1' and lhs == 'visual'")[["est", "se"]].round(3).to_numpy().tolist()
    [[4.936, 0.067]]
    """
    from scipy.stats import chi2, norm

    labels_used = {m.label for m in spec.means if m.label}
    for d in spec.definitions:
        shared = labels_used & set(d.names)
        if shared:
            raise CRMInputError(f"{func}: the defined parameter {d.name!r} uses the intercept label(s) "
                                f"{sorted(shared)}; defined parameters of intercepts are not supported yet.")
    declared_rows = {m.lhs: m for m in spec.means}
    for lv in spec.latent:
        row = declared_rows.get(lv)
        if row is None or not row.free:
            continue
        items = [r.rhs for r in spec.rows if r.op == "=~" and r.lhs == lv]
        if not any(x in declared_rows and (not declared_rows[x].free or declared_rows[x].label) for x in items):
            raise CRMInputError(f"{func}: the mean of {lv!r} is free while the intercepts of all its indicators "
                                f"({', '.join(items)}) are free too: the model is not identified. Fix one intercept "
                                f"(lavaan's marker choice: '{items[0]} ~ 0*1') or constrain them equal.")
    spec = copy.deepcopy(spec)
    n, p = raw.shape
    S = np.cov(raw.T, bias=True)
    xbar = raw.mean(axis=0)
    group = _Group(spec, S, xbar, n)
    label_index = {r.label: r.index for r in spec.rows if r.label and r.index >= 0}
    declared = {m.lhs: m for m in spec.means}
    n_global = spec.n_free
    starts = {}
    for v, name in enumerate(spec.variables):
        row = declared.get(name)
        if row is None:
            if v < p:
                group.mean_index[v] = n_global
                starts[n_global] = xbar[v]
                n_global += 1
            continue
        if not row.free:
            group.mean_fixed[v] = row.value
        elif row.label and row.label in label_index:
            group.mean_index[v] = label_index[row.label]
        else:
            group.mean_index[v] = n_global
            starts[n_global] = xbar[v] if v < p else 0.0
            if row.label:
                label_index[row.label] = n_global
            n_global += 1
    df = p * (p + 1) // 2 + p - n_global
    if df < 0:
        raise CRMInputError(f"{func}: the model is not identified: {n_global} free parameters (means included) "
                            f"for {p * (p + 1) // 2 + p} sample means, variances and covariances. Fix an "
                            "intercept per latent mean (e.g. the marker's, 'x1 ~ 0*1').")
    theta = np.zeros(n_global)
    theta[: spec.n_free] = start_values(spec, S)
    spec.n_free = n_global
    group.ram = RAM(spec)
    group.m = group.ram.m
    for k, value in starts.items():
        theta[k] = value
    with single_thread():
        theta, F, _grad, H, parts, converged, message, iterations = _optimize([group], theta, n)
        rob = None
        if estimator != "ML":
            from crm_research.sem.robust import multigroup_scaling

            def implied(t):
                return [(part[3], part[0]) for part in _evaluate([group], t, n, order=0)[3]]

            rob = multigroup_scaling([raw], implied, lambda t: _evaluate([group], t, n, order=1)[1], theta,
                                     estimator, df)
        mg = _build([group], theta, F, H, parts, n, [""], [n], "", [], ci, converged, message, iterations, chi2,
                    norm, spec.definitions, rob=rob, estimator=estimator)
    if not converged:
        _warnings.warn(f"{func}: the estimation did not converge ({message}); the estimates are not reliable.",
                       CRMConvergenceWarning, stacklevel=3)
    estimates = mg.estimates.drop(columns=["group"]).reset_index(drop=True)
    return MeanStructureResult(estimates=estimates, fit_measures=mg.fit_measures, estimator=estimator,
                               converged=converged, iterations=iterations, n=n, model=model,
                               warnings=list(mg.warnings))
