"""Discriminant validity: the Fornell-Larcker criterion and the HTMT ratio.

``fornell_larcker`` uses one CFA of all constructs (``crm.cfa``, equal to
lavaan); ``htmt`` equals ``semTools::htmt`` and adds vectorised bootstrap
percentile intervals (``tests/reference/psychometrics.R``).
"""

from __future__ import annotations

import numpy as np
import pandas as pd

from crm_research.core.errors import CRMInputError
from crm_research.core.validation import (
    check_bool,
    check_ci,
    check_constructs,
    check_dataframe,
    check_int,
    check_seed,
)
from crm_research.psychometrics.descriptives import prepare_items
from crm_research.psychometrics.reliability import _loadings, fit_measurement_model

__all__ = ["fornell_larcker", "htmt"]


def fornell_larcker(data, constructs, missing="listwise", scale=None) -> pd.DataFrame:
    """Fornell-Larcker table: sqrt(AVE) on the diagonal, latent correlations off it.

    Parameters
    ----------
    data : pandas.DataFrame
        The answers (reverse-coded already).
    constructs : dict
        Construct name -> list of item columns (at least two items each).
    missing : {"listwise"}, default "listwise"
    scale : tuple (min, max), optional
        The answer scale; answers outside it raise an error.

    Returns
    -------
    pandas.DataFrame
        Indexed by construct; one column per construct (the square table:
        :math:`\\sqrt{AVE}` on the diagonal, correlations between the latent
        constructs off it), then ``max_r`` (largest absolute correlation with
        another construct) and ``discriminant_ok`` (True when
        :math:`\\sqrt{AVE}` exceeds ``max_r``).  ``df.attrs`` holds ``n`` and
        ``n_dropped``.

    Notes
    -----
    The criterion asks that every construct share more variance with its own
    items (AVE) than with any other construct (:math:`r^2`), i.e.
    :math:`\\sqrt{AVE_i} > |r_{ij}|` for all :math:`j \\ne i`.  Loadings and
    latent correlations come from one CFA of all constructs with correlated
    factors (lavaan's defaults).  Henseler et al. (2015) showed that the
    criterion often misses discriminant-validity problems when loadings are
    similar; report HTMT (:func:`htmt`) as well.

    References
    ----------
    Fornell, C., & Larcker, D. F. (1981). Evaluating structural equation models
    with unobservable variables and measurement error. *Journal of Marketing
    Research*, 18(1), 39-50.
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for
    assessing discriminant validity in variance-based structural equation
    modeling. *Journal of the Academy of Marketing Science*, 43(1), 115-135.

    Examples
    --------
    >>> import crm_research as crm
    >>> df = crm.recode_ecrm_survey(crm.load_dataset("ecrm_survey"))
    >>> crm.fornell_larcker(df, {"SAT": ["SAT1", "SAT2", "SAT3", "SAT4"],
    ...                          "LOY": ["LOY1", "LOY2", "LOY3", "LOY4"]}).round(2)
                SAT   LOY  max_r  discriminant_ok
    construct
    SAT        0.69  0.59   0.59             True
    LOY        0.59  0.71   0.59             True
    """
    func = "fornell_larcker"
    fit, constructs, x, n_dropped = fit_measurement_model(data, constructs, func, missing, scale)
    names = list(constructs)
    if len(names) < 2:
        raise CRMInputError(f"{func} compares constructs: 'constructs' must name at least two. Got {names!r}.")
    loads = _loadings(fit, constructs)
    est = fit.estimates
    table = pd.DataFrame(np.nan, index=pd.Index(names, name="construct"), columns=names)
    for c in names:
        std = loads[c]["std_all"].to_numpy(dtype=float)
        table.loc[c, c] = np.sqrt(np.mean(std**2))
    cov_rows = est[(est["op"] == "~~") & est["lhs"].isin(names) & est["rhs"].isin(names) & (est["lhs"] != est["rhs"])]
    for _, row in cov_rows.iterrows():
        table.loc[row["lhs"], row["rhs"]] = table.loc[row["rhs"], row["lhs"]] = float(row["std_all"])
    off = table.to_numpy().copy()
    np.fill_diagonal(off, np.nan)
    table["max_r"] = np.nanmax(np.abs(off), axis=1)
    table["discriminant_ok"] = np.diag(table[names].to_numpy()) > table["max_r"].to_numpy()
    table.attrs.update({"n": len(x), "n_dropped": n_dropped})
    return table


def _block_matrix(constructs: dict[str, list[str]], items: list[str]) -> np.ndarray:
    A = np.zeros((len(items), len(constructs)))
    pos = {item: i for i, item in enumerate(items)}
    for j, its in enumerate(constructs.values()):
        for item in its:
            A[pos[item], j] = 1.0
    return A


def _htmt_from_cor(R: np.ndarray, A: np.ndarray, htmt2: bool, absolute: bool) -> np.ndarray:
    """HTMT for one (p, p) or a stack (B, p, p) of correlation matrices."""
    if absolute or htmt2:
        R = np.abs(R)
    k = A.sum(axis=0)
    with np.errstate(divide="ignore"):
        V = np.log(R) if htmt2 else R.copy()
    p = A.shape[0]
    diag = np.arange(p)
    V[..., diag, diag] = 0.0  # the diagonal never enters the means
    sums = np.einsum("pi,...pq,qj->...ij", A, V, A)
    counts = np.outer(k, k) - np.diag(k)  # within a block, k(k-1) off-diagonal cells
    means = sums / counts
    if htmt2:
        means = np.exp(means)
    mono = np.diagonal(means, axis1=-2, axis2=-1)
    return means / np.sqrt(mono[..., :, None] * mono[..., None, :])


def _cor_stack(X: np.ndarray, W: np.ndarray) -> np.ndarray:
    """Correlation matrices of B weighted copies of X (weights = bootstrap counts)."""
    n, p = X.shape
    Xc = X - X.mean(axis=0)  # centring first keeps the moment formula accurate
    w = W / n
    m = w @ Xc  # (B, p) resample means
    cross = (w @ (Xc[:, :, None] * Xc[:, None, :]).reshape(n, p * p)).reshape(-1, p, p)
    C = cross - m[:, :, None] * m[:, None, :]
    sd = np.sqrt(np.diagonal(C, axis1=1, axis2=2))
    return C / (sd[:, :, None] * sd[:, None, :])


def htmt(data, constructs, bootstrap=0, ci=0.95, seed=None, htmt2=True, absolute=True,
         missing="listwise", scale=None) -> pd.DataFrame:
    """Heterotrait-monotrait ratio of correlations (HTMT), with bootstrap intervals.

    Parameters
    ----------
    data : pandas.DataFrame
        The answers (reverse-coded already).
    constructs : dict
        Construct name -> list of item columns (at least two items each, since
        the monotrait mean needs a pair of items).
    bootstrap : int, default 0
        Number of bootstrap resamples for percentile intervals (e.g. 2000);
        0 for none.
    ci : float, default 0.95
        Confidence level of the percentile intervals.
    seed : int, optional
        Random seed of the bootstrap.
    htmt2 : bool, default True
        Geometric means (HTMT2, Roemer et al. 2021; ``semTools::htmt``'s
        default) instead of the arithmetic means of Henseler et al. (2015).
    absolute : bool, default True
        Use absolute correlations, as ``semTools::htmt``.
    missing : {"listwise"}, default "listwise"
    scale : tuple (min, max), optional
        The answer scale; answers outside it raise an error.

    Returns
    -------
    pandas.DataFrame
        Square table indexed and labelled by construct (1 on the diagonal),
        equal to ``semTools::htmt``.  ``df.attrs`` holds ``n`` and
        ``n_dropped``; with ``bootstrap > 0`` also ``ci_low`` and ``ci_high``
        (square tables) and ``intervals``: one row per pair of constructs with
        columns ``construct_1``, ``construct_2``, ``htmt``, ``ci_low``,
        ``ci_high``, ``below_085``, ``below_090`` and ``upper_below_1``.

    Notes
    -----
    With :math:`\\bar r_{ij}` the mean correlation between the items of
    constructs :math:`i` and :math:`j` (heterotrait-heteromethod) and
    :math:`\\bar r_{ii}` the mean correlation among the items of :math:`i`
    (monotrait-heteromethod), :math:`HTMT_{ij} = \\bar r_{ij} / \\sqrt{\\bar r_{ii}\\bar r_{jj}}`.
    HTMT2 replaces every arithmetic mean by a geometric mean.  Discriminant
    validity is supported when HTMT < 0.85 (conceptually distinct
    constructs) or < 0.90 (similar constructs), and when the upper bound of
    the bootstrap interval is below 1 (Henseler et al., 2015).  The bootstrap
    resamples rows; all resamples are computed at once from the matrix of
    resampling counts.

    References
    ----------
    Henseler, J., Ringle, C. M., & Sarstedt, M. (2015). A new criterion for
    assessing discriminant validity in variance-based structural equation
    modeling. *Journal of the Academy of Marketing Science*, 43(1), 115-135.
    Roemer, E., Schuberth, F., & Henseler, J. (2021). HTMT2 - an improved
    criterion for assessing discriminant validity in structural equation
    modeling. *Industrial Management & Data Systems*, 121(12), 2637-2650.

    Examples
    --------
    >>> import crm_research as crm
    >>> bfi = crm.reverse_code(crm.load_dataset("bfi"), ["E1", "E2"], scale=(1, 6))
    >>> crm.htmt(bfi, {"E": ["E1", "E2", "E3", "E4", "E5"], "N": ["N1", "N2", "N3", "N4", "N5"]}).round(2)
                  E     N
    construct
    E          1.00  0.22
    N          0.22  1.00
    """
    func = "htmt"
    data = check_dataframe(data, "data", func)
    constructs = check_constructs(data, constructs, func, min_items=2)
    bootstrap = check_int(bootstrap, "bootstrap", func, min_value=0)
    ci = check_ci(ci, func)
    seed = check_seed(seed, func)
    htmt2 = check_bool(htmt2, "htmt2", func)
    absolute = check_bool(absolute, "absolute", func)
    if missing != "listwise":
        raise CRMInputError(f"The 'missing' parameter of {func} must be 'listwise'. Got {missing!r} instead.")
    items = [i for its in constructs.values() for i in its]
    x, n_dropped = prepare_items(data, items, func, scale=scale, missing="listwise")
    X = x.to_numpy()
    A = _block_matrix(constructs, items)
    names = list(constructs)
    R = np.corrcoef(X, rowvar=False)
    H = _htmt_from_cor(R, A, htmt2, absolute)
    table = pd.DataFrame(H, index=pd.Index(names, name="construct"), columns=names)
    table.attrs.update({"n": len(x), "n_dropped": n_dropped})
    if bootstrap:
        rng = np.random.default_rng(seed)
        n = len(X)
        boots = []
        # chunks keep the (chunk, n) count matrix and (chunk, p, p) stack small
        chunk = max(1, min(bootstrap, 4_000_000 // max(n, X.shape[1] ** 2)))
        for start in range(0, bootstrap, chunk):
            b = min(chunk, bootstrap - start)
            idx = rng.integers(0, n, size=(b, n))
            # how often each row is drawn in each resample (a row of counts per resample)
            W = np.bincount((idx + (np.arange(b) * n)[:, None]).ravel(), minlength=b * n)
            W = W.reshape(b, n).astype(float)
            boots.append(_htmt_from_cor(_cor_stack(X, W), A, htmt2, absolute))
        Hb = np.concatenate(boots)
        q = (1 - ci) / 2
        lo, hi = np.nanquantile(Hb, [q, 1 - q], axis=0)
        table.attrs["ci_low"] = pd.DataFrame(lo, index=table.index, columns=names)
        table.attrs["ci_high"] = pd.DataFrame(hi, index=table.index, columns=names)
        rows = []
        for i in range(len(names)):
            for j in range(i + 1, len(names)):
                rows.append(
                    {
                        "construct_1": names[i],
                        "construct_2": names[j],
                        "htmt": H[i, j],
                        "ci_low": lo[i, j],
                        "ci_high": hi[i, j],
                        "below_085": bool(H[i, j] < 0.85),
                        "below_090": bool(H[i, j] < 0.90),
                        "upper_below_1": bool(hi[i, j] < 1),
                    }
                )
        table.attrs["intervals"] = pd.DataFrame(rows)
        table.attrs["bootstrap"] = bootstrap
    return table
