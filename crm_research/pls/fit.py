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

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.validation import check_choice

__all__ = ["model_fit", "implied_correlations"]

FIT_MEASURES = ["SRMR", "d_ULS", "d_G", "Chi-square", "NFI"]


def _engine_matrices(result):
    """Observed item correlations, loadings (items x constructs), modes, score correlations, paths, R²."""
    e = result.engine_model
    names = list(e.constructs)
    # mode "A"/"B": seminr types composites "A"/"B", PLSc common factors "C", two-stage HOCs "HOCA"/"HOCB"
    owner = {r.measurement: (r.construct, "B" if r.type.endswith("B") else "A") for r in e.mm_matrix.rows}
    # the model as last estimated: after a two-stage HOC its second stage (the LOC scores as the HOC's items)
    cols = list(e.data.columns)
    items = [i for i in cols if i in owner and owner[i][0] in names]
    x = np.asarray(e.data.values, dtype=float)[:, [cols.index(i) for i in items]]
    s = np.corrcoef(x, rowvar=False)
    block = [names.index(owner[i][0]) for i in items]
    mode = {owner[i][0]: owner[i][1] for i in items}
    scores = np.asarray(e.construct_scores.values, dtype=float)
    phi = np.corrcoef(scores, rowvar=False)
    # standardized quantities throughout: the engine leaves a two-stage interaction score unstandardized
    # (its loading and path are in the product's own scale), the implied correlations need correlations
    z = (x - x.mean(axis=0)) / x.std(axis=0)
    zs = (scores - scores.mean(axis=0)) / scores.std(axis=0)
    lam = np.zeros((len(items), len(names)))
    lam[np.arange(len(items)), block] = (z * zs[:, block]).mean(axis=0)
    if getattr(result, "consistent", False):
        # PLSc: the consistent loadings of the common-factor constructs and their construct correlations
        # disattenuated by rho_A (Dijkstra & Henseler, 2015), as SmartPLS's PLSc model fit uses them
        rel = result.reliability.set_index("construct")["rho_a"]
        rho = np.ones(len(names))
        lam_engine = np.asarray(e.outer_loadings.values, dtype=float)
        rows = list(e.outer_loadings.rows)
        for j, c in enumerate(names):
            own = [k for k, i in enumerate(items) if block[k] == j]
            if mode[c] == "A" and len(own) > 1 and np.isfinite(rel.get(c, np.nan)):
                rho[j] = float(rel[c])
                for k in own:
                    lam[k, j] = lam_engine[rows.index(items[k]), j]
        phi = phi / np.sqrt(np.outer(rho, rho))
        np.fill_diagonal(phi, 1.0)
    pattern = np.asarray(e.path_coef.values, dtype=float) != 0  # rows: from, columns: to
    paths = np.zeros_like(phi)
    for j in range(len(names)):
        pred = np.flatnonzero(pattern[:, j])
        if len(pred):
            paths[pred, j] = np.linalg.solve(phi[np.ix_(pred, pred)], phi[pred, j])
    return items, s, names, lam, block, mode, phi, paths


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
    items, s, names, lam, block, mode, phi, paths = _engine_matrices(result)
    cor = phi if saturated else _structural_correlations(phi, paths)
    li = lam[np.arange(len(items)), block]  # each item's loading on its own construct
    b = np.asarray(block)
    sigma = np.outer(li, li) * cor[np.ix_(b, b)]
    same = b[:, None] == b[None, :]
    composite = np.array([approach == "composite" or mode[names[j]] == "B" for j in b])
    keep_s = same & composite[:, None]
    sigma[keep_s] = s[keep_s]
    np.fill_diagonal(sigma, 1.0)
    return pd.DataFrame(sigma, index=items, columns=items)


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
    _, s, *_ = _engine_matrices(result)
    out = {}
    for col, sat in (("saturated", True), ("estimated", False)):
        sigma = implied_correlations(result, saturated=sat, approach=approach).to_numpy()
        out[col] = _measures(s, sigma, result.n)
    return pd.DataFrame(out).loc[FIT_MEASURES]
