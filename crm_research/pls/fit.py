"""Model fit of a PLS-SEM result as SmartPLS reports it: SRMR, d_ULS, d_G, Chi² and NFI.

Each measure compares the observed indicator correlation matrix :math:`S` with a model-implied one
:math:`\\hat\\Sigma`, for two models (SmartPLS's "saturated" and "estimated" columns):

* the **saturated** model keeps the construct correlations as estimated (every pair of constructs free), so
  only the measurement model is tested;
* the **estimated** model replaces them by the correlations the structural model implies (exogenous
  constructs correlate as estimated, endogenous ones follow from the path coefficients with disturbance
  variances :math:`1 - R^2`; Bollen, 1989), so the structure is tested too.

The indicator correlations implied by construct correlations :math:`\\Phi` and loadings :math:`\\lambda`:
items of two different constructs :math:`\\lambda_i \\lambda_j \\phi_{kl}`; items of one construct
:math:`\\lambda_i\\lambda_j` when the construct is a common factor (SmartPLS treats its "reflective", mode A,
constructs so, also for PLS estimates) and the observed :math:`s_{ij}` when it is a composite (mode B, whose
indicators correlate freely); ones on the diagonal.  ``approach="composite"`` treats every construct as a
composite (Henseler et al., 2014; ADANCO, cSEM with composites).  After ``consistent=True`` (PLSc) the
loadings are the consistent ones and the construct correlations are disattenuated by rho_A, as in SmartPLS's
PLSc model fit.  These choices reproduce SmartPLS 4.1.1.8's saturated SRMR, d_ULS and d_G for PLS and PLSc
(``tests/reference/pls/smartpls4_hs100_fit.csv``).

Measures (Dijkstra & Henseler, 2015; Henseler et al., 2014; Bentler & Bonett, 1980):
:math:`SRMR = \\sqrt{\\sum_{i \\le j}(s_{ij} - \\hat\\sigma_{ij})^2 / (p(p+1)/2)}`,
:math:`d_{ULS} = \\tfrac12 \\sum_{i,j}(s_{ij} - \\hat\\sigma_{ij})^2`,
:math:`d_G = \\tfrac12 \\sum_k (\\log_{10} \\varphi_k)^2` with :math:`\\varphi_k` the eigenvalues of
:math:`S^{-1}\\hat\\Sigma` (base-10 logarithms as SmartPLS 4 and cSEM compute it; Dijkstra & Henseler write
the natural logarithm, which makes d_G larger by the factor :math:`\\ln(10)^2 \\approx 5.30`), :math:`\\chi^2 = (N-1) F_{ML}` with
:math:`F_{ML} = \\mathrm{tr}(S\\hat\\Sigma^{-1}) - \\ln|S\\hat\\Sigma^{-1}| - p`, and
:math:`NFI = 1 - \\chi^2 / \\chi^2_{null}` where the null model implies uncorrelated indicators
(:math:`\\hat\\Sigma = I`, so :math:`F_{ML,null} = -\\ln|S|`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import ClassVar

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.results import Result
from crm_research.core.validation import check_bool, check_choice, check_int, check_number, check_seed

__all__ = ["model_fit", "implied_correlations", "bollen_stine_data", "pls_fit_test", "PLSFitTest"]

FIT_MEASURES = ["SRMR", "d_ULS", "d_G", "Chi-square", "NFI"]


@dataclass
class _Parts:
    """What the implied correlations need from one PLS estimate (the fit, or one bootstrap resample)."""

    items: list  # indicators, in the order of ``s``
    s: np.ndarray  # their observed correlations
    names: list  # constructs
    lam: np.ndarray  # each item's loading on its own construct
    block: np.ndarray  # each item's construct position
    mode: dict  # construct -> "A" / "B"
    phi: np.ndarray  # construct correlations (after PLSc: disattenuated)
    pattern: np.ndarray  # (k, k) booleans, pattern[i, j]: a path i -> j


def _engine_parts(e, rho_a=None) -> _Parts:
    """:class:`_Parts` of a seminr fit; ``rho_a`` (construct -> rho_A) marks a PLSc fit."""
    names = list(e.constructs)
    # mode "A"/"B": seminr types composites "A"/"B", PLSc common factors "C", two-stage HOCs "HOCA"/"HOCB"
    owner = {r.measurement: (r.construct, "B" if r.type.endswith("B") else "A") for r in e.mm_matrix.rows}
    # the model as last estimated: after a two-stage HOC its second stage (the LOC scores as the HOC's items)
    cols = list(e.data.columns)
    items = [i for i in cols if i in owner and owner[i][0] in names]
    x = np.asarray(e.data.values, dtype=float)[:, [cols.index(i) for i in items]]
    s = np.corrcoef(x, rowvar=False)
    block = np.array([names.index(owner[i][0]) for i in items])
    mode = {owner[i][0]: owner[i][1] for i in items}
    scores = np.asarray(e.construct_scores.values, dtype=float)
    phi = np.corrcoef(scores, rowvar=False)
    # standardized quantities throughout: the engine leaves a two-stage interaction score unstandardized
    # (its loading and path are in the product's own scale), the implied correlations need correlations
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    zs = (scores - scores.mean(axis=0)) / scores.std(axis=0)
    lam = (z * zs[:, block]).mean(axis=0)
    if rho_a is not None:
        # PLSc: the consistent loadings of the common-factor constructs and their construct correlations
        # disattenuated by rho_A (Dijkstra & Henseler, 2015), as SmartPLS's PLSc model fit uses them
        rho = np.ones(len(names))
        lam_engine = np.asarray(e.outer_loadings.values, dtype=float)
        rows = list(e.outer_loadings.rows)
        for j, c in enumerate(names):
            own = [k for k in range(len(items)) if block[k] == j]
            if mode[c] == "A" and len(own) > 1 and np.isfinite(rho_a.get(c, np.nan)):
                rho[j] = float(rho_a[c])
                for k in own:
                    lam[k] = lam_engine[rows.index(items[k]), j]
        phi = phi / np.sqrt(np.outer(rho, rho))
        np.fill_diagonal(phi, 1.0)
    pattern = np.asarray(e.path_coef.values, dtype=float) != 0  # rows: from, columns: to
    return _Parts(items, s, names, lam, block, mode, phi, pattern)


def _result_parts(result) -> _Parts:
    rho_a = None
    if getattr(result, "consistent", False):
        rho_a = result.reliability.set_index("construct")["rho_a"].to_dict()
    return _engine_parts(result.engine_model, rho_a)


def _ols_paths(phi: np.ndarray, pattern: np.ndarray) -> np.ndarray:
    """Path coefficients (from x to) of the structural model, by OLS on the construct correlations."""
    paths = np.zeros_like(phi)
    for j in range(len(phi)):
        pred = np.flatnonzero(pattern[:, j])
        if len(pred):
            paths[pred, j] = np.linalg.solve(phi[np.ix_(pred, pred)], phi[pred, j])
    return paths


def _structural_correlations(phi: np.ndarray, paths: np.ndarray) -> np.ndarray:
    """Construct correlations implied by the recursive structural model (cSEM's ``fit()``; Bollen, 1989).

    eta = B eta + zeta with B[j, i] the path i -> j; exogenous constructs keep their estimated correlations,
    each endogenous disturbance has variance 1 - R² (OLS paths: 1 - sum_i b_ji r_ij) and is uncorrelated
    with the others; the implied variances of endogenous constructs are then set to 1.
    """
    b = paths.T
    k = len(phi)
    endo = np.abs(b).sum(axis=1) > 0
    psi = np.zeros((k, k))
    exo = ~endo
    psi[np.ix_(exo, exo)] = phi[np.ix_(exo, exo)]
    zeta = 1.0 - (b * phi).sum(axis=1)
    psi[endo, endo] = zeta[endo]
    inv = np.linalg.inv(np.eye(k) - b)
    out = inv @ psi @ inv.T
    np.fill_diagonal(out, 1.0)
    return (out + out.T) / 2


def implied_correlations(result, *, saturated: bool = False, approach: str = "smartpls") -> pd.DataFrame:
    """The model-implied indicator correlation matrix of a PLS fit (the matrix SRMR and NFI compare with S).

    Parameters
    ----------
    result : PLSResult
    saturated : bool, default False
        True: construct correlations as estimated (SmartPLS's "saturated model"); False: as the structural
        model implies them ("estimated model").
    approach : {"smartpls", "composite"}, default "smartpls"
        "smartpls": mode A constructs are common factors (within-block correlations
        :math:`\\lambda_i\\lambda_j`), mode B composites (within-block correlations observed);
        "composite": every construct a composite.

    Returns
    -------
    pandas.DataFrame
        Items x items.

    Examples
    --------
    >>> import crm_research as crm
    >>> fit = crm.pls_sem(crm.load_dataset("mobi"), '''
    ...     Image =~ IMAG1 + IMAG2 + IMAG3
    ...     Value =~ PERV1 + PERV2
    ...     Value ~ Image''')
    >>> sigma = implied_correlations(fit, saturated=True)
    >>> bool((abs(sigma.values.diagonal() - 1) < 1e-12).all())
    True
    """
    approach = check_choice(approach, "approach", ["smartpls", "composite"], "implied_correlations")
    parts = _result_parts(result)
    return pd.DataFrame(_implied(parts, saturated, approach), index=parts.items, columns=parts.items)


def _implied(parts: _Parts, saturated: bool, approach: str) -> np.ndarray:
    cor = parts.phi if saturated else _structural_correlations(parts.phi, _ols_paths(parts.phi, parts.pattern))
    b = parts.block
    sigma = np.outer(parts.lam, parts.lam) * cor[np.ix_(b, b)]
    same = b[:, None] == b[None, :]
    composite = np.array([approach == "composite" or parts.mode[parts.names[j]] == "B" for j in b])
    keep_s = same & composite[:, None]
    sigma[keep_s] = parts.s[keep_s]
    np.fill_diagonal(sigma, 1.0)
    return sigma


def _measures(s: np.ndarray, sigma: np.ndarray, n: int) -> dict[str, float]:
    p = len(s)
    resid = s - sigma
    low = np.tril_indices(p)
    srmr = float(np.sqrt(np.mean(resid[low] ** 2)))
    d_uls = float(0.5 * np.sum(resid**2))
    if np.linalg.matrix_rank(s) < p:  # repeated indicators: S is singular, no likelihood-based measure exists
        return {"SRMR": srmr, "d_ULS": d_uls, "d_G": np.nan, "Chi-square": np.nan, "NFI": np.nan}
    try:
        phi_k = np.linalg.eigvals(np.linalg.solve(s, sigma)).real
        # base-10 logarithms, as SmartPLS 4 and cSEM compute d_G (Dijkstra & Henseler write the natural log;
        # the two differ by the factor ln(10)^2 = 5.30)
        d_g = float(0.5 * np.sum(np.log10(phi_k) ** 2)) if (phi_k > 0).all() else np.nan
        _, logdet_s = np.linalg.slogdet(s)
        sign, logdet_sig = np.linalg.slogdet(sigma)
        f_ml = float(np.trace(s @ np.linalg.inv(sigma)) - (logdet_s - logdet_sig) - p) if sign > 0 else np.nan
        f_null = float(-logdet_s)
    except np.linalg.LinAlgError:  # singular S (repeated indicators): the likelihood-based measures do not exist
        d_g = f_ml = f_null = np.nan
    return {"SRMR": srmr, "d_ULS": d_uls, "d_G": d_g, "Chi-square": (n - 1) * f_ml,
            "NFI": 1.0 - f_ml / f_null if f_null and np.isfinite(f_null) else np.nan}


def model_fit(result, *, approach: str = "smartpls") -> pd.DataFrame:
    """SRMR, d_ULS, d_G, Chi² and NFI of the saturated and the estimated model, as SmartPLS's "Model fit".

    Parameters
    ----------
    result : PLSResult
    approach : {"smartpls", "composite"}, default "smartpls"
        How the within-construct indicator correlations are implied (see :func:`implied_correlations`).

    Returns
    -------
    pandas.DataFrame
        Index ``SRMR, d_ULS, d_G, Chi-square, NFI``; columns ``saturated, estimated``.  ``d_G``, ``Chi-square``
        and ``NFI`` are NaN when the indicator correlation matrix is singular (repeated indicators of a
        higher-order construct).  After a two-stage higher-order construct the table describes the
        second-stage model (the LOC scores as the HOC's indicators), the model a SmartPLS user estimates
        last; a two-stage interaction term enters as its single (standardized) product indicator.

    Notes
    -----
    Approximate fit: SRMR below 0.08 (Hu & Bentler, 1999; SmartPLS's documentation also quotes 0.10) and NFI
    above 0.90 are the thresholds SmartPLS's documentation quotes; Hair et al. (2022, ch. 6) caution that
    these CB-SEM thresholds are not established for PLS-SEM and that SRMR is of limited use there.  d_ULS and
    d_G are tested by the Bollen-Stine bootstrap of Dijkstra & Henseler (2015), not read against thresholds.
    The Chi² uses N - 1 (the ML discrepancy times N - 1); NFI does not depend on that choice.
    ``approach="smartpls"`` follows SmartPLS in treating mode A constructs as common factors even for PLS
    estimates; the SRMR of a PLS fit with reflective constructs is then larger than its composite-model SRMR,
    because PLS loadings are inflated.

    References
    ----------
    Dijkstra, T. K., & Henseler, J. (2015). Consistent and asymptotically normal PLS estimators for linear
    structural equations. *Computational Statistics & Data Analysis*, 81, 10-23.

    Henseler, J., Dijkstra, T. K., Sarstedt, M., Ringle, C. M., Diamantopoulos, A., Straub, D. W., Ketchen,
    D. J., Hair, J. F., Hult, G. T. M., & Calantone, R. J. (2014). Common beliefs and reality about PLS.
    *Organizational Research Methods*, 17(2), 182-209.

    Bentler, P. M., & Bonett, D. G. (1980). Significance tests and goodness of fit in the analysis of
    covariance structures. *Psychological Bulletin*, 88(3), 588-606.

    Examples
    --------
    >>> import crm_research as crm
    >>> fit = crm.pls_sem(crm.load_dataset("mobi"), '''
    ...     Image =~ IMAG1 + IMAG2 + IMAG3
    ...     Value =~ PERV1 + PERV2
    ...     Satisfaction =~ CUSA1 + CUSA2 + CUSA3
    ...     Value ~ Image
    ...     Satisfaction ~ Image + Value''')
    >>> table = model_fit(fit)
    >>> list(table.columns), bool(table.loc["SRMR", "saturated"] < 0.10)
    (['saturated', 'estimated'], True)
    """
    approach = check_choice(approach, "approach", ["smartpls", "composite"], "model_fit")
    if result.engine_model is None:
        raise CRMInputError("model_fit needs the fitted engine model of a pls_sem result.")
    parts = _result_parts(result)
    out = {col: _measures(parts.s, _implied(parts, sat, approach), result.n)
           for col, sat in (("saturated", True), ("estimated", False))}
    return pd.DataFrame(out).loc[FIT_MEASURES]


# ----------------------------------------------------------------------------- bootstrap test of exact fit
FIT_TEST_MEASURES = ["SRMR", "d_ULS", "d_G"]
FIT_TEST_COLUMNS = ["model", "measure", "original", "boot_mean", "hi95", "hi99", "pvalue", "rejected"]


def _sym_power(m: np.ndarray, power: float, what: str) -> np.ndarray:
    """Symmetric matrix power through the eigendecomposition (the square roots of the Bollen-Stine transform)."""
    vals, vecs = np.linalg.eigh((m + m.T) / 2)
    if vals.min() <= 1e-10 * max(vals.max(), 1.0):
        raise CRMInputError(f"pls_fit_test: the {what} is not positive definite (smallest eigenvalue "
                            f"{vals.min():.3g}), so the Bollen-Stine transform of the data does not exist; "
                            "expected a model whose implied and observed indicator correlations are both of full "
                            "rank (no repeated or perfectly collinear indicators).")
    return (vecs * vals**power) @ vecs.T


class _FitResample:
    """One Bollen-Stine resample: re-estimate the model on the resampled transformed data, return its distances.

    Composite models (PLS, modes A and B) run on the correlation-matrix kernel of the bootstrap
    (:class:`crm_research.pls.bootstrap.CorrPLS`); PLSc re-runs the seminr engine, whose consistent loadings
    and rho_A the PLSc implied correlations need.
    """

    def __init__(self, result, x: np.ndarray, parts: _Parts, saturated: bool, approach: str):
        from crm_research.pls.bootstrap import CorrPLS

        self.x, self.parts, self.saturated, self.approach = x, parts, saturated, approach
        e = result.engine_model
        self.consistent = bool(getattr(result, "consistent", False))
        if self.consistent:
            self.engine, self.kernel = e, None
        else:
            self.engine, self.kernel = None, CorrPLS.from_model(e, columns=parts.items)
            kernel_items = list(e.mm_variables)
            self.kpos = np.array([kernel_items.index(i) for i in parts.items])

    def __call__(self, idx: np.ndarray) -> np.ndarray | None:
        x = self.x[idx]
        if self.kernel is None:
            from seminr.estimate.data import Dataset
            from seminr.estimate.rerun import rerun
            from seminr.evaluate.reliability import reliability_table

            rep = rerun(self.engine, data=Dataset(tuple(self.parts.items), np.ascontiguousarray(x)))
            rel = reliability_table(rep)
            rho_a = dict(zip(rel.rows, np.asarray(rel.values, dtype=float)[:, list(rel.cols).index("rhoA")]))
            parts = _engine_parts(rep, rho_a)
        else:
            out = self.kernel.fit(x)
            if out is None:
                return None  # a constant indicator in this resample
            _, loadings, w, _, _ = out
            r = np.corrcoef(x, rowvar=False)  # x's columns are parts.items
            rk = r[np.ix_(self.kernel.perm, self.kernel.perm)]  # in the kernel's item order
            p = self.parts
            parts = _Parts(p.items, r, p.names, loadings[self.kpos, p.block], p.block, p.mode, w.T @ rk @ w,
                           p.pattern)
        m = _measures(parts.s, _implied(parts, self.saturated, self.approach), len(x))
        return np.array([m[k] for k in FIT_TEST_MEASURES])


def bollen_stine_data(result, *, saturated: bool = False, approach: str = "smartpls") -> pd.DataFrame:
    """The indicator data rotated so that their correlation matrix is the model-implied one.

    :math:`X^* = Z S^{-1/2} \\hat\\Sigma^{1/2}` with :math:`Z` the standardized indicators (divided by the
    population SD), :math:`S` their correlations and :math:`\\hat\\Sigma` the implied correlations
    (Bollen & Stine, 1992; Beran & Srivastava, 1985), so that :math:`X^{*\\prime}X^*/N = \\hat\\Sigma`: resamples
    of :math:`X^*` come from a population in which the model holds exactly.

    Parameters
    ----------
    result : PLSResult
    saturated : bool, default False
        Rotate to the saturated model's implied correlations (True) or the estimated model's.
    approach : {"smartpls", "composite"}, default "smartpls"
        See :func:`implied_correlations`.

    Returns
    -------
    pandas.DataFrame
        N x indicators.

    Examples
    --------
    >>> import numpy as np, crm_research as crm
    >>> fit = crm.pls_sem(crm.load_dataset("mobi"), '''
    ...     Image =~ IMAG1 + IMAG2 + IMAG3
    ...     Value =~ PERV1 + PERV2
    ...     Value ~ Image''')
    >>> rotated = bollen_stine_data(fit)
    >>> implied = implied_correlations(fit)
    >>> bool(np.allclose(np.corrcoef(rotated.values, rowvar=False), implied.values))
    True
    """
    approach = check_choice(approach, "approach", ["smartpls", "composite"], "bollen_stine_data")
    parts = _checked_for_fit_test(result)
    return pd.DataFrame(_rotate(result, parts, saturated, approach), columns=parts.items)


def _checked_for_fit_test(result) -> _Parts:
    if getattr(result, "engine_model", None) is None:
        raise CRMInputError("pls_fit_test: `result` must be a pls_sem result (with its fitted engine model); "
                            f"got {type(result).__name__}.")
    spec = result.spec
    if spec.interactions or spec.higher_order:
        what = "interaction terms " + str(list(spec.interactions)) if spec.interactions else \
            "higher-order constructs " + str(list(spec.higher_order))
        raise CRMInputError(f"pls_fit_test: the model has {what}; the bootstrap test of exact fit (Dijkstra & "
                            "Henseler, 2015) is defined for linear models of first-order constructs, whose "
                            "implied indicator correlations the rotated data can reproduce. Expected a model "
                            "without ':' terms and without constructs measured by constructs.")
    return _result_parts(result)


def _rotate(result, parts: _Parts, saturated: bool, approach: str) -> np.ndarray:
    e = result.engine_model
    cols = list(e.data.columns)
    x = np.asarray(e.data.values, dtype=float)[:, [cols.index(i) for i in parts.items]]
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    sigma = _implied(parts, saturated, approach)
    return z @ _sym_power(parts.s, -0.5, "observed indicator correlation matrix") @ _sym_power(
        sigma, 0.5, ("saturated" if saturated else "estimated") + " model's implied correlation matrix")


@dataclass(repr=False, eq=False)
class PLSFitTest(Result):
    """The bootstrap test of exact model fit of a PLS path model (SmartPLS's bootstrapped "Model fit").

    Attributes
    ----------
    table : DataFrame
        ``model`` ("saturated"/"estimated"), ``measure`` (SRMR, d_ULS, d_G), ``original`` (the fit's value, as
        :meth:`PLSResult.model_fit`), ``boot_mean``, ``hi95`` and ``hi99`` (the 95% and 99% quantiles of the
        bootstrap distribution under exact fit, SmartPLS's "95%"/"99%" columns), ``pvalue`` (share of resamples
        at least as large as the original) and ``rejected`` (original above the ``1 - level`` quantile).
    bootstrap, n_failed : int
        Resamples per model and resamples that could not be estimated (per model, summed).
    seed : int or None
    level : float
    approach : str
    """

    title: ClassVar[str] = "Bootstrap test of exact model fit (PLS-SEM)"
    table: pd.DataFrame
    bootstrap: int
    n_failed: int
    seed: int | None
    level: float
    approach: str
    draws: dict = field(default_factory=dict)  # model -> (B, 3) replicates of SRMR, d_ULS, d_G

    def to_frame(self) -> pd.DataFrame:
        """The test table."""
        return self.table.copy()

    def plot(self, ax=None, *, model: str = "estimated", measure: str = "SRMR", lang: str = "en"):
        """Histogram of one distance's bootstrap distribution under exact fit, with the original and HI95/HI99."""
        import matplotlib.pyplot as plt

        from crm_research.core.plotting import check_lang, label, ltr, number, persian_ticks, style

        func = "PLSFitTest.plot"
        lang = check_lang(lang, func=func)
        model = check_choice(model, "model", ["saturated", "estimated"], func)
        measure = check_choice(measure, "measure", FIT_TEST_MEASURES, func)
        row = self.table[(self.table["model"] == model) & (self.table["measure"] == measure)].iloc[0]
        vals = self.draws[model][:, FIT_TEST_MEASURES.index(measure)]
        fa = lang == "fa"
        with style(lang):
            if ax is None:
                _, ax = plt.subplots(figsize=(5.5, 3.6))
            ax.hist(vals[np.isfinite(vals)], bins="auto", color="0.75")
            for key, en, per, kw in (("hi95", "HI95", "HI95", dict(color="tab:orange", linestyle="--")),
                                     ("hi99", "HI99", "HI99", dict(color="tab:red", linestyle=":")),
                                     ("original", "original", "مقدار اصلی", dict(color="tab:blue", linewidth=2))):
                value = number(row[key], lang, 3)
                ax.axvline(row[key], label=f"{per} = {ltr(value)}" if fa else f"{en} = {value}", **kw)
            name = ltr(measure) if fa else measure
            ax.set_xlabel(label(f"{measure} ({model} model)", f"{name} (مدل "
                                + ("اشباع‌شده" if model == "saturated" else "برآوردشده") + ")", lang))
            ax.set_ylabel(label("resamples", "نمونه‌های بوت‌استرپ", lang))
            ax.set_title(label("Bootstrap distribution under exact fit", "توزیع بوت‌استرپ با فرض برازش دقیق", lang))
            # below the axes: the three lines often sit where a corner legend would be
            ax.legend(frameon=False, fontsize=8, ncol=3, loc="upper center", bbox_to_anchor=(0.5, -0.2))
            persian_ticks(ax, lang)
        return ax

    def _summary_tables(self):
        return [("Exact fit: original value against the bootstrap quantiles under the model",
                 self.table.set_index(["model", "measure"]))]

    def _summary_notes(self):
        return [f"Bollen-Stine bootstrap, {self.bootstrap} resamples per model (seed {self.seed}): the data are "
                "rotated so that the model holds exactly, then resampled and re-estimated (Dijkstra & Henseler, "
                "2015). Exact fit is not rejected when the original value is below the quantile (HI95 at the "
                f"5% level, HI99 at 1%); 'rejected' uses level = {self.level:g}."] + list(self.warnings)


def pls_fit_test(result, *, bootstrap: int = 5000, seed: int | None = None, level: float = 0.05,
             approach: str = "smartpls", n_jobs: int | None = None, progress: bool = True) -> PLSFitTest:
    """Bootstrap test of exact fit for SRMR, d_ULS and d_G (Dijkstra & Henseler, 2015), as SmartPLS runs it.

    For each of the saturated and the estimated model the indicator data are rotated so that their correlation
    matrix equals the model-implied one (:func:`bollen_stine_data`; Bollen & Stine, 1992; Beran & Srivastava,
    1985); ``bootstrap`` resamples of the rotated data are re-estimated with the fit's settings and give the
    distribution of each distance when the model is true.  The original distance is compared with that
    distribution's 95% and 99% quantiles (HI95, HI99): a value above HI95 rejects exact fit at the 5% level.
    SmartPLS prints these as the "95%" and "99%" columns of the bootstrapped model fit; cSEM's ``testOMF()``
    computes the same test.  ``pvalue`` is the share of resamples whose distance is at least the original.

    Parameters
    ----------
    result : PLSResult
        A fit of a first-order model (PLS or PLSc); interaction terms and higher-order constructs are refused.
    bootstrap : int, default 5000
        Resamples per model (SmartPLS's default is 5,000 for the bootstrap; cSEM's is 499).
    seed : int, optional
        Seed of the resample indices (the same indices for both models).
    level : float, default 0.05
        Significance level of the ``rejected`` column.
    approach : {"smartpls", "composite"}, default "smartpls"
        How the implied correlations are formed (see :func:`implied_correlations`).
    n_jobs : int, optional
        Processes (see :func:`crm_research.core.resampling.bootstrap_map`).
    progress : bool, default True
        Show a progress bar.

    Returns
    -------
    PLSFitTest

    Notes
    -----
    The test asks whether the model reproduces the population correlations exactly; with large samples it
    rejects small, unimportant misfit, and with PLS (not PLSc) estimates of reflective constructs the
    "smartpls" implied correlations carry PLS's inflated loadings (see :func:`model_fit`).  Report the test with
    the approximate SRMR; fit, exact or approximate, says nothing about a model's predictive quality.

    References
    ----------
    Beran, R., & Srivastava, M. S. (1985). Bootstrap tests and confidence regions for functions of a covariance
    matrix. *The Annals of Statistics*, 13(1), 95-115.

    Bollen, K. A., & Stine, R. A. (1992). Bootstrapping goodness-of-fit measures in structural equation models.
    *Sociological Methods & Research*, 21(2), 205-229.

    Dijkstra, T. K., & Henseler, J. (2015). Consistent and asymptotically normal PLS estimators for linear
    structural equations. *Computational Statistics & Data Analysis*, 81, 10-23.

    Examples
    --------
    >>> import crm_research as crm
    >>> fit = crm.pls_sem(crm.load_dataset("mobi"), '''
    ...     Image =~ IMAG1 + IMAG2 + IMAG3
    ...     Value =~ PERV1 + PERV2
    ...     Value ~ Image''')
    >>> test = pls_fit_test(fit, bootstrap=100, seed=1, progress=False)
    >>> test.table[["model", "measure"]].values.tolist()[:3]
    [['saturated', 'SRMR'], ['saturated', 'd_ULS'], ['saturated', 'd_G']]
    >>> bool((test.table["hi99"] >= test.table["hi95"]).all())
    True
    """
    from crm_research.core.resampling import bootstrap_map

    func = "pls_fit_test"
    bootstrap = check_int(bootstrap, "bootstrap", func, min_value=20)
    seed = check_seed(seed, func)
    level = check_number(level, "level", func, min_value=0.0, max_value=0.5, inclusive=(False, False))
    approach = check_choice(approach, "approach", ["smartpls", "composite"], func)
    progress = check_bool(progress, "progress", func)
    parts = _checked_for_fit_test(result)
    rows, draws, n_failed, warns = [], {}, 0, []
    for model, saturated in (("saturated", True), ("estimated", False)):
        original = _measures(parts.s, _implied(parts, saturated, approach), result.n)
        statistic = _FitResample(result, _rotate(result, parts, saturated, approach), parts, saturated, approach)
        run = bootstrap_map(statistic, result.n, bootstrap=bootstrap, seed=seed, n_jobs=n_jobs, progress=progress,
                            min_parallel=100, chunk_size=100, desc=f"PLS fit test ({model} model)")
        reps = run.replicates.reshape(run.n_ok, len(FIT_TEST_MEASURES))
        draws[model] = reps
        n_failed += run.n_failed
        warns += [f"{model} model: {w}" for w in run.warnings]
        for j, measure in enumerate(FIT_TEST_MEASURES):
            vals = reps[:, j][np.isfinite(reps[:, j])]
            orig = original[measure]
            hi95, hi99, crit = (np.quantile(vals, q) if len(vals) else np.nan for q in (0.95, 0.99, 1 - level))
            rows.append({"model": model, "measure": measure, "original": orig,
                         "boot_mean": float(vals.mean()) if len(vals) else np.nan, "hi95": float(hi95),
                         "hi99": float(hi99), "pvalue": float(np.mean(vals >= orig)) if len(vals) else np.nan,
                         "rejected": bool(orig > crit) if np.isfinite(orig) and np.isfinite(crit) else False})
    return PLSFitTest(pd.DataFrame(rows, columns=FIT_TEST_COLUMNS), bootstrap, n_failed, seed, level, approach,
                      draws, warnings=warns)
